"""Two passphrase fields and a live strength hint, shared by setup and recovery."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from caseclient.ui.forms import ErrorLabel, buddy_label
from caseclient.ui.session.strength import strength

FIRST_HINT = "At least 10 characters. Three or four unrelated words work well. Paste is allowed."
SECOND_HINT = "Type the same passphrase again, to be sure it is the one you meant."


class NewPassphraseFields(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        first_label = buddy_label("New &passphrase", self.first, "New passphrase", FIRST_HINT)
        second_label = buddy_label("Passphrase &again", self.second, "Passphrase again", SECOND_HINT)
        self.hint = QLabel(strength("").words)
        self.hint.setWordWrap(True)
        self.first_error = ErrorLabel(self.first, FIRST_HINT)
        self.second_error = ErrorLabel(self.second, SECOND_HINT)
        self.first.textChanged.connect(self._show_strength)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(first_label, self.first)
        form.addRow(self.hint)
        form.addRow(self.first_error)
        form.addRow(second_label, self.second)
        form.addRow(self.second_error)
        QWidget.setTabOrder(self.first, self.second)

    def _show_strength(self, text: str) -> None:
        words = strength(text).words
        self.hint.setText(f"Strength: {words}" if text else words)
        self.first.setAccessibleDescription(f"{FIRST_HINT} {self.hint.text()}")

    def checked(self) -> str | None:
        """The new passphrase, or None with the problems shown beside the fields."""
        first, second = self.first.text(), self.second.text()
        self.first_error.clear_error()
        self.second_error.clear_error()
        verdict = strength(first)
        if not verdict.acceptable:
            self.first_error.show_error(verdict.words)
            self.first.setFocus()
            return None
        if first != second:
            self.second_error.show_error("The two passphrases are different. Type it again.")
            self.second.setFocus()
            self.second.selectAll()
            return None
        return first

    def first_problem(self) -> str:
        return self.first_error.message or self.second_error.message

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()
        self.first_error.clear_error()
        self.second_error.clear_error()
