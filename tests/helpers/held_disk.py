"""A disk the test holds back: the ``fsync`` given to the store's WAL sync thread (decision 0047)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from caseclient.storage.database import Database
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock

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


def notes_in_file(path: Path, key_pragma: str, contact_id: str) -> object:
    """A contact's notes as another connection to the store file reads them (what a crash of
    the app would leave), whatever the held disk has synced."""
    other = Store(Database.open(path, key_pragma, check=False), clock=FakeClock())
    try:
        return other.records.require("contact", contact_id).fields.get("notes")
    finally:
        other.close()
