"""``office_edits``: a bounded stream of changes by staff in the office, to replay on the server.

It exercises what a laptop meets after being away: contacts amended (notes added to,
an outcome recorded, a time moved), registers reviewed or added, new contacts, and a
case reallocated to a colleague in the same team (which takes it off the laptop).

Who makes each change: the case's managing officer at that point in the stream (as if
from an office desktop), except reallocations, made by the team's SPO, and some
register reviews, also done by the SPO. Edits only touch records in the given
caseload (``add`` makes new ones); later edits see the effect of earlier ones, so
notes grow and a reallocated case's edits come from its new officer.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import parse_date
from caseserver.synthetic.contacts import is_appointment
from caseserver.synthetic.model import EditKind, OfficeEdit, SyntheticOfficer, SyntheticRecord
from caseserver.synthetic.notes import contact_notes
from caseserver.synthetic.randomness import (
    Weighted,
    add_months,
    chance,
    clock_time,
    make_rng,
    new_id,
    weekday_on_or_after,
)
from caseserver.synthetic.reference_lists import ROSH_LEVELS, attribute
from caseserver.synthetic.registers import register_fields

_KIND: Weighted[EditKind] = Weighted((("amend", 0.5), ("review", 0.2), ("add", 0.2),
                                      ("reallocate", 0.1)))
_ADDED_NOTES = (
    "Phoned the supported housing provider, who confirmed the room is still available.",
    "Letter from the employer received and scanned to the case file.",
    "Police confirmed there have been no call-outs to the address this month.",
    "Spoke to the drug and alcohol worker: attendance there has been good.",
    "Discussed with the senior probation officer; no change to the plan for now.",
)
_REVIEW_NOTES = (
    "Reviewed: no change to the level. Information from the police checked.",
    "Reviewed after the latest home visit; the flag is still needed.",
    "Reviewed with the senior probation officer; review again at the usual interval.",
)
_NEW_REGISTER_TYPES = ("RSTF", "RDAP", "RCCO", "RVAD", "RWEP")
_REALLOCATE_AT_LEAST_ONCE_FROM = 5  # streams this long always include a reallocation


class _Office:
    """The caseload as the stream of edits has left it so far."""

    def __init__(self, records: Sequence[SyntheticRecord], officers: Sequence[SyntheticOfficer],
                 today: dt.date) -> None:
        self.today = today
        self.cases: dict[str, dict[str, JSONValue]] = {}
        self.contacts: dict[str, dict[str, dict[str, JSONValue]]] = {}   # case → id → fields
        self.registers: dict[str, dict[str, dict[str, JSONValue]]] = {}
        self.live_event: dict[str, str] = {}
        for record in records:
            if record.case_id is None:
                continue
            if record.record_type == "case":
                self.cases[record.record_id] = dict(record.fields)
            elif record.record_type == "contact":
                self.contacts.setdefault(record.case_id, {})[record.record_id] = dict(record.fields)
            elif record.record_type == "register" and record.fields.get("ended") is not True:
                self.registers.setdefault(record.case_id, {})[record.record_id] = dict(record.fields)
            elif record.record_type == "event" and record.fields.get("ended") is not True:
                self.live_event.setdefault(record.case_id, record.record_id)
        self.case_ids = sorted(self.cases)
        self.spo = {o.team: o.staff_code for o in officers if o.grade == "SPO"}
        self.holders: dict[str, list[str]] = {}
        for officer in officers:
            if officer.grade != "SPO":
                self.holders.setdefault(officer.team, []).append(officer.staff_code)

    def officer_of(self, case_id: str) -> str:
        return str(self.cases[case_id].get("officer_code") or "")

    def team_of(self, case_id: str) -> str:
        return str(self.cases[case_id].get("team") or "")

    def reallocatable(self) -> list[str]:
        return [case_id for case_id in self.case_ids
                if len(self.holders.get(self.team_of(case_id), [])) >= 2
                and self.team_of(case_id) in self.spo]


def office_edits(caseload_records: Sequence[SyntheticRecord], officers: Sequence[SyntheticOfficer],
                 *, count: int, seed: int, today: dt.date) -> list[OfficeEdit]:
    """``count`` edits (fewer only when the caseload has nothing left to edit), deterministic in ``seed``."""
    rng = make_rng(seed)
    office = _Office(caseload_records, officers, today)
    if not office.case_ids or count <= 0:
        return []
    kinds = [_KIND.pick(rng) for _ in range(count)]
    if count >= _REALLOCATE_AT_LEAST_ONCE_FROM and "reallocate" not in kinds:
        kinds[rng.randrange(count)] = "reallocate"
    makers = {"amend": _amend, "review": _review, "add": _add, "reallocate": _reallocate}
    out: list[OfficeEdit] = []
    for kind in kinds:
        for fallback in (kind, "amend", "add"):
            edit = makers[fallback](rng, office)
            if edit is not None:
                out.append(edit)
                break
    return out


def _amend(rng: random.Random, office: _Office) -> OfficeEdit | None:
    candidates = [case_id for case_id in office.case_ids if office.contacts.get(case_id)]
    if not candidates:
        return None
    case_id = rng.choice(candidates)
    contacts = office.contacts[case_id]
    contact_id = rng.choice(sorted(contacts))
    current = contacts[contact_id]
    changes = _contact_changes(rng, current, office.today)
    current.update(changes)
    return OfficeEdit("amend", office.officer_of(case_id), "contact", contact_id, case_id, changes)


def _contact_changes(rng: random.Random, current: dict[str, JSONValue], today: dt.date
                     ) -> dict[str, JSONValue]:
    day = parse_date(current.get("date")) or today  # records from a live server: never trust blindly
    contact_type = str(current.get("contact_type") or "")
    stamp = today.strftime("%d/%m/%Y")
    added = f"Added {stamp}: {rng.choice(_ADDED_NOTES)}"
    notes = str(current.get("notes") or "")
    appended = f"{notes}\n\n{added}" if notes else added
    if is_appointment(contact_type) and day < today and current.get("outcome") is None:
        return {"outcome": "ATTC", "notes": appended}
    if is_appointment(contact_type) and day > today and chance(rng, 0.4):
        start, end = clock_time(rng)
        return {"start_time": start, "end_time": end,
                "notes": f"{appended}\n\nTime changed to {start} at the person's request."}
    roll = rng.random()
    if roll < 0.1 and current.get("sensitive") is not True:
        return {"sensitive": True, "notes": appended}
    if roll < 0.2 and current.get("alert") is not True:
        return {"alert": True, "notes": appended}
    return {"notes": appended}


def _review(rng: random.Random, office: _Office) -> OfficeEdit | None:
    candidates = [case_id for case_id in office.case_ids if office.registers.get(case_id)]
    if not candidates:
        return None
    case_id = rng.choice(candidates)
    registers = office.registers[case_id]
    register_id = rng.choice(sorted(registers))
    current = registers[register_id]
    months = current.get("review_months")
    months = months if isinstance(months, int) and months > 0 else 6
    note = f"{office.today.strftime('%d/%m/%Y')}: {rng.choice(_REVIEW_NOTES)}"
    old_notes = str(current.get("notes") or "")
    changes: dict[str, JSONValue] = {
        "next_review_date": add_months(office.today, months).isoformat(),
        "notes": f"{old_notes}\n\n{note}" if old_notes else note,
    }
    if current.get("register_type") == "RRSH" and chance(rng, 0.2):
        changes["level"] = rng.choice([level for level in ROSH_LEVELS if level != current.get("level")])
    current.update(changes)
    team = office.team_of(case_id)
    actor = office.spo[team] if team in office.spo and chance(rng, 0.5) else office.officer_of(case_id)
    return OfficeEdit("review", actor, "register", register_id, case_id, changes)


def _add(rng: random.Random, office: _Office) -> OfficeEdit | None:
    case_id = rng.choice(office.case_ids)
    actor = office.officer_of(case_id)
    live_types = {fields.get("register_type") for fields in office.registers.get(case_id, {}).values()}
    free_types = [code for code in _NEW_REGISTER_TYPES if code not in live_types]
    record_id = new_id(rng)
    if free_types and chance(rng, 0.4):
        register_type = rng.choice(free_types)
        fields = register_fields(rng, case_id=case_id, register_type=register_type, added_by=actor,
                                 today=office.today)
        months = attribute("register_type", register_type, "review_months")
        fields.update(start_date=office.today.isoformat(),
                      next_review_date=add_months(office.today, int(str(months))).isoformat())
        office.registers.setdefault(case_id, {})[record_id] = fields
        return OfficeEdit("add", actor, "register", record_id, case_id, dict(fields))
    fields = _new_contact(rng, office, case_id, actor)
    office.contacts.setdefault(case_id, {})[record_id] = fields
    return OfficeEdit("add", actor, "contact", record_id, case_id, dict(fields))


def _new_contact(rng: random.Random, office: _Office, case_id: str, actor: str
                 ) -> dict[str, JSONValue]:
    name = str(office.cases[case_id].get("first_name") or "")
    start, end = clock_time(rng)
    fields: dict[str, JSONValue] = {"case_id": case_id, "officer_code": actor, "start_time": start,
                                    "end_time": end}
    event_id = office.live_event.get(case_id)
    if event_id is not None:
        fields["event_id"] = event_id
    if chance(rng, 0.5):  # a phone call taken in the office today
        fields.update(contact_type="CTEL", date=office.today.isoformat(), outcome="NA",
                      notes=contact_notes(rng, contact_type="CTEL", outcome="NA", name=name,
                                          ahead=False))
    else:  # an appointment booked ahead
        day = weekday_on_or_after(office.today + dt.timedelta(days=rng.randrange(1, 29)))
        fields.update(contact_type="COAP", date=day.isoformat(),
                      notes="Booked by the office after a phone call.")
    return fields


def _reallocate(rng: random.Random, office: _Office) -> OfficeEdit | None:
    candidates = office.reallocatable()
    if not candidates:
        return None
    case_id = rng.choice(candidates)
    team = office.team_of(case_id)
    current = office.officer_of(case_id)
    others = [code for code in office.holders[team] if code != current]
    new_officer = rng.choice(others)
    office.cases[case_id]["officer_code"] = new_officer
    return OfficeEdit("reallocate", office.spo[team], "case", case_id, case_id,
                      {"officer_code": new_officer})
