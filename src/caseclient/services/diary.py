"""DiaryService: appointments across the caseload by day and week, and those needing an outcome.

Reads only; runs on the UI thread against the session's store. Offline by design:
the officer's diary must open and print without the central system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject

from caseclient.domain.records import Appointment, Contact, Person
from caseclient.domain.reference import ReferenceData
from caseclient.services.clock import Clock, local_naive
from caseclient.services.session import SessionService
from caseclient.storage.store import Store


class DiaryService(QObject):
    def __init__(self, store: Callable[[], Store], clock: Clock,
                 reference: Callable[[], ReferenceData], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._reference = reference

    @classmethod
    def for_session(cls, session: SessionService, clock: Clock,
                    reference: Callable[[], ReferenceData]) -> DiaryService:
        return cls(lambda: session.store, clock, reference)

    def now(self) -> dt.datetime:
        return local_naive(self._clock)

    def _all(self) -> list[Appointment]:
        repo = self._store().records
        reference = self._reference()
        people = {s.id: Person.from_fields(s.id, s.fields) for s in repo.all("case")}
        out: list[Appointment] = []
        for stored in repo.all("contact"):
            contact = Contact.from_fields(stored.id, stored.fields)
            contact_type = reference.contact_types.get(contact.contact_type or "")
            starts = contact.starts_at()
            person = people.get(contact.case_id)
            if contact_type is None or not contact_type.is_appointment or starts is None or person is None:
                continue
            ends = (dt.datetime.combine(contact.date, contact.end_time)
                    if contact.date is not None and contact.end_time is not None else None)
            out.append(Appointment(contact.id, contact.case_id, person.crn, person.display_name,
                                   contact_type.label, starts, ends, contact.location, contact.outcome))
        return sorted(out, key=lambda a: (a.starts_at, a.person_name))

    def between(self, first: dt.date, last: dt.date) -> list[Appointment]:
        """Appointments on the days ``first`` to ``last`` inclusive."""
        return [a for a in self._all() if first <= a.starts_at.date() <= last]

    def needing_outcome(self) -> list[Appointment]:
        now = self.now()
        return [a for a in self._all() if a.needs_outcome(now)]
