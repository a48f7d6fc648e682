"""Pull against decision 0010's definition of positions, worked out here from the tables.

The server reads a caseload as "granted" and "edited" lists through indexes (decision
0036), with a window over the type-rank index for a grant of many cases. Here a bulk
load (one grant of many cases to each officer), later small grants, edits, a deletion,
a reallocation (a tombstone) and reference entries are pulled with several page sizes —
and with a window too small to fill, so the fallback read runs as well — and every page
must be exactly the next items in position order, with its cursor at the last one.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from caseclient.sync.protocol import parse_pull
from caseserver.db.tables import access_revocations, case_access, meta, records
from caseserver.embedded import EmbeddedServer
from caseserver.records import TYPE_RANK, from_row
from caseserver.sync import cursor as cursors
from caseserver.sync import pull as pull_module
from caseserver.sync.cursor import END_RANK, START, Position
from caseserver.synthetic import Caseload, generate
from tests.server.api import Device

Expected = list[tuple[Position, dict[str, Any]]]


def expected_pull(server: EmbeddedServer, staff: str, after: Position) -> Expected:
    """Every item of ``staff``'s pull after ``after``, in position order, from 0010's definition."""
    with server.services.db.read() as conn:
        watermark = server.services.db.committed_seq(conn)
        rows = {row.record_id: row for row in conn.execute(select(records))}
        grants = {case_id: int(seq) for case_id, seq in conn.execute(
            select(case_access.c.case_id, case_access.c.granted_seq)
            .where(case_access.c.staff_code == staff))}
        losses = list(conn.execute(select(access_revocations.c.case_id, access_revocations.c.revoked_seq)
                                   .where(access_revocations.c.staff_code == staff)))
    items: Expected = []
    for row in rows.values():
        if row.case_id is None:
            seq = int(row.commit_seq)
        elif row.case_id in grants:
            seq = max(int(row.commit_seq), grants[row.case_id])
        else:
            continue
        items.append((Position(seq, int(row.type_rank), row.record_id), from_row(row).change()))
    for case_id, revoked_seq in losses:
        if case_id not in grants:
            case_row = rows[case_id]
            items.append((Position(int(revoked_seq), TYPE_RANK["case"], case_id), {
                "record_type": "case", "record_id": case_id, "version": int(case_row.version),
                "deleted": True, "fields": {}, "changed_by": case_row.changed_by,
                "changed_at": case_row.changed_at, "reason": "deallocated"}))
    items.sort(key=lambda item: item[0])
    return [item for item in items if after < item[0] and item[0].seq <= watermark]


def cursor_key(server: EmbeddedServer) -> tuple[str, str]:
    with server.services.db.read() as conn:
        values = {key: value for key, value in conn.execute(select(meta.c.key, meta.c.value))}
    return values["cursor_key"], values["epoch"]


def pull_checked(server: EmbeddedServer, device: Device, staff: str, after: Position, cursor: str | None,
                 limit: int) -> tuple[str, Position]:
    """Pull from ``cursor`` (which names ``after``) to the end in pages of ``limit``: every page must
    be the next items of the expected order, its cursor naming its last item, and its bytes what
    encoding its decoded body gives. Returns the final cursor and the position it names."""
    key, epoch = cursor_key(server)
    expected = expected_pull(server, staff, after)
    got: list[dict[str, Any]] = []
    while True:
        response = device.pull_raw(cursor, limit)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        parse_pull(body)
        assert response.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        got += body["changes"]
        cursor = body["next_cursor"]
        position = cursors.decode(key, cursor, epoch=epoch, staff_code=staff)
        assert position is not None
        if not body["has_more"]:
            break
        assert len(body["changes"]) == limit
        assert position == expected[len(got) - 1][0]          # the cursor names the last item delivered
    assert [(c["record_id"], c["version"]) for c in got] == [(c["record_id"], c["version"])
                                                             for _, c in expected]
    assert got == [change for _, change in expected]
    assert position.rank == END_RANK and position.record_id == ""
    return cursor, position


def new_id() -> str:
    return str(uuid.uuid4())


def bulk_caseload() -> Caseload:
    """Three case holders (eight cases each, so each is granted its cases in one bulk grant) and SPOs."""
    return generate(officers=4, cases_per_officer=pull_module.BULK_GRANT_CASES, contacts_per_case=2, seed=36,
                    today=dt.date(2026, 12, 5))


@pytest.mark.parametrize("window_factor", [pull_module.WINDOW_FACTOR, 1])
def test_pages_follow_the_positions_of_0010(server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch,
                                            window_factor: int) -> None:
    monkeypatch.setattr(pull_module, "WINDOW_FACTOR", window_factor)
    admin = server.services.admin
    made = bulk_caseload()
    admin.load_caseload(made)
    holders = [o for o in made.officers if o.grade != "SPO"]
    spo = next(o for o in made.officers if o.grade == "SPO")
    first, second = holders[0], holders[1]
    http = httpx.Client(base_url=server.api_url, timeout=30)
    try:
        devices = {}
        for officer in (first, second, spo):
            device = Device(http, new_id())
            assert device.login(officer.username, officer.password).status_code == 200
            devices[officer.staff_code] = device
        ends: dict[str, tuple[str, Position]] = {}
        for staff, device in devices.items():
            for limit in (3, 500):
                ends[staff] = pull_checked(server, device, staff, START, None, limit)

        # After the first pulls: edits, a deletion, small grants, a reallocation, a reference entry.
        owned = [r for r in made.records if r.fields.get("case_id") in
                 {c.record_id for c in made.records if c.record_type == "case"
                  and c.fields.get("officer_code") == first.staff_code}]
        contacts = [r for r in owned if r.record_type == "contact"]
        admin.put_record(record_type="contact", record_id=contacts[0].record_id,
                         fields={"notes": "Amended after the load."}, partial=True, actor="SPO")
        admin.delete_record(contacts[1].record_id)
        moved = next(r.record_id for r in made.records
                     if r.record_type == "case" and r.fields.get("officer_code") == second.staff_code)
        admin.reallocate(moved, first.staff_code)
        for crn in ("X000001", "X000002"):
            admin.put_record(record_type="case", record_id=new_id(), fields={
                "crn": crn, "first_name": "Alex", "last_name": "Example", "officer_code": first.staff_code})
        admin.put_record(record_type="reference", record_id=new_id(),
                         fields={"kind": "contact_type", "code": "NEW", "label": "A new kind of contact"})
        admin.put_record(record_type="contact", record_id=contacts[2].record_id,
                         fields={"notes": "Amended again."}, partial=True, actor="SPO")

        for staff, device in devices.items():
            cursor, position = ends[staff]
            for limit in (1, 2, 500):
                pull_checked(server, device, staff, position, cursor, limit)
            for limit in (4, 500):                             # a first pull of the changed caseload too
                pull_checked(server, device, staff, START, None, limit)
    finally:
        http.close()
