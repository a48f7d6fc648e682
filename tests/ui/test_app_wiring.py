"""The composition root's wire(): status bar, Sync now, edits, records_did_change, start and stop,
against the real central system on loopback and a real encrypted profile."""

from __future__ import annotations

import datetime as dt
import gc
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, wire
from caseclient.ui.announce import Announcement
from caseclient.ui.main import run
from caseclient.ui.main_window import MainWindow
from caseclient.ui.theme import ThemeApplier
from tests.helpers.central import PASSWORD, Central
from tests.helpers.clock import FakeClock
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE, WAIT_MS, open_window

pytestmark = OFFSCREEN_ONLY


def wired_window(qtbot: QtBot, services: AppServices, heard: list[Announcement]) -> MainWindow:
    window = open_window(qtbot, services, heard)
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        wire(window)
    return window


def test_sync_follows_the_session_and_the_status_bar_follows_sync(
        qtbot: QtBot, app_services: AppServices, central: Central, heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    services.signin.sign_in(central.url, "po1", PASSWORD)
    window = wired_window(qtbot, services, heard)
    bar = window.status

    assert services.sync.running
    assert bar.connection.text() == "Online"
    assert bar.last_sync.text() != "Never synced"
    assert [c.crn for c in services.caseload.cases()] == ["A000001"]
    qtbot.waitUntil(lambda: window.caseload_screen.model.rowCount() == 1)  # records_did_change

    # an edit is counted at once (the status bar says so) and goes at the next sync
    with qtbot.waitSignal(services.sync.waiting_changed, timeout=WAIT_MS):
        view = services.contacts.new_contact(central.case_id, contact_type="COAP", date="2026-11-30",
                                             start_time="10:00", notes="Typed offline")
        services.contacts.finish(view.contact.id)
    assert bar.waiting.text().startswith("1 item waiting to send")
    window.activateWindow()
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert bar.waiting.text() == "Nothing waiting to send"
    sent = central.fields(view.contact.id)
    assert sent is not None and sent["notes"] == "Typed offline"
    assert any(a.text.startswith("Sync finished: 1 sent") for a in heard)

    # lock stops the worker before the store closes; unlock starts it again
    assert _reader_running(), "the caseload's reader thread waits for the next sync's reload"
    window.lock()
    assert not services.sync.running
    assert not _reader_running(), "the lock closed the caseload reader's connection"
    assert window.pages.currentWidget() is window.unlock_screen
    # locked, nothing can sync: no Sync now that would do nothing, and the bar says why
    assert not bar.sync_button.isVisibleTo(bar)
    assert bar.connection.text() == "Locked — unlock to sync"
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        services.session.unlock(PASSPHRASE)
    assert services.sync.running and _reader_running()
    assert bar.sync_button.isVisibleTo(bar) and bar.connection.text() != "Locked — unlock to sync"
    window.close()
    assert not services.sync.running and not services.session.unlocked and not _reader_running()


def _reader_running() -> bool:
    return "caseload-reader" in [thread.name for thread in threading.enumerate()]


def test_a_profile_never_signed_in_asks_to_sign_in_and_keeps_the_work(
        qtbot: QtBot, app_services: AppServices, heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    window = wired_window(qtbot, services, heard)
    bar = window.status
    assert bar.sign_in_button.isVisibleTo(bar)
    assert bar.connection.text() == "Signed out — your work is kept on this laptop"
    assert not bar.sync_button.isEnabled()
    with qtbot.waitSignal(window.status.sign_in_requested):
        bar.sign_in_button.setFocus()
        qtbot.keyClick(bar.sign_in_button, Qt.Key.Key_Space)
    assert window.sign_in_dialog is not None and window.sign_in_dialog.isVisible()
    window.sign_in_dialog.reject()
    window.lock()
    assert not services.sync.running


def test_run_with_wire_syncs_then_stops_the_worker_on_the_way_out(
        qtbot: QtBot, qapp: QApplication, app_services: AppServices, central: Central) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    services.signin.sign_in(central.url, "po1", PASSWORD)
    restore = ThemeApplier(qapp)
    shown: list[str] = []
    windows: list[MainWindow] = []

    def wire_and_watch(window: MainWindow) -> None:
        windows.append(window)
        wire(window)

    def first_sync_then_quit(_outcome: object) -> None:
        shown.append(windows[0].status.connection.text())
        qapp.exit(0)     # not quit(): that starts closing the whole application for later tests

    services.sync.sync_finished.connect(first_sync_then_quit)
    try:
        assert run(services, ["caseclient"], wire=wire_and_watch) == 0
    finally:
        services.sync.sync_finished.disconnect(first_sync_then_quit)
        restore.apply_system()
        gc.unfreeze()                     # run() froze the heap (decision 0046)
    assert shown == ["Online"]
    assert not services.sync.running and not services.session.unlocked
    for window in windows:
        window.close()
        window.deleteLater()


def test_a_laptop_clock_far_from_the_central_systems_is_shown_and_announced(
        qtbot: QtBot, app_services: AppServices, central: Central, local_clock: FakeClock,
        heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    services.signin.sign_in(central.url, "po1", PASSWORD)
    local_clock.now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)     # two hours slow
    window = wired_window(qtbot, services, heard)
    clock = window.status.clock
    assert clock.isVisibleTo(window.status)
    assert clock.text().startswith("This laptop's clock is about 120 minutes behind the central system.")
    assert Announcement(clock.text(), assertive=False) in heard

    local_clock.now = dt.datetime.now(dt.UTC)
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        services.sync.sync_now()
    assert not clock.isVisibleTo(window.status)


def test_a_wipe_order_from_the_central_system_is_explained_and_locks(
        qtbot: QtBot, app_services: AppServices, central: Central, heard: list[Announcement]) -> None:
    services = app_services
    services.session.set_up(PASSPHRASE)
    services.signin.sign_in(central.url, "po1", PASSWORD)
    window = wired_window(qtbot, services, heard)
    assert services.caseload.cases()
    client_id = services.session.store.client_id
    central.server.services.auth.set_wipe(client_id)
    with qtbot.waitSignal(services.sync.profile_wiped, timeout=WAIT_MS):
        services.sync.sync_now()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert [b.text() for b in boxes] == ["The central system has withdrawn this laptop."]
    assert not services.sync.running and not services.session.unlocked
    assert window.pages.currentWidget() is window.unlock_screen
    boxes[0].accept()
    central.server.services.auth.set_wipe(client_id, False)
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        services.session.unlock(PASSPHRASE)
    assert services.caseload.cases() == [], "this laptop's copy was erased as ordered"
