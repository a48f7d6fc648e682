"""Full-text search (FTS5, inside the encrypted file) over names, CRNs and notes.

The index row of a record has the record's ``rid`` as its rowid, so updating it
is a keyed replace, not a scan. Runs inside the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import JSONValue

_INDEXED: Mapping[str, tuple[str, ...]] = {
    "case": ("crn", "first_name", "last_name"),
    "contact": ("notes", "location"),
}
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    record_type: str
    record_id: str
    case_id: str | None
    snippet: str


def index(conn: Any, *, rid: int, record_type: str, case_id: str | None,
          fields: Mapping[str, JSONValue], deleted: bool) -> None:
    names = _INDEXED.get(record_type)
    if names is None:
        return
    conn.execute("DELETE FROM search WHERE rowid = ?", (rid,))
    if deleted:
        return
    body = "\n".join(str(fields[n]) for n in names if isinstance(fields.get(n), str))
    conn.execute("INSERT INTO search (rowid, record_type, case_id, body) VALUES (?, ?, ?, ?)",
                 (rid, record_type, case_id, body))


def to_match_query(text: str) -> str | None:
    """Search-as-you-type: every word must match, the last one as a prefix.

    Words are quoted, so whatever the officer types is never FTS syntax.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def find(conn: Any, text: str, *, limit: int = 200) -> list[SearchHit]:
    query = to_match_query(text)
    if query is None:
        return []
    rows = conn.execute(
        "SELECT r.record_type, r.id, r.case_id, snippet(search, 2, '[', ']', '…', 12) "
        "FROM search JOIN records r ON r.rid = search.rowid "
        "WHERE search MATCH ? ORDER BY rank LIMIT ?", (query, limit)).fetchall()
    return [SearchHit(r[0], r[1], r[2], r[3]) for r in rows]
