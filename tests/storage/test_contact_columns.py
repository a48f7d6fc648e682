"""The contact columns of ``records`` (migration 0008: a contact's date, type, start time
and whether it has an outcome, which the caseload's indexes are on) follow every write of
a record's fields, as Python and as SQLite's JSON functions read those fields; and an
autosave of the notes sets no indexed column, so it writes the row and no index entry
(docs/performance.md, "Autosave commit latency")."""

from __future__ import annotations

import json
import uuid
from typing import Any

from caseclient.storage import outbox, reconcile
from caseclient.storage.store import Store
from caseclient.storage.summaries import CONTACT_COLUMNS, contact_columns
from caseclient.storage.sync_state import StagedRecord
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change

# What migration 0008 backfills from each row: SQLite's reading of the same JSON.
FROM_JSON = (
    "CASE WHEN record_type = 'contact' THEN "
    "CASE json_type(fields, '$.date') WHEN 'text' THEN json_extract(fields, '$.date') END END, "
    "CASE WHEN record_type = 'contact' THEN "
    "CASE json_type(fields, '$.contact_type') WHEN 'text' THEN json_extract(fields, '$.contact_type') "
    "END END, "
    "CASE WHEN record_type = 'contact' THEN "
    "CASE json_type(fields, '$.start_time') WHEN 'text' THEN json_extract(fields, '$.start_time') END "
    "END, "
    "CASE WHEN record_type = 'contact' THEN json_type(fields, '$.outcome') IS 'text' END")

CASE = case_change()
CASE_ID = str(CASE["record_id"])
ODD: dict[str, Any] = {"case_id": CASE_ID, "contact_type": 7, "date": 20261125, "start_time": 900,
                       "outcome": ["ATTC"], "notes": "Rang"}


def wrong_rows(store: Store) -> list[str]:
    """Ids of records whose columns differ from contact_columns of their fields, or from
    SQLite's reading of them."""
    rows = store.db.query(f"SELECT id, record_type, fields, {', '.join(CONTACT_COLUMNS)}, {FROM_JSON} "
                          "FROM records")
    return [r[0] for r in rows
            if tuple(r[3:7]) != contact_columns(r[1], json.loads(r[2])) or tuple(r[3:7]) != tuple(r[7:])]


def held(store: Store, record_id: str) -> tuple[Any, ...]:
    return tuple(store.db.query(f"SELECT {', '.join(CONTACT_COLUMNS)} FROM records WHERE id = ?",
                                (record_id,))[0])


def pulled(record_id: str, version: int, **fields: Any) -> dict[str, Any]:
    return {"record_type": "contact", "record_id": record_id, "version": version,
            "fields": {"case_id": CASE_ID, **fields}}


def test_every_write_of_fields_keeps_the_columns(store: Store, clock: FakeClock) -> None:
    records = store.records
    records.apply_server_records([CASE])
    typed = str(uuid.uuid4())
    records.create_draft("contact", typed, CASE_ID, ODD)
    assert held(store, typed) == (None, None, None, 0)
    records.save("contact", typed, {"date": "2026-11-30", "contact_type": "COAP", "start_time": "10:00"})
    records.save("contact", typed, {"notes": "Rang about housing"})
    records.finish("contact", typed)
    records.save("contact", typed, {"outcome": "ATTC"})
    assert held(store, typed) == ("2026-11-30", "COAP", "10:00", 1)
    assert wrong_rows(store) == []

    # The central system's copies: new, then a new version, then over local work (merged).
    theirs = str(uuid.uuid4())
    records.apply_server_records([pulled(theirs, 1, date="2026-02-30", contact_type="CHVS",
                                         outcome=3)])
    assert held(store, theirs) == ("2026-02-30", "CHVS", None, 0)
    records.apply_server_records([pulled(theirs, 2, date="2026-12-01", contact_type="CHVS",
                                         start_time="09:30")])
    records.save("contact", theirs, {"outcome": "NA"})
    records.apply_server_records([pulled(theirs, 3, date="2026-12-02", contact_type="CHVS",
                                         start_time="09:30")])
    assert held(store, theirs) == ("2026-12-02", "CHVS", "09:30", 1)     # their date, my outcome
    assert wrong_rows(store) == []

    # A first pull's new records, written together; a settled conflict.
    first = [StagedRecord("contact", str(uuid.uuid4()), 1, False,
                          {"case_id": CASE_ID, "date": date, "contact_type": kind, "outcome": outcome},
                          None)
             for date, kind, outcome in (("2026-11-24", "COAP", None), (True, None, "ATTC"),
                                         ({"d": 1}, "", ""))]
    with store.db.transaction() as conn:
        reconcile.insert_new(conn, [*first, StagedRecord("case", str(uuid.uuid4()), 1, False,
                                                         {"crn": "X999999", "date": "2026-11-24"},
                                                         None)], clock())
    assert held(store, first[0].record_id) == ("2026-11-24", "COAP", None, 0)
    saved = records.save("contact", theirs, {"date": "2026-12-03"})
    assert saved.mutation_id is not None
    answer = {"server_record": {"record_type": "contact", "record_id": theirs, "version": 4,
                                "fields": {"case_id": CASE_ID, "date": "2026-12-04",
                                           "contact_type": "COAP", "outcome": None}}}
    with store.db.transaction() as conn:
        [conflict] = [m for m in outbox.for_record(conn, "contact", theirs)
                      if m.mutation_id == saved.mutation_id]
        reconcile.conflict(conn, records, conflict, answer, clock())
    with store.db.transaction() as conn:
        reconcile.resolve(conn, saved.mutation_id, {"date": "2026-12-05"}, keep_deleted=None,
                          actor="N01A123", now=clock())
    assert held(store, theirs) == ("2026-12-05", "COAP", None, 0)
    records.delete("contact", theirs, "Recorded twice")
    assert held(store, CASE_ID) == (None, None, None, None)
    assert wrong_rows(store) == []


def _index_writes(store: Store, record_id: str, changes: dict[str, Any]) -> list[str]:
    """The index opcodes of the UPDATE a save of ``changes`` runs on ``records``."""
    statements: list[str] = []
    store.db.raw.set_trace_callback(statements.append)
    try:
        store.records.save("contact", record_id, changes)
    finally:
        store.db.raw.set_trace_callback(None)
    [update] = [s for s in statements if s.startswith("UPDATE records")]
    return [r[1] for r in store.db.raw.execute("EXPLAIN " + update) if r[1].startswith("Idx")]


def test_an_autosave_of_the_notes_writes_no_index_entry_of_records(store: Store) -> None:
    store.records.apply_server_records([CASE, pulled(sent := str(uuid.uuid4()), 1, date="2026-11-30",
                                                     contact_type="COAP", notes="")])
    assert "IdxInsert" in _index_writes(store, sent, {"notes": "Rang"})      # becomes dirty
    assert _index_writes(store, sent, {"notes": "Rang about housing"}) == []
    assert "IdxInsert" in _index_writes(store, sent, {"date": "2026-12-01"})
    typed = str(uuid.uuid4())
    store.records.create_draft("contact", typed, CASE_ID, {"case_id": CASE_ID, "notes": ""})
    assert _index_writes(store, typed, {"notes": "Rang"}) == []
    assert "IdxInsert" in _index_writes(store, typed, {"outcome": "ATTC"})
    assert wrong_rows(store) == []
