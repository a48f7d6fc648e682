"""Needs attention: the per-field chooser, resolutions with ``resolves``, delete vs edit."""

from __future__ import annotations

import pytest

from caseclient.domain.records import RecordState
from caseclient.storage.outbox import MutationState
from caseclient.storage.store import Store
from caseclient.sync.conflicts import (
    Conflict,
    Edited,
    IncompleteChoice,
    Pick,
    Rejection,
    dismiss,
    needing_attention,
    resolve,
)
from caseclient.sync.engine import SyncEngine
from tests.helpers.clock import FakeClock
from tests.sync.conftest import new_contact
from tests.sync.fake_central import FakeCentral


def conflicted(store: Store, engine: SyncEngine, central: FakeCentral, case_id: str,
               mine: dict[str, str] | None = None, **office: str) -> tuple[str, Conflict]:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Start", location="Office 1")
    engine.run()
    central.office_edit("contact", contact_id, **(office or {"notes": "Theirs"}))
    store.records.save("contact", contact_id, mine or {"notes": "Mine"})
    engine.run()
    [item] = needing_attention(store)
    assert isinstance(item, Conflict)
    return contact_id, item


def test_the_chooser_shows_both_sides_of_each_field(store: Store, engine: SyncEngine,
                                                   central: FakeCentral, case_id: str) -> None:
    _contact_id, conflict = conflicted(store, engine, central, case_id)
    assert [(d.name, d.mine, d.theirs) for d in conflict.fields] == [("notes", "Mine", "Theirs")]
    assert conflict.changed_by == "OFFICE01" and conflict.server_version == 2


@pytest.mark.parametrize(("choice", "expected"), [(Pick.MINE, "Mine"), (Pick.THEIRS, "Theirs"),
                                                  (Edited("Mine and theirs"), "Mine and theirs")])
def test_a_resolution_is_sent_on_the_servers_version_and_both_sides_stay_in_history(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str,
        choice: Pick | Edited, expected: str) -> None:
    contact_id, conflict = conflicted(store, engine, central, case_id)
    mutation_id = resolve(store, conflict, {"notes": choice}, clock=clock)
    resolution = store.records.mutations("contact", contact_id)[-1]
    assert resolution.mutation_id == mutation_id and resolution.resolves == conflict.mutation_id
    assert resolution.base_version == 2
    report = engine.run()
    assert report.conflicts == 0 and report.needs_attention == 0
    assert central.rows[("contact", contact_id)].fields["notes"] == expected
    record = store.records.require("contact", contact_id)
    assert record.fields["notes"] == expected and record.state is RecordState.SENT
    sources = [h.source for h in store.records.history("contact", contact_id)]
    assert "server" in sources and "resolution" in sources
    assert needing_attention(store) == []
    states = [m.state for m in store.records.mutations("contact", contact_id)]
    assert MutationState.RESOLVED in states


def test_edits_held_behind_a_conflict_are_part_of_its_resolution(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    contact_id, _ = conflicted(store, engine, central, case_id)
    store.records.save("contact", contact_id, {"location": "Home visit", "notes": "Mine, later"})
    [conflict] = needing_attention(store)
    assert isinstance(conflict, Conflict)
    assert {d.name: d.mine for d in conflict.fields} == {"location": "Home visit", "notes": "Mine, later"}
    with pytest.raises(IncompleteChoice):
        resolve(store, conflict, {"notes": Pick.MINE}, clock=clock)
    resolve(store, conflict, {"notes": Pick.THEIRS, "location": Pick.MINE}, clock=clock)
    engine.run()
    server = central.rows[("contact", contact_id)].fields
    assert server["notes"] == "Theirs" and server["location"] == "Home visit"
    assert store.outbox_counts().get(MutationState.PENDING, 0) == 0


def test_an_edit_of_a_record_the_server_deleted_is_a_conflict_the_officer_settles(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Start")
    engine.run()
    central.office_delete("contact", contact_id)
    store.records.save("contact", contact_id, {"notes": "Edited after the office deleted it"})
    engine.push()
    [conflict] = needing_attention(store)
    assert isinstance(conflict, Conflict) and conflict.deleted_by_server
    record = store.records.require("contact", contact_id)
    assert not record.deleted and record.fields["notes"] == "Edited after the office deleted it"
    assert resolve(store, conflict, {d.name: Pick.THEIRS for d in conflict.fields},
                   keep_deleted=True, clock=clock) is None
    assert store.records.require("contact", contact_id).deleted
    assert needing_attention(store) == []


def test_a_delete_of_a_record_the_office_edited_is_a_conflict_never_a_lost_edit(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Start")
    engine.run()
    central.office_edit("contact", contact_id, notes="Office added this")
    store.records.delete("contact", contact_id, "Recorded on the wrong case")
    engine.push()
    [conflict] = needing_attention(store)
    assert isinstance(conflict, Conflict) and conflict.deleted_by_me
    assert not central.rows[("contact", contact_id)].deleted
    resolve(store, conflict, {d.name: Pick.THEIRS for d in conflict.fields}, keep_deleted=False,
            clock=clock)
    record = store.records.require("contact", contact_id)
    assert not record.deleted and record.fields["notes"] == "Office added this"


def test_a_rejection_is_shown_with_its_reason_until_dismissed(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Kept")
    central.caseload.discard(case_id)
    following = new_contact(store, "0192f6c3-0000-7000-8000-0000000000aa", notes="Other")
    report = engine.push()
    assert report.rejected == 2
    rejections = needing_attention(store)
    assert all(isinstance(r, Rejection) for r in rejections)
    assert isinstance(rejections[0], Rejection) and "caseload" in rejections[0].reason
    assert store.records.require("contact", contact_id).fields["notes"] == "Kept"
    dismiss(store, rejections[0], clock=clock)
    dismiss(store, rejections[1], clock=clock)  # type: ignore[arg-type]
    assert needing_attention(store) == []
    assert store.records.require("contact", following).state is RecordState.SAVED


def test_a_rejected_mutation_does_not_stop_the_queue(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    stray = new_contact(store, "0192f6c3-0000-7000-8000-0000000000bb", notes="Wrong case")
    good = [new_contact(store, case_id, notes=f"Visit {n}") for n in range(3)]
    report = engine.push()
    assert report.rejected == 1 and report.sent == 3
    assert ("contact", stray) not in central.rows
    assert all(("contact", g) in central.rows for g in good)


def test_insisting_on_a_delete_settles_the_conflict_then_deletes_on_the_servers_version(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Start")
    engine.run()
    central.office_edit("contact", contact_id, notes="Office added this")
    store.records.delete("contact", contact_id, "Recorded on the wrong case")
    engine.push()
    [conflict] = needing_attention(store)
    assert isinstance(conflict, Conflict)
    resolve(store, conflict, {d.name: Pick.MINE for d in conflict.fields}, keep_deleted=True, clock=clock)
    settle, delete = store.records.mutations("contact", contact_id)[-2:]
    assert settle.op == "update" and settle.resolves == conflict.mutation_id and settle.fields == {}
    assert delete.op == "delete" and delete.base_version == 2 and delete.resolves is None
    engine.run()
    assert central.rows[("contact", contact_id)].deleted
    assert store.records.require("contact", contact_id).deleted and needing_attention(store) == []


def test_a_change_pulled_after_the_conflict_is_kept_by_its_resolution(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    contact_id, _ = conflicted(store, engine, central, case_id)
    central.office_edit("contact", contact_id, outcome="ATTC")     # arrives after the conflict
    engine.pull()
    [conflict] = needing_attention(store)
    assert isinstance(conflict, Conflict) and conflict.server_version == 3
    resolve(store, conflict, {d.name: Pick.THEIRS for d in conflict.fields}, clock=clock)
    assert store.records.require("contact", contact_id).fields["outcome"] == "ATTC"
    engine.run()
    local = store.records.require("contact", contact_id)
    server = central.rows[("contact", contact_id)].fields
    assert local.fields["outcome"] == server["outcome"] == "ATTC"
    assert local.fields["notes"] == server["notes"] == "Theirs"


def test_a_field_only_this_laptop_changed_is_kept_without_asking(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    contact_id, conflict = conflicted(store, engine, central, case_id,
                                      {"notes": "Mine", "location": "Home visit"})
    assert [d.name for d in conflict.fields] == ["notes"]
    assert dict(conflict.kept) == {"location": "Home visit"}
    resolve(store, conflict, {"notes": Pick.THEIRS}, clock=clock)
    engine.run()
    server = central.rows[("contact", contact_id)].fields
    assert server["notes"] == "Theirs" and server["location"] == "Home visit"
    assert needing_attention(store) == []


def test_without_the_base_every_differing_field_is_asked_about(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    # A conflict stored before the base was kept (or whose shadow had moved on) has no base.
    conflicted(store, engine, central, case_id, {"notes": "Mine", "location": "Home visit"})
    with store.db.transaction() as conn:
        conn.execute("UPDATE outbox SET result = json_remove(result, '$.local_base') "
                     "WHERE state = 'conflict'")
    [conflict] = needing_attention(store)
    assert isinstance(conflict, Conflict)
    assert [d.name for d in conflict.fields] == ["location", "notes"] and not conflict.kept
