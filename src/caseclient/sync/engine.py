"""The sync engine: one round of handshake, push, pull (or resync) against the central system.

It follows sync-protocol.md step by step:

- handshake: the schema range (``UpgradeRequired`` outside it), the server's clock
  (a warning past 5 minutes; device clocks are display-only), the epoch and the
  wipe order;
- push: the outbox in wire ``seq`` order, in batches; a batch is marked
  ``sending`` (and numbered) in its own transaction *before* the request leaves,
  and its answers are written in one transaction after;
- pull: each page in short transactions, sized so each holds the write lock about
  ``WRITE_BUDGET`` (decision 0032, 0042), its ``next_cursor`` with the last; pending
  local edits stay on top of pulled changes (three-way merge in the store);
- ``410 resync_required`` or a new epoch: push first, then pull a full snapshot
  into staging and swap it in at once, keeping drafts and unsent work;
- wipe: push what can be pushed, erase the store, say so.

Network and server problems surface as ``SyncError`` subclasses; nothing local
is lost on any of them. Runs on one thread with its own store connection.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from caseclient import __version__
from caseclient.domain.canonical import JSONValue
from caseclient.errors import SyncError, UpgradeRequired
from caseclient.storage import outbox, reconcile, sync_state
from caseclient.storage.database import Sync
from caseclient.storage.outbox import Mutation, MutationState
from caseclient.storage.store import Store
from caseclient.sync.protocol import (
    SCHEMA_VERSION,
    Change,
    Handshake,
    PullResponse,
    PushResult,
    ResultKind,
    parse_handshake,
    parse_pull,
    parse_push,
)
from caseclient.sync.transport import IdempotencyMismatch, ResyncRequired, Transport

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
CLOCK_SKEW_WARNING = dt.timedelta(minutes=5)
MAX_STALLED_ROUNDS = 3
MAX_RESYNC_RESTARTS = 2
# Push answers written per local transaction: the UI thread's autosave waits for at most one
# such transaction, and a page of 500 took 100-300 ms (decision 0032).
WRITE_CHUNK = 100
# A pulled page's transactions are sized by time instead (decision 0042): each may hold the
# write lock about this long. An autosave waiting on it polls (SQLite's busy handler) at 18 and
# 33 ms, so it gets the lock by 33 ms and is done well under 50.
WRITE_BUDGET = 0.030
# Never fewer than the fixed 100 of before: under load most of a commit's time is the fsync,
# whatever it writes, so smaller ones would spare the UI thread little and multiply commits.
MIN_PULL_CHUNK, MAX_PULL_CHUNK = WRITE_CHUNK, 1_000
# Records a transaction stages during a reload (a plain table: a page of 500 was one before).
STAGE_CHUNK = 500


class SyncStopped(Exception):
    """Internal: the run was asked to stop (lock, quit) between two requests."""


@dataclass
class SyncReport:
    """What one run did, in counts (never case data)."""

    sent: int = 0                 # answered applied or duplicate
    conflicts: int = 0
    rejected: int = 0
    deferred: bool = False        # the server asked to retry later
    pulled: int = 0
    removed: int = 0              # records that left the caseload
    held_cases: int = 0           # deallocated cases kept for their unsent work
    resynced: bool = False
    wiped: bool = False
    erased_unsent: int = 0        # unsent items erased by a wipe order
    clock_skew_seconds: float = 0.0
    clock_warning: str | None = None
    waiting: int = 0
    needs_attention: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.sent} sent", f"{self.pulled} received", f"{self.waiting} waiting",
                 f"{self.needs_attention} need attention"]
        if self.resynced:
            parts.append("caseload reloaded")
        if self.held_cases:
            parts.append(f"{self.held_cases} case(s) no longer on your caseload kept for unsent work")
        if self.wiped:
            parts.append("this laptop's copy was erased as the central system asked")
        return ", ".join(parts) + "."


def _change_json(change: Change) -> dict[str, JSONValue]:
    return {"record_type": change.record_type, "record_id": change.record_id,
            "version": change.version, "deleted": change.deleted, "fields": dict(change.fields),
            "changed_by": change.changed_by,
            "changed_at": None if change.changed_at is None else change.changed_at.isoformat(),
            "reason": change.reason}


def _result_json(result: PushResult) -> dict[str, JSONValue]:
    return {"result": result.result.value, "version": result.version,
            "auto_merged": result.auto_merged, "reason": result.reason,
            "server_record": None if result.server_record is None else _change_json(result.server_record),
            "changed_by": result.changed_by,
            "changed_at": None if result.changed_at is None else result.changed_at.isoformat()}


@dataclass(frozen=True)
class _Page:
    """A pulled page ready to write: its changes in the order they are written, and each
    one's row as :func:`reconcile.insert_prepared` writes it if it is new here (None for a
    case leaving), worked out before any transaction."""

    response: PullResponse
    changes: tuple[Change, ...]
    rows: tuple[reconcile.NewRecord | None, ...]


def _prepared(response: PullResponse) -> _Page:
    """The page's rows worked out, grouped by their case in commit order within each case
    (decision 0038).

    Grouped, each chunk touches a few cases' stretch of the indexes keyed by case instead of
    one page of them for nearly every record, so a commit writes less (the benchmark caseload's
    first pull: 119 MB of pages written instead of 176). Only when the order cannot change what
    the page leaves behind: every record at most once, and no case leaving the caseload in it.
    """
    changes = response.changes
    rows = tuple(None if c.is_deallocation else reconcile.new_record(
        c.record_type, c.record_id, c.version, c.deleted, c.fields) for c in changes)
    cases = [row.case_id or "" for row in rows if row is not None]
    if len(cases) != len(rows) or len({(c.record_type, c.record_id) for c in changes}) != len(changes):
        return _Page(response, changes, rows)
    order = sorted(range(len(changes)), key=cases.__getitem__)
    return _Page(response, tuple(changes[n] for n in order), tuple(rows[n] for n in order))


def next_chunk(size: int, held: float, budget: float = WRITE_BUDGET) -> int:
    """How many records the next transaction takes, after ``size`` held the lock ``held``
    seconds: as many as fit the budget at that rate, at most twice as many as before."""
    fit = 2 * size if held <= 0 else int(size * budget / held)
    return max(MIN_PULL_CHUNK, min(MAX_PULL_CHUNK, 2 * size, fit))


class SyncEngine:
    """Reconciles one store with one central system; one run at a time, on one thread."""

    def __init__(self, store: Store, transport: Transport, *, clock: Clock,
                 batch_size: int = 200, page_size: int = 500,
                 on_wipe: Callable[[], None] | None = None,
                 on_progress: Callable[[int], None] | None = None,
                 stopping: Callable[[], bool] = lambda: False,
                 timer: Callable[[], float] = time.perf_counter,
                 write_budget: float = WRITE_BUDGET) -> None:
        self._store = store
        self._transport = transport
        self._clock = clock
        self._batch_size = batch_size
        self._page_size = page_size
        self._on_wipe = on_wipe
        self._on_progress = on_progress
        self._stopping = stopping
        self._timer = timer
        self._write_budget = write_budget
        self._chunk = WRITE_CHUNK           # records in the next pulled transaction

    # ---- one run -----------------------------------------------------------------------------
    def run(self) -> SyncReport:
        report = SyncReport()
        hello = self.handshake(report)
        if hello.wipe:
            self._wipe(report)
            return report
        known = self.state().epoch
        if self._stopping():
            return report
        if known is not None and known != hello.epoch:
            log.info("the central system's epoch changed: reloading the caseload")
            self.resync(report)
        else:
            self.push(report)
            try:
                self.pull(report)
            except ResyncRequired:
                self.resync(report)
        with self._store.db.transaction() as conn:
            reconcile.release_held(conn, self._clock())
            report.held_cases = len(reconcile.held_cases(conn))
            sync_state.set_last_sync(conn, self._clock())
        self._count(report)
        return report

    def state(self) -> sync_state.SyncState:
        return sync_state.read(self._store.db.raw)

    def _count(self, report: SyncReport) -> None:
        counts = self._store.outbox_counts()
        report.waiting = sum(counts.get(s, 0) for s in outbox.WAITING)
        report.needs_attention = sum(counts.get(s, 0) for s in outbox.NEEDS_ATTENTION)

    # ---- handshake ---------------------------------------------------------------------------
    def handshake(self, report: SyncReport | None = None) -> Handshake:
        hello = parse_handshake(self._transport.call("POST", "/sync/handshake",
                                                     body={"app_version": __version__}))
        if not hello.min_schema <= SCHEMA_VERSION <= hello.max_schema:
            raise UpgradeRequired()
        skew = hello.server_time - self._clock()
        with self._store.db.transaction() as conn:
            sync_state.set_clock_skew(conn, skew.total_seconds())
        self._store.set_officer(hello.officer)      # written only when it changed (e.g. a new grade)
        if report is not None:
            report.clock_skew_seconds = skew.total_seconds()
            if abs(skew) > CLOCK_SKEW_WARNING:
                minutes = round(abs(skew).total_seconds() / 60)
                report.clock_warning = (
                    f"This laptop's clock is about {minutes} minutes "
                    f"{'behind' if skew > dt.timedelta(0) else 'ahead of'} the central system. "
                    "Your work is still sent in the right order; ask IT support to correct the clock.")
        return hello

    # ---- push --------------------------------------------------------------------------------
    def push(self, report: SyncReport | None = None) -> SyncReport:
        """Offer the outbox until it is empty, the server defers, or no progress is made."""
        report = report if report is not None else SyncReport()
        stalled = 0
        while stalled < MAX_STALLED_ROUNDS and not self._stopping():
            with self._store.db.transaction() as conn:
                batch = outbox.next_batch(conn, self._batch_size)
                if not batch:
                    break
                batch = outbox.mark_batch_sending(conn, batch, self._clock())
            progressed, stop = self._send(batch, report)
            stalled = 0 if progressed else stalled + 1
            if stop:
                break
        return report

    def _send(self, batch: list[Mutation], report: SyncReport) -> tuple[bool, bool]:
        """One push request. Returns (progress made, stop pushing for this run)."""
        ids = [m.mutation_id for m in batch]
        try:
            body = self._transport.call("POST", "/sync/push",
                                        body={"mutations": [m.wire() for m in batch]})
            response = parse_push(body, ids)
        except IdempotencyMismatch as mismatch:
            return self._mismatch(batch, mismatch, report), False
        except BaseException:
            # Unknown whether it arrived: offer it again later; the ledger dedupes.
            with self._store.db.transaction() as conn:
                reconcile.retry_later(conn, ids, self._clock())
            raise
        results = list(response.results)
        stop = False
        # Answers in short transactions; one applied twice after a crash is answered again
        # by the ledger (its mutation is still 'sending', so it is re-sent).
        for start in range(0, len(results), WRITE_CHUNK):
            with self._store.db.transaction() as conn:
                stop = self._answer(conn, batch[start:start + WRITE_CHUNK],
                                    results[start:start + WRITE_CHUNK], report) or stop
        with self._store.db.transaction() as conn:
            # whatever the server did not answer goes back to waiting, numbers kept
            reconcile.retry_later(conn, [m.mutation_id for m in batch[len(results):]], self._clock())
            fixed = response.expected_seq is not None and self._expected(
                conn, batch, len(results), response.expected_seq)
        return bool(results) or fixed, stop

    def _apply_results(self, conn: Any, batch: list[Mutation], results: list[PushResult],
                       report: SyncReport) -> bool:
        stop = self._answer(conn, batch, results, report)
        # whatever the server did not answer goes back to waiting, numbers kept
        reconcile.retry_later(conn, [m.mutation_id for m in batch[len(results):]], self._clock())
        return stop

    def _answer(self, conn: Any, batch: list[Mutation], results: list[PushResult],
                report: SyncReport) -> bool:
        """Write the answers to the first ``len(results)`` of ``batch``. True: stop pushing."""
        now = self._clock()
        stop = False
        accepted = [reconcile.Accepted(m, MutationState(r.result.value), r.version, r.auto_merged,
                                       _result_json(r))
                    for m, r in zip(batch, results, strict=False)
                    if r.result in (ResultKind.APPLIED, ResultKind.DUPLICATE)]
        if len(accepted) == min(len(batch), len(results)) and \
                len({(a.mutation.record_type, a.mutation.record_id) for a in accepted}) == len(accepted):
            # every answer accepted, one per record: written together (the usual push)
            reconcile.accept_many(conn, accepted, now)
            report.sent += len(accepted)
            return False
        for mutation, result in zip(batch, results, strict=False):
            answer = _result_json(result)
            if result.result in (ResultKind.APPLIED, ResultKind.DUPLICATE):
                reconcile.accept(conn, mutation, MutationState(result.result.value),
                                 version=result.version, auto_merged=result.auto_merged,
                                 result=answer, now=now)
                report.sent += 1
            elif result.result is ResultKind.CONFLICT:
                reconcile.conflict(conn, self._store.records, mutation, answer, now)
                report.conflicts += 1
            elif result.result is ResultKind.REJECTED:
                reconcile.reject(conn, mutation, answer, now)
                report.rejected += 1
            else:
                reconcile.retry_later(conn, [mutation.mutation_id], now)
                report.deferred = stop = True
        return stop

    def _expected(self, conn: Any, batch: list[Mutation], answered: int, expected: int) -> bool:
        """The server stopped at a gap: it expects ``expected`` next. True when fixed here."""
        unanswered = batch[answered:]
        first = unanswered[0].wire_seq if unanswered else None
        if first is None or expected >= first:
            return False
        if outbox.requeue_from(conn, expected, first):
            log.info("the central system lost answers from %d on: offering them again", expected)
            return True
        log.info("renumbering %d unsent mutations from %d", len(unanswered), expected)
        outbox.renumber(conn, [m.mutation_id for m in unanswered], expected)
        return True

    def _mismatch(self, batch: list[Mutation], mismatch: IdempotencyMismatch,
                  report: SyncReport) -> bool:
        """409: answers before the mismatched one stand; that one needs the officer; the rest wait."""
        ids = [m.mutation_id for m in batch]
        try:
            earlier = parse_push({"results": mismatch.results, "last_applied_seq": 0}, ids).results
        except SyncError:
            earlier = ()
        with self._store.db.transaction() as conn:
            self._apply_results(conn, batch, list(earlier), report)
            for mutation in batch[len(earlier):]:
                if mutation.mutation_id == mismatch.mutation_id:
                    reconcile.reject(conn, mutation, {
                        "result": "rejected", "reason":
                        "The central system already holds a different version of this change."},
                        self._clock())
                    report.rejected += 1
        return True

    # ---- pull --------------------------------------------------------------------------------
    def _fetch(self, cursor: str | None) -> Any:
        """One pull page's body, as the transport decoded it (not yet checked)."""
        params: dict[str, Any] = {"limit": self._page_size}
        if cursor is not None:
            params["cursor"] = cursor
        return self._transport.call("GET", "/sync/pull", params=params)

    def _page(self, cursor: str | None) -> PullResponse:
        return parse_pull(self._fetch(cursor))

    def _ready(self, cursor: str | None) -> _Page:
        """One page fetched, checked and its rows worked out (on the helper thread)."""
        return _prepared(self._page(cursor))

    def pull(self, report: SyncReport | None = None) -> SyncReport:
        """Pull pages until the server has no more; each page lands with its cursor.

        The next page is asked for (on a helper thread) while this one is written: the
        server's work, the transfer and working out its rows overlap the local writes
        instead of adding to them.
        Only that thread uses the transport meanwhile, and it is waited for before this
        returns or raises; a page is written only after the one before it, and its fetch
        failing surfaces only after the page before it has landed, as when fetched in turn.
        """
        report = report if report is not None else SyncReport()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="caseclient-pull") as fetcher:
            page = self._ready(self.state().cursor)
            while True:
                ahead = fetcher.submit(self._ready, page.response.next_cursor) \
                    if page.response.has_more and not self._stopping() else None
                self._write_page(page, report)
                if ahead is None or self._stopping():
                    return report
                page = ahead.result()

    def _write_page(self, page: _Page, report: SyncReport) -> None:
        """In short transactions, the cursor with the last: a crash before it re-pulls the
        page, and records already written are taken again unchanged (decision 0032). Each
        transaction takes as many records as the last ones' pace fits in the write budget
        (decision 0042), timed from after the lock is taken to after the commit."""
        start, count = 0, len(page.changes)
        while True:
            end = min(count, start + self._chunk)
            with self._store.db.transaction(sync=Sync.REFETCH) as conn:     # fetched again if lost
                began = self._timer()
                self._apply_page(conn, page.changes[start:end], page.rows[start:end], report)
                if end == count:
                    sync_state.set_cursor(conn, page.response.next_cursor, page.response.epoch)
            if end > start:
                self._chunk = next_chunk(end - start, self._timer() - began, self._write_budget)
            if end == count:
                break
            start = end
        report.pulled += count
        if self._on_progress is not None:
            self._on_progress(report.pulled)

    def _apply_page(self, conn: Any, changes: tuple[Change, ...],
                    rows: tuple[reconcile.NewRecord | None, ...], report: SyncReport) -> None:
        """Part of a page, in order, ``rows`` as :func:`_prepared` worked them out. Records new
        to this device are written together."""
        now = self._clock()
        local = reconcile.local_versions(conn, [(c.record_type, c.record_id) for c in changes])
        same = reconcile.held_already(conn, [
            (c.record_type, c.record_id, c.version, c.deleted, c.fields) for c in changes
            if local.get((c.record_type, c.record_id)) == c.version and not c.is_deallocation])
        fresh: dict[tuple[str, str], reconcile.NewRecord] = {}
        for change, row in zip(changes, rows, strict=True):
            key = (change.record_type, change.record_id)
            if row is None:         # a case leaving (Change.is_deallocation)
                reconcile.insert_prepared(conn, list(fresh.values()), now)
                fresh.clear()
                removed, _kept = reconcile.deallocate(conn, change.record_id, now)
                same.clear()        # what it removed is no longer held
                report.removed += removed
                continue
            if key not in local or key in fresh:
                fresh[key] = row
                local[key] = change.version
                continue
            version = local[key]
            if version is not None and change.version < version:
                continue        # older than what this device already holds
            if key in same:
                same.discard(key)   # held exactly so (a later copy in the page is taken as usual)
                if change.record_type == "case" and not change.deleted:
                    reconcile.unhold(conn, change.record_id)
                continue
            self._store.records.apply_server_record(
                conn, record_type=change.record_type, record_id=change.record_id,
                version=change.version, fields=change.fields, deleted=change.deleted,
                changed_by=change.changed_by)
            if change.record_type == "case" and not change.deleted:
                reconcile.unhold(conn, change.record_id)
        reconcile.insert_prepared(conn, list(fresh.values()), now)

    # ---- resync ------------------------------------------------------------------------------
    def resync(self, report: SyncReport | None = None) -> SyncReport:
        """Push first, then pull a full snapshot into staging and swap it in at once."""
        report = report if report is not None else SyncReport()
        self.push(report)
        for _attempt in range(MAX_RESYNC_RESTARTS + 1):
            with self._store.db.transaction() as conn:
                sync_state.clear_staging(conn)
            try:
                cursor, epoch, count = self._snapshot()
            except ResyncRequired:
                continue      # the epoch moved again mid-snapshot: start over
            except SyncStopped:
                return report  # the staged pages are dropped; the next run starts the reload again
            with self._store.db.transaction() as conn:
                _applied, removed = reconcile.swap_snapshot(conn, self._store.records, self._clock())
                sync_state.set_cursor(conn, cursor, epoch)
            report.pulled += count
            report.removed += removed
            report.resynced = True
            return report
        raise ResyncRequired(None)

    def _snapshot(self) -> tuple[str, str, int]:
        cursor: str | None = None
        count = 0
        while True:
            page = self._page(cursor)
            staged = [sync_state.StagedRecord(c.record_type, c.record_id, c.version, c.deleted,
                                              c.fields, c.changed_by)
                      for c in page.changes if not c.is_deallocation]
            # Nothing reads the staging table before the swap (and each attempt empties it
            # first), so a page goes in in a few short transactions, none needing the disk
            # before the next (a page lost to a power cut is pulled again: decision 0045).
            for start in range(0, len(staged), STAGE_CHUNK):
                with self._store.db.transaction(sync=Sync.REFETCH) as conn:
                    sync_state.stage(conn, staged[start:start + STAGE_CHUNK])
            count += len(page.changes)
            if self._on_progress is not None:
                self._on_progress(count)
            cursor = page.next_cursor
            if not page.has_more:
                return cursor, page.epoch, count
            if self._stopping():
                raise SyncStopped()

    # ---- wipe --------------------------------------------------------------------------------
    def _wipe(self, report: SyncReport) -> None:
        """Push what can be pushed, then erase everything local, and say so."""
        try:
            self.push(report)
        except SyncError as error:
            log.info("push before wipe stopped: %s", type(error).__name__)
        self._count(report)
        report.erased_unsent = report.waiting + report.needs_attention
        with self._store.db.transaction() as conn:
            sync_state.erase_everything(conn)
        report.wiped = True
        report.waiting = report.needs_attention = 0
        report.notes.append("The central system asked for this laptop's copy to be erased; it has been.")
        if self._on_wipe is not None:
            self._on_wipe()
