"""What the sync engine writes: the server's answers, conflicts and their resolution,
deallocated cases, and the swap of a full snapshot.

Each function runs inside the caller's transaction, so an answer, the record it
touches and its history are committed together or not at all. The officer's
values are never overwritten here: a conflict keeps them on top and stores the
server's copy beside them for the chooser.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import spec_for
from caseclient.errors import RecordLocked, RecordNotFound
from caseclient.storage import history, long_text, outbox, search, sync_state
from caseclient.storage.outbox import Mutation, MutationState
from caseclient.storage.records import SERVER_ACTOR, RecordRepository, StoredRecord, read_row
from caseclient.storage.summaries import ContactColumns, contact_columns

DEALLOCATED = "deallocated"


@dataclass(frozen=True)
class ServerCopy:
    """The server's current record as a conflict answer carries it."""

    record_type: str
    record_id: str
    version: int
    deleted: bool
    fields: Mapping[str, JSONValue]
    changed_by: str | None

    @classmethod
    def from_result(cls, result: Mapping[str, Any]) -> ServerCopy:
        record = result["server_record"]
        return cls(record["record_type"], record["record_id"], int(record["version"]),
                   bool(record.get("deleted")), dict(record.get("fields") or {}),
                   record.get("changed_by"))


def latest_server_copy(result: Mapping[str, Any], record: StoredRecord) -> ServerCopy:
    """The newest server copy known: the conflict's, or a newer one pulled since (the record's
    shadow). A conflict settled on a stale copy would undo what was pulled after it."""
    server = ServerCopy.from_result(result)
    if record.version is not None and record.version > server.version and record.server_shadow is not None:
        return ServerCopy(server.record_type, server.record_id, record.version, server.deleted,
                          dict(record.server_shadow), None)
    return server


def _refresh_dirty(conn: Any, record_type: str, record_id: str) -> None:
    conn.execute("UPDATE records SET dirty = ? WHERE record_type = ? AND id = ?",
                 (int(outbox.has_local_work(conn, record_type, record_id)), record_type, record_id))


# ---- answers to a push ---------------------------------------------------------------------
def accept(conn: Any, mutation: Mutation, state: MutationState, *, version: int | None,
           auto_merged: bool, result: Mapping[str, JSONValue], now: dt.datetime) -> None:
    """``applied`` or ``duplicate``: the mutation leaves the outbox; the record follows."""
    outbox.set_state(conn, mutation.mutation_id, state, now, result)
    history.close_for_mutation(conn, mutation.mutation_id)
    if mutation.resolves is not None:
        conn.execute("UPDATE outbox SET state = 'resolved' WHERE mutation_id = ? AND state = 'conflict'",
                     (mutation.resolves,))
    found = read_row(conn, mutation.record_type, mutation.record_id)
    if found is None:
        return
    rid, record = found
    shadow = {} if mutation.op == "create" else dict(record.server_shadow or {})
    if mutation.op != "delete":
        shadow.update(mutation.fields)
    new_version = record.version
    if version is not None and (record.version is None or version >= record.version):
        new_version = version
    conn.execute("UPDATE records SET version = ?, server_shadow = ? WHERE rid = ?",
                 (new_version, json.dumps(shadow), rid))
    if version is not None and not auto_merged:
        outbox.follow_base(conn, mutation.record_type, mutation.record_id, mutation.base_version,
                           version)
    _refresh_dirty(conn, mutation.record_type, mutation.record_id)


@dataclass(frozen=True)
class Accepted:
    """One ``applied`` or ``duplicate`` answer, as :func:`accept` takes it."""

    mutation: Mutation
    state: MutationState
    version: int | None
    auto_merged: bool
    result: Mapping[str, JSONValue]


_DIRTY_FROM_OUTBOX = (
    "UPDATE records SET dirty = EXISTS (SELECT 1 FROM outbox o WHERE o.record_type = records.record_type "
    "AND o.record_id = records.id AND o.state IN ('pending', 'sending', 'conflict', 'rejected')) "
    "WHERE rid")


def accept_many(conn: Any, answers: list[Accepted], now: dt.datetime) -> None:
    """:func:`accept` for answers about different records, in a few statements a chunk
    (``accept`` ran ~8 for each: 2,000 answers took ~2 s). Same effect, answer by answer.

    An answered create whose record still holds exactly the text the outbox sent (the usual
    push: nothing typed since) takes that text as its server shadow in SQL, without decoding
    and re-encoding it: ``accept`` would write ``json.dumps`` of the same fields, the same text."""
    keys = [(a.mutation.record_type, a.mutation.record_id) for a in answers]
    if len(set(keys)) != len(keys):
        raise ValueError("accept_many takes one answer per record")
    stamp = now.isoformat()
    conn.executemany("UPDATE outbox SET state = ?, result = ?, updated_at = ? WHERE mutation_id = ?",
                     [(a.state.value, json.dumps(dict(a.result)), stamp, a.mutation.mutation_id)
                      for a in answers])
    ids = [a.mutation.mutation_id for a in answers]
    history.close_for_mutations(conn, ids)
    resolved = [(a.mutation.resolves,) for a in answers if a.mutation.resolves is not None]
    if resolved:
        conn.executemany("UPDATE outbox SET state = 'resolved' WHERE mutation_id = ? AND state = 'conflict'",
                         resolved)
    as_sent: set[str] = set()     # creates whose record holds the very text sent
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        as_sent.update(r[0] for r in conn.execute(
            "SELECT o.mutation_id FROM outbox AS o JOIN records AS r "
            "ON r.record_type = o.record_type AND r.id = o.record_id "
            f"WHERE o.mutation_id IN ({','.join('?' * len(chunk))}) AND o.op = 'create' "
            "AND r.fields = o.fields AND r.pieces = 0", chunk))
    rows: dict[tuple[str, str], tuple[int, int | None, str | None]] = {}
    unsent: dict[tuple[str, str], list[tuple[str, int | None]]] = {}
    for record_type, chunk in _chunks(keys):
        marks = ",".join("?" * len(chunk))
        for rid, record_id, version, stored_shadow in conn.execute(
                f"SELECT rid, id, version, server_shadow FROM records WHERE record_type = ? "
                f"AND id IN ({marks})", [record_type, *chunk]):
            rows[(record_type, record_id)] = (rid, version, stored_shadow)
        # later edits never offered: their base follows this device's own answers. By record:
        # the planner took the index on state, reading every pending row for each chunk.
        for record_id, mutation_id, base in conn.execute(
                f"SELECT record_id, mutation_id, base_version FROM outbox INDEXED BY outbox_by_record "
                f"WHERE record_type = ? "
                f"AND record_id IN ({marks}) AND state = 'pending' AND attempts = 0 "
                f"AND wire_seq IS NULL AND op != 'create' ORDER BY seq", [record_type, *chunk]):
            unsent.setdefault((record_type, record_id), []).append((mutation_id, base))
    written: list[tuple[int | None, str, int]] = []
    shadow_is_fields: list[tuple[int | None, int]] = []
    for answer, key in zip(answers, keys, strict=True):
        found = rows.get(key)
        if found is None:
            continue
        rid, local_version, shadow_json = found
        mutation = answer.mutation
        new_version = local_version
        if answer.version is not None and (local_version is None or answer.version >= local_version):
            new_version = answer.version
        if mutation.mutation_id in as_sent:
            shadow_is_fields.append((new_version, rid))
        else:
            shadow: dict[str, JSONValue] = {}
            if mutation.op != "create" and shadow_json is not None:
                shadow = dict(json.loads(shadow_json))
            if mutation.op != "delete":
                shadow.update(mutation.fields)
            written.append((new_version, json.dumps(shadow), rid))
        if answer.version is not None and not answer.auto_merged:
            for mutation_id, base in unsent.get(key, []):
                later = outbox.get(conn, mutation_id) if base == mutation.base_version else None
                if later is not None:
                    outbox.set_base(conn, later, answer.version)
    if written:
        conn.executemany("UPDATE records SET version = ?, server_shadow = ? WHERE rid = ?", written)
    if shadow_is_fields:
        conn.executemany("UPDATE records SET version = ?, server_shadow = fields WHERE rid = ?",
                         shadow_is_fields)
    rids = [rid for *_rest, rid in written] + [rid for _v, rid in shadow_is_fields]
    for start in range(0, len(rids), 500):
        chunk_rids = rids[start:start + 500]
        conn.execute(_DIRTY_FROM_OUTBOX + f" IN ({','.join('?' * len(chunk_rids))})", chunk_rids)


def reject(conn: Any, mutation: Mutation, result: Mapping[str, JSONValue], now: dt.datetime) -> None:
    """``rejected``: Needs attention, with the officer's values intact."""
    outbox.set_state(conn, mutation.mutation_id, MutationState.REJECTED, now, result)
    history.close_for_mutation(conn, mutation.mutation_id)
    _refresh_dirty(conn, mutation.record_type, mutation.record_id)


LOCAL_BASE = "local_base"


def _with_base(result: Mapping[str, JSONValue], mutation: Mutation,
               record: StoredRecord | None) -> Mapping[str, JSONValue]:
    """The server's conflict answer, plus (under ``LOCAL_BASE``) the values the refused
    mutation's fields had in the version it was based on, when this laptop still holds that
    version as the record's shadow. The answer does not say which fields clashed; with the base,
    the chooser can leave out fields the central system has not changed since (decision 0033)."""
    if (record is None or record.server_shadow is None or mutation.base_version is None
            or record.version != mutation.base_version):
        return result
    shadow = record.server_shadow
    return {**result, LOCAL_BASE: {name: shadow.get(name) for name in mutation.fields}}


def conflict(conn: Any, repo: RecordRepository, mutation: Mutation,
             result: Mapping[str, JSONValue], now: dt.datetime) -> None:
    """``conflict``: Needs attention. The server's copy becomes the record's shadow (fields
    the officer did not touch follow it) and its differing values go into the history, so
    both sides can be read there; the officer's values stay on top. That history entry is
    the only ``server`` one naming a mutation (the conflicting one): it records what the
    central system holds, not a change the row made."""
    found = read_row(conn, mutation.record_type, mutation.record_id)
    outbox.set_state(conn, mutation.mutation_id, MutationState.CONFLICT, now,
                     _with_base(result, mutation, None if found is None else found[1]))
    history.close_for_mutation(conn, mutation.mutation_id)
    server = ServerCopy.from_result(result)
    if found is None:
        return
    _rid, record = found
    theirs = {k: v for k, v in server.fields.items()
              if k in mutation.fields and record.fields.get(k) != v}
    if theirs or server.deleted:
        new = dict(theirs) if not server.deleted else {**theirs, "deleted": True}
        history.record_change(conn, record_type=mutation.record_type, record_id=mutation.record_id,
                              actor=server.changed_by or SERVER_ACTOR, source="server", now=now,
                              old={k: record.fields.get(k) for k in theirs}, new=new,
                              mutation_id=mutation.mutation_id)
    if record.version is None or server.version >= record.version:
        repo.apply_server_record(conn, record_type=server.record_type, record_id=server.record_id,
                                 version=server.version, fields=server.fields,
                                 deleted=server.deleted, changed_by=server.changed_by)
    _refresh_dirty(conn, mutation.record_type, mutation.record_id)


def retry_later(conn: Any, mutation_ids: list[str], now: dt.datetime) -> None:
    for mutation_id in mutation_ids:
        conn.execute("UPDATE outbox SET state = 'pending', updated_at = ? WHERE mutation_id = ? "
                     "AND state = 'sending'", (now.isoformat(), mutation_id))


# ---- the officer settles a conflict or a rejection -------------------------------------------------
def resolve(conn: Any, conflict_id: str, values: Mapping[str, JSONValue], *, keep_deleted: bool | None,
            actor: str, now: dt.datetime) -> Mutation | None:
    """Settle a conflict with the officer's chosen ``values``: an update on the server's current
    version naming the conflict in ``resolves``. Later unsent edits of the record are folded into
    it (the chooser showed them as "mine"). For delete-vs-edit, ``keep_deleted`` says which side
    won; accepting the server's side needs no mutation. Returns the new mutation, if any."""
    mutation = outbox.get(conn, conflict_id)
    if mutation is None or mutation.state is not MutationState.CONFLICT or mutation.result is None:
        raise RecordNotFound("That conflict is no longer waiting.")
    found = read_row(conn, mutation.record_type, mutation.record_id)
    if found is None:
        raise RecordNotFound()
    rid, record = found
    server = latest_server_copy(mutation.result, record)
    held = outbox.unsent_for_record(conn, mutation.record_type, mutation.record_id)
    outbox.drop_unsent(conn, [m.mutation_id for m in held])
    conn.execute("UPDATE outbox SET state = 'resolved', updated_at = ? WHERE record_type = ? AND "
                 "record_id = ? AND state = 'conflict'",
                 (now.isoformat(), mutation.record_type, mutation.record_id))
    deleting = mutation.op == "delete" or server.deleted
    if deleting and keep_deleted is None:
        raise RecordLocked("Choose whether the record stays deleted.")
    made: Mutation | None = None
    if server.deleted and keep_deleted:
        fields, deleted = dict(record.fields), True      # the central system's deletion stands
    elif server.deleted:
        raise RecordLocked("The central system has deleted this record; export your text instead.")
    elif mutation.op == "delete" and not keep_deleted:
        fields, deleted = dict(server.fields), False     # their edit stands; the delete is dropped
    elif mutation.op == "delete":
        # Only an update may name a conflict it settles: an empty one settles it, then the
        # delete follows on the server's current version.
        fields, deleted = dict(record.fields), True
        made = outbox.enqueue(conn, record_type=mutation.record_type, record_id=mutation.record_id,
                              op="update", base_version=server.version, fields={}, now=now,
                              resolves=conflict_id, absorb=False)
        outbox.enqueue(conn, record_type=mutation.record_type, record_id=mutation.record_id,
                       op="delete", base_version=server.version, fields=dict(mutation.fields),
                       now=now, absorb=False)
    else:
        fields, deleted = {**server.fields, **values}, False
        made = outbox.enqueue(conn, record_type=mutation.record_type, record_id=mutation.record_id,
                              op="update", base_version=server.version, fields=dict(values), now=now,
                              resolves=conflict_id, absorb=False)
    long_text.drop(conn, rid)          # the values are written whole
    conn.execute("UPDATE records SET fields = ?, version = ?, server_shadow = ?, deleted = ?, "
                 "updated_at = ?, contact_date = ?, contact_type = ?, contact_start = ?, "
                 "contact_has_outcome = ?, pieces = 0 WHERE rid = ?",
                 (json.dumps(fields), server.version, json.dumps(dict(server.fields)), int(deleted),
                  now.isoformat(), *contact_columns(mutation.record_type, fields), rid))
    search.index(conn, rid=rid, record_type=mutation.record_type, case_id=record.case_id,
                 fields=fields, deleted=deleted)
    # The decision itself is history too, even when the officer's values stand unchanged.
    decided = {k: fields.get(k) for k in values}
    if deleting:
        decided["deleted"] = deleted
    history.record_change(conn, record_type=mutation.record_type, record_id=mutation.record_id,
                          actor=actor, source="resolution", now=now,
                          old={k: record.fields.get(k) for k in values}, new=decided,
                          mutation_id=None if made is None else made.mutation_id)
    _refresh_dirty(conn, mutation.record_type, mutation.record_id)
    return made


def dismiss(conn: Any, mutation_id: str, now: dt.datetime) -> None:
    """A rejection the officer has dealt with (exported or re-entered): no longer shown."""
    mutation = outbox.get(conn, mutation_id)
    if mutation is None or mutation.state is not MutationState.REJECTED:
        raise RecordNotFound("That rejected change is no longer waiting.")
    outbox.set_state(conn, mutation_id, MutationState.DISMISSED, now, mutation.result)
    _refresh_dirty(conn, mutation.record_type, mutation.record_id)


# ---- a pulled page ----------------------------------------------------------------------------
def _by_type(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, set[str]] = {}
    for record_type, record_id in keys:
        grouped.setdefault(record_type, set()).add(record_id)
    return {record_type: sorted(ids) for record_type, ids in sorted(grouped.items())}


def _chunks(keys: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(record_type, ids) in chunks of at most 500 ids. Records are looked up by type *and* id:
    the only index on ``id`` is ``UNIQUE (record_type, id)``, so ``id IN (…)`` alone scans the
    whole table for every chunk (a first pull's pages then cost in proportion to what is stored)."""
    for record_type, ids in _by_type(keys).items():
        for start in range(0, len(ids), 500):
            yield record_type, ids[start:start + 500]


def local_versions(conn: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int | None]:
    """The local version of each record of ``keys`` this device holds (one indexed query per
    type and 500 ids)."""
    found: dict[tuple[str, str], int | None] = {}
    for record_type, chunk in _chunks(keys):
        marks = ",".join("?" * len(chunk))
        for record_id, version in conn.execute(
                f"SELECT id, version FROM records WHERE record_type = ? AND id IN ({marks})",
                [record_type, *chunk]):
            found[(record_type, record_id)] = version
    return found


def held_already(conn: Any, copies: list[tuple[str, str, int, bool, Mapping[str, JSONValue]]]
                 ) -> set[tuple[str, str]]:
    """Of the pulled ``(record_type, id, version, deleted, fields)``, the records this device
    holds exactly so, with nothing of its own waiting: taking them again would write the same
    row and index it again unchanged. Mostly what this device has just pushed, coming back in
    the pull after the push (2,000 of them took ~1.4 s through ``apply_server_record``)."""
    wanted = {(t, i): (v, d, f) for t, i, v, d, f in copies}
    same: set[tuple[str, str]] = set()
    for record_type, chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
                f"SELECT id, version, deleted, server_shadow, fields = server_shadow, "
                f"{long_text.columns()} FROM records "
                f"WHERE record_type = ? AND id IN ({marks}) AND dirty = 0 AND draft = 0",
                [record_type, *chunk]):
            record_id, version, deleted, shadow, alike, _rid, _fields, pieced = row
            key = (record_type, record_id)
            pulled_version, pulled_deleted, pulled_fields = wanted[key]
            if version != pulled_version or bool(deleted) != pulled_deleted or shadow is None:
                continue
            # the same text is the same values: one decoding (what was just pushed is stored so)
            if (long_text.values_of(conn, row, 5) == pulled_fields
                    and ((alike and not pieced) or json.loads(shadow) == pulled_fields)):
                same.add(key)
    return same


def owning_case(record_type: str, record_id: str, fields: Mapping[str, JSONValue]) -> str | None:
    """The case a record belongs to (a case owns itself), as ``records.case_id`` holds it."""
    if record_type == "case":
        return record_id
    spec = spec_for(record_type)
    parent = spec.parent_field if spec is not None else None
    value = fields.get(parent) if parent else None
    return str(value) if value else None


_INSERT_NEW = (
    "INSERT INTO records (rid, record_type, id, case_id, fields, version, server_shadow, dirty, "
    "draft, deleted, updated_at, contact_date, contact_type, contact_start, contact_has_outcome) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?)")


class NewRecord(NamedTuple):
    """A pulled record's row as :func:`insert_prepared` writes it, worked out without the store
    (so outside the write transaction, e.g. while the page before is written)."""

    record_type: str
    record_id: str
    case_id: str | None
    text: str                       # the JSON of its fields
    version: int
    deleted: bool
    contact: ContactColumns
    body: str | None                # its search entry's text (search.body_of)


def new_record(record_type: str, record_id: str, version: int, deleted: bool,
               fields: Mapping[str, JSONValue]) -> NewRecord:
    return NewRecord(record_type, record_id, owning_case(record_type, record_id, fields),
                     json.dumps(fields if type(fields) is dict else dict(fields)), version, deleted,
                     contact_columns(record_type, fields), search.body_of(record_type, fields))


def insert_new(conn: Any, staged: list[sync_state.StagedRecord], now: dt.datetime) -> None:
    """Records this device has never held (the first pull of a caseload is mostly these)."""
    insert_prepared(conn, [new_record(s.record_type, s.record_id, s.version, s.deleted, s.fields)
                           for s in staged], now)


def insert_prepared(conn: Any, records: Sequence[NewRecord], now: dt.datetime) -> None:
    """Records this device has never held, each once, written in one statement; each is
    indexed for search as a single save would be.

    Their rowids are given, following the highest held, so the search entries need no
    look-up of the rowids the insert made."""
    if not records:
        return
    stamp = now.isoformat()
    first = int(conn.execute("SELECT coalesce(max(rid), 0) + 1 FROM records").fetchone()[0])
    conn.executemany(_INSERT_NEW, [
        (rid, r.record_type, r.record_id, r.case_id, r.text, r.version, r.text, int(r.deleted),
         stamp, *r.contact) for rid, r in enumerate(records, first)])
    search.index_many(conn, [(rid, r.body, r.deleted) for rid, r in enumerate(records, first)])


# ---- cases leaving the caseload ------------------------------------------------------------------
def _remove_record(conn: Any, rid: int, record_type: str, record_id: str) -> None:
    conn.execute("DELETE FROM search WHERE rowid = ?", (rid,))
    conn.execute("DELETE FROM history WHERE record_type = ? AND record_id = ?", (record_type, record_id))
    conn.execute("DELETE FROM outbox WHERE record_type = ? AND record_id = ?", (record_type, record_id))
    conn.execute("DELETE FROM records WHERE rid = ?", (rid,))


def _holds_work(conn: Any, draft: bool, record_type: str, record_id: str) -> bool:
    """A live draft, or a mutation waiting or needing attention."""
    return draft or outbox.has_local_work(conn, record_type, record_id)


def deallocate(conn: Any, case_id: str, now: dt.datetime) -> tuple[int, int]:
    """Remove a case and its records, except those holding unsent work: those (and the case,
    so they can be shown) stay until sent or exported. Returns (removed, kept)."""
    rows = conn.execute("SELECT rid, record_type, id, draft AND NOT deleted FROM records "
                        "WHERE case_id = ?",
                        (case_id,)).fetchall()
    kept = {r[0] for r in rows if _holds_work(conn, bool(r[3]), r[1], r[2])}
    removed = 0
    for rid, record_type, record_id, _draft in rows:
        if rid in kept or (record_type == "case" and kept):
            continue
        _remove_record(conn, rid, record_type, record_id)
        removed += 1
    if kept:
        conn.execute("INSERT INTO held_cases (case_id, reason, held_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (case_id) DO NOTHING", (case_id, DEALLOCATED, now.isoformat()))
    else:
        conn.execute("DELETE FROM held_cases WHERE case_id = ?", (case_id,))
    return removed, len(kept)


def unhold(conn: Any, case_id: str) -> None:
    """The case is back on the caseload."""
    conn.execute("DELETE FROM held_cases WHERE case_id = ?", (case_id,))


def held_cases(conn: Any) -> list[str]:
    return [r[0] for r in conn.execute("SELECT case_id FROM held_cases ORDER BY held_at").fetchall()]


def release_held(conn: Any, now: dt.datetime) -> int:
    """Held cases whose work has all been sent (or dismissed) go now. Returns how many went."""
    released = 0
    for case_id in held_cases(conn):
        _removed, kept = deallocate(conn, case_id, now)
        released += int(kept == 0)
    return released


# ---- a full snapshot replaces the local copy --------------------------------------------------
def swap_snapshot(conn: Any, repo: RecordRepository, now: dt.datetime) -> tuple[int, int]:
    """Make the staged snapshot the local copy in one transaction: staged records are applied
    (over local work, which stays on top); local records the snapshot lacks are removed unless
    they hold drafts or unsent work (their case then stays too, held, so the work can be shown).
    Returns (applied, removed)."""
    staged = {(s.record_type, s.record_id): s for s in sync_state.staged(conn)}
    on_server = set(staged)
    missing: list[tuple[int, str, str, str | None]] = []
    kept_cases: set[str] = set()
    for rid, record_type, record_id, case_id, draft, version in conn.execute(
            "SELECT rid, record_type, id, case_id, draft AND NOT deleted, version FROM records"
    ).fetchall():
        key = (record_type, record_id)
        if key in staged:
            if version == staged[key].version and not outbox.has_local_work(conn, *key):
                del staged[key]          # already the server's copy
        elif _holds_work(conn, bool(draft), record_type, record_id):
            if case_id is not None:
                kept_cases.add(case_id)
        else:
            missing.append((rid, record_type, record_id, case_id))
    removed = 0
    for rid, record_type, record_id, _case_id in missing:
        if record_type == "case" and record_id in kept_cases:
            continue
        _remove_record(conn, rid, record_type, record_id)
        removed += 1
    for case_id in kept_cases:
        if ("case", case_id) not in on_server:
            conn.execute("INSERT INTO held_cases (case_id, reason, held_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (case_id) DO NOTHING", (case_id, DEALLOCATED, now.isoformat()))
    for record in staged.values():
        repo.apply_server_record(conn, record_type=record.record_type, record_id=record.record_id,
                                 version=record.version, fields=record.fields,
                                 deleted=record.deleted, changed_by=record.changed_by)
        if record.record_type == "case" and not record.deleted:
            unhold(conn, record.record_id)
    sync_state.clear_staging(conn)
    return len(staged), removed
