"""Help: F1 lists every command with its keys (read from the menus); About names the version."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from caseclient import __version__
from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from caseclient.ui.help.shortcuts import ShortcutsDialog
from tests.ui.audit import duplicate_mnemonics, problems
from tests.ui.conftest import OFFSCREEN_ONLY, open_window

pytestmark = OFFSCREEN_ONLY


def test_f1_lists_the_commands_and_about_names_the_version(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str], heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    qtbot.waitUntil(window.isActiveWindow)
    window.caseload_screen.focus_search()
    qtbot.keyClick(window.caseload_screen.search, Qt.Key.Key_F1)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ShortcutsDialog) and w.isVisible()]
    assert len(dialogs) == 1
    shortcuts = dialogs[0]
    assert problems(shortcuts) == [] and duplicate_mnemonics(shortcuts) == []
    cells = {(row.menu, row.command): (row.shortcut, row.alt_keys) for row in shortcuts.rows}
    assert cells[("Go", "Needs attention")] == ("Ctrl+Shift+A", "Alt+G, A")
    assert cells[("Sync", "Sign in")] == ("", "Alt+S, S")
    assert cells[("Help", "Keyboard shortcuts")] == ("F1 or Ctrl+?", "Alt+H, K")
    shortcuts.reject()

    about = window.show_about()
    assert isinstance(about, QMessageBox)
    assert about.text() == f"Caseclient {__version__}"
    assert about.accessibleName() == "About Caseclient"
    about.accept()
