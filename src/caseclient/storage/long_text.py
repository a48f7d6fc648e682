"""Long text kept in pieces, so an autosave rewrites the piece typed into, not the note.

A record's ``fields`` JSON holds every value, except that a long-text field written on
this laptop (kind ``long_text``, writable here, a string longer than :data:`LONG_BYTES`
once JSON-encoded) is kept in ``record_text`` instead (migration 0009): the JSON keeps
the field's place with ``null`` and ``records.pieces`` is 1. Each piece is small enough
to sit in one cell of a SQLCipher page (:data:`PIECE_BYTES`), so saving a note of
141 KiB writes the row (now small) and the one or two pieces that changed, instead of
the whole note's overflow chain, which ``secure_delete`` then zeroed as well
(docs/decisions/0040-long-text-in-pieces.md).

Pieces end at content-defined places: after a line or a sentence whose last 80
characters hash to a chosen value (:func:`split`), so an edit in the middle of a note
moves the ends of a piece or two and the rest stay as they are. They are numbered with spaced
keys (``piece``), so a piece put between two others needs no renumbering of the ones
after it. A save compares the stored pieces with the new text and writes only those
that differ (:func:`plan`), inside the caller's transaction, so the row, its pieces,
history and outbox are one commit.

Every reader of ``records.fields`` selects :func:`columns` and takes the complete values
from the row with :func:`values_of`. Rows
written from the central system's copies keep their text in the JSON (``pieces`` = 0),
and so do rows from before migration 0009: both forms are read. A row leaving the store
takes its pieces with it (``ON DELETE CASCADE``); a write of the whole JSON from elsewhere
(a pulled copy, a settled conflict) calls :func:`drop` and stores the text in the JSON again.
"""

from __future__ import annotations

import json
import re
import zlib
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import FieldKind, spec_for

LONG_BYTES = 2_048       # a long-text value longer than this, JSON-encoded, goes in pieces
PIECE_BYTES = 896        # at most this many UTF-8 bytes a piece: one cell of a page, no overflow
MIN_BYTES = 96           # a piece ends no sooner than this (bar the note's last piece)
_SPREAD = 10             # one sentence end in this many (by its hash) ends a piece
_WINDOW = 80             # characters before a sentence end that its hash is of (never before
                         # the piece's start, so a piece's end depends on its own text only)
STEP = 1 << 32           # spacing of piece keys: 32 pieces can go in at one place before the
                         # field's pieces are numbered afresh
_END = re.compile(r"\n|[.!?。！？][\s\u3000]")   # a piece may end after these
_SPACE = re.compile(r"\s")


# ---- which values go in pieces --------------------------------------------------------------
def _long_fields(record_type: str) -> tuple[str, ...]:
    spec = spec_for(record_type)
    if spec is None:
        return ()
    return tuple(f.name for f in spec.fields if f.kind is FieldKind.LONG_TEXT and f.client_writable)


_LONG: dict[str, tuple[str, ...]] = {}


def long_fields(record_type: str) -> tuple[str, ...]:
    """The fields of ``record_type`` whose values may be kept in pieces."""
    found = _LONG.get(record_type)
    if found is None:
        found = _LONG[record_type] = _long_fields(record_type)
    return found


def goes_in_pieces(value: JSONValue) -> bool:
    """A string longer than :data:`LONG_BYTES` as JSON, that SQLite can hold as text
    (no lone surrogates, no NUL)."""
    if not isinstance(value, str) or len(value) * 6 + 2 <= LONG_BYTES:
        return False
    if "\x00" in value:
        return False
    if len(value) <= LONG_BYTES and len(json.dumps(value)) <= LONG_BYTES:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---- reading --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stored:
    """One field's pieces as stored: its whole text and how many pieces hold it."""

    text: str
    count: int


# Joined by SQLite in one pass over the primary key: an ORDER BY inside group_concat copied
# every piece into a temporary b-tree first (1.5 ms against 0.3 ms for a 141 KiB note), and
# reading the pieces as rows cost ~3 ms. SQLite feeds every aggregate of a pass the rows in
# the same order, so the keys joined in that pass, found sorted, prove the text was joined in
# key order (sorting them in SQL as well cost ~1.3 ms more a read; in Python ~0.2 ms).
_JOINED = ("SELECT field, group_concat(text, ''), group_concat(piece, ' ') "
           "FROM record_text WHERE rid = ? GROUP BY field")
_JOINED_SORTED = ("SELECT field, group_concat(text, '' ORDER BY piece), "
                  "group_concat(piece, ' ' ORDER BY piece) FROM record_text WHERE rid = ? GROUP BY field")


def _joined(conn: Any, sql: str, rid: int) -> dict[str, tuple[str, list[int]]]:
    return {field: (text, list(map(int, keys.split())))
            for field, text, keys in conn.execute(sql, (rid,)).fetchall()}


def load(conn: Any, rid: int) -> dict[str, Stored]:
    """The text (and number of pieces) of each field of a record kept in pieces."""
    found = _joined(conn, _JOINED, rid)
    if any(keys != sorted(keys) for _text, keys in found.values()):
        found = _joined(conn, _JOINED_SORTED, rid)                   # pragma: no cover
    return {field: Stored(text, len(keys)) for field, (text, keys) in found.items()}


def assemble(conn: Any, rid: int, fields_json: str, pieced: int | bool | None,
             stored: Mapping[str, Stored] | None = None) -> dict[str, JSONValue]:
    """A record's complete values from its ``fields`` JSON and, when ``pieced``, its pieces
    (``stored``: those already read)."""
    values: dict[str, JSONValue] = json.loads(fields_json)
    if pieced:
        for field, held in (load(conn, rid) if stored is None else stored).items():
            values[field] = held.text
    return values


def columns(table: str = "") -> str:
    """What a reader of ``records.fields`` selects, side by side and in this order, for
    :func:`values_of`: the row's ``rid, fields, pieces`` (``table``: the name ``records``
    goes by in the query, e.g. ``"r"``)."""
    prefix = f"{table}." if table else ""
    return f"{prefix}rid, {prefix}fields, {prefix}pieces"


def values_of(conn: Any, row: Sequence[Any], start: int = 0,
              stored: Mapping[str, Stored] | None = None) -> dict[str, JSONValue]:
    """A record's complete values from a row that selected :func:`columns` at column
    ``start`` ({} when they are NULL: an outer join that found no record; ``stored``: its
    pieces, already read)."""
    fields_json = row[start + 1]
    if fields_json is None:
        return {}
    return assemble(conn, row[start], fields_json, row[start + 2], stored)


# ---- splitting ------------------------------------------------------------------------------
def _prefix_chars(text: str, start: int, limit: int) -> int:
    """The end of the longest run of whole characters from ``start`` within ``limit`` bytes."""
    window = text[start:start + limit]
    if window.isascii():
        return start + len(window)
    encoded = window.encode("utf-8")
    if len(encoded) <= limit:
        return start + len(window)
    return start + len(encoded[:limit].decode("utf-8", "ignore"))


def _hits(text: str) -> bool:
    return zlib.crc32(text.encode("utf-8")) % _SPREAD == 0


def _next_end(text: str, start: int) -> int:
    """Where the piece starting at ``start`` ends. Decided from ``text[start:]`` alone, at
    most :data:`PIECE_BYTES` bytes of it, so text added after a piece never moves its end."""
    limit = _prefix_chars(text, start, PIECE_BYTES)
    earliest = _prefix_chars(text, start, MIN_BYTES)
    last_end = -1
    for match in _END.finditer(text, earliest, limit):
        end = match.end()
        if end - 1 > earliest:          # the whole match is past ``earliest``
            if _hits(text[max(start, end - _WINDOW):end]):
                return end
            last_end = end
    if limit >= len(text):
        return len(text)
    if last_end > start:
        return last_end
    spaces = [m.end() for m in _SPACE.finditer(text, earliest, limit)]
    return spaces[-1] if spaces and spaces[-1] > start else limit


def split(text: str, start: int = 0, *, stop_at: Collection[int] = ()) -> list[tuple[int, int]]:
    """``text[start:]`` as pieces ``(start, end)``; stops early after an end in ``stop_at``
    (from there on the pieces are already known)."""
    out: list[tuple[int, int]] = []
    while start < len(text):
        end = _next_end(text, start)
        out.append((start, end))
        start = end
        if start in stop_at:
            break
    return out


# ---- writing --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What to write to make a field's stored pieces hold a new text (``clear``: delete
    all its pieces first)."""

    inserts: list[tuple[int, str]]
    updates: list[tuple[int, str]]
    deletes: list[int]
    clear: bool = False

    @property
    def empty(self) -> bool:
        return not (self.inserts or self.updates or self.deletes or self.clear)


def _common_prefix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    if a[:high] == b[:high]:
        return high
    while low < high:                         # a[:low] == b[:low], a[:high] != b[:high]
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, most: int) -> int:
    low, high = 0, most
    if high == 0 or a[len(a) - high:] == b[len(b) - high:]:
        return high
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:] == b[len(b) - middle:]:
            low = middle
        else:
            high = middle - 1
    return low


def _fresh(text: str, *, clear: bool) -> Plan:
    return Plan([(STEP * (n + 1), text[s:e]) for n, (s, e) in enumerate(split(text))], [], [],
                clear)


def plan(old: Stored | None, new: str, from_end: Iterable[tuple[int, str]] = ()) -> Plan:
    """The writes that turn the stored pieces ``old`` into pieces of ``new``: the pieces before
    the first change and after the last stay as they are (by content, not position), and only
    the stretch between is split again. ``from_end``: the old pieces' keys and texts, last
    first; only as many are taken as reach back to the change (a piece or two when typing at
    the end)."""
    if old is None or old.count == 0:
        return _fresh(new, clear=False)
    old_text, count = old.text, old.count
    if old_text == new:
        return Plan([], [], [])
    same_start = _common_prefix(old_text, new)
    delta = len(new) - len(old_text)
    same_end = _common_suffix(old_text, new, min(len(old_text), len(new)) - same_start)
    # Pieces starting early enough are wholly decided by unchanged text: kept without
    # splitting again. Those after them are read, from the end.
    reach = same_start - PIECE_BYTES - 2
    late: list[tuple[int, str]] = []     # the pieces after the kept ones, last first
    kept_key = 0                         # the key of the last kept piece (0: none)
    position = len(old_text)             # where the first of the late pieces starts
    for key, text in from_end:
        if position - len(text) <= reach:
            kept_key = key
            break
        late.append((key, text))
        position -= len(text)
    keep_first = count - len(late)
    late.reverse()
    if (keep_first < 0 or position > same_start or (keep_first == 0) != (position == 0)
            or (keep_first > 0) != (kept_key > 0) or "".join(t for _k, t in late) != old_text[position:]):
        return _fresh(new, clear=True)   # the pieces do not end the text as joined: afresh
    offsets = list(accumulate((len(t) for _k, t in late), initial=position))
    # Old piece ends in the unchanged tail, where the new text's pieces fall in step again.
    first_end = bisect_left(offsets, len(old_text) - same_end, 1)
    ends = {offsets[index] + delta: index - 1 for index in range(first_end, len(offsets))}
    spans = split(new, position, stop_at=ends)
    last = len(late) - 1                 # the last late piece the new ones replace
    if spans and spans[-1][1] != len(new):
        last = ends[spans[-1][1]]
    old_middle = late[:last + 1]
    new_middle = [new[s:e] for s, e in spans]
    # Pieces equal at either end of the changed stretch keep their keys.
    head = 0
    while head < min(len(old_middle), len(new_middle)) and old_middle[head][1] == new_middle[head]:
        head += 1
    tail = 0
    while (tail < min(len(old_middle), len(new_middle)) - head
           and old_middle[-1 - tail][1] == new_middle[-1 - tail]):
        tail += 1
    replaced = old_middle[head:len(old_middle) - tail]
    texts = new_middle[head:len(new_middle) - tail]
    before = late[head - 1][0] if head > 0 else kept_key
    after = late[len(old_middle) - tail][0] if len(old_middle) - tail < len(late) else None
    reused = min(len(replaced), len(texts))
    updates = [(replaced[n][0], texts[n]) for n in range(reused) if replaced[n][1] != texts[n]]
    deletes = [key for key, _t in replaced[reused:]]
    extra = texts[reused:]
    low = replaced[reused - 1][0] if reused else before
    if after is None:
        inserts = [(low + STEP * (n + 1), t) for n, t in enumerate(extra)]
    elif after - low > len(extra):
        gap = after - low
        inserts = [(low + gap * (n + 1) // (len(extra) + 1), t) for n, t in enumerate(extra)]
    else:                                # no room between two keys: number afresh
        return _fresh(new, clear=True)
    return Plan(inserts, updates, deletes)


def write(conn: Any, rid: int, field: str, steps: Plan) -> None:
    """Carry out ``steps`` for one field of a record, inside the caller's transaction."""
    if steps.clear:
        conn.execute("DELETE FROM record_text WHERE rid = ? AND field = ?", (rid, field))
    if steps.deletes:
        conn.executemany("DELETE FROM record_text WHERE rid = ? AND field = ? AND piece = ?",
                         [(rid, field, key) for key in steps.deletes])
    if steps.updates:
        conn.executemany("UPDATE record_text SET text = ? WHERE rid = ? AND field = ? AND piece = ?",
                         [(text, rid, field, key) for key, text in steps.updates])
    if steps.inserts:
        conn.executemany("INSERT INTO record_text (rid, field, piece, text) VALUES (?, ?, ?, ?)",
                         [(rid, field, key, text) for key, text in steps.inserts])


def encode(record_type: str, values: Mapping[str, JSONValue], changed: Collection[str],
           stored: Mapping[str, Stored]) -> tuple[str, dict[str, str | None], bool]:
    """The ``fields`` JSON to write for ``values``, the long-text fields whose pieces change
    (name → new text, or None when the value leaves its pieces) and whether the record keeps
    any pieces. ``stored``: its pieces now; ``changed``: the names whose values changed."""
    kept = dict(values)
    moves: dict[str, str | None] = {}
    pieced = False
    for name in long_fields(record_type):
        value = values.get(name)
        if name not in changed:
            if name in stored:
                kept[name] = None
                pieced = True
        elif goes_in_pieces(value):
            assert isinstance(value, str)
            kept[name] = None
            moves[name] = value
            pieced = True
        elif name in stored:
            moves[name] = None
    return json.dumps(kept), moves, pieced


def store(conn: Any, rid: int, moves: Mapping[str, str | None], stored: Mapping[str, Stored]) -> None:
    """Write the pieces :func:`encode` asked for, comparing with the ``stored`` ones."""
    for name, text in moves.items():
        if text is None:
            conn.execute("DELETE FROM record_text WHERE rid = ? AND field = ?", (rid, name))
        else:
            cursor = conn.execute("SELECT piece, text FROM record_text WHERE rid = ? AND field = ? "
                                  "ORDER BY piece DESC", (rid, name))
            try:
                steps = plan(stored.get(name), text, cursor)
            finally:
                cursor.close()
            write(conn, rid, name, steps)


def drop(conn: Any, rid: int) -> None:
    """The record's values are written whole into its JSON: its pieces go."""
    conn.execute("DELETE FROM record_text WHERE rid = ?", (rid,))
