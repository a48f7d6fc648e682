"""Twelve months of contacts for a case, and appointments ahead.

Past appointments carry outcomes (a few failures, each with an enforcement
decision); some cases have one recent appointment still waiting for its outcome,
as happens when an officer has not yet written it up. Appointments ahead have no
outcome.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from caseclient.domain.canonical import JSONValue
from caseserver.synthetic.notes import contact_notes, enforcement_reason
from caseserver.synthetic.randomness import (
    Weighted,
    chance,
    clock_time,
    weekday_on_or_after,
    weekday_on_or_before,
)
from caseserver.synthetic.reference_lists import attribute

AHEAD_SHARE = 0.1          # of a case's contacts, appointments still to come
AHEAD_DAYS = 56
PAST_DAYS = 365
NEEDS_OUTCOME_SHARE = 0.25  # cases with one recent appointment not yet given an outcome

_PAST_TYPES = (("COAP", 40.0), ("CHVS", 8.0), ("CTEL", 15.0), ("CEMT", 8.0), ("CVID", 6.0),
               ("C3WM", 5.0), ("CCRI", 1.0), ("COTH", 4.0))
_AHEAD_TYPES = (("COAP", 60.0), ("CHVS", 12.0), ("CVID", 10.0), ("C3WM", 6.0))
_UNPAID_WORK = ("CUPW", 14.0)
_TYPES = {
    (False, False): Weighted(_PAST_TYPES), (False, True): Weighted((*_PAST_TYPES, _UNPAID_WORK)),
    (True, False): Weighted(_AHEAD_TYPES), (True, True): Weighted((*_AHEAD_TYPES, _UNPAID_WORK)),
}
_APPOINTMENT_OUTCOME = Weighted((("ATTC", 0.78), ("AFTC", 0.04), ("FTA_ACC", 0.07),
                                 ("FTA_UNACC", 0.06), ("RSCH", 0.05)))
_ENFORCEMENT = Weighted((("WARN", 0.45), ("REFER", 0.15), ("FWARN", 0.15), ("BREACH", 0.1),
                         ("NOENF", 0.15)))
_APPOINTMENT_TYPES = frozenset(code for code, _ in (*_PAST_TYPES, *_AHEAD_TYPES, _UNPAID_WORK)
                               if attribute("contact_type", code, "is_appointment") is True)


@dataclass(frozen=True)
class CaseContext:
    """What every contact of one case shares."""

    case_id: str
    event_id: str
    officer_code: str
    first_name: str
    town: str
    unpaid_work: bool
    sentenced: dt.date   # contacts before this belong to no event (the order had not begun)


def is_appointment(contact_type: str) -> bool:
    return contact_type in _APPOINTMENT_TYPES


def case_contacts(rng: random.Random, case: CaseContext, *, count: int, today: dt.date
                  ) -> list[dict[str, JSONValue]]:
    """``count`` contacts: about nine in ten from the last year, the rest booked ahead."""
    if count <= 0:
        return []
    ahead = max(1, round(count * AHEAD_SHARE))
    past = count - ahead
    waiting = past >= 3 and chance(rng, NEEDS_OUTCOME_SHARE)
    out: list[tuple[str, str, dict[str, JSONValue]]] = []
    for index in range(past):
        if waiting and index == 0:
            day = weekday_on_or_before(today - dt.timedelta(days=rng.randrange(1, 4)))
            out.append(_dated(rng, case, "COAP", day, outcome=False))
            continue
        contact_type = _TYPES[False, case.unpaid_work].pick(rng)
        day = today - dt.timedelta(days=rng.randrange(1, PAST_DAYS - 1))  # weekend shift: 365 at most
        if contact_type != "CUPW":
            day = weekday_on_or_before(day)
        out.append(_dated(rng, case, contact_type, day, outcome=True))
    for _ in range(ahead):
        contact_type = _TYPES[True, case.unpaid_work].pick(rng)
        day = today + dt.timedelta(days=rng.randrange(1, AHEAD_DAYS + 1))
        if contact_type != "CUPW":
            day = weekday_on_or_after(day)
        out.append(_dated(rng, case, contact_type, day, outcome=False, ahead=True))
    out.sort(key=lambda item: (item[0], item[1]))
    return [fields for _, _, fields in out]


def _location(contact_type: str, town: str) -> str | None:
    return {
        "COAP": f"{town} probation office", "CHVS": "Home address", "CVID": "Video call",
        "C3WM": f"{town} probation office", "CCRI": f"{town} Magistrates' Court",
        "CUPW": f"{town} community payback site",
    }.get(contact_type)


def _dated(rng: random.Random, case: CaseContext, contact_type: str, day: dt.date, *,
           outcome: bool, ahead: bool = False) -> tuple[str, str, dict[str, JSONValue]]:
    before_order = day < case.sentenced
    if before_order and contact_type == "CUPW":
        contact_type = "COAP"
    appointment = contact_type in _APPOINTMENT_TYPES
    if contact_type == "CUPW":
        start, end = "09:00", rng.choice(("13:00", "16:00", "16:30"))
    else:
        start, end = clock_time(rng)
    fields: dict[str, JSONValue] = {
        "case_id": case.case_id, "contact_type": contact_type, "date": day.isoformat(),
        "start_time": start, "end_time": end, "officer_code": case.officer_code,
    }
    if not before_order:
        fields["event_id"] = case.event_id
    location = _location(contact_type, case.town)
    if location is not None:
        fields["location"] = location
    code: str | None = None
    if outcome:
        code = _APPOINTMENT_OUTCOME.pick(rng) if appointment else (
            "NA" if chance(rng, 0.7) else None)
    if before_order and code in ("AFTC", "FTA_UNACC"):
        code = "ATTC"  # enforcement belongs to an order; none had begun
    if code is not None:
        fields["outcome"] = code
    if code in ("AFTC", "FTA_UNACC"):
        enforcement = _ENFORCEMENT.pick(rng)
        fields["enforcement"] = enforcement
        reason = enforcement_reason(rng, enforcement, case.first_name)
        if reason is not None:
            fields["enforcement_reason"] = reason
        if enforcement == "BREACH":
            fields["alert"] = True
    notes = contact_notes(rng, contact_type=contact_type, outcome=code, name=case.first_name,
                          ahead=ahead or not outcome,
                          required=attribute("contact_type", contact_type, "notes_required") is True)
    if notes and not (ahead and contact_type == "CUPW"):
        fields["notes"] = notes
    if not ahead and chance(rng, 0.03):
        fields["sensitive"] = True
    return day.isoformat(), start, fields
