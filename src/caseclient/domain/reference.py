"""Reference lists (contact types, outcomes, enforcement actions, register types,
order types) belong to the central system; the client caches them with the
caseload and never hard-codes them in the UI.

On the wire each entry is a ``reference`` record with fields
``{kind, code, label, active, attributes}``. The attributes each kind carries:

=================  ==========================================================
kind               attributes
=================  ==========================================================
``contact_type``   ``is_appointment`` (bool), ``counts_towards_requirements``
                   (bool), ``notes_required`` (bool)
``outcome``        ``attended`` (bool), ``complied`` (bool), ``acceptable``
                   (bool: an absence or failure that is acceptable)
``enforcement``    ``needs_reason`` (bool)
``register_type``  ``levels`` (list of str, may be empty), ``review_months``
                   (int), ``priority`` (int, lower shows first),
                   ``has_category`` (bool)
``order_type``     ``community`` (bool: the 12-month breach rule applies)
=================  ==========================================================
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from caseclient.domain.canonical import JSONValue

REFERENCE_NAMESPACE = uuid.UUID("6f1c1e1e-3d1b-4b8e-9a57-0c5e2f3a9b10")
KINDS = ("contact_type", "outcome", "enforcement", "register_type", "order_type")


def reference_id(kind: str, code: str) -> str:
    """The stable record id of a reference entry: the same on every server and client."""
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{code}"))


@dataclass(frozen=True)
class ContactType:
    code: str
    label: str
    is_appointment: bool
    counts_towards_requirements: bool
    notes_required: bool
    active: bool = True


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    attended: bool
    complied: bool
    acceptable: bool
    active: bool = True

    @property
    def is_unacceptable_failure(self) -> bool:
        """Failed to attend without acceptable reason, or attended and failed to comply."""
        return not self.acceptable and (not self.attended or not self.complied)


@dataclass(frozen=True)
class Enforcement:
    code: str
    label: str
    needs_reason: bool
    active: bool = True


@dataclass(frozen=True)
class RegisterType:
    code: str
    label: str
    levels: tuple[str, ...]
    review_months: int
    priority: int
    has_category: bool
    active: bool = True


@dataclass(frozen=True)
class OrderType:
    code: str
    label: str
    community: bool
    active: bool = True


def _attr_bool(attrs: Mapping[str, JSONValue], name: str) -> bool:
    return attrs.get(name) is True


def _attr_int(attrs: Mapping[str, JSONValue], name: str, default: int) -> int:
    value = attrs.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


@dataclass(frozen=True)
class ReferenceData:
    """The cached reference lists, looked up by code. Unknown codes give None."""

    contact_types: Mapping[str, ContactType]
    outcomes: Mapping[str, Outcome]
    enforcements: Mapping[str, Enforcement]
    register_types: Mapping[str, RegisterType]
    order_types: Mapping[str, OrderType]

    @classmethod
    def empty(cls) -> ReferenceData:
        return cls({}, {}, {}, {}, {})

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, JSONValue]]) -> ReferenceData:
        """Build from ``reference`` record fields; entries of unknown kinds are ignored."""
        contact_types: dict[str, ContactType] = {}
        outcomes: dict[str, Outcome] = {}
        enforcements: dict[str, Enforcement] = {}
        register_types: dict[str, RegisterType] = {}
        order_types: dict[str, OrderType] = {}
        for fields in records:
            kind, code, label = fields.get("kind"), fields.get("code"), fields.get("label")
            if not isinstance(kind, str) or not isinstance(code, str) or not isinstance(label, str):
                continue
            raw_attrs = fields.get("attributes")
            attrs: Mapping[str, JSONValue] = raw_attrs if isinstance(raw_attrs, dict) else {}
            active = fields.get("active") is not False
            if kind == "contact_type":
                contact_types[code] = ContactType(
                    code, label, _attr_bool(attrs, "is_appointment"),
                    _attr_bool(attrs, "counts_towards_requirements"),
                    _attr_bool(attrs, "notes_required"), active)
            elif kind == "outcome":
                outcomes[code] = Outcome(
                    code, label, _attr_bool(attrs, "attended"), _attr_bool(attrs, "complied"),
                    _attr_bool(attrs, "acceptable"), active)
            elif kind == "enforcement":
                enforcements[code] = Enforcement(code, label, _attr_bool(attrs, "needs_reason"),
                                                 active)
            elif kind == "register_type":
                levels_raw = attrs.get("levels")
                levels = tuple(v for v in levels_raw if isinstance(v, str)) if isinstance(
                    levels_raw, list) else ()
                register_types[code] = RegisterType(
                    code, label, levels, _attr_int(attrs, "review_months", 6),
                    _attr_int(attrs, "priority", 100), _attr_bool(attrs, "has_category"), active)
            elif kind == "order_type":
                order_types[code] = OrderType(code, label, _attr_bool(attrs, "community"), active)
        return cls(contact_types, outcomes, enforcements, register_types, order_types)
