"""One SQLCipher connection, opened with the raw data key, and its transactions.

Only ``storage/`` imports ``sqlcipher3``. A :class:`Database` belongs to one
thread (the UI thread, or the sync worker with its own); it is never shared.
SQLite errors that come from the environment become :mod:`caseclient.errors`
``KnownError`` subclasses here, so callers above never see driver exceptions.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from caseclient.errors import DiskFull, DiskNotSynced, StoreBusy, StoreDamaged
from caseclient.storage.wal_sync import CHECKPOINT_BYTES, Fsync, WalSync

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
BACKSTOP_CHECKPOINT_PAGES = 4_000    # a SOON connection's own checkpoint, if the WAL thread's fails
_PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"

DriverError = sqlcipher3.Error


class Sync(enum.Enum):
    """When a transaction's commit reaches the disk (decisions 0045, 0047)."""

    NOW = "now"          # synchronous = FULL: the commit returns once it is on the disk
    SOON = "soon"        # the officer's autosave: in the OS at once, synced by a thread at once
    REFETCH = "refetch"  # pulled pages: synced with the next commit that is; fetched again if lost


def translate(error: Exception) -> Exception:
    """Turn a driver error into the KnownError an officer can act on, or keep it."""
    text = str(error).lower()
    if "database or disk is full" in text or "disk is full" in text:
        return DiskFull()
    if "database is locked" in text or "database is busy" in text:
        return StoreBusy()
    if "file is not a database" in text or "malformed" in text or "not a database" in text:
        return StoreDamaged()
    return error


class Database:
    """An open, unlocked, encrypted store file."""

    def __init__(self, connection: Any, path: Path, *, key_pragma: str, fsync: Fsync = os.fsync,
                 checkpoint_bytes: int = CHECKPOINT_BYTES) -> None:
        self._conn = connection
        self.path = path
        self._damaged = False
        self._key_pragma = key_pragma                # for the WAL thread's checkpoint connection
        self._fsync = fsync
        self._checkpoint_bytes = checkpoint_bytes
        self._wal_sync: WalSync | None = None      # started by the first Sync.SOON commit

    def mark_damaged(self) -> None:
        """The file failed an integrity check made elsewhere (storage/integrity.py): from
        now on every transaction and statement raises :class:`StoreDamaged`, so nothing
        more is written to it and the officer is told what to do. Any thread may call it."""
        self._damaged = True

    @property
    def damaged(self) -> bool:
        return self._damaged

    @classmethod
    def open(cls, path: Path, key_pragma: str, *, check: bool = True,
             fsync: Fsync = os.fsync, checkpoint_bytes: int = CHECKPOINT_BYTES) -> Database:
        """Open (or create) ``path`` with the raw key ``x'…'`` and set the pragmas.

        A file that is not a store, cannot be decrypted with this key, or (with
        ``check``) fails the full quick integrity check raises :class:`StoreDamaged`;
        it is never recreated or changed. The full check reads every page; unlock
        runs it in the background instead (storage/integrity.py). ``fsync`` is what
        syncs the WAL after a :attr:`Sync.SOON` commit (tests hold it back), and
        ``checkpoint_bytes`` how long the WAL grows before that thread checkpoints it.
        """
        if path.exists() and path.stat().st_size >= 16:
            with path.open("rb") as handle:
                if handle.read(16) == _PLAIN_SQLITE_HEADER:
                    raise StoreDamaged("This file is an unencrypted database, not a Caseclient store.")
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True,
                                  timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            # SQLCipher would print a wrong key's HMAC failures to stderr; we report it ourselves.
            conn.execute("PRAGMA cipher_log_level = NONE").fetchall()
            conn.execute(f'PRAGMA key = "{key_pragma}"')
            # First read proves the key: a wrong key or foreign file fails here.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            for pragma in ("synchronous = FULL", "foreign_keys = ON", "secure_delete = ON",
                           "temp_store = MEMORY", f"busy_timeout = {BUSY_TIMEOUT_MS}"):
                conn.execute(f"PRAGMA {pragma}")
            if check:
                _verify(conn)
        except sqlcipher3.DatabaseError as error:
            conn.close()
            raise StoreDamaged(
                "The local case store cannot be opened with this profile's key.") from error
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, key_pragma=key_pragma, fsync=fsync, checkpoint_bytes=checkpoint_bytes)

    def verify(self) -> None:
        """The full quick integrity check, which reads every page: StoreDamaged if it fails."""
        try:
            _verify(self._conn)
        except sqlcipher3.DatabaseError as error:
            raise StoreDamaged() from error

    def close(self) -> None:
        if self._wal_sync is not None:
            self._wal_sync.close()          # the last autosaves reach the disk first
            self._wal_sync = None
        with contextlib.suppress(sqlcipher3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self._conn.close()

    @contextlib.contextmanager
    def transaction(self, *, sync: Sync = Sync.NOW) -> Iterator[Any]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rollback on any error. Yields the connection.

        IMMEDIATE takes the write lock up front, so two writers wait on the busy
        timeout instead of failing half-way with SQLITE_BUSY on upgrade.

        ``sync`` says when the commit reaches the disk. :attr:`Sync.NOW` waits for it.
        The other two commit with ``synchronous = NORMAL``: written to the WAL, not waited
        for; in WAL mode a power cut may roll such a commit back, whole, never damage the
        file, and a crash of the app alone loses nothing. :attr:`Sync.SOON` (autosave,
        decision 0047) then has the WAL synced by a thread of its own at once;
        :attr:`Sync.REFETCH` (pulled pages with their cursor, decision 0045) leaves it to
        the next commit that is synced, on any connection, the WAL being one file
        written in order. Only that transaction: the connection is FULL again after it.
        A sync that failed since the last transaction raises here, before anything new.
        """
        if self._damaged:
            raise StoreDamaged()
        self._report_failed_sync()
        if sync is Sync.NOW:
            with self._immediate() as conn:
                yield conn
            return
        self._conn.execute("PRAGMA synchronous = NORMAL")
        try:
            with self._immediate() as conn:
                yield conn
        finally:
            self._conn.execute("PRAGMA synchronous = FULL")
        if sync is Sync.SOON:
            self._start_wal_sync().request()

    @property
    def synced(self) -> bool:
        """Every :attr:`Sync.SOON` commit so far is on the disk."""
        return self._wal_sync is None or self._wal_sync.synced

    def wait_synced(self, timeout: float | None = None) -> bool:
        """Block until every :attr:`Sync.SOON` commit so far is on the disk; False on timeout."""
        return self._wal_sync is None or self._wal_sync.wait(timeout)

    def _start_wal_sync(self) -> WalSync:
        if self._wal_sync is None:
            path, key_pragma = self.path, self._key_pragma
            self._wal_sync = WalSync(Path(f"{path}-wal"), fsync=self._fsync,
                                     checkpointer=lambda: _Checkpointer(path, key_pragma),
                                     checkpoint_bytes=self._checkpoint_bytes)
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_CHECKPOINT_PAGES}")
        return self._wal_sync

    def _report_failed_sync(self) -> None:
        failure = None if self._wal_sync is None else self._wal_sync.take_failure()
        if failure is None:
            return
        if failure.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise DiskFull() from failure
        raise DiskNotSynced() from failure

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[Any]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlcipher3.Error as error:
            raise translate(error) from error
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(sqlcipher3.Error):
                self._conn.execute("ROLLBACK")
            if isinstance(error, sqlcipher3.Error):
                raise translate(error) from error
            raise

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        """Run one statement outside an explicit transaction (reads, pragmas)."""
        if self._damaged:
            raise StoreDamaged()
        try:
            return self._conn.execute(sql, params)
        except sqlcipher3.Error as error:
            raise translate(error) from error

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        return list(self.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @property
    def raw(self) -> Any:
        """The driver connection, for storage-layer code only."""
        return self._conn

    def change_token(self) -> tuple[int, int]:
        """Equal while nothing was committed: another connection's commits (the sync
        worker's) move ``data_version``, this connection's move ``total_changes``."""
        version = self.scalar("PRAGMA data_version")
        return int(version), int(self._conn.total_changes)

    def integrity_check(self) -> str:
        return str(self.scalar("PRAGMA integrity_check"))

    def cipher_settings(self) -> dict[str, str]:
        """Version and settings of the cipher, for ``caseclient doctor``."""
        names = ("cipher_version", "cipher_provider", "cipher_provider_version",
                 "cipher_page_size", "kdf_iter", "cipher_hmac_algorithm",
                 "cipher_kdf_algorithm", "journal_mode", "synchronous", "secure_delete",
                 "foreign_keys")
        out: dict[str, str] = {}
        for name in names:
            row = self._conn.execute(f"PRAGMA {name}").fetchone()
            out[name] = "" if row is None else str(row[0])
        return out


class _Checkpointer:
    """The WAL thread's own connection (storage/wal_sync.py), opened and used on that thread."""

    def __init__(self, path: Path, key_pragma: str) -> None:
        self._db = Database.open(path, key_pragma, check=False)

    def checkpoint(self) -> None:
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        with contextlib.suppress(sqlcipher3.Error):   # not Database.close: no second checkpoint
            self._db.raw.close()


def _verify(conn: Any) -> None:
    if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise StoreDamaged()


def plain_sqlite_can_read(path: Path) -> bool:
    """True when the stock sqlite3 module can read ``path`` (it must not)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return True
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def library_versions() -> tuple[str, str]:
    """(SQLCipher version, crypto provider version) of the linked library."""
    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute("PRAGMA key = 'provider probe'")  # the provider is loaded on keying
        version = conn.execute("PRAGMA cipher_version").fetchone()
        provider = conn.execute("PRAGMA cipher_provider_version").fetchone()
    finally:
        conn.close()
    return ("" if version is None else str(version[0]), "" if provider is None else str(provider[0]))
