"""History without copying the note on every autosave: an open entry keeps checksums of
the record's values and still answers who, when, old → new exactly, before and after it
closes, when a later entry starts, and when a pull changes the record under it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from caseclient.storage import history, outbox
from caseclient.storage.database import Database
from caseclient.storage.history import HistoryEntry, checksum
from caseclient.storage.migrate import migrate
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change
from tests.reliability.consistency import problems

LIVE_FROM = 5   # migration 0005_history_live_fields


@pytest.fixture
def case_id(store: Store) -> str:
    change = case_change()
    store.records.apply_server_records([change])
    return str(change["record_id"])


def _draft(store: Store, case_id: str, notes: str = "v0") -> str:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id,
                               {"case_id": case_id, "contact_type": "COAP", "notes": notes})
    return contact_id


def _stored(store: Store, contact_id: str) -> list[tuple[str, str, str | None, int]]:
    """(old_values, new_values, live_fields, open) as the history table holds them."""
    return [(r[0], r[1], r[2], r[3]) for r in store.db.query(
        "SELECT old_values, new_values, live_fields, open FROM history WHERE record_id = ? "
        "ORDER BY hid", (contact_id,))]


def _changes(entries: list[HistoryEntry], name: str) -> list[tuple[object, object]]:
    return [(e.old_values.get(name), e.new_values.get(name)) for e in entries]


def test_autosaves_keep_a_checksum_not_a_copy_of_the_note(store: Store, case_id: str,
                                                         clock: FakeClock) -> None:
    contact_id = _draft(store, case_id, notes="")
    notes = ""
    for n in range(200):
        clock.advance(seconds=5)
        notes += f"Sentence {n} about the plan and the next appointment. "
        store.records.save("contact", contact_id, {"notes": notes})
    [(old_json, new_json, live_json, is_open)] = _stored(store, contact_id)
    assert is_open == 1 and live_json is not None
    assert len(old_json) + len(new_json) + len(live_json) < 400 < len(notes)
    assert json.loads(live_json)["notes"] == checksum(notes)
    [entry] = store.records.history("contact", contact_id)
    assert entry.old_values == {}
    assert entry.new_values["notes"] == notes and entry.new_values["contact_type"] == "COAP"
    assert problems(store) == []


def test_an_entry_closing_for_its_mutation_writes_its_values_out(store: Store, case_id: str,
                                                               clock: FakeClock) -> None:
    contact_id = _draft(store, case_id)
    store.records.finish("contact", contact_id)
    store.records.save("contact", contact_id, {"notes": "sent text", "location": "Office"})
    [create] = store.records.mutations("contact", contact_id)
    with store.db.transaction() as conn:
        outbox.mark_sending(conn, [create.mutation_id], clock())
    [(_old, new_json, live_json, is_open)] = _stored(store, contact_id)
    assert (live_json, is_open) == (None, 0)
    assert json.loads(new_json)["notes"] == "sent text"
    clock.advance(seconds=5)
    store.records.save("contact", contact_id, {"notes": "typed after sending"})
    entries = store.records.history("contact", contact_id)
    assert _changes(entries, "notes") == [(None, "sent text"), ("sent text", "typed after sending")]
    assert _changes(entries, "location") == [(None, "Office"), (None, None)]
    assert entries[0].mutation_id == create.mutation_id
    assert problems(store) == []


def test_a_later_entry_writes_out_the_earlier_ones_values(store: Store, case_id: str,
                                                        clock: FakeClock) -> None:
    """After a pause the next save starts a new entry: the earlier entry's new value of a
    field the save replaces is that save's old value, and of every other field the row's."""
    contact_id = _draft(store, case_id, notes="first")
    store.records.save("contact", contact_id, {"location": "Home"})
    clock.advance(minutes=11)
    store.records.save("contact", contact_id, {"notes": "second"})
    first, second = _stored(store, contact_id)
    assert first[2] is None and json.loads(first[1])["notes"] == "first"
    assert json.loads(first[1])["location"] == "Home"
    assert second[2] is not None and second[3] == 1
    entries = store.records.history("contact", contact_id)
    assert _changes(entries, "notes") == [(None, "first"), ("first", "second")]
    assert problems(store) == []


def test_another_officer_starts_a_new_entry(store: Store, case_id: str) -> None:
    contact_id = _draft(store, case_id, notes="mine")
    other = Store(store.db, clock=FakeClock(), actor=lambda: "N02B456")
    other.records.save("contact", contact_id, {"notes": "theirs"})
    entries = store.records.history("contact", contact_id)
    assert [(e.actor, e.old_values.get("notes"), e.new_values["notes"]) for e in entries] == [
        ("this laptop", None, "mine"), ("N02B456", "mine", "theirs")]
    assert problems(store) == []


def test_a_pull_under_an_open_entry_keeps_what_the_officer_saved(store: Store,
                                                                 case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    base = {"case_id": case_id, "contact_type": "COAP", "notes": "original", "outcome": None}
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 1, "fields": base}])
    store.records.save("contact", contact_id, {"notes": "edited"})
    store.records.save("contact", contact_id, {"notes": "original"})   # typed back as it was
    # The server changed the notes too: the officer's value equals the shadow, so theirs wins.
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 2, "changed_by": "SPO Jones",
                                         "fields": {**base, "notes": "manager's", "outcome": "ATTC"}}])
    entries = store.records.history("contact", contact_id)
    assert [(e.source, e.old_values.get("notes"), e.new_values.get("notes")) for e in entries] == [
        ("local", "original", "original"), ("server", "original", "manager's")]
    assert entries[1].new_values["outcome"] == "ATTC"
    assert all(r[2] is None for r in _stored(store, contact_id)), "nothing is live after a pull"
    assert problems(store) == []


def test_deleting_after_typing_keeps_both_in_one_entry(store: Store, case_id: str) -> None:
    contact_id = _draft(store, case_id, notes="to be withdrawn")
    store.records.delete("contact", contact_id, None)
    [entry] = store.records.history("contact", contact_id)
    assert entry.new_values["notes"] == "to be withdrawn" and entry.new_values["deleted"] is True
    assert entry.old_values == {"deleted": False}
    assert problems(store) == []


def test_checksums_tell_values_apart() -> None:
    values = ["", "a", "b", "ab", "é", 1, 1.0, True, None, [1], {"a": 1}, "1", "true", "null"]
    assert len({checksum(v) for v in values}) == len(values)
    assert checksum("\ud800") != checksum("")   # a lone surrogate is checked, not refused


def test_close_for_mutation_only_touches_that_mutation(store: Store, case_id: str) -> None:
    one, two = _draft(store, case_id, notes="one"), _draft(store, case_id, notes="two")
    for contact_id in (one, two):
        store.records.finish("contact", contact_id)
    [first] = store.records.mutations("contact", one)
    with store.db.transaction() as conn:
        history.close_for_mutation(conn, first.mutation_id)
    assert [r[2:] for r in _stored(store, one)] == [(None, 0)]
    assert [r[3] for r in _stored(store, two)] == [1] and _stored(store, two)[0][2] is not None


def test_sealing_a_batch_gives_each_entry_its_own_records_values(store: Store, case_id: str,
                                                               clock: FakeClock) -> None:
    """``close_for_mutations`` reads the batch's records in the statement that finds the
    entries and writes them out together: each entry gets its own record's values, and
    an entry outside the batch stays live."""
    contacts = [_draft(store, case_id, notes=f"note {n}") for n in range(4)]
    for n, contact_id in enumerate(contacts):
        store.records.finish("contact", contact_id)
        store.records.save("contact", contact_id, {"notes": f"final {n}", "location": f"Room {n}"})
    sent = [store.records.mutations("contact", c)[0].mutation_id for c in contacts[:3]]
    with store.db.transaction() as conn:
        history.close_for_mutations(conn, sent)
    for n, contact_id in enumerate(contacts[:3]):
        [(_old, new_json, live_json, is_open)] = _stored(store, contact_id)
        assert (live_json, is_open) == (None, 0)
        assert json.loads(new_json)["notes"] == f"final {n}"
        assert json.loads(new_json)["location"] == f"Room {n}"
    [(_old, _new, live_json, is_open)] = _stored(store, contacts[3])
    assert live_json is not None and is_open == 1
    assert store.records.history("contact", contacts[3])[0].new_values["notes"] == "final 3"
    assert problems(store) == []


# ---- entries from before migration 0005 ------------------------------------------------------------
def test_an_entry_written_before_the_migration_goes_on_absorbing(tmp_path: Path,
                                                                 key_pragma: str) -> None:
    path = tmp_path / "c.db"
    db = Database.open(path, key_pragma)
    migrate(db, tmp_path / "backups", target=LIVE_FROM - 1)
    stamp = FakeClock()().isoformat()
    fields = {"case_id": "c1", "contact_type": "COAP", "notes": "before"}
    with db.transaction() as conn:
        conn.execute("INSERT INTO records (rid, record_type, id, case_id, fields, draft, updated_at) "
                     "VALUES (1, 'contact', 'n1', 'c1', ?, 1, ?)", (json.dumps(fields), stamp))
        conn.execute("INSERT INTO search (rowid, body) VALUES (1, 'before')")
        conn.execute("INSERT INTO history (record_type, record_id, actor, source, started_at, "
                     "saved_at, old_values, new_values, mutation_id, open) VALUES ('contact', 'n1', "
                     "'this laptop', 'local', ?, ?, '{}', ?, NULL, 1)", (stamp, stamp, json.dumps(fields)))
    db.close()
    store = Store.open(path, key_pragma, backups_dir=tmp_path / "backups", clock=FakeClock())
    try:
        store.records.save("contact", "n1", {"notes": "after", "location": "Office"})
        [entry] = store.records.history("contact", "n1")
        assert entry.new_values == {**fields, "notes": "after", "location": "Office"}
        assert entry.old_values == {"location": None}
        [(_old, new_json, live_json, _open)] = _stored(store, "n1")
        assert "notes" not in json.loads(new_json) and set(json.loads(live_json)) == {"notes", "location"}
        assert problems(store) == []
    finally:
        store.close()


# ---- the consistency rules see a live entry gone wrong (so the proofs cannot pass vacuously) ----------
@pytest.mark.parametrize(("damage", "expected"), [
    ("UPDATE records SET fields = json_set(fields, '$.notes', 'changed behind') WHERE id = ?",
     "history's last value of notes is not the row's"),
    ("UPDATE history SET open = 0 WHERE record_id = ?", "keeps checksums but is closed"),
    ("INSERT INTO history (record_type, record_id, actor, source, started_at, saved_at, "
     "old_values, new_values, open) SELECT record_type, record_id, actor, 'server', started_at, "
     "saved_at, '{}', '{}', 0 FROM history WHERE record_id = ?", "keeps checksums but is not the latest"),
])
def test_the_consistency_rules_see_a_live_entry_gone_wrong(store: Store, case_id: str, damage: str,
                                                           expected: str) -> None:
    contact_id = _draft(store, case_id, notes="typed")
    store.records.save("contact", contact_id, {"notes": "typed more"})
    assert problems(store) == []
    store.db.execute(damage, (contact_id,))
    found = problems(store)
    assert any(expected in problem for problem in found), found
