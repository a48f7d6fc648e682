"""A disk the test holds back: the ``fsync`` given to the store's WAL sync thread (decision 0047)."""

from __future__ import annotations

import os
import threading

WAIT = 10.0     # seconds: a hang guard, not a speed requirement


class HeldDisk:
    """An ``fsync`` that waits until released, noting the file each call synced."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = threading.Semaphore(0)   # released by each sync begun
        self.started = threading.Event()         # set by the first
        self.synced: list[tuple[int, int]] = []  # (st_dev, st_ino) of each file synced
        self.fail_with: OSError | None = None

    def fsync(self, fd: int) -> None:
        self.started.set()
        self.entered.release()
        assert self.open.wait(WAIT), "the test never released the disk"
        if self.fail_with is not None:
            raise self.fail_with
        os.fsync(fd)
        held = os.fstat(fd)
        self.synced.append((held.st_dev, held.st_ino))

    def wait_entered(self) -> None:
        assert self.entered.acquire(timeout=WAIT), "no sync was started"
