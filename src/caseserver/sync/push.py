"""``POST /sync/push``: one transaction per batch, each mutation in a savepoint with its ledger row
(decision 0034).

Order of judgement for one mutation: ledger (replay or 409), ``seq`` (gap stops the
batch, lower is rejected), shape, permission before existence, field checks, server
rules, then versions (apply, auto-merge, or conflict).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.exc import DBAPIError

from caseclient.domain.canonical import JSONValue
from caseclient.domain.merge import changed_fields
from caseclient.domain.schema import RECORD_SPECS
from caseserver import records as record_store
from caseserver.auth.service import Caller
from caseserver.clock import Clock, iso
from caseserver.db.engine import Database, DriverStatement, WriteTx
from caseserver.db.tables import case_access, devices, records
from caseserver.errors import ApiError
from caseserver.records import StoredRecord
from caseserver.sync import assessments, ledger, rules
from caseserver.sync.mutation import Mutation, hashes, parse
from caseserver.sync.mutation import is_uuid_cached as _is_uuid
from caseserver.sync.rules import Role

log = logging.getLogger(__name__)

# Built once: each runs for every mutation, and building a statement costs more than
# SQLite takes to run it.
_LAST_SEQ = select(devices.c.last_applied_seq).where(devices.c.client_id == bindparam("client_id"))
_SET_LAST_SEQ = update(devices).where(devices.c.client_id == bindparam("device"))
# The caller's access to a case and the case's fields (for its managing officer), in one read.
_ACCESS = (select(case_access.c.staff_code, records.c.fields)
           .select_from(case_access.outerjoin(records, records.c.record_id == case_access.c.case_id))
           .where(case_access.c.case_id == bindparam("case_id"),
                  case_access.c.staff_code == bindparam("staff_code")))
# On the driver's cursor (decision 0037): SQLAlchemy's exec_driver_sql still cost several
# times what the savepoint itself does, twice a mutation.
_SAVEPOINT = DriverStatement(text("SAVEPOINT push_mutation"))
_ROLLBACK_TO = DriverStatement(text("ROLLBACK TO SAVEPOINT push_mutation"))
_RELEASE = DriverStatement(text("RELEASE SAVEPOINT push_mutation"))
_NO_PARAMS: dict[str, Any] = {}


@dataclass(frozen=True)
class _Gap:
    expected: int


@dataclass(frozen=True)
class _Mismatch:
    pass


class _Batch:
    """What one push's transaction knows beyond its statements: the device's last applied
    ``seq`` and the ledger entries of the batch's ids, both read once and kept up to date
    as mutations are judged (a later mutation sees what an earlier one recorded)."""

    def __init__(self, tx: WriteTx, caller: Caller, mutations: Sequence[Mapping[str, Any]]) -> None:
        self.tx = tx
        self.caller = caller
        self.last_seq = int(tx.conn.execute(_LAST_SEQ, {"client_id": caller.client_id}).scalar_one())
        ids = [m["mutation_id"] for m in mutations if _is_uuid(m["mutation_id"])]
        self.known: dict[str, ledger.Entry] = ledger.find_many(tx.conn, caller.client_id, ids)
        # The caller's role by case, read once in the batch: nothing else writes while it holds
        # the commit-seq lock. Forgotten after every mutation of a case record (which could
        # change its managing officer).
        self.roles: dict[str, Role] = {}
        # Ledger rows are written together (one executemany) before the commit, or before a
        # mutation marks one resolved; a mutation whose savepoint rolls back never adds its own.
        self.ledger_rows: list[dict[str, Any]] = []
        # The batch's records as they stood before it, read together (decision 0037): nothing
        # else writes while it holds the commit-seq lock. ``None``: no such record. A record
        # is forgotten once this batch writes it, and all of them after an assessment's write
        # (it writes other records: the case's register, other assessments); those are read
        # again when judged.
        record_ids = [m["record_id"] for m in mutations if _is_uuid(m.get("record_id"))]
        found = record_store.get_many(tx.conn, record_ids)
        self.current: dict[str, StoredRecord | None] = {i: found.get(i) for i in record_ids}

    def record(self, record_id: str) -> StoredRecord | None:
        if record_id in self.current:
            return self.current[record_id]
        return record_store.get(self.tx.conn, record_id)

    def wrote(self, record_type: str, record_id: str) -> None:
        if record_type == "assessment":
            self.current.clear()
        else:
            self.current.pop(record_id, None)

    def flush_ledger(self) -> None:
        ledger.record_many(self.tx.conn, self.ledger_rows)
        self.ledger_rows = []

    def done(self, seq: int, kept_id: str | None, payload_hash: str, result: dict[str, Any]) -> None:
        """``kept_id``: the mutation id when the ledger kept it."""
        self.last_seq = max(self.last_seq, seq)
        if kept_id is not None:
            self.known[kept_id] = ledger.Entry(payload_hash, result)


@contextmanager
def _savepoint(conn: Connection) -> Iterator[None]:
    """A savepoint by its SQL, the same on SQLite and PostgreSQL: ``begin_nested`` compiled a
    new SAVEPOINT statement for each mutation (~15 % of a batch). An exception rolls back to
    it and passes on; if the rollback itself fails, that error passes on and the batch's
    transaction is abandoned."""
    _SAVEPOINT.execute(conn, _NO_PARAMS)
    try:
        yield
    except BaseException:
        _ROLLBACK_TO.execute(conn, _NO_PARAMS)
        _RELEASE.execute(conn, _NO_PARAMS)
        raise
    _RELEASE.execute(conn, _NO_PARAMS)


def _retry_later(mutation_id: str) -> dict[str, Any]:
    return {"mutation_id": mutation_id, "result": "retry_later",
            "reason": "The central system is busy; this change will be sent again."}


def _rejected(mutation_id: str, reason: str) -> dict[str, Any]:
    return {"mutation_id": mutation_id, "result": "rejected", "reason": reason}


def _conflict(mutation_id: str, current: StoredRecord, reason: str) -> dict[str, Any]:
    return {"mutation_id": mutation_id, "result": "conflict", "reason": reason,
            "server_record": current.change(), "changed_by": current.changed_by,
            "changed_at": current.changed_at, "version": current.version}


def role_of(conn: Connection, case_id: str | None, caller: Caller,
            known: dict[str, Role] | None = None) -> Role:
    """Read in the transaction asking. ``known``: roles already read in it, by case, and where
    this one is kept (a push batch's, decision 0034)."""
    if case_id is None:
        return Role.NONE
    if known is not None:
        if case_id not in known:
            known[case_id] = role_of(conn, case_id, caller)
        return known[case_id]
    staff = caller.officer.staff_code
    row = conn.execute(_ACCESS, {"case_id": case_id, "staff_code": staff}).first()
    if row is None:
        return Role.NONE
    fields = json.loads(row[1]) if row[1] is not None else {}
    return Role.OWNER if fields.get("officer_code") == staff else Role.READER


class PushService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def push(self, caller: Caller, mutations: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The batch in one write transaction (one commit sequence number); each mutation in a
        SAVEPOINT of its own with its ledger row, so one that fails leaves the others."""
        results: list[dict[str, Any]] = []
        expected_seq: int | None = None
        mismatch: str | None = None
        last: int | None = None
        try:
            with self._db.write() as tx:
                batch = _Batch(tx, caller, mutations)
                last = batch.last_seq
                for raw in mutations:
                    try:
                        with _savepoint(tx.conn):
                            outcome = self._one(batch, raw)
                    except DBAPIError as error:
                        batch.roles.clear()
                        log.warning("push: database problem (%s); answering retry_later",
                                    type(error).__name__)
                        results.append(_retry_later(raw["mutation_id"]))
                        break
                    if raw.get("record_type") == "case":
                        batch.roles.clear()
                    if isinstance(outcome, _Mismatch):
                        mismatch = raw["mutation_id"]
                        break
                    if isinstance(outcome, _Gap):
                        expected_seq = outcome.expected
                        break
                    results.append(outcome)
                batch.flush_ledger()
                if batch.last_seq != last:
                    tx.conn.execute(_SET_LAST_SEQ, {"device": caller.client_id,
                                                    "last_applied_seq": batch.last_seq})
                    last = batch.last_seq
        except DBAPIError as error:
            # The batch did not commit (its savepoints were fine, the transaction was not):
            # nothing of it stands, so nothing is answered as done.
            log.warning("push: database problem (%s) at commit; answering retry_later",
                        type(error).__name__)
            results = [_retry_later(mutations[0]["mutation_id"])] if mutations else []
            expected_seq, mismatch, last = None, None, None
        if mismatch is not None:
            raise ApiError(409, "idempotency_mismatch",
                           "This change id was already used for a different change; "
                           "nothing was replaced.",
                           extra={"mutation_id": mismatch, "results": results})
        if last is None:
            with self._db.read() as conn:
                last = int(conn.execute(_LAST_SEQ, {"client_id": caller.client_id}).scalar() or 0)
        body: dict[str, Any] = {"results": results, "last_applied_seq": last}
        if expected_seq is not None:
            body["expected_seq"] = expected_seq
        return body

    def _one(self, batch: _Batch, raw: Mapping[str, Any]) -> dict[str, Any] | _Gap | _Mismatch:
        """One mutation, inside its savepoint of the batch's transaction."""
        tx, caller = batch.tx, batch.caller
        mutation_id: str = raw["mutation_id"]
        seq: int = raw["seq"]
        payload_hash, canonical_hash = hashes(raw)
        # Only UUIDs are ever kept in the ledger, so nothing else is looked up there.
        kept = _is_uuid(mutation_id)
        known = batch.known.get(mutation_id) if kept else None
        if known is not None:
            if known.payload_sha256 != payload_hash:
                return _Mismatch()
            if known.result.get("result") == "applied":
                answer = {"mutation_id": mutation_id, "result": "duplicate"}
                if known.result.get("version") is not None:
                    answer["version"] = known.result["version"]
                return answer
            conflict = known.result.get("result") == "conflict"
            if conflict and not self._still_readable(tx, caller, known.result):
                return _rejected(mutation_id, rules.NO_SUCH_RECORD)  # the case has left the caseload
            return known.result
        last = batch.last_seq
        if seq > last + 1:
            return _Gap(last + 1)
        if seq <= last:
            result = _rejected(mutation_id, "sequence number already used")
        else:
            result = self._judge(batch, raw, canonical_hash)
        if kept:  # only well-formed ids are kept; others cannot be resolved
            batch.ledger_rows.append(ledger.row(
                client_id=caller.client_id, mutation_id=mutation_id, payload_sha256=payload_hash,
                seq=seq, result=result, at=iso(self._clock())))
        # Only once the mutation's statements have run: a database error rolls its savepoint
        # back, and with it these.
        batch.done(seq, mutation_id if kept else None, payload_hash, result)
        return result

    @staticmethod
    def _still_readable(tx: WriteTx, caller: Caller, stored: Mapping[str, Any]) -> bool:
        """A stored conflict carries a record; it is answered again only while the caller may read it."""
        server_record = stored.get("server_record")
        record_id = server_record.get("record_id") if isinstance(server_record, dict) else None
        current = record_store.get(tx.conn, record_id) if isinstance(record_id, str) else None
        return current is not None and role_of(tx.conn, current.case_id, caller) is not Role.NONE

    # ---- one mutation ----------------------------------------------------------------------
    def _judge(self, batch: _Batch, raw: Mapping[str, Any], canonical_hash: str | None) -> dict[str, Any]:
        tx, caller = batch.tx, batch.caller
        mutation_id: str = raw["mutation_id"]
        if not _is_uuid(mutation_id):
            return _rejected(mutation_id, "The change id is not a UUID.")
        parsed = parse(raw, canonical_hash)
        if isinstance(parsed, str):
            return _rejected(mutation_id, parsed)
        conn = tx.conn
        current = batch.record(parsed.record_id)
        hidden = False
        role = Role.NONE
        if current is not None:
            if current.case_id is None:
                return _rejected(mutation_id, "Reference lists are kept by the central system.")
            role = role_of(conn, current.case_id, caller, batch.roles)
            if role is Role.NONE:
                current, hidden = None, True  # outside the caseload: as if it did not exist
        if parsed.op == "create":
            result = self._create(tx, caller, parsed, current, hidden, roles=batch.roles)
        elif current is None:
            result = _rejected(mutation_id, rules.NO_SUCH_RECORD)
        else:
            result = self._change(tx, caller, parsed, current, role)
        if result["result"] == "applied":
            batch.wrote(parsed.record_type, parsed.record_id)
        if result["result"] == "applied" and parsed.resolves is not None:
            batch.flush_ledger()      # the conflict it resolves may be this batch's
            ledger.mark_resolved(conn, caller.client_id, parsed.resolves)
        return result

    def _create(self, tx: WriteTx, caller: Caller, m: Mutation, current: StoredRecord | None,
                hidden: bool, *, roles: dict[str, Role]) -> dict[str, Any]:
        spec = RECORD_SPECS[m.record_type]
        if not spec.client_creatable:
            return _rejected(m.mutation_id, f"A {spec.label} is made by the central system, not on a laptop.")
        problem = rules.field_problems(m.record_type, m.fields, partial=False)
        if problem:
            return _rejected(m.mutation_id, problem)
        case_id = m.fields.get("case_id")
        role = role_of(tx.conn, case_id if isinstance(case_id, str) else None, caller, roles)
        if role is Role.NONE:
            return _rejected(m.mutation_id, rules.NO_SUCH_CASE)
        if hidden:
            return _rejected(m.mutation_id, "That record id is already in use. Make the record again.")
        if current is not None:
            if not current.deleted and not changed_fields(current.fields, m.fields):
                return {"mutation_id": m.mutation_id, "result": "duplicate", "version": current.version}
            return _conflict(m.mutation_id, current,
                             "A record with this id already exists with other values.")
        problem = (rules.write_permission(role, caller.officer, record_type=m.record_type, op="create",
                                           current=None, fields=m.fields)
                   or self._type_rules(caller, "create", None, m))
        if problem:
            return _rejected(m.mutation_id, problem)
        now = self._clock()
        new_fields = dict(m.fields)
        if m.record_type == "assessment":
            assessments.fill(caller.officer.staff_code, now, None, new_fields, m.fields)
        stored = record_store.insert_record(tx.conn, record_type=m.record_type, record_id=m.record_id,
                                            fields=new_fields, actor=caller.officer.staff_code,
                                            at=iso(now), seq=tx.seq)
        if m.record_type == "assessment":
            assessments.after_write(tx, caller.officer.staff_code, now, None, stored)
        return {"mutation_id": m.mutation_id, "result": "applied", "version": stored.version}

    def _type_rules(self, caller: Caller, op: str, current: StoredRecord | None, m: Mutation) -> str | None:
        spec = RECORD_SPECS[m.record_type]
        problem = rules.record_rules(current, m.fields, spec.parent_field)
        if problem is None and m.record_type == "assessment":
            problem = rules.assessment_rules(caller.officer, op, current, m.fields)
        return problem

    def _change(self, tx: WriteTx, caller: Caller, m: Mutation, current: StoredRecord,
                role: Role) -> dict[str, Any]:
        """``role``: the caller's on the record's case, read in this transaction."""
        if m.record_type != current.record_type:
            return _rejected(m.mutation_id, rules.NO_SUCH_RECORD)
        spec = RECORD_SPECS[m.record_type]
        if m.op == "update":
            problem = rules.field_problems(m.record_type, m.fields, partial=True)
        else:
            problem = _delete_fields_problem(m.fields, spec.client_creatable)
        problem = (problem
                   or rules.write_permission(role, caller.officer, record_type=m.record_type, op=m.op,
                                           current=current, fields=m.fields)
                   or self._type_rules(caller, m.op, current, m))
        if problem:
            return _rejected(m.mutation_id, problem)
        assert m.base_version is not None
        if m.base_version > current.version or m.base_version < 1:
            return _rejected(m.mutation_id, "The base version is not one the central system issued.")
        if m.op == "delete":
            return self._delete(tx, caller, m, current)
        if current.deleted:
            return _conflict(m.mutation_id, current, "This record was deleted on the central system.")
        auto_merged = m.base_version < current.version
        if auto_merged:
            base = record_store.fields_at(tx.conn, current.record_id, m.base_version) or {}
            server_changed = changed_fields(base, current.fields)
            clashes = sorted(name for name, value in m.fields.items()
                             if name in server_changed and current.fields.get(name) != value)
            if clashes:
                return _conflict(m.mutation_id, current,
                                 "Changed on the central system since you started: "
                                 + ", ".join(clashes) + ".")
        now = self._clock()
        new_fields = {**current.fields, **m.fields}
        if m.record_type == "assessment":
            assessments.fill(caller.officer.staff_code, now, current, new_fields, m.fields)
        result: dict[str, Any] = {"mutation_id": m.mutation_id, "result": "applied"}
        if auto_merged:
            result["auto_merged"] = True
        if not changed_fields(current.fields, new_fields):
            result["version"] = current.version
            return result
        stored = record_store.write_version(tx.conn, current, fields=new_fields, deleted=False,
                                            actor=caller.officer.staff_code, at=iso(now), seq=tx.seq)
        if m.record_type == "assessment":
            assessments.after_write(tx, caller.officer.staff_code, now, current, stored)
        result["version"] = stored.version
        return result

    def _delete(self, tx: WriteTx, caller: Caller, m: Mutation, current: StoredRecord) -> dict[str, Any]:
        if current.deleted:
            return {"mutation_id": m.mutation_id, "result": "duplicate", "version": current.version}
        if m.base_version != current.version:
            return _conflict(m.mutation_id, current, "Changed on the central system since you started; "
                                                     "it was not deleted.")
        fields = dict(current.fields)
        spec = RECORD_SPECS[m.record_type]
        reason = m.fields.get("deleted_reason")
        if isinstance(reason, str) and spec.field("deleted_reason") is not None:
            fields["deleted_reason"] = reason
        stored = record_store.write_version(tx.conn, current, fields=fields, deleted=True,
                                            actor=caller.officer.staff_code, at=iso(self._clock()),
                                            seq=tx.seq)
        return {"mutation_id": m.mutation_id, "result": "applied", "version": stored.version}


def _delete_fields_problem(fields: Mapping[str, JSONValue], deletable: bool) -> str | None:
    if not deletable:
        return "Only the central system deletes this kind of record."
    if set(fields) - {"deleted_reason"}:
        return "A delete carries no fields other than 'deleted_reason'."
    reason = fields.get("deleted_reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        return "fields.deleted_reason: the reason for deletion must be text of at most 500 characters."
    return None
