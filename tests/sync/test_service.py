"""SyncService: a real worker QThread with its own connection to the same encrypted file."""

from __future__ import annotations

from pathlib import Path

import httpx
from pytestqt.qtbot import QtBot

from caseclient.errors import CentralBusy, Offline
from caseclient.services.sync import SyncService
from caseclient.storage.store import Store
from caseclient.sync.conflicts import Conflict, Pick
from caseclient.sync.factory import EngineFactory
from caseclient.sync.scheduler import SyncOutcome
from caseclient.sync.transport import RetryPolicy, ServerConfig
from tests.helpers.clock import FakeClock
from tests.sync.conftest import new_contact
from tests.sync.fake_central import FakeCentral
from tests.sync.fakes import MemoryCredentials

WAIT_MS = 30_000   # a hang guard, not a speed requirement


def service_for(store: Store, store_path: Path, key_pragma: str, clock: FakeClock,
                http: httpx.BaseTransport, *, signed_in: bool = True) -> SyncService:
    creds = MemoryCredentials()
    if signed_in:
        creds.set(f"{store.client_id}:access", "a1")
        creds.set(f"{store.client_id}:refresh", "r1")
    factory = EngineFactory(store_path, key_pragma, store_path.parent / "backups",
                            ServerConfig("https://central.example"), creds, clock=clock, http=http,
                            retry=RetryPolicy(attempts=1), page_size=5)
    return SyncService(lambda: store, clock, factory, signed_in=lambda: signed_in)


def test_sync_runs_on_start_and_on_sync_now_and_the_status_follows(
        qtbot: QtBot, store: Store, store_path: Path, key_pragma: str, clock: FakeClock,
        central: FakeCentral, case_id: str) -> None:
    service = service_for(store, store_path, key_pragma, clock, central.transport)
    progress: list[int] = []
    service.pull_progress.connect(progress.append)
    try:
        with qtbot.waitSignal(service.sync_finished, timeout=WAIT_MS) as first:
            service.start()
        outcome = first.args[0]
        assert isinstance(outcome, SyncOutcome) and outcome.ok
        assert store.records.get("case", case_id) is not None
        assert progress and progress[-1] == len(central.rows)
        assert service.status.online is True and service.status.last_sync_at is not None

        with qtbot.waitSignal(service.waiting_changed, timeout=WAIT_MS) as waiting:
            contact_id = new_contact(store, case_id, notes="Typed on the UI thread")
            service.note_edit()
        assert waiting.args[0] == 1 and service.status.message == "1 item(s) waiting to be sent."
        with qtbot.waitSignal(service.sync_finished, timeout=WAIT_MS):
            service.sync_now()
        assert ("contact", contact_id) in central.rows
        assert service.status.waiting == 0 and service.status.message == "Everything is sent."
    finally:
        service.stop()
    assert not service.running


def test_offline_is_announced_and_nothing_waiting_is_lost(
        qtbot: QtBot, store: Store, store_path: Path, key_pragma: str, clock: FakeClock,
        central: FakeCentral, case_id: str) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to the central system")

    contact_id = new_contact(store, case_id, notes="Written offline")
    service = service_for(store, store_path, key_pragma, clock, httpx.MockTransport(down))
    clock.advance(minutes=42)
    try:
        with qtbot.waitSignal(service.online_changed, timeout=WAIT_MS) as online:
            service.start()
        assert online.args == [False]
        qtbot.waitUntil(lambda: service.status.waiting == 1, timeout=WAIT_MS)
        assert service.status.message == Offline.message
        assert service.status.oldest_waiting_age is not None
        assert service.status.oldest_waiting_age.total_seconds() == 42 * 60
    finally:
        service.stop()
    assert store.records.require("contact", contact_id).fields["notes"] == "Written offline"


def test_a_busy_central_system_is_told_apart_from_being_offline(
        qtbot: QtBot, store: Store, store_path: Path, key_pragma: str, clock: FakeClock,
        case_id: str) -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "600"},
                              json={"error": "unavailable", "detail": "Busy."})

    new_contact(store, case_id, notes="Kept while it is busy")
    service = service_for(store, store_path, key_pragma, clock, httpx.MockTransport(busy))
    try:
        with qtbot.waitSignal(service.sync_finished, timeout=WAIT_MS) as finished:
            service.start()
        assert isinstance(finished.args[0], SyncOutcome) and finished.args[0].busy
        assert service.status.online is False and service.status.busy
        assert service.status.message == CentralBusy.message
        qtbot.waitUntil(lambda: service.status.waiting == 1, timeout=WAIT_MS)
    finally:
        service.stop()


def test_signed_out_asks_to_sign_in_and_keeps_the_work(
        qtbot: QtBot, store: Store, store_path: Path, key_pragma: str, clock: FakeClock,
        central: FakeCentral, case_id: str) -> None:
    new_contact(store, case_id, notes="Kept until sign-in")
    service = service_for(store, store_path, key_pragma, clock, central.transport, signed_in=False)
    try:
        with qtbot.waitSignal(service.sign_in_needed, timeout=WAIT_MS) as asked:
            service.start()
        assert asked.args == ["Sign in to send your work."]
        qtbot.waitUntil(lambda: service.status.waiting == 1, timeout=WAIT_MS)
    finally:
        service.stop()


def test_conflicts_are_counted_and_resolved_through_the_service(
        qtbot: QtBot, store: Store, store_path: Path, key_pragma: str, clock: FakeClock,
        central: FakeCentral, case_id: str) -> None:
    service = service_for(store, store_path, key_pragma, clock, central.transport)
    try:
        with qtbot.waitSignal(service.sync_finished, timeout=WAIT_MS):
            service.start()
        contact_id = new_contact(store, case_id, notes="Start")
        with qtbot.waitSignal(service.sync_finished, timeout=WAIT_MS):
            service.sync_now()
        central.office_edit("contact", contact_id, notes="Theirs")
        store.records.save("contact", contact_id, {"notes": "Mine"})
        with qtbot.waitSignal(service.attention_changed, timeout=WAIT_MS) as attention:
            service.sync_now()
        assert attention.args == [1]
        [conflict] = service.needing_attention()
        assert isinstance(conflict, Conflict)
        with qtbot.waitSignal(service.attention_changed, timeout=WAIT_MS) as cleared:
            service.resolve(conflict, {"notes": Pick.MINE})
        assert cleared.args == [0]
        with qtbot.waitSignal(service.sync_finished, timeout=WAIT_MS):
            service.sync_now()
        assert central.rows[("contact", contact_id)].fields["notes"] == "Mine"
    finally:
        service.stop()
