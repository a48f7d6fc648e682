"""The one-transaction save path: row, history, outbox and search agree after every save."""

from __future__ import annotations

import uuid

import pytest

from caseclient.domain.canonical import payload_sha256
from caseclient.domain.records import RecordState
from caseclient.errors import RecordLocked
from caseclient.storage import outbox
from caseclient.storage.outbox import MutationState
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change


@pytest.fixture
def case_id(store: Store) -> str:
    change = case_change()
    store.records.apply_server_records([change])
    return str(change["record_id"])


def draft(store: Store, case_id: str, notes: str = "First words") -> str:
    contact_id = str(uuid.uuid4())
    store.records.create_draft("contact", contact_id, case_id,
                               {"case_id": case_id, "notes": notes, "contact_type": "COAP"})
    return contact_id


def test_a_draft_is_on_disk_but_not_queued(store: Store, case_id: str) -> None:
    contact_id = draft(store, case_id)
    store.records.save("contact", contact_id, {"notes": "First words, more"})
    record = store.records.require("contact", contact_id)
    assert record.state is RecordState.DRAFT and not record.dirty
    assert record.fields["notes"] == "First words, more"
    assert store.records.mutations("contact", contact_id) == []
    assert len(store.records.history("contact", contact_id)) == 1


def test_finishing_queues_a_create_with_every_field(store: Store, case_id: str) -> None:
    contact_id = draft(store, case_id)
    result = store.records.finish("contact", contact_id)
    [create] = store.records.mutations("contact", contact_id)
    assert result.mutation_id == create.mutation_id
    assert create.op == "create" and create.seq == 1 and create.base_version is None
    assert create.fields["notes"] == "First words" and create.fields["case_id"] == case_id
    assert result.record.state is RecordState.SAVED and result.record.dirty
    assert [h.mutation_id for h in store.records.history("contact", contact_id)] == [create.mutation_id]


def test_saves_before_sending_are_absorbed_into_the_pending_mutation(store: Store,
                                                                      case_id: str) -> None:
    contact_id = draft(store, case_id)
    store.records.finish("contact", contact_id)
    for n in range(5):
        store.records.save("contact", contact_id, {"notes": f"Typing {n}"})
    [create] = store.records.mutations("contact", contact_id)
    assert create.fields["notes"] == "Typing 4"
    assert create.payload_sha256 == payload_sha256(
        record_type="contact", record_id=contact_id, op="create", base_version=None,
        fields=create.fields, resolves=None)


def test_once_sending_the_payload_is_frozen_and_edits_make_a_new_mutation(
        store: Store, case_id: str, clock: FakeClock) -> None:
    contact_id = draft(store, case_id)
    store.records.finish("contact", contact_id)
    [create] = store.records.mutations("contact", contact_id)
    with store.db.transaction() as conn:
        outbox.mark_sending(conn, [create.mutation_id], clock())
    store.records.save("contact", contact_id, {"notes": "Edited while sending"})
    first, second = store.records.mutations("contact", contact_id)
    assert first.payload_sha256 == create.payload_sha256 and first.fields == create.fields
    assert second.op == "update" and second.seq == 2 and second.fields == {"notes": "Edited while sending"}
    # after a crash, the reverted mutation is pending again but still frozen
    with store.db.transaction() as conn:
        assert outbox.revert_sending(conn) == 1
    store.records.save("contact", contact_id, {"location": "Office"})
    again = store.records.mutations("contact", contact_id)
    assert again[0].fields == create.fields and again[0].state is MutationState.PENDING
    assert again[1].fields == {"notes": "Edited while sending", "location": "Office"}


def test_a_save_that_changes_nothing_writes_nothing(store: Store, case_id: str) -> None:
    contact_id = draft(store, case_id)
    store.records.finish("contact", contact_id)
    before = store.records.require("contact", contact_id)
    result = store.records.save("contact", contact_id, {"notes": "First words"})
    assert result.changed == () and result.mutation_id is None
    assert store.records.require("contact", contact_id) == before


def test_history_keeps_first_old_and_latest_new_then_starts_anew_after_a_pause(
        store: Store, case_id: str, clock: FakeClock) -> None:
    contact_id = draft(store, case_id, notes="v0")
    store.records.finish("contact", contact_id)
    for n in range(1, 4):
        clock.advance(seconds=2)
        store.records.save("contact", contact_id, {"notes": f"v{n}"})
    with store.db.transaction() as conn:
        outbox.mark_sending(conn, [store.records.mutations("contact", contact_id)[0].mutation_id],
                            clock())
    clock.advance(minutes=1)
    store.records.save("contact", contact_id, {"notes": "v4"})
    clock.advance(minutes=30)
    store.records.save("contact", contact_id, {"notes": "v5"})
    entries = store.records.history("contact", contact_id)
    assert [(e.old_values.get("notes"), e.new_values["notes"]) for e in entries] == [
        (None, "v3"), ("v3", "v4"), ("v4", "v5")]
    assert all(e.actor == "this laptop" for e in entries)


def test_every_mutation_gets_the_next_seq_across_records(store: Store, case_id: str) -> None:
    ids = [draft(store, case_id) for _ in range(3)]
    for contact_id in ids:
        store.records.finish("contact", contact_id)
    seqs = [store.records.mutations("contact", c)[0].seq for c in ids]
    assert seqs == [1, 2, 3]


def test_deleting_a_draft_is_quiet_and_a_sent_record_needs_a_reason(store: Store,
                                                                    case_id: str) -> None:
    contact_id = draft(store, case_id)
    store.records.delete("contact", contact_id, None)
    assert store.records.require("contact", contact_id).deleted
    assert store.records.mutations("contact", contact_id) == []
    assert store.records.search("First") == []

    sent = str(uuid.uuid4())
    store.records.apply_server_records([{"record_type": "contact", "record_id": sent, "version": 3,
                                         "fields": {"case_id": case_id, "notes": "From server"}}])
    with pytest.raises(RecordLocked):
        store.records.delete("contact", sent, "")
    result = store.records.delete("contact", sent, "Recorded on the wrong case")
    [mutation] = store.records.mutations("contact", sent)
    assert mutation.op == "delete" and mutation.base_version == 3
    assert mutation.fields == {"deleted_reason": "Recorded on the wrong case"}
    assert result.record.deleted and result.record.dirty
    with pytest.raises(RecordLocked):
        store.records.save("contact", sent, {"notes": "too late"})


def test_cases_and_events_cannot_be_created_on_the_laptop(store: Store) -> None:
    with pytest.raises(RecordLocked):
        store.records.create_draft("case", str(uuid.uuid4()), None, {"crn": "X000001"})


def test_a_pulled_change_never_clobbers_pending_local_work(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    base = {"case_id": case_id, "notes": "Original", "location": "Office", "outcome": None}
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 1, "fields": base}])
    store.records.save("contact", contact_id, {"notes": "Officer's addition"})
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 2, "changed_by": "SPO Jones",
                                         "fields": {**base, "notes": "Manager's edit",
                                                    "outcome": "ATTC"}}])
    record = store.records.require("contact", contact_id)
    assert record.fields["notes"] == "Officer's addition"      # mine kept
    assert record.fields["outcome"] == "ATTC"                  # theirs taken where I did not edit
    assert record.server_shadow is not None and record.server_shadow["notes"] == "Manager's edit"
    assert record.version == 2 and record.dirty
    server_entries = [h for h in store.records.history("contact", contact_id) if h.source == "server"]
    assert server_entries and server_entries[-1].actor == "SPO Jones"


def test_a_pulled_change_replaces_a_clean_record(store: Store, case_id: str) -> None:
    contact_id = str(uuid.uuid4())
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 1, "fields": {"case_id": case_id, "notes": "a"}}])
    store.records.apply_server_records([{"record_type": "contact", "record_id": contact_id,
                                         "version": 2, "fields": {"case_id": case_id, "notes": "b"}}])
    record = store.records.require("contact", contact_id)
    assert record.fields["notes"] == "b" and record.state is RecordState.SENT


def test_search_as_you_type_over_names_crns_and_notes(store: Store, case_id: str) -> None:
    contact_id = draft(store, case_id, notes="Discussed the tenancy with the housing officer")
    assert [h.record_id for h in store.records.search("Examp")] == [case_id]
    assert [h.record_id for h in store.records.search("x123456")] == [case_id]
    assert [h.record_id for h in store.records.search("tenancy hous")] == [contact_id]
    assert store.records.search('"; DROP TABLE records; --') == []
    assert store.records.search("   ") == []
    store.records.save("contact", contact_id, {"notes": "Rewritten entirely"})
    assert store.records.search("tenancy") == []


def test_needs_attention_state_follows_the_outbox(store: Store, case_id: str,
                                                  clock: FakeClock) -> None:
    contact_id = draft(store, case_id)
    store.records.finish("contact", contact_id)
    [create] = store.records.mutations("contact", contact_id)
    with store.db.transaction() as conn:
        outbox.set_state(conn, create.mutation_id, MutationState.CONFLICT, clock(), {"result": "conflict"})
    assert store.records.require("contact", contact_id).state is RecordState.NEEDS_ATTENTION
