"""The idempotency ledger: (client, mutation) → payload hash and the stored answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from caseserver.db.tables import ledger

# Built once: every pushed mutation looks itself up and records its answer.
_FIND = select(ledger.c.payload_sha256, ledger.c.result).where(
    ledger.c.client_id == bindparam("client_id"), ledger.c.mutation_id == bindparam("mutation_id"))
_RECORD = insert(ledger)


@dataclass(frozen=True)
class Entry:
    payload_sha256: str
    result: dict[str, Any]


def find(conn: Connection, client_id: str, mutation_id: str) -> Entry | None:
    row = conn.execute(_FIND, {"client_id": client_id, "mutation_id": mutation_id}).first()
    return None if row is None else Entry(row[0], json.loads(row[1]))


def record(conn: Connection, *, client_id: str, mutation_id: str, payload_sha256: str, seq: int,
           result: dict[str, Any], at: str) -> None:
    conn.execute(_RECORD, {
        "client_id": client_id, "mutation_id": mutation_id, "payload_sha256": payload_sha256, "seq": seq,
        "result": json.dumps(result, sort_keys=True), "resolved": False, "created_at": at})


def mark_resolved(conn: Connection, client_id: str, mutation_id: str) -> None:
    conn.execute(update(ledger).where(ledger.c.client_id == client_id, ledger.c.mutation_id == mutation_id)
                 .values(resolved=True))
