"""Every command has a shortcut or an Alt-key path, and docs/keyboard.md lists them as the menus do.

The table in docs/keyboard.md between the GENERATED markers is made from the main
window's own menus (the same rows the Help → Keyboard shortcuts dialog shows), so the
document cannot drift: when a menu changes, this test fails and says how to regenerate
(``UPDATE_KEYBOARD_DOC=1 pytest tests/a11y/test_keyboard_reference.py``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.ui.help.shortcuts import ShortcutsDialog, markdown, shortcut_rows
from caseclient.ui.main_window import MainWindow

DOC = Path(__file__).resolve().parents[2] / "docs" / "keyboard.md"
BEGIN = "<!-- GENERATED from the menus: do not edit by hand -->\n"
END = "<!-- END GENERATED -->\n"
OFFSCREEN_ONLY = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$")


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    paths = AppPaths.resolve(tmp_path / "home")
    services: AppServices = build(paths, secrets=MemorySecretStore(),
                                  vault=KeyVault(paths.key_file, params=KdfParams.for_tests()))
    made = MainWindow(services)
    qtbot.addWidget(made)
    yield made
    services.session.lock()


def test_every_command_has_a_shortcut_or_an_alt_key_path(window: MainWindow) -> None:
    rows = shortcut_rows(window.menuBar())
    assert len(rows) >= 10
    assert [r.command for r in rows if not r.alt_keys] == []
    paths = Counter(r.alt_keys for r in rows)
    assert [path for path, count in paths.items() if count > 1] == []
    shortcuts = Counter(r.shortcut for r in rows if r.shortcut)
    assert [key for key, count in shortcuts.items() if count > 1] == []


def test_docs_keyboard_md_lists_the_menus_as_they_are(window: MainWindow) -> None:
    table = markdown(shortcut_rows(window.menuBar()))
    text = DOC.read_text("utf-8")
    assert BEGIN in text and END in text, f"{DOC} lost its GENERATED markers"
    head, rest = text.split(BEGIN, 1)
    documented, tail = rest.split(END, 1)
    if documented != table and os.environ.get("UPDATE_KEYBOARD_DOC") == "1":
        DOC.write_text(head + BEGIN + table + END + tail, "utf-8")
        documented = table
    assert documented == table, ("docs/keyboard.md differs from the menus; regenerate it with "
                                 "UPDATE_KEYBOARD_DOC=1 pytest tests/a11y/test_keyboard_reference.py")


@OFFSCREEN_ONLY
def test_the_shortcuts_dialog_is_a_named_table_reached_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    dialog = ShortcutsDialog(window.menuBar(), window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.table.hasFocus)
    table = QAccessible.queryAccessibleInterface(dialog.table)
    assert table is not None
    assert table.role() == QAccessible.Role.Table
    assert table.text(QAccessible.Text.Name) == "Keyboard shortcuts"
    header = dialog.table.horizontalHeaderItem(2)
    assert header is not None and header.text() == "Shortcut"
    commands = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert "Lock" in commands and "Find a case" in commands
    lock_row = commands.index("Lock")
    assert dialog.table.item(lock_row, 2).text() == "Ctrl+L"
    assert dialog.table.item(lock_row, 3).text() == "Alt+F, L"
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.table.currentRow() == 1
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    focused = dialog.focusWidget()
    assert focused is not None and focused.accessibleName() == "Close"
    qtbot.keyClick(focused, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
