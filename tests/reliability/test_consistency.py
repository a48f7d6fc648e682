"""The consistency rules themselves: quiet on a good store, loud on each kind of damage.

The crash test and the state machine lean on consistency.problems(); a checker that
never complains would make both prove nothing, so each rule is broken on purpose
here, straight in the tables, and must be reported.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from caseclient.storage import outbox, reconcile, search
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change
from tests.reliability.consistency import problems


@pytest.fixture
def busy_store(store: Store, clock: FakeClock) -> Store:
    """A draft, a finished contact with absorbed and frozen edits, and a deleted one."""
    case = case_change()
    case_id = str(case["record_id"])
    store.records.apply_server_records([case])
    fields = {"case_id": case_id, "contact_type": "COAP", "notes": "first"}
    store.records.create_draft("contact", "draft-1", case_id, fields)
    store.records.create_draft("contact", "sent-1", case_id, fields)
    store.records.finish("contact", "sent-1")
    store.records.save("contact", "sent-1", {"notes": "absorbed"})
    [create] = store.records.mutations("contact", "sent-1")
    with store.db.transaction() as conn:
        outbox.mark_sending(conn, [create.mutation_id], clock())
        outbox.revert_sending(conn)
    store.records.save("contact", "sent-1", {"notes": "after sending", "location": "Office"})
    store.records.create_draft("contact", "gone-1", case_id, fields)
    store.records.finish("contact", "gone-1")
    store.records.delete("contact", "gone-1", "Entered in error")
    return store


def test_a_store_written_through_the_save_path_is_consistent(busy_store: Store) -> None:
    assert problems(busy_store, no_server=True) == []


def _never_offered(store: Store, op: str, record_id: str) -> None:
    columns = {row[1] for row in store.db.query("PRAGMA table_info(outbox)")}
    wire = ", wire_seq = NULL" if "wire_seq" in columns else ""
    store.db.execute(f"UPDATE outbox SET attempts = 0{wire} WHERE op = ? AND record_id = ?",
                     (op, record_id))


DAMAGE: dict[str, tuple[str, Callable[[Store], None]]] = {
    "row changed behind history": ("history's last value of notes", lambda s: s.db.execute(
        "UPDATE records SET fields = json_set(fields, '$.notes', 'x') WHERE id = 'sent-1'")),
    "seq gap": ("without gaps", lambda s: s.db.execute(
        "UPDATE outbox SET seq = seq + 10 WHERE record_id = 'gone-1' AND op = 'delete'")),
    "hash of an edited payload": ("payload_sha256", lambda s: s.db.execute(
        "UPDATE outbox SET fields = json_set(fields, '$.notes', 'y') WHERE op = 'update'")),
    "a lost mutation": ("queued fields do not rebuild", lambda s: s.db.execute(
        "DELETE FROM outbox WHERE op = 'update'")),
    "a draft with a mutation": ("a draft has", lambda s: s.db.execute(
        "UPDATE records SET draft = 1, dirty = 0 WHERE id = 'gone-1'")),
    "dirty with nothing queued": ("dirty with no mutation", lambda s: s.db.execute(
        "UPDATE records SET dirty = 1, draft = 0 WHERE id = 'draft-1'")),
    "a delete the row forgot": ("history records a deletion", lambda s: s.db.execute(
        "UPDATE records SET deleted = 0 WHERE id = 'gone-1'")),
    "two mutations absorbing": ("could absorb", lambda s: _never_offered(s, "create", "sent-1")),
    "left sending": ("state sending", lambda s: s.db.execute(
        "UPDATE outbox SET state = 'sending' WHERE op = 'update'")),
    "stale search index": ("search index", lambda s: s.db.execute(
        "DELETE FROM search WHERE rowid = (SELECT rid FROM records WHERE id = 'draft-1')")),
    "a record's case lost from the case map": ("record_case_new gives no case", lambda s: s.db.execute(
        "UPDATE record_case_new SET case_no = 0 "
        "WHERE rid = (SELECT rid FROM records WHERE id = 'sent-1')")),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_each_kind_of_damage_is_reported(busy_store: Store, damage: str) -> None:
    expected, act = DAMAGE[damage]
    busy_store.db.execute("PRAGMA foreign_keys = OFF")
    act(busy_store)
    found = problems(busy_store, no_server=True)
    assert any(expected in problem for problem in found), found


def test_an_orphan_mutation_is_reported(busy_store: Store) -> None:
    busy_store.db.execute("PRAGMA foreign_keys = OFF")
    busy_store.db.execute("UPDATE outbox SET record_id = ? WHERE op = 'delete'", (str(uuid.uuid4()),))
    found = problems(busy_store, no_server=True)
    assert "foreign_key_check found orphans" in found
    assert any("outbox or history without a record" in p for p in found)


def test_a_settled_conflict_then_more_typing_is_consistent(store: Store, clock: FakeClock) -> None:
    """The central system's side of a conflict is kept in history beside the officer's (its
    entry names the conflicting mutation) without becoming the row's value: the checks must
    read it so, or every settled conflict would look like history disagreeing with itself."""
    case = case_change()
    case_id = str(case["record_id"])
    contact_id = str(uuid.uuid4())
    server = {"case_id": case_id, "contact_type": "COAP", "notes": "as sent", "location": "Office"}
    store.records.apply_server_records([case, {"record_type": "contact", "record_id": contact_id,
                                               "version": 1, "fields": server}])
    saved = store.records.save("contact", contact_id, {"notes": "mine"})
    assert saved.mutation_id is not None
    answer = {"server_record": {"record_type": "contact", "record_id": contact_id, "version": 2,
                                "fields": {**server, "notes": "theirs"}, "changed_by": "OFFICE1"}}
    with store.db.transaction() as conn:
        [sent] = outbox.for_record(conn, "contact", contact_id)
        outbox.mark_sending(conn, [sent.mutation_id], clock())
        reconcile.conflict(conn, store.records, sent, answer, clock())
    assert store.records.require("contact", contact_id).fields["notes"] == "mine"
    assert problems(store) == []
    with store.db.transaction() as conn:
        reconcile.resolve(conn, saved.mutation_id, {"notes": "mine and theirs"}, keep_deleted=None,
                          actor="N01A123", now=clock())
    store.records.save("contact", contact_id, {"notes": "mine and theirs, and more"})
    assert problems(store) == []


PULLED = 70                  # contacts in one pulled page: enough that their cases go in record_case


@pytest.fixture
def pulled_store(store: Store, clock: FakeClock) -> Store:
    """Two cases and a page of pulled contacts of the first, their cases written to
    ``record_case``'s rows (not a ``record_case_new`` row each)."""
    cases = [case_change(crn=f"P00000{n}", last=f"Pulled{n}") for n in (1, 2)]
    contacts = [{"record_type": "contact", "record_id": str(uuid.uuid4()), "version": 1,
                 "fields": {"case_id": cases[0]["record_id"], "notes": f"pulled note {n}"}}
                for n in range(PULLED)]
    with store.db.transaction() as conn:
        reconcile.insert_prepared(conn, [
            reconcile.new_record(c["record_type"], c["record_id"], 1, False, c["fields"])
            for c in cases + contacts], clock())
    assert store.db.scalar("SELECT count(*) FROM record_case_new") == 0
    assert store.db.scalar("SELECT count(*) FROM record_case") == 1
    return store


def _contact_rid(store: Store) -> tuple[int, str]:
    rid, record_id = store.db.query("SELECT rid, id FROM records WHERE record_type = 'contact' "
                                    "ORDER BY rid LIMIT 1 OFFSET 10")[0]
    return int(rid), str(record_id)


def _case_no(store: Store, last_name: str) -> int:
    return int(store.db.scalar(
        "SELECT case_no FROM case_number JOIN records ON records.id = case_number.case_id "
        "WHERE records.record_type = 'case' AND json_extract(records.fields, '$.last_name') = ?",
        (last_name,)))


def _write_slot(store: Store, rid: int, number: int) -> None:
    """Overwrite one rid's 4 bytes in its record_case row, as a fault there would."""
    chunk, slot = divmod(rid, search.CHUNK)
    cases = bytearray(store.db.scalar("SELECT cases FROM record_case WHERE chunk = ?", (chunk,)))
    cases[slot * 4:slot * 4 + 4] = number.to_bytes(4, "little")
    store.db.execute("UPDATE record_case SET cases = ? WHERE chunk = ?", (bytes(cases), chunk))


def test_a_pulled_page_gives_every_record_its_case(pulled_store: Store) -> None:
    assert problems(pulled_store) == []


@pytest.mark.parametrize(("slot", "expected"), [
    ("another case", "but its row's case is"),
    ("no case", "record_case gives no case but"),
    ("a number no case has", "which case_number does not hold"),
])
def test_a_wrong_record_case_slot_is_reported(pulled_store: Store, slot: str, expected: str) -> None:
    rid, record_id = _contact_rid(pulled_store)
    number = {"another case": _case_no(pulled_store, "Pulled2"), "no case": 0,
              "a number no case has": 999}[slot]
    _write_slot(pulled_store, rid, number)
    found = problems(pulled_store)
    assert len(found) == 1, found
    assert found[0].startswith(f"contact {record_id}: record_case gives "), found
    assert expected in found[0], found


def test_record_case_new_is_read_before_record_case(pulled_store: Store) -> None:
    rid, record_id = _contact_rid(pulled_store)
    right, wrong = _case_no(pulled_store, "Pulled1"), _case_no(pulled_store, "Pulled2")
    _write_slot(pulled_store, rid, wrong)
    pulled_store.db.execute("INSERT INTO record_case_new (rid, case_no) VALUES (?, ?)", (rid, right))
    assert problems(pulled_store) == [], "the recent row wins over a stale slot"
    pulled_store.db.execute("UPDATE record_case_new SET case_no = ? WHERE rid = ?", (wrong, rid))
    _write_slot(pulled_store, rid, right)
    found = problems(pulled_store)
    assert len(found) == 1 and found[0].startswith(f"contact {record_id}: record_case_new gives "), found


def test_a_deleted_record_keeps_its_case_unchecked(pulled_store: Store) -> None:
    """Deleted records keep their case (decision 0041) and have no entry: not checked."""
    rid, _ = _contact_rid(pulled_store)
    with pulled_store.db.transaction() as conn:
        conn.execute("UPDATE records SET deleted = 1 WHERE rid = ?", (rid,))
        conn.execute("DELETE FROM search WHERE rowid = ?", (rid,))
    _write_slot(pulled_store, rid, _case_no(pulled_store, "Pulled2"))
    assert problems(pulled_store) == []
