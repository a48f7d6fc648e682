"""Records as the server keeps them: the current state of each, and every earlier
version (for auto-merging stale updates and for history)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from caseclient.domain.canonical import JSONValue, canonical_json
from caseserver.db.engine import DriverStatement
from caseserver.db.tables import record_versions, records

TYPE_RANK: Mapping[str, int] = {
    "reference": 0, "case": 1, "event": 2, "register": 3, "assessment": 4, "contact": 5,
}


# Built once and run on the driver's cursor (decision 0037): a push runs these for every
# mutation, and SQLAlchemy's building and executing of one cost more than running it.
_COLUMNS = (records.c.record_id, records.c.record_type, records.c.case_id, records.c.version,
            records.c.deleted, records.c.fields, records.c.changed_by, records.c.changed_at)
_GET = DriverStatement(select(*_COLUMNS).where(records.c.record_id == bindparam("record_id")))
_GET_MANY = select(*_COLUMNS).where(records.c.record_id.in_(bindparam("record_ids", expanding=True)))
_FIELDS_AT = select(record_versions.c.fields).where(
    record_versions.c.record_id == bindparam("record_id"), record_versions.c.version == bindparam("version"))
_INSERT = DriverStatement(insert(records), [c.name for c in records.c])
_INSERT_VERSION = DriverStatement(insert(record_versions), [c.name for c in record_versions.c])
_WRITE = DriverStatement(update(records).where(records.c.record_id == bindparam("current_id")),
                         ["version", "deleted", "fields", "changed_by", "changed_at", "commit_seq"])
_CHUNK = 500


@dataclass(frozen=True)
class StoredRecord:
    record_id: str
    record_type: str
    case_id: str | None
    version: int
    deleted: bool
    fields: dict[str, JSONValue]
    changed_by: str
    changed_at: str

    def change(self, reason: str | None = None) -> dict[str, Any]:
        """The wire "change" object of sync-protocol.md."""
        body: dict[str, Any] = {
            "record_type": self.record_type, "record_id": self.record_id,
            "version": self.version, "deleted": self.deleted, "fields": self.fields,
            "changed_by": self.changed_by, "changed_at": self.changed_at,
        }
        if reason is not None:
            body["reason"] = reason
        return body


def case_id_of(record_type: str, record_id: str, fields: Mapping[str, JSONValue]) -> str | None:
    if record_type == "case":
        return record_id
    if record_type == "reference":
        return None
    value = fields.get("case_id")
    return value if isinstance(value, str) else None


def from_row(row: Row[Any]) -> StoredRecord:
    m = row._mapping
    return StoredRecord(m["record_id"], m["record_type"], m["case_id"], int(m["version"]),
                        bool(m["deleted"]), json.loads(m["fields"]), m["changed_by"], m["changed_at"])


def _from_columns(row: Any) -> StoredRecord:
    """A row of ``_COLUMNS``."""
    return StoredRecord(row[0], row[1], row[2], int(row[3]), bool(row[4]), json.loads(row[5]), row[6], row[7])


def get(conn: Connection, record_id: str) -> StoredRecord | None:
    row = _GET.first(conn, {"record_id": record_id})
    return None if row is None else _from_columns(row)


def get_many(conn: Connection, record_ids: list[str]) -> dict[str, StoredRecord]:
    """The records among ``record_ids`` that exist, by id (a push batch's, read together)."""
    found: dict[str, StoredRecord] = {}
    unique = list(dict.fromkeys(record_ids))
    for start in range(0, len(unique), _CHUNK):
        for row in conn.execute(_GET_MANY, {"record_ids": unique[start:start + _CHUNK]}):
            found[row[0]] = _from_columns(row)
    return found


def fields_at(conn: Connection, record_id: str, version: int) -> dict[str, JSONValue] | None:
    value = conn.execute(_FIELDS_AT, {"record_id": record_id, "version": version}).scalar()
    return None if value is None else dict(json.loads(value))


def insert_record(conn: Connection, *, record_type: str, record_id: str,
                  fields: Mapping[str, JSONValue], actor: str, at: str, seq: int) -> StoredRecord:
    stored = StoredRecord(record_id, record_type, case_id_of(record_type, record_id, fields), 1, False,
                          dict(fields), actor, at)
    text = canonical_json(stored.fields)
    _INSERT.execute(conn, {
        "record_id": record_id, "record_type": record_type, "type_rank": TYPE_RANK[record_type],
        "case_id": stored.case_id, "version": 1, "deleted": False, "fields": text, "changed_by": actor,
        "changed_at": at, "commit_seq": seq})
    _history(conn, stored, text, seq)
    return stored


def write_version(conn: Connection, current: StoredRecord, *, fields: Mapping[str, JSONValue],
                  deleted: bool, actor: str, at: str, seq: int) -> StoredRecord:
    """The next version of ``current`` (its version + 1)."""
    stored = StoredRecord(current.record_id, current.record_type, current.case_id,
                          current.version + 1, deleted, dict(fields), actor, at)
    text = canonical_json(stored.fields)
    _WRITE.execute(conn, {"current_id": current.record_id, "version": stored.version, "deleted": deleted,
                          "fields": text, "changed_by": actor, "changed_at": at, "commit_seq": seq})
    _history(conn, stored, text, seq)
    return stored


def _history(conn: Connection, stored: StoredRecord, text: str, seq: int) -> None:
    """The version's row in ``record_versions``; ``text`` is its fields' canonical JSON."""
    _INSERT_VERSION.execute(conn, {
        "record_id": stored.record_id, "version": stored.version, "deleted": stored.deleted,
        "fields": text, "changed_by": stored.changed_by, "changed_at": stored.changed_at,
        "commit_seq": seq})
