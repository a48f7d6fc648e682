"""Help → Keyboard shortcuts: every menu command with its shortcut and its Alt-key path.

Built from the window's own menus each time it opens, so it cannot drift from them;
``docs/keyboard.md`` is generated from the same rows (tests/a11y/test_keyboard_reference.py
fails when the two differ). The list is a read-only table with headers, reached by
Tab, moved through with the arrow keys; Escape or Close leaves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from caseclient.ui.reflow import fit_to_screen

HEADERS = ("Menu", "Command", "Shortcut", "With the Alt key")
_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


@dataclass(frozen=True)
class ShortcutRow:
    menu: str
    command: str
    shortcut: str          # "" when the command has none; its Alt-key path always works
    alt_keys: str          # e.g. "Alt+F, N"

    def cells(self) -> tuple[str, str, str, str]:
        return (self.menu, self.command, self.shortcut or "—", self.alt_keys)


def plain(text: str) -> str:
    """Menu text as it is read: mnemonic markers and trailing ellipses gone."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".")


def mnemonic(text: str) -> str:
    found = _MNEMONIC.search(text)
    return found.group(1).upper() if found else ""


def shortcut_rows(menu_bar: QMenuBar) -> list[ShortcutRow]:
    """Every command in every menu of ``menu_bar``, in menu order (separators skipped)."""
    rows: list[ShortcutRow] = []
    for top in menu_bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu) or not top.isVisible():
            continue
        top_key = mnemonic(top.text())
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible() or action.menu() is not None:
                continue
            key = mnemonic(action.text())
            path = f"Alt+{top_key}, {key}" if top_key and key else ""
            rows.append(ShortcutRow(plain(top.text()), plain(action.text()), _shortcut_text(action), path))
    return rows


def _shortcut_text(action: QAction) -> str:
    portable = QKeySequence.SequenceFormat.PortableText
    return " or ".join(k.toString(portable) for k in action.shortcuts() if not k.isEmpty())


def markdown(rows: list[ShortcutRow]) -> str:
    """The rows as a Markdown table (the generated part of docs/keyboard.md)."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |")
    return "\n".join(lines) + "\n"


class ShortcutsDialog(QDialog):
    """The list of commands and their keys, read from ``menu_bar`` as it is now."""

    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.rows = shortcut_rows(menu_bar)
        intro = QLabel("Every command is in a menu: press Alt and the underlined letter of the menu, "
                       "then the underlined letter of the command, or use its shortcut.")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.rows), len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        for row_index, row in enumerate(self.rows):
            for column, text in enumerate(row.cells()):
                item = QTableWidgetItem(text)
                if text == "—":
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, "No shortcut")
                self.table.setItem(row_index, column, item)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)          # Tab leaves the table; arrows move inside
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setAccessibleDescription("One row for each command. Arrow keys move through them.")
        if self.rows:
            self.table.setCurrentCell(0, 0)
        label = QLabel("&Commands")
        label.setBuddy(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        QWidget.setTabOrder(self.table, close)
        width = sum(self.table.horizontalHeader().sectionSize(c) for c in range(len(HEADERS)))
        self.resize(max(480, width + 48), 420)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)                   # never larger than the screen (the table scrolls)
        super().showEvent(event)
