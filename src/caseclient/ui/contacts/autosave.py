"""Commit on every pause in typing: a single-shot timer restarted by each change.

``poke`` is connected to every field's change signal; when the officer pauses for
``pause_ms`` the commit runs (one small local transaction, no network), well
inside the 250 ms promise. Typing that never pauses that long (a fast typist)
would keep restarting that timer, so a second timer, started by the first change
not yet committed and not restarted, commits at the latest ``max_wait_ms`` after
it: nothing typed is ever older than that, plus the commit, when it reaches the
disk (tests/reliability/test_gui_crash.py). ``flush`` commits at once if anything
is waiting: the editor calls it on focus-out, on close and when the session is
about to lock.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

PAUSE_MS = 150     # + about 1 ms to commit: inside the 250 ms promise (issue 6)
MAX_WAIT_MS = 200  # while typing without a pause: the oldest unsaved key, + the commit, < 250 ms
RETRY_MS = 5_000   # after a failed commit; any new change retries sooner


class Autosave(QObject):
    def __init__(self, commit: Callable[[], None], pause_ms: int = PAUSE_MS,
                 parent: QObject | None = None, *, max_wait_ms: int = MAX_WAIT_MS) -> None:
        super().__init__(parent)
        self._commit = commit
        self._pause_ms = pause_ms
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(pause_ms)
        self._timer.timeout.connect(self.flush)
        self._max_wait_ms = max_wait_ms
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setTimerType(Qt.TimerType.PreciseTimer)
        self._deadline.timeout.connect(self.flush)

    @property
    def pending(self) -> bool:
        return self._pending

    def poke(self, *_args: object) -> None:
        """Something changed: commit once typing pauses."""
        self._pending = True
        self._timer.start(self._pause_ms)
        if not self._deadline.isActive():
            self._deadline.start(self._max_wait_ms)

    def flush(self) -> None:
        """Commit now if anything is waiting (focus-out, close, lock)."""
        self._timer.stop()
        self._deadline.stop()
        if not self._pending:
            return
        self._pending = False
        self._commit()

    def retry_later(self, delay_ms: int = RETRY_MS) -> None:
        """The commit failed (a known error, e.g. disk full): keep the change waiting and try again."""
        self._pending = True
        self._deadline.stop()
        self._timer.start(delay_ms)

    def cancel(self) -> None:
        self._timer.stop()
        self._deadline.stop()
        self._pending = False
