"""The local store of one profile: open, migrate, and hand out its repository.

Opening reverts any mutation left ``sending`` by a crash to ``pending``
(sync-protocol.md: the server's ledger makes the re-send harmless).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from caseclient.storage import meta, outbox
from caseclient.storage.database import Database
from caseclient.storage.migrate import migrate
from caseclient.storage.records import Clock, RecordRepository


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """An unlocked, migrated store file and its records."""

    def __init__(self, db: Database, *, clock: Clock, actor: Callable[[], str] | None = None) -> None:
        self.db = db
        self._clock = clock
        self.records = RecordRepository(db, clock=clock, actor=actor or self.officer_code)

    @classmethod
    def open(cls, path: Path, key_pragma: str, *, backups_dir: Path, clock: Clock = utc_now,
             check: bool = True) -> Store:
        db = Database.open(path, key_pragma, check=check)
        try:
            migrate(db, backups_dir)
            with db.transaction() as conn:
                meta.ensure_client_id(conn)
                outbox.revert_sending(conn)
        except BaseException:
            db.close()
            raise
        return cls(db, clock=clock)

    def close(self) -> None:
        self.db.close()

    @property
    def client_id(self) -> str:
        value = meta.get(self.db.raw, meta.CLIENT_ID)
        assert value is not None, "ensure_client_id runs at open"
        return value

    def officer_code(self) -> str:
        """Who is writing: the signed-in officer's staff code, once known."""
        return meta.get(self.db.raw, meta.OFFICER_CODE) or "this laptop"

    def set_officer_code(self, staff_code: str) -> None:
        with self.db.transaction() as conn:
            meta.put(conn, meta.OFFICER_CODE, staff_code)

    def outbox_counts(self) -> dict[outbox.MutationState, int]:
        return outbox.counts(self.db.raw)

    def oldest_waiting_at(self) -> str | None:
        return outbox.oldest_waiting_at(self.db.raw)
