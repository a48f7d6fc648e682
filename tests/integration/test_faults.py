"""One test per fault scenario of issue 5, against the real server on loopback and real
encrypted stores. After each, nothing the officer wrote is lost or applied twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from caseclient.domain.records import RecordState
from caseclient.errors import ProtocolViolation, ServerRefused, SignedOut
from caseclient.storage.outbox import MutationState
from caseclient.sync.conflicts import Conflict, Pick, Rejection, needing_attention, resolve
from caseserver.db.migrate import rotate_epoch
from tests.helpers.clock import FakeClock
from tests.integration.conftest import Laptop, Office


def states(laptop: Laptop, contact_id: str) -> list[MutationState]:
    return [m.state for m in laptop.store.records.mutations("contact", contact_id)]


def test_a_request_lost_before_the_server_is_sent_again_and_applied_once(
        laptop: Laptop, office: Office) -> None:
    contact_id = laptop.contact(notes="First visit")
    laptop.faults.plan("/sync/push", "lose_request")
    report = laptop.sync()
    assert report.sent == 1 and states(laptop, contact_id) == [MutationState.APPLIED]
    assert laptop.faults.seen.count("/api/v1/sync/push") == 2
    server = office.fields(contact_id)
    assert server is not None and server["notes"] == "First visit" and server["_version"] == 1


def test_a_response_lost_after_the_commit_is_answered_duplicate_on_replay(
        laptop: Laptop, office: Office) -> None:
    contact_id = laptop.contact(notes="Only once")
    laptop.faults.plan("/sync/push", "lose_response")
    laptop.sync()
    assert states(laptop, contact_id) == [MutationState.DUPLICATE]
    server = office.fields(contact_id)
    assert server is not None and server["_version"] == 1
    assert laptop.store.records.require("contact", contact_id).state is RecordState.SENT


def test_a_crash_between_send_and_result_resends_after_restart(laptop: Laptop, office: Office) -> None:
    contact_id = laptop.contact(notes="Sent just before the crash")
    laptop.faults.plan("/sync/push", "lose_response", before=laptop.crash)
    with pytest.raises(Exception):  # noqa: B017 - whatever the dying process raises
        laptop.sync()
    laptop.reopen()
    [mutation] = laptop.store.records.mutations("contact", contact_id)
    assert mutation.state is MutationState.PENDING and mutation.attempts == 1   # reverted at start-up
    laptop.sync()
    assert states(laptop, contact_id) == [MutationState.DUPLICATE]
    server = office.fields(contact_id)
    assert server is not None and server["notes"] == "Sent just before the crash" and server["_version"] == 1


def test_a_server_error_mid_batch_loses_nothing_and_the_retry_is_deduplicated(
        laptop: Laptop, office: Office) -> None:
    ids = [laptop.contact(notes=f"Visit {n}") for n in range(3)]
    laptop.faults.plan("/sync/push", "status_500")
    with pytest.raises(ServerRefused):
        laptop.sync()
    assert all(states(laptop, i) == [MutationState.PENDING] for i in ids)
    report = laptop.sync()
    assert report.waiting == 0
    assert all(states(laptop, i) == [MutationState.DUPLICATE] for i in ids)
    assert all(office.fields(i) is not None for i in ids)


def test_an_access_token_expiring_mid_push_is_refreshed_and_the_push_completes(
        laptop: Laptop, office: Office) -> None:
    contact_id = laptop.contact(notes="Across a token expiry")
    laptop.faults.plan("/sync/push", "before_only", before=lambda: office.clock.advance(minutes=20))
    report = laptop.sync()
    assert report.sent == 1 and office.fields(contact_id) is not None
    assert "/api/v1/auth/refresh" in laptop.faults.seen


def test_a_reused_refresh_token_signs_the_device_out_and_keeps_its_work(
        laptop: Laptop, office: Office) -> None:
    stolen = laptop.credentials.get(f"{laptop.store.client_id}:refresh")
    assert stolen is not None
    office.clock.advance(minutes=20)
    laptop.sync()                                    # refreshes: the old refresh token is spent
    contact_id = laptop.contact(notes="Written before the replay")
    laptop.credentials.set(f"{laptop.store.client_id}:refresh", stolen)
    office.clock.advance(minutes=20)
    with pytest.raises(SignedOut) as raised:
        laptop.sync()
    assert raised.value.plain().startswith("Sign in to send your work.")
    assert states(laptop, contact_id) == [MutationState.PENDING]
    laptop.login()
    laptop.sync()
    assert states(laptop, contact_id) == [MutationState.APPLIED]


def test_a_clock_three_hours_wrong_warns_and_syncs_in_server_order(
        laptop: Laptop, office: Office, clock: FakeClock) -> None:
    clock.advance(hours=-3)
    first = laptop.contact(notes="Recorded on a slow clock")
    report = laptop.sync()
    assert report.clock_warning is not None and "180 minutes behind" in report.clock_warning
    assert report.sent == 1 and office.fields(first) is not None
    office.edit("contact", first, location="Room 4")
    laptop.sync()
    assert laptop.store.records.require("contact", first).fields["location"] == "Room 4"


def test_edits_on_both_sides_merge_by_field_and_the_same_field_is_a_visible_conflict(
        laptop: Laptop, office: Office, clock: FakeClock) -> None:
    contact_id = laptop.contact(notes="Start", location="Office")
    laptop.sync()
    office.edit("contact", contact_id, location="Home visit")
    laptop.store.records.save("contact", contact_id, {"notes": "Officer's account"})
    report = laptop.sync()
    assert report.conflicts == 0
    merged = office.fields(contact_id)
    assert merged is not None and merged["notes"] == "Officer's account"
    assert merged["location"] == "Home visit"
    assert laptop.store.records.require("contact", contact_id).fields["location"] == "Home visit"

    office.edit("contact", contact_id, notes="The office's account")
    laptop.store.records.save("contact", contact_id, {"notes": "The officer's second account"})
    report = laptop.sync()
    assert report.conflicts == 1
    record = laptop.store.records.require("contact", contact_id)
    assert record.state is RecordState.NEEDS_ATTENTION
    assert record.fields["notes"] == "The officer's second account"
    [conflict] = needing_attention(laptop.store)
    assert isinstance(conflict, Conflict)
    assert [(d.mine, d.theirs) for d in conflict.fields] == [
        ("The officer's second account", "The office's account")]
    resolve(laptop.store, conflict, {"notes": Pick.MINE}, clock=clock)
    report = laptop.sync()
    assert report.needs_attention == 0
    final = office.fields(contact_id)
    assert final is not None and final["notes"] == "The officer's second account"
    sources = {h.source for h in laptop.store.records.history("contact", contact_id)}
    assert {"local", "server", "resolution"} <= sources


def test_an_edit_of_a_record_deleted_at_the_office_is_a_conflict_never_a_resurrection(
        laptop: Laptop, office: Office, clock: FakeClock) -> None:
    contact_id = laptop.contact(notes="Start")
    laptop.sync()
    office.delete(contact_id)
    laptop.store.records.save("contact", contact_id, {"notes": "Edited offline"})
    report = laptop.sync()
    assert report.conflicts == 1
    server = office.fields(contact_id)
    assert server is not None and server["_deleted"]
    record = laptop.store.records.require("contact", contact_id)
    assert record.fields["notes"] == "Edited offline" and not record.deleted
    [conflict] = needing_attention(laptop.store)
    assert isinstance(conflict, Conflict) and conflict.deleted_by_server
    resolve(laptop.store, conflict, {d.name: Pick.THEIRS for d in conflict.fields}, keep_deleted=True,
            clock=clock)
    assert laptop.sync().needs_attention == 0
    assert laptop.store.records.require("contact", contact_id).deleted


def test_a_case_deallocated_with_unsent_work_keeps_that_work(
        laptop: Laptop, office: Office) -> None:
    sent = laptop.contact(notes="Already sent")
    laptop.sync()
    draft_id = "0192f6c3-0000-7000-8000-00000000d1af"
    laptop.store.records.create_draft("contact", draft_id, office.case_id,
                                      {"case_id": office.case_id, "notes": "Half-written"})
    office.server.services.admin.reallocate(office.case_id, "PO2")
    report = laptop.sync()
    assert laptop.store.records.get("contact", sent) is None
    assert laptop.store.records.require("contact", draft_id).fields["notes"] == "Half-written"
    assert laptop.store.records.get("case", office.case_id) is not None
    assert report.held_cases == 1


def test_a_server_restored_from_backup_is_resynced_and_nothing_is_lost(
        laptop: Laptop, office: Office) -> None:
    sent = laptop.contact(notes="Sent before the restore")
    laptop.sync()
    rotate_epoch(office.server.services.db)
    waiting = laptop.contact(notes="Written after the restore")
    draft_id = "0192f6c3-0000-7000-8000-00000000d2af"
    laptop.store.records.create_draft("contact", draft_id, office.case_id,
                                      {"case_id": office.case_id, "notes": "A draft"})
    report = laptop.sync()
    assert report.resynced and report.waiting == 0
    assert office.fields(waiting) is not None
    assert laptop.store.records.require("contact", sent).state is RecordState.SENT
    assert laptop.store.records.require("contact", draft_id).state is RecordState.DRAFT
    assert laptop.sync().pulled == 0


@pytest.mark.parametrize("kind", ["not_json", "truncate", "html"])
def test_a_garbled_pull_changes_nothing_and_the_next_sync_recovers(
        laptop: Laptop, office: Office, kind: str) -> None:
    office.edit("case", office.case_id, phone="01234 567890")
    cursor = laptop.engine.state().cursor
    laptop.faults.plan("/sync/pull", kind)
    with pytest.raises(ProtocolViolation):
        laptop.sync()
    assert laptop.engine.state().cursor == cursor
    assert laptop.store.records.require("case", office.case_id).fields.get("phone") is None
    laptop.sync()
    assert laptop.store.records.require("case", office.case_id).fields["phone"] == "01234 567890"


def test_a_garbled_push_answer_keeps_the_mutation_waiting(laptop: Laptop, office: Office) -> None:
    contact_id = laptop.contact(notes="Kept")
    laptop.faults.plan("/sync/push", "truncate")
    with pytest.raises(ProtocolViolation):
        laptop.sync()
    assert states(laptop, contact_id) == [MutationState.PENDING]
    laptop.sync()
    assert states(laptop, contact_id) == [MutationState.DUPLICATE]


def test_a_rejected_mutation_does_not_hold_up_the_ones_after_it(laptop: Laptop, office: Office) -> None:
    stray = laptop.contact(case_id=office.other_case_id, notes="On a case that is not mine")
    good = [laptop.contact(notes=f"Visit {n}") for n in range(3)]
    report = laptop.sync()
    assert report.rejected == 1 and report.sent == 3
    assert office.fields(stray) is None and all(office.fields(g) is not None for g in good)
    [rejection] = needing_attention(laptop.store)
    assert isinstance(rejection, Rejection) and rejection.record_id == stray
    assert laptop.store.records.require("contact", stray).fields["notes"] == "On a case that is not mine"


def test_two_devices_of_one_officer_converge(tmp_path: Path, office: Office, clock: FakeClock,
                                            laptops: list[Laptop]) -> None:
    first, second = Laptop(tmp_path / "one", office, clock), Laptop(tmp_path / "two", office, clock)
    laptops += [first, second]
    for device in (first, second):
        device.login()
        device.sync()
    a = first.contact(notes="From the office laptop")
    b = second.contact(notes="From the home laptop")
    first.sync()
    second.sync()
    first.sync()
    second.store.records.save("contact", a, {"location": "Edited on the second laptop"})
    first.store.records.save("contact", a, {"notes": "Edited on the first laptop"})
    second.sync()
    first.sync()
    second.sync()
    for device in (first, second):
        assert device.store.records.require("contact", a).fields["notes"] == "Edited on the first laptop"
        assert device.store.records.require("contact", a).fields["location"] == "Edited on the second laptop"
        assert device.store.records.require("contact", b).state is RecordState.SENT
    assert first.store.client_id != second.store.client_id


def test_the_server_clock_is_the_one_that_orders(laptop: Laptop, office: Office, clock: FakeClock) -> None:
    """A laptop clock far ahead does not make its stale copy win: server order rules."""
    contact_id = laptop.contact(notes="v1")
    laptop.sync()
    clock.advance(days=2)
    office.clock.advance(seconds=1)
    office.edit("contact", contact_id, notes="Office v2")
    laptop.sync()
    assert laptop.store.records.require("contact", contact_id).fields["notes"] == "Office v2"
    assert clock() - office.clock() > dt.timedelta(days=1)
