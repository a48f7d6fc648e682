"""Records of every type, saved so that nothing typed is ever lost.

Every save is ONE transaction holding the row, its history entry, its outbox
mutation and its search entry (or, for an autosave, its place in the queue of
entries to bring up to date: search.py); either all of them are on disk or none is. A
save that changes nothing writes nothing. Owns the local meaning of the sync
columns (``version``, ``server_shadow``, ``dirty``, ``draft``, ``deleted``). Every
write of ``fields`` also writes the contact columns the caseload's indexes are on
(summaries.contact_columns, migration 0008); a save sets them, and ``dirty``, only
when they change, so an autosave of the notes touches no index of ``records``. Long
text written here is kept in pieces (long_text.py, migration 0009): a save writes the
row, small, and only the pieces that changed; every read joins them back.
Called from one thread per :class:`Database` (see database.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseclient.domain.merge import merge_fields
from caseclient.domain.records import RecordState
from caseclient.domain.schema import spec_for
from caseclient.errors import RecordLocked, RecordNotFound
from caseclient.storage import history, long_text, outbox, search
from caseclient.storage.database import Database, Sync
from caseclient.storage.summaries import contact_columns, touches_contact_columns

Clock = Callable[[], dt.datetime]
SERVER_ACTOR = "central system"


@dataclass(frozen=True)
class StoredRecord:
    record_type: str
    id: str
    case_id: str | None
    fields: Mapping[str, JSONValue]
    version: int | None
    server_shadow: Mapping[str, JSONValue] | None
    dirty: bool
    draft: bool
    deleted: bool
    updated_at: str
    needs_attention: bool

    @property
    def state(self) -> RecordState:
        if self.needs_attention:
            return RecordState.NEEDS_ATTENTION
        if self.draft:
            return RecordState.DRAFT
        if self.dirty or self.version is None:
            return RecordState.SAVED
        return RecordState.SENT


@dataclass(frozen=True)
class SaveResult:
    record: StoredRecord
    changed: tuple[str, ...]            # field names whose values changed; () when a no-op
    mutation_id: str | None             # the outbox mutation now carrying the change


_SELECT = (           # row[0] is the rid, row[2] the pieces flag
    f"SELECT {long_text.columns('r')}, r.record_type, r.id, r.case_id, r.version, "
    "r.server_shadow, r.dirty, r.draft, r.deleted, r.updated_at, EXISTS (SELECT 1 FROM outbox o "
    "WHERE o.record_type = r.record_type AND o.record_id = r.id AND o.state IN ('conflict', "
    "'rejected')) FROM records r")


def _stored(conn: Any, row: Any, pieces: Mapping[str, long_text.Stored] | None = None) -> StoredRecord:
    """The record of a ``_SELECT`` row, its long text joined from its pieces (``pieces``:
    those already read)."""
    return StoredRecord(
        record_type=row[3], id=row[4], case_id=row[5],
        fields=long_text.values_of(conn, row, 0, pieces), version=row[6],
        server_shadow=None if row[7] is None else json.loads(row[7]), dirty=bool(row[8]),
        draft=bool(row[9]), deleted=bool(row[10]), updated_at=row[11], needs_attention=bool(row[12]))


class RecordRepository:
    """Reads and writes records through one :class:`Database`."""

    def __init__(self, db: Database, *, clock: Clock, actor: Callable[[], str]) -> None:
        self._db = db
        self._clock = clock
        self._actor = actor

    # ---- reads ---------------------------------------------------------------------------
    def get(self, record_type: str, record_id: str) -> StoredRecord | None:
        rows = self._db.query(f"{_SELECT} WHERE r.record_type = ? AND r.id = ?",
                              (record_type, record_id))
        return _stored(self._db.raw, rows[0]) if rows else None

    def require(self, record_type: str, record_id: str) -> StoredRecord:
        found = self.get(record_type, record_id)
        if found is None:
            raise RecordNotFound()
        return found

    def all(self, record_type: str, *, case_id: str | None = None,
             include_deleted: bool = False) -> list[StoredRecord]:
        sql = f"{_SELECT} WHERE r.record_type = ?"
        params: list[Any] = [record_type]
        if case_id is not None:
            sql += " AND r.case_id = ?"
            params.append(case_id)
        if not include_deleted:
            sql += " AND r.deleted = 0"
        return [_stored(self._db.raw, row)
                for row in self._db.query(sql + " ORDER BY r.rid", tuple(params))]

    def history(self, record_type: str, record_id: str) -> list[history.HistoryEntry]:
        return history.entries(self._db.raw, record_type, record_id)

    def mutations(self, record_type: str, record_id: str) -> list[outbox.Mutation]:
        return outbox.for_record(self._db.raw, record_type, record_id)

    def search(self, text: str, limit: int = 200) -> list[search.SearchHit]:
        return search.find(self._db.raw, text, limit=limit)

    # ---- local writes --------------------------------------------------------------------
    def create_draft(self, record_type: str, record_id: str, case_id: str | None,
                     fields: Mapping[str, JSONValue]) -> StoredRecord:
        """A new record the officer has started: on disk at once, not yet queued."""
        spec = spec_for(record_type)
        if spec is None or not spec.client_creatable:
            raise RecordLocked(f"A {record_type} cannot be created on this laptop.")
        now = self._clock()
        values = {name: fields.get(name) for name in spec.field_names}
        text, moves, pieced = long_text.encode(record_type, values, values, {})
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO records (record_type, id, case_id, fields, dirty, draft, updated_at, "
                "contact_date, contact_type, contact_start, contact_has_outcome, pieces) "
                "VALUES (?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?, ?)",
                (record_type, record_id, case_id, text, now.isoformat(),
                 *contact_columns(record_type, values), int(pieced)))
            long_text.store(conn, cursor.lastrowid, moves, {})
            history.record_change(conn, record_type=record_type, record_id=record_id,
                                  actor=self._actor(), source="local", now=now, old={},
                                  new={k: v for k, v in values.items() if v is not None},
                                  mutation_id=None, new_in_row=True)
            search.index(conn, rid=cursor.lastrowid, record_type=record_type, case_id=case_id,
                         fields=values, deleted=False)
        return self.require(record_type, record_id)

    def save(self, record_type: str, record_id: str, changes: Mapping[str, JSONValue], *,
             vet: Callable[[Mapping[str, JSONValue]], Mapping[str, JSONValue]] | None = None,
             sync: Sync = Sync.NOW) -> SaveResult:
        """Merge ``changes`` into the record. Drafts stay local; others queue an update.

        ``vet``: called with the record's values as read in this transaction, returns the
        changes to save instead of ``changes`` (a service checking them against the record
        reads it once, and against what is written over). ``sync``: :attr:`Sync.SOON` for an
        autosave, whose commit must not wait for the disk (decision 0047)."""
        now = self._clock()
        with self._db.transaction(sync=sync) as conn:
            row = conn.execute(f"{_SELECT} WHERE r.record_type = ? AND r.id = ?",
                               (record_type, record_id)).fetchone()
            if row is None:
                raise RecordNotFound()
            stored = long_text.load(conn, row[0]) if row[2] else {}
            current = _stored(conn, row, stored)
            if current.deleted:
                raise RecordLocked("This record has been deleted.")
            if vet is not None:
                changes = vet(current.fields)
            changed = tuple(sorted(k for k, v in changes.items() if current.fields.get(k) != v))
            if not changed:
                return SaveResult(current, (), None)
            values = {**current.fields, **{k: changes[k] for k in changed}}
            mutation_id: str | None = None
            if not current.draft:
                mutation = outbox.enqueue(conn, record_type=record_type, record_id=record_id,
                                          op="update", base_version=current.version,
                                          fields={k: values[k] for k in changed}, now=now)
                mutation_id = mutation.mutation_id
            # Only what changed is SET: SQLite leaves alone an index none of whose columns
            # (or partial-index terms) a statement sets, so typing into the notes writes the
            # row alone, not records_dirty and the contact indexes (docs/performance.md).
            text, moves, pieced = long_text.encode(record_type, values, changed, stored)
            long_text.store(conn, row[0], moves, stored)
            sets = ["fields = ?", "updated_at = ?"]
            params: list[Any] = [text, now.isoformat()]
            if pieced != bool(row[2]):
                sets.append("pieces = ?")
                params.append(int(pieced))
            if current.dirty == current.draft:      # dirty becomes ``not draft``
                sets.append("dirty = ?")
                params.append(0 if current.draft else 1)
            if touches_contact_columns(changed):
                sets.append("contact_date = ?, contact_type = ?, contact_start = ?, "
                            "contact_has_outcome = ?")
                params.extend(contact_columns(record_type, values))
            conn.execute(f"UPDATE records SET {', '.join(sets)} WHERE rid = ?", (*params, row[0]))
            history.record_change(conn, record_type=record_type, record_id=record_id,
                                  actor=self._actor(), source="local", now=now,
                                  old={k: current.fields.get(k) for k in changed},
                                  new={k: values[k] for k in changed}, mutation_id=mutation_id,
                                  new_in_row=True)
            search.index_later(conn, rid=row[0], record_type=record_type)
        # What was just written, without reading (and decoding) the row back.
        saved = replace(current, fields=values, dirty=not current.draft,
                        updated_at=now.isoformat())
        return SaveResult(saved, changed, mutation_id)

    def finish(self, record_type: str, record_id: str) -> SaveResult:
        """A draft becomes a record: queued as a ``create`` with all its fields."""
        now = self._clock()
        with self._db.transaction() as conn:
            row = conn.execute(f"{_SELECT} WHERE r.record_type = ? AND r.id = ?",
                               (record_type, record_id)).fetchone()
            if row is None:
                raise RecordNotFound()
            current = _stored(conn, row)
            if current.deleted:
                raise RecordLocked("This record has been deleted, so it cannot be finished.")
            if not current.draft:
                return SaveResult(current, (), None)
            mutation = outbox.enqueue(conn, record_type=record_type, record_id=record_id,
                                      op="create", base_version=None, fields=current.fields,
                                      now=now, absorb=False)
            conn.execute("UPDATE records SET draft = 0, dirty = 1, updated_at = ? WHERE rid = ?",
                         (now.isoformat(), row[0]))
            conn.execute("UPDATE history SET mutation_id = ? WHERE record_type = ? AND "
                         "record_id = ? AND mutation_id IS NULL AND open = 1",
                         (mutation.mutation_id, record_type, record_id))
        return SaveResult(self.require(record_type, record_id), (), mutation.mutation_id)

    def delete(self, record_type: str, record_id: str, reason: str | None) -> SaveResult:
        """Soft delete: a draft goes quietly; a record the server may know needs a reason."""
        now = self._clock()
        with self._db.transaction() as conn:
            row = conn.execute(f"{_SELECT} WHERE r.record_type = ? AND r.id = ?",
                               (record_type, record_id)).fetchone()
            if row is None:
                raise RecordNotFound()
            current = _stored(conn, row)
            if current.deleted:
                return SaveResult(current, (), None)
            queued = bool(outbox.latest_for(conn, record_type, record_id))
            mutation_id: str | None = None
            if queued or current.version is not None:
                if current.version is not None and not (reason or "").strip():
                    raise RecordLocked("A record already sent can be deleted only with a reason.")
                fields = {"deleted_reason": reason} if reason else {}
                mutation_id = outbox.enqueue(conn, record_type=record_type, record_id=record_id,
                                             op="delete", base_version=current.version,
                                             fields=fields, now=now).mutation_id
            conn.execute("UPDATE records SET deleted = 1, dirty = ?, updated_at = ? WHERE rid = ?",
                         (1 if mutation_id else 0, now.isoformat(), row[0]))
            history.record_change(conn, record_type=record_type, record_id=record_id,
                                  actor=self._actor(), source="local", now=now,
                                  old={"deleted": False}, new={"deleted": True, "reason": reason},
                                  mutation_id=mutation_id)
            search.index(conn, rid=row[0], record_type=record_type, case_id=current.case_id,
                         fields=current.fields, deleted=True)
        return SaveResult(self.require(record_type, record_id), ("deleted",), mutation_id)

    # ---- what the central system sends -------------------------------------------------------
    def apply_server_record(self, conn: Any, *, record_type: str, record_id: str, version: int,
                            fields: Mapping[str, JSONValue], deleted: bool,
                            changed_by: str | None) -> None:
        """Take the server's copy inside the caller's transaction (a pulled page).

        A record with local work waiting keeps the officer's values on top: only
        its shadow moves, and fields the officer did not touch follow the server.
        """
        now = self._clock()
        spec = spec_for(record_type)
        parent = spec.parent_field if spec is not None else None
        case_id = record_id if record_type == "case" else (
            str(fields.get(parent)) if parent and fields.get(parent) else None)
        row = conn.execute(f"{_SELECT} WHERE r.record_type = ? AND r.id = ?",
                           (record_type, record_id)).fetchone()
        server_values = dict(fields)
        if row is None:
            cursor = conn.execute(
                "INSERT INTO records (record_type, id, case_id, fields, version, server_shadow, "
                "dirty, draft, deleted, updated_at, contact_date, contact_type, contact_start, "
                "contact_has_outcome) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?)",
                (record_type, record_id, case_id, json.dumps(server_values), version,
                 json.dumps(server_values), int(deleted), now.isoformat(),
                 *contact_columns(record_type, server_values)))
            search.index(conn, rid=cursor.lastrowid, record_type=record_type, case_id=case_id,
                         fields=server_values, deleted=deleted)
            return
        current = _stored(conn, row)
        if current.dirty or current.draft:
            base = current.server_shadow or {}
            values = dict(merge_fields(base, current.fields, server_values).merged)
        else:
            values = server_values
        old = {k: current.fields.get(k) for k in values if current.fields.get(k) != values[k]}
        # Local work waiting wins over the server's deleted flag both ways: a pull never
        # un-deletes what the officer deleted here, nor deletes what they are editing.
        kept_deleted = current.deleted if current.dirty else deleted
        if row[2]:                   # the values are written whole below
            long_text.drop(conn, row[0])
        conn.execute("UPDATE records SET fields = ?, version = ?, server_shadow = ?, deleted = ?, "
                     "case_id = ?, updated_at = ?, contact_date = ?, contact_type = ?, "
                     "contact_start = ?, contact_has_outcome = ?, pieces = 0 WHERE rid = ?",
                     (json.dumps(values), version, json.dumps(server_values),
                      int(kept_deleted), case_id, now.isoformat(),
                      *contact_columns(record_type, values), row[0]))
        if old:
            history.record_change(conn, record_type=record_type, record_id=record_id,
                                  actor=changed_by or SERVER_ACTOR, source="server", now=now,
                                  old=old, new={k: values[k] for k in old}, mutation_id=None)
        search.index(conn, rid=row[0], record_type=record_type, case_id=case_id, fields=values,
                     deleted=kept_deleted)

    def apply_server_records(self, changes: list[dict[str, Any]]) -> None:
        """Apply several server copies in one transaction (tests, seeding, a pulled page)."""
        with self._db.transaction() as conn:
            for change in changes:
                self.apply_server_record(
                    conn, record_type=change["record_type"], record_id=change["record_id"],
                    version=change["version"], fields=change.get("fields") or {},
                    deleted=bool(change.get("deleted")), changed_by=change.get("changed_by"))


def read_row(conn: Any, record_type: str, record_id: str) -> tuple[int, StoredRecord] | None:
    """The local row number and record, inside the caller's transaction (sync engine)."""
    row = conn.execute(f"{_SELECT} WHERE r.record_type = ? AND r.id = ?",
                       (record_type, record_id)).fetchone()
    return None if row is None else (int(row[0]), _stored(conn, row))
