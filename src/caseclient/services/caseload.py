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
from caseclient.storage.records import StoredRecord
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

    def cases(self) -> list[CaseSummary]:
        summaries = self._summaries({r.id: None for r in self._store().records.all("case")})
        return sorted(summaries, key=lambda s: (s.name.lower(), s.crn))

    def search(self, text: str) -> list[CaseSummary]:
        """Cases whose name or CRN, or one of whose contacts' notes, match ``text``."""
        found: dict[str, str | None] = {}
        for hit in self._store().records.search(text):
            if hit.case_id is not None:
                found.setdefault(hit.case_id, hit.snippet)
        return self._summaries(found)

    def _summaries(self, wanted: dict[str, str | None]) -> list[CaseSummary]:
        """Summaries of the ``wanted`` cases (id → search snippet), reading each table once."""
        repo = self._store().records
        reference = self.reference()
        now = local_naive(self._clock)
        appointment_codes = {code for code, t in reference.contact_types.items() if t.is_appointment}
        contacts: dict[str, list[StoredRecord]] = {}
        for stored in repo.all("contact", include_deleted=True):
            if stored.case_id in wanted:
                contacts.setdefault(stored.case_id, []).append(stored)
        registers: dict[str, list[Register]] = {}
        for stored in repo.all("register"):
            if stored.case_id in wanted:
                registers.setdefault(stored.case_id, []).append(
                    Register.from_fields(stored.id, stored.fields))
        out: list[CaseSummary] = []
        for case_id, snippet in wanted.items():
            record = repo.get("case", case_id)
            if record is None or record.deleted:
                continue
            person = Person.from_fields(record.id, record.fields)
            stored_contacts = contacts.get(case_id, [])
            live = [Contact.from_fields(c.id, c.fields) for c in stored_contacts if not c.deleted]
            appointments = [c for c in live if c.contact_type in appointment_codes]
            upcoming = sorted(s for c in appointments if (s := c.starts_at()) is not None and s > now)
            needs_outcome = sum(1 for c in appointments
                                if c.outcome is None and (s := c.starts_at()) is not None and s <= now)
            unsent = sum(1 for c in stored_contacts if c.dirty)
            out.append(CaseSummary(case_id, person.crn, person.display_name, person.tier,
                                   _risk_level(registers.get(case_id, []), reference),
                                   upcoming[0] if upcoming else None, needs_outcome, unsent,
                                   snippet))
        return out


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
