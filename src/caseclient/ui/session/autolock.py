"""Lock after a quiet spell, with a warning a minute ahead that any key postpones.

An application-wide event filter treats keys, clicks, wheel and touch as activity.
After ``idle_ms - warn_ms`` of quiet the warning appears and is announced; any
activity (or "Stay unlocked") puts it away. At ``idle_ms`` the session locks —
``SessionService.lock`` tells editors to save first, so nothing typed is lost
(WCAG 2.2.1: the time limit is announced and can be extended).
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from caseclient.services.session import SessionService
from caseclient.ui.announce import Announcer
from caseclient.ui.forms import name
from caseclient.ui.reflow import fit_to_screen

DEFAULT_IDLE_MS = 10 * 60_000
WARN_MS = 60_000
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
             QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride}
_RESTART_EVERY_MS = 500        # do not restart timers on every single key of fast typing


class LockWarning(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Caseclient will lock soon")
        self.setAccessibleName("Caseclient will lock soon")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.stay_button = QPushButton("&Stay unlocked")
        self.stay_button.setDefault(True)
        name(self.stay_button, "Stay unlocked", "Keeps Caseclient unlocked for another spell.")
        self.lock_button = QPushButton("&Lock now")
        name(self.lock_button, "Lock now")
        self.stay_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stay_button)
        buttons.addWidget(self.lock_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)                   # the whole message, even with large text on a small screen
        super().showEvent(event)


class AutoLock(QObject):
    lock_will_warn = Signal(int)     # seconds left

    def __init__(self, session: SessionService, announcer: Announcer, *,
                 idle_ms: int = DEFAULT_IDLE_MS, warn_ms: int = WARN_MS,
                 window: QWidget | None = None) -> None:
        super().__init__(window)
        self._session = session
        self._announcer = announcer
        self._idle_ms = idle_ms
        self._warn_ms = min(warn_ms, idle_ms)
        self._since_restart = QElapsedTimer()
        self.warning = LockWarning(window)
        self.warning.accepted.connect(self.postpone)
        self.warning.lock_button.clicked.connect(self._lock_now)
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.timeout.connect(self._warn)
        self._final = QTimer(self)
        self._final.setSingleShot(True)
        self._final.timeout.connect(self._lock_now)
        session.session_did_unlock.connect(lambda _info: self.start())
        session.session_did_lock.connect(self.stop)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if session.unlocked:
            self.start()

    @property
    def idle_ms(self) -> int:
        return self._idle_ms

    def set_idle_ms(self, idle_ms: int, warn_ms: int = WARN_MS) -> None:
        self._idle_ms = idle_ms
        self._warn_ms = min(warn_ms, idle_ms)
        if self._session.unlocked:
            self.start()

    def start(self) -> None:
        self._final.stop()
        self._quiet.start(max(0, self._idle_ms - self._warn_ms))
        self._since_restart.start()

    def stop(self) -> None:
        self._quiet.stop()
        self._final.stop()
        if self.warning.isVisible():
            self.warning.done(QDialog.DialogCode.Rejected)

    def postpone(self) -> None:
        was_warning = self._final.isActive()
        self.start()
        if self.warning.isVisible():
            self.warning.done(QDialog.DialogCode.Accepted)
        if was_warning:
            self._announcer.polite(self, "Caseclient stays unlocked.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._session.unlocked:
            if self._final.isActive():
                if event.type() != QEvent.Type.ShortcutOverride:
                    self.postpone()
            elif self._since_restart.isValid() and self._since_restart.elapsed() >= _RESTART_EVERY_MS:
                self.start()
        return False

    def _warn(self) -> None:
        if not self._session.unlocked:
            return
        seconds = max(1, round(self._warn_ms / 1000))
        text = (f"Caseclient will lock in {seconds} seconds to protect case records. Your work is "
                "saved. Press any key to stay unlocked.")
        self.warning.message.setText(text)
        self._final.start(self._warn_ms)
        self.warning.open()
        self.warning.stay_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._announcer.assertive(self.warning, text)
        self.lock_will_warn.emit(seconds)

    def _lock_now(self) -> None:
        self.stop()
        self._session.lock()
