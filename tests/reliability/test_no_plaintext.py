"""No plaintext at rest: case data written through the store never appears in any file.

A unique marker goes into a case name, contact notes (drafts, finished, edited,
deleted), history and the search index, and into a store that is then migrated so
a backup copy is made. Every file under the profile folder — the database, its WAL
and shared-memory files while open, backups, whatever is left after closing — is
read byte by byte for the marker in UTF-8 and UTF-16, in the cases FTS5 may keep.
Temporary files are steered into the profile so they are read too, and nothing
logged may carry the marker.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from pathlib import Path

import pytest

from caseclient.errors import StoreDamaged
from caseclient.services.caseload import CaseloadService
from caseclient.services.contacts import ContactService
from caseclient.storage.database import Database, plain_sqlite_can_read
from caseclient.storage.migrate import head_version, migrate
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change


def marker_forms(marker: str) -> list[bytes]:
    forms: list[bytes] = []
    for text in {marker, marker.lower(), marker.upper()}:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            forms.append(text.encode(encoding))
    return forms


def files_holding(folder: Path, forms: list[bytes]) -> list[str]:
    """Names of files under ``folder`` whose bytes contain any of ``forms``."""
    found: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(form in data for form in forms):
            found.append(str(path.relative_to(folder)))
    return found


def make_old_store(path: Path, key_pragma: str, marker: str) -> None:
    """A store at schema version 1 that already holds the marker, so opening migrates it."""
    db = Database.open(path, key_pragma)
    migrate(db, path.parent / "backups", target=1)
    with db.transaction() as conn:
        conn.execute("INSERT INTO records (record_type, id, case_id, fields, version, dirty, updated_at) "
                     "VALUES ('case', 'old-case', 'old-case', ?, 1, 0, '2026-11-24T10:00:00+00:00')",
                     (json.dumps({"crn": "X000001", "first_name": marker, "last_name": "Older"}),))
    db.close()


def test_no_file_under_the_profile_holds_case_data_in_the_clear(
        tmp_path: Path, key_pragma: str, clock: FakeClock, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    profile = tmp_path / "profile"
    (profile / "tmp").mkdir(parents=True)
    # Any temporary file SQLite or Python makes lands inside the profile and is scanned too.
    monkeypatch.setenv("SQLITE_TMPDIR", str(profile / "tmp"))
    monkeypatch.setenv("TMPDIR", str(profile / "tmp"))
    path = profile / "cases.db"
    marker = "Qmark" + secrets.token_hex(6)
    forms = marker_forms(marker)
    assert head_version() > 1, "a migration backup needs an earlier version to migrate from"
    make_old_store(path, key_pragma, marker)

    store = Store.open(path, key_pragma, backups_dir=profile / "backups", clock=clock)
    case = case_change(first=marker, last=f"Example {marker}")
    case_id = str(case["record_id"])
    store.records.apply_server_records([case])
    caseload = CaseloadService(lambda: store, clock)
    contacts = ContactService(lambda: store, clock, caseload.reference)
    kept = contacts.new_contact(case_id, contact_type="CTEL", date="2026-11-20")
    for n in range(20):
        clock.advance(seconds=3)
        contacts.save_draft(kept.contact.id, {"notes": f"Spoke about {marker} " * (n + 1)})
    store.records.finish("contact", kept.contact.id)
    contacts.save_draft(kept.contact.id, {"location": f"Office {marker}"})
    dropped = contacts.new_contact(case_id, notes=f"Wrong case {marker}")
    contacts.delete(dropped.contact.id, None)
    # the case from before the migration is indexed by migration 0004 and found too
    assert {hit.record_id for hit in store.records.search(marker)} == {"old-case", case_id,
                                                                       kept.contact.id}
    assert any(marker in str(entry.new_values) for entry in contacts.history(kept.contact.id))
    assert "X123456" in [c.crn for c in caseload.search(marker.lower())]

    wal, shm = path.with_name("cases.db-wal"), path.with_name("cases.db-shm")
    assert wal.stat().st_size > 0 and shm.stat().st_size > 0, "WAL and SHM are in use while open"
    backups = list((profile / "backups").iterdir())
    assert [b.name for b in backups] == ["cases.v1.db"]
    assert files_holding(profile, forms) == [], "plaintext while the store is open"

    store.close()
    assert files_holding(profile, forms) == [], "plaintext after closing"
    assert marker not in caplog.text and marker.lower() not in caplog.text

    for encrypted in (path, backups[0]):
        assert not plain_sqlite_can_read(encrypted)
        plain = sqlite3.connect(encrypted)
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            plain.execute("SELECT * FROM sqlite_master").fetchall()
        plain.close()


def test_the_wrong_key_gives_the_clear_error_and_changes_nothing(
        tmp_path: Path, key_pragma: str, clock: FakeClock) -> None:
    path = tmp_path / "profile" / "cases.db"
    path.parent.mkdir()
    store = Store.open(path, key_pragma, backups_dir=path.parent / "backups", clock=clock)
    store.records.apply_server_records([case_change()])
    store.close()
    before = {p.name: p.read_bytes() for p in path.parent.iterdir() if p.is_file()}
    wrong = "x'" + secrets.token_hex(32) + "'"
    with pytest.raises(StoreDamaged) as raised:
        Store.open(path, wrong, backups_dir=path.parent / "backups", clock=clock)
    assert raised.value.plain().startswith("The local case store cannot be opened with this profile's key.")
    assert "contact IT support" in raised.value.plain()
    assert {p.name: p.read_bytes() for p in path.parent.iterdir() if p.is_file()} == before
    reopened = Store.open(path, key_pragma, backups_dir=path.parent / "backups", clock=clock)
    assert len(reopened.records.all("case")) == 1
    reopened.close()


def test_the_scan_finds_the_marker_when_it_is_in_the_clear(tmp_path: Path) -> None:
    """Control: the same scan over a plain SQLite file and a UTF-16 text file finds it."""
    marker = "Qmark" + secrets.token_hex(6)
    plain = sqlite3.connect(tmp_path / "plain.db")
    plain.execute("CREATE TABLE t (x)")
    plain.execute("INSERT INTO t VALUES (?)", (f"notes {marker}",))
    plain.commit()
    plain.close()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "qt.log").write_bytes(f"saved {marker.upper()}".encode("utf-16-le"))
    assert files_holding(tmp_path, marker_forms(marker)) == ["logs/qt.log", "plain.db"]
