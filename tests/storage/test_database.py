"""Environment failures become plain KnownErrors and never change the file."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from caseclient.errors import DiskFull, StoreDamaged
from caseclient.storage.database import Database, Sync, library_versions, plain_sqlite_can_read
from caseclient.storage.migrate import current_version, migrate
from caseclient.storage.store import Store
from tests.helpers.records import case_change


def test_pragmas_of_an_open_store(store: Store) -> None:
    settings = store.db.cipher_settings()
    assert settings["journal_mode"] == "wal"
    assert settings["synchronous"] == "2"       # FULL
    assert settings["foreign_keys"] == "1"
    assert settings["secure_delete"] == "1"
    assert settings["cipher_version"].startswith("4.")
    assert store.db.scalar("PRAGMA temp_store") == 2  # MEMORY
    assert library_versions()[0].startswith("4.")


def test_the_file_is_encrypted_and_a_wrong_key_is_refused(store_path: Path, store: Store,
                                                         key_pragma: str) -> None:
    store.close()
    assert not plain_sqlite_can_read(store_path)
    before = store_path.read_bytes()
    with pytest.raises(StoreDamaged) as raised:
        Database.open(store_path, "x'" + "00" * 32 + "'")
    assert "cannot be opened with this profile's key" in raised.value.plain()
    assert store_path.read_bytes() == before


def test_a_plain_sqlite_file_is_not_taken_for_a_store(tmp_path: Path, key_pragma: str) -> None:
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreDamaged) as raised:
        Database.open(path, key_pragma)
    assert "unencrypted" in raised.value.plain()


def test_a_garbage_file_is_reported_and_left_alone(tmp_path: Path, key_pragma: str) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"\x13" * 9000)
    with pytest.raises(StoreDamaged) as raised:
        Store.open(path, key_pragma, backups_dir=tmp_path / "b")
    assert "contact IT support" in raised.value.plain()
    assert path.read_bytes() == b"\x13" * 9000


def test_a_full_disk_is_a_plain_error_and_the_last_good_save_stays(store: Store) -> None:
    change = case_change()
    store.records.apply_server_records([change])
    contact_id = str(uuid.uuid4())
    case_id = str(change["record_id"])
    store.records.create_draft("contact", contact_id, case_id, {"case_id": case_id, "notes": "kept"})
    pages = store.db.scalar("PRAGMA page_count")
    store.db.execute(f"PRAGMA max_page_count = {pages + 1}")
    with pytest.raises(DiskFull) as raised:
        store.records.save("contact", contact_id, {"notes": "x" * 200_000})
    assert "disk is full" in raised.value.plain()
    assert store.records.require("contact", contact_id).fields["notes"] == "kept"
    assert store.db.integrity_check() == "ok"


def _damage_a_page_of(path: Path, page_size: int = 4096) -> None:
    """Overwrite bytes in the middle of a page that is not the first (header and schema)."""
    data = bytearray(path.read_bytes())
    pages = len(data) // page_size
    assert pages > 3
    at = (pages // 2) * page_size + 100
    data[at:at + 64] = b"\x00" * 64
    path.write_bytes(bytes(data))


def test_damage_found_after_unlock_stops_every_read_and_write(
        store_path: Path, store: Store, key_pragma: str, caplog: pytest.LogCaptureFixture) -> None:
    """The full check runs beside the officer's work (decision 0006): a page that fails it
    makes the next statement raise StoreDamaged; the file is never recreated."""
    store.records.apply_server_records([case_change(f"X{n:06d}", notes="x" * 3000)
                                        for n in range(60)])
    store.close()
    _damage_a_page_of(store_path)
    damaged = store_path.read_bytes()
    with caplog.at_level("CRITICAL", logger="caseclient.storage.integrity"):
        reopened = Store.open(store_path, key_pragma, backups_dir=store_path.parent / "b")
        try:
            assert reopened.integrity is not None and reopened.integrity.wait(30)
            assert reopened.db.damaged and reopened.integrity.result != "ok"
            with pytest.raises(StoreDamaged) as raised:
                reopened.records.apply_server_records([case_change("Y000001")])
            assert "contact IT support" in raised.value.plain()
            with pytest.raises(StoreDamaged):
                reopened.records.all("case")
        finally:
            reopened.close()
    assert store_path.read_bytes() == damaged


def test_a_sound_store_passes_the_background_check_and_closing_stops_it(
        store_path: Path, store: Store, key_pragma: str) -> None:
    store.records.apply_server_records([case_change()])
    store.close()
    reopened = Store.open(store_path, key_pragma, backups_dir=store_path.parent / "b")
    assert reopened.integrity is not None and reopened.integrity.wait(30)
    assert reopened.integrity.result == "ok" and not reopened.db.damaged
    reopened.close()
    again = Store.open(store_path, key_pragma, backups_dir=store_path.parent / "b")
    again.close()                                  # at once, while the check may still run
    assert again.integrity is not None and again.integrity.wait(0)


def test_before_migrating_the_full_check_runs_first(tmp_path: Path, key_pragma: str) -> None:
    """A store an older app left is checked in full before any migration step changes it."""
    path = tmp_path / "c.db"
    db = Database.open(path, key_pragma)
    migrate(db, tmp_path / "b", target=1)
    with db.transaction() as conn:
        for n in range(60):
            conn.execute("INSERT INTO records (record_type, id, case_id, fields, updated_at) "
                         "VALUES ('case', ?, ?, ?, '2026-11-24T10:00:00+00:00')",
                         (f"c{n}", f"c{n}", '{"notes": "' + "x" * 3000 + '"}'))
    db.close()
    _damage_a_page_of(path)
    damaged = path.read_bytes()
    with pytest.raises(StoreDamaged):
        Store.open(path, key_pragma, backups_dir=tmp_path / "b")
    assert path.read_bytes() == damaged
    assert current_version_of(path, key_pragma) == 1


def current_version_of(path: Path, key_pragma: str) -> int:
    db = Database.open(path, key_pragma, check=False)
    try:
        return current_version(db)
    finally:
        db.close()


def test_a_transaction_that_does_not_wait_for_the_disk_relaxes_only_its_own_commit(
        store: Store) -> None:
    """``Sync.REFETCH`` and ``Sync.SOON`` commit without waiting for the disk (WAL,
    synchronous = NORMAL), and only that transaction: the connection is back to FULL
    after it, even when it fails."""
    def synchronous() -> int:
        return int(store.db.raw.execute("PRAGMA synchronous").fetchone()[0])

    for sync in (Sync.REFETCH, Sync.SOON):
        with store.db.transaction(sync=sync):
            assert synchronous() == 1
        assert synchronous() == 2
    with pytest.raises(RuntimeError), store.db.transaction(sync=Sync.REFETCH):
        raise RuntimeError("a failed transaction")
    assert synchronous() == 2
    with store.db.transaction():
        assert synchronous() == 2
