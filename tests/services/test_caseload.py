"""CaseloadService: summaries and search over a real store."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from caseclient.domain.records import RiskLevel
from caseclient.services import caseload as caseload_module
from caseclient.services.caseload import CaseloadService, CaseSummary
from caseclient.services.contacts import ContactService
from caseclient.storage import search, summaries
from caseclient.storage.database import Database
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change


def test_cases_are_listed_by_name_with_risk_in_words(caseload: CaseloadService,
                                                     seeded: dict[str, str]) -> None:
    cases = caseload.cases()
    assert [c.crn for c in cases] == ["X123456", "Y654321"]
    ann, bob = cases
    assert ann.risk_level is RiskLevel.VERY_HIGH and ann.name == "Ann Example"
    assert bob.risk_level is None and bob.tier == "C1"


def test_appointments_needing_an_outcome_and_the_next_one(caseload: CaseloadService,
                                                          contacts: ContactService,
                                                          seeded: dict[str, str]) -> None:
    contacts.new_contact(seeded["ann"], contact_type="COAP", date="2026-11-24", start_time="09:00")
    contacts.new_contact(seeded["ann"], contact_type="CHVS", date="2026-11-27", start_time="14:30")
    contacts.new_contact(seeded["ann"], contact_type="CTEL", date="2026-11-20")  # not an appointment
    ann = next(c for c in caseload.cases() if c.crn == "X123456")
    assert ann.needs_outcome == 1
    assert ann.next_appointment == dt.datetime(2026, 11, 27, 14, 30)
    assert ann.unsent == 0  # drafts are not yet waiting to be sent


def test_unsent_counts_finished_contacts_waiting(caseload: CaseloadService,
                                                 contacts: ContactService,
                                                 seeded: dict[str, str]) -> None:
    view = contacts.new_contact(seeded["bob"], contact_type="CTEL", date="2026-11-20",
                                notes="Rang about housing.")
    assert contacts.finish(view.contact.id).validation.ok
    bob = next(c for c in caseload.cases() if c.crn == "Y654321")
    assert bob.unsent == 1


def test_search_finds_cases_by_name_crn_and_notes(caseload: CaseloadService,
                                                  contacts: ContactService,
                                                  seeded: dict[str, str]) -> None:
    contacts.new_contact(seeded["bob"], notes="Talked about the allotment project")
    assert [c.crn for c in caseload.search("ann")] == ["X123456"]
    assert [c.crn for c in caseload.search("Y6543")] == ["Y654321"]
    found = caseload.search("allotm")
    assert [c.crn for c in found] == ["Y654321"] and "allotment" in (found[0].match or "")
    assert caseload.search("nothing-like-this") == []


def test_search_as_you_type_works_the_summaries_out_again_only_when_they_can_have_changed(
        caseload: CaseloadService, contacts: ContactService, seeded: dict[str, str],
        store: Store, store_path: Path, key_pragma: str, local_clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    worked_out: list[int] = []
    unsent = summaries.unsent
    monkeypatch.setattr(summaries, "unsent", lambda conn: worked_out.append(1) or unsent(conn))
    typed = contacts.new_contact(seeded["bob"], notes="Rang about housing.").contact.id
    contacts.save_draft(typed, {"notes": "Rang about housing and the allotment."})  # queued
    for typing in ("allot", "allotm", "allotment", "ho", "hous"):
        assert [c.crn for c in caseload.search(typing)] == ["Y654321"]
    assert [c.crn for c in caseload.cases()] == ["X123456", "Y654321"]
    assert len(worked_out) == 1, "nothing was committed between keystrokes"

    contacts.new_contact(seeded["bob"], contact_type="COAP", date="2026-11-24", start_time="13:00")
    [bob] = caseload.search("allot")                    # committed here: total_changes moved
    assert bob.next_appointment == dt.datetime(2026, 11, 24, 13, 0) and len(worked_out) == 2

    other = Database.open(store_path, key_pragma)       # the sync worker's own connection
    try:
        with other.transaction() as conn:
            conn.execute("UPDATE records SET dirty = 1 WHERE id = ?", (typed,))
    finally:
        other.close()
    [bob] = caseload.search("allot")                    # data_version moved
    assert bob.unsent == 1 and len(worked_out) == 3

    local_clock.advance(seconds=59)                     # 12:00:59, the same minute
    caseload.search("allot")
    assert len(worked_out) == 3
    local_clock.advance(hours=1)                        # 13:00:59: the appointment has started
    [bob] = caseload.search("allot")
    assert bob.next_appointment is None and bob.needs_outcome == 1 and len(worked_out) == 4

    caseload.forget()                                   # the session locked
    caseload.search("allot")
    assert len(worked_out) == 5


def test_a_start_time_with_seconds_is_judged_at_the_very_time_asked(
        caseload: CaseloadService, contacts: ContactService, seeded: dict[str, str],
        local_clock: FakeClock) -> None:
    contacts.new_contact(seeded["ann"], contact_type="COAP", date="2026-11-24",
                         start_time="12:00:30")
    ann = next(c for c in caseload.cases() if c.crn == "X123456")
    assert ann.next_appointment == dt.datetime(2026, 11, 24, 12, 0, 30)
    local_clock.advance(seconds=31)                     # 12:00:31, the same minute
    ann = next(c for c in caseload.cases() if c.crn == "X123456")
    assert ann.next_appointment is None and ann.needs_outcome == 1


# ---- the reader thread (refresh_soon) -------------------------------------------------------------

def _appointment(case_id: str, day: str, start: str, outcome: str | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"case_id": case_id, "contact_type": "COAP", "date": day,
                              "start_time": start, "notes": "Seen at the office."}
    if outcome is not None:
        fields["outcome"] = outcome
    return {"record_type": "contact", "record_id": str(uuid.uuid4()), "version": 1, "fields": fields}


@pytest.fixture
def with_reader(store: Store, store_path: Path, key_pragma: str,
                local_clock: FakeClock) -> Iterator[CaseloadService]:
    service = CaseloadService(lambda: store, local_clock,
                              reader=lambda: lambda: Database.open(store_path, key_pragma, check=False))
    yield service
    service.forget()


def _on_reader(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads the summaries are worked out on, in order."""
    threads: list[str] = []
    work_out = caseload_module._work_out

    def counted(store: Store, now: dt.datetime) -> tuple[dict[str, CaseSummary], bool]:
        threads.append(threading.current_thread().name)
        return work_out(store, now)

    monkeypatch.setattr(caseload_module, "_work_out", counted)
    return threads


def test_after_a_sync_the_reader_thread_works_the_summaries_out_and_they_equal_a_fresh_read(
        qtbot: QtBot, with_reader: CaseloadService, seeded: dict[str, str], store: Store,
        store_path: Path, key_pragma: str, local_clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert [c.crn for c in with_reader.cases()] == ["X123456", "Y654321"]
    threads = _on_reader(monkeypatch)
    worker = Store(Database.open(store_path, key_pragma), clock=local_clock)   # the sync worker's
    try:
        worker.records.apply_server_records([
            case_change("Z111111", "Cy", "Newman"),
            _appointment(seeded["ann"], "2026-11-24", "09:00"),               # due, no outcome
            _appointment(seeded["ann"], "2026-11-24", "15:30"),               # later today
            _appointment(seeded["bob"], "2026-11-23", "10:00", outcome="ATTC"),
            _appointment(seeded["bob"], "2026-11-26", "11:00")])
    finally:
        worker.close()
    done: list[bool] = []
    with_reader.refresh_soon(lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True])
    assert threads == ["caseload-reader"]
    shown = with_reader.cases()
    with_reader.refresh_soon(lambda: done.append(True))      # nothing changed: at once
    assert done == [True, True]
    assert threads == ["caseload-reader"], "answered from what the reader worked out"
    assert shown == CaseloadService(lambda: store, local_clock).cases()    # a fresh full read
    ann = next(c for c in shown if c.crn == "X123456")
    assert (ann.needs_outcome, ann.next_appointment) == (1, dt.datetime(2026, 11, 24, 15, 30))
    assert [c.crn for c in shown] == ["X123456", "Y654321", "Z111111"]


def test_an_answer_overtaken_by_a_commit_is_not_kept(
        qtbot: QtBot, with_reader: CaseloadService, contacts: ContactService,
        seeded: dict[str, str], store: Store, local_clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with_reader.cases()
    read, go = threading.Event(), threading.Event()
    work_out = caseload_module._work_out
    threads: list[str] = []

    def slow(store: Store, now: dt.datetime) -> tuple[dict[str, CaseSummary], bool]:
        threads.append(threading.current_thread().name)
        figures = work_out(store, now)
        read.set()
        assert go.wait(10)
        return figures

    monkeypatch.setattr(caseload_module, "_work_out", slow)
    view = contacts.new_contact(seeded["bob"], contact_type="CTEL", date="2026-11-24", notes="Rang.")
    done: list[bool] = []
    with_reader.refresh_soon(lambda: done.append(True))
    assert read.wait(10)
    assert contacts.finish(view.contact.id).validation.ok     # committed after the reader read
    go.set()
    qtbot.waitUntil(lambda: done == [True])
    assert threads == ["caseload-reader", "caseload-reader"], "asked again"
    bob = next(c for c in with_reader.cases() if c.crn == "Y654321")
    assert bob.unsent == 1
    assert len(threads) == 2
    assert with_reader.cases() == CaseloadService(lambda: store, local_clock).cases()


def test_a_lock_drops_what_the_reader_was_asked_and_ends_it(
        qtbot: QtBot, with_reader: CaseloadService, seeded: dict[str, str], store: Store) -> None:
    with_reader.cases()
    store.records.apply_server_records([case_change("Z111111", "Cy", "Newman")])
    done: list[bool] = []
    with_reader.refresh_soon(lambda: done.append(True))
    assert "caseload-reader" in [t.name for t in threading.enumerate()]
    with_reader.forget()                                    # the session locked
    assert "caseload-reader" not in [t.name for t in threading.enumerate()]
    qtbot.wait(50)
    assert done == []
    assert [c.crn for c in with_reader.cases()] == ["X123456", "Y654321", "Z111111"]   # read here


def test_after_a_sync_the_reader_thread_also_reads_each_records_case_for_search(
        qtbot: QtBot, with_reader: CaseloadService, seeded: dict[str, str], store: Store,
        store_path: Path, key_pragma: str, local_clock: FakeClock) -> None:
    """The UI thread then neither reads the rid -> case map when the caseload is shown nor at
    the first keystroke of a search, and search finds the new records' cases."""
    with_reader.cases()
    worker = Store(Database.open(store_path, key_pragma), clock=local_clock)   # the sync worker's
    try:
        worker.records.apply_server_records([_appointment(seeded["bob"], "2026-11-26", "11:00")
                                             | {"fields": {"case_id": seeded["bob"], "notes": "kingfisher"}}])
    finally:
        worker.close()
    done: list[bool] = []
    with_reader.refresh_soon(lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True])
    statements: list[str] = []
    store.db.raw.set_trace_callback(statements.append)
    try:
        with_reader.cases()
        found = with_reader.search("kingfisher")
    finally:
        store.db.raw.set_trace_callback(None)
    assert [c.crn for c in found] == ["Y654321"]
    assert [s for s in statements if "FROM record_case" in s] == \
        ["SELECT generation FROM record_case_state"] * 2, "only whether it moved, twice"


def test_the_reader_hands_its_map_over_again_until_records_are_added_moved_or_removed(
        qtbot: QtBot, with_reader: CaseloadService, seeded: dict[str, str], store: Store,
        store_path: Path, key_pragma: str, local_clock: FakeClock) -> None:
    """A sync that only changed records (or the minute moving on) does not have the reader
    read the rid -> case map again; one that added a record does, into a new map, leaving the
    one the UI thread holds as it was."""
    with_reader.cases()

    def synced(changes: list[dict[str, Any]]) -> search.CaseOwners:
        worker = Store(Database.open(store_path, key_pragma), clock=local_clock)   # the sync worker's
        try:
            worker.records.apply_server_records(changes)
        finally:
            worker.close()
        done: list[bool] = []
        with_reader.refresh_soon(lambda: done.append(True))
        qtbot.waitUntil(lambda: done == [True])
        return with_reader._case_owners()

    added = _appointment(seeded["bob"], "2026-11-26", "11:00")
    first = synced([added])
    changed = added | {"version": 2, "fields": {**added["fields"], "notes": "kingfisher"}}
    assert synced([changed]) is first, "nothing added, moved or removed: the same map"
    assert [c.crn for c in with_reader.search("kingfisher")] == ["Y654321"]
    newer = synced([_appointment(seeded["ann"], "2026-11-27", "10:00")])
    assert newer is not first and newer.current(store.db.raw)
    assert not first.current(store.db.raw), "the map handed over before was not changed"
