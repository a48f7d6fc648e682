"""Who may read and write a case.

A case is read by its managing officer (``officer_code``) and by the SPOs of that
officer's team; only the managing officer writes it, except that a team SPO may
countersign or return its assessments (see sync/rules.py). Readers are kept in
``case_access`` with the commit that gave them the case, and a lost case leaves a
row in ``access_revocations`` so the next pull carries a "deallocated" tombstone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Connection, delete, insert, select, update

from caseclient.domain.canonical import JSONValue
from caseserver.db.tables import access_revocations, case_access, officers, records


def readers_for(conn: Connection, case_fields: Mapping[str, JSONValue]) -> set[str]:
    manager = case_fields.get("officer_code")
    if not isinstance(manager, str):
        return set()
    team = conn.execute(select(officers.c.team).where(officers.c.staff_code == manager)).scalar()
    if team is None:
        team = case_fields.get("team")
    readers = {manager}
    if isinstance(team, str):
        readers |= set(conn.execute(select(officers.c.staff_code).where(
            officers.c.team == team, officers.c.grade == "SPO")).scalars())
    return readers


def current_readers(conn: Connection, case_id: str) -> set[str]:
    return set(conn.execute(select(case_access.c.staff_code)
                            .where(case_access.c.case_id == case_id)).scalars())


def set_readers(conn: Connection, case_id: str, wanted: set[str], seq: int) -> None:
    """Grant and revoke so that exactly ``wanted`` read the case from commit ``seq``."""
    have = current_readers(conn, case_id)
    for staff_code in sorted(wanted - have):
        conn.execute(insert(case_access).values(case_id=case_id, staff_code=staff_code, granted_seq=seq))
    for staff_code in sorted(have - wanted):
        conn.execute(delete(case_access).where(case_access.c.case_id == case_id,
                                               case_access.c.staff_code == staff_code))
        found = conn.execute(update(access_revocations).where(
            access_revocations.c.case_id == case_id, access_revocations.c.staff_code == staff_code)
            .values(revoked_seq=seq)).rowcount
        if not found:
            conn.execute(insert(access_revocations).values(case_id=case_id, staff_code=staff_code,
                                                           revoked_seq=seq))


def refresh_case(conn: Connection, case_id: str, case_fields: Mapping[str, JSONValue], seq: int) -> None:
    set_readers(conn, case_id, readers_for(conn, case_fields), seq)


def refresh_all(conn: Connection, seq: int) -> None:
    """Recompute every case's readers (after officers join or change team)."""
    rows = conn.execute(select(records.c.record_id, records.c.fields)
                        .where(records.c.record_type == "case")).all()
    for record_id, fields in rows:
        refresh_case(conn, record_id, json.loads(fields), seq)

