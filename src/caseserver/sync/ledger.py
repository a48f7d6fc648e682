"""The idempotency ledger: (client, mutation) → payload hash and the stored answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from caseserver.db.tables import ledger

# Built once: every pushed mutation looks itself up and records its answer.
_RECORD = insert(ledger)
_FIND_MANY = select(ledger.c.mutation_id, ledger.c.payload_sha256, ledger.c.result).where(
    ledger.c.client_id == bindparam("client_id"),
    ledger.c.mutation_id.in_(bindparam("mutation_ids", expanding=True)))
_CHUNK = 500


@dataclass(frozen=True)
class Entry:
    payload_sha256: str
    result: dict[str, Any]


def find_many(conn: Connection, client_id: str, mutation_ids: list[str]) -> dict[str, Entry]:
    """The entries among ``mutation_ids`` (a push batch's), by mutation id."""
    found: dict[str, Entry] = {}
    unique = list(dict.fromkeys(mutation_ids))
    for start in range(0, len(unique), _CHUNK):
        rows = conn.execute(_FIND_MANY, {"client_id": client_id,
                                         "mutation_ids": unique[start:start + _CHUNK]})
        for row in rows:
            found[row[0]] = Entry(row[1], json.loads(row[2]))
    return found


def row(*, client_id: str, mutation_id: str, payload_sha256: str, seq: int,
        result: dict[str, Any], at: str) -> dict[str, Any]:
    """One mutation's ledger row, for :func:`record_many`."""
    return {"client_id": client_id, "mutation_id": mutation_id, "payload_sha256": payload_sha256,
            "seq": seq, "result": json.dumps(result, sort_keys=True), "resolved": False, "created_at": at}


def record_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(_RECORD, rows)


def mark_resolved(conn: Connection, client_id: str, mutation_id: str) -> None:
    conn.execute(update(ledger).where(ledger.c.client_id == client_id, ledger.c.mutation_id == mutation_id)
                 .values(resolved=True))
