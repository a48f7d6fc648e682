"""CaseloadService: the officer's cases, their summaries and search as you type.

Reads only; runs on the UI thread against the session's store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject

from caseclient.domain.records import Contact, Person, Register, RiskLevel
from caseclient.domain.reference import ReferenceData
from caseclient.services.clock import local_naive
from caseclient.storage import search, summaries
from caseclient.storage.store import Store


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
    def __init__(self, store: Callable[[], Store], clock: Callable[[], dt.datetime],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._remembered: _Remembered | None = None

    def reference(self) -> ReferenceData:
        records = self._store().records.all("reference")
        return ReferenceData.from_records(r.fields for r in records)

    def state(self) -> tuple[object, ...]:
        """Equal while the summaries cannot have changed: nothing committed to the store
        and the same minute (appointments become due as time passes)."""
        minute = local_naive(self._clock).replace(second=0, microsecond=0)
        return (*self._store().db.change_token(), minute)

    def cases(self) -> list[CaseSummary]:
        return sorted(self._figures().values(), key=lambda s: (s.name.lower(), s.crn))

    def search(self, text: str) -> list[CaseSummary]:
        """Cases whose name or CRN, or one of whose contacts' notes, match ``text``."""
        self._figures()
        db = self._store().db
        before = db.change_token()
        found = search.find_cases(db.raw, text)
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
        """Drop the remembered summaries (the session locks: no case data stays decoded)."""
        self._remembered = None

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
        """Every live case's summary at ``now``, and whether it holds at that instant only
        (a start time with seconds: else it holds for the whole minute).

        The counts come from indexes (storage/summaries.py): only the few contacts
        that their date alone cannot settle are read and judged here, as
        :class:`Contact` reads them, so the figures are those of every contact
        decoded one by one, at the cost of a handful of rows.
        """
        store = self._store()
        reference = self.reference()
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
