"""Where this device stands with the central system: cursor, epoch, last sync, clock skew,
and the staging table a full snapshot is pulled into before it is swapped in.

Values live in the ``meta`` table; helpers run inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseclient.storage import meta

CURSOR = "sync_cursor"
EPOCH = "sync_epoch"
LAST_SYNC = "last_sync_at"
CLOCK_SKEW = "clock_skew_seconds"
SERVER_URL = "server_url"


@dataclass(frozen=True)
class SyncState:
    cursor: str | None
    epoch: str | None
    last_sync_at: dt.datetime | None
    clock_skew_seconds: float | None


@dataclass(frozen=True)
class StagedRecord:
    record_type: str
    record_id: str
    version: int
    deleted: bool
    fields: Mapping[str, JSONValue]
    changed_by: str | None


def read(conn: Any) -> SyncState:
    last = meta.get(conn, LAST_SYNC)
    skew = meta.get(conn, CLOCK_SKEW)
    return SyncState(meta.get(conn, CURSOR), meta.get(conn, EPOCH),
                     None if last is None else dt.datetime.fromisoformat(last),
                     None if skew is None else float(skew))


def set_cursor(conn: Any, cursor: str, epoch: str) -> None:
    meta.put(conn, CURSOR, cursor)
    meta.put(conn, EPOCH, epoch)


def server_url(conn: Any) -> str | None:
    return meta.get(conn, SERVER_URL)


def set_server_url(conn: Any, url: str) -> None:
    meta.put(conn, SERVER_URL, url)


def set_last_sync(conn: Any, at: dt.datetime) -> None:
    meta.put(conn, LAST_SYNC, at.isoformat())


def set_clock_skew(conn: Any, seconds: float) -> None:
    meta.put(conn, CLOCK_SKEW, f"{seconds:.3f}")


# ---- the snapshot staging table ------------------------------------------------------------
def clear_staging(conn: Any) -> None:
    conn.execute("DELETE FROM records_staging")


def stage(conn: Any, records: Iterable[StagedRecord]) -> None:
    conn.executemany(
        "INSERT INTO records_staging (record_type, id, version, deleted, fields, changed_by) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (record_type, id) DO UPDATE SET "
        "version = excluded.version, deleted = excluded.deleted, fields = excluded.fields, "
        "changed_by = excluded.changed_by",
        [(r.record_type, r.record_id, r.version, int(r.deleted), json.dumps(dict(r.fields)),
          r.changed_by) for r in records])


def staged(conn: Any) -> Iterator[StagedRecord]:
    for row in conn.execute("SELECT record_type, id, version, deleted, fields, changed_by "
                            "FROM records_staging").fetchall():
        yield StagedRecord(row[0], row[1], row[2], bool(row[3]), json.loads(row[4]), row[5])


# ---- wipe --------------------------------------------------------------------------------
def erase_everything(conn: Any) -> None:
    """The central system ordered this device wiped: every case record, change and setting goes.

    Only the device's identity and numbering stay (client id, next local and wire ``seq``),
    so a number is never offered twice under this client id.
    """
    for table in ("search", "history", "outbox", "records", "records_staging", "held_cases"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("DELETE FROM meta WHERE key NOT IN (?, ?, ?)",
                 (meta.CLIENT_ID, meta.NEXT_SEQ, "next_wire_seq"))

