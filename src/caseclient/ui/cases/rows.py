"""Rows of words for the case view's tables (pure: no widgets, easy to read aloud)."""

from __future__ import annotations

import datetime as dt

from caseclient.domain.canonical import JSONValue
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
# The central system's requirement codes in words (no reference list carries them yet).
REQUIREMENT_WORDS = {
    "unpaid_work": "Unpaid work", "rar": "Rehabilitation activity", "curfew": "Curfew",
    "alcohol_abstinence": "Alcohol abstinence", "alcohol_treatment": "Alcohol treatment",
    "drug_rehabilitation": "Drug rehabilitation", "mental_health_treatment": "Mental health treatment",
    "programme": "Accredited programme", "licence_condition": "Licence condition",
    "exclusion": "Exclusion", "residence": "Residence", "prohibited_activity": "Prohibited activity",
    "attendance_centre": "Attendance centre", "electronic_monitoring": "Electronic monitoring",
}


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


def requirement_words(requirement: JSONValue) -> str:
    """One requirement as an officer says it: "Unpaid work: 120 hours", "Licence condition: …"."""
    if not isinstance(requirement, dict) or not isinstance(requirement.get("type"), str):
        return ""
    code = str(requirement["type"])
    words = REQUIREMENT_WORDS.get(code) or code.replace("_", " ").strip().capitalize()
    amount, unit, detail = requirement.get("amount"), requirement.get("unit"), requirement.get("detail")
    size = " ".join(str(p) for p in (amount if isinstance(amount, int) else None,
                                     unit if isinstance(unit, str) else None) if p is not None)
    if size:
        words = f"{words}: {size}"
    if isinstance(detail, str) and detail.strip():
        words = f"{words} ({detail.strip()})" if size else f"{words}: {detail.strip()}"
    return words


def event_row(view: EventView) -> Row:
    event = view.event
    length = f"{event.length_months} months" if event.length_months else ""
    requirements = "; ".join(w for w in (requirement_words(r) for r in event.requirements) if w)
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
