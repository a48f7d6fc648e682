"""The sync status bar shows what the sync service reports, in words, and asks for sync by keyboard."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from caseclient.ui.sync_status.status import SyncStatus
from tests.helpers.clock import FakeClock
from tests.ui.conftest import OFFSCREEN_ONLY, open_window

pytestmark = OFFSCREEN_ONLY


def test_status_in_words_and_announced_when_it_changes(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str], local_clock: FakeClock,
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    bar = window.status
    assert bar.connection.text() == "Not connected yet"
    assert bar.last_sync.text() == "Never synced"
    assert bar.waiting.text() == "Nothing waiting to send"
    assert not bar.sign_in_button.isVisibleTo(bar)

    now = local_clock()
    bar.show_status(SyncStatus(online=False, last_sync=now - dt.timedelta(hours=3), waiting=3,
                               oldest_waiting=now - dt.timedelta(minutes=40), needs_attention=1))
    assert bar.connection.text() == "Offline — your work is kept"
    assert bar.last_sync.text() == "Last sync 3 hours ago"
    assert bar.waiting.text() == "3 items waiting to send, oldest 40 minutes ago"
    assert bar.attention.text() == "1 needs attention"
    assert Announcement("Offline — your work is kept", assertive=False) in heard
    assert heard[-1] == Announcement("1 needs attention", assertive=False)

    bar.show_status(SyncStatus(online=False, busy=True, waiting=3))
    assert bar.connection.text() == "Central system busy — your work is kept"
    assert Announcement("Central system busy — your work is kept", assertive=False) in heard

    bar.show_status(SyncStatus(online=True, signed_out=True, waiting=3))
    assert bar.sign_in_button.isVisibleTo(bar)
    assert not bar.sync_button.isEnabled()
    with qtbot.waitSignal(bar.sign_in_requested):
        bar.sign_in_button.setFocus()
        qtbot.keyClick(bar.sign_in_button, Qt.Key.Key_Space)

    bar.show_status(SyncStatus(online=True, last_sync=now))
    assert bar.connection.text() == "Online"
    assert not bar.sign_in_button.isVisibleTo(bar)
    with qtbot.waitSignal(bar.sync_requested):
        window.sync_action.trigger()
    assert window.sync_action.shortcut().toString() == "F5"
