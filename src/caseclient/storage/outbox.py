"""The outbox: mutations waiting for the central system, in ``seq`` order.

Rules from sync-protocol.md kept here:
- ``seq`` is strictly +1 per client and never reused; rows are never deleted, so
  the server never sees a gap.
- A mutation still ``pending`` that has never been offered to the server
  (``attempts = 0``) absorbs later edits of its record. Once it may have reached
  the server (``sending``, or reverted to ``pending`` after a crash), its payload
  is frozen — a changed hash under the same id would be an idempotency mismatch —
  and later edits make a new mutation.
- ``sending`` is written before a request leaves; at start-up every ``sending``
  goes back to ``pending`` (the server's ledger makes the re-send harmless).
Functions run inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from caseclient.domain.canonical import JSONValue, payload_sha256
from caseclient.domain.ids import new_uuid7
from caseclient.storage import meta


class MutationState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    RESOLVED = "resolved"    # a conflict settled by a later mutation that ``resolves`` it
    DISMISSED = "dismissed"  # a rejection the officer has dealt with (exported, re-entered)


WAITING = (MutationState.PENDING, MutationState.SENDING)
NEEDS_ATTENTION = (MutationState.CONFLICT, MutationState.REJECTED)


@dataclass(frozen=True)
class Mutation:
    mutation_id: str
    seq: int
    record_type: str
    record_id: str
    op: str
    base_version: int | None
    fields: Mapping[str, JSONValue]
    payload_sha256: str
    recorded_at: str
    resolves: str | None
    state: MutationState
    attempts: int

    def wire(self) -> dict[str, JSONValue]:
        """The mutation as the push endpoint takes it."""
        return {"mutation_id": self.mutation_id, "seq": self.seq,
                "record_type": self.record_type, "record_id": self.record_id, "op": self.op,
                "base_version": self.base_version, "fields": dict(self.fields),
                "payload_sha256": self.payload_sha256, "recorded_at": self.recorded_at,
                "resolves": self.resolves}


_COLUMNS = ("mutation_id, seq, record_type, record_id, op, base_version, fields, payload_sha256, "
            "recorded_at, resolves, state, attempts")


def _row(row: Any) -> Mutation:
    return Mutation(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7],
                    row[8], row[9], MutationState(row[10]), row[11])


def latest_for(conn: Any, record_type: str, record_id: str) -> Mutation | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE record_type = ? AND record_id = ? "
                       "ORDER BY seq DESC LIMIT 1", (record_type, record_id)).fetchone()
    return None if row is None else _row(row)


def for_record(conn: Any, record_type: str, record_id: str) -> list[Mutation]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE record_type = ? AND record_id = ? "
                        "ORDER BY seq", (record_type, record_id)).fetchall()
    return [_row(r) for r in rows]


def enqueue(conn: Any, *, record_type: str, record_id: str, op: str, base_version: int | None,
            fields: Mapping[str, JSONValue], now: dt.datetime, resolves: str | None = None,
            absorb: bool = True) -> Mutation:
    """Queue ``fields`` for the record, absorbing into an untouched pending mutation if allowed."""
    stamp = now.isoformat()
    latest = latest_for(conn, record_type, record_id) if absorb else None
    if (latest is not None and latest.state is MutationState.PENDING and latest.attempts == 0
            and latest.op != "delete" and op == "update" and latest.resolves is None):
        merged = {**latest.fields, **fields}
        digest = payload_sha256(record_type=record_type, record_id=record_id, op=latest.op,
                                base_version=latest.base_version, fields=merged, resolves=None)
        conn.execute("UPDATE outbox SET fields = ?, payload_sha256 = ?, updated_at = ? "
                     "WHERE mutation_id = ?",
                     (json.dumps(merged), digest, stamp, latest.mutation_id))
        return Mutation(latest.mutation_id, latest.seq, record_type, record_id, latest.op,
                        latest.base_version, merged, digest, latest.recorded_at, None,
                        MutationState.PENDING, 0)
    mutation_id = new_uuid7(lambda: int(now.timestamp() * 1000))
    seq = meta.take_seq(conn)
    digest = payload_sha256(record_type=record_type, record_id=record_id, op=op,
                            base_version=base_version, fields=fields, resolves=resolves)
    conn.execute(
        "INSERT INTO outbox (mutation_id, seq, record_type, record_id, op, base_version, fields, "
        "payload_sha256, recorded_at, resolves, state, attempts, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
        (mutation_id, seq, record_type, record_id, op, base_version, json.dumps(dict(fields)),
         digest, stamp, resolves, stamp))
    return Mutation(mutation_id, seq, record_type, record_id, op, base_version, dict(fields),
                    digest, stamp, resolves, MutationState.PENDING, 0)


def waiting(conn: Any, limit: int = 1_000) -> list[Mutation]:
    """Pending and sending mutations in ``seq`` order."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('pending', 'sending') "
                        "ORDER BY seq LIMIT ?", (limit,)).fetchall()
    return [_row(r) for r in rows]


def mark_sending(conn: Any, mutation_ids: list[str], now: dt.datetime) -> None:
    """Written before the request leaves: from here on the payload is frozen."""
    conn.executemany("UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? "
                     "WHERE mutation_id = ? AND state IN ('pending', 'sending')",
                     [(now.isoformat(), m) for m in mutation_ids])
    conn.executemany("UPDATE history SET open = 0 WHERE mutation_id = ?",
                     [(m,) for m in mutation_ids])


def revert_sending(conn: Any) -> int:
    """At start-up: nothing is in flight any more; re-send later (ledger dedupes)."""
    cursor = conn.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
    return int(cursor.rowcount)


def set_state(conn: Any, mutation_id: str, state: MutationState, now: dt.datetime,
              result: Mapping[str, JSONValue] | None = None) -> None:
    conn.execute("UPDATE outbox SET state = ?, result = ?, updated_at = ? WHERE mutation_id = ?",
                 (state.value, None if result is None else json.dumps(dict(result)),
                  now.isoformat(), mutation_id))


def counts(conn: Any) -> dict[MutationState, int]:
    rows = conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    return {MutationState(state): n for state, n in rows}


def oldest_waiting_at(conn: Any) -> str | None:
    row = conn.execute("SELECT min(recorded_at) FROM outbox WHERE state IN ('pending', 'sending')"
                       ).fetchone()
    return None if row is None else row[0]
