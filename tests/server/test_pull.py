"""Pull: paging, coalescing, own changes, whole cases on allocation, deallocation
tombstones, team reads for an SPO, and 410 for every cursor that cannot be trusted.
Every answer also goes through the client's own parser (caseclient.sync.protocol)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from caseclient.sync.protocol import parse_pull
from caseserver import records as record_store
from caseserver.db.migrate import rotate_epoch
from tests.server.api import Device, World, contact_fields


def new_id() -> str:
    return str(uuid.uuid4())


def pull_pages(device: Device, cursor: str | None, limit: int) -> list[dict[str, Any]]:
    pages = []
    while True:
        response = device.pull_raw(cursor, limit)
        assert response.status_code == 200, response.text
        body = response.json()
        parse_pull(body)
        pages.append(body)
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return pages


def test_pages_are_bounded_ordered_and_complete(world: World) -> None:
    device = world.device("po1")
    _, cursor = device.pull_all()
    made = [new_id() for _ in range(7)]
    for record_id in made:
        result = device.send("contact", record_id, "create", contact_fields(world.case_a))
        assert result["result"] == "applied"
    pages = pull_pages(device, cursor, 3)
    assert [len(p["changes"]) for p in pages] == [3, 3, 1]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert [c["record_id"] for p in pages for c in p["changes"]] == made  # commit order, own changes too
    again = device.pull_raw(pages[-1]["next_cursor"]).json()
    assert again["changes"] == [] and again["has_more"] is False and again["next_cursor"]


def test_several_versions_coalesce_into_the_latest(world: World) -> None:
    device = world.device("po1")
    record_id = new_id()
    device.send("contact", record_id, "create", contact_fields(world.case_a))
    _, cursor = device.pull_all()
    for version, notes in enumerate(("two", "three", "four"), start=1):
        device.send("contact", record_id, "update", {"notes": notes}, base_version=version)
    changes, _ = device.pull_all(cursor)
    assert [(c["record_id"], c["version"], c["fields"]["notes"]) for c in changes] == [(record_id, 4, "four")]
    assert changes[0]["changed_by"] == "PO1"


def test_first_pull_is_the_caseload_and_references(world: World) -> None:
    device = world.device("po1")
    changes, _ = device.pull_all()
    types = sorted(c["record_type"] for c in changes)
    assert types == ["case", "reference"]
    spo = world.device("spo1")
    team = {c["record_id"] for c in spo.pull_all()[0] if c["record_type"] == "case"}
    assert team == {world.case_a, world.case_b}  # North's cases, not South's


def test_reallocation_moves_the_whole_case(world: World) -> None:
    po1, po2 = world.device("po1"), world.device("po2")
    old_contact = new_id()
    assert po2.send("contact", old_contact, "create", contact_fields(world.case_b))["result"] == "applied"
    _, cursor1 = po1.pull_all()
    _, cursor2 = po2.pull_all()

    world.server.services.admin.reallocate(world.case_b, "PO1", actor="SPO1")

    gained, _ = po1.pull_all(cursor1)
    assert {(c["record_type"], c["record_id"]) for c in gained} == {("case", world.case_b),
                                                                     ("contact", old_contact)}
    assert gained[0]["record_type"] == "case"
    lost, cursor2 = po2.pull_all(cursor2)
    assert len(lost) == 1
    tombstone = parse_pull({"changes": lost, "next_cursor": "x", "has_more": False, "epoch": "e"}).changes[0]
    assert tombstone.is_deallocation and tombstone.record_id == world.case_b
    assert lost[0]["changed_by"] == "SPO1"
    assert po2.send("contact", old_contact, "update", {"notes": "late"}, base_version=1)["reason"] \
        == "No such record on your caseload."
    po1.send("contact", old_contact, "update", {"notes": "new officer"}, base_version=1)
    assert po2.pull_all(cursor2)[0] == []  # nothing of the case any more


def test_cursors_that_cannot_be_trusted_are_410(world: World) -> None:
    po1, po2 = world.device("po1"), world.device("po2")
    _, cursor = po1.pull_all()
    payload, signature = cursor.split(".")
    forged = base64.urlsafe_b64encode(base64.urlsafe_b64decode(payload + "==").replace(b'"PO1"', b'"PO2"'))
    for bad in ("garbage", "", f"{payload}.{'0' * 64}", forged.decode().rstrip("=") + "." + signature):
        response = po1.pull_raw(bad)
        assert response.status_code == 410, bad
        assert response.json()["error"] == "resync_required"
    assert po2.pull_raw(cursor).status_code == 410  # someone else's cursor

    epoch = po1.pull_raw(cursor).json()["epoch"]
    rotated = rotate_epoch(world.server.services.db)
    response = po1.pull_raw(cursor)
    assert response.status_code == 410
    assert response.json()["epoch"] == rotated != epoch
    assert po1.handshake().json()["epoch"] == rotated


def test_limit_is_checked(world: World) -> None:
    device = world.device("po1")
    for limit in (0, 2001, -1):
        assert device.pull_raw(limit=limit).status_code == 422
    assert device.pull_raw(limit=2000).status_code == 200
    response = world.http.get("/sync/pull", params={"limit": "many"}, headers=device.headers)
    assert response.status_code == 422


def test_a_transaction_that_commits_late_is_not_skipped(world: World) -> None:
    """A write holds its commit number while a pull runs: the pull neither shows it nor
    moves its cursor past it, and the next pull from that cursor delivers it."""
    device = world.device("po1")
    _, cursor = device.pull_all()
    late = new_id()
    with world.server.services.db.write() as tx:
        record_store.insert_record(tx.conn, record_type="contact", record_id=late,
                                   fields=contact_fields(world.case_a), actor="PO2",
                                   at="2026-11-24T10:30:00.000000+00:00", seq=tx.seq)
        during, cursor = device.pull_all(cursor)
        assert during == []
    after, _ = device.pull_all(cursor)
    assert [c["record_id"] for c in after] == [late]
