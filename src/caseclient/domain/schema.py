"""Record types and their fields as they travel between client and central system.

This is the single description of what a ``case``, ``event``, ``contact``,
``register``, ``reference`` or ``assessment`` record holds on the wire. The client's store, the
sync engine and the reference server all check values against it, so an unknown
field or a wrong type is caught the same way everywhere. Values on the wire are
JSON: dates are ``YYYY-MM-DD``, times ``HH:MM`` (24-hour), booleans are booleans.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from caseclient.domain.canonical import JSONValue
from caseclient.domain.ids import is_uuid

CRN_PATTERN = re.compile(r"^[A-Z][0-9]{6}$")
_ANSWER_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_TIME_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
MAX_TEXT = 500
MAX_LONG_TEXT = 1_000_000  # notes of "thousands of words" fit many times over


class FieldKind(StrEnum):
    TEXT = "text"            # one line, at most MAX_TEXT characters
    LONG_TEXT = "long_text"  # free text such as notes
    BOOL = "bool"
    INT = "int"
    DATE = "date"            # "YYYY-MM-DD"
    TIME = "time"            # "HH:MM"
    CODE = "code"            # a code from a reference list (``ref`` names the list)
    UUID = "uuid"            # another record's id
    JSON = "json"            # structured value (list or object)
    ANSWER = "answer"        # an assessment answer: text, number, yes/no, list or object


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    required: bool = False
    ref: str | None = None           # reference list kind for CODE fields
    client_writable: bool = True     # False: only the central system sets it
    label: str = ""                  # plain-English name used in messages


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, in words an officer understands."""

    field: str
    message: str


@dataclass(frozen=True)
class RecordSpec:
    record_type: str
    fields: tuple[FieldSpec, ...]
    parent_field: str | None         # the field naming the owning case; None for the case itself
    client_creatable: bool
    label: str
    open_prefix: str | None = None   # fields named "<prefix><id>" are allowed, of kind ANSWER

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        if self.open_prefix and name.startswith(self.open_prefix) \
                and _ANSWER_ID.match(name[len(self.open_prefix):]):
            return FieldSpec(name=name, kind=FieldKind.ANSWER, label="answer")
        return None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)


def _f(name: str, kind: FieldKind, label: str, *, required: bool = False, ref: str | None = None,
       client_writable: bool = True) -> FieldSpec:
    return FieldSpec(name=name, kind=kind, required=required, ref=ref,
                     client_writable=client_writable, label=label)


K = FieldKind

CASE = RecordSpec(
    record_type="case",
    label="case",
    parent_field=None,
    client_creatable=False,
    fields=(
        _f("crn", K.TEXT, "case reference number", required=True, client_writable=False),
        _f("first_name", K.TEXT, "first name", required=True, client_writable=False),
        _f("last_name", K.TEXT, "last name", required=True, client_writable=False),
        _f("date_of_birth", K.DATE, "date of birth", client_writable=False),
        _f("gender", K.TEXT, "gender", client_writable=False),
        _f("address", K.LONG_TEXT, "address", client_writable=False),
        _f("phone", K.TEXT, "phone", client_writable=False),
        _f("tier", K.TEXT, "tier", client_writable=False),
        _f("officer_code", K.TEXT, "managing officer", client_writable=False),
        _f("team", K.TEXT, "team", client_writable=False),
    ),
)

EVENT = RecordSpec(
    record_type="event",
    label="event",
    parent_field="case_id",
    client_creatable=False,
    fields=(
        _f("case_id", K.UUID, "case", required=True, client_writable=False),
        _f("order_type", K.CODE, "order type", required=True, ref="order_type",
           client_writable=False),
        _f("offence", K.TEXT, "offence", client_writable=False),
        _f("sentence_date", K.DATE, "sentence date", required=True, client_writable=False),
        _f("length_months", K.INT, "length in months", client_writable=False),
        _f("requirements", K.JSON, "requirements", client_writable=False),
        _f("ended", K.BOOL, "ended", client_writable=False),
    ),
)

CONTACT = RecordSpec(
    record_type="contact",
    label="contact",
    parent_field="case_id",
    client_creatable=True,
    fields=(
        _f("case_id", K.UUID, "case", required=True),
        _f("event_id", K.UUID, "event"),
        _f("contact_type", K.CODE, "contact type", required=True, ref="contact_type"),
        _f("date", K.DATE, "date", required=True),
        _f("start_time", K.TIME, "start time"),
        _f("end_time", K.TIME, "end time"),
        _f("location", K.TEXT, "location"),
        _f("officer_code", K.TEXT, "officer"),
        _f("outcome", K.CODE, "outcome", ref="outcome"),
        _f("enforcement", K.CODE, "enforcement action", ref="enforcement"),
        _f("enforcement_reason", K.LONG_TEXT, "reason for the enforcement decision"),
        _f("notes", K.LONG_TEXT, "notes"),
        _f("sensitive", K.BOOL, "sensitive"),
        _f("alert", K.BOOL, "alert"),
        _f("deleted_reason", K.TEXT, "reason for deletion"),
    ),
)

REGISTER = RecordSpec(
    record_type="register",
    label="register",
    parent_field="case_id",
    client_creatable=True,
    fields=(
        _f("case_id", K.UUID, "case", required=True),
        _f("register_type", K.CODE, "register type", required=True, ref="register_type"),
        _f("level", K.TEXT, "level"),
        _f("category", K.TEXT, "category"),
        _f("start_date", K.DATE, "start date", required=True),
        _f("added_by", K.TEXT, "added by"),
        _f("notes", K.LONG_TEXT, "notes"),
        _f("review_months", K.INT, "review every (months)"),
        _f("next_review_date", K.DATE, "next review date"),
        _f("ended", K.BOOL, "ended"),
        _f("end_date", K.DATE, "end date"),
        _f("end_reason", K.TEXT, "reason for ending"),
    ),
)

REFERENCE = RecordSpec(
    record_type="reference",
    label="reference list entry",
    parent_field=None,
    client_creatable=False,
    fields=(
        _f("kind", K.TEXT, "list", required=True, client_writable=False),
        _f("code", K.TEXT, "code", required=True, client_writable=False),
        _f("label", K.TEXT, "label", required=True, client_writable=False),
        _f("active", K.BOOL, "active", client_writable=False),
        _f("attributes", K.JSON, "attributes", client_writable=False),
    ),
)

class AssessmentStatus(StrEnum):
    """Workflow: open → signed → locked (countersigned), or signed → returned → open."""

    OPEN = "open"
    SIGNED = "signed"
    RETURNED = "returned"
    LOCKED = "locked"
    SUPERSEDED = "superseded"


ANSWER_PREFIX = "answer."

# Answers travel as one field each ("answer.<question id>") so two sittings on two
# laptops merge answer by answer, exactly like the fields of a contact.
ASSESSMENT = RecordSpec(
    record_type="assessment",
    label="assessment",
    parent_field="case_id",
    client_creatable=True,
    open_prefix=ANSWER_PREFIX,
    fields=(
        _f("case_id", K.UUID, "case", required=True),
        _f("template_id", K.TEXT, "template", required=True),
        _f("template_version", K.INT, "template version", required=True),
        _f("status", K.TEXT, "status", required=True),
        _f("assessor_code", K.TEXT, "assessor"),
        _f("started_on", K.DATE, "date started"),
        _f("signed_by", K.TEXT, "signed by"),
        _f("signed_at", K.TEXT, "signed at"),
        _f("countersigned_by", K.TEXT, "countersigned by"),
        _f("countersigned_at", K.TEXT, "countersigned at"),
        _f("return_comments", K.LONG_TEXT, "comments on return"),
        _f("overall_risk", K.TEXT, "overall risk of serious harm"),
        _f("scores", K.JSON, "scores"),
        _f("supersedes", K.UUID, "assessment it replaces"),
        _f("review_marks", K.JSON, "answers to review"),
    ),
)

RECORD_SPECS: Mapping[str, RecordSpec] = {
    spec.record_type: spec for spec in (CASE, EVENT, CONTACT, REGISTER, REFERENCE, ASSESSMENT)
}


def spec_for(record_type: str) -> RecordSpec | None:
    return RECORD_SPECS.get(record_type)


def check_value(spec: FieldSpec, value: JSONValue) -> str | None:
    """A plain-English problem with one wire value, or None when it fits its kind."""
    if value is None:
        return f"{spec.label.capitalize()} is required." if spec.required else None
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.CODE):
        if not isinstance(value, str):
            return f"{spec.label.capitalize()} must be text."
        limit = MAX_LONG_TEXT if kind is FieldKind.LONG_TEXT else MAX_TEXT
        if len(value) > limit:
            return f"{spec.label.capitalize()} is longer than {limit} characters."
        if spec.required and not value.strip():
            return f"{spec.label.capitalize()} is required."
        if spec.name == "crn" and not CRN_PATTERN.match(value):
            return "A case reference number is one capital letter and six digits, like X123456."
        return None
    if kind is FieldKind.BOOL:
        return None if isinstance(value, bool) else f"{spec.label.capitalize()} must be yes or no."
    if kind is FieldKind.INT:
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31
        return None if ok else f"{spec.label.capitalize()} must be a whole number."
    if kind is FieldKind.DATE:
        return None if parse_date(value) is not None else (
            f"{spec.label.capitalize()} must be a date written as YYYY-MM-DD.")
    if kind is FieldKind.TIME:
        ok = isinstance(value, str) and _TIME_PATTERN.match(value) is not None
        return None if ok else f"{spec.label.capitalize()} must be a time written as HH:MM."
    if kind is FieldKind.UUID:
        return None if is_uuid(value) else f"{spec.label.capitalize()} must be a record id."
    if kind is FieldKind.JSON:
        ok = isinstance(value, (list, dict))
        return None if ok else f"{spec.label.capitalize()} must be a list or an object."
    if kind is FieldKind.ANSWER:
        if isinstance(value, str) and len(value) > MAX_LONG_TEXT:
            return f"An answer is longer than {MAX_LONG_TEXT} characters."
        ok = isinstance(value, (str, bool, int, float, list, dict))
        return None if ok else "An answer must be text, a number, yes or no, or a list."
    return f"{spec.label.capitalize()} has an unknown kind."  # pragma: no cover


def parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def check_fields(record_type: str, fields: Mapping[str, JSONValue], *, partial: bool,
                 from_client: bool = True) -> list[FieldError]:
    """Structural problems of ``fields`` for ``record_type``.

    ``partial`` is for updates (only changed fields present); otherwise every
    required field must be there. ``from_client`` also refuses fields only the
    central system may set. Business rules (outcomes, enforcement) live in
    :mod:`caseclient.domain.validation`.
    """
    spec = spec_for(record_type)
    if spec is None:
        return [FieldError("record_type", f"Unknown record type '{record_type}'.")]
    errors: list[FieldError] = []
    for name, value in fields.items():
        field = spec.field(name)
        if field is None:
            errors.append(FieldError(name, f"A {spec.label} has no field '{name}'."))
            continue
        if from_client and not field.client_writable:
            errors.append(FieldError(name, f"The {field.label} of a {spec.label} is set by the "
                                           "central system only."))
            continue
        problem = check_value(field, value)
        if problem is not None:
            errors.append(FieldError(name, problem))
    if not partial:
        for field in spec.fields:
            if field.required and field.name not in fields:
                errors.append(FieldError(field.name, f"{field.label.capitalize()} is required."))
    return errors
