"""Makes autosave commits durable off the thread that wrote them (decision 0047).

An autosave commits with ``synchronous = NORMAL``: its frames are in the WAL, in the
operating system's hands, when the commit returns, so a crash of the app loses nothing;
only a power cut could still take them until the WAL file is synced. :class:`WalSync`
syncs it on a thread of its own, at once after every such commit: the officer's typing
never waits for a disk another program is keeping busy (1.3 s measured), and the words
reach the disk as soon as a commit on the UI thread would have got them there.

It never touches the SQLite connection: it holds a descriptor of the WAL file and
calls ``fsync`` on it, which syncs every frame written so far by any connection (the
WAL is one file appended in order). A descriptor whose file was replaced (the WAL is
deleted when the last connection closes) is opened again. A failed sync is kept for
the committing thread to report on its next transaction (:meth:`WalSync.take_failure`).

The checkpoints are the thread's too. SQLite's automatic checkpoint runs inside the
commit that takes the WAL past 1,000 pages, on the committing thread, and syncs the
WAL and the database file. The thread runs a ``PASSIVE`` checkpoint on a connection
of its own (``checkpointer``) once the WAL has grown past ``checkpoint_bytes``, and
the store moves the automatic one of the connection whose autosaves it syncs to four
times as far, where it is only a backstop: a checkpoint that fails is logged once and
not tried again by this thread.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)
_RUNNING: weakref.WeakSet[WalSync] = weakref.WeakSet()

Fsync = Callable[[int], None]
CHECKPOINT_BYTES = 1_000 * (4_096 + 24)   # SQLite's automatic checkpoint: 1,000 frames of a page


class Checkpointer(Protocol):
    """A connection of the sync thread's own, opened on that thread when first needed."""

    def checkpoint(self) -> None: ...

    def close(self) -> None: ...


@atexit.register
def _sync_before_exit() -> None:
    """An app leaving without closing its store still gets its last commits synced."""
    for syncer in list(_RUNNING):
        syncer.close()


class WalSync:
    """One thread that ``fsync``s ``wal`` after every :meth:`request`, coalescing requests."""

    def __init__(self, wal: Path, *, fsync: Fsync = os.fsync,
                 checkpointer: Callable[[], Checkpointer] | None = None,
                 checkpoint_bytes: int = CHECKPOINT_BYTES) -> None:
        self._wal = wal
        self._fsync = fsync
        self._open_checkpointer = checkpointer
        self._checkpointer: Checkpointer | None = None
        self._checkpoint_bytes = checkpoint_bytes
        self._fd: int | None = None
        self._changed = threading.Condition()
        self._asked = 0              # requests made
        self._done = 0               # requests whose frames are synced (or whose sync failed)
        self._closing = False
        self._failure: OSError | None = None
        self._thread = threading.Thread(target=self._run, name="WAL sync", daemon=True)
        _RUNNING.add(self)
        self._thread.start()

    def request(self) -> None:
        """A commit was written without waiting for the disk: sync it soon."""
        with self._changed:
            if self._closing:
                raise RuntimeError("the WAL syncer is closed")
            self._asked += 1
            self._changed.notify_all()

    @property
    def synced(self) -> bool:
        """Every commit requested so far is on the disk (or its sync failed: see :meth:`take_failure`)."""
        with self._changed:
            return self._done == self._asked

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every commit requested so far is synced (and the checkpoint a sync was
        followed by is done); False on timeout."""
        with self._changed:
            target = self._asked
            return self._changed.wait_for(lambda: self._done >= target, timeout)

    def take_failure(self) -> OSError | None:
        """The error of a sync that failed since the last call, once."""
        with self._changed:
            failure, self._failure = self._failure, None
            return failure

    def close(self) -> None:
        """Sync what is left, stop the thread and close the descriptor."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()
        _RUNNING.discard(self)

    def _run(self) -> None:
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._done < self._asked or self._closing)
                    if self._done == self._asked:      # closing, nothing left
                        return
                    target = self._asked
                failure = self._sync()
                if failure is None:
                    self._checkpoint_if_long()
                with self._changed:
                    self._done = target
                    if failure is not None:
                        self._failure = failure
                    self._changed.notify_all()
        finally:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                self._fd = None

    def _checkpoint_if_long(self) -> None:
        """Copy the WAL into the database file once it is long, here rather than in a commit."""
        if self._open_checkpointer is None or self._fd is None:
            return
        try:
            if os.fstat(self._fd).st_size < self._checkpoint_bytes:
                return
            if self._checkpointer is None:
                self._checkpointer = self._open_checkpointer()
            self._checkpointer.checkpoint()
        except Exception as error:  # noqa: BLE001 - the commits' own checkpoint is the backstop
            log.warning("The store's write-ahead log could not be checkpointed (%s); "
                        "its commits will checkpoint it.", type(error).__name__)
            self._open_checkpointer = None       # said once; not tried again every autosave

    def _sync(self) -> OSError | None:
        try:
            fd = self._descriptor()
            if fd is not None:
                self._fsync(fd)
            return None
        except OSError as error:
            log.error("The store's write-ahead log could not be synced to the disk (errno %s).",
                      error.errno)
            return error

    def _descriptor(self) -> int | None:
        """An open descriptor of the WAL file as it is now; None when there is none (the last
        connection closed it after a checkpoint, which synced everything)."""
        try:
            now = os.stat(self._wal)
        except FileNotFoundError:
            return None
        if self._fd is not None:
            held = os.fstat(self._fd)
            if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                return self._fd
            os.close(self._fd)
            self._fd = None
        # Read-write: Windows flushes only a handle open for writing. Nothing is written.
        self._fd = os.open(self._wal, os.O_RDWR | getattr(os, "O_BINARY", 0))
        return self._fd
