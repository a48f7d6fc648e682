"""Migrations tested three ways (SecureDrop Client's habit): empty → head equals the
committed schema; every step runs on seeded data, from every earlier version, and what
was seeded is still found, searched and read back at the head; the sequence holds one
step at a time.
Plus: a newer store is refused untouched, and the file is copied before migrating."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseclient.errors import StoreTooNew
from caseclient.storage import history, search
from caseclient.storage.database import Database
from caseclient.storage.migrate import available_migrations, current_version, head_version, migrate
from caseclient.storage.store import Store
from caseclient.storage.summaries import CONTACT_COLUMNS, contact_columns
from tests.storage.schema_dump import schema_text

COMMITTED = Path(__file__).resolve().parents[2] / "src" / "caseclient" / "storage" / "schema.sql"


def _committed_schema() -> str:
    lines = COMMITTED.read_text("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines[2:])


def test_empty_to_head_equals_the_committed_schema(store: Store) -> None:
    assert current_version(store.db) == head_version()
    assert schema_text(store.db) == _committed_schema(), "run scripts/dump-schema"


SEARCH_TABLE_FROM = 2      # 0002_search: FTS5 table with its text
CONTENTLESS_FROM = 4       # 0004_search_contentless: the index only
QUEUE_FROM = 6             # 0006_reindex_queue: an autosaved record's entry may lag its row
CONTACT_COLUMNS_FROM = 8   # 0008_contact_columns: a contact's date, type, start, outcome in columns
CONTACT = {"case_id": "c1", "contact_type": "COAP", "notes": "Talked about the allotment"}


def _seed(db: Database, version: int) -> None:
    """Rows every schema version from 1 on can hold: a case, a draft contact with its open
    history entry, and their search entries (or queue place) where that version's save path
    wrote them."""
    case = {"crn": "X123456", "first_name": "Ann", "last_name": "Example"}
    stamp = "2026-11-24T10:00:00+00:00"
    with db.transaction() as conn:
        conn.execute("INSERT INTO records (rid, record_type, id, case_id, fields, updated_at) "
                     "VALUES (1, 'case', 'c1', 'c1', ?, ?)", (json.dumps(case), stamp))
        conn.execute("INSERT INTO records (rid, record_type, id, case_id, fields, draft, updated_at) "
                     "VALUES (2, 'contact', 'n1', 'c1', ?, 1, ?)", (json.dumps(CONTACT), stamp))
        conn.execute("INSERT INTO history (record_type, record_id, actor, source, started_at, "
                     "saved_at, old_values, new_values, open) VALUES ('contact', 'n1', 'N01A123', "
                     "'local', ?, ?, '{}', ?, 1)", (stamp, stamp, json.dumps(CONTACT)))
        conn.execute("INSERT INTO meta (key, value) VALUES ('client_id', 'device-1')")
        # From 0006 on the contact is the one being typed into: its entry still holds the
        # words of an earlier save, and search must find it by what its row says now.
        lagging = version >= QUEUE_FROM
        if lagging:
            conn.execute("INSERT INTO reindex_queue (rid) VALUES (2)")
        for rid, body in ((1, "X123456\nAnn\nExample"),
                          (2, "Talked about the garden" if lagging else CONTACT["notes"])):
            if version >= CONTENTLESS_FROM:
                conn.execute("INSERT INTO search (rowid, body) VALUES (?, ?)", (rid, body))
            elif version >= SEARCH_TABLE_FROM:
                conn.execute("INSERT INTO search (rowid, record_type, case_id, body) "
                             "VALUES (?, 'x', 'c1', ?)", (rid, body))


@pytest.mark.parametrize("start", range(1, head_version() + 1))
def test_every_step_runs_on_seeded_data_one_at_a_time(tmp_path: Path, key_pragma: str,
                                                      start: int) -> None:
    db = Database.open(tmp_path / "c.db", key_pragma)
    migrate(db, tmp_path / "backups", target=start)
    _seed(db, start)
    for step in range(start + 1, head_version() + 1):
        assert migrate(db, tmp_path / "backups", target=step) == step
    assert db.scalar("SELECT json_extract(fields, '$.crn') FROM records WHERE id = 'c1'") == "X123456"
    assert [h.record_id for h in search.find(db.raw, "examp")] == ["c1"]
    assert [h.record_id for h in search.find(db.raw, "allotm")] == ["n1"]
    assert search.find(db.raw, "garden") == []
    [entry] = history.entries(db.raw, "contact", "n1")
    assert (entry.actor, entry.old_values, entry.new_values) == ("N01A123", {}, CONTACT)
    assert db.integrity_check() == "ok"
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
    assert copy.scalar("SELECT count(*) FROM records") == 2
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


# Contacts as any earlier version's save path wrote them: ordinary, odd and missing values.
OLD_CONTACTS = (
    {"case_id": "c1", "contact_type": "COAP", "date": "2026-11-24", "start_time": "10:00",
     "outcome": "ATTC", "notes": "Seen"},
    {"case_id": "c1", "contact_type": "CHVS", "date": "2026-12-01", "outcome": None},
    {"case_id": "c1", "contact_type": 7, "date": 20261125, "start_time": 900, "outcome": 3},
    {"case_id": "c1", "contact_type": "", "date": "2026-02-30", "start_time": "", "outcome": ""},
    {"case_id": "c1", "date": True, "outcome": ["ATTC"], "start_time": ["10:00"]},
    {"case_id": "c1", "contact_type": "Café", "date": {"d": "2026-11-24"}, "outcome": {"code": "NA"}},
    {},
)


@pytest.mark.parametrize("start", range(1, CONTACT_COLUMNS_FROM))
def test_contact_columns_are_filled_from_every_earlier_version(tmp_path: Path, key_pragma: str,
                                                               start: int) -> None:
    db = Database.open(tmp_path / "c.db", key_pragma)
    migrate(db, tmp_path / "backups", target=start)
    _seed(db, start)
    with db.transaction() as conn:
        for n, fields in enumerate(OLD_CONTACTS):
            conn.execute("INSERT INTO records (record_type, id, case_id, fields, deleted, updated_at) "
                         "VALUES ('contact', ?, 'c1', ?, ?, '2026-11-24T10:00:00+00:00')",
                         (f"old-{n}", json.dumps(fields), n % 2))
    migrate(db, tmp_path / "backups")
    rows = db.query(f"SELECT record_type, fields, {', '.join(CONTACT_COLUMNS)} FROM records")
    assert len(rows) == len(OLD_CONTACTS) + 2
    assert [tuple(r[2:]) for r in rows] == [contact_columns(r[0], json.loads(r[1])) for r in rows]
    assert ("2026-11-24", "COAP", "10:00", 1) in [tuple(r[2:]) for r in rows]
    assert (None, None, None, None) in [tuple(r[2:]) for r in rows]      # the case
    db.close()
