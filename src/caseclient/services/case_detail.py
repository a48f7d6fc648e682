"""CaseDetailService: one case as the case view shows it, registers first.

Reads only; runs on the UI thread against the session's store. Registers come
first and carry their review state and how old our copy is, because an officer
on a home visit must know the risk flags and whether to trust them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject

from caseclient.domain.records import Contact, Event, Person, Register, RiskLevel
from caseclient.domain.reference import ReferenceData
from caseclient.errors import RecordNotFound
from caseclient.services.clock import Clock, local_naive
from caseclient.services.session import SessionService
from caseclient.storage.store import Store

# A register copy older than this is shown as possibly out of date (domain.md).
STALE_AFTER = dt.timedelta(days=7)


@dataclass(frozen=True)
class RegisterView:
    register: Register
    label: str
    priority: int
    overdue: bool
    refreshed_at: dt.datetime | None

    @property
    def level_words(self) -> str | None:
        level = self.register.level
        if level is None:
            return None
        return RiskLevel(level).words if level in {r.value for r in RiskLevel} else level


@dataclass(frozen=True)
class EventView:
    event: Event
    order_label: str


@dataclass(frozen=True)
class AppointmentView:
    contact: Contact
    type_label: str
    starts_at: dt.datetime


@dataclass(frozen=True)
class CaseDetail:
    person: Person
    registers: tuple[RegisterView, ...]
    events: tuple[EventView, ...]
    appointments_ahead: tuple[AppointmentView, ...]
    refreshed_at: dt.datetime | None     # the oldest copy among the case and its registers
    stale: bool
    today: dt.date


def _parsed(stamp: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


class CaseDetailService(QObject):
    def __init__(self, store: Callable[[], Store], clock: Clock,
                 reference: Callable[[], ReferenceData], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._reference = reference

    @classmethod
    def for_session(cls, session: SessionService, clock: Clock,
                    reference: Callable[[], ReferenceData]) -> CaseDetailService:
        """Reading the session's store while it is unlocked (as app.build wires the others)."""
        return cls(lambda: session.store, clock, reference)

    def detail(self, case_id: str) -> CaseDetail:
        repo = self._store().records
        stored_case = repo.get("case", case_id)
        if stored_case is None or stored_case.deleted:
            raise RecordNotFound("That case is not on this laptop.")
        reference = self._reference()
        now = local_naive(self._clock)
        registers: list[RegisterView] = []
        stamps = [_parsed(stored_case.updated_at)]
        for stored in repo.all("register", case_id=case_id):
            register = Register.from_fields(stored.id, stored.fields)
            if register.ended:
                continue
            register_type = reference.register_types.get(register.register_type)
            refreshed = _parsed(stored.updated_at)
            stamps.append(refreshed)
            registers.append(RegisterView(
                register, register_type.label if register_type else register.register_type,
                register_type.priority if register_type else 1000,
                register.review_overdue(now.date()), refreshed))
        registers.sort(key=lambda r: (r.priority, r.label))
        events = [Event.from_fields(s.id, s.fields) for s in repo.all("event", case_id=case_id)]
        event_views = tuple(
            EventView(e, o.label if (o := reference.order_types.get(e.order_type)) else e.order_type)
            for e in sorted(events, key=lambda e: (e.ended, e.sentence_date or dt.date.min)))
        ahead: list[AppointmentView] = []
        for stored in repo.all("contact", case_id=case_id):
            contact = Contact.from_fields(stored.id, stored.fields)
            contact_type = reference.contact_types.get(contact.contact_type or "")
            starts = contact.starts_at()
            if contact_type is not None and contact_type.is_appointment and starts is not None \
                    and starts > now:
                ahead.append(AppointmentView(contact, contact_type.label, starts))
        ahead.sort(key=lambda a: a.starts_at)
        known = [s for s in stamps if s is not None]
        oldest = min(known) if known else None
        stale = oldest is not None and self._clock() - oldest > STALE_AFTER
        return CaseDetail(Person.from_fields(stored_case.id, stored_case.fields), tuple(registers),
                          event_views, tuple(ahead), oldest, stale, now.date())
