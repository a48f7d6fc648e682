"""Per-record history: every saved change, who made it, when, old → new.

An autosave every pause in typing would write thousands of entries for one
long note, so an entry stays *open* and absorbs the same officer's further
saves while it belongs to the same draft or still-unsent mutation and the last
save is recent; the first ``old`` value of each field is kept, the ``new``
values follow the latest save. Runs inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import JSONValue

ABSORB_WINDOW = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class HistoryEntry:
    record_type: str
    record_id: str
    actor: str
    source: str
    started_at: str
    saved_at: str
    old_values: Mapping[str, JSONValue]
    new_values: Mapping[str, JSONValue]
    mutation_id: str | None


def record_change(conn: Any, *, record_type: str, record_id: str, actor: str, source: str,
                  now: dt.datetime, old: Mapping[str, JSONValue], new: Mapping[str, JSONValue],
                  mutation_id: str | None) -> None:
    """Add (or absorb into the open entry) the change ``old`` → ``new`` of changed fields."""
    stamp = now.isoformat()
    if source == "local":
        row = conn.execute(
            "SELECT hid, actor, saved_at, old_values, new_values, mutation_id, open FROM history "
            "WHERE record_type = ? AND record_id = ? ORDER BY hid DESC LIMIT 1",
            (record_type, record_id)).fetchone()
        if row is not None and _can_absorb(row, actor, now, mutation_id):
            old_values = json.loads(row[3])
            new_values = json.loads(row[4])
            for name, value in old.items():
                # A field first written in this entry had no earlier value to keep.
                if name not in old_values and name not in new_values:
                    old_values[name] = value
            new_values.update(new)
            conn.execute("UPDATE history SET saved_at = ?, old_values = ?, new_values = ?, "
                         "mutation_id = ? WHERE hid = ?",
                         (stamp, json.dumps(old_values), json.dumps(new_values), mutation_id, row[0]))
            return
    conn.execute(
        "INSERT INTO history (record_type, record_id, actor, source, started_at, saved_at, "
        "old_values, new_values, mutation_id, open) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (record_type, record_id, actor, source, stamp, stamp, json.dumps(dict(old)),
         json.dumps(dict(new)), mutation_id, 1 if source == "local" else 0))


def _can_absorb(row: Any, actor: str, now: dt.datetime, mutation_id: str | None) -> bool:
    _hid, row_actor, saved_at, _old, _new, row_mutation, is_open = row
    if not is_open or row_actor != actor:
        return False
    if now - dt.datetime.fromisoformat(saved_at) > ABSORB_WINDOW:
        return False
    # A draft entry (no mutation) may be adopted by the mutation that finishes it.
    return row_mutation is None or row_mutation == mutation_id


def close_for_mutation(conn: Any, mutation_id: str) -> None:
    """Seal entries of a mutation that is leaving the device: later saves start anew."""
    conn.execute("UPDATE history SET open = 0 WHERE mutation_id = ?", (mutation_id,))


def entries(conn: Any, record_type: str, record_id: str) -> list[HistoryEntry]:
    rows = conn.execute(
        "SELECT record_type, record_id, actor, source, started_at, saved_at, old_values, "
        "new_values, mutation_id FROM history WHERE record_type = ? AND record_id = ? "
        "ORDER BY hid", (record_type, record_id)).fetchall()
    return [HistoryEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7]),
                         r[8]) for r in rows]
