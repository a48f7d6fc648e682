"""Small helpers that make every field speak: a label with a buddy and a name.

accessibility.md: each control gets a visible label bound with ``setBuddy`` *and*
an accessible name; hints and format rules go in the accessible description; an
error sits next to its field and becomes the field's description while it holds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def name(widget: QWidget, accessible_name: str, description: str = "") -> QWidget:
    widget.setAccessibleName(accessible_name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def buddy_label(text: str, widget: QWidget, accessible_name: str, description: str = "") -> QLabel:
    """A visible label (``text`` with its ``&`` mnemonic) bound to ``widget``, which is named."""
    label = QLabel(text)
    label.setBuddy(widget)
    name(widget, accessible_name, description)
    return label


class ErrorLabel(QLabel):
    """The error text beside a field; also set as that field's accessible description."""

    def __init__(self, field: QWidget, hint: str = "") -> None:
        super().__init__()
        self._field = field
        self._hint = hint
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setObjectName("fieldError")
        self.setVisible(False)

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))
        self._field.setAccessibleDescription(f"Error: {message}" if message else self._hint)

    def clear_error(self) -> None:
        self.show_error("")

    @property
    def message(self) -> str:
        """The error shown now ('' when none), whether or not the window is on screen."""
        return "" if self.isHidden() else self.text()
