"""SessionService: set up, unlock, lock and re-key the officer's profile.

Holds the one open :class:`Store` while unlocked. Locking first tells listeners
(``session_will_lock``) so editors flush what is typed, then closes the store
and wipes the data key from this process's own objects. Runs on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from caseclient.config import AppPaths
from caseclient.errors import ProfileExists, VaultLocked
from caseclient.storage.store import Store
from caseclient.storage.vault import DataKey, KeyVault


@dataclass(frozen=True)
class SessionInfo:
    client_id: str
    officer_code: str


class SessionService(QObject):
    session_did_unlock = Signal(object)   # SessionInfo
    session_will_lock = Signal()
    session_did_lock = Signal()

    def __init__(self, paths: AppPaths, vault: KeyVault, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._vault = vault
        self._store: Store | None = None
        self._key: DataKey | None = None

    # ---- state -----------------------------------------------------------------------------
    def is_set_up(self) -> bool:
        return self._paths.key_file.exists()

    @property
    def unlocked(self) -> bool:
        return self._store is not None

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

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key; the store itself is not re-encrypted."""
        self._vault.change_passphrase(old, new)

    def lock(self) -> None:
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
                               backups_dir=self._paths.backups_dir)
        except BaseException:
            key.wipe()
            raise
        self._store, self._key = store, key
        info = self.info()
        self.session_did_unlock.emit(info)
        return info

    def info(self) -> SessionInfo:
        return SessionInfo(self.store.client_id, self.store.officer_code())
