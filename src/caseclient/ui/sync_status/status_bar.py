"""The window's status bar: connection, last sync, items waiting, needs attention.

Fed by :meth:`SyncStatusBar.show_status`; asks for work through its signals
(``sync_requested``, ``sign_in_requested``, ``attention_requested``), which the
composition root connects to the sync service and the window. The "needs
attention" count is a button that opens the Needs attention screen. Changes of
connection and "needs attention" are announced politely; every part is reached by Tab.
The parts flow: when the window is narrow for the text they wrap onto more rows.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from caseclient.services.clock import Clock
from caseclient.ui.announce import Announcer
from caseclient.ui.forms import name
from caseclient.ui.reflow import FlowLayout
from caseclient.ui.sync_status.status import SyncStatus

PART_GAP = 18         # px between the parts, so that each reads as one phrase
REFRESH_MS = 30_000   # ages ("5 minutes ago") move on without a new status


def _focusable_label(what: str) -> QLabel:
    """A label reached by Tab. Its text is its spoken name (accessibility.md: naming a
    label replaces its text), so what it is about goes in the description."""
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
    # After the flags, which leave a label at ClickFocus (Tab never reached it: AT-SPI test).
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    label.setAccessibleDescription(what)
    return label


class SyncStatusBar(QStatusBar):
    sync_requested = Signal()
    sign_in_requested = Signal()
    attention_requested = Signal()

    def __init__(self, clock: Clock, announcer: Announcer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._announcer = announcer
        self._status = SyncStatus()
        self.setSizeGripEnabled(False)
        self.setAccessibleName("Sync status")
        self.connection = _focusable_label("Connection")
        self.last_sync = _focusable_label("Last sync")
        self.waiting = _focusable_label("Waiting to send")
        self.attention = QPushButton()
        self.attention.setFlat(True)
        self.attention.setAccessibleDescription("Opens the Needs attention list.")
        self.attention.clicked.connect(self.attention_requested)
        self.clock = _focusable_label("Clock")
        self.clock.setWordWrap(True)
        self.sync_button = QPushButton("S&ync now")
        name(self.sync_button, "Sync now", "Send your work and fetch changes now (F5).")
        self.sign_in_button = QPushButton("Sign &in to send your work")
        name(self.sign_in_button, "Sign in to send your work")
        self.sync_button.clicked.connect(self.sync_requested)
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        # One flowing row: on a narrow window (200 % text at QT_SCALE_FACTOR=2) the parts wrap
        # onto more rows instead of making the window wider than the screen; the buttons keep right.
        self.parts = QWidget()
        flow = FlowLayout(self.parts, gap=PART_GAP)
        flow.setContentsMargins(0, 0, 0, 0)
        for label in (self.connection, self.last_sync, self.waiting):
            label.setWordWrap(True)
        for widget in (self.connection, self.last_sync, self.waiting, self.attention, self.clock):
            flow.add(widget)
        flow.add(self.sign_in_button, right=True)
        flow.add(self.sync_button, right=True)
        self.addWidget(self.parts, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._render)
        self._timer.start()
        self._render()

    @property
    def status(self) -> SyncStatus:
        return self._status

    def show_status(self, status: SyncStatus) -> None:
        before = self._status
        self._status = status
        self._render()
        if status.connection_words() != before.connection_words() and not status.syncing:
            self._announcer.polite(self.connection, status.connection_words())
        if status.needs_attention > before.needs_attention:
            self._announcer.polite(self.attention, status.attention_words())
        if status.clock_warning and status.clock_warning != before.clock_warning:
            self._announcer.polite(self.clock, status.clock_warning)

    def _render(self) -> None:
        now = self._clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        status = self._status
        self.connection.setText(status.connection_words())
        self.last_sync.setText(status.last_sync_words(now))
        self.waiting.setText(status.waiting_words(now))
        self.attention.setText(status.attention_words())
        self.attention.setAccessibleName(status.attention_words() or "Nothing needs attention")
        self.attention.setVisible(status.needs_attention > 0)
        self.clock.setText(status.clock_warning or "")
        self.clock.setVisible(bool(status.clock_warning))
        self.sign_in_button.setVisible(status.signed_out and not status.locked)
        self.sync_button.setVisible(not status.locked)     # a button that could do nothing is not offered
        self.sync_button.setEnabled(not status.syncing and not status.signed_out)
