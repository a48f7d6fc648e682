"""The device's own sync state in the store: client id, next ``seq``, cursor, officer.

Values are text; helpers read and write them inside the caller's transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

CLIENT_ID = "client_id"
NEXT_SEQ = "next_seq"
OFFICER_CODE = "officer_code"


def get(conn: Any, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(conn: Any, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def ensure_client_id(conn: Any) -> str:
    """The UUID that names this device profile to the server; made once."""
    existing = get(conn, CLIENT_ID)
    if existing is not None:
        return existing
    made = str(uuid.uuid4())
    put(conn, CLIENT_ID, made)
    return made


def take_seq(conn: Any) -> int:
    """The next mutation ``seq`` (1, 2, 3 …), reserved inside the caller's transaction."""
    current = int(get(conn, NEXT_SEQ) or "1")
    put(conn, NEXT_SEQ, str(current + 1))
    return current
