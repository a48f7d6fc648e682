"""What the central system does itself when an assessment moves on (issue 7, decision 0013):
it names who signed and countersigned, drops a signature that no longer stands, closes
older unfinished assessments when a newer one is made, and sets the case's risk of serious
harm register from a locked assessment — in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping

from sqlalchemy import Connection, select

from caseclient.domain.assessment.scoring import risk_level
from caseclient.domain.assessment.workflow import UNFINISHED
from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import AssessmentStatus
from caseserver import records as record_store
from caseserver.clock import iso
from caseserver.db.engine import WriteTx
from caseserver.db.tables import records
from caseserver.records import StoredRecord

S = AssessmentStatus
ROSH_REGISTER = "RRSH"
DEFAULT_REVIEW_MONTHS = 6
REGISTER_NOTE = "Set from a countersigned assessment."


def fill(staff_code: str, now: dt.datetime, before: StoredRecord | None,
         fields: dict[str, JSONValue], sent: Mapping[str, JSONValue]) -> None:
    """Workflow fields the server writes into ``fields`` (the record as it will be), whatever
    the laptop ``sent``; the rules have already passed. The time of signing is the laptop's
    (it may have been signed offline hours ago), or now when it sent none."""
    old = before.fields.get("status") if before is not None else None
    new = fields.get("status")
    if new == old:
        return
    if new == S.SIGNED.value:
        fields["signed_by"] = staff_code
        if not isinstance(sent.get("signed_at"), str):
            fields["signed_at"] = iso(now)
    elif new == S.OPEN.value and old == S.RETURNED.value:
        fields["signed_by"] = fields["signed_at"] = None       # that signature no longer stands
    elif new == S.LOCKED.value:
        fields["countersigned_by"] = staff_code
        fields["countersigned_at"] = iso(now)


def after_write(tx: WriteTx, staff_code: str, now: dt.datetime, before: StoredRecord | None,
                after: StoredRecord) -> None:
    """Changes to other records that follow from an applied assessment change."""
    status = after.fields.get("status")
    if after.case_id is None or after.deleted:
        return
    if before is None and status in (S.OPEN.value, S.SIGNED.value):
        _supersede_older(tx, staff_code, now, after)
    old = before.fields.get("status") if before is not None else None
    if status == S.LOCKED.value and old != S.LOCKED.value:
        _set_register(tx, staff_code, now, after)


def _case_records(conn: Connection, case_id: str, record_type: str) -> list[StoredRecord]:
    rows = conn.execute(select(records).where(records.c.case_id == case_id,
                                              records.c.record_type == record_type,
                                              records.c.deleted.is_(False))
                        .order_by(records.c.record_id))
    return [record_store.from_row(row) for row in rows]


def _supersede_older(tx: WriteTx, staff_code: str, now: dt.datetime, newer: StoredRecord) -> None:
    """A newer assessment closes every unfinished older one on the case (server order)."""
    assert newer.case_id is not None
    unfinished = {status.value for status in UNFINISHED}
    for other in _case_records(tx.conn, newer.case_id, "assessment"):
        if other.record_id != newer.record_id and other.fields.get("status") in unfinished:
            record_store.write_version(tx.conn, other,
                                       fields={**other.fields, "status": S.SUPERSEDED.value},
                                       deleted=False, actor=staff_code, at=iso(now), seq=tx.seq)


def _review_months(conn: Connection) -> int:
    rows = conn.execute(select(records.c.fields).where(records.c.record_type == "reference",
                                                       records.c.deleted.is_(False)))
    for (text,) in rows:
        entry = json.loads(text)
        if entry.get("kind") == "register_type" and entry.get("code") == ROSH_REGISTER:
            months = (entry.get("attributes") or {}).get("review_months")
            if isinstance(months, int) and not isinstance(months, bool) and 0 < months <= 120:
                return months
    return DEFAULT_REVIEW_MONTHS


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _set_register(tx: WriteTx, staff_code: str, now: dt.datetime, locked: StoredRecord) -> None:
    """The locked assessment's overall level becomes the case's risk of serious harm level."""
    level = risk_level(locked.fields.get("overall_risk"))
    if level is None or locked.case_id is None:
        return
    current = [r for r in _case_records(tx.conn, locked.case_id, "register")
               if r.fields.get("register_type") == ROSH_REGISTER and r.fields.get("ended") is not True]
    at = iso(now)
    for register in current:
        if register.fields.get("level") != level.value:
            record_store.write_version(tx.conn, register, fields={**register.fields, "level": level.value},
                                       deleted=False, actor=staff_code, at=at, seq=tx.seq)
    if current:
        return
    months = _review_months(tx.conn)
    today = now.astimezone(dt.UTC).date()
    record_store.insert_record(tx.conn, record_type="register", record_id=str(uuid.uuid4()), fields={
        "case_id": locked.case_id, "register_type": ROSH_REGISTER, "level": level.value,
        "start_date": today.isoformat(), "added_by": staff_code, "review_months": months,
        "next_review_date": _add_months(today, months).isoformat(), "notes": REGISTER_NOTE,
        "ended": False}, actor=staff_code, at=at, seq=tx.seq)
