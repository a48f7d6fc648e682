"""The local store of one profile: open, migrate, and hand out its repository.

Opening reverts any mutation left ``sending`` by a crash to ``pending``
(sync-protocol.md: the server's ledger makes the re-send harmless).

The store also keeps who signed in on this laptop, as the central system described
them at sign-in and at each handshake: staff code, name, grade and team. A profile
from before grades were kept holds the staff code only; until the next sign-in or
sync its grade is unknown and the officer has the least rights (see :meth:`Store.officer`).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from pathlib import Path

from caseclient.domain.records import Grade, Officer
from caseclient.errors import UpdateStopped
from caseclient.storage import meta, outbox
from caseclient.storage.database import Database
from caseclient.storage.integrity import BackgroundCheck
from caseclient.storage.migrate import StepReport, current_version, head_version, migrate
from caseclient.storage.records import Clock, RecordRepository
from caseclient.storage.wal_sync import Fsync

# The signed-in officer's details beside meta.OFFICER_CODE (plain keys of the meta table).
OFFICER_NAME = "officer_name"
OFFICER_GRADE = "officer_grade"
OFFICER_TEAM = "officer_team"
NOBODY = "this laptop"
CHECKING = 0                # the step :meth:`Store.prepare` reports for its full check
_STOP_POLL = 10_000         # SQLite VM steps between looks at ``prepare``'s stop event
LEAST_RIGHTS = Grade.PO     # writes and signs its own work; never countersigns


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """An unlocked, migrated store file and its records."""

    def __init__(self, db: Database, *, clock: Clock, actor: Callable[[], str] | None = None) -> None:
        self.db = db
        self._clock = clock
        self.records = RecordRepository(db, clock=clock, actor=actor or self.officer_code)
        self.integrity: BackgroundCheck | None = None

    @classmethod
    def open(cls, path: Path, key_pragma: str, *, backups_dir: Path, clock: Clock = utc_now,
             check: bool = True, check_in_background: bool = True, fsync: Fsync = os.fsync) -> Store:
        """Open, migrate and hand out the store.

        ``check``: the full integrity check (every page). In the background by default
        (decision 0006): the file's header, key and schema are checked here at no cost,
        and a failure found later makes the store's next statement raise StoreDamaged.
        ``fsync``: what syncs the autosaves' WAL, off the UI thread (decision 0047).
        """
        db = Database.open(path, key_pragma, check=False, fsync=fsync)
        try:
            # Before a migration changes the file, the full check runs first, as it always did.
            now = check and (not check_in_background or current_version(db) < head_version())
            if now:
                db.verify()
            migrate(db, backups_dir)
            with db.transaction() as conn:
                meta.ensure_client_id(conn)
                outbox.revert_sending(conn)
        except BaseException:
            db.close()
            raise
        store = cls(db, clock=clock)
        if check and not now:
            store.integrity = BackgroundCheck(path, key_pragma, db.mark_damaged)
            store.integrity.start()
        return store

    @staticmethod
    def prepare(path: Path, key_pragma: str, *, backups_dir: Path,
                on_step: StepReport | None = None, stop: threading.Event | None = None) -> None:
        """What makes the first :meth:`open` after an upgrade slow, done on the calling
        thread (not the UI's): the full check every page gets before a migration, and the
        migrations. Nothing to do for a current file; :meth:`open` then opens at once.

        ``on_step(CHECKING, n)`` is told before the check, ``on_step(k, n)`` before
        migration step k of n. Setting ``stop`` interrupts the statement running: the step
        rolls back (each is its own transaction) and is run again at the next unlock.
        """
        db = Database.open(path, key_pragma, check=False)
        try:
            version, head = current_version(db), head_version()
            if version == 0 or version >= head:     # brand new (quick), current, or too new
                return                               # (:meth:`open` refuses that one)
            stopped = stop or threading.Event()
            db.raw.set_progress_handler(lambda: 1 if stopped.is_set() else 0, _STOP_POLL)

            def step(number: int, steps: int) -> None:
                if stopped.is_set():
                    raise UpdateStopped()
                if on_step is not None:
                    on_step(number, steps)
            try:
                step(CHECKING, head - version)
                db.verify()
                migrate(db, backups_dir, on_step=step)
            except Exception as error:
                if stopped.is_set():      # interrupted: say so, not "damaged" or a driver error
                    raise UpdateStopped() from error
                raise
        finally:
            db.raw.set_progress_handler(None, 0)
            db.close()

    def close(self) -> None:
        if self.integrity is not None:
            self.integrity.stop()
        self.db.close()

    @property
    def client_id(self) -> str:
        value = meta.get(self.db.raw, meta.CLIENT_ID)
        assert value is not None, "ensure_client_id runs at open"
        return value

    def officer_code(self) -> str:
        """Who is writing: the signed-in officer's staff code, once known."""
        return meta.get(self.db.raw, meta.OFFICER_CODE) or NOBODY

    def set_officer_code(self, staff_code: str) -> None:
        """Only the staff code (as profiles before grades were kept): the grade becomes unknown."""
        with self.db.transaction() as conn:
            meta.put(conn, meta.OFFICER_CODE, staff_code)
            for key in (OFFICER_NAME, OFFICER_GRADE, OFFICER_TEAM):
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))

    def officer(self) -> Officer:
        """The signed-in officer. With the grade unknown (nobody signed in yet, or a profile
        from before grades were kept) this is the least rights: :meth:`officer_grade_known`."""
        conn = self.db.raw
        grade = meta.get(conn, OFFICER_GRADE)
        return Officer(self.officer_code(), meta.get(conn, OFFICER_NAME) or "",
                       Grade(grade) if grade is not None and grade in Grade.__members__
                       else LEAST_RIGHTS,
                       meta.get(conn, OFFICER_TEAM) or "")

    def officer_grade_known(self) -> bool:
        """Whether the central system has told this laptop the officer's grade."""
        return meta.get(self.db.raw, OFFICER_GRADE) in Grade.__members__

    def set_officer(self, officer: Officer) -> bool:
        """Keep the officer from a sign-in or handshake; False (nothing written) if unchanged."""
        if self.officer_grade_known() and self.officer() == officer:
            return False
        with self.db.transaction() as conn:
            meta.put(conn, meta.OFFICER_CODE, officer.staff_code)
            meta.put(conn, OFFICER_NAME, officer.name)
            meta.put(conn, OFFICER_GRADE, officer.grade.value)
            meta.put(conn, OFFICER_TEAM, officer.team)
        return True

    def outbox_counts(self) -> dict[outbox.MutationState, int]:
        return outbox.counts(self.db.raw)

    def oldest_waiting_at(self) -> str | None:
        return outbox.oldest_waiting_at(self.db.raw)
