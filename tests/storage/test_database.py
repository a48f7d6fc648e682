"""Environment failures become plain KnownErrors and never change the file."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from caseclient.errors import DiskFull, StoreDamaged
from caseclient.storage.database import Database, library_versions, plain_sqlite_can_read
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
