"""What an unlock under way is doing, shown beside the field and spoken.

The unlock and recovery screens hand the passphrase to ``SessionService.unlock_soon``
(or ``recover_soon``), which derives the key and, after an upgrade, checks and updates
the store on a thread of its own. Meanwhile the field turns read-only (focus stays in
it, so a screen reader does not jump), the pointer waits, and each update step is
written here and announced politely: an update can take minutes on a large caseload,
and an officer must not think the laptop has hung or that their records are at risk.
Only the screen that began the unlock reacts to its answer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from caseclient.errors import KnownError
from caseclient.services.session import SessionInfo, SessionService, UnlockProgress
from caseclient.ui.announce import Announcer

UNLOCKING = "Unlocking…"


def progress_text(progress: UnlockProgress) -> str:
    """The words for one step of an unlock that updates the store."""
    if progress.checking:
        return ("Checking your records before updating them for this version of Caseclient. "
                "On a large caseload this can take a few minutes; keep Caseclient open.")
    return (f"Updating your records for this version of Caseclient: step {progress.step} of "
            f"{progress.steps}. A copy was kept first, so nothing can be lost.")


class OpeningStatus(QLabel):
    """The status line of one screen's unlock: begun by :meth:`begin`, ended by the
    session's answer, which goes to ``opened`` or ``refused``."""

    def __init__(self, session: SessionService, announcer: Announcer,
                 opened: Callable[[], None], refused: Callable[[KnownError], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._announcer = announcer
        self._opened = opened
        self._refused = refused
        self._fields: tuple[QLineEdit, ...] = ()
        self.setWordWrap(True)
        self.setAccessibleName("Unlock progress")
        self.setVisible(False)
        session.unlock_progress.connect(self._progress)
        session.unlock_refused.connect(self._refuse)
        session.session_did_unlock.connect(self._unlocked)

    @property
    def active(self) -> bool:
        return bool(self._fields)

    def begin(self, *fields: QLineEdit) -> None:
        """The unlock has been handed over: hold ``fields`` read-only until it answers."""
        self._fields = fields
        for field in fields:
            field.setReadOnly(True)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.setText(UNLOCKING)
        self.setVisible(True)

    def _end(self) -> bool:
        """Back to typing; False when this screen had not begun an unlock."""
        if not self._fields:
            return False
        for field in self._fields:
            field.setReadOnly(False)
        self._fields = ()
        QApplication.restoreOverrideCursor()
        self.clear()
        self.setVisible(False)
        return True

    def _progress(self, progress: UnlockProgress) -> None:
        if self.active:
            text = progress_text(progress)
            self.setText(text)
            self._announcer.polite(self, text)

    def _refuse(self, error: KnownError) -> None:
        if self._end():
            self._refused(error)

    def _unlocked(self, _info: SessionInfo) -> None:
        if self._end():
            self._opened()
