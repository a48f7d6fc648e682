"""The store's full integrity check, run beside the officer's work instead of before it.

``PRAGMA quick_check`` reads (and decrypts) every page of the file: 3.9 s at
100,000 contacts, which unlock spent before the caseload could show
(docs/decisions/0006-integrity-check-after-unlock.md). Unlock keeps the checks
that cost nothing (the header, the key, the schema read); :class:`BackgroundCheck`
runs the full one on a connection of its own, in a thread, while the officer works.
A damaged file found that way is marked on the :class:`Database` the officer's
work goes through, whose next statement raises :class:`StoreDamaged`: reported
through the ordinary error path, with what to do, and never written to again.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

from caseclient.errors import StoreDamaged
from caseclient.storage.database import Database, DriverError

log = logging.getLogger(__name__)
_RUNNING: weakref.WeakSet[BackgroundCheck] = weakref.WeakSet()


@atexit.register
def _stop_running_checks() -> None:
    """A check still reading when the app exits is stopped first: a daemon thread inside
    SQLite while the interpreter shuts down can crash it."""
    for check in list(_RUNNING):
        check.stop()


class BackgroundCheck:
    """One full ``quick_check`` of ``path`` in a daemon thread; ``on_damage`` if it fails."""

    def __init__(self, path: Path, key_pragma: str, on_damage: Callable[[], None]) -> None:
        self._path = path
        self._key_pragma = key_pragma
        self._on_damage = on_damage
        self._db: Database | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self.result: str | None = None      # "ok", a problem, or None while running / stopped
        self._thread = threading.Thread(target=self._run, name="store integrity check",
                                        daemon=True)

    def start(self) -> None:
        _RUNNING.add(self)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the check has finished (or was stopped)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """Interrupt a running check (the store is being closed) and wait for its thread."""
        self._stopped.set()
        while self._thread.is_alive():
            with self._lock:
                if self._db is not None:
                    self._db.raw.interrupt()   # a no-op between statements: so, again
            self._thread.join(0.05)

    def _run(self) -> None:
        try:
            db = Database.open(self._path, self._key_pragma, check=False)
        except StoreDamaged:
            self._found("the file cannot be opened")
            return
        except (DriverError, OSError):       # closed or moved meanwhile: nothing to say
            return
        with self._lock:
            self._db = db
        try:
            if self._stopped.is_set():
                return
            answer = str(db.scalar("PRAGMA quick_check"))
            if answer != "ok":
                self._found(answer)
            else:
                self.result = answer
        except StoreDamaged:
            self._found("a page cannot be read")
        except DriverError:
            if not self._stopped.is_set():
                raise
        finally:
            _RUNNING.discard(self)
            with self._lock:
                self._db = None
            with contextlib.suppress(DriverError):
                db.raw.close()

    def _found(self, problem: str) -> None:
        if self._stopped.is_set():
            return
        self.result = problem
        log.error("The store failed its integrity check.")    # the problem may quote data
        self._on_damage()
