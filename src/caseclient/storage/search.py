"""Full-text search (FTS5, inside the encrypted file) over names, CRNs and notes.

The table is contentless (migration 0004): it holds the index, not a second copy
of the text, and ``contentless_delete`` lets a record's entry be replaced by its
rowid (the record's ``rid``) without re-reading the old text. The text lives in
``records`` only, so :func:`find` cuts each hit's snippet from the record itself.

Autosaves do not re-index (migration 0006): :func:`index_later` queues the record
being typed into, once, and brings the previously queued ones up to date, so in
ordinary use at most one record's entry lags its row. :func:`find` matches queued
records against their current text in an in-memory FTS5 table with the same
tokenizer, so results never lag what was typed. Writes run inside the caller's
transaction.
"""

from __future__ import annotations

import bisect
import json
import operator
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseclient.storage import long_text

_INDEXED: Mapping[str, tuple[str, ...]] = {
    "case": ("crn", "first_name", "last_name"),
    "contact": ("notes", "location"),
}
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)   # what FTS5's unicode61 tokenizer keeps
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")      # the same in ASCII text, ~2x faster
SNIPPET_TOKENS = 12          # as long as FTS5's snippet(..., 12) was
_BEFORE = 3                  # tokens shown before the first match
_LOOK_BACK = 400             # characters searched for those tokens
_NEAR = 80                   # ... first this many (the same tokens when it holds enough)
_FOLD_SCAN = 64 * 1024       # characters scanned for an accent-folded match
_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"    # as migration 0004's table
MIN_PREFIX = 2               # a shorter last word matches whole: "w*" matched most of the index


@dataclass(frozen=True)
class SearchHit:
    record_type: str
    record_id: str
    case_id: str | None
    snippet: str


def body_of(record_type: str, fields: Mapping[str, JSONValue]) -> str | None:
    """The indexed text of a record: its searched string fields, one per line.

    None for types that are not searched. Migration 0004 builds the same text in SQL.
    """
    names = _INDEXED.get(record_type)
    if names is None:
        return None
    return "\n".join(value for n in names if isinstance(value := fields.get(n), str))


def index(conn: Any, *, rid: int, record_type: str, case_id: str | None,
          fields: Mapping[str, JSONValue], deleted: bool) -> None:
    """Make the record's index entry match ``fields`` (or remove it when deleted), and
    its ``record_case`` row its case (``case_id`` as the row now says; None: read it)."""
    body = body_of(record_type, fields)
    if body is None:
        return
    if case_id is None:
        row = conn.execute("SELECT case_id FROM records WHERE rid = ?", (rid,)).fetchone()
        case_id = row[0] if row is not None else None
    _own(conn, [(rid, case_id)])
    conn.execute("DELETE FROM reindex_queue WHERE rid = ?", (rid,))
    if deleted:
        conn.execute("DELETE FROM search WHERE rowid = ?", (rid,))
    else:
        conn.execute("INSERT OR REPLACE INTO search (rowid, body) VALUES (?, ?)", (rid, body))


def index_many(conn: Any, entries: Iterable[tuple[int, str | None, bool]]) -> None:
    """:func:`index` for several records, each ``(rid, body, deleted)`` with ``body`` as
    :func:`body_of` gives it (None: a type not searched) and each rid once, in a statement
    per kind of write instead of two per record (a pulled chunk)."""
    queued: list[tuple[int]] = []
    gone: list[tuple[int]] = []
    live: list[tuple[int, str]] = []
    for rid, body, deleted in entries:
        if body is None:
            continue
        queued.append((rid,))
        if deleted:
            gone.append((rid,))
        else:
            live.append((rid, body))
    if len({rid for rid, in queued}) != len(queued):
        raise ValueError("index_many takes each record once")
    conn.executemany("DELETE FROM reindex_queue WHERE rid = ?", queued)
    conn.executemany("DELETE FROM search WHERE rowid = ?", gone)
    conn.executemany("INSERT OR REPLACE INTO search (rowid, body) VALUES (?, ?)", live)
    _own(conn, conn.execute("SELECT rid, case_id FROM records WHERE rid IN "
                            "(SELECT value FROM json_each(?))",
                            (json.dumps([rid for rid, in queued]),)).fetchall())


# ---- each searched record's case (migration 0010), for find_cases ---------------------------------
CHUNK = 512              # rids to a record_case row: 4 bytes each, 2 KiB


def _cases_of(blob: bytes) -> array[int]:
    """A record_case row's case numbers (stored little-endian)."""
    out = array("I")
    out.frombytes(blob)
    if sys.byteorder != "little":
        out.byteswap()
    return out


def _blob(cases: array[int]) -> bytes:
    if sys.byteorder != "little":
        cases = array("I", cases)
        cases.byteswap()
    return cases.tobytes()


def _own(conn: Any, owned: Iterable[tuple[int, str | None]]) -> None:
    """Give each record (rid, case id or None) its case number, as its entry is written.

    A few records (a save, a record made here) go to ``record_case_new``, a row each; a
    pulled chunk, or more than :data:`CHUNK` of those, is folded into ``record_case``'s
    2 KiB rows (rewriting a row for every record cost a pulled record ~60 µs).

    A new record's number does not move ``record_case_state.generation`` (its rid is above
    every rid a remembered :class:`CaseOwners` holds, which has it read again); a record
    that moved case, or lost its case, moves it. (A row leaving ``records`` moves it too,
    by migration 0010's trigger, whoever deletes it.) A trigger on ``records`` would have
    done all of it, but a trigger on an INSERT doubled the cost of writing a pulled record
    (its statement then keeps a journal of every page the row touches)."""
    pairs = list(owned)
    named = sorted({case_id for _, case_id in pairs if case_id is not None})
    numbers: dict[str | None, int] = {}
    for case_id in named:
        row = conn.execute("SELECT case_no FROM case_number WHERE case_id = ?", (case_id,)).fetchone()
        numbers[case_id] = row[0] if row is not None else conn.execute(
            "INSERT INTO case_number (case_id) VALUES (?)", (case_id,)).lastrowid
    slots = [(rid, numbers.get(case_id, 0)) for rid, case_id in pairs]
    if len(slots) < _FOLD_AT:
        moved = False
        for rid, number in slots:
            now = _number_of(conn, rid)
            if now != number:
                moved = moved or now != 0
                conn.execute("INSERT OR REPLACE INTO record_case_new (rid, case_no) VALUES (?, ?)",
                             (rid, number))
        if conn.execute("SELECT count(*) FROM record_case_new").fetchone()[0] >= CHUNK:
            _fold(conn, [])
    else:
        moved = _fold(conn, slots)
    if moved:
        conn.execute("UPDATE record_case_state SET generation = generation + 1")


_FOLD_AT = 64            # records written at once from which _own writes record_case's rows


def _number_of(conn: Any, rid: int) -> int:
    row = conn.execute("SELECT case_no FROM record_case_new WHERE rid = ?", (rid,)).fetchone()
    if row is not None:
        return int(row[0])
    row = conn.execute("SELECT substr(cases, ? * 4 + 1, 4) FROM record_case WHERE chunk = ?",
                       (rid % CHUNK, rid // CHUNK)).fetchone()
    return int.from_bytes(row[0], "little") if row is not None and len(row[0]) == 4 else 0


def _fold(conn: Any, slots: list[tuple[int, int]]) -> bool:
    """Write ``slots`` (rid, case number) and every ``record_case_new`` row into
    ``record_case``'s rows; whether a record that had a case now has another."""
    pending = conn.execute("SELECT rid, case_no FROM record_case_new").fetchall()
    conn.execute("DELETE FROM record_case_new")
    by_chunk: dict[int, list[tuple[int, int, bool]]] = {}
    for rid, number in pending:
        by_chunk.setdefault(rid // CHUNK, []).append((rid % CHUNK, number, False))
    for rid, number in slots:
        by_chunk.setdefault(rid // CHUNK, []).append((rid % CHUNK, number, True))
    moved = False
    for chunk, changes in by_chunk.items():
        row = conn.execute("SELECT cases FROM record_case WHERE chunk = ?", (chunk,)).fetchone()
        cases = _cases_of(row[0]) if row is not None else array("I")
        before = cases.tobytes()
        top = max(slot for slot, _, _ in changes) + 1
        if len(cases) < top:
            cases.extend(array("I", [0]) * (top - len(cases)))
        for slot, number, judged in changes:    # pending ones were judged when written
            moved = moved or (judged and cases[slot] not in (0, number))
            cases[slot] = number
        if cases.tobytes() != before:
            conn.execute("INSERT OR REPLACE INTO record_case (chunk, cases) VALUES (?, ?)",
                         (chunk, _blob(cases)))
    return moved


def index_later(conn: Any, *, rid: int, record_type: str) -> None:
    """An autosave of a live record: its entry may lag until another record is saved.

    The first save of a record brings every queued record's entry up to date and
    queues this one; later saves of it write nothing here.
    """
    if record_type not in _INDEXED:
        return
    queued = [r[0] for r in conn.execute("SELECT rid FROM reindex_queue").fetchall()]
    if rid in queued:
        return
    catch_up(conn, queued)
    conn.execute("INSERT INTO reindex_queue (rid) VALUES (?)", (rid,))


def catch_up(conn: Any, rids: list[int] | None = None) -> int:
    """Bring queued entries (all of them, or ``rids``) up to date. Returns how many."""
    if rids is None:
        rids = [r[0] for r in conn.execute("SELECT rid FROM reindex_queue").fetchall()]
    for rid in rids:
        row = conn.execute(f"SELECT record_type, deleted, {long_text.columns()} FROM records "
                           "WHERE rid = ?", (rid,)).fetchone()
        if row is None:
            conn.execute("DELETE FROM reindex_queue WHERE rid = ?", (rid,))
            continue
        index(conn, rid=rid, record_type=row[0], case_id=None,
              fields=long_text.values_of(conn, row, 2), deleted=bool(row[1]))
    return len(rids)


def to_match_query(text: str) -> str | None:
    """Search-as-you-type: every word must match, the last one as a prefix once it has
    :data:`MIN_PREFIX` characters (a one-letter prefix matched most of the index and
    cost a second at 100,000 contacts; alone it narrows nothing).

    Words are quoted, so whatever the officer types is never FTS syntax.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)


def find(conn: Any, text: str, *, limit: int = 200) -> list[SearchHit]:
    """Records matching ``text``: those whose entry lags their row first, then by rank.

    The queue is read once and the index is asked only about records not in that
    reading, so a record the sync worker takes out of the queue meanwhile is neither
    missed nor found twice. Deleted records are never hits, whatever the index holds.
    """
    query = to_match_query(text)
    if query is None:
        return []
    queued, rows = _match_queued(conn, query)
    marks = ",".join("?" * len(queued))
    rows += conn.execute(
        f"SELECT {_HIT_COLUMNS} FROM search JOIN records r ON r.rid = search.rowid "
        f"WHERE search MATCH ? AND r.deleted = 0 AND search.rowid NOT IN ({marks}) "
        "ORDER BY rank LIMIT ?", (query, *queued, limit)).fetchall()
    terms = _Terms.of(text)
    return [SearchHit(r[0], r[1], r[2], snippet(body_of(
                r[0], long_text.values_of(conn, r, 3)) or "", terms))
            for r in rows[:limit]]


def find_cases(conn: Any, text: str, owners: CaseOwners | None = None) -> list[tuple[str, str]]:
    """Cases matching ``text`` with one snippet each (case id, snippet): by name or CRN
    first, then by their records' text, each case's newest matching record.

    Every matching case is found, at a cost of about a microsecond a hit: names and CRNs
    are matched on the case records themselves; the index's hits come back as one JSON
    list and ``owners`` (each record's case by rid, remembered between searches: pass the
    same one each time) gives each hit's case without reading it; nothing is ranked
    (ranking scored every match: a second for a word in most notes); only the one record
    shown per case is read, for its snippet.

    Only current text counts: a queued record is matched on its text, never on its
    (stale) entry, and a deleted record's leftover entry is passed over, so neither
    hides a case's older matching records nor shows a case on its own. Everything is
    read in one read transaction (unless the caller is in one), so the owners and the
    hits are of the same state of the store.
    """
    query = to_match_query(text)
    if query is None:
        return []
    owners = CaseOwners() if owners is None else owners
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        owners.refresh(conn)
        return _find_cases(conn, text, query, owners)
    finally:
        if began:
            conn.execute("COMMIT")


def _text_of(field: str) -> str:
    return f"CASE WHEN json_type(fields, '$.{field}') = 'text' THEN fields ->> '$.{field}' END"


def _body_sql(names: tuple[str, ...]) -> str:
    return f"concat_ws(char(10), {', '.join(map(_text_of, names))})"


# A row's body_of(record_type, fields) (NULL for types not searched), made by SQLite's JSON
# reader as migration 0004 made the index's, for rows not in pieces (long_text.py): a JSON
# decode in Python of each case, and of each case's record shown, was a fifth of a search.
_BODY = "CASE record_type {} END".format(" ".join(
    f"WHEN '{record_type}' THEN {_body_sql(names)}" for record_type, names in _INDEXED.items()))
_CASE_BODIES = (f"SELECT id, {_body_sql(_INDEXED['case'])} FROM records "   # never in pieces
                "WHERE record_type = 'case' AND deleted = 0 ORDER BY rid")


def _find_cases(conn: Any, text: str, query: str, owners: CaseOwners) -> list[tuple[str, str]]:
    terms = _Terms.of(text)
    found: dict[str, str] = {}                      # case id → body shown
    for case_id, body in conn.execute(_CASE_BODIES).fetchall():
        if terms.found_in(body):
            found[case_id] = body
    queued, rows = _match_queued(conn, query)
    for row in rows:                                  # entries lagging their text
        case_id = row[2]
        if case_id is not None and case_id not in found:
            found[case_id] = body_of(row[0], long_text.values_of(conn, row, 3)) or ""
    not_queued = f"rowid NOT IN ({','.join('?' * len(queued))})"   # their entries may be stale
    listed = conn.execute(                           # one row: no Python object per hit
        f"SELECT group_concat(rowid) FROM search WHERE search MATCH ? AND {not_queued}",
        (query, *queued)).fetchone()[0]
    hits: list[int] = json.loads(f"[{listed or ''}]")     # json_group_array cost 2-3x more
    hits.sort()                                      # FTS5's order already: one pass
    newest, unowned = owners.newest(hits)            # case id → its newest hit
    for start in range(0, len(unowned), 500):        # e.g. a record without a case: none
        part = unowned[start:start + 500]
        for rid, case_id in conn.execute(
                f"SELECT rid, case_id FROM records WHERE rid IN ({','.join('?' * len(part))}) "
                "AND case_id IS NOT NULL", part).fetchall():
            newest[case_id] = max(rid, newest.get(case_id, rid))
    for case_id in found:
        newest.pop(case_id, None)
    passed_over: set[int] = set()
    while newest:
        marks = ",".join("?" * len(newest))
        shown = {r[0]: r for r in conn.execute(
            f"SELECT {long_text.columns()}, record_type, case_id, deleted, "
            f"CASE WHEN NOT pieces THEN {_BODY} END FROM records "
            f"WHERE rid IN ({marks})", tuple(newest.values())).fetchall()}
        again: dict[str, int] = {}
        for case_id, rid in sorted(newest.items(), key=lambda item: -item[1]):
            row = shown.get(rid)
            if row is None or row[5] or row[4] != case_id:    # a leftover entry: look further back
                passed_over.add(rid)
                older = owners.newest_of(hits, case_id, passed_over)
                if older is not None:
                    again[case_id] = older
                continue
            found[case_id] = row[6] if row[6] is not None else \
                body_of(row[3], long_text.values_of(conn, row)) or ""
        newest = again
    return [(case_id, snippet(body, terms)) for case_id, body in found.items()]


def _owners_state(conn: Any) -> tuple[int, int]:
    """What a remembered :class:`CaseOwners` depends on: the generation and the highest rid."""
    return (int(conn.execute("SELECT generation FROM record_case_state").fetchone()[0]),
            int(conn.execute("SELECT coalesce(max(rid), 0) FROM records").fetchone()[0]))


class CaseOwners:
    """Each searched record's case, by rid (migration 0010's ``record_case``), kept in
    memory between searches: 4 bytes a rid (~400 KB at 100,000 records) and the case ids.

    Read again (a few milliseconds: 2 KiB rows) when ``record_case_state.generation``
    moves (a row left ``records``, a record moved case) or a record was added (a rid above
    the highest one read).
    """

    def __init__(self) -> None:
        self._state: tuple[int, int] | None = None      # generation, highest rid
        self._case_of: array[int] = array("I")
        self._case_ids: list[str] = []

    def current(self, conn: Any) -> bool:
        """Whether the map holds what the store holds (inside a read transaction); reads only
        this object's state, so another thread may ask while the owning one refreshes it."""
        return self._state == _owners_state(conn)

    def refresh(self, conn: Any) -> None:
        """Up to date with the store (called inside the read transaction of a search)."""
        state = _owners_state(conn)
        if state == self._state:
            return
        cases = int(conn.execute("SELECT coalesce(max(case_no), 0) FROM case_number").fetchone()[0])
        case_ids = [""] * (cases + 1)
        for case_no, case_id in conn.execute("SELECT case_no, case_id FROM case_number"):
            case_ids[case_no] = case_id
        chunks = int(conn.execute("SELECT coalesce(max(chunk), -1) FROM record_case").fetchone()[0])
        case_of = array("I", [0]) * (CHUNK * (chunks + 1))
        for chunk, blob in conn.execute("SELECT chunk, cases FROM record_case"):
            part = _cases_of(blob)
            case_of[chunk * CHUNK:chunk * CHUNK + len(part)] = part
        for rid, case_no in conn.execute("SELECT rid, case_no FROM record_case_new"):
            if rid >= len(case_of):
                case_of.extend(array("I", [0]) * (rid + 1 - len(case_of)))
            case_of[rid] = case_no
        self._state, self._case_of, self._case_ids = state, case_of, case_ids

    def newest(self, hits: list[int]) -> tuple[dict[str, int], list[int]]:
        """Each case's newest (highest) rid among ``hits`` (ascending), and the hits this map
        gives no case (none when every entry was written with its case, as the writers do)."""
        case_of = self._case_of
        cut = bisect.bisect_left(hits, len(case_of))
        known = hits[:cut]
        numbers = operator.itemgetter(*known)(case_of) if len(known) > 1 else \
            tuple(map(case_of.__getitem__, known))       # (itemgetter of one is not a tuple)
        by_number = dict(zip(numbers, known, strict=True))     # the last (newest) wins
        unowned = hits[cut:]
        if by_number.pop(0, None) is not None:
            unowned = [rid for rid in known if not case_of[rid]] + unowned
        return {self._case_ids[number]: rid for number, rid in by_number.items()}, unowned

    def newest_of(self, hits: list[int], case_id: str, passed_over: set[int]) -> int | None:
        """The newest of ``hits`` that belongs to ``case_id`` and is not in ``passed_over``."""
        case_of = self._case_of
        for rid in reversed(hits):
            number = case_of[rid] if rid < len(case_of) else 0
            if number and self._case_ids[number] == case_id and rid not in passed_over:
                return rid
        return None


_MEMORY = 2          # PRAGMA temp_store: temporary tables live in memory only
# A hit's row as find and _match_queued read it: its type, id and case, then what
# long_text.values_of reads from column 3.
_HIT_COLUMNS = f"r.record_type, r.id, r.case_id, {long_text.columns('r')}"


def _match_queued(conn: Any, query: str) -> tuple[list[int], list[Any]]:
    """The queued rids, and the queued live records whose current text matches ``query``.

    They are matched by the same tokenizer in ``temp.search_queued``: a contentless FTS5
    table kept on the connection (created once, so a keystroke changes no schema) and
    emptied before returning. The temp database is plaintext, so it must be in memory:
    a connection whose temporary tables would go to a file is refused.
    """
    queued = conn.execute(f"SELECT {_HIT_COLUMNS}, r.deleted "
                          "FROM reindex_queue q JOIN records r ON r.rid = q.rid").fetchall()
    rids = [r[3] for r in queued]
    live = [r for r in queued if not r[6]]
    if not live:
        return rids, []
    if conn.execute("PRAGMA temp_store").fetchone()[0] != _MEMORY:
        raise RuntimeError("search needs temp_store = MEMORY: the queued text is plaintext")
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_queued USING fts5 "
                 f"(body, content = '', {_TOKENIZE})")
    try:
        conn.executemany("INSERT INTO temp.search_queued (rowid, body) VALUES (?, ?)",
                         [(r[3], body_of(r[0], long_text.values_of(conn, r, 3)) or "")
                          for r in live])
        found = {row[0] for row in conn.execute(
            "SELECT rowid FROM temp.search_queued WHERE search_queued MATCH ?", (query,))}
    finally:
        conn.execute("INSERT INTO temp.search_queued (search_queued) VALUES ('delete-all')")
    return rids, [r[:6] for r in live if r[3] in found]


# ---- snippets ------------------------------------------------------------------------------
def fold(word: str) -> str:
    """A token as the index compares it: case and diacritics removed."""
    if word.isascii():          # most words: the same, ~20x faster
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Terms:
    """The searched tokens, folded; the last one matches as a prefix."""

    whole: frozenset[str]
    prefix: str
    pattern: re.Pattern[str]
    lowered: re.Pattern[str]          # the same, in ASCII text lowercased (~5x faster)

    @classmethod
    def of(cls, text: str) -> _Terms:
        tokens = [fold(t) for t in _TOKEN.findall(text)] or [""]
        if len(tokens[-1]) < MIN_PREFIX:         # matched whole, as to_match_query asks
            tokens.append("")
        whole = [re.escape(t) for t in tokens[:-1]]
        alternatives = [f"{t}(?![^\\W_])" for t in whole]
        alternatives += [re.escape(tokens[-1])] if tokens[-1] else []
        pattern = re.compile(f"(?<![^\\W_])(?:{'|'.join(alternatives)})", re.IGNORECASE)
        lowered = re.compile("(?<![a-z0-9])(?:{})".format("|".join(
            [f"{t}(?![a-z0-9])" for t in whole] + ([re.escape(tokens[-1])] if tokens[-1] else []))))
        return cls(frozenset(tokens[:-1]), tokens[-1], pattern, lowered)

    def found_in(self, body: str) -> bool:
        """Every searched token is among the body's tokens (the last one as a prefix)."""
        tokens = set(_ASCII_TOKEN.findall(body.lower())) if body.isascii() \
            else {fold(t) for t in _TOKEN.findall(body)}
        return self.whole <= tokens and (not self.prefix
                                         or any(t.startswith(self.prefix) for t in tokens))

    def matches(self, token: str) -> bool:
        folded = fold(token)
        return folded in self.whole or (bool(self.prefix) and folded.startswith(self.prefix))


def _first_match(body: str, terms: _Terms) -> int:
    """Where the first matching token starts (0 when none is found cheaply)."""
    found = terms.lowered.search(body.lower()) if body.isascii() else terms.pattern.search(body)
    if found is not None:
        return found.start()
    # Accents differ between the query and the text: fold token by token, within bounds.
    for token in _TOKEN.finditer(body, 0, _FOLD_SCAN):
        if terms.matches(token.group()):
            return token.start()
    return 0


def _marked(body: str, start: int, end: int, terms: _Terms) -> set[int]:
    """Where the matching tokens of ASCII ``body[start:end]`` start (``start`` begins a
    token): one pass of the lowercased pattern, not a fold and test per token."""
    return {start + found.start() for found in terms.lowered.finditer(body[start:end].lower())}


def snippet(body: str, terms: _Terms) -> str:
    """About :data:`SNIPPET_TOKENS` tokens of ``body`` around the first match, matches in
    ``[`` ``]``, ``…`` where text was cut: the shape FTS5's snippet() gave. The work is
    bounded by the snippet's length, not the note's, whenever the words match as typed."""
    at = _first_match(body, terms)
    tokenizer = _ASCII_TOKEN if body.isascii() else _TOKEN
    for back in (_NEAR, _LOOK_BACK):         # tokens before it: near first, most often enough
        look_from = max(0, at - back)
        before = list(tokenizer.finditer(body, look_from, at))
        if look_from > 0 and before and before[0].start() == look_from:
            before = before[1:]              # may be the tail of a longer word
        if look_from == 0 or len(before) > _BEFORE:
            break
    cut_before = look_from > 0 or len(before) > _BEFORE
    chosen = before[-_BEFORE:] if _BEFORE else []
    after: list[re.Match[str]] = []
    following = tokenizer.finditer(body, at)
    for token in following:
        after.append(token)
        if len(chosen) + len(after) == SNIPPET_TOKENS:
            break
    tokens = chosen + after
    if not tokens:
        return body[:200]
    cut_after = next(following, None) is not None
    out = ["…" if cut_before else ""]
    position = tokens[0].start()
    marked = _marked(body, position, tokens[-1].end(), terms) if body.isascii() else \
        {token.start() for token in tokens if terms.matches(token.group())}
    for token in tokens:
        out.append(body[position:token.start()])
        word = token.group()
        out.append(f"[{word}]" if token.start() in marked else word)
        position = token.end()
    out.append("…" if cut_after else body[position:])
    return "".join(out)
