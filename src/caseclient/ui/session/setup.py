"""First run: choose a passphrase, then see the recovery key once and confirm it is kept.

``SessionService.set_up`` unlocks the new profile straight away, but the window
stays on the recovery key until the officer ticks that they have kept it and
presses Continue (``setup_did_finish``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from caseclient.errors import KnownError
from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.forms import ErrorLabel, buddy_label, name
from caseclient.ui.reflow import ScrollPage
from caseclient.ui.session.new_passphrase import NewPassphraseFields


def _heading(text: str) -> QLabel:
    label = QLabel(f"<h1>{text}</h1>")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _scrolling(body: QWidget) -> QWidget:
    """A page whose body scrolls when the text is large for the window."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(ScrollPage(body))
    return page


class SetupScreen(QStackedWidget):
    setup_did_finish = Signal()

    def __init__(self, session: SessionService, announcer: Announcer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._announcer = announcer
        self.setAccessibleName("Set up Caseclient")

        # ---- page 1: the passphrase ------------------------------------------------------
        choose_body = QWidget()
        self.fields = NewPassphraseFields()
        self.error = ErrorLabel(self.fields.first)
        self.create_button = QPushButton("Set &up")
        self.create_button.setDefault(True)
        name(self.create_button, "Set up", "Encrypt this laptop's case store with the passphrase.")
        self.create_button.clicked.connect(self.try_set_up)
        self.fields.second.returnPressed.connect(self.try_set_up)
        choose = QVBoxLayout(choose_body)
        choose.addWidget(_heading("Set up Caseclient"))
        choose.addWidget(_paragraph(
            "Choose a passphrase. It encrypts the case records kept on this laptop, and you "
            "will type it each time Caseclient starts or locks."))
        choose.addWidget(self.fields)
        choose.addWidget(self.error)
        choose.addWidget(self.create_button, alignment=Qt.AlignmentFlag.AlignLeft)
        choose.addStretch(1)
        QWidget.setTabOrder(self.fields.second, self.create_button)

        # ---- page 2: the recovery key, shown once ----------------------------------------
        key_body = QWidget()
        self.recovery_key = QLineEdit()
        self.recovery_key.setReadOnly(True)
        key_label = buddy_label("&Recovery key", self.recovery_key, "Recovery key",
                                "Shown only this once. Write it down or keep it in a password "
                                "manager; it opens the records if you forget your passphrase.")
        self.copy_button = QPushButton("Co&py recovery key")
        name(self.copy_button, "Copy recovery key", "Copies the recovery key to the clipboard.")
        self.copy_button.clicked.connect(self._copy_key)
        self.kept = QCheckBox("I have &kept the recovery key somewhere safe")
        name(self.kept, "I have kept the recovery key somewhere safe")
        self.continue_button = QPushButton("&Continue")
        name(self.continue_button, "Continue", "Tick that you have kept the recovery key first.")
        self.continue_button.setEnabled(False)
        self.kept.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._finish)
        keys = QVBoxLayout(key_body)
        keys.addWidget(_heading("Your recovery key"))
        keys.addWidget(_paragraph(
            "If you ever forget your passphrase, this key is the only way to open the records "
            "on this laptop. It is shown only now."))
        keys.addWidget(key_label)
        keys.addWidget(self.recovery_key)
        keys.addWidget(self.copy_button, alignment=Qt.AlignmentFlag.AlignLeft)
        keys.addWidget(self.kept)
        keys.addWidget(self.continue_button, alignment=Qt.AlignmentFlag.AlignLeft)
        keys.addStretch(1)
        QWidget.setTabOrder(self.recovery_key, self.copy_button)
        QWidget.setTabOrder(self.copy_button, self.kept)
        QWidget.setTabOrder(self.kept, self.continue_button)

        self.choose_page = _scrolling(choose_body)
        self.key_page = _scrolling(key_body)
        self.addWidget(self.choose_page)
        self.addWidget(self.key_page)

    def start(self) -> None:
        self.setCurrentWidget(self.choose_page)
        self.fields.first.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_set_up(self) -> None:
        passphrase = self.fields.checked()
        if passphrase is None:
            self._announcer.assertive(self, self.fields.first_problem())
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            key = self._session.set_up(passphrase)
        except KnownError as exc:
            self.error.show_error(exc.plain())
            self._announcer.assertive(self, exc.plain())
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.fields.clear()
        self.recovery_key.setText(key)
        self.setCurrentWidget(self.key_page)
        self.recovery_key.setFocus(Qt.FocusReason.OtherFocusReason)
        self.recovery_key.selectAll()
        self._announcer.polite(self, "Caseclient is set up. Your recovery key is shown once: "
                                     "keep it somewhere safe.")

    def _copy_key(self) -> None:
        clipboard = QApplication.clipboard()
        clipboard.setText(self.recovery_key.text())
        self._announcer.polite(self, "Recovery key copied.")

    def _finish(self) -> None:
        if not self.kept.isChecked():
            return
        self.recovery_key.clear()          # shown once: gone from the window from now on
        self.kept.setChecked(False)
        self.setup_did_finish.emit()
