"""CaseloadService: the officer's cases, their summaries and search as you type.

Reads only; runs on the UI thread against the session's store. After a sync the
summaries can be worked out on a reader thread instead (:meth:`CaseloadService.refresh_soon`),
with a read-only connection of its own to the same file: worked out on the UI thread
they held it for ~150 ms after a first sync (docs/performance.md, "UI thread during sync").
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from caseclient.domain.records import Contact, Person, Register, RiskLevel
from caseclient.domain.reference import ReferenceData
from caseclient.services.clock import local_naive
from caseclient.services.sync import _emit
from caseclient.storage import search, summaries
from caseclient.storage.database import Database
from caseclient.storage.search import CaseOwners
from caseclient.storage.store import Store

log = logging.getLogger(__name__)

# A summary worked out on the reader thread is kept only when nothing was committed while it
# was read; after this many tries in a row that were overtaken, the UI thread works them out.
READER_TRIES = 3


@dataclass(frozen=True)
class CaseSummary:
    case_id: str
    crn: str
    name: str
    tier: str | None
    risk_level: RiskLevel | None
    next_appointment: dt.datetime | None
    needs_outcome: int
    unsent: int
    match: str | None = None      # search snippet, when found by search


@dataclass(frozen=True)
class _Remembered:
    """The summaries last worked out, and what they depend on."""

    store: Store
    key: tuple[object, ...]          # the store's change token and the minute
    now: dt.datetime
    exact: bool                      # they hold at ``now`` only, not the whole minute
    summaries: dict[str, CaseSummary]


class CaseloadService(QObject):
    _answered = Signal(object)          # _Answer, from the reader thread

    def __init__(self, store: Callable[[], Store], clock: Callable[[], dt.datetime],
                 parent: QObject | None = None, *,
                 reader: Callable[[], Callable[[], Database]] | None = None) -> None:
        """``reader``, called here when the reader thread starts (:meth:`refresh_soon`), gives
        what opens another connection to the store's file on that thread; without it the
        summaries are always worked out on this thread."""
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._remembered: _Remembered | None = None
        self._owners: tuple[Store, CaseOwners] | None = None    # each record's case, by rid
        self._reader_opener = reader
        self._reader: _Reader | None = None
        self._asked: _Asked | None = None
        self._waiting: list[Callable[[], None]] = []
        self._generation = 0               # moves on forget(): answers asked for before are dropped
        self._answered.connect(self._take_answer)

    def reference(self) -> ReferenceData:
        return _reference(self._store())

    def state(self) -> tuple[object, ...]:
        """Equal while the summaries cannot have changed: nothing committed to the store
        and the same minute (appointments become due as time passes)."""
        minute = local_naive(self._clock).replace(second=0, microsecond=0)
        return (*self._store().db.change_token(), minute)

    def cases(self) -> list[CaseSummary]:
        figures = self._figures()
        self._case_owners().refresh(self._store().db.raw)     # read now, not at the first keystroke
        return sorted(figures.values(), key=lambda s: (s.name.lower(), s.crn))

    def search(self, text: str) -> list[CaseSummary]:
        """Cases whose name or CRN, or one of whose contacts' notes, match ``text``."""
        self._figures()
        db = self._store().db
        before = db.change_token()
        found = search.find_cases(db.raw, text, self._case_owners())
        # Matching the note being typed into writes a temporary table (search._match_queued),
        # which moves this connection's total_changes; nothing was committed, so the figures
        # still hold. Another connection's commit meanwhile still moves data_version.
        kept = self._remembered
        if kept is not None and kept.key[:2] == before:
            self._remembered = replace(kept, key=(before[0], db.change_token()[1], *kept.key[2:]))
        return self._found(found)

    def _found(self, found: Iterable[tuple[str, str | None]]) -> list[CaseSummary]:
        """The summaries of the cases ``found`` (id, search snippet), in that order."""
        figures = self._figures()
        return [replace(figures[case_id], match=snippet) for case_id, snippet in found
                if case_id in figures]

    def forget(self) -> None:
        """Drop the remembered summaries and case owners (the session locks: no case data
        stays decoded); the reader thread closes its connection and ends, and what it was
        asked is dropped."""
        self._remembered = None
        self._owners = None
        self._generation += 1
        self._asked = None
        self._waiting = []
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.stop()

    def _case_owners(self) -> CaseOwners:
        """Each record's case by rid, for search: kept while the store is the same (search
        reads it again when records left or moved case)."""
        store = self._store()
        if self._owners is None or self._owners[0] is not store:
            self._owners = (store, CaseOwners())
        return self._owners[1]

    def refresh_soon(self, done: Callable[[], None]) -> None:
        """Call ``done`` on this thread once the summaries are remembered as they stand:
        at once when they are, else when the reader thread has worked them out.

        Then :meth:`cases` and :meth:`search` answer from them without reading the
        contacts. An answer is kept only if nothing was committed while it was read;
        after :data:`READER_TRIES` overtaken answers, or when the reader fails, ``done``
        is called anyway and the next :meth:`cases` works the summaries out here.
        Dropped when the session locks first."""
        if self._reader_opener is None or self._current():
            done()
            return
        self._waiting.append(done)
        if self._asked is None:
            self._ask(1)

    def start_reader(self) -> None:
        """Start the reader thread now, so that :meth:`refresh_soon` after the next sync
        does not wait for a thread to start (its connection opens at its first question)."""
        if self._reader_opener is not None and self._reader is None:
            self._reader = _Reader(self._reader_opener(), self._clock,
                                   lambda answer: _emit(self._answered, answer))

    def _current(self) -> bool:
        """Whether the remembered summaries hold now."""
        store = self._store()
        now = local_naive(self._clock)
        kept = self._remembered
        return kept is not None and kept.store is store \
            and kept.key == (*store.db.change_token(), now.replace(second=0, microsecond=0)) \
            and (not kept.exact or kept.now == now)

    def _ask(self, tries: int) -> None:
        assert self._reader_opener is not None
        store = self._store()
        # The token is read before the reader starts: an answer that arrives with the token
        # unchanged was read with nothing committed in between, so it is the store as it is.
        asked = _Asked(self._generation, store, store.db.change_token(), local_naive(self._clock), tries)
        self.start_reader()
        assert self._reader is not None
        self._asked = asked
        self._reader.ask(asked.generation, asked.now)

    def _take_answer(self, answer: _Answer) -> None:
        asked = self._asked
        if asked is None or answer.generation != self._generation:
            return                          # asked before a lock: the session's store is gone
        self._asked = None
        store = self._store()
        if answer.figures is not None:
            if store is asked.store and store.db.change_token() == asked.token:
                figures, exact = answer.figures
                minute = asked.now.replace(second=0, microsecond=0)
                self._remembered = _Remembered(store, (*asked.token, minute), asked.now, exact, figures)
                if answer.owners is not None:
                    self._owners = (store, answer.owners)
            elif asked.tries < READER_TRIES:
                self._ask(asked.tries + 1)
                return
        waiting, self._waiting = self._waiting, []
        for done in waiting:
            done()

    def _figures(self) -> dict[str, CaseSummary]:
        """Every live case's summary, by id: worked out again only when something was
        committed (by this connection or another: the sync worker's) or the minute moved.

        Search as you type asks on every pause; working them out cost ~40 ms at
        100,000 contacts (docs/performance.md, "Caseload at 100,000 contacts").
        """
        store = self._store()
        now = local_naive(self._clock)
        key = (*store.db.change_token(), now.replace(second=0, microsecond=0))
        kept = self._remembered
        if kept is not None and kept.store is store and kept.key == key \
                and (not kept.exact or kept.now == now):
            return kept.summaries
        # The key is read before the figures: a commit in between is seen as a change next time.
        summaries, exact = self._summaries(now)
        self._remembered = _Remembered(store, key, now, exact, summaries)
        return summaries

    def _summaries(self, now: dt.datetime) -> tuple[dict[str, CaseSummary], bool]:
        return _work_out(self._store(), now)


@dataclass(frozen=True)
class _Asked:
    """What the reader thread was last asked, as the UI thread saw the store then."""

    generation: int
    store: Store
    token: tuple[int, int]
    now: dt.datetime
    tries: int


@dataclass(frozen=True)
class _Answer:
    generation: int
    now: dt.datetime
    figures: tuple[dict[str, CaseSummary], bool] | None     # None: the reader failed
    owners: CaseOwners | None = None                         # each record's case, read with them


class _Reader:
    """A thread with a read-only connection of its own to the store's file (a connection
    belongs to the thread that opened it), working the summaries out when asked."""

    def __init__(self, open_db: Callable[[], Database], clock: Callable[[], dt.datetime],
                 answer: Callable[[_Answer], None]) -> None:
        self._open_db = open_db
        self._clock = clock
        self._answer = answer
        self._owners: CaseOwners | None = None      # the map last handed over; never changed here
        self._jobs: queue.SimpleQueue[tuple[int, dt.datetime] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="caseload-reader", daemon=True)
        self._thread.start()

    def ask(self, generation: int, now: dt.datetime) -> None:
        """Work the summaries out at ``now`` (one question at a time: the service waits for
        each answer before asking again)."""
        self._jobs.put((generation, now))

    def stop(self) -> None:
        """Close the connection and end the thread (a question being answered finishes first)."""
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        db: Database | None = None
        try:
            while (job := self._jobs.get()) is not None:
                generation, now = job
                try:
                    if db is None:
                        db = self._open_db()
                        db.execute("PRAGMA query_only = ON")
                    figures, owners = self._read(Store(db, clock=self._clock), now)
                except Exception as error:  # noqa: BLE001 - the UI thread then reads them itself
                    log.warning("caseload reader failed: %s", type(error).__name__)
                    figures, owners = None, None
                self._answer(_Answer(generation, now, figures, owners))
        finally:
            if db is not None:
                db.close()

    def _read(self, store: Store, now: dt.datetime) -> tuple[tuple[dict[str, CaseSummary], bool],
                                                              CaseOwners]:
        """One read transaction: every query sees the same committed state. Search's map of
        each record's case is read with the summaries: after a sync that brought records it is
        read again (7-28 ms at 100,000 contacts), which is then not on the UI thread. When no
        record was added, moved or removed since the map last handed over (a sync that only
        changed records, the minute moving on), that one is handed over again. A map handed
        over belongs to the UI thread (its search refreshes it in place), so a new one is read
        here, never that one changed."""
        store.db.execute("BEGIN")
        try:
            owners = self._owners
            if owners is None or not owners.current(store.db.raw):
                owners = CaseOwners()
                owners.refresh(store.db.raw)
                self._owners = owners
            return _work_out(store, now), owners
        finally:
            store.db.execute("COMMIT")


def _reference(store: Store) -> ReferenceData:
    return ReferenceData.from_records(r.fields for r in store.records.all("reference"))


def _work_out(store: Store, now: dt.datetime) -> tuple[dict[str, CaseSummary], bool]:
    """Every live case's summary at ``now``, and whether it holds at that instant only
    (a start time with seconds: else it holds for the whole minute).

    The counts come from indexes (storage/summaries.py): only the few contacts
    that their date alone cannot settle are read and judged here, as
    :class:`Contact` reads them, so the figures are those of every contact
    decoded one by one, at the cost of a handful of rows.
    """
    reference = _reference(store)
    exact = False
    appointment_codes = {code for code, t in reference.contact_types.items() if t.is_appointment}
    conn = store.db.raw
    today = now.date().isoformat()
    codes = sorted(appointment_codes)
    needs_outcome = summaries.due_without_outcome(conn, codes, today)
    unsent = summaries.unsent(conn)
    upcoming: dict[str, dt.datetime] = {}
    for row in summaries.to_decide(conn, codes, today):
        contact = Contact.from_fields("", row.fields)
        starts = contact.starts_at()
        if row.case_id is None or contact.contact_type not in appointment_codes \
                or starts is None:
            continue
        exact = exact or bool(starts.second or starts.microsecond)
        if starts > now:
            soonest = upcoming.get(row.case_id)
            upcoming[row.case_id] = starts if soonest is None else min(soonest, starts)
        elif contact.outcome is None:
            needs_outcome[row.case_id] = needs_outcome.get(row.case_id, 0) + 1
    registers: dict[str, list[Register]] = {}
    rosh_types = _rosh_register_types(reference)
    for register_id, owner, values in summaries.live_fields(conn, "register"):
        kind = values.get("register_type")
        if owner is not None and isinstance(kind, str) and kind in rosh_types:
            registers.setdefault(owner, []).append(Register.from_fields(register_id, values))
    out: dict[str, CaseSummary] = {}
    for case_id, _, fields in summaries.live_fields(conn, "case"):
        person = Person.from_fields(case_id, fields)
        out[case_id] = CaseSummary(case_id, person.crn, person.display_name, person.tier,
                                   _risk_level(registers.get(case_id, []), reference),
                                   upcoming.get(case_id), needs_outcome.get(case_id, 0),
                                   unsent.get(case_id, 0))
    return out, exact


def _rosh_register_types(reference: ReferenceData) -> set[str]:
    """The register types :func:`_risk_level` can take a level from (others are not decoded)."""
    rosh_levels = {level.value for level in RiskLevel}
    return {code for code, kind in reference.register_types.items() if set(kind.levels) >= rosh_levels}


def _risk_level(registers: list[Register], reference: ReferenceData) -> RiskLevel | None:
    """The level of the live register whose type's levels are the RoSH levels."""
    rosh_levels = {level.value for level in RiskLevel}
    for register in registers:
        register_type = reference.register_types.get(register.register_type)
        if register.ended or register_type is None or register.level not in rosh_levels:
            continue
        if set(register_type.levels) >= rosh_levels:
            return RiskLevel(register.level)
    return None
