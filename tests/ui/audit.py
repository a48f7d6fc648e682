"""Widget audit: what a screen reader and a keyboard user need from every visible control."""

from __future__ import annotations

import re
from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QLabel, QMainWindow, QWidget

_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def focusable(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if w.isVisibleTo(root) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.focusProxy() is None]


def problems(root: QWidget) -> list[str]:
    """Every focusable control must have a spoken name and a role."""
    found: list[str] = []
    for widget in focusable(root):
        interface = QAccessible.queryAccessibleInterface(widget)
        label = f"{type(widget).__name__}({widget.objectName() or widget.accessibleName()!r})"
        if interface is None or not interface.isValid():
            found.append(f"{label}: no accessible interface")
            continue
        if not interface.text(QAccessible.Text.Name).strip():
            found.append(f"{label}: no accessible name")
        if interface.role() == QAccessible.Role.NoRole:
            found.append(f"{label}: no role")
    for label_widget in root.findChildren(QLabel):
        if label_widget.isVisibleTo(root) and "&" in label_widget.text() and label_widget.buddy() is None:
            found.append(f"label {label_widget.text()!r} has a mnemonic but no buddy")
    return found


def duplicate_mnemonics(root: QWidget) -> list[str]:
    """Alt+letter keys used twice in what is on screen (the menu bar included)."""
    texts = [w.text() for w in root.findChildren(QAbstractButton) if w.isVisibleTo(root)]
    texts += [w.text() for w in root.findChildren(QLabel) if w.isVisibleTo(root) and w.buddy()]
    if isinstance(root, QMainWindow):
        texts += [action.text() for action in root.menuBar().actions()]
    keys = [m.lower() for text in texts for m in _MNEMONIC.findall(text)]
    return sorted(key for key, count in Counter(keys).items() if count > 1)
