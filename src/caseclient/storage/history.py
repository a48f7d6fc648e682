"""Per-record history: every saved change, who made it, when, old → new.

An autosave every pause in typing would write thousands of entries for one
long note, so an entry stays *open* and absorbs the same officer's further
saves while it belongs to the same draft or still-unsent mutation and the last
save is recent; the first ``old`` value of each field is kept, the ``new``
values follow the latest save.

While an open entry is the record's latest, the new values of the fields a local
save wrote are the record's own current values, so the entry does not copy them
on every save: ``live_fields`` keeps a checksum of each instead (a note's
checksum is a few bytes; the note may be hundreds of KiB). They are written out
into ``new_values`` when the entry closes (:func:`close_for_mutation`, when its
mutation is offered to the server) or when a later entry of the record starts
(the record's values then are the earlier entry's new values, except the fields
the later change replaces, whose old values are). :func:`entries` reads a live
entry's values from the record. Runs inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseclient.storage import long_text

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


def checksum(value: JSONValue) -> str:
    """A short check of a field's value: kind, length in bytes and CRC-32.

    Enough to show that the record still holds the value a live entry stands for
    (the consistency checks compare them); cheap even for a long note.
    """
    if isinstance(value, str):
        kind, data = "s", value.encode("utf-8", "surrogatepass")
    else:
        kind, data = "j", json.dumps(value, sort_keys=True).encode("utf-8")
    return f"{kind}{len(data)}:{zlib.crc32(data):08x}"


def record_change(conn: Any, *, record_type: str, record_id: str, actor: str, source: str,
                  now: dt.datetime, old: Mapping[str, JSONValue], new: Mapping[str, JSONValue],
                  mutation_id: str | None, new_in_row: bool = False) -> None:
    """Add (or absorb into the open entry) the change ``old`` → ``new`` of changed fields.

    ``new_in_row``: the caller has just written ``new`` into the record's row (a local
    save), so the entry keeps checksums of those values rather than copies.
    """
    stamp = now.isoformat()
    live = source == "local" and new_in_row
    if source == "local":
        row = conn.execute(
            "SELECT hid, actor, saved_at, mutation_id, open, new_values, live_fields FROM history "
            "WHERE record_type = ? AND record_id = ? ORDER BY hid DESC LIMIT 1",
            (record_type, record_id)).fetchone()
        if row is not None and _can_absorb(row, actor, now, mutation_id):
            _absorb(conn, row, stamp=stamp, old=old, new=new, live=live, mutation_id=mutation_id)
            return
    _write_out(conn, "h.record_type = ? AND h.record_id = ?", (record_type, record_id), old)
    checks = {k: checksum(v) for k, v in new.items()} if live else {}
    conn.execute(
        "INSERT INTO history (record_type, record_id, actor, source, started_at, saved_at, "
        "old_values, new_values, mutation_id, open, live_fields) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (record_type, record_id, actor, source, stamp, stamp, json.dumps(dict(old)),
         "{}" if live else json.dumps(dict(new)), mutation_id, 1 if source == "local" else 0,
         json.dumps(checks) if checks else None))


def _can_absorb(row: Any, actor: str, now: dt.datetime, mutation_id: str | None) -> bool:
    _hid, row_actor, saved_at, row_mutation, is_open, _new, _live = row
    if not is_open or row_actor != actor:
        return False
    if now - dt.datetime.fromisoformat(saved_at) > ABSORB_WINDOW:
        return False
    # A draft entry (no mutation) may be adopted by the mutation that finishes it.
    return row_mutation is None or row_mutation == mutation_id


def _absorb(conn: Any, row: Any, *, stamp: str, old: Mapping[str, JSONValue],
            new: Mapping[str, JSONValue], live: bool, mutation_id: str | None) -> None:
    """Fold one more save into the open entry, writing only what it changes."""
    hid, _actor, _saved_at, row_mutation, _open, new_json, live_json = row
    new_values: dict[str, JSONValue] = json.loads(new_json)
    live_fields: dict[str, str] = json.loads(live_json) if live_json else {}
    sets: list[str] = ["saved_at = ?"]
    params: list[str | None] = [stamp]
    if mutation_id != row_mutation:
        sets.append("mutation_id = ?")
        params.append(mutation_id)
    # A field first written in this entry keeps its value from before; every field the
    # entry has old values for it also has new values for, so the new side tells.
    first = {k: v for k, v in old.items() if k not in new_values and k not in live_fields}
    if first:
        (old_json,) = conn.execute("SELECT old_values FROM history WHERE hid = ?", (hid,)).fetchone()
        old_values: dict[str, JSONValue] = json.loads(old_json)
        for name, value in first.items():
            old_values.setdefault(name, value)
        sets.append("old_values = ?")
        params.append(json.dumps(old_values))
    if live:
        moved = [k for k in new if k in new_values]
        for name in moved:
            del new_values[name]
        live_fields.update((k, checksum(v)) for k, v in new.items())
        sets.append("live_fields = ?")
        params.append(json.dumps(live_fields))
        if moved:
            sets.append("new_values = ?")
            params.append(json.dumps(new_values))
    else:
        new_values.update(new)
        sets.append("new_values = ?")
        params.append(json.dumps(new_values))
        if any(k in live_fields for k in new):
            for name in new:
                live_fields.pop(name, None)
            sets.append("live_fields = ?")
            params.append(json.dumps(live_fields) if live_fields else None)
    conn.execute(f"UPDATE history SET {', '.join(sets)} WHERE hid = ?", (*params, hid))


def _write_out(conn: Any, where: str, params: tuple[Any, ...],
               before: Mapping[str, JSONValue]) -> None:
    """Give live entries matching ``where`` (on ``history AS h``) their new values, as they
    stand now.

    ``before``: values of fields a change about to be recorded has replaced in the
    row already (its ``old``); every other field still holds the entry's new value.
    With no ``before`` (sealing a push batch's entries) the records' fields are read in
    the same statement and the entries written with one ``executemany``: it was two
    statements an entry, ~0.4 s of a 2,000-contact push.
    """
    joined = not before
    entries_found = conn.execute(
        f"SELECT h.hid, h.record_type, h.record_id, h.new_values, h.live_fields, "
        f"{long_text.columns('r') if joined else 'NULL, NULL, NULL'} FROM history AS h "
        + ("LEFT JOIN records AS r ON r.record_type = h.record_type AND r.id = h.record_id "
           if joined else "")
        + f"WHERE {where} AND h.live_fields IS NOT NULL", params).fetchall()
    updates: list[tuple[str, int]] = []
    for found in entries_found:
        hid, record_type, record_id, new_json, live_json = found[:5]
        names = json.loads(live_json)
        current: Mapping[str, JSONValue] = {}
        if joined:
            current = long_text.values_of(conn, found, 5)      # {}: no record (LEFT JOIN)
        elif any(name not in before for name in names):
            current = _row_fields(conn, record_type, record_id)
        new_values = json.loads(new_json)
        new_values.update({n: before[n] if n in before else current.get(n) for n in names})
        updates.append((json.dumps(new_values), hid))
    if updates:
        conn.executemany("UPDATE history SET new_values = ?, live_fields = NULL WHERE hid = ?", updates)


def _row_fields(conn: Any, record_type: str, record_id: str) -> Mapping[str, JSONValue]:
    row = conn.execute(f"SELECT {long_text.columns()} FROM records WHERE record_type = ? AND id = ?",
                       (record_type, record_id)).fetchone()
    return {} if row is None else long_text.values_of(conn, row)


def close_for_mutation(conn: Any, mutation_id: str) -> None:
    """Seal entries of a mutation that is leaving the device: later saves start anew.

    Their new values are written out now, while the record still holds them.
    """
    _write_out(conn, "h.mutation_id = ?", (mutation_id,), {})
    conn.execute("UPDATE history SET open = 0 WHERE mutation_id = ? AND open = 1", (mutation_id,))


def close_for_mutations(conn: Any, mutation_ids: list[str]) -> None:
    """``close_for_mutation`` for several, in a few statements (a push batch's)."""
    for start in range(0, len(mutation_ids), 500):
        chunk = mutation_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        _write_out(conn, f"h.mutation_id IN ({marks})", tuple(chunk), {})
        conn.execute(f"UPDATE history SET open = 0 WHERE mutation_id IN ({marks}) AND open = 1", chunk)


def entries(conn: Any, record_type: str, record_id: str) -> list[HistoryEntry]:
    rows = conn.execute(
        "SELECT record_type, record_id, actor, source, started_at, saved_at, old_values, "
        "new_values, mutation_id, live_fields FROM history WHERE record_type = ? AND record_id = ? "
        "ORDER BY hid", (record_type, record_id)).fetchall()
    current: Mapping[str, JSONValue] = {}
    if any(r[9] is not None for r in rows):
        current = _row_fields(conn, record_type, record_id)
    out: list[HistoryEntry] = []
    for r in rows:
        new_values = json.loads(r[7])
        if r[9] is not None:
            new_values.update({name: current.get(name) for name in json.loads(r[9])})
        out.append(HistoryEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), new_values,
                                r[8]))
    return out
