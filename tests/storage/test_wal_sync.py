"""Autosaves commit without waiting for the disk; a thread syncs the WAL at once (decision 0047).

The disk is held back with an ``fsync`` that waits for the test: a commit must return
while it waits, the words must already be in the file for any other connection (a
crash of the app loses nothing), and the sync must follow without another commit.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from caseclient.domain.assessment import QuestionKind, builtin_registry
from caseclient.domain.records import Grade, Officer
from caseclient.errors import DiskFull, DiskNotSynced
from caseclient.services.assessments import AssessmentService
from caseclient.services.caseload import CaseloadService
from caseclient.services.contacts import ContactService
from caseclient.storage.database import Database, Sync
from caseclient.storage.store import Store
from caseclient.storage.wal_sync import WalSync
from tests.helpers.clock import FakeClock
from tests.helpers.held_disk import WAIT, HeldDisk, notes_in_file
from tests.helpers.records import case_change, reference_changes


def identity(path: Path) -> tuple[int, int]:
    now = path.stat()
    return now.st_dev, now.st_ino


@pytest.fixture
def disk() -> HeldDisk:
    return HeldDisk()


@pytest.fixture
def held_store(store_path: Path, key_pragma: str, clock: FakeClock, disk: HeldDisk) -> Iterator[Store]:
    """A migrated store whose autosave syncs go through ``disk``."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    opened = Store.open(store_path, key_pragma, backups_dir=store_path.parent / "backups", clock=clock,
                        check=False, fsync=disk.fsync)
    yield opened
    disk.open.set()
    opened.close()


def test_an_autosave_returns_before_the_disk_syncs_it_and_the_sync_follows_at_once(
        held_store: Store, disk: HeldDisk, store_path: Path, key_pragma: str, clock: FakeClock) -> None:
    case = case_change()
    held_store.records.apply_server_records([*reference_changes(), case])
    caseload = CaseloadService(lambda: held_store, clock)
    contacts = ContactService(lambda: held_store, clock, caseload.reference)
    contact = contacts.new_contact(str(case["record_id"]), contact_type="COAP", date="2026-11-24")
    assert disk.synced == [] and held_store.db.synced         # nothing asked of the thread yet

    saved = contacts.save_draft(contact.contact.id, {"notes": "Seen at home; all well."})
    assert saved.errors == ()
    disk.wait_entered()                        # the thread is syncing, and the save has returned
    assert not held_store.db.synced
    assert not held_store.db.wait_synced(0.05)
    assert notes_in_file(store_path, key_pragma, contact.contact.id) == "Seen at home; all well."

    disk.open.set()
    assert held_store.db.wait_synced(WAIT)
    assert held_store.db.synced
    assert disk.synced == [identity(Path(f"{store_path}-wal"))]


def test_an_assessment_autosave_is_synced_by_the_thread_too(held_store: Store, disk: HeldDisk,
                                                             clock: FakeClock) -> None:
    case = case_change()
    held_store.records.apply_server_records([*reference_changes(), case])
    officer = Officer("PO1", "Pat Officer", Grade.PO, "Team A")
    assessments = AssessmentService(lambda: held_store, clock, officer=lambda: officer,
                                    registry=builtin_registry())
    view = assessments.start(str(case["record_id"])).view        # started: on the disk at once
    question = next(q for _section, q in view.template.questions() if q.kind is QuestionKind.LONG_TEXT)
    assert disk.synced == [] and held_store.db.synced

    saved = assessments.save_answers(view.assessment_id, {question.id: "Three convictions since 2019."})
    assert saved.errors == () and saved.refusal is None
    disk.wait_entered()
    assert not held_store.db.synced
    disk.open.set()
    assert held_store.db.wait_synced(WAIT) and len(disk.synced) == 1


def test_commits_that_wait_for_the_disk_ask_nothing_of_the_thread(held_store: Store, disk: HeldDisk) -> None:
    for sync in (Sync.NOW, Sync.REFETCH):
        with held_store.db.transaction(sync=sync) as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (f"test {sync.value}",))
    disk.open.set()
    assert held_store.db.synced and disk.synced == []


def test_closing_the_store_waits_for_the_last_sync(held_store: Store, disk: HeldDisk,
                                                   store_path: Path) -> None:
    with held_store.db.transaction(sync=Sync.SOON) as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('test', 'x')")
    disk.wait_entered()
    wal = identity(Path(f"{store_path}-wal"))
    released: list[float] = []

    def release_later() -> None:
        time.sleep(0.2)
        released.append(time.monotonic())
        disk.open.set()

    releaser = threading.Thread(target=release_later)
    releaser.start()
    held_store.close()                         # the connection's own thread closes it
    closed_at = time.monotonic()
    releaser.join(WAIT)
    assert released and closed_at >= released[0]
    assert disk.synced == [wal]


@pytest.mark.parametrize(("code", "raised"), [(errno.EIO, DiskNotSynced), (errno.ENOSPC, DiskFull)])
def test_a_failed_sync_is_reported_by_the_next_transaction_once(
        held_store: Store, disk: HeldDisk, caplog: pytest.LogCaptureFixture,
        code: int, raised: type[Exception]) -> None:
    disk.fail_with = OSError(code, os.strerror(code))
    disk.open.set()
    with held_store.db.transaction(sync=Sync.SOON) as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('test', 'x')")
    with caplog.at_level(logging.ERROR, logger="caseclient.storage.wal_sync"):
        assert held_store.db.wait_synced(WAIT)
    assert [r.getMessage() for r in caplog.records] == [
        f"The store's write-ahead log could not be synced to the disk (errno {code})."]
    with pytest.raises(raised), held_store.db.transaction():
        pytest.fail("a transaction began after a failed sync")
    with held_store.db.transaction() as conn:   # said once: the officer's next save goes ahead
        conn.execute("INSERT INTO meta (key, value) VALUES ('test 2', 'x')")


def test_requests_made_while_a_sync_runs_are_synced_together(tmp_path: Path, disk: HeldDisk) -> None:
    wal = tmp_path / "cases.db-wal"
    wal.write_bytes(b"frames")
    syncer = WalSync(wal, fsync=disk.fsync)
    try:
        syncer.request()
        disk.wait_entered()
        syncer.request()
        syncer.request()
        assert not syncer.synced
        disk.open.set()
        assert syncer.wait(WAIT)
        assert disk.synced == [identity(wal)] * 2      # the one running, then one for both
    finally:
        syncer.close()


def test_a_wal_file_replaced_is_opened_again(tmp_path: Path, disk: HeldDisk) -> None:
    wal = tmp_path / "cases.db-wal"
    wal.write_bytes(b"frames")
    disk.open.set()
    syncer = WalSync(wal, fsync=disk.fsync)
    try:
        syncer.request()
        assert syncer.wait(WAIT)
        first = identity(wal)
        wal.unlink()                           # the last connection closed: SQLite deleted it
        syncer.request()
        assert syncer.wait(WAIT)               # nothing to sync: not an error
        wal.write_bytes(b"new frames")         # a new WAL for the next connection
        syncer.request()
        assert syncer.wait(WAIT)
        assert disk.synced == [first, identity(wal)]
        assert syncer.take_failure() is None
    finally:
        syncer.close()


class CountingCheckpointer:
    def __init__(self, calls: list[str], fail: bool = False) -> None:
        self._calls = calls
        self._fail = fail
        calls.append("open")

    def checkpoint(self) -> None:
        self._calls.append("checkpoint")
        if self._fail:
            raise OSError(errno.EIO, "no checkpoint")

    def close(self) -> None:
        self._calls.append("close")


def test_the_thread_checkpoints_a_long_wal_on_a_connection_of_its_own(tmp_path: Path) -> None:
    wal = tmp_path / "cases.db-wal"
    wal.write_bytes(b"x" * 100)
    calls: list[str] = []
    syncer = WalSync(wal, checkpointer=lambda: CountingCheckpointer(calls), checkpoint_bytes=1_000)
    try:
        syncer.request()
        assert syncer.wait(WAIT)
        wal.write_bytes(b"x" * 1_000)
        for _ in range(2):
            syncer.request()
            assert syncer.wait(WAIT)
    finally:
        syncer.close()
    assert calls == ["open", "checkpoint", "checkpoint", "close"]   # short: none; then each sync


def test_a_checkpoint_that_fails_is_logged_once_and_the_syncs_go_on(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    wal = tmp_path / "cases.db-wal"
    wal.write_bytes(b"x" * 1_000)
    calls: list[str] = []
    syncer = WalSync(wal, checkpointer=lambda: CountingCheckpointer(calls, fail=True),
                     checkpoint_bytes=1_000)
    try:
        with caplog.at_level(logging.WARNING, logger="caseclient.storage.wal_sync"):
            syncer.request()
            assert syncer.wait(WAIT)
            syncer.request()
            assert syncer.wait(WAIT)
        syncer.close()
        assert syncer.take_failure() is None
    finally:
        syncer.close()
    assert calls == ["open", "checkpoint", "close"]      # not tried again at the second sync
    assert [r.getMessage() for r in caplog.records] == [
        "The store's write-ahead log could not be checkpointed (OSError); its commits will checkpoint it."]


@pytest.mark.parametrize(("checkpoint_bytes", "bounded"), [(64 * 1024, True), (1 << 40, False)])
def test_typing_keeps_the_wal_short_through_the_threads_checkpoints(
        store_path: Path, key_pragma: str, clock: FakeClock, checkpoint_bytes: int, bounded: bool) -> None:
    """Autosaves alone never checkpoint in their commits (the backstop is 4,000 pages away):
    the WAL stays short only because the thread copies it into the file."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    Store.open(store_path, key_pragma, backups_dir=store_path.parent / "backups", clock=clock).close()
    db = Database.open(store_path, key_pragma, check=False, checkpoint_bytes=checkpoint_bytes)
    try:
        for n in range(300):
            with db.transaction(sync=Sync.SOON) as conn:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('test', ?)",
                             (f"{n} " * 2_000,))
            assert db.wait_synced(WAIT)
        assert db.scalar("PRAGMA wal_autocheckpoint") == 4_000
        size = Path(f"{store_path}-wal").stat().st_size
        assert (size < 1024 * 1024) is bounded, size
    finally:
        db.close()
