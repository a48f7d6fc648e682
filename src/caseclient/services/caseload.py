"""CaseloadService: the officer's cases, their summaries and search as you type.

Reads only; runs on the UI thread against the session's store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

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


class CaseloadService(QObject):
    def __init__(self, store: Callable[[], Store], clock: Callable[[], dt.datetime],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock

    def reference(self) -> ReferenceData:
        records = self._store().records.all("reference")
        return ReferenceData.from_records(r.fields for r in records)

    def state(self) -> tuple[object, ...]:
        """Equal while the summaries cannot have changed: nothing committed to the store
        and the same minute (appointments become due as time passes)."""
        minute = local_naive(self._clock).replace(second=0, microsecond=0)
        return (*self._store().db.change_token(), minute)

    def cases(self) -> list[CaseSummary]:
        summaries = self._summaries({r.id: None for r in self._store().records.all("case")})
        return sorted(summaries, key=lambda s: (s.name.lower(), s.crn))

    def search(self, text: str) -> list[CaseSummary]:
        """Cases whose name or CRN, or one of whose contacts' notes, match ``text``."""
        found: dict[str, str | None] = dict(search.find_cases(self._store().db.raw, text))
        return self._summaries(found)

    def _summaries(self, wanted: dict[str, str | None]) -> list[CaseSummary]:
        """Summaries of the ``wanted`` cases (id → search snippet), in that order.

        The counts come from indexes (storage/summaries.py): only the few contacts
        that their date alone cannot settle are read and judged here, as
        :class:`Contact` reads them, so the figures are those of every contact
        decoded one by one, at the cost of a handful of rows.
        """
        store = self._store()
        reference = self.reference()
        now = local_naive(self._clock)
        appointment_codes = {code for code, t in reference.contact_types.items() if t.is_appointment}
        conn = store.db.raw
        today = now.date().isoformat()
        codes = sorted(appointment_codes)
        needs_outcome = summaries.due_without_outcome(conn, codes, today)
        unsent = summaries.unsent(conn)
        upcoming: dict[str, dt.datetime] = {}
        for row in summaries.to_decide(conn, codes, today):
            if row.case_id not in wanted:
                continue
            contact = Contact.from_fields("", row.fields)
            starts = contact.starts_at()
            if contact.contact_type not in appointment_codes or starts is None:
                continue
            if starts > now:
                soonest = upcoming.get(row.case_id)
                upcoming[row.case_id] = starts if soonest is None else min(soonest, starts)
            elif contact.outcome is None:
                needs_outcome[row.case_id] = needs_outcome.get(row.case_id, 0) + 1
        registers: dict[str, list[Register]] = {}
        rosh_types = _rosh_register_types(reference)
        for register_id, owner, values in summaries.live_fields(conn, "register"):
            kind = values.get("register_type")
            if owner in wanted and isinstance(kind, str) and kind in rosh_types:
                registers.setdefault(owner, []).append(Register.from_fields(register_id, values))
        cases = {case_id: values for case_id, _, values in summaries.live_fields(conn, "case")
                 if case_id in wanted}
        out: list[CaseSummary] = []
        for case_id, snippet in wanted.items():
            fields = cases.get(case_id)
            if fields is None:
                continue
            person = Person.from_fields(case_id, fields)
            out.append(CaseSummary(case_id, person.crn, person.display_name, person.tier,
                                   _risk_level(registers.get(case_id, []), reference),
                                   upcoming.get(case_id), needs_outcome.get(case_id, 0),
                                   unsent.get(case_id, 0), snippet))
        return out


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
