"""SessionService: set up, unlock, lock and re-key the officer's profile.

Holds the one open :class:`Store` while unlocked. Locking first tells listeners
(``session_will_lock``) so editors flush what is typed, then closes the store
and wipes the data key from this process's own objects. Runs on the UI thread.

The screens unlock with :meth:`SessionService.unlock_soon` (and ``recover_soon``): the
key derivation (~0.4 s) and, after an upgrade, the store's full check and migrations
(a minute or more at 100,000 contacts) run on a thread of their own, reporting each
step (``unlock_progress``), so the window keeps answering and a screen reader hears how
far it is. The store is then opened here, as :meth:`unlock` does for the command line.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal

from caseclient.config import AppPaths
from caseclient.errors import KnownError, ProfileExists, VaultLocked
from caseclient.storage.store import CHECKING, Store
from caseclient.storage.vault import DataKey, KeyVault
from caseclient.storage.wal_sync import Fsync


@dataclass(frozen=True)
class SessionInfo:
    client_id: str
    officer_code: str


@dataclass(frozen=True)
class UnlockProgress:
    """How far an unlock that updates the store has got: ``step`` 0 is the check of every
    page made before updating; steps 1…``steps`` are the updates themselves."""
    step: int
    steps: int

    @property
    def checking(self) -> bool:
        return self.step == CHECKING


class SessionService(QObject):
    session_did_unlock = Signal(object)   # SessionInfo
    session_will_lock = Signal()
    session_did_lock = Signal()
    unlock_progress = Signal(object)      # UnlockProgress, only when the store needs updating
    unlock_refused = Signal(object)       # KnownError: wrong passphrase, damaged store, …
    _work_done = Signal(int, object, object)   # attempt, DataKey | None, error | None

    def __init__(self, paths: AppPaths, vault: KeyVault, parent: QObject | None = None, *,
                 fsync: Fsync = os.fsync) -> None:
        super().__init__(parent)
        self._paths = paths
        self._vault = vault
        self._fsync = fsync          # syncs the autosaves' WAL off the UI thread (decision 0047)
        self._store: Store | None = None
        self._key: DataKey | None = None
        self._attempt = 0
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self._work_done.connect(self._worked, Qt.ConnectionType.QueuedConnection)

    # ---- state -----------------------------------------------------------------------------
    def is_set_up(self) -> bool:
        return self._paths.key_file.exists()

    @property
    def unlocked(self) -> bool:
        return self._store is not None

    @property
    def unlocking(self) -> bool:
        """An :meth:`unlock_soon` or :meth:`recover_soon` is under way."""
        return self._worker is not None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise VaultLocked()
        return self._store

    def key_pragma(self) -> str:
        """The open store's SQLCipher key, for another connection to the same file (the sync
        worker's). Only while unlocked; never log it. Raises VaultLocked when locked."""
        if self._store is None or self._key is None:
            raise VaultLocked()
        return self._key.sqlcipher_pragma_value()

    # ---- verbs -----------------------------------------------------------------------------
    def set_up(self, passphrase: str) -> str:
        """Make the profile and its encrypted store; returns the recovery key to show once."""
        if self.is_set_up() or self._paths.database.exists():
            raise ProfileExists()
        self._paths.ensure()
        recovery_key = self._vault.setup(passphrase)
        self._open(self._vault.unlock(passphrase))
        return recovery_key

    def unlock(self, passphrase: str) -> SessionInfo:
        return self._open(self._vault.unlock(passphrase))

    def recover(self, recovery_key: str, new_passphrase: str) -> SessionInfo:
        return self._open(self._vault.unlock_with_recovery(recovery_key, new_passphrase))

    def unlock_soon(self, passphrase: str) -> None:
        """Unlock off this thread: ``session_did_unlock`` or ``unlock_refused`` follows."""
        self._begin(lambda: self._vault.unlock(passphrase))

    def recover_soon(self, recovery_key: str, new_passphrase: str) -> None:
        """As :meth:`recover`, off this thread; answered as :meth:`unlock_soon` is."""
        self._begin(lambda: self._vault.unlock_with_recovery(recovery_key, new_passphrase))

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key; the store itself is not re-encrypted."""
        self._vault.change_passphrase(old, new)

    def lock(self) -> None:
        """Close the store and wipe the key. An unlock under way is stopped: its running
        update step rolls back (to run again next time) and its key is wiped."""
        self._cancel()
        if self._store is None:
            return
        self.session_will_lock.emit()
        try:
            self._store.close()
        finally:
            self._store = None
            if self._key is not None:
                self._key.wipe()
                self._key = None
        self.session_did_lock.emit()

    def _open(self, key: DataKey) -> SessionInfo:
        if self._store is not None:
            key.wipe()
            return self.info()
        self._paths.ensure()
        try:
            store = Store.open(self._paths.database, key.sqlcipher_pragma_value(),
                               backups_dir=self._paths.backups_dir, fsync=self._fsync)
        except BaseException:
            key.wipe()
            raise
        self._store, self._key = store, key
        info = self.info()
        self.session_did_unlock.emit(info)
        return info

    def _begin(self, derive: Callable[[], DataKey]) -> None:
        if self._store is not None or self._worker is not None:
            return
        self._attempt += 1
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._work, args=(self._attempt, derive, self._stop),
                                        name="unlock")
        self._worker.start()

    def _work(self, attempt: int, derive: Callable[[], DataKey], stop: threading.Event) -> None:
        """On the unlock thread: the key, then the store made ready to open at once."""
        key: DataKey | None = None
        try:
            key = derive()
            self._paths.ensure()
            Store.prepare(self._paths.database, key.sqlcipher_pragma_value(),
                          backups_dir=self._paths.backups_dir, stop=stop,
                          on_step=lambda step, steps: self.unlock_progress.emit(
                              UnlockProgress(step, steps)))
        except BaseException as error:  # noqa: BLE001 — handed to the UI thread, raised there
            if key is not None:
                key.wipe()
            self._work_done.emit(attempt, None, error)
            return
        self._work_done.emit(attempt, key, None)

    def _worked(self, attempt: int, key: DataKey | None, error: BaseException | None) -> None:
        if attempt != self._attempt:        # stopped by a lock meanwhile: nothing to open
            if key is not None:
                key.wipe()
            return
        self._join()
        if key is None:
            if isinstance(error, KnownError):
                self.unlock_refused.emit(error)
                return
            assert error is not None
            raise error
        try:
            self._open(key)
        except KnownError as refused:       # damaged or too new, found as it opened
            self.unlock_refused.emit(refused)

    def _cancel(self) -> None:
        if self._worker is None:
            return
        self._attempt += 1                  # whatever it answers is now stale
        self._stop.set()
        self._join()

    def _join(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.join()

    def info(self) -> SessionInfo:
        return SessionInfo(self.store.client_id, self.store.officer_code())
