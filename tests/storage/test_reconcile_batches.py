"""Push answers written together (``reconcile.accept_many``) leave the store as one by one; a
pulled copy this device holds exactly so is recognised (``reconcile.held_already``); records
new to this device written together (``reconcile.insert_new``) leave it as one by one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from caseclient.storage import outbox, reconcile, sync_state
from caseclient.storage.outbox import MutationState
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change, reference_changes

CASE = case_change()
HELD, HELD_TOO, NEW, NEW_EDITED = ("00000000-0000-4000-8000-00000000000" + str(n) for n in (1, 2, 3, 4))


def contact(record_id: str, version: int, notes: str) -> dict[str, Any]:
    return {"record_type": "contact", "record_id": record_id, "version": version, "changed_by": "PO1",
            "fields": {"case_id": CASE["record_id"], "contact_type": "COAP", "notes": notes}}


def answered(folder: Path, key: str, clock: FakeClock, together: bool) -> tuple[Any, ...]:
    """Four answers (an update with a later edit waiting, an auto-merged one, a create untouched
    since it was sent, a create edited again while in flight), written one by one or together;
    then what the store holds, mutation ids left out."""
    folder.mkdir()
    store = Store.open(folder / "cases.db", key, backups_dir=folder / "backups", clock=clock)
    try:
        records = store.records
        records.apply_server_records([CASE, contact(HELD, 1, "held"), contact(HELD_TOO, 2, "held too")])
        records.save("contact", HELD, {"notes": "mine"})
        records.save("contact", HELD_TOO, {"location": "Office"})
        records.create_draft("contact", NEW, CASE["record_id"],
                             {"case_id": CASE["record_id"], "contact_type": "COAP", "notes": "new"})
        records.finish("contact", NEW)
        records.create_draft("contact", NEW_EDITED, CASE["record_id"],
                             {"case_id": CASE["record_id"], "contact_type": "COAP", "notes": "sent"})
        records.finish("contact", NEW_EDITED)
        with store.db.transaction() as conn:
            batch = outbox.next_batch(conn, 10)
            outbox.mark_sending(conn, [m.mutation_id for m in batch], clock())
            batch = outbox.get_many(conn, [m.mutation_id for m in batch])
        clock.advance(seconds=5)
        records.save("contact", HELD, {"notes": "mine, and more"})     # waits, based on version 1
        records.save("contact", NEW_EDITED, {"notes": "sent, then more"})   # waits for the create
        with store.db.transaction() as conn:   # the untouched create holds the very text sent
            assert conn.execute("SELECT r.fields = o.fields FROM records AS r JOIN outbox AS o "
                                "ON o.record_id = r.id WHERE r.id = ? AND o.op = 'create'",
                                (NEW,)).fetchone() == (1,)
        versions = {HELD: (2, False), HELD_TOO: (4, True), NEW: (1, False), NEW_EDITED: (1, False)}
        answers = [reconcile.Accepted(m, MutationState.APPLIED, versions[m.record_id][0],
                                      versions[m.record_id][1],
                                      {"result": "applied", "version": versions[m.record_id][0]})
                   for m in batch]
        with store.db.transaction() as conn:
            if together:
                reconcile.accept_many(conn, answers, clock())
            else:
                for a in answers:
                    reconcile.accept(conn, a.mutation, a.state, version=a.version,
                                     auto_merged=a.auto_merged, result=a.result, now=clock())
        raw = store.db.raw
        return (raw.execute("SELECT record_type, id, fields, version, server_shadow, dirty FROM records "
                            "ORDER BY rid").fetchall(),
                raw.execute("SELECT seq, wire_seq, state, attempts, base_version, payload_sha256, result "
                            "FROM outbox ORDER BY seq").fetchall(),
                raw.execute("SELECT record_id, old_values, new_values, open, live_fields, "
                            "mutation_id IS NULL FROM history ORDER BY hid").fetchall())
    finally:
        store.close()


def test_answers_together_match_answers_one_by_one(tmp_path: Path, key_pragma: str) -> None:
    one_by_one = answered(tmp_path / "one", key_pragma, FakeClock(), together=False)
    together = answered(tmp_path / "together", key_pragma, FakeClock(), together=True)
    assert together == one_by_one
    outbox_rows = together[1]
    assert [row[2] for row in outbox_rows] == ["applied", "applied", "applied", "applied", "pending",
                                               "pending"]
    assert outbox_rows[4][4] == 2       # the waiting edits now start from the answered versions
    assert outbox_rows[5][4] == 1
    record_rows = together[0]
    assert [row[5] for row in record_rows[1:]] == [1, 0, 0, 1]
    # the untouched create's shadow is its fields; the edited one keeps the officer's text on top
    assert record_rows[3][4] == record_rows[3][2] and record_rows[3][3] == 1
    assert "sent, then more" in record_rows[4][2] and "sent, then more" not in record_rows[4][4]


def test_one_answer_per_record(store: Store, clock: FakeClock) -> None:
    store.records.apply_server_records([CASE, contact(HELD, 1, "held")])
    store.records.save("contact", HELD, {"notes": "mine"})
    [mutation] = store.records.mutations("contact", HELD)
    answer = reconcile.Accepted(mutation, MutationState.APPLIED, 2, False, {"result": "applied"})
    with store.db.transaction() as conn, pytest.raises(ValueError):
        reconcile.accept_many(conn, [answer, answer], clock())


def test_a_pulled_copy_is_held_already_only_when_exactly_the_same(store: Store, clock: FakeClock) -> None:
    records = store.records
    same, other_version, other_fields, waiting, filled, reordered = (
        "00000000-0000-4000-8000-0000000000a" + str(n) for n in range(6))
    records.apply_server_records([CASE, *(contact(i, 1, "held") for i in
                                          (same, other_version, other_fields, waiting, filled, reordered))])
    records.save("contact", waiting, {"notes": "mine"})
    with store.db.transaction() as conn:   # the server filled in a field this device did not send
        conn.execute("UPDATE records SET server_shadow = ? WHERE id = ?", ('{"notes": "held"}', filled))
        # the same values as other text: still held so (the texts differ, the values are compared)
        fields = dict(reversed(list(contact(reordered, 1, "held")["fields"].items())))
        conn.execute("UPDATE records SET server_shadow = ? WHERE id = ?", (json.dumps(fields), reordered))
    pulled = [contact(same, 1, "held"), contact(other_version, 2, "held"), contact(other_fields, 1, "else"),
              contact(waiting, 1, "held"), contact(filled, 1, "held"), contact(reordered, 1, "held"),
              contact(NEW, 1, "new")]
    with store.db.transaction() as conn:
        held = reconcile.held_already(conn, [("contact", c["record_id"], c["version"], False, c["fields"])
                                             for c in pulled])
    assert held == {("contact", same), ("contact", reordered)}


def pulled_new(folder: Path, key: str, clock: FakeClock, together: bool) -> tuple[Any, ...]:
    """New records (a case, live and deleted contacts, a reference entry) taken into a store
    whose highest rowid was just freed and which has an entry queued for re-indexing: written
    together by ``insert_new`` or one by one by ``apply_server_record``; then what it holds."""
    folder.mkdir()
    store = Store.open(folder / "cases.db", key, backups_dir=folder / "backups", clock=clock)
    try:
        records = store.records
        leaving = contact(HELD_TOO, 1, "leaving soon")
        records.apply_server_records([CASE, contact(HELD, 1, "held"), leaving])
        records.save("contact", HELD, {"notes": "typed, queued"})          # queued, not indexed
        with store.db.transaction() as conn:
            rid = conn.execute("SELECT max(rid) FROM records").fetchone()[0]
            reconcile._remove_record(conn, rid, "contact", HELD_TOO)         # its rowid is free again
        other_case = case_change("X654321", "Bea", "Second", case_id="00000000-0000-4000-8000-0000000000c1")
        gone = {**contact(NEW, 3, "deleted words"), "deleted": True}
        new = [other_case, contact("00000000-0000-4000-8000-0000000000b1", 1, "fresh words"), gone,
               reference_changes()[0],
               {**contact("00000000-0000-4000-8000-0000000000b2", 2, "other words"),
                "fields": {**contact(NEW, 2, "")["fields"], "case_id": other_case["record_id"],
                           "notes": "second case words", "date": "2026-12-01", "outcome": "ATTC"}}]
        with store.db.transaction() as conn:
            if together:
                reconcile.insert_new(conn, [sync_state.StagedRecord(
                    c["record_type"], c["record_id"], c["version"], bool(c.get("deleted")), c["fields"],
                    c.get("changed_by")) for c in new], clock())
            else:
                for c in new:
                    records.apply_server_record(
                        conn, record_type=c["record_type"], record_id=c["record_id"], version=c["version"],
                        fields=c["fields"], deleted=bool(c.get("deleted")), changed_by=c.get("changed_by"))
        raw = store.db.raw
        found = {word: sorted(h.record_id for h in records.search(word))
                 for word in ("words", "fresh", "deleted", "second", "typed", "held", "leaving", "Bea")}
        return (raw.execute("SELECT rid, record_type, id, case_id, fields, version, server_shadow, dirty, "
                            "draft, deleted, contact_date, contact_type, contact_start, "
                            "contact_has_outcome FROM records ORDER BY rid").fetchall(),
                raw.execute("SELECT rid FROM reindex_queue ORDER BY rid").fetchall(),
                raw.execute("SELECT rowid FROM search WHERE search MATCH 'words OR held OR leaving OR "
                            "Bea OR Ann' ORDER BY rowid").fetchall(),
                found)
    finally:
        store.close()


def test_new_records_together_match_new_records_one_by_one(tmp_path: Path, key_pragma: str) -> None:
    one_by_one = pulled_new(tmp_path / "one", key_pragma, FakeClock(), together=False)
    together = pulled_new(tmp_path / "together", key_pragma, FakeClock(), together=True)
    assert together == one_by_one
    rows, queued, _entries, found = together
    assert len(rows) == 7 and len(queued) == 1
    assert found["words"] == ["00000000-0000-4000-8000-0000000000b1", "00000000-0000-4000-8000-0000000000b2"]
    assert found["deleted"] == [] and found["leaving"] == [] and found["typed"] == [HELD]
