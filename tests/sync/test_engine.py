"""The engine against an in-memory central system: push, pull, merge, conflicts, resync, wipe."""

from __future__ import annotations

import itertools

import httpx
import pytest

from caseclient.domain.records import RecordState
from caseclient.errors import Offline, ProtocolViolation, ServerRefused, UpgradeRequired
from caseclient.storage import outbox, reconcile, sync_state
from caseclient.storage.outbox import MutationState
from caseclient.storage.store import Store
from caseclient.sync.engine import (
    MAX_PULL_CHUNK,
    MIN_PULL_CHUNK,
    STAGE_CHUNK,
    WRITE_BUDGET,
    WRITE_CHUNK,
    SyncEngine,
    next_chunk,
)
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change
from tests.sync.conftest import make_transport, new_contact
from tests.sync.fake_central import FakeCentral
from tests.sync.fakes import json_response


def states(store: Store, contact_id: str) -> list[MutationState]:
    return [m.state for m in store.records.mutations("contact", contact_id)]


def test_first_sync_pulls_the_caseload_and_sends_a_new_contact(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    report = engine.run()
    assert store.records.require("case", case_id).state is RecordState.SENT
    assert report.pulled == len(central.rows)
    contact_id = new_contact(store, case_id, notes="Met at the office")
    report = engine.run()
    assert report.sent == 1 and report.waiting == 0
    record = store.records.require("contact", contact_id)
    assert record.state is RecordState.SENT and record.version == 1 and not record.dirty
    assert central.rows[("contact", contact_id)].fields["notes"] == "Met at the office"
    assert states(store, contact_id) == [MutationState.APPLIED]
    assert engine.state().last_sync_at is not None


def test_an_edit_made_while_the_create_is_in_flight_follows_it_without_a_conflict(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="First")

    def edit_while_in_flight() -> None:
        central.before_answer = None
        store.records.save("contact", contact_id, {"notes": "Second"})

    central.before_answer = edit_while_in_flight
    engine.run()
    _first, second = store.records.mutations("contact", contact_id)
    assert second.base_version == 1 and second.state is MutationState.APPLIED
    assert central.rows[("contact", contact_id)].fields["notes"] == "Second"
    assert central.rows[("contact", contact_id)].version == 2
    assert store.records.require("contact", contact_id).state is RecordState.SENT
    assert [m["seq"] for batch in central.pushes for m in batch] == [1, 2]


def test_edits_on_both_sides_to_different_fields_merge_everywhere(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Start")
    engine.run()
    central.office_edit("contact", contact_id, location="Office 2")
    store.records.save("contact", contact_id, {"notes": "Officer's notes"})
    report = engine.run()
    assert report.conflicts == 0
    local = store.records.require("contact", contact_id)
    assert local.fields["notes"] == "Officer's notes" and local.fields["location"] == "Office 2"
    assert central.rows[("contact", contact_id)].fields["notes"] == "Officer's notes"
    assert local.state is RecordState.SENT


def test_a_pull_rebases_pending_local_edits_and_keeps_them_on_top(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Start")
    engine.run()
    central.office_edit("contact", contact_id, location="Office 2", notes="Office notes")
    store.records.save("contact", contact_id, {"notes": "Mine"})
    engine.pull()
    local = store.records.require("contact", contact_id)
    assert local.fields["notes"] == "Mine" and local.fields["location"] == "Office 2"
    assert local.server_shadow is not None and local.server_shadow["notes"] == "Office notes"
    assert states(store, contact_id) == [MutationState.APPLIED, MutationState.PENDING]


def test_the_same_field_edited_on_both_sides_needs_attention_and_keeps_the_officers_words(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Start")
    engine.run()
    central.office_edit("contact", contact_id, notes="Office wrote this")
    store.records.save("contact", contact_id, {"notes": "Officer wrote this"})
    report = engine.push()
    assert report.conflicts == 1
    local = store.records.require("contact", contact_id)
    assert local.state is RecordState.NEEDS_ATTENTION
    assert local.fields["notes"] == "Officer wrote this"
    [conflict] = outbox.needing_attention(store.db.raw)
    assert conflict.result is not None
    assert conflict.result["server_record"]["fields"]["notes"] == "Office wrote this"
    sides = [(h.source, h.new_values.get("notes")) for h in store.records.history("contact", contact_id)]
    assert ("server", "Office wrote this") in sides and ("local", "Officer wrote this") in sides
    assert central.rows[("contact", contact_id)].fields["notes"] == "Office wrote this"


def test_a_record_in_conflict_holds_its_later_edits_while_other_records_keep_syncing(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    held = new_contact(store, case_id, notes="Start")
    engine.run()
    central.office_edit("contact", held, notes="Office")
    store.records.save("contact", held, {"notes": "Mine"})
    engine.run()
    store.records.save("contact", held, {"location": "Later edit"})
    other = new_contact(store, case_id, notes="Another visit")
    report = engine.run()
    assert report.sent == 1 and report.waiting == 1
    assert ("contact", other) in central.rows
    assert states(store, held)[-1] is MutationState.PENDING
    assert store.records.mutations("contact", held)[-1].wire_seq is None
    assert "location" not in central.rows[("contact", held)].fields or \
        central.rows[("contact", held)].fields.get("location") != "Later edit"


def test_retry_later_puts_the_mutation_back_and_stops_the_push(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    first = new_contact(store, case_id, notes="one")
    second = new_contact(store, case_id, notes="two")
    central.retry_later_ids.add(store.records.mutations("contact", first)[0].mutation_id)
    report = engine.push()
    assert report.deferred and report.sent == 0
    assert states(store, first) == [MutationState.PENDING]
    assert states(store, second) == [MutationState.PENDING]
    assert store.records.mutations("contact", second)[0].wire_seq == 2
    report = engine.push()
    assert report.sent == 2 and ("contact", second) in central.rows


def test_a_lost_response_is_resent_and_answered_duplicate(
        store: Store, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    lost = {"left": 1}

    def dropping(request: httpx.Request) -> httpx.Response:
        response = central.handler(request)
        if request.url.path.endswith("/sync/push") and lost["left"]:
            lost["left"] -= 1
            raise httpx.ReadError("connection reset after the server committed")
        return response

    engine = SyncEngine(store, make_transport(store, central, httpx.MockTransport(dropping)),
                        clock=clock)
    engine.pull()
    contact_id = new_contact(store, case_id, notes="Sent once")
    engine.push()
    [mutation] = store.records.mutations("contact", contact_id)
    # the transport replayed the same request; the ledger answered from memory
    assert mutation.state is MutationState.DUPLICATE and mutation.attempts == 1
    assert len(central.pushes) == 2 and central.rows[("contact", contact_id)].version == 1


def test_offline_keeps_everything_waiting_with_its_number(
        store: Store, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route")

    contact_id = new_contact(store, case_id, notes="Kept")
    engine = SyncEngine(store, make_transport(store, central, httpx.MockTransport(down)), clock=clock)
    with pytest.raises(Offline):
        engine.push()
    [mutation] = store.records.mutations("contact", contact_id)
    assert mutation.state is MutationState.PENDING and mutation.wire_seq == 1
    assert store.records.require("contact", contact_id).fields["notes"] == "Kept"


def test_a_malformed_push_answer_changes_nothing_and_the_mutation_waits(
        store: Store, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    def garbled(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/push"):
            return httpx.Response(200, content=b'{"results": [', headers={"content-type": "application/json"})
        return central.handler(request)

    contact_id = new_contact(store, case_id, notes="Kept")
    engine = SyncEngine(store, make_transport(store, central, httpx.MockTransport(garbled)), clock=clock)
    with pytest.raises(ProtocolViolation):
        engine.push()
    assert states(store, contact_id) == [MutationState.PENDING]


def test_an_idempotency_mismatch_needs_attention_and_is_never_dropped(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Mine")
    [mutation] = store.records.mutations("contact", contact_id)
    central.ledger[mutation.mutation_id] = ("another-hash", {"result": "applied", "version": 1})
    report = engine.push()
    assert report.rejected == 1
    [kept] = store.records.mutations("contact", contact_id)
    assert kept.state is MutationState.REJECTED and kept.fields["notes"] == "Mine"
    assert store.records.require("contact", contact_id).state is RecordState.NEEDS_ATTENTION


def test_a_server_that_lost_answers_gets_them_again(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    ids = [new_contact(store, case_id, notes=f"n{n}") for n in range(3)]
    engine.push()
    central.last_seq = 1                      # restored: seqs 2 and 3 forgotten
    for key in [("contact", i) for i in ids[1:]]:
        central.rows.pop(key)
    for mutation_id in [store.records.mutations("contact", i)[0].mutation_id for i in ids[1:]]:
        central.ledger.pop(mutation_id)
    fresh = new_contact(store, case_id, notes="new")
    engine.push()
    assert all(("contact", i) in central.rows for i in [*ids, fresh])
    assert store.records.mutations("contact", fresh)[0].state is MutationState.APPLIED
    assert store.records.mutations("contact", fresh)[0].wire_seq == 4


def test_pull_pages_land_with_their_cursor(store: Store, central: FakeCentral, clock: FakeClock,
                                           case_id: str) -> None:
    seen: list[int] = []
    engine = SyncEngine(store, make_transport(store, central), clock=clock, page_size=5,
                        on_progress=seen.append)
    report = engine.pull()
    assert report.pulled == len(central.rows) and len(seen) >= 3
    assert engine.state().cursor == f"e1:{central.commit}"
    assert engine.pull().pulled == 0


def test_deallocation_removes_the_case_but_keeps_unsent_work(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    sent = new_contact(store, case_id, notes="Already sent")
    engine.run()
    draft_id = "0192f6c3-0000-7000-8000-00000000d1af"
    store.records.create_draft("contact", draft_id, case_id, {"case_id": case_id, "notes": "Draft"})
    central.deallocate(case_id)
    report = engine.run()
    assert store.records.get("contact", sent) is None
    assert store.records.get("contact", draft_id) is not None
    assert store.records.get("case", case_id) is not None and report.held_cases == 1
    store.records.delete("contact", draft_id, None)
    assert engine.run().held_cases == 0
    assert store.records.get("case", case_id) is None


def test_deallocation_with_a_rejected_edit_keeps_it_for_the_officer(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="Sent")
    engine.run()
    store.records.save("contact", contact_id, {"notes": "Unsent edit"})
    central.deallocate(case_id)
    report = engine.run()
    assert report.rejected == 1 and report.held_cases == 1
    assert store.records.require("contact", contact_id).fields["notes"] == "Unsent edit"


def test_a_new_epoch_reloads_the_caseload_keeping_drafts_and_the_outbox(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    gone = new_contact(store, case_id, notes="Will vanish from the server")
    engine.run()
    central.rows.pop(("contact", gone))
    waiting = new_contact(store, case_id, notes="Waiting")
    central.retry_later_ids.add(store.records.mutations("contact", waiting)[0].mutation_id)
    central.restore_backup("e2", central.last_seq)
    report = engine.run()
    assert report.resynced
    assert store.records.get("contact", gone) is None
    assert store.records.require("contact", waiting).fields["notes"] == "Waiting"
    assert engine.state().epoch == "e2"
    assert engine.run().sent == 1 and ("contact", waiting) in central.rows


def test_a_reload_stages_a_large_page_in_short_transactions(
        store: Store, central: FakeCentral, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reload's page of more than STAGE_CHUNK records is staged a chunk per transaction
    (staging is read only by the swap), and the reload still lands whole."""
    for n in range(STAGE_CHUNK + 40):
        central.seed(case_change(f"X{n:06d}", "Ann", f"Example{n}"))
    engine = SyncEngine(store, make_transport(store, central), clock=clock, page_size=2_000)
    staged: list[int] = []
    real_stage = sync_state.stage

    def noting(conn: object, records: list[sync_state.StagedRecord]) -> None:
        staged.append(len(records))
        real_stage(conn, records)

    monkeypatch.setattr(sync_state, "stage", noting)
    report = engine.resync()
    assert report.resynced and report.pulled == len(central.rows)
    assert staged == [STAGE_CHUNK, len(central.rows) - STAGE_CHUNK]
    assert store.db.raw.execute("SELECT count(*) FROM records").fetchone()[0] == len(central.rows)
    assert store.db.raw.execute("SELECT count(*) FROM records_staging").fetchone()[0] == 0


def test_a_410_on_pull_pushes_first_then_reloads(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    with store.db.transaction() as conn:
        sync_state.set_cursor(conn, "e1:not-a-number", "e1")
    report = engine.run()
    assert report.resynced and store.records.get("case", case_id) is not None


def test_a_wipe_order_sends_what_it_can_then_erases_and_says_so(
        store: Store, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    wiped: list[bool] = []
    engine = SyncEngine(store, make_transport(store, central), clock=clock,
                        on_wipe=lambda: wiped.append(True))
    engine.run()
    contact_id = new_contact(store, case_id, notes="Last words")
    central.wipe = True
    report = engine.run()
    assert report.wiped and wiped == [True] and report.erased_unsent == 0
    assert ("contact", contact_id) in central.rows
    assert store.records.all("case") == [] and store.outbox_counts() == {}
    assert "erased" in report.summary()


def test_a_clock_three_hours_wrong_is_a_warning_and_nothing_else(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    clock.advance(hours=3)
    contact_id = new_contact(store, case_id, notes="Recorded on a wrong clock")
    report = engine.run()
    assert report.clock_warning is not None and "180 minutes" in report.clock_warning
    assert report.sent == 1 and ("contact", contact_id) in central.rows


def test_a_schema_outside_the_servers_range_asks_for_an_upgrade(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    central.schema = (2, 3)
    contact_id = new_contact(store, case_id)
    with pytest.raises(UpgradeRequired):
        engine.run()
    assert states(store, contact_id) == [MutationState.PENDING]


def test_a_wrong_content_type_is_not_understood_and_changes_nothing(
        store: Store, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    def html(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/pull"):
            return httpx.Response(200, content=b"<html>proxy login</html>",
                                  headers={"content-type": "text/html"})
        return central.handler(request)

    engine = SyncEngine(store, make_transport(store, central, httpx.MockTransport(html)), clock=clock)
    with pytest.raises(ProtocolViolation):
        engine.pull()
    assert store.records.all("case") == [] and engine.state().cursor is None


def test_a_pulled_change_older_than_the_local_copy_is_ignored(
        store: Store, engine: SyncEngine, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="v1")
    engine.run()
    store.records.save("contact", contact_id, {"notes": "v2"})
    engine.push()
    stale = {**central.rows[("contact", contact_id)].change(), "version": 1, "fields": {"notes": "v1"}}

    def replaying(request: httpx.Request) -> httpx.Response:
        return json_response(200, {"changes": [stale], "next_cursor": "e1:1", "has_more": False,
                                   "epoch": "e1"})

    late = SyncEngine(store, make_transport(store, central, httpx.MockTransport(replaying)), clock=clock)
    assert late.pull().pulled == 1
    assert store.records.require("contact", contact_id).fields["notes"] == "v2"
    assert store.records.require("contact", contact_id).version == 2


def test_an_update_without_a_base_takes_the_records_version_when_its_create_is_long_answered(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str, clock: FakeClock) -> None:
    engine.run()
    contact_id = new_contact(store, case_id, notes="v1")
    engine.run()
    with store.db.transaction() as conn:       # as left by an older Caseclient
        outbox.enqueue(conn, record_type="contact", record_id=contact_id, op="update",
                       base_version=None, fields={"notes": "v2"}, now=clock())
    assert engine.push().sent == 1
    assert store.records.mutations("contact", contact_id)[-1].base_version == 1
    assert central.rows[("contact", contact_id)].fields["notes"] == "v2"


def test_records_new_to_this_laptop_are_searchable_after_a_pull(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    engine.run()
    assert [hit.record_id for hit in store.records.search("Exampl")] == [case_id]
    central.office_edit("case", case_id, last_name="Renamed")
    engine.run()
    assert [hit.record_id for hit in store.records.search("Renamed")] == [case_id]
    assert store.records.search("Exampl") == []


def test_a_pulled_page_looks_records_up_by_index_not_by_scanning_the_table(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    """Each page's lookups (which records are new) must use the ``(record_type, id)`` index:
    a scan per page makes a first pull cost in proportion to what is already stored."""
    engine.run()
    central.office_edit("case", case_id, last_name="Renamed")
    central.seed(case_change("X654321", "Bea", "Second"))
    statements: list[str] = []
    store.db.raw.set_trace_callback(statements.append)
    try:
        assert engine.pull().pulled == 2
    finally:
        store.db.raw.set_trace_callback(None)
    lookups = [s for s in statements if s.lstrip().upper().startswith("SELECT")
               and "FROM records WHERE" in s and " IN (" in s]
    assert lookups                      # local_versions
    for statement in lookups:
        plan = " ".join(str(row[3]) for row in store.db.raw.execute("EXPLAIN QUERY PLAN " + statement))
        assert "SCAN records" not in plan and ("USING INDEX" in plan
                                               or "USING INTEGER PRIMARY KEY" in plan), plan


def test_a_large_page_is_written_in_short_transactions_with_its_cursor_last(
        store: Store, central: FakeCentral, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page of 253 records (13 reference entries, 240 cases) lands in three transactions
    (WRITE_CHUNK records each while each holds the lock for the write budget) so the UI thread
    never waits on a long one; the cursor moves only with the last, so a failure part way
    re-pulls the page and takes the records already written again unchanged."""
    cases = [case_change(f"X{n:06d}", "Ann", f"Example{n}") for n in range(240)]
    for change in cases:
        central.seed(change)
    ticks = itertools.count()
    engine = SyncEngine(store, make_transport(store, central), clock=clock, page_size=500,
                        timer=lambda: next(ticks) * WRITE_BUDGET)     # each holds the budget
    writes = 0
    real_insert = reconcile.insert_prepared

    def failing_second_chunk(conn: object, staged: list[reconcile.NewRecord], now: object) -> None:
        nonlocal writes
        writes += 1
        if writes == 2:
            raise OSError("disk gone")
        real_insert(conn, staged, now)  # type: ignore[arg-type]

    monkeypatch.setattr(reconcile, "insert_prepared", failing_second_chunk)
    with pytest.raises(OSError):
        engine.pull()
    assert engine.state().cursor is None
    held = store.db.raw.execute("SELECT count(*) FROM records").fetchone()[0]
    assert held == WRITE_CHUNK          # the first chunk (reference lists, cases) stays, harmless
    monkeypatch.setattr(reconcile, "insert_prepared", real_insert)
    statements: list[str] = []
    store.db.raw.set_trace_callback(statements.append)
    try:
        assert engine.pull().pulled == len(central.rows)
    finally:
        store.db.raw.set_trace_callback(None)
    assert sum(1 for s in statements if s.startswith("BEGIN")) == 3
    assert engine.state().cursor == f"e1:{central.commit}"
    assert sorted(c.id for c in store.records.all("case")) == sorted(c["record_id"] for c in cases)
    assert all(record.version == 1 and not record.dirty for record in store.records.all("case"))
    assert store.records.history("case", cases[0]["record_id"]) == []


def test_a_page_is_written_grouped_by_case_in_commit_order_within_each(
        store: Store, central: FakeCentral, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records of a page are written case by case (fewer index pages a commit, decision 0038),
    each case's in the order the server sent them, so a case still lands before its contacts."""
    cases = [case_change(f"X{n:06d}", "Ann", f"Example{n}") for n in range(3)]
    for change in cases:
        central.seed(change)
    contacts = [{"record_type": "contact", "record_id": f"00000000-0000-4000-8000-{n:012d}",
                 "fields": {"case_id": cases[n % 3]["record_id"], "contact_type": "COAP",
                            "notes": f"visit {n}"}} for n in range(12)]      # the cases interleaved
    for change in contacts:
        central.seed(change)
    written: list[tuple[str, str]] = []
    real_insert = reconcile.insert_prepared

    def noting(conn: object, staged: list[reconcile.NewRecord], now: object) -> None:
        written.extend((s.record_type, s.record_id) for s in staged)
        real_insert(conn, staged, now)  # type: ignore[arg-type]

    monkeypatch.setattr(reconcile, "insert_prepared", noting)
    engine = SyncEngine(store, make_transport(store, central), clock=clock, page_size=500)
    assert engine.pull().pulled == len(central.rows)
    owner = {c["record_id"]: c["record_id"] for c in cases} | {
        c["record_id"]: c["fields"]["case_id"] for c in contacts}
    order = [owner.get(record_id, "") for _type, record_id in written]
    runs = [case for n, case in enumerate(order) if n == 0 or order[n - 1] != case]
    assert len(runs) == len(set(order)) == 4         # reference lists, then each case in one run
    for case in cases:
        mine = [r for _t, r in written if owner.get(r) == case["record_id"]]
        assert mine == [case["record_id"], *(c["record_id"] for c in contacts
                                             if c["fields"]["case_id"] == case["record_id"])]
    assert {c.id for c in store.records.all("contact")} == {c["record_id"] for c in contacts}


def test_next_chunk_fits_the_write_budget_and_grows_at_most_twofold() -> None:
    assert next_chunk(100, WRITE_BUDGET) == 100
    assert next_chunk(400, 2 * WRITE_BUDGET) == 200            # twice too slow: half as many
    assert next_chunk(200, 4 * WRITE_BUDGET) == MIN_PULL_CHUNK == WRITE_CHUNK   # never fewer
    assert next_chunk(100, WRITE_BUDGET / 10) == 200           # fast: twice as many, no more
    assert next_chunk(100, 0.0) == 200                         # a timer too coarse to see it
    assert next_chunk(MAX_PULL_CHUNK, 0.0) == MAX_PULL_CHUNK   # nor more


class HeldFor:
    """An engine timer by which each timed transaction held the lock the next of ``holds``
    seconds (the engine reads it after taking the lock and after the commit)."""

    def __init__(self, holds: list[float]) -> None:
        self._holds = iter(holds)
        self._now = 0.0
        self._inside = False

    def __call__(self) -> float:
        if self._inside:
            self._now += next(self._holds)
        self._inside = not self._inside
        return self._now


def test_pulled_transactions_follow_the_time_they_hold_the_lock(
        store: Store, central: FakeCentral, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sized by the injected timer: they grow at most twofold while they fit the budget, and
    after one twice over it the next takes half as many. Every record lands, the cursor with
    the page's last transaction."""
    for n in range(940):
        central.seed(case_change(f"X{n:06d}", "Ann", f"Example{n}"))
    engine = SyncEngine(store, make_transport(store, central), clock=clock, page_size=1_000,
                        timer=HeldFor([WRITE_BUDGET / 10, WRITE_BUDGET / 2, 2 * WRITE_BUDGET,
                                       WRITE_BUDGET, WRITE_BUDGET]))
    sizes: list[int] = []
    real_insert = reconcile.insert_prepared

    def noting(conn: object, staged: list[reconcile.NewRecord], now: object) -> None:
        sizes.append(len(staged))                   # one call a transaction here
        real_insert(conn, staged, now)  # type: ignore[arg-type]

    monkeypatch.setattr(reconcile, "insert_prepared", noting)
    begun: list[str] = []
    store.db.raw.set_trace_callback(lambda sql: begun.append(sql) if sql.startswith("BEGIN") else None)
    try:
        assert engine.pull().pulled == len(central.rows) == 953
    finally:
        store.db.raw.set_trace_callback(None)
    assert len(begun) == 5
    assert sizes == [WRITE_CHUNK, 200, 400, 200, 53]
    assert engine.state().cursor == f"e1:{central.commit}"
    assert store.db.raw.execute("SELECT count(*) FROM records").fetchone()[0] == 953


def test_a_page_with_a_case_leaving_is_written_in_commit_order(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    engine.run()
    second = case_change("X654321", "Bea", "Second")
    central.seed(second)
    central.deallocate(case_id)
    central.seed(case_change("X000001", "Cy", "Third"))
    seen: list[list[str]] = []
    real_insert = reconcile.insert_prepared

    def noting(conn: object, staged: list[reconcile.NewRecord], now: object) -> None:
        seen.append([s.record_id for s in staged])
        real_insert(conn, staged, now)  # type: ignore[arg-type]

    monkeypatch.setattr(reconcile, "insert_prepared", noting)
    engine.pull()
    assert next(ids for ids in seen if ids) == [second["record_id"]]   # written before the case left
    assert store.records.get("case", case_id) is None


def test_the_next_page_failing_surfaces_after_this_page_has_landed_with_its_cursor(
        store: Store, central: FakeCentral, clock: FakeClock, case_id: str) -> None:
    """The next page is asked for while this one is written; when that request fails, this
    page is still written with its cursor first, and the error is the run's, as when the
    pages were fetched in turn. The next pull starts from the page after it."""
    asked: list[str | None] = []

    def second_page_fails(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/pull"):
            asked.append(request.url.params.get("cursor"))
            if len(asked) == 2:
                return json_response(500, {"error": "internal", "detail": "Try later."})
        return central.handler(request)

    engine = SyncEngine(store, make_transport(store, central, httpx.MockTransport(second_page_fails)),
                        clock=clock, page_size=5)
    with pytest.raises(ServerRefused):
        engine.pull()
    first_cursor = engine.state().cursor
    assert first_cursor is not None and asked == [None, first_cursor]
    assert store.db.raw.execute("SELECT count(*) FROM records").fetchone()[0] == 5
    report = engine.pull()
    assert asked[2] == first_cursor and report.pulled == len(central.rows) - 5
    assert engine.state().cursor == f"e1:{central.commit}"


def test_only_pulled_pages_commit_without_waiting_for_the_disk(
        store: Store, engine: SyncEngine, central: FakeCentral, case_id: str) -> None:
    """A pulled page is fetched again if a power cut takes it (its cursor goes with it), so
    its transactions skip the fsync (decision 0045); what cannot be fetched again (a batch
    marked sending before its request, the answers, the last-sync time) waits for the disk."""
    engine.run()
    new_contact(store, case_id, notes="Phoned; all well")
    central.office_edit("case", case_id, last_name="Okafor")
    statements: list[str] = []
    store.db.raw.set_trace_callback(statements.append)
    try:
        report = engine.run()
    finally:
        store.db.raw.set_trace_callback(None)
    assert report.sent == 1 and report.pulled == 2        # the office's edit, our contact back
    transactions: list[tuple[bool, str]] = []          # (durable, its statements)
    durable, body = True, ""
    for sql in statements:
        if sql.startswith("PRAGMA synchronous = NORMAL"):
            durable = False
        elif sql.startswith("PRAGMA synchronous = FULL"):
            durable = True
        elif sql.startswith("BEGIN"):
            body = ""
        elif sql.startswith("COMMIT"):
            transactions.append((durable, body))
        else:
            body += sql + "\n"
    relaxed = [body for durable, body in transactions if not durable]
    assert len(relaxed) == 1 and "'sync_cursor'" in relaxed[0] and "INSERT INTO history" in relaxed[0]
    sent = [durable for durable, body in transactions if "UPDATE outbox SET state" in body]
    assert len(sent) == 2 and all(sent)                # marked sending, then its answer
    assert store.db.raw.execute("PRAGMA synchronous").fetchone()[0] == 2
