"""Every screen and dialog: named controls with roles, labelled mnemonics, no Alt-key clashes."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from caseclient.ui.errors import CrashDialog
from caseclient.ui.main_window import MainWindow
from tests.ui.audit import duplicate_mnemonics, focusable, problems
from tests.ui.conftest import OFFSCREEN_ONLY, open_window

pytestmark = OFFSCREEN_ONLY


def _audited(root: QWidget) -> None:
    assert focusable(root), "a screen with nothing to reach by keyboard"
    assert problems(root) == []
    assert duplicate_mnemonics(root) == []


def test_first_run_screens(qtbot: QtBot, services: AppServices, heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    _audited(window)
    window.setup_screen.setCurrentWidget(window.setup_screen.key_page)
    window.setup_screen.recovery_key.setText("ABCD-EFGH")
    _audited(window)


def test_unlock_and_recovery_screens(qtbot: QtBot, services: AppServices, recovery_key: str,
                                     heard: list[Announcement]) -> None:
    services.session.lock()
    window = open_window(qtbot, services, heard)
    _audited(window)
    window.show_recover()
    _audited(window)


def test_workspace_case_and_editor(qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
                                   heard: list[Announcement]) -> None:
    window: MainWindow = open_window(qtbot, services, heard)
    _audited(window)
    window.open_case(case_ids["ann"])
    _audited(window)
    editor = window.new_contact(case_ids["ann"])
    assert editor is not None
    _audited(editor)
    editor.finish()                       # with errors showing too
    _audited(editor)


def test_dialogs(qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
                 heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    warning = window.autolock.warning
    warning.message.setText("Caseclient will lock in 60 seconds.")
    warning.open()
    _audited(warning)
    warning.accept()
    crash = CrashDialog("builtins.ValueError", window)
    qtbot.addWidget(crash)
    crash.open()
    _audited(crash)
    crash.reject()


def test_the_audit_catches_what_it_looks_for(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    for widget in (QLineEdit(), QLabel("&Orphan label"), QPushButton("&One"), QPushButton("&Other")):
        layout.addWidget(widget)
    root.show()
    found = problems(root)
    assert any("QLineEdit" in p and "no accessible name" in p for p in found)
    assert any("Orphan label" in p for p in found)
    assert duplicate_mnemonics(root) == ["o"]
