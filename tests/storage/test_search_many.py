"""``search.index_many`` leaves the index and the re-index queue as ``search.index`` does
record by record: live entries written, deleted ones taken out, queued rids dequeued, types
that are not searched left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from caseclient.storage import search
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change

CASE = case_change()


def _contact(n: int, notes: str) -> dict[str, Any]:
    return {"record_type": "contact", "record_id": f"00000000-0000-4000-8000-0000000000a{n}",
            "version": 1, "fields": {"case_id": CASE["record_id"], "contact_type": "COAP",
                                     "notes": notes}}


def indexed(folder: Path, key: str, many: bool) -> tuple[Any, ...]:
    folder.mkdir()
    store = Store.open(folder / "cases.db", key, backups_dir=folder / "backups", clock=FakeClock())
    try:
        records = store.records
        records.apply_server_records([CASE, _contact(1, "first words"), _contact(2, "second words"),
                                      _contact(3, "third words")])
        records.save("contact", _contact(1, "")["record_id"], {"notes": "typed words"})   # queued
        raw = store.db.raw
        rids = dict(raw.execute("SELECT id, rid FROM records").fetchall())
        entries = [(rids[_contact(1, "")["record_id"]], "contact",
                    {"notes": "rewritten kestrel", "location": "Office"}, False),
                   (rids[_contact(2, "")["record_id"]], "contact", {"notes": "second words"}, True),
                   (rids[CASE["record_id"]], "case", {**CASE["fields"], "last_name": "Osprey"}, False),
                   (rids[_contact(3, "")["record_id"]], "reference", {"notes": "not searched"}, False)]
        with store.db.transaction() as conn:
            if many:
                search.index_many(conn, [(rid, search.body_of(record_type, fields), deleted)
                                         for rid, record_type, fields, deleted in entries])
            else:
                for rid, record_type, fields, deleted in entries:
                    search.index(conn, rid=rid, record_type=record_type, case_id=None, fields=fields,
                                 deleted=deleted)
        return (raw.execute("SELECT rid FROM reindex_queue ORDER BY rid").fetchall(),
                {word: raw.execute("SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid",
                                   (word,)).fetchall()
                 for word in ("words", "kestrel", "office", "osprey", "second", "third", "searched")})
    finally:
        store.close()


def test_index_many_matches_index_one_by_one(tmp_path: Path, key_pragma: str) -> None:
    many = indexed(tmp_path / "many", key_pragma, many=True)
    assert many == indexed(tmp_path / "one", key_pragma, many=False)
    queued, found = many
    assert queued == [] and found["kestrel"] and found["osprey"] and not found["second"]


def test_index_many_takes_each_record_once(store: Store) -> None:
    with store.db.transaction() as conn, pytest.raises(ValueError, match="once"):
        search.index_many(conn, [(1, "a", False), (1, "b", True)])
