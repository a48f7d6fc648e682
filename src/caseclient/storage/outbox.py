"""The outbox: mutations waiting for the central system, in ``seq`` order.

Rules from sync-protocol.md kept here:
- ``seq`` is the local order of mutations (+1 per mutation, never reused).
- ``wire_seq`` is the ``seq`` the server sees: strictly +1 per client, given when a
  mutation is first offered (``mark_sending``), so a mutation held back behind an
  unresolved conflict leaves no gap. Rows with a ``wire_seq`` are never deleted;
  a never-offered row may be folded into a conflict's resolution.
- A mutation still ``pending`` that has never been offered to the server
  (``attempts = 0``) absorbs later edits of its record. Once it may have reached
  the server (``sending``, or reverted to ``pending`` after a crash), its payload
  is frozen — a changed hash under the same id would be an idempotency mismatch —
  and later edits make a new mutation.
- ``sending`` is written before a request leaves; at start-up every ``sending``
  goes back to ``pending`` (the server's ledger makes the re-send harmless).
Functions run inside the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from caseclient.domain.canonical import JSONValue, payload_sha256
from caseclient.domain.ids import new_uuid7
from caseclient.storage import history, meta


class MutationState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    RESOLVED = "resolved"    # a conflict settled by a later mutation that ``resolves`` it
    DISMISSED = "dismissed"  # a rejection the officer has dealt with (exported, re-entered)


WAITING = (MutationState.PENDING, MutationState.SENDING)
NEEDS_ATTENTION = (MutationState.CONFLICT, MutationState.REJECTED)


@dataclass(frozen=True)
class Mutation:
    mutation_id: str
    seq: int
    record_type: str
    record_id: str
    op: str
    base_version: int | None
    fields: Mapping[str, JSONValue]
    payload_sha256: str
    recorded_at: str
    resolves: str | None
    state: MutationState
    attempts: int
    wire_seq: int | None = None
    result: Mapping[str, JSONValue] | None = None   # the server's answer, once there is one

    @property
    def offered(self) -> bool:
        """True once it may have reached the server: its payload is frozen."""
        return self.attempts > 0 or self.wire_seq is not None

    def wire(self) -> dict[str, JSONValue]:
        """The mutation as the push endpoint takes it (numbered by ``mark_sending``)."""
        if self.wire_seq is None:
            raise ValueError("a mutation is numbered for the wire before it is sent")
        return {"mutation_id": self.mutation_id, "seq": self.wire_seq,
                "record_type": self.record_type, "record_id": self.record_id, "op": self.op,
                "base_version": self.base_version, "fields": dict(self.fields),
                "payload_sha256": self.payload_sha256, "recorded_at": self.recorded_at,
                "resolves": self.resolves}


_COLUMNS = ("mutation_id, seq, record_type, record_id, op, base_version, fields, payload_sha256, "
            "recorded_at, resolves, state, attempts, wire_seq, result")
NEXT_WIRE_SEQ = "next_wire_seq"


def _row(row: Any) -> Mutation:
    return Mutation(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7],
                    row[8], row[9], MutationState(row[10]), row[11], row[12],
                    None if row[13] is None else json.loads(row[13]))


def get(conn: Any, mutation_id: str) -> Mutation | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE mutation_id = ?",
                       (mutation_id,)).fetchone()
    return None if row is None else _row(row)


def latest_for(conn: Any, record_type: str, record_id: str) -> Mutation | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE record_type = ? AND record_id = ? "
                       "ORDER BY seq DESC LIMIT 1", (record_type, record_id)).fetchone()
    return None if row is None else _row(row)


def for_record(conn: Any, record_type: str, record_id: str) -> list[Mutation]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE record_type = ? AND record_id = ? "
                        "ORDER BY seq", (record_type, record_id)).fetchall()
    return [_row(r) for r in rows]


def enqueue(conn: Any, *, record_type: str, record_id: str, op: str, base_version: int | None,
            fields: Mapping[str, JSONValue], now: dt.datetime, resolves: str | None = None,
            absorb: bool = True) -> Mutation:
    """Queue ``fields`` for the record, absorbing into an untouched pending mutation if allowed."""
    stamp = now.isoformat()
    latest = latest_for(conn, record_type, record_id) if absorb else None
    if (latest is not None and latest.state is MutationState.PENDING and not latest.offered
            and latest.op != "delete" and op == "update" and latest.resolves is None):
        merged = {**latest.fields, **fields}
        digest = payload_sha256(record_type=record_type, record_id=record_id, op=latest.op,
                                base_version=latest.base_version, fields=merged, resolves=None)
        conn.execute("UPDATE outbox SET fields = ?, payload_sha256 = ?, updated_at = ? "
                     "WHERE mutation_id = ?",
                     (json.dumps(merged), digest, stamp, latest.mutation_id))
        return Mutation(latest.mutation_id, latest.seq, record_type, record_id, latest.op,
                        latest.base_version, merged, digest, latest.recorded_at, None,
                        MutationState.PENDING, 0)
    mutation_id = new_uuid7(lambda: int(now.timestamp() * 1000))
    seq = meta.take_seq(conn)
    digest = payload_sha256(record_type=record_type, record_id=record_id, op=op,
                            base_version=base_version, fields=fields, resolves=resolves)
    conn.execute(
        "INSERT INTO outbox (mutation_id, seq, record_type, record_id, op, base_version, fields, "
        "payload_sha256, recorded_at, resolves, state, attempts, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
        (mutation_id, seq, record_type, record_id, op, base_version, json.dumps(dict(fields)),
         digest, stamp, resolves, stamp))
    return Mutation(mutation_id, seq, record_type, record_id, op, base_version, dict(fields),
                    digest, stamp, resolves, MutationState.PENDING, 0)


def waiting(conn: Any, limit: int = 1_000) -> list[Mutation]:
    """Pending and sending mutations in ``seq`` order."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('pending', 'sending') "
                        "ORDER BY seq LIMIT ?", (limit,)).fetchall()
    return [_row(r) for r in rows]


def mark_sending(conn: Any, mutation_ids: list[str], now: dt.datetime) -> dict[str, int]:
    """Written before the request leaves: from here on the payload is frozen.

    Mutations offered for the first time take the next wire ``seq`` numbers, in
    the order given. Returns the numbers given here (mutations numbered before keep theirs).
    """
    unnumbered: set[str] = set()
    for chunk in _id_chunks(mutation_ids):
        marks = ",".join("?" * len(chunk))
        unnumbered.update(r[0] for r in conn.execute(
            f"SELECT mutation_id FROM outbox WHERE mutation_id IN ({marks}) AND wire_seq IS NULL",
            chunk))
    fresh = [m for m in dict.fromkeys(mutation_ids) if m in unnumbered]
    if fresh:
        first = int(meta.get(conn, NEXT_WIRE_SEQ) or "1")
        conn.executemany("UPDATE outbox SET wire_seq = ? WHERE mutation_id = ?",
                         [(first + n, m) for n, m in enumerate(fresh)])
        meta.put(conn, NEXT_WIRE_SEQ, str(first + len(fresh)))
    conn.executemany("UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? "
                     "WHERE mutation_id = ? AND state IN ('pending', 'sending')",
                     [(now.isoformat(), m) for m in mutation_ids])
    history.close_for_mutations(conn, mutation_ids)
    return {m: first + n for n, m in enumerate(fresh)} if fresh else {}


def mark_batch_sending(conn: Any, batch: list[Mutation], now: dt.datetime) -> list[Mutation]:
    """:func:`mark_sending` for the waiting mutations :func:`next_batch` just returned (same
    transaction), returned as :func:`get_many` would read them back: numbered, ``sending``, one
    more attempt. Saves re-reading and decoding the batch just marked."""
    if any(m.state not in WAITING for m in batch) or \
            len({m.mutation_id for m in batch}) != len(batch):
        raise ValueError("a batch is waiting mutations, each once")
    numbers = mark_sending(conn, [m.mutation_id for m in batch], now)
    return [dataclasses.replace(m, state=MutationState.SENDING, attempts=m.attempts + 1,
                                wire_seq=numbers.get(m.mutation_id, m.wire_seq))
            for m in batch]


def get_many(conn: Any, mutation_ids: list[str]) -> list[Mutation]:
    """The mutations of ``mutation_ids`` that exist, in the order given."""
    found: dict[str, Mutation] = {}
    for chunk in _id_chunks(mutation_ids):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE mutation_id IN ({marks})", chunk):
            found[row[0]] = _row(row)
    return [found[m] for m in mutation_ids if m in found]


def _id_chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def revert_sending(conn: Any) -> int:
    """At start-up: nothing is in flight any more; re-send later (ledger dedupes)."""
    cursor = conn.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
    return int(cursor.rowcount)


def set_state(conn: Any, mutation_id: str, state: MutationState, now: dt.datetime,
              result: Mapping[str, JSONValue] | None = None) -> None:
    conn.execute("UPDATE outbox SET state = ?, result = ?, updated_at = ? WHERE mutation_id = ?",
                 (state.value, None if result is None else json.dumps(dict(result)),
                  now.isoformat(), mutation_id))


def counts(conn: Any) -> dict[MutationState, int]:
    rows = conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    return {MutationState(state): n for state, n in rows}


def oldest_waiting_at(conn: Any) -> str | None:
    row = conn.execute("SELECT min(recorded_at) FROM outbox WHERE state IN ('pending', 'sending')"
                       ).fetchone()
    return None if row is None else row[0]


# ---- what the sync engine needs ------------------------------------------------------------
def take_wire_seq(conn: Any) -> int:
    current = int(meta.get(conn, NEXT_WIRE_SEQ) or "1")
    meta.put(conn, NEXT_WIRE_SEQ, str(current + 1))
    return current


def blocked_records(conn: Any) -> set[tuple[str, str]]:
    """Records whose later edits wait behind a conflict or rejection the officer has not settled."""
    rows = conn.execute("SELECT DISTINCT record_type, record_id FROM outbox "
                        "WHERE state IN ('conflict', 'rejected')").fetchall()
    return {(r[0], r[1]) for r in rows}


def next_batch(conn: Any, limit: int) -> list[Mutation]:
    """The mutations to offer next, in wire order.

    Mutations already numbered for the wire go first, alone and in number order
    (the server must see no gap). Otherwise never-offered ones in local order,
    one per record (a later edit's base follows from the earlier one's answer),
    skipping records held behind a conflict or rejection and updates whose
    record has no server version yet (their create is not answered). Runs in
    the write transaction that marks the batch ``sending``.
    """
    numbered = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('pending', 'sending') "
                            "AND wire_seq IS NOT NULL ORDER BY wire_seq LIMIT ?", (limit,)).fetchall()
    if numbered:
        return [_row(r) for r in numbered]
    blocked = blocked_records(conn)
    taken: set[tuple[str, str]] = set()
    batch: list[Mutation] = []
    for row in _waiting_in_order(conn, chunk=max(limit, 1) * 2):
        key = (row[2], row[3])
        if key in blocked or key in taken:
            taken.add(key)
            continue
        taken.add(key)
        mutation = _row(row)      # decoded only once taken: a skipped row's fields are not read
        if mutation.op != "create" and mutation.base_version is None:
            # made while its create was in flight; the create's answer normally fills this in
            found = conn.execute("SELECT version FROM records WHERE record_type = ? AND id = ?",
                                 key).fetchone()
            if found is None or found[0] is None:
                continue
            mutation = set_base(conn, mutation, int(found[0]))
        batch.append(mutation)
        if len(batch) >= limit:
            break
    return batch


def _waiting_in_order(conn: Any, chunk: int) -> Iterator[Any]:
    """Waiting mutations' rows (``_COLUMNS``) in ``seq`` order, read ``chunk`` at a time: a batch
    stops reading once it is full (it decoded every waiting mutation, ~11,000 to send 2,000 in
    ten batches). Each chunk starts after the last ``seq`` seen, so rows the caller changes (a
    base version set) are not read twice."""
    after = -1 << 62
    while True:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('pending', 'sending') "
                            "AND seq > ? ORDER BY seq LIMIT ?", (after, chunk)).fetchall()
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1][1]


def set_base(conn: Any, mutation: Mutation, base_version: int) -> Mutation:
    """Give a never-offered mutation its base version (payload not frozen yet)."""
    if mutation.offered:
        raise ValueError("the payload of an offered mutation is frozen")
    digest = payload_sha256(record_type=mutation.record_type, record_id=mutation.record_id,
                            op=mutation.op, base_version=base_version, fields=mutation.fields,
                            resolves=mutation.resolves)
    conn.execute("UPDATE outbox SET base_version = ?, payload_sha256 = ? WHERE mutation_id = ?",
                 (base_version, digest, mutation.mutation_id))
    return Mutation(mutation.mutation_id, mutation.seq, mutation.record_type, mutation.record_id,
                    mutation.op, base_version, mutation.fields, digest, mutation.recorded_at,
                    mutation.resolves, mutation.state, mutation.attempts, None, None)


def follow_base(conn: Any, record_type: str, record_id: str, old: int | None, new: int) -> None:
    """After this device's own change made version ``new`` from ``old``, later never-offered
    edits of the record that started from ``old`` start from ``new``."""
    for mutation in for_record(conn, record_type, record_id):
        if mutation.state is MutationState.PENDING and not mutation.offered \
                and mutation.op != "create" and mutation.base_version == old:
            set_base(conn, mutation, new)


def unsent_for_record(conn: Any, record_type: str, record_id: str) -> list[Mutation]:
    return [m for m in for_record(conn, record_type, record_id)
            if m.state is MutationState.PENDING and not m.offered]


def drop_unsent(conn: Any, mutation_ids: list[str]) -> None:
    """Remove never-offered mutations whose content another mutation now carries."""
    for mutation_id in mutation_ids:
        conn.execute("UPDATE history SET mutation_id = NULL WHERE mutation_id = ?", (mutation_id,))
        conn.execute("DELETE FROM outbox WHERE mutation_id = ? AND wire_seq IS NULL AND attempts = 0 "
                     "AND state = 'pending'", (mutation_id,))


def requeue_from(conn: Any, wire_seq: int, below: int) -> int:
    """The server lost answers from ``wire_seq`` on (restored from a backup): offer again every
    mutation numbered in ``[wire_seq, below)`` it had answered. Replays are harmless."""
    cursor = conn.execute("UPDATE outbox SET state = 'pending' WHERE wire_seq >= ? AND wire_seq < ? "
                          "AND state IN ('applied', 'duplicate', 'sending')", (wire_seq, below))
    return int(cursor.rowcount)


def renumber(conn: Any, mutation_ids: list[str], start: int) -> None:
    """Give mutations the server never processed new wire numbers from ``start`` (it expects
    ``start`` and this device holds nothing numbered below it that the server lacks)."""
    for offset, mutation_id in enumerate(mutation_ids):
        conn.execute("UPDATE outbox SET wire_seq = NULL WHERE mutation_id = ?", (mutation_id,))
        conn.execute("UPDATE outbox SET wire_seq = ? WHERE mutation_id = ?",
                     (start + offset, mutation_id))
    meta.put(conn, NEXT_WIRE_SEQ, str(start + len(mutation_ids)))


def needing_attention(conn: Any) -> list[Mutation]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('conflict', 'rejected') "
                        "ORDER BY seq").fetchall()
    return [_row(r) for r in rows]


def has_local_work(conn: Any, record_type: str, record_id: str) -> bool:
    """Waiting, or needing the officer's attention: such a record is never removed."""
    row = conn.execute("SELECT 1 FROM outbox WHERE record_type = ? AND record_id = ? AND state IN "
                       "('pending', 'sending', 'conflict', 'rejected') LIMIT 1",
                       (record_type, record_id)).fetchone()
    return row is not None
