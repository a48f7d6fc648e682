"""The central system's reference lists, as ``reference`` records the client caches.

Codes follow the national system's style (short capitals); labels and attributes are
this project's own. Attribute names are those :mod:`caseclient.domain.reference` reads.
"""

from __future__ import annotations

from caseclient.domain.canonical import JSONValue
from caseclient.domain.reference import reference_id
from caseserver.synthetic.model import SyntheticRecord

Entry = tuple[str, str, dict[str, JSONValue]]  # code, label, attributes


def _contact_type(code: str, label: str, *, appointment: bool, counts: bool, notes: bool) -> Entry:
    return code, label, {"is_appointment": appointment, "counts_towards_requirements": counts,
                         "notes_required": notes}


def _outcome(code: str, label: str, *, attended: bool, complied: bool, acceptable: bool) -> Entry:
    return code, label, {"attended": attended, "complied": complied, "acceptable": acceptable}


def _register(code: str, label: str, levels: list[JSONValue], review_months: int, priority: int,
              *, category: bool = False) -> Entry:
    return code, label, {"levels": levels, "review_months": review_months, "priority": priority,
                         "has_category": category}


CONTACT_TYPES: tuple[Entry, ...] = (
    _contact_type("COAP", "Office appointment", appointment=True, counts=True, notes=False),
    _contact_type("CHVS", "Home visit", appointment=True, counts=True, notes=True),
    _contact_type("CTEL", "Phone contact", appointment=False, counts=False, notes=True),
    _contact_type("CEMT", "Email or text message", appointment=False, counts=False, notes=False),
    _contact_type("CVID", "Video call", appointment=True, counts=True, notes=False),
    _contact_type("C3WM", "Three-way meeting with a partner agency", appointment=True, counts=True,
                  notes=True),
    _contact_type("CCRI", "Court report interview", appointment=True, counts=False, notes=True),
    _contact_type("CUPW", "Unpaid work session", appointment=True, counts=True, notes=False),
    _contact_type("COTH", "Other contact", appointment=False, counts=False, notes=True),
)

OUTCOMES: tuple[Entry, ...] = (
    _outcome("ATTC", "Attended – complied", attended=True, complied=True, acceptable=True),
    _outcome("AFTC", "Attended – failed to comply", attended=True, complied=False, acceptable=False),
    _outcome("FTA_ACC", "Failed to attend – acceptable absence", attended=False, complied=False,
             acceptable=True),
    _outcome("FTA_UNACC", "Failed to attend – unacceptable absence", attended=False, complied=False,
             acceptable=False),
    _outcome("RSCH", "Appointment rescheduled", attended=False, complied=False, acceptable=True),
    _outcome("NA", "Not applicable", attended=False, complied=False, acceptable=True),
)

ENFORCEMENTS: tuple[Entry, ...] = (
    ("REFER", "Referred to the case manager", {"needs_reason": False}),
    ("WARN", "Warning letter sent", {"needs_reason": False}),
    ("FWARN", "Final warning letter sent", {"needs_reason": False}),
    ("BREACH", "Breach initiated", {"needs_reason": True}),
    ("NOENF", "Decision not to enforce", {"needs_reason": True}),
)

ROSH_LEVELS: tuple[str, ...] = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")
MAPPA_VALUES: tuple[str, ...] = ("1", "2", "3")

REGISTER_TYPES: tuple[Entry, ...] = (
    _register("RRSH", "Risk of serious harm", list(ROSH_LEVELS), 6, 1),
    _register("RMAP", "MAPPA", list(MAPPA_VALUES), 3, 2, category=True),
    _register("RSTF", "Risk to staff", [], 6, 3),
    _register("RDAP", "Domestic abuse perpetrator", [], 6, 4),
    _register("RDAV", "Domestic abuse victim", [], 6, 5),
    _register("RCPP", "Child protection", [], 3, 6),
    _register("RCCO", "Child concerns", [], 6, 7),
    _register("RVAD", "Safeguarding adult", [], 6, 8),
    _register("RWEP", "Weapons", [], 12, 9),
    _register("RHAT", "Hate crime", [], 12, 10),
)

ORDER_TYPES: tuple[Entry, ...] = (
    ("ORA_CO", "Community order", {"community": True}),
    ("ORA_SSO", "Suspended sentence order", {"community": True}),
    ("LIC", "Licence", {"community": False}),
    ("PSS", "Post-sentence supervision", {"community": False}),
)

LISTS: tuple[tuple[str, tuple[Entry, ...]], ...] = (
    ("contact_type", CONTACT_TYPES),
    ("outcome", OUTCOMES),
    ("enforcement", ENFORCEMENTS),
    ("register_type", REGISTER_TYPES),
    ("order_type", ORDER_TYPES),
)


_ATTRIBUTES: dict[tuple[str, str], dict[str, JSONValue]] = {
    (kind, code): attributes for kind, entries in LISTS for code, _, attributes in entries}


def attribute(kind: str, code: str, name: str) -> JSONValue:
    """One attribute of one entry, e.g. ``attribute("contact_type", "CHVS", "notes_required")``."""
    return _ATTRIBUTES[kind, code].get(name)


def reference_records() -> list[SyntheticRecord]:
    """Every entry of every list, each a fresh dict so callers may change theirs."""
    out: list[SyntheticRecord] = []
    for kind, entries in LISTS:
        for code, label, attributes in entries:
            fields: dict[str, JSONValue] = {
                "kind": kind, "code": code, "label": label, "active": True,
                "attributes": _copy(attributes)}
            out.append(SyntheticRecord("reference", reference_id(kind, code), None, fields))
    return out


def _copy(attributes: dict[str, JSONValue]) -> dict[str, JSONValue]:
    return {name: list(value) if isinstance(value, list) else value
            for name, value in attributes.items()}
