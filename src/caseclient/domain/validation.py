"""Business rules for finishing a contact, in plain English, field by field.

Ordinary officer mistakes are values, not exceptions: every check returns
:class:`FieldError` items so the editor can put each message next to its field,
move focus to the first, and announce the list. Drafts are never refused for
being incomplete; only :func:`validate_contact_finish` is strict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from caseclient.domain.records import Contact
from caseclient.domain.reference import OrderType, ReferenceData
from caseclient.domain.schema import FieldError

BREACH_WINDOW_DAYS = 365


@dataclass(frozen=True)
class ValidationResult:
    errors: tuple[FieldError, ...] = ()
    warnings: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def check_contact_change(before: Contact | None, after: Contact) -> list[FieldError]:
    """Rules that hold for every save, drafts included."""
    errors: list[FieldError] = []
    if before is not None and before.sensitive and not after.sensitive:
        errors.append(FieldError(
            "sensitive", "A contact marked sensitive cannot be unmarked. Ask your manager "
                         "if it was marked by mistake."))
    if before is not None and before.case_id != after.case_id:
        errors.append(FieldError("case_id", "A contact cannot be moved to another case."))
    return errors


def validate_contact_finish(contact: Contact, reference: ReferenceData, *, now: dt.datetime,
                            other_contacts: Iterable[Contact] = (),
                            order_type: OrderType | None = None) -> ValidationResult:
    """Everything a contact needs before it counts as finished.

    ``other_contacts`` are the case's other contacts (for the breach warning);
    ``order_type`` is the order of the contact's event, if any.
    """
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    contact_type = reference.contact_types.get(contact.contact_type or "")
    if contact.contact_type is None:
        errors.append(FieldError("contact_type", "Choose a contact type."))
    elif contact_type is None:
        errors.append(FieldError("contact_type", "That contact type is not in the current list. "
                                                 "Choose another."))
    if contact.date is None:
        errors.append(FieldError("date", "Enter the date, for example 24/11/2026."))
    if (contact.start_time is not None and contact.end_time is not None
            and contact.end_time < contact.start_time):
        errors.append(FieldError("end_time", "The end time is before the start time."))
    if contact_type is not None and contact_type.notes_required and not (contact.notes or "").strip():
        errors.append(FieldError("notes", f"Notes are needed for a {contact_type.label.lower()}."))

    outcome = reference.outcomes.get(contact.outcome or "")
    if contact.outcome is not None and outcome is None:
        errors.append(FieldError("outcome", "That outcome is not in the current list. "
                                            "Choose another."))
    starts_at = contact.starts_at()
    if contact_type is not None and contact_type.is_appointment and starts_at is not None:
        if starts_at <= now and contact.outcome is None:
            errors.append(FieldError("outcome", "This appointment has passed: record an outcome."))
        if starts_at > now and contact.outcome is not None:
            errors.append(FieldError("outcome", "An outcome can be recorded only once the "
                                                "appointment time has passed."))

    if outcome is not None and outcome.is_unacceptable_failure:
        if contact.enforcement is None:
            errors.append(FieldError("enforcement", "An unacceptable absence or failure to comply "
                                                    "needs an enforcement decision."))
        if _breach_to_consider(contact, other_contacts, reference, order_type):
            warnings.append(FieldError(
                "outcome", "This is the second unacceptable failure within 12 months on a "
                           "community order: breach must be considered."))
    enforcement = reference.enforcements.get(contact.enforcement or "")
    if contact.enforcement is not None and enforcement is None:
        errors.append(FieldError("enforcement", "That enforcement action is not in the current "
                                                "list. Choose another."))
    if enforcement is not None and enforcement.needs_reason and not (
            contact.enforcement_reason or "").strip():
        errors.append(FieldError("enforcement_reason", f"Give the reason for '{enforcement.label}'."))
    return ValidationResult(tuple(errors), tuple(warnings))


def _breach_to_consider(contact: Contact, others: Iterable[Contact], reference: ReferenceData,
                        order_type: OrderType | None) -> bool:
    if order_type is None or not order_type.community or contact.date is None:
        return False
    window_start = contact.date - dt.timedelta(days=BREACH_WINDOW_DAYS)
    for other in others:
        if other.id == contact.id or other.date is None or other.deleted_reason:
            continue
        if other.event_id != contact.event_id:
            continue
        other_outcome = reference.outcomes.get(other.outcome or "")
        if (other_outcome is not None and other_outcome.is_unacceptable_failure
                and window_start <= other.date <= contact.date + dt.timedelta(days=BREACH_WINDOW_DAYS)):
            return True
    return False
