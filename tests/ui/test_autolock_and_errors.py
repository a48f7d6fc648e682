"""Auto-lock warns, can be postponed, and saves before locking; errors are shown without case data."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.errors import DiskFull
from caseclient.ui.announce import Announcement
from caseclient.ui.errors import CrashDialog, ErrorPresenter
from tests.ui.conftest import OFFSCREEN_ONLY, PASSPHRASE, open_window

pytestmark = OFFSCREEN_ONLY


def test_warning_can_be_postponed_then_locking_saves_first(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    window.open_case(case_ids["ann"])
    editor = window.new_contact(case_ids["ann"])
    assert editor is not None
    contact_id = editor.contact_id
    lock = window.autolock

    lock.set_idle_ms(400, warn_ms=300)
    with qtbot.waitSignal(lock.lock_will_warn):
        pass
    assert lock.warning.isVisible()
    assert heard[-1].assertive and "will lock in" in heard[-1].text
    qtbot.waitUntil(lock.warning.stay_button.hasFocus)
    qtbot.keyClick(lock.warning.stay_button, Qt.Key.Key_Return)
    assert not lock.warning.isVisible()
    assert services.session.unlocked
    assert heard[-1] == Announcement("Caseclient stays unlocked.", assertive=False)

    editor.activateWindow()
    editor.form.notes.setFocus()
    qtbot.keyClicks(editor.form.notes, "Typed just before the lock")
    lock.set_idle_ms(60_000, warn_ms=300)       # from here: quiet until the lock comes
    lock.set_idle_ms(300, warn_ms=150)
    with qtbot.waitSignal(services.session.session_did_lock, timeout=5000):
        pass
    assert window.pages.currentWidget() is window.unlock_screen
    assert window.editors == {}
    services.session.unlock(PASSPHRASE)
    assert services.contacts.get(contact_id).contact.notes == "Typed just before the lock"


def test_known_errors_in_plain_words_and_bugs_without_case_data(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    presenter = ErrorPresenter(lambda: window)

    presenter(DiskFull, DiskFull(), None)
    box = presenter.last_dialog
    assert isinstance(box, QMessageBox)
    assert box.text() == "The disk is full, so the last change could not be saved."
    assert box.informativeText().startswith("Your text is still in the window.")
    box.accept()

    try:
        raise ValueError("Ann Example X123456 said something private")
    except ValueError as exc:
        presenter(ValueError, exc, exc.__traceback__)
    crash = presenter.last_dialog
    assert isinstance(crash, CrashDialog)
    report = crash.details.toPlainText()
    assert report.startswith("builtins.ValueError")
    assert "test_known_errors_in_plain_words_and_bugs_without_case_data" in report
    assert "X123456" not in report and "Ann" not in report
    crash.reject()

    presenter.install()
    try:
        assert sys.excepthook is presenter
    finally:
        presenter.uninstall()
    assert sys.excepthook is not presenter
