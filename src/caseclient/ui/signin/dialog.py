"""Sign in to the central system: server address, username, password; errors in plain words.

The address is prefilled (Settings, else the profile's last one, else IT's
configuration). Each refusal says what happened and what to do, sits beside the
field it concerns (set as that field's description), takes focus there and is
announced. Paste is allowed in every field (password managers, WCAG 3.3.8). The
request runs off the UI thread: the form is disabled and "Signing in…" announced
until the answer comes.
After first-run setup the dialog is offered with "Sign in later" instead of Cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseclient.domain.records import Officer
from caseclient.errors import KnownError, ServerRefused
from caseclient.services.signin import SignInService, TooManySignIns
from caseclient.ui.announce import Announcer
from caseclient.ui.forms import ErrorLabel, buddy_label, name
from caseclient.ui.reflow import fit_to_screen

ADDRESS_HINT = "The central system's address, such as https://cases.example.gov.uk, as IT support gave it."
LATER = "Sign in &later — your work is kept on this laptop"


class SignInDialog(QDialog):
    answered = Signal()            # the central system's answer has been shown (or acted on)

    def __init__(self, signin: SignInService, announcer: Announcer, *, address: str = "",
                 first_run: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._signin = signin
        self._announcer = announcer
        self.officer: Officer | None = None
        self._busy = False
        self.setWindowTitle("Sign in to the central system")
        self.setAccessibleName("Sign in to the central system")
        intro = QLabel("Sign in to send the work on this laptop to the central system and to "
                       "fetch your caseload. Until then, everything you record is kept here.")
        intro.setWordWrap(True)
        self.address = QLineEdit(address)
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.address_error = ErrorLabel(self.address, ADDRESS_HINT)
        self.username_error = ErrorLabel(self.username)
        self.password_error = ErrorLabel(self.password)
        form = QFormLayout()
        form.addRow(buddy_label("Central system &address", self.address, "Central system address",
                                ADDRESS_HINT), self.address)
        form.addRow(self.address_error)
        form.addRow(buddy_label("&Username", self.username, "Username"), self.username)
        form.addRow(self.username_error)
        form.addRow(buddy_label("&Password", self.password, "Password"), self.password)
        form.addRow(self.password_error)
        self.sign_in_button = QPushButton("&Sign in")
        self.sign_in_button.setDefault(True)
        name(self.sign_in_button, "Sign in")
        self.later_button = QPushButton(LATER if first_run else "Cancel")
        name(self.later_button, LATER.replace("&", "") if first_run else "Cancel")
        self.sign_in_button.clicked.connect(self.try_sign_in)
        signin.finished.connect(self._answered)
        self.later_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.later_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.address, self.username)
        QWidget.setTabOrder(self.username, self.password)
        QWidget.setTabOrder(self.password, self.sign_in_button)
        QWidget.setTabOrder(self.sign_in_button, self.later_button)
        self._first = self.username if address else self.address

    def showEvent(self, event: QShowEvent) -> None:
        """Focus set before a window shows is dropped: the first empty field takes it now.
        The dialog takes the room its wrapped words need (large text on a small screen)."""
        fit_to_screen(self)
        super().showEvent(event)
        self.activateWindow()
        self._first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _errors(self) -> tuple[ErrorLabel, ...]:
        return (self.address_error, self.username_error, self.password_error)

    def try_sign_in(self) -> None:
        for error in self._errors():
            error.clear_error()
        for field, label, words in ((self.address, self.address_error, "Type the central system's address."),
                                    (self.username, self.username_error, "Type your username."),
                                    (self.password, self.password_error, "Type your password.")):
            if not field.text().strip():
                self._refuse(field, label, words)
                return
        self._set_busy(True)
        self._announcer.polite(self, "Signing in…")
        self._signin.begin(self.address.text(), self.username.text(), self.password.text())

    @property
    def busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.address, self.username, self.password, self.sign_in_button, self.later_button):
            widget.setEnabled(not busy)
        self.sign_in_button.setText("Signing in…" if busy else "&Sign in")
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _answered(self, answer: object) -> None:
        if not self._busy:
            return
        self._set_busy(False)
        if isinstance(answer, (ServerRefused, TooManySignIns)):   # the credentials, or too many tries
            self._refuse(self.password, self.password_error, answer.plain())
        elif isinstance(answer, KnownError):                      # the address: not https, unreachable
            self._refuse(self.address, self.address_error, answer.plain())
        elif isinstance(answer, Officer):
            self.password.clear()
            self.officer = answer
            self._announcer.polite(self, f"Signed in as {answer.name}. Sending your work now.")
            self.answered.emit()
            self.accept()
            return
        self.answered.emit()

    def done(self, result: int) -> None:
        """Closed (signed in, cancelled or abandoned): the window that opened it takes focus back,
        on the control that had it, even where no window manager hands activation back."""
        super().done(result)
        opener = self.parentWidget()
        if opener is not None:
            opener.window().activateWindow()

    def reject(self) -> None:
        """Escape waits while a request is in flight (its answer decides what happens)."""
        if self._busy and self.isVisible():
            return
        self.abandon()

    def abandon(self) -> None:
        """Close now, answer or not (the session is locking)."""
        if self._busy:
            self._set_busy(False)
        super().reject()

    def _refuse(self, field: QLineEdit, label: ErrorLabel, message: str) -> None:
        label.show_error(message)
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        field.selectAll()
        self._announcer.assertive(field, message)
