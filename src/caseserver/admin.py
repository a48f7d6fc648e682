"""Administration done on the server itself (CLI, seeding, the simulated office):
officers, loading a caseload, and edits made by other staff.

Every edit here is an ordinary versioned change with its own commit, so clients
see it in their next pull and a stale edit of theirs becomes a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select

from caseclient.domain.canonical import JSONValue, canonical_json
from caseclient.domain.schema import check_fields
from caseserver import access
from caseserver import records as record_store
from caseserver.auth.passwords import Passwords
from caseserver.clock import Clock, iso
from caseserver.db.engine import Database
from caseserver.db.tables import case_access, officers, record_versions, records
from caseserver.officers import GRADES, Officer
from caseserver.records import TYPE_RANK, StoredRecord, case_id_of
from caseserver.synthetic import Caseload, OfficeEdit

SYSTEM = "SYSTEM"


class AdminError(ValueError):
    """A plain-English reason an administrative request cannot be done."""


def _check(record_type: str, fields: Mapping[str, JSONValue], *, partial: bool) -> None:
    errors = check_fields(record_type, fields, partial=partial, from_client=False)
    if errors:
        raise AdminError("; ".join(f"{e.field}: {e.message}" for e in errors))


class AdminService:
    def __init__(self, db: Database, clock: Clock, passwords: Passwords) -> None:
        self._db = db
        self._clock = clock
        self._passwords = passwords

    # ---- officers ---------------------------------------------------------------------------
    def add_officer(self, *, staff_code: str, username: str, password: str, name: str, grade: str,
                    team: str) -> Officer:
        self.add_officers([(staff_code, username, password, name, grade, team)])
        return Officer(staff_code, username, name, grade, team)

    def add_officers(self, rows: Iterable[tuple[str, str, str, str, str, str]]) -> None:
        """Officers as (staff_code, username, password, name, grade, team); then case access."""
        now = iso(self._clock())
        values: list[dict[str, Any]] = []
        for staff_code, username, password, name, grade, team in rows:
            if grade not in GRADES:
                raise AdminError(f"Grade must be one of {', '.join(GRADES)}.")
            if not (staff_code.strip() and username.strip() and name.strip() and team.strip()):
                raise AdminError("Staff code, username, name and team are all needed.")
            if len(password) < 8:
                raise AdminError("A password needs at least 8 characters.")
            values.append({"staff_code": staff_code, "username": username, "name": name, "grade": grade,
                           "team": team, "password_hash": self._passwords.hash(password), "active": True,
                           "created_at": now})
        with self._db.write() as tx:
            taken = set(tx.conn.execute(select(officers.c.staff_code, officers.c.username)))
            for value in values:
                if any(value["staff_code"] == code or value["username"] == user for code, user in taken):
                    raise AdminError(f"An officer with staff code {value['staff_code']} or that username "
                                     "already exists.")
            if values:
                tx.conn.execute(insert(officers), values)
            access.refresh_all(tx.conn, tx.seq)

    # ---- caseload ---------------------------------------------------------------------------
    def load_caseload(self, caseload: Caseload) -> None:
        """Officers and records of a synthetic caseload, records in one commit."""
        self.add_officers((o.staff_code, o.username, o.password, o.name, o.grade, o.team)
                          for o in caseload.officers)
        now = iso(self._clock())
        rows: list[dict[str, Any]] = []
        for record in caseload.records:
            _check(record.record_type, record.fields, partial=False)
            rows.append({"record_id": record.record_id, "record_type": record.record_type,
                         "type_rank": TYPE_RANK[record.record_type],
                         "case_id": case_id_of(record.record_type, record.record_id, record.fields),
                         "version": 1, "deleted": False, "fields": canonical_json(record.fields),
                         "changed_by": SYSTEM, "changed_at": now})
        with self._db.write() as tx:
            for row in rows:
                row["commit_seq"] = tx.seq
            for start in range(0, len(rows), 1000):
                chunk = rows[start:start + 1000]
                tx.conn.execute(insert(records), chunk)
                tx.conn.execute(insert(record_versions), [
                    {key: row[key] for key in ("record_id", "version", "deleted", "fields", "changed_by",
                                               "changed_at", "commit_seq")} for row in chunk])
            grants: list[dict[str, Any]] = []
            for record in caseload.records:
                if record.record_type == "case":
                    grants += [{"case_id": record.record_id, "staff_code": staff, "granted_seq": tx.seq}
                               for staff in sorted(access.readers_for(tx.conn, record.fields))]
            if grants:
                tx.conn.execute(insert(case_access), grants)

    # ---- edits by other staff ------------------------------------------------------------------
    def put_record(self, *, record_type: str, record_id: str, fields: Mapping[str, JSONValue],
                   actor: str = SYSTEM, partial: bool = False) -> StoredRecord:
        """Create a record, or change one (``partial``: only the given fields), as ``actor``."""
        _check(record_type, fields, partial=partial)
        with self._db.write() as tx:
            current = record_store.get(tx.conn, record_id)
            at = iso(self._clock())
            if current is None:
                if partial:
                    raise AdminError("There is no such record to change.")
                stored = record_store.insert_record(tx.conn, record_type=record_type, record_id=record_id,
                                                    fields=fields, actor=actor, at=at, seq=tx.seq)
            else:
                if current.record_type != record_type:
                    raise AdminError("That record id belongs to another kind of record.")
                if current.deleted:
                    raise AdminError("That record has been deleted.")
                new_fields = {**current.fields, **fields} if partial else dict(fields)
                if new_fields == current.fields:
                    return current
                stored = record_store.write_version(tx.conn, current, fields=new_fields, deleted=False,
                                                    actor=actor, at=at, seq=tx.seq)
            if record_type == "case":
                access.refresh_case(tx.conn, record_id, stored.fields, tx.seq)
        return stored

    def delete_record(self, record_id: str, *, actor: str = SYSTEM) -> StoredRecord:
        with self._db.write() as tx:
            current = record_store.get(tx.conn, record_id)
            if current is None:
                raise AdminError("There is no such record to delete.")
            return record_store.write_version(tx.conn, current, fields=current.fields, deleted=True,
                                              actor=actor, at=iso(self._clock()), seq=tx.seq)

    def reallocate(self, case_id: str, officer_code: str, *, actor: str = SYSTEM) -> StoredRecord:
        with self._db.read() as conn:
            if conn.execute(select(officers.c.staff_code)
                            .where(officers.c.staff_code == officer_code)).first() is None:
                raise AdminError(f"There is no officer {officer_code}.")
        return self.put_record(record_type="case", record_id=case_id, fields={"officer_code": officer_code},
                               actor=actor, partial=True)

    def apply_edit(self, edit: OfficeEdit) -> StoredRecord:
        if edit.kind == "reallocate":
            code = edit.fields.get("officer_code")
            if not isinstance(code, str):
                raise AdminError("A reallocation names the new officer.")
            return self.reallocate(edit.case_id, code, actor=edit.actor)
        if edit.kind == "add":
            with self._db.read() as conn:
                if record_store.get(conn, edit.record_id) is not None:
                    raise AdminError("That record was added already.")
        return self.put_record(record_type=edit.record_type, record_id=edit.record_id, fields=edit.fields,
                               actor=edit.actor, partial=edit.kind in ("amend", "review"))

    def all_records(self) -> list[StoredRecord]:
        with self._db.read() as conn:
            return [record_store.from_row(row) for row in conn.execute(select(records))]
