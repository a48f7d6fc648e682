"""The unlock screen shown on every start and after every lock.

A wrong passphrase says so beside the field, keeps focus in it with the text
selected (so the officer can retype at once or fix one character), and is
announced. Paste is allowed (password managers, WCAG 3.3.8). The unlock itself runs
off the UI thread; :class:`OpeningStatus` says what it is doing meanwhile.
"""

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

from caseclient.errors import KnownError
from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.forms import ErrorLabel, buddy_label, name
from caseclient.ui.session.opening import OpeningStatus

PASSPHRASE_HINT = "The passphrase you chose when Caseclient was set up on this laptop."  # noqa: S105


class UnlockScreen(QWidget):
    forgot_requested = Signal()

    def __init__(self, session: SessionService, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._announcer = announcer
        self.setAccessibleName("Unlock Caseclient")
        heading = QLabel("<h1>Unlock Caseclient</h1>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        intro = QLabel("Your case records on this laptop are encrypted. Type your passphrase to "
                       "open them.")
        intro.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        label = buddy_label("&Passphrase", self.passphrase, "Passphrase", PASSPHRASE_HINT)
        self.error = ErrorLabel(self.passphrase, PASSPHRASE_HINT)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setAutoDefault(True)
        name(self.unlock_button, "Unlock")
        self.forgot_button = QPushButton("Forgot passphrase: use the recovery &key")
        name(self.forgot_button, "Forgot passphrase",
             "Unlock with the recovery key shown when Caseclient was set up, and choose a new "
             "passphrase.")
        self.passphrase.returnPressed.connect(self.try_unlock)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.forgot_button.clicked.connect(self.forgot_requested)
        self.status = OpeningStatus(session, announcer, self._opened, self._refused)

        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.forgot_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (heading, intro, label, self.passphrase, self.error, self.status):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(2)
        QWidget.setTabOrder(self.passphrase, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.forgot_button)

    def reset(self) -> None:
        """Ready for a fresh attempt: empty field, no error, focus in it."""
        self.passphrase.clear()
        self.error.clear_error()
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_unlock(self) -> None:
        typed = self.passphrase.text()
        if not typed:
            self._refuse("Type your passphrase.")
            return
        if self.status.active or self._session.unlocking:
            return
        self.error.clear_error()
        self.status.begin(self.passphrase)
        self._session.unlock_soon(typed)

    def _opened(self) -> None:
        self.passphrase.clear()
        self.error.clear_error()

    def _refused(self, error: KnownError) -> None:
        """Wrong passphrase, too many attempts, damaged key file or store."""
        self._refuse(error.plain())

    def _refuse(self, message: str) -> None:
        self.error.show_error(message)
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
        self.passphrase.selectAll()
        self._announcer.assertive(self.passphrase, message)
