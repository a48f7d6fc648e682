"""The records an officer works with, as frozen dataclasses with Python types.

Each record converts to and from its wire fields (see :mod:`schema`), which is
what the store keeps and the sync engine sends. Conversion is lenient on the way
in (an unreadable value becomes None, never an exception, so a draft with a
half-typed date still opens) and exact on the way out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any, Self

from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import RECORD_SPECS, FieldKind, parse_date


class Grade(StrEnum):
    PO = "PO"    # probation officer
    PSO = "PSO"  # probation services officer
    SPO = "SPO"  # senior probation officer: countersigns


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"

    @property
    def words(self) -> str:
        return {"LOW": "Low", "MEDIUM": "Medium", "HIGH": "High",
                "VERY_HIGH": "Very high"}[self.value]


class RecordState(StrEnum):
    """What the officer sees about where a record is (sync-protocol.md)."""

    DRAFT = "draft"                      # being written, not finished
    SAVED = "saved"                      # finished, saved on this laptop, not yet sent
    SENT = "sent"                        # the central system has it
    NEEDS_ATTENTION = "needs_attention"  # conflict or rejection waiting for the officer

    @property
    def words(self) -> str:
        return {"draft": "Draft", "saved": "Saved on this laptop", "sent": "Sent",
                "needs_attention": "Needs attention"}[self.value]


@dataclass(frozen=True)
class Officer:
    staff_code: str
    name: str
    grade: Grade
    team: str


def _time(value: object) -> dt.time | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return None


def _decode(kind: FieldKind, value: JSONValue) -> Any:
    if value is None:
        return None
    if kind is FieldKind.DATE:
        return parse_date(value)
    if kind is FieldKind.TIME:
        return _time(value)
    if kind is FieldKind.BOOL:
        return value is True
    if kind is FieldKind.INT:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind is FieldKind.JSON:
        return value if isinstance(value, (list, dict)) else None
    return value if isinstance(value, str) else None


def _encode(kind: FieldKind, value: Any) -> JSONValue:
    if value is None:
        return None
    if kind is FieldKind.DATE:
        return str(value.isoformat())
    if kind is FieldKind.TIME:
        return str(value.strftime("%H:%M"))
    return value


class _WireRecord:
    """Mixin: conversion between a record dataclass and its wire fields."""

    RECORD_TYPE: str = ""
    id: str

    @classmethod
    def from_fields(cls, record_id: str, values: Mapping[str, JSONValue]) -> Self:
        spec = RECORD_SPECS[cls.RECORD_TYPE]
        kwargs: dict[str, Any] = {"id": record_id}
        for spec_field in spec.fields:
            decoded = _decode(spec_field.kind, values.get(spec_field.name))
            if decoded is None and spec_field.kind is FieldKind.BOOL:
                decoded = False
            if decoded is None and spec_field.kind is FieldKind.JSON:
                decoded = ()
            if isinstance(decoded, list) and spec_field.kind is FieldKind.JSON:
                decoded = tuple(decoded)
            kwargs[spec_field.name] = decoded
        return cls(**kwargs)

    def to_fields(self) -> dict[str, JSONValue]:
        spec = RECORD_SPECS[self.RECORD_TYPE]
        out: dict[str, JSONValue] = {}
        for spec_field in spec.fields:
            value = getattr(self, spec_field.name)
            if isinstance(value, tuple):
                value = list(value)
            out[spec_field.name] = _encode(spec_field.kind, value)
        return out


@dataclass(frozen=True)
class Person(_WireRecord):
    """A person on probation: the ``case`` record. One record per CRN."""

    RECORD_TYPE = "case"
    id: str
    crn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date | None = None
    gender: str | None = None
    address: str | None = None
    phone: str | None = None
    tier: str | None = None
    officer_code: str | None = None
    team: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Requirement:
    """One requirement of an order, e.g. 120 hours of unpaid work."""

    type: str
    amount: int | None
    unit: str | None

    @classmethod
    def from_json(cls, value: JSONValue) -> Requirement | None:
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            return None
        amount = value.get("amount")
        unit = value.get("unit")
        return cls(value["type"], amount if isinstance(amount, int) else None,
                   unit if isinstance(unit, str) else None)


@dataclass(frozen=True)
class Event(_WireRecord):
    """A conviction and its sentence."""

    RECORD_TYPE = "event"
    id: str
    case_id: str
    order_type: str
    sentence_date: dt.date | None
    offence: str | None = None
    length_months: int | None = None
    requirements: tuple[JSONValue, ...] = ()
    ended: bool = False

    @property
    def requirement_list(self) -> tuple[Requirement, ...]:
        parsed = (Requirement.from_json(item) for item in self.requirements)
        return tuple(item for item in parsed if item is not None)


@dataclass(frozen=True)
class Contact(_WireRecord):
    """Any recorded interaction or event on a case; appointments are contacts too."""

    RECORD_TYPE = "contact"
    id: str
    case_id: str
    contact_type: str | None = None
    date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    event_id: str | None = None
    location: str | None = None
    officer_code: str | None = None
    outcome: str | None = None
    enforcement: str | None = None
    enforcement_reason: str | None = None
    notes: str | None = None
    sensitive: bool = False
    alert: bool = False
    deleted_reason: str | None = None

    def starts_at(self) -> dt.datetime | None:
        if self.date is None:
            return None
        return dt.datetime.combine(self.date, self.start_time or dt.time(0, 0))

    def with_changes(self, **changes: Any) -> Contact:
        return replace(self, **changes)


@dataclass(frozen=True)
class Appointment:
    """A diary entry: a contact of an appointment type, seen from the diary."""

    contact_id: str
    case_id: str
    crn: str
    person_name: str
    contact_type_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    location: str | None
    outcome: str | None

    def needs_outcome(self, now: dt.datetime) -> bool:
        return self.outcome is None and self.starts_at <= now


@dataclass(frozen=True)
class Register(_WireRecord):
    """A risk flag shown first when a case opens."""

    RECORD_TYPE = "register"
    id: str
    case_id: str
    register_type: str
    start_date: dt.date | None
    level: str | None = None
    category: str | None = None
    added_by: str | None = None
    notes: str | None = None
    review_months: int | None = None
    next_review_date: dt.date | None = None
    ended: bool = False
    end_date: dt.date | None = None
    end_reason: str | None = None

    def review_overdue(self, today: dt.date) -> bool:
        return (not self.ended and self.next_review_date is not None
                and self.next_review_date < today)


WIRE_RECORD_CLASSES: Mapping[str, type[_WireRecord]] = {
    cls.RECORD_TYPE: cls for cls in (Person, Event, Contact, Register)
}


def field_names(record_class: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record_class) if f.name != "id")


__all__ = [
    "Appointment", "Contact", "Event", "Grade", "Officer", "Person", "RecordState",
    "Register", "Requirement", "RiskLevel", "field_names",
]
