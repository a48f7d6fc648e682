"""A small in-memory central system speaking sync protocol v1, for the engine's unit tests only.

It keeps what the contract needs to be checked against: an idempotency ledger,
per-client ``seq``, versions with the fields each version changed (for stale-base
auto-merge), a commit log for pulls, a caseload and an epoch. The real server on
loopback is used by tests/integration/.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from caseclient.domain.canonical import payload_sha256
from tests.sync.fakes import json_response

OFFICER = {"staff_code": "N01A123", "name": "Sam Officer", "grade": "PO", "team": "North 1"}


@dataclass
class Row:
    record_type: str
    record_id: str
    fields: dict[str, Any]
    version: int = 1
    deleted: bool = False
    commit: int = 0
    changed_by: str = "N01A123"
    changes: dict[int, set[str]] = field(default_factory=dict)   # version -> fields it changed

    def case_id(self) -> str | None:
        return self.record_id if self.record_type == "case" else self.fields.get("case_id")

    def change(self) -> dict[str, Any]:
        return {"record_type": self.record_type, "record_id": self.record_id,
                "version": self.version, "deleted": self.deleted, "fields": dict(self.fields),
                "changed_by": self.changed_by, "changed_at": "2026-11-24T10:00:00+00:00"}


class FakeCentral:
    def __init__(self) -> None:
        self.epoch = "e1"
        self.server_time = "2026-11-24T10:30:00+00:00"
        self.schema = (1, 1)
        self.wipe = False
        self.rows: dict[tuple[str, str], Row] = {}
        self.caseload: set[str] = set()
        self.tombstones: dict[str, int] = {}
        self.commit = 0
        self.ledger: dict[str, tuple[str, dict[str, Any]]] = {}
        self.last_seq = 0
        self.pushes: list[list[dict[str, Any]]] = []
        self.before_answer: Callable[[], None] | None = None
        self.retry_later_ids: set[str] = set()

    # ---- the office's side -------------------------------------------------------------------
    def _commit(self, row: Row) -> None:
        self.commit += 1
        row.commit = self.commit
        self.rows[(row.record_type, row.record_id)] = row

    def seed(self, change: dict[str, Any]) -> None:
        row = Row(change["record_type"], change["record_id"], dict(change["fields"]),
                  change.get("version", 1), changed_by="central system")
        self._commit(row)
        if row.record_type == "case":
            self.caseload.add(row.record_id)

    def office_edit(self, record_type: str, record_id: str, **values: Any) -> None:
        row = self.rows[(record_type, record_id)]
        row.fields.update(values)
        row.version += 1
        row.changes[row.version] = set(values)
        row.changed_by = "OFFICE01"
        self._commit(row)

    def office_delete(self, record_type: str, record_id: str) -> None:
        row = self.rows[(record_type, record_id)]
        row.deleted = True
        row.version += 1
        row.changes[row.version] = {"deleted"}
        self._commit(row)

    def deallocate(self, case_id: str) -> None:
        self.caseload.discard(case_id)
        self.commit += 1
        self.tombstones[case_id] = self.commit

    def restore_backup(self, epoch: str, last_seq: int) -> None:
        """Data restored: a new epoch, and the ledger forgets seqs after ``last_seq``."""
        self.epoch = epoch
        self.last_seq = last_seq

    # ---- HTTP ------------------------------------------------------------------------------------
    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        if path == "/sync/handshake":
            return json_response(200, {"server_time": self.server_time, "epoch": self.epoch,
                                       "min_schema": self.schema[0], "max_schema": self.schema[1],
                                       "officer": OFFICER, "wipe": self.wipe})
        if path == "/sync/push":
            return self._push(json.loads(request.content)["mutations"])
        if path == "/sync/pull":
            query = dict(urllib.parse.parse_qsl(request.url.query.decode()))
            return self._pull(query.get("cursor"), int(query.get("limit", "500")))
        return json_response(404, {"error": "not_found", "detail": "No such endpoint."})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def _visible(self, row: Row) -> bool:
        return row.record_type == "reference" or row.case_id() in self.caseload

    def _pull(self, cursor: str | None, limit: int) -> httpx.Response:
        since = 0
        if cursor is not None:
            epoch, _, number = cursor.partition(":")
            if epoch != self.epoch or not number.isdigit():
                return json_response(410, {"error": "resync_required", "detail": "Reload.",
                                           "epoch": self.epoch})
            since = int(number)
        items: list[tuple[int, dict[str, Any]]] = [
            (r.commit, r.change()) for r in self.rows.values() if r.commit > since and self._visible(r)]
        items += [(n, {"record_type": "case", "record_id": c, "version": 1, "deleted": True,
                       "fields": None, "reason": "deallocated"})
                  for c, n in self.tombstones.items() if n > since and cursor is not None]
        items.sort(key=lambda item: item[0])
        page = items[:limit]
        more = len(items) > limit
        upto = page[-1][0] if more else self.commit
        return json_response(200, {"changes": [c for _n, c in page],
                                   "next_cursor": f"{self.epoch}:{upto}", "has_more": more,
                                   "epoch": self.epoch})

    def _push(self, mutations: list[dict[str, Any]]) -> httpx.Response:
        self.pushes.append(mutations)
        results: list[dict[str, Any]] = []
        expected: int | None = None
        for m in mutations:
            digest = payload_sha256(record_type=m["record_type"], record_id=m["record_id"],
                                    op=m["op"], base_version=m["base_version"], fields=m["fields"],
                                    resolves=m["resolves"])
            known = self.ledger.get(m["mutation_id"])
            if known is not None:
                if known[0] != digest:
                    return json_response(409, {"error": "idempotency_mismatch", "detail": "Differs.",
                                               "mutation_id": m["mutation_id"], "results": results})
                stored = dict(known[1])
                if stored["result"] == "applied":
                    stored["result"] = "duplicate"
                results.append(stored)
                continue
            if m["seq"] > self.last_seq + 1:
                expected = self.last_seq + 1
                break
            if m["mutation_id"] in self.retry_later_ids:
                self.retry_later_ids.discard(m["mutation_id"])
                results.append({"mutation_id": m["mutation_id"], "result": "retry_later"})
                break
            if m["seq"] <= self.last_seq:
                result = {"result": "rejected", "reason": "sequence number already used"}
            else:
                self.last_seq = m["seq"]
                result = self._apply(m) if digest == m["payload_sha256"] else {
                    "result": "rejected", "reason": "payload hash does not match"}
            result["mutation_id"] = m["mutation_id"]
            self.ledger[m["mutation_id"]] = (digest, result)
            results.append(result)
        if self.before_answer is not None:
            self.before_answer()
        body: dict[str, Any] = {"results": results, "last_applied_seq": self.last_seq}
        if expected is not None:
            body["expected_seq"] = expected
        return json_response(200, body)

    def _conflict(self, row: Row) -> dict[str, Any]:
        return {"result": "conflict", "server_record": row.change(), "changed_by": row.changed_by,
                "changed_at": "2026-11-24T10:00:00+00:00"}

    def _apply(self, m: dict[str, Any]) -> dict[str, Any]:
        key = (m["record_type"], m["record_id"])
        row = self.rows.get(key)
        fields = dict(m["fields"])
        if m["op"] == "create":
            if row is not None:
                return {"result": "duplicate", "version": row.version} if row.fields == fields \
                    else self._conflict(row)
            if fields.get("case_id") not in self.caseload:
                return {"result": "rejected", "reason": "no such record on your caseload"}
            row = Row(m["record_type"], m["record_id"], fields)
            row.changes[1] = set(fields)
            self._commit(row)
            return {"result": "applied", "version": 1}
        if row is None or not self._visible(row):
            return {"result": "rejected", "reason": "no such record on your caseload"}
        base = m["base_version"]
        if base is None or base > row.version:
            return {"result": "rejected", "reason": "base version is not one the server issued"}
        if row.deleted:
            return self._conflict(row)
        changed_since = set().union(*(row.changes.get(v, set()) for v in range(base + 1, row.version + 1)))
        if m["op"] == "delete":
            if base != row.version:
                return self._conflict(row)
            row.deleted, row.version = True, row.version + 1
            row.changes[row.version] = {"deleted"}
            self._commit(row)
            return {"result": "applied", "version": row.version}
        clashing = {k for k in fields if k in changed_since and row.fields.get(k) != fields[k]}
        if clashing:
            return self._conflict(row)
        if all(row.fields.get(k) == v for k, v in fields.items()):
            return {"result": "applied", "version": row.version}
        row.fields.update(fields)
        row.version += 1
        row.changes[row.version] = set(fields)
        row.changed_by = "N01A123"
        self._commit(row)
        return {"result": "applied", "version": row.version, "auto_merged": base != row.version - 1}
