"""ContactService: new contacts, autosave of drafts, finishing, history.

The write path of an offline client (after SecureDrop Client): the officer's
words are committed locally first; sending is the sync engine's job later.
``save_draft`` is what the editor calls on every pause in typing: it saves every
field that is valid and reports the others as field errors, so nothing typed is
refused wholesale. Runs on the UI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from caseclient.domain.canonical import JSONValue
from caseclient.domain.ids import new_uuid7
from caseclient.domain.records import Contact, Event, RecordState
from caseclient.domain.reference import ReferenceData
from caseclient.domain.schema import FieldError, check_fields
from caseclient.domain.validation import (
    ValidationResult,
    check_contact_change,
    validate_contact_finish,
)
from caseclient.errors import RecordNotFound
from caseclient.services.clock import local_naive
from caseclient.storage.database import Sync
from caseclient.storage.history import HistoryEntry
from caseclient.storage.store import Store


@dataclass(frozen=True)
class ContactView:
    contact: Contact
    state: RecordState
    version: int | None
    updated_at: str


@dataclass(frozen=True)
class ContactSaved:
    """Carried by ``contact_did_save``: what changed and where the record now stands."""

    contact_id: str
    case_id: str
    state: RecordState
    changed: tuple[str, ...]
    errors: tuple[FieldError, ...]


@dataclass(frozen=True)
class FinishResult:
    validation: ValidationResult
    view: ContactView


class ContactService(QObject):
    contact_did_save = Signal(object)      # ContactSaved
    contact_did_finish = Signal(object)    # ContactView

    def __init__(self, store: Callable[[], Store], clock: Callable[[], dt.datetime],
                 reference: Callable[[], ReferenceData], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._reference = reference

    def get(self, contact_id: str) -> ContactView:
        stored = self._store().records.require("contact", contact_id)
        return ContactView(Contact.from_fields(stored.id, stored.fields), stored.state,
                           stored.version, stored.updated_at)

    def for_case(self, case_id: str) -> list[ContactView]:
        views = [ContactView(Contact.from_fields(s.id, s.fields), s.state, s.version, s.updated_at)
                 for s in self._store().records.all("contact", case_id=case_id)]
        return sorted(views, key=lambda v: (v.contact.starts_at() or dt.datetime.min), reverse=True)

    def new_contact(self, case_id: str, **fields: JSONValue) -> ContactView:
        """Start a contact on a case; it is on disk (as a draft) before this returns."""
        if self._store().records.get("case", case_id) is None:
            raise RecordNotFound("That case is not on this laptop.")
        contact_id = new_uuid7(lambda: int(self._clock().timestamp() * 1000))
        initial: dict[str, JSONValue] = {"case_id": case_id, "sensitive": False, "alert": False}
        initial.update(fields)
        self._store().records.create_draft("contact", contact_id, case_id, initial)
        return self.get(contact_id)

    def save_draft(self, contact_id: str, changes: Mapping[str, JSONValue]) -> ContactSaved:
        """Autosave: commit every acceptable change now; report the rest per field.

        The commit does not wait for the disk: a thread syncs it at once (decision 0047).
        The changes are checked against the record as the save reads it, in its transaction:
        one read of the row (and its notes) a save, not two."""
        errors = check_fields("contact", changes, partial=True)
        bad = {e.field for e in errors}

        def acceptable(fields: Mapping[str, JSONValue]) -> Mapping[str, JSONValue]:
            before = Contact.from_fields(contact_id, fields)
            kept = {k: v for k, v in changes.items() if k not in bad}
            candidate = Contact.from_fields(contact_id, {**fields, **kept})
            for error in check_contact_change(before, candidate):
                errors.append(error)
                kept.pop(error.field, None)
            return kept

        result = self._store().records.save("contact", contact_id, {}, vet=acceptable, sync=Sync.SOON)
        # The saved values' case: the case they were read with, as a contact never moves case
        # (check_contact_change drops such a change above).
        case_id = Contact.from_fields(contact_id, result.record.fields).case_id
        saved = ContactSaved(contact_id, case_id, result.record.state, result.changed,
                             tuple(errors))
        self.contact_did_save.emit(saved)
        return saved

    def validate(self, contact_id: str) -> ValidationResult:
        repo = self._store().records
        contact = Contact.from_fields(contact_id, repo.require("contact", contact_id).fields)
        others = [Contact.from_fields(s.id, s.fields)
                  for s in repo.all("contact", case_id=contact.case_id)]
        order_type = None
        if contact.event_id is not None:
            event_record = repo.get("event", contact.event_id)
            if event_record is not None:
                event = Event.from_fields(event_record.id, event_record.fields)
                order_type = self._reference().order_types.get(event.order_type)
        return validate_contact_finish(contact, self._reference(), now=local_naive(self._clock),
                                       other_contacts=others, order_type=order_type)

    def finish(self, contact_id: str) -> FinishResult:
        """Validate; when there are no errors, queue the contact to be sent."""
        validation = self.validate(contact_id)
        if validation.ok:
            self._store().records.finish("contact", contact_id)
        view = self.get(contact_id)
        if validation.ok:
            self.contact_did_finish.emit(view)
        return FinishResult(validation, view)

    def delete(self, contact_id: str, reason: str | None) -> ContactView:
        self._store().records.delete("contact", contact_id, reason)
        return self.get(contact_id)

    def history(self, contact_id: str) -> list[HistoryEntry]:
        return self._store().records.history("contact", contact_id)
