"""Each searched record's case by rid (migration 0010's ``record_case``, ``search.CaseOwners``):
filled from every earlier schema version, kept in step by the triggers whoever writes
``records``, and a remembered map read again when a rid could now name another case."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from caseclient.storage import search
from caseclient.storage.database import Database
from caseclient.storage.migrate import head_version, migrate
from caseclient.storage.store import Store
from tests.helpers.records import case_change

OWNERS_FROM = 10          # 0010_record_case
CONTENTLESS_FROM = 4      # 0004_search_contentless: entries are (rowid, body)

OLDER = [  # (rid, type, id, case id, fields, deleted)
    (1, "case", "c1", "c1", {"crn": "X000001", "first_name": "Ann", "last_name": "Plover"}, 0),
    (2, "case", "c2", "c2", {"crn": "X000002", "first_name": "Bo", "last_name": "Curlew"}, 0),
    (3, "contact", "n1", "c1", {"case_id": "c1", "notes": "met at the estuary"}, 0),
    (4, "contact", "n2", "c2", {"case_id": "c2", "notes": "estuary walk, then the office"}, 0),
    (5, "contact", "n3", "c2", {"case_id": "c2", "notes": "estuary again"}, 1),
    (6, "reference", "r1", None, {"code": "COAP", "description": "estuary office"}, 0),
    (7, "contact", "n4", "c1", {"case_id": "c1", "notes": "office only"}, 0),
]


@pytest.mark.parametrize("start", range(1, OWNERS_FROM))
def test_the_migration_gives_every_searched_record_its_case(tmp_path: Path, key_pragma: str,
                                                              start: int) -> None:
    db = Database.open(tmp_path / "c.db", key_pragma)
    migrate(db, tmp_path / "backups", target=start)
    with db.transaction() as conn:
        for rid, record_type, record_id, case_id, fields, deleted in OLDER:
            conn.execute("INSERT INTO records (rid, record_type, id, case_id, fields, version, "
                         "deleted, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, '2026-11-24T10:00:00+00:00')",
                         (rid, record_type, record_id, case_id, json.dumps(fields), deleted))
            body = search.body_of(record_type, fields)
            if start >= CONTENTLESS_FROM and body is not None and not deleted:
                conn.execute("INSERT INTO search (rowid, body) VALUES (?, ?)", (rid, body))
    assert migrate(db, tmp_path / "backups") == head_version()
    assert _owners_in(db) == {1: "c1", 2: "c2", 3: "c1", 4: "c2", 5: "c2", 7: "c1"}
    assert dict(search.find_cases(db.raw, "estuary")) == {"c1": "met at the [estuary]",
                                                          "c2": "[estuary] walk, then the office"}
    assert dict(search.find_cases(db.raw, "office")) == {"c1": "[office] only",
                                                         "c2": "…walk, then the [office]"}
    db.close()


def _owners_in(db: Database) -> dict[int, str]:
    """record_case (and record_case_new over it) decoded: rid → case id, where there is one."""
    names = dict(db.query("SELECT case_no, case_id FROM case_number"))
    out = {}
    for chunk, blob in db.query("SELECT chunk, cases FROM record_case"):
        for slot in range(len(blob) // 4):
            number = int.from_bytes(blob[4 * slot:4 * slot + 4], "little")
            if number:
                out[chunk * search.CHUNK + slot] = names[number]
    for rid, number in db.query("SELECT rid, case_no FROM record_case_new"):   # not folded in yet
        if number:
            out[rid] = names[number]
        else:
            out.pop(rid, None)
    return out


def _contact(store: Store, case_id: str, notes: str) -> str:
    record_id = str(uuid.uuid4())
    store.records.apply_server_records([{"record_type": "contact", "record_id": record_id,
                                         "version": 1, "fields": {"case_id": case_id, "notes": notes}}])
    return record_id


def _remembered(store: Store) -> search.CaseOwners:
    owners = search.CaseOwners()
    owners.refresh(store.db.raw)
    return owners


def _generation(store: Store) -> int:
    return int(store.db.scalar("SELECT generation FROM record_case_state"))


def test_a_record_moved_to_another_case_is_found_under_it(store: Store) -> None:
    first, second = (case_change(crn=f"M00000{n}", last=f"Moved{n}") for n in (1, 2))
    store.records.apply_server_records([first, second])
    moving = _contact(store, first["record_id"], "the dunlin flock")
    owners = _remembered(store)
    generation = _generation(store)
    store.records.apply_server_records([{"record_type": "contact", "record_id": moving, "version": 2,
                                         "fields": {"case_id": second["record_id"],
                                                    "notes": "the dunlin flock"}}])
    assert store.records.require("contact", moving).case_id == second["record_id"]
    assert _generation(store) > generation, "a record changing case moves the generation"
    assert dict(search.find_cases(store.db.raw, "dunlin", owners)) == {
        second["record_id"]: "the [dunlin] flock"}


def test_a_rid_given_again_after_its_row_left_names_its_new_case(store: Store) -> None:
    first, second = (case_change(crn=f"R00000{n}", last=f"Reused{n}") for n in (1, 2))
    store.records.apply_server_records([first, second])
    _contact(store, first["record_id"], "a knot on the shore")
    leaving = _contact(store, first["record_id"], "a knot again")
    rid = store.db.scalar("SELECT rid FROM records WHERE id = ?", (leaving,))
    owners = _remembered(store)
    with store.db.transaction() as conn:               # as a case leaving the caseload does
        conn.execute("DELETE FROM search WHERE rowid = ?", (rid,))
        conn.execute("DELETE FROM records WHERE rid = ?", (rid,))
    arriving = _contact(store, second["record_id"], "a knot far out")
    assert store.db.scalar("SELECT rid FROM records WHERE id = ?", (arriving,)) == rid, \
        "the new record was given the rid that left"
    assert dict(search.find_cases(store.db.raw, "knot", owners)) == {
        first["record_id"]: "a [knot] on the shore", second["record_id"]: "a [knot] far out"}


def test_records_added_after_the_map_was_read_are_found_under_their_cases(store: Store) -> None:
    cases = [case_change(crn=f"A{n:06d}", last=f"Added{n}") for n in range(3)]
    store.records.apply_server_records(cases)
    owners = _remembered(store)
    count = search.CHUNK + 10                # past the end of a record_case row
    store.records.apply_server_records([
        {"record_type": "contact", "record_id": str(uuid.uuid4()), "version": 1,
         "fields": {"case_id": cases[n % 3]["record_id"], "notes": f"sanderling {n}"}}
        for n in range(count)])
    expected = {c["record_id"]: f"[sanderling] {count - 3 + n}" for n, c in enumerate(cases)}
    for owners_now in (owners, None):
        assert dict(search.find_cases(store.db.raw, "sanderling", owners_now)) == expected
    assert _owners_in(store.db) == {
        rid: case_id for rid, case_id in store.db.query(
            "SELECT rid, case_id FROM records WHERE record_type IN ('case', 'contact')")}
    _contact(store, cases[0]["record_id"], "sanderling late")
    expected[cases[0]["record_id"]] = "[sanderling] late"
    assert dict(search.find_cases(store.db.raw, "sanderling", owners)) == expected


def test_a_row_leaving_records_leaves_no_case_behind(store: Store) -> None:
    case = case_change(crn="L000001", last="Leaving")
    store.records.apply_server_records([case])
    leaving = _contact(store, case["record_id"], "a ruff")
    rid = store.db.scalar("SELECT rid FROM records WHERE id = ?", (leaving,))
    generation = _generation(store)
    with store.db.transaction() as conn:
        conn.execute("DELETE FROM search WHERE rowid = ?", (rid,))
        conn.execute("DELETE FROM records WHERE rid = ?", (rid,))
    assert rid not in _owners_in(store.db) and _generation(store) > generation
    assert len(_owners_in(store.db)) == 1
