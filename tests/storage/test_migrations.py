"""Migrations tested three ways (SecureDrop Client's habit): empty → head equals the
committed schema; every step runs on seeded data; the sequence holds one step at a time.
Plus: a newer store is refused untouched, and the file is copied before migrating."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseclient.errors import StoreTooNew
from caseclient.storage.database import Database
from caseclient.storage.migrate import available_migrations, current_version, head_version, migrate
from caseclient.storage.store import Store
from tests.storage.schema_dump import schema_text

COMMITTED = Path(__file__).resolve().parents[2] / "src" / "caseclient" / "storage" / "schema.sql"


def _committed_schema() -> str:
    lines = COMMITTED.read_text("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines[2:])


def test_empty_to_head_equals_the_committed_schema(store: Store) -> None:
    assert current_version(store.db) == head_version()
    assert schema_text(store.db) == _committed_schema(), "run scripts/dump-schema"


def _seed(db: Database, version: int) -> None:
    """Rows every schema version from 1 on can hold."""
    if version >= 1:
        with db.transaction() as conn:
            conn.execute("INSERT INTO records (record_type, id, case_id, fields, updated_at) "
                         "VALUES ('case', 'c1', 'c1', ?, '2026-11-24T10:00:00+00:00')",
                         (json.dumps({"crn": "X123456", "first_name": "Ann",
                                      "last_name": "Example"}),))
            conn.execute("INSERT INTO meta (key, value) VALUES ('client_id', 'device-1')")


@pytest.mark.parametrize("start", range(1, head_version() + 1))
def test_every_step_runs_on_seeded_data_one_at_a_time(tmp_path: Path, key_pragma: str,
                                                      start: int) -> None:
    db = Database.open(tmp_path / "c.db", key_pragma)
    migrate(db, tmp_path / "backups", target=start)
    _seed(db, start)
    for step in range(start + 1, head_version() + 1):
        assert migrate(db, tmp_path / "backups", target=step) == step
    assert db.scalar("SELECT json_extract(fields, '$.crn') FROM records WHERE id = 'c1'") == "X123456"
    assert schema_text(db) == _committed_schema()
    db.close()


def test_migrating_copies_the_encrypted_file_first(tmp_path: Path, key_pragma: str) -> None:
    db = Database.open(tmp_path / "c.db", key_pragma)
    migrate(db, tmp_path / "backups", target=1)
    _seed(db, 1)
    migrate(db, tmp_path / "backups")
    db.close()
    backups = list((tmp_path / "backups").iterdir())
    assert [b.name for b in backups] == ["c.v1.db"]
    copy = Database.open(backups[0], key_pragma)
    assert current_version(copy) == 1
    assert copy.scalar("SELECT count(*) FROM records") == 1
    copy.close()


def test_a_store_newer_than_the_app_is_refused_untouched(tmp_path: Path, key_pragma: str) -> None:
    path = tmp_path / "c.db"
    db = Database.open(path, key_pragma)
    migrate(db, tmp_path / "backups")
    db.execute(f"PRAGMA user_version = {head_version() + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreTooNew) as raised:
        Store.open(path, key_pragma, backups_dir=tmp_path / "backups")
    assert "newer version" in raised.value.plain()
    assert path.read_bytes() == before


def test_migration_files_are_numbered_without_gaps() -> None:
    versions = [m.version for m in available_migrations()]
    assert versions == list(range(1, len(versions) + 1))
