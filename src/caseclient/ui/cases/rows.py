"""Rows of words for the case view's tables (pure: no widgets, easy to read aloud)."""

from __future__ import annotations

import datetime as dt

from caseclient.domain.reference import ReferenceData
from caseclient.services.assessments import AssessmentSummary
from caseclient.services.case_detail import AppointmentView, EventView, RegisterView
from caseclient.services.contacts import ContactView
from caseclient.ui.formats import uk_date, uk_datetime, uk_time
from caseclient.ui.tables import Row

REGISTER_HEADERS = ("Register", "Level", "Started", "Next review", "Review")
EVENT_HEADERS = ("Order", "Offence", "Sentenced", "Length", "Requirements", "Status")
CONTACT_HEADERS = ("Date", "Time", "Type", "Outcome", "Status", "Notes")
APPOINTMENT_HEADERS = ("When", "Type", "Location")
ASSESSMENT_HEADERS = ("Started", "Assessment", "Status", "Overall risk", "Sync")
NOTES_PREVIEW = 80


def register_row(view: RegisterView, today: dt.date) -> Row:
    register = view.register
    level = view.level_words or ""
    if register.category:
        level = f"{level} category {register.category}".strip()
    review = "Review overdue" if view.overdue else (
        "Up to date" if register.next_review_date else "No review date")
    name = f"{view.label} (review overdue)" if view.overdue else view.label
    return Row(register.id, (name, level, uk_date(register.start_date),
                             uk_date(register.next_review_date), review),
               spoken=("", level or "No level", "", "", ""))


def event_row(view: EventView) -> Row:
    event = view.event
    length = f"{event.length_months} months" if event.length_months else ""
    requirements = "; ".join(
        " ".join(p for p in (str(r.amount) if r.amount is not None else "", r.unit or "", r.type) if p)
        for r in event.requirement_list)
    return Row(event.id, (view.order_label, event.offence or "", uk_date(event.sentence_date), length,
                          requirements, "Ended" if event.ended else "Current"))


def contact_row(view: ContactView, reference: ReferenceData) -> Row:
    contact = view.contact
    contact_type = reference.contact_types.get(contact.contact_type or "")
    outcome = reference.outcomes.get(contact.outcome or "")
    notes = " ".join((contact.notes or "").split())
    preview = notes if len(notes) <= NOTES_PREVIEW else notes[:NOTES_PREVIEW - 1] + "…"
    if contact.sensitive:
        preview = f"Sensitive. {preview}"
    type_label = contact_type.label if contact_type else (contact.contact_type or "Type not chosen")
    return Row(contact.id, (uk_date(contact.date), uk_time(contact.start_time), type_label,
                            outcome.label if outcome else "", view.state.words, preview),
               spoken=("", "", "", "" if outcome else "No outcome", "", "" if notes else "No notes"))


def appointment_row(view: AppointmentView) -> Row:
    return Row(view.contact.id, (uk_datetime(view.starts_at), view.type_label,
                                 view.contact.location or ""))


def assessment_row(summary: AssessmentSummary) -> Row:
    version = f", version {summary.template_version}" if summary.template_version is not None else ""
    risk = summary.overall_risk.words if summary.overall_risk else ""
    return Row(summary.assessment_id, (uk_date(summary.started_on), f"{summary.template_title}{version}",
                                       summary.status_words, risk, summary.state.words),
               spoken=("" if summary.started_on else "No start date", "", "", risk or "Not yet known", ""))
