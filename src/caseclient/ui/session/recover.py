"""Forgot passphrase: unlock with the recovery key and choose a new passphrase."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.forms import ErrorLabel, buddy_label, name
from caseclient.ui.reflow import ScrollPage
from caseclient.ui.session.new_passphrase import NewPassphraseFields
from caseclient.ui.session.opening import OpeningStatus

KEY_HINT = ("The recovery key shown when Caseclient was set up, for example ABCD-EFGH-…. "
            "Spaces, dashes and small letters are fine.")


class RecoverScreen(QWidget):
    back_requested = Signal()

    def __init__(self, session: SessionService, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._announcer = announcer
        self.setAccessibleName("Unlock with the recovery key")
        heading = QLabel("<h1>Unlock with the recovery key</h1>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        self.key = QLineEdit()
        key_label = buddy_label("&Recovery key", self.key, "Recovery key", KEY_HINT)
        self.key_error = ErrorLabel(self.key, KEY_HINT)
        self.fields = NewPassphraseFields()
        self.unlock_button = QPushButton("&Unlock and set the new passphrase")
        self.unlock_button.setDefault(True)
        name(self.unlock_button, "Unlock and set the new passphrase")
        self.back_button = QPushButton("&Back")
        name(self.back_button, "Back to the passphrase")
        self.unlock_button.clicked.connect(self.try_recover)
        self.key.returnPressed.connect(self.try_recover)
        self.fields.second.returnPressed.connect(self.try_recover)
        self.back_button.clicked.connect(self.back_requested)
        self.status = OpeningStatus(session, announcer, self.start,
                                    lambda error: self._refuse_key(error.plain()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        body = QWidget()
        layout = QVBoxLayout(body)
        for widget in (heading, key_label, self.key, self.key_error, self.fields, self.status):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(1)
        outer = QVBoxLayout(self)                  # scrolls when the text is large for the window
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(ScrollPage(body))
        QWidget.setTabOrder(self.key, self.fields.first)
        QWidget.setTabOrder(self.fields.second, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.back_button)

    def start(self) -> None:
        self.key.clear()
        self.fields.clear()
        self.key_error.clear_error()
        self.key.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_recover(self) -> None:
        self.key_error.clear_error()
        if not self.key.text().strip():
            self._refuse_key("Type the recovery key.")
            return
        passphrase = self.fields.checked()
        if passphrase is None:
            self._announcer.assertive(self, self.fields.first_problem())
            return
        if self.status.active or self._session.unlocking:
            return
        self.status.begin(self.key, self.fields.first, self.fields.second)
        self._session.recover_soon(self.key.text(), passphrase)   # wrong key: _refuse_key

    def _refuse_key(self, message: str) -> None:
        self.key_error.show_error(message)
        self.key.setFocus(Qt.FocusReason.OtherFocusReason)
        self.key.selectAll()
        self._announcer.assertive(self.key, message)
