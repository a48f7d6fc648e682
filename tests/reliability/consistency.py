"""What "row, history and outbox agree" means, checked straight from the store's tables.

Read from records.py, history.py and outbox.py; every rule below is one the save
path promises. :func:`problems` returns plain sentences (no case data beyond ids)
so a failing test says which rule broke for which record.

Always:
- ``integrity_check`` is ``ok`` and ``foreign_key_check`` finds nothing.
- The ``seq`` the server sees is exactly 1, 2, … N with no gap or repeat, and the
  device's next number is N + 1 (never reused). Before the sync engine's migration
  that is the outbox ``seq``; after it, ``wire_seq`` (given when a mutation is first
  offered, and every offered mutation has one) while ``seq`` stays the local order:
  unique, below ``next_seq``, and without gaps while nothing was pushed.
- Every mutation's ``payload_sha256`` is the canonical hash of what it stores, so an
  absorbed mutation was re-hashed on every absorption.
- A record absorbs into at most one mutation: only its latest create/update may be
  ``pending`` and never offered (``attempts = 0``, no ``wire_seq``), a later
  ``delete`` aside.
- A draft has no mutations, is not dirty, and its history names no mutation.
- A record not a draft and never sent (``version`` NULL) is dirty and its first
  mutation is its ``create``; a dirty record has a mutation; a record deleted here
  (dirty and deleted) has a ``delete`` as its latest mutation.
- History agrees with the row: replaying entries in order, each entry's old value of
  a field equals the value the previous entries left, and the last value of every
  field history mentions equals the row's value now. A record made on this laptop
  starts from all fields empty, so replay must rebuild the whole row.
- An entry whose new values are kept as checksums of the row's values (``live_fields``,
  from migration 0005 on) is open and its record's latest entry, and every checksum
  is that of the row's value now; replay reads those new values from the row.
- Every history entry's mutation belongs to the same record; history of a record
  made here and finished names a mutation in every local entry.
- The search index holds exactly the live records of searched types, and the queue of
  entries lagging their row (``reindex_queue``, from migration 0006 on) names only such
  records.
- Each live searched record with a search entry has its case in the caseload's rid → case
  map (from migration 0010 on; search.py, decision 0041): its ``record_case_new`` row, or
  else its 4-byte little-endian slot ``rid % 512`` of ``record_case`` row ``rid // 512``,
  is a ``case_number`` naming its ``records.case_id``; 0 (or no slot) only when that is NULL.
- The contact columns the caseload's indexes are on (from migration 0008 on) hold
  ``summaries.contact_columns`` of the row's fields, for every record.
- Long text in pieces (from migration 0009 on; storage/long_text.py): a row's ``pieces``
  is 1 exactly when it has pieces, only of its long-text fields, each field's place in
  its JSON is null, every piece is non-empty and within ``PIECE_BYTES``; a row's fields
  here are its JSON with the pieces joined in, as every reader takes them.

With ``no_server=True`` (nothing was pulled or pushed; the crash test):
- no mutation is ``sending`` after a reopen, none has a server result;
- overlaying a record's create/update fields in ``seq`` order rebuilds the row, and
  the record is deleted exactly when its last mutation is a ``delete``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import payload_sha256
from caseclient.domain.schema import spec_for
from caseclient.storage import long_text
from caseclient.storage.history import checksum
from caseclient.storage.store import Store
from caseclient.storage.summaries import CONTACT_COLUMNS, contact_columns

SEARCHED_TYPES = ("case", "contact")


@dataclass(frozen=True)
class Row:
    rid: int
    record_type: str
    id: str
    fields: dict[str, Any]
    version: int | None
    dirty: bool
    draft: bool
    deleted: bool


@dataclass(frozen=True)
class Mut:
    mutation_id: str
    seq: int
    record_type: str
    record_id: str
    op: str
    base_version: int | None
    fields: dict[str, Any]
    payload_sha256: str
    resolves: str | None
    state: str
    attempts: int
    result: str | None
    wire_seq: int | None

    @property
    def offered(self) -> bool:
        return self.attempts > 0 or self.wire_seq is not None


@dataclass(frozen=True)
class Hist:
    hid: int
    record_type: str
    record_id: str
    source: str
    old: dict[str, Any]
    new: dict[str, Any]
    mutation_id: str | None
    open: bool
    live: dict[str, str]          # field → checksum: new values the row holds (live_fields)


def load(store: Store) -> tuple[list[Row], list[Mut], list[Hist]]:
    q = store.db.query
    columns = {c[1] for c in q("PRAGMA table_info(outbox)")}
    wire = "wire_seq" if "wire_seq" in columns else "NULL"
    pieced = "pieces" if _has_pieces(store) else "0"
    rows = [Row(r[0], r[1], r[2], long_text.assemble(store.db.raw, r[0], r[3], r[8]), r[4],
                bool(r[5]), bool(r[6]), bool(r[7]))
            for r in q("SELECT rid, record_type, id, fields, version, dirty, draft, deleted, "
                       f"{pieced} FROM records ORDER BY rid")]
    muts = [Mut(m[0], m[1], m[2], m[3], m[4], m[5], json.loads(m[6]), m[7], m[8], m[9], m[10], m[11],
                m[12])
            for m in q("SELECT mutation_id, seq, record_type, record_id, op, base_version, fields, "
                       f"payload_sha256, resolves, state, attempts, result, {wire} FROM outbox "
                       "ORDER BY seq")]
    history_columns = {c[1] for c in q("PRAGMA table_info(history)")}
    live = "live_fields" if "live_fields" in history_columns else "NULL"
    fields_of = {(r.record_type, r.id): r.fields for r in rows}
    hist: list[Hist] = []
    for h in q("SELECT hid, record_type, record_id, source, old_values, new_values, "
               f"mutation_id, open, {live} FROM history ORDER BY hid"):
        checks = json.loads(h[8]) if h[8] is not None else {}
        new = json.loads(h[5])
        current = fields_of.get((h[1], h[2]), {})
        new.update({name: current.get(name) for name in checks})
        hist.append(Hist(h[0], h[1], h[2], h[3], json.loads(h[4]), new, h[6], bool(h[7]), checks))
    return rows, muts, hist


def problems(store: Store, *, no_server: bool = False) -> list[str]:
    """Every broken rule, as sentences; empty when the store is consistent."""
    out: list[str] = []
    integrity = store.db.integrity_check()
    if integrity != "ok":
        out.append(f"integrity_check: {integrity}")
    if store.db.query("PRAGMA foreign_key_check"):
        out.append("foreign_key_check found orphans")
    rows, muts, hist = load(store)
    out += _seq_rules(store, muts, no_server)
    by_record: dict[tuple[str, str], list[Mut]] = defaultdict(list)
    for m in muts:
        by_record[(m.record_type, m.record_id)].append(m)
        expected = payload_sha256(record_type=m.record_type, record_id=m.record_id, op=m.op,
                                  base_version=m.base_version, fields=m.fields, resolves=m.resolves)
        if m.payload_sha256 != expected:
            out.append(f"mutation seq {m.seq}: payload_sha256 does not match its payload")
        if no_server and (m.state != "pending" or m.result is not None):
            out.append(f"mutation seq {m.seq}: state {m.state} with no server in play")
    hist_by_record: dict[tuple[str, str], list[Hist]] = defaultdict(list)
    for h in hist:
        hist_by_record[(h.record_type, h.record_id)].append(h)
    known = {(r.record_type, r.id) for r in rows}
    for key in set(by_record) | set(hist_by_record):
        if key not in known:
            out.append(f"{key[0]} {key[1]}: outbox or history without a record")
    for row in rows:
        key = (row.record_type, row.id)
        out += _record_rules(row, by_record.get(key, []), hist_by_record.get(key, []), no_server)
    out += _search_rules(store, rows)
    out += _case_map_rules(store, rows)
    out += _contact_column_rules(store, rows)
    out += _piece_rules(store)
    return out


def _has_pieces(store: Store) -> bool:
    return bool(store.db.scalar("SELECT count(*) FROM pragma_table_info('records') "
                                "WHERE name = 'pieces'"))


def _piece_rules(store: Store) -> list[str]:
    if not _has_pieces(store):
        return []
    out: list[str] = []
    held: dict[int, set[str]] = defaultdict(set)
    for rid, field, text in store.db.query("SELECT rid, field, text FROM record_text"):
        held[rid].add(field)
        if not text or len(text.encode("utf-8")) > long_text.PIECE_BYTES:
            out.append(f"record rid {rid}: a piece of {field} is empty or too long")
    for rid, record_type, fields_json, pieced in store.db.query(
            "SELECT rid, record_type, fields, pieces FROM records"):
        names = held.get(rid, set())
        fields = json.loads(fields_json)
        if bool(pieced) != bool(names):
            out.append(f"record rid {rid}: pieces flag {pieced} but pieces of {sorted(names)}")
        if not names <= set(long_text.long_fields(record_type)):
            out.append(f"record rid {rid}: pieces of fields that are not long text")
        if any(fields.get(name, "") is not None for name in names):
            out.append(f"record rid {rid}: a field in pieces has a value in its JSON too")
    return out


def _contact_column_rules(store: Store, rows: list[Row]) -> list[str]:
    columns = {c[1] for c in store.db.query("PRAGMA table_info(records)")}
    if not columns >= set(CONTACT_COLUMNS):
        return []
    held = {r[0]: tuple(r[1:]) for r in store.db.query(
        f"SELECT rid, {', '.join(CONTACT_COLUMNS)} FROM records")}
    return [f"{row.record_type} {row.id}: contact columns do not match its fields"
            for row in rows if held[row.rid] != contact_columns(row.record_type, row.fields)]


def _seq_rules(store: Store, muts: list[Mut], no_server: bool) -> list[str]:
    out: list[str] = []
    has_wire = bool(store.db.scalar("SELECT count(*) FROM pragma_table_info('outbox') "
                                    "WHERE name = 'wire_seq'"))
    seqs = [m.seq for m in muts]
    next_seq = store.db.scalar("SELECT value FROM meta WHERE key = 'next_seq'")
    if has_wire:
        wire = sorted(m.wire_seq for m in muts if m.wire_seq is not None)
        out += _numbered("wire_seq", wire, store.db.scalar(
            "SELECT value FROM meta WHERE key = 'next_wire_seq'"))
        if any(m.attempts > 0 and m.wire_seq is None for m in muts):
            out.append("a mutation was offered without a wire_seq")
        if len(set(seqs)) != len(seqs) or (seqs and int(next_seq or 0) <= max(seqs)):
            out.append(f"local seq repeats or reaches next_seq {next_seq}: {seqs}")
    if no_server or not has_wire:
        out += _numbered("seq", seqs, next_seq)
    return out


def _numbered(name: str, numbers: list[int], next_value: str | None) -> list[str]:
    """``numbers`` are 1..N in order with no gap, and the next one to give is N + 1."""
    out: list[str] = []
    if numbers != list(range(1, len(numbers) + 1)):
        out.append(f"outbox {name} is not 1..{len(numbers)} without gaps: {numbers}")
    expected = str(len(numbers) + 1) if numbers else None
    if next_value != expected and not (not numbers and next_value == "1"):
        out.append(f"next {name} is {next_value}, expected {expected}")
    return out


def _record_rules(row: Row, muts: list[Mut], hist: list[Hist], no_server: bool) -> list[str]:
    name = f"{row.record_type} {row.id}"
    out: list[str] = []
    absorbing = [n for n, m in enumerate(muts)
                 if m.state == "pending" and not m.offered and m.op != "delete" and m.resolves is None]
    if len(absorbing) > 1:
        out.append(f"{name}: {len(absorbing)} mutations could absorb edits")
    for n in absorbing:
        if any(m.op != "delete" for m in muts[n + 1:]):
            out.append(f"{name}: an absorbing mutation is followed by another create/update")
    mutation_ids = {m.mutation_id for m in muts}
    for h in hist:
        if h.mutation_id is not None and h.mutation_id not in mutation_ids:
            out.append(f"{name}: history names a mutation of another record or none")
    made_here = _made_here(row, hist)
    if row.draft:
        if muts:
            out.append(f"{name}: a draft has {len(muts)} mutations")
        if row.dirty:
            out.append(f"{name}: a draft is dirty")
        if any(h.mutation_id is not None for h in hist):
            out.append(f"{name}: a draft's history names a mutation")
    else:
        if row.version is None and not row.dirty:
            out.append(f"{name}: never sent but not dirty")
        if row.version is None and (not muts or muts[0].op != "create"):
            out.append(f"{name}: never sent and no create queued first")
        if row.dirty and not muts:
            out.append(f"{name}: dirty with no mutation")
        if row.dirty and row.deleted and muts[-1].op != "delete":
            out.append(f"{name}: deleted here but the last mutation is {muts[-1].op}")
        if made_here and any(h.source == "local" and h.mutation_id is None for h in hist):
            out.append(f"{name}: a local history entry of a finished record names no mutation")
        if no_server and row.dirty and not any(m.state == "pending" for m in muts):
            out.append(f"{name}: dirty with nothing waiting to be sent")
    out += _live_rules(row, hist)
    out += _history_replay(row, hist, made_here)
    if no_server and not row.draft:
        out += _outbox_replay(row, muts)
    return out


def _made_here(row: Row, hist: list[Hist]) -> bool:
    """Created on this laptop: the first entry is the draft's, from nothing to its values.

    Deleting a draft is absorbed into that entry (old ``deleted: False``), so that key
    alone does not make it an edit of an existing record.
    """
    if not hist or hist[0].source != "local":
        return False
    first = hist[0]
    names = _field_names(row)
    return not (set(first.old) & names) and bool(set(first.new) & names)


def _field_names(row: Row) -> set[str]:
    spec = spec_for(row.record_type)
    return set(spec.field_names) if spec is not None else set(row.fields)


def _live_rules(row: Row, hist: list[Hist]) -> list[str]:
    name = f"{row.record_type} {row.id}"
    out: list[str] = []
    for n, h in enumerate(hist):
        if not h.live:
            continue
        if not h.open or n != len(hist) - 1:
            out.append(f"{name}: history entry {h.hid} keeps checksums but is "
                       f"{'closed' if not h.open else 'not the latest'}")
        for key, check in h.live.items():
            if checksum(row.fields.get(key)) != check:
                out.append(f"{name}: history's last value of {key} is not the row's "
                           f"(entry {h.hid}'s checksum differs)")
    return out


def _history_replay(row: Row, hist: list[Hist], made_here: bool) -> list[str]:
    name = f"{row.record_type} {row.id}"
    field_names = _field_names(row)
    state: dict[str, Any] = dict.fromkeys(field_names) if made_here else {}
    out: list[str] = []
    for h in hist:
        if h.source == "server" and h.mutation_id is not None:
            continue        # the central system's side of a conflict: kept beside, not applied
        for key, old in h.old.items():
            if key in field_names and key in state and state[key] != old:
                out.append(f"{name}: history entry {h.hid} says {key} was changed from a value "
                           "it did not have")
        state.update({k: v for k, v in h.new.items() if k in field_names})
    for key, value in state.items():
        if row.fields.get(key) != value:
            out.append(f"{name}: history's last value of {key} is not the row's")
    deletes = [h for h in hist if h.source == "local" and h.new.get("deleted") is True]
    if row.deleted and made_here and not deletes:
        out.append(f"{name}: deleted here with no history of it")
    if not row.deleted and deletes:
        out.append(f"{name}: history records a deletion the row does not show")
    return out


def _outbox_replay(row: Row, muts: list[Mut]) -> list[str]:
    name = f"{row.record_type} {row.id}"
    replay: dict[str, Any] = {}
    for m in muts:
        if m.op != "delete":
            replay.update(m.fields)
    out: list[str] = []
    if muts and replay != row.fields:
        out.append(f"{name}: the queued fields do not rebuild the row")
    if muts and row.deleted != (muts[-1].op == "delete"):
        out.append(f"{name}: deleted is {row.deleted} but the last mutation is {muts[-1].op}")
    return out


def _search_rules(store: Store, rows: list[Row]) -> list[str]:
    indexed = {r[0] for r in store.db.query("SELECT rowid FROM search")}
    live = {r.rid for r in rows if r.record_type in SEARCHED_TYPES and not r.deleted}
    out: list[str] = []
    if indexed != live:
        out.append(f"search index holds {len(indexed)} rows for {len(live)} live records")
    if store.db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'reindex_queue'"):
        queued = {r[0] for r in store.db.query("SELECT rid FROM reindex_queue")}
        if not queued <= live:
            out.append(f"reindex queue names {len(queued - live)} records that are not live")
    return out


CASE_CHUNK = 512              # rids to a record_case row (migration 0010)


def _case_map_rules(store: Store, rows: list[Row]) -> list[str]:
    """Read straight from the tables, not through search.py, so a fault there shows."""
    q = store.db.query
    if not store.db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'record_case'"):
        return []
    indexed = {r[0] for r in q("SELECT rowid FROM search")}
    case_of_rid = dict(q("SELECT rid, case_id FROM records"))
    names: dict[int, str] = dict(q("SELECT case_no, case_id FROM case_number"))
    chunks: dict[int, bytes] = dict(q("SELECT chunk, cases FROM record_case"))
    recent: dict[int, int] = dict(q("SELECT rid, case_no FROM record_case_new"))
    out: list[str] = []
    for row in rows:
        if row.record_type not in SEARCHED_TYPES or row.deleted or row.rid not in indexed:
            continue
        if row.rid in recent:
            number, where = recent[row.rid], "record_case_new"
        else:
            blob = chunks.get(row.rid // CASE_CHUNK, b"")
            slot = row.rid % CASE_CHUNK * 4
            number = int.from_bytes(blob[slot:slot + 4], "little") if len(blob) >= slot + 4 else 0
            where = "record_case"
        expected = case_of_rid[row.rid]
        if number and number not in names:
            out.append(f"{row.record_type} {row.id}: {where} gives case number {number}, "
                       "which case_number does not hold")
        elif (names[number] if number else None) != expected:
            mapped = names[number] if number else "no case"
            out.append(f"{row.record_type} {row.id}: {where} gives {mapped} but its row's case "
                       f"is {expected or 'none'}")
    return out
