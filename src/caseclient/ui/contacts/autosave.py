"""Commit on every pause in typing: a single-shot timer restarted by each change.

``poke`` is connected to every field's change signal; when the officer pauses for
``pause_ms`` the commit runs (one small local transaction, no network), well
inside the 250 ms promise. ``flush`` commits at once if anything is waiting: the
editor calls it on focus-out, on close and when the session is about to lock.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

PAUSE_MS = 150     # + about 1 ms to commit: inside the 250 ms promise (issue 6)
RETRY_MS = 5_000   # after a failed commit; any new change retries sooner


class Autosave(QObject):
    def __init__(self, commit: Callable[[], None], pause_ms: int = PAUSE_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._commit = commit
        self._pause_ms = pause_ms
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(pause_ms)
        self._timer.timeout.connect(self.flush)

    @property
    def pending(self) -> bool:
        return self._pending

    def poke(self, *_args: object) -> None:
        """Something changed: commit once typing pauses."""
        self._pending = True
        self._timer.start(self._pause_ms)

    def flush(self) -> None:
        """Commit now if anything is waiting (focus-out, close, lock)."""
        self._timer.stop()
        if not self._pending:
            return
        self._pending = False
        self._commit()

    def retry_later(self, delay_ms: int = RETRY_MS) -> None:
        """The commit failed (a known error, e.g. disk full): keep the change waiting and try again."""
        self._pending = True
        self._timer.start(delay_ms)

    def cancel(self) -> None:
        self._timer.stop()
        self._pending = False
