"""``GET /sync/pull``: the latest state of every record changed since the cursor, in
commit order, for the caller's caseload only.

Each item has a position (sequence, type rank, record id):
- a case record or its child: the later of its last commit and the commit that gave
  the caller the case — so a newly allocated case arrives whole, and a record edited
  several times arrives once, in its latest state;
- a reference list entry: its last commit;
- a "deallocated" tombstone: the commit that took the case away, while the caller
  does not hold it.
Only positions up to the committed counter W are served, read in one snapshot, and
the cursor never passes W, so a transaction that commits late cannot be skipped
(decision 0010).

How a page stays bounded work (decision 0036): a case record's position is the later
of two numbers, which no index can order, so the caseload is read as two lists that
indexes can serve and that together hold each record exactly once —

- *granted*: records committed at or before their case's grant (position = the grant),
  read grant by grant (``ix_case_access_staff``). A grant of many cases at once (a bulk
  load, a team's allocation) is read in type-rank and id order from ``ix_records_rank``
  through a window of a few pages' worth of index entries; a small grant, or one the
  window does not fill, is read through ``ix_records_case_seq`` and sorted;
- *edited*: records committed after both their case's grant and the cursor (position =
  their commit), read per held case from ``ix_records_case_seq``.

A page is returned as JSON text built from the stored canonical JSON of each record's
fields (never decoded and encoded again): :class:`PulledPage`.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)

from caseserver.db.engine import Database, DriverStatement
from caseserver.db.tables import access_revocations, case_access, commit_counter, meta, records
from caseserver.errors import ApiError
from caseserver.officers import Officer
from caseserver.records import TYPE_RANK
from caseserver.sync import cursor as cursors
from caseserver.sync.cursor import END_RANK, START, Position

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000
# A grant of at least this many cases is read through the type-rank index window.
BULK_GRANT_CASES = 8
# The window: how many index entries per wanted record a bulk grant's read may visit
# before it falls back to reading the grant's records and sorting them.
WINDOW_FACTOR = 8

# One page's items: (position as a plain (seq, rank, record_id) tuple, which orders as
# Position does and costs less to make, the change's JSON text).
Item = tuple[tuple[int, int, str], str]

# Built once: building a statement costs more than running it. Run on the driver's cursor
# (decision 0037): SQLAlchemy's execution and row set-up cost more than SQLite's work here.
# The cursor's position, compared as a row value: (seq, type rank, record id) > _AFTER.
_AFTER = tuple_(bindparam("seq"), bindparam("rank"), bindparam("record_id"))
_META = DriverStatement(select(meta.c.key, meta.c.value))
_WATERMARK = DriverStatement(select(commit_counter.c.value).where(commit_counter.c.id == 1))
# (type rank, then what change_json takes)
_COLUMNS = (records.c.type_rank, records.c.record_id, records.c.record_type, records.c.version,
            records.c.deleted, records.c.fields, records.c.changed_by, records.c.changed_at)

# The caller's grants from the cursor's sequence up to W, in grant order.
_GRANTS = DriverStatement(select(case_access.c.granted_seq, case_access.c.case_id)
           .where(case_access.c.staff_code == bindparam("staff"),
                  case_access.c.granted_seq >= bindparam("seq"),
                  case_access.c.granted_seq <= bindparam("watermark"))
           .order_by(case_access.c.granted_seq, case_access.c.case_id))

# Granted records of the grants in [low, high], after the cursor, sorted (per grant).
_GRANTED_SORTED = DriverStatement(
    select(case_access.c.granted_seq, *_COLUMNS)
    .select_from(case_access.join(records, and_(records.c.case_id == case_access.c.case_id,
                                                records.c.commit_seq <= case_access.c.granted_seq)))
    .where(case_access.c.staff_code == bindparam("staff"),
           case_access.c.granted_seq >= bindparam("low"),
           case_access.c.granted_seq <= bindparam("high"),
           tuple_(case_access.c.granted_seq, records.c.type_rank, records.c.record_id) > _AFTER)
    .order_by(case_access.c.granted_seq, records.c.type_rank, records.c.record_id)
    .limit(bindparam("limit")))

# Where a window of ``window`` entries of the type-rank index after (rank, record_id) ends
# (no row: the index ends first)...
_WINDOW_END = DriverStatement(select(records.c.type_rank, records.c.record_id)
               .where(tuple_(records.c.type_rank, records.c.record_id)
                      > tuple_(bindparam("rank"), bindparam("record_id")))
               .order_by(records.c.type_rank, records.c.record_id)
               .offset(bindparam("window")).limit(1))
# ...and the index's records in it (from after (rank, record_id) up to the window's end).
_RANK_RANGE = DriverStatement(
    select(records.c.case_id, records.c.commit_seq, *_COLUMNS)
    .where(tuple_(records.c.type_rank, records.c.record_id)
           > tuple_(bindparam("rank"), bindparam("record_id")),
           tuple_(records.c.type_rank, records.c.record_id)
           <= tuple_(bindparam("end_rank"), bindparam("end_record_id")))
    .order_by(records.c.type_rank, records.c.record_id)
    .limit(bindparam("limit")))

# The same from after (rank, record_id) with no end: a bulk grant's first read, which fills
# the page when the grant holds every record there (then no window end is needed).
_RANK_FROM = DriverStatement(
    select(records.c.case_id, records.c.commit_seq, *_COLUMNS)
    .where(tuple_(records.c.type_rank, records.c.record_id)
           > tuple_(bindparam("rank"), bindparam("record_id")))
    .order_by(records.c.type_rank, records.c.record_id)
    .limit(bindparam("limit")))

# Records edited after their case's grant: those committed after the cursor's sequence...
_EDITED_LATER = DriverStatement(
    select(records.c.commit_seq, *_COLUMNS)
    .select_from(case_access.join(records, and_(
        records.c.case_id == case_access.c.case_id,
        records.c.commit_seq > case((case_access.c.granted_seq > bindparam("seq"), case_access.c.granted_seq),
                                    else_=bindparam("seq")))))
    .where(case_access.c.staff_code == bindparam("staff"),
           # Implied (``floor`` is at most any held case's bound); lets PostgreSQL estimate the rows.
           records.c.commit_seq > bindparam("floor"),
           records.c.commit_seq <= bindparam("watermark"))
    .order_by(records.c.commit_seq, records.c.type_rank, records.c.record_id)
    .limit(bindparam("limit")))
# The list's lowest bound, ``floor``: the later of the cursor's sequence and the caller's
# earliest grant (every held case's bound is at least that)...
_FIRST_GRANT = DriverStatement(select(func.min(case_access.c.granted_seq))
                               .where(case_access.c.staff_code == bindparam("staff")))
# ...and whether any record at all was committed after it (``ix_records_seq``, one seek): when
# none was, the list above is empty and its per-case read is not run (every page of a first pull
# of a caseload not edited since it was granted; on the first page, with the cursor's sequence 0
# as the bound, SQLite read every record of every held case there).
_ANY_LATER = DriverStatement(select(literal(1)).select_from(records)
                             .where(records.c.commit_seq > bindparam("floor"),
                                    records.c.commit_seq <= bindparam("watermark"))
                             .limit(1))
# ...and those committed at the cursor's sequence, after the cursor. (Two statements: with one
# bound on the commit, PostgreSQL's planner could not estimate the rows and read every record.)
_EDITED_AT_CURSOR = DriverStatement(
    select(records.c.commit_seq, *_COLUMNS)
    .select_from(case_access.join(records, and_(records.c.case_id == case_access.c.case_id,
                                                records.c.commit_seq == bindparam("seq"))))
    .where(case_access.c.staff_code == bindparam("staff"),
           case_access.c.granted_seq < bindparam("seq"),   # the commit is later than the grant
           # Not a row value: PostgreSQL estimates one by its first column alone (type_rank > rank:
           # next to nothing) and then read the whole type-rank index for it.
           or_(records.c.type_rank > bindparam("rank"),
               and_(records.c.type_rank == bindparam("rank"), records.c.record_id > bindparam("record_id"))))
    .order_by(records.c.type_rank, records.c.record_id)
    .limit(bindparam("limit")))

_REFERENCES = DriverStatement(
    select(records.c.commit_seq, *_COLUMNS)
    .where(records.c.case_id.is_(None), records.c.commit_seq >= bindparam("seq"),
           records.c.commit_seq <= bindparam("watermark"),
           tuple_(records.c.commit_seq, records.c.type_rank, records.c.record_id) > _AFTER)
    .order_by(records.c.commit_seq, records.c.type_rank, records.c.record_id)
    .limit(bindparam("limit")))

_CASE_RANK = TYPE_RANK["case"]
_TOMBSTONES = DriverStatement(
    select(access_revocations.c.revoked_seq, access_revocations.c.case_id, records.c.version,
           records.c.changed_by, records.c.changed_at)
    .join(records, records.c.record_id == access_revocations.c.case_id)
    .where(access_revocations.c.staff_code == bindparam("staff"),
           ~exists().where(case_access.c.case_id == access_revocations.c.case_id,
                           case_access.c.staff_code == bindparam("staff")),
           access_revocations.c.revoked_seq >= bindparam("seq"),
           access_revocations.c.revoked_seq <= bindparam("watermark"),
           tuple_(access_revocations.c.revoked_seq, literal(_CASE_RANK), access_revocations.c.case_id)
           > _AFTER)
    .order_by(access_revocations.c.revoked_seq, access_revocations.c.case_id)
    .limit(bindparam("limit")))


_text = encode_basestring        # a JSON string as ApiJSONResponse writes it (non-ASCII as it is)
_TYPE_TEXT = {record_type: _text(record_type) for record_type in TYPE_RANK}
# A change's text up to its record id's value, by record type.
_OPENING = {record_type: f'{{"record_type":{text},"record_id":' for record_type, text in _TYPE_TEXT.items()}


def change_json(record: Sequence[Any]) -> str:
    """The wire "change" of sync-protocol.md as JSON text, from (record_id, record_type, version,
    deleted, fields, changed_by, changed_at) — ``fields`` being the stored canonical JSON text,
    put in as it is."""
    record_id, record_type, version, deleted, fields_json, changed_by, changed_at = record
    return (f'{_OPENING.get(record_type) or _opening(record_type)}{_text(record_id)},'
            f'"version":{int(version)},"deleted":{"true" if deleted else "false"},"fields":{fields_json},'
            f'"changed_by":{_text(changed_by)},"changed_at":{_text(changed_at)}}}')


def _opening(record_type: str) -> str:
    return f'{{"record_type":{_text(record_type)},"record_id":'


@dataclass(frozen=True)
class PulledPage:
    """One pull answer: its changes as JSON texts, and the rest of the body."""

    changes: Sequence[str]
    next_cursor: str
    has_more: bool
    epoch: str
    body: bytes | None = field(default=None, repr=False, compare=False)   # json_bytes(), made already

    def json_bytes(self) -> bytes:
        """The ``PullResponse`` body (UTF-8 JSON, the same bytes ``ApiJSONResponse`` writes)."""
        if self.body is not None:
            return self.body
        text = (f'{{"changes":[{",".join(self.changes)}],"next_cursor":{_text(self.next_cursor)},'
                f'"has_more":{"true" if self.has_more else "false"},"epoch":{_text(self.epoch)}}}')
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:   # a lone surrogate (never stored): ASCII escapes, as ApiJSONResponse
            return json.dumps(json.loads(text), ensure_ascii=True, allow_nan=False,
                              separators=(",", ":")).encode("ascii")


@dataclass(frozen=True)
class _Computed:
    """A page and the state it was read in: (epoch, cursor key, committed counter W)."""

    page: PulledPage
    state: tuple[str, str, int]


class _ReadAhead:
    """Next pages being read in the background, by (staff code, cursor, limit).

    A page read ahead is the answer the request would have had then; it is served only when
    the epoch, the cursor key and the committed counter are still what they were when it was
    read. Every write transaction moves the counter (decision 0010), so nothing a pull reads has
    changed: the page is the very answer reading it now would give. One thread, a few pages
    held; one that a request finds not yet started is dropped and the page read there and then.
    When most pages read ahead lately were of no use (commits between a client's pages on a busy
    system), reading ahead pauses for a while, so that it does not double the pulls' work.
    """

    HELD = 8                 # pages held (each up to MAX_LIMIT changes)
    WINDOW = 16              # the last read-aheads judged...
    PAUSE = 64               # ...and, when most were wasted, how many pages go without

    def __init__(self, compute: Callable[[str, str | None, int], _Computed]) -> None:
        self._compute = compute
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="caseserver-pull-ahead")
        self._lock = threading.Lock()
        self._pending: OrderedDict[tuple[str, str, int], Future[_Computed]] = OrderedDict()
        self._used = 0
        self._wasted = 0
        self._paused = 0
        self._closed = False
        self.served = 0          # pages served from reading ahead, since the start

    def start(self, key: tuple[str, str, int]) -> None:
        with self._lock:
            if self._closed or key in self._pending:
                return
            if self._paused:
                self._paused -= 1
                return
            self._pending[key] = self._pool.submit(self._compute, *key)
            while len(self._pending) > self.HELD:
                self._pending.popitem(last=False)[1].cancel()

    def take(self, key: tuple[str, str, int]) -> _Computed | None:
        """The page read ahead for ``key`` (waiting for it if it is being read), or None."""
        with self._lock:
            future = self._pending.pop(key, None)
        if future is None or future.cancel():       # not started: cheaper to read it here
            return None
        try:
            return future.result()
        except Exception:                            # noqa: BLE001 - the request reads it itself
            return None

    def wait(self) -> None:
        """Until the pages being read ahead are read."""
        with self._lock:
            pending = list(self._pending.values())
        wait_for(pending)

    def count(self, *, used: bool) -> None:
        with self._lock:
            self.served += used
            if used:
                self._used += 1
            else:
                self._wasted += 1
            if self._used + self._wasted >= self.WINDOW:
                if self._wasted > self._used:
                    self._paused = self.PAUSE
                self._used = self._wasted = 0

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pending, self._pending = list(self._pending.values()), OrderedDict()
        for future in pending:
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)


class PullService:
    """Pull pages; with ``read_ahead``, the next page of a pull that has more can be read in the
    background while the caller takes this one (:meth:`read_ahead`), and is served if nothing was
    committed in between (decision 0043)."""

    def __init__(self, db: Database, *, read_ahead: bool = True) -> None:
        self._db = db
        self._ahead = _ReadAhead(self._computed_ahead) if read_ahead else None

    def close(self) -> None:
        """Stop reading ahead (before the database closes)."""
        if self._ahead is not None:
            self._ahead.close()

    @property
    def served_ahead(self) -> int:
        """Pages served from reading ahead, since the start."""
        return 0 if self._ahead is None else self._ahead.served

    def wait_ahead(self) -> None:
        """Until the pages being read ahead are read (for tests)."""
        if self._ahead is not None:
            self._ahead.wait()

    def epoch(self) -> str:
        with self._db.read() as conn:
            return self._meta(conn)[0]

    @staticmethod
    def _meta(conn: Connection) -> tuple[str, str]:
        values = dict(_META.all(conn, {}))
        return values["epoch"], values["cursor_key"]

    def pull(self, officer: Officer, cursor: str | None, limit: int) -> PulledPage:
        staff = officer.staff_code
        page = None
        if self._ahead is not None and cursor is not None:
            ready = self._ahead.take((staff, cursor, limit))
            if ready is not None:
                with self._db.read() as conn:      # served only if nothing was committed since
                    now = (*self._meta(conn), int(_WATERMARK.all(conn, {})[0][0]))
                page = ready.page if ready.state == now else None
                self._ahead.count(used=page is not None)
        if page is None:
            page = self._computed(staff, cursor, limit).page
        return page

    def read_ahead(self, officer: Officer, page: PulledPage, limit: int) -> None:
        """Start reading the page after ``page`` (when it has more), for the request that will ask
        for it. The API calls it once the page has been handed to the connection, so that the read
        does not compete with sending it."""
        if self._ahead is not None and page.has_more:
            self._ahead.start((officer.staff_code, page.next_cursor, limit))

    def _computed_ahead(self, staff: str, cursor: str | None, limit: int) -> _Computed:
        """:meth:`_computed` with the page's body made there too, off the request's path."""
        computed = self._computed(staff, cursor, limit)
        return replace(computed, page=replace(computed.page, body=computed.page.json_bytes()))

    def _computed(self, staff: str, cursor: str | None, limit: int) -> _Computed:
        with self._db.read() as conn:
            epoch, key = self._meta(conn)
            if cursor is None:
                after = START
            else:
                decoded = cursors.decode(key, cursor, epoch=epoch, staff_code=staff)
                if decoded is None:
                    raise ApiError(410, "resync_required", "Your copy of the caseload must be reloaded.",
                                   extra={"epoch": epoch})
                after = decoded
            watermark = int(_WATERMARK.all(conn, {})[0][0])
            params = {"staff": staff, "seq": after.seq, "rank": after.rank,
                      "record_id": after.record_id, "watermark": watermark, "limit": limit + 1}
            first_grant = _FIRST_GRANT.all(conn, params)[0][0]
            params["floor"] = after.seq if first_grant is None else max(after.seq, int(first_grant))
            granted = self._granted(conn, params, after, limit + 1)
            edited = self._items(_EDITED_AT_CURSOR.all(conn, params))
            if _ANY_LATER.first(conn, params) is not None:
                edited += self._items(_EDITED_LATER.all(conn, params))
            references = self._items(_REFERENCES.all(conn, params))
            tombstones = self._tombstones(conn, params)
        if edited or references or tombstones:
            page = list(itertools.islice(heapq.merge(granted, edited, references, tombstones,
                                                     key=lambda item: item[0]), limit + 1))
        else:
            page = granted[:limit + 1]      # already in position order
        has_more = len(page) > limit
        page = page[:limit]
        last = Position(*page[-1][0]) if has_more else Position(watermark, END_RANK, "")
        return _Computed(PulledPage([change for _, change in page],
                                    cursors.encode(key, epoch=epoch, staff_code=staff, position=last),
                                    has_more, epoch), (epoch, key, watermark))

    @staticmethod
    def _items(rows: Sequence[Any], seq: int | None = None) -> list[Item]:
        """Items from rows of (position seq unless ``seq`` is given,) *_COLUMNS."""
        out: list[Item] = []
        append = out.append
        if seq is None:
            for row in rows:
                append(((int(row[0]), int(row[1]), row[2]), change_json(row[2:])))
        else:
            for row in rows:
                append(((seq, int(row[0]), row[1]), change_json(row[1:])))
        return out

    def _granted(self, conn: Connection, params: dict[str, Any], after: Position, wanted: int) -> list[Item]:
        """Records at the position of their case's grant, after ``after``: the first ``wanted``."""
        groups: list[tuple[int, set[str]]] = []      # (grant, the cases granted then), in grant order
        for granted_seq, case_id in _GRANTS.all(conn, params):
            grant = int(granted_seq)
            if grant == after.seq and after.rank >= END_RANK:
                continue                             # that grant was delivered whole
            if groups and groups[-1][0] == grant:
                groups[-1][1].add(case_id)
            else:
                groups.append((grant, {case_id}))
        out: list[Item] = []
        index = 0
        while index < len(groups) and len(out) < wanted:
            grant, cases = groups[index]
            if len(cases) >= BULK_GRANT_CASES:
                out += self._bulk_grant(conn, params, after, groups[index], wanted - len(out))
                index += 1
                continue
            last = index                             # a run of small grants: one sorted read
            while last + 1 < len(groups) and len(groups[last + 1][1]) < BULK_GRANT_CASES:
                last += 1
            out += self._items(_GRANTED_SORTED.all(conn, {**params, "low": grant, "high": groups[last][0],
                                                           "limit": wanted - len(out)}))
            index = last + 1
        return out

    def _bulk_grant(self, conn: Connection, params: dict[str, Any], after: Position,
                    group: tuple[int, set[str]], wanted: int) -> list[Item]:
        """The first ``wanted`` records of one grant of many cases, in (type rank, id) order:
        read along the type-rank index, at most a window of it, keeping the grant's own."""
        grant, cases = group
        start = after if grant == after.seq else START
        values = {**params, "rank": start.rank, "record_id": start.record_id, "limit": wanted}
        found: list[Item] = []
        rows = _RANK_FROM.all(conn, values)        # the first ``wanted`` entries: all in the window
        self._keep(rows, grant, cases, found)
        if len(found) >= wanted or len(rows) < wanted:
            return found                             # a full page, or the index's end
        values["window"] = WINDOW_FACTOR * wanted
        end = _WINDOW_END.first(conn, values)
        values["end_rank"], values["end_record_id"] = (END_RANK, "") if end is None else (end[0], end[1])
        while len(found) < wanted:
            values["rank"], values["record_id"] = rows[-1][2], rows[-1][3]
            values["limit"] = wanted - len(found)
            rows = _RANK_RANGE.all(conn, values)
            self._keep(rows, grant, cases, found)
            if len(rows) < values["limit"]:
                break                                # the window is read to its end
        if len(found) >= wanted or end is None:
            return found                             # a full page, or the window reached the index's end
        # The grant's records are thin in the window: read them all and sort.
        return self._items(_GRANTED_SORTED.all(conn, {**params, "low": grant, "high": grant,
                                                       "limit": wanted}))

    @staticmethod
    def _keep(rows: Sequence[Any], grant: int, cases: set[str], found: list[Item]) -> None:
        """Of rows (case_id, commit_seq, *_COLUMNS) along the type-rank index, the grant's own."""
        append = found.append
        text = _text
        opening = _OPENING
        # change_json, inlined: this loop makes nearly every change of a first pull.
        for case_id, commit_seq, rank, record_id, record_type, version, deleted, fields, by, at in rows:
            if case_id in cases and commit_seq <= grant:
                append(((grant, int(rank), record_id),
                        f'{opening.get(record_type) or _opening(record_type)}{text(record_id)},'
                        f'"version":{int(version)},"deleted":{"true" if deleted else "false"},'
                        f'"fields":{fields},"changed_by":{text(by)},"changed_at":{text(at)}}}'))

    @staticmethod
    def _tombstones(conn: Connection, params: dict[str, Any]) -> list[Item]:
        out: list[Item] = []
        for revoked_seq, case_id, version, changed_by, changed_at in _TOMBSTONES.all(conn, params):
            change = {"record_type": "case", "record_id": case_id, "version": int(version), "deleted": True,
                      "fields": {}, "changed_by": changed_by, "changed_at": changed_at,
                      "reason": "deallocated"}
            out.append(((int(revoked_seq), _CASE_RANK, case_id),
                        json.dumps(change, ensure_ascii=False, allow_nan=False, separators=(",", ":"))))
        return out
