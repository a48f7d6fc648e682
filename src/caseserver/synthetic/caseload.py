"""``generate``: a whole synthetic caseload, officers and records, from one seed."""

from __future__ import annotations

import datetime as dt

from caseserver.synthetic.assessments import assessment_in_progress, locked_assessment
from caseserver.synthetic.contacts import CaseContext, case_contacts
from caseserver.synthetic.events import current_event, ended_event, has_unpaid_work
from caseserver.synthetic.model import Caseload, SyntheticOfficer, SyntheticRecord
from caseserver.synthetic.people import make_officers, new_crn, person_fields
from caseserver.synthetic.randomness import Weighted, chance, make_rng, new_id
from caseserver.synthetic.reference_lists import reference_records
from caseserver.synthetic.registers import ROSH_LEVEL, case_registers

_PSO_ROSH = Weighted((("LOW", 0.55), ("MEDIUM", 0.45)))  # PSOs hold lower-risk cases


def generate(*, officers: int = 3, cases_per_officer: int = 10, contacts_per_case: int = 20,
             seed: int = 0, today: dt.date, assessments_in_progress: bool = False) -> Caseload:
    """A made-up caseload: ``officers`` case holders in teams, each with an SPO, and their cases.

    Every case has a person, one live event (a quarter also an ended one), registers
    with review dates, ``contacts_per_case`` contacts (about a tenth of them
    appointments ahead, the rest from the last 12 months) and one locked assessment;
    with ``assessments_in_progress`` also an open review assessment (the current and
    the last completed assessment of a caseload pack: two per case).
    The same arguments always give the same caseload; each case draws from its own
    seeded stream, so changing ``contacts_per_case`` leaves the people as they were.
    """
    if cases_per_officer < 0 or contacts_per_case < 0:
        raise ValueError("Cases per officer and contacts per case cannot be negative.")
    rng = make_rng(seed)
    staff = make_officers(rng, officers)
    spo_of_team = {officer.team: officer.staff_code for officer in staff if officer.grade == "SPO"}
    groups: dict[str, list[SyntheticRecord]] = {
        "case": [], "event": [], "register": [], "contact": [], "assessment": []}
    crns: set[str] = set()
    for officer in staff:
        if officer.grade == "SPO":
            continue
        for _ in range(cases_per_officer):
            case_seed, contact_seed = rng.getrandbits(64), rng.getrandbits(64)
            _add_case(groups, officer, spo_of_team[officer.team], crns, case_seed=case_seed,
                      contact_seed=contact_seed, contacts=contacts_per_case, today=today,
                      in_progress=assessments_in_progress)
    records = reference_records()
    for record_type in ("case", "event", "register", "contact", "assessment"):
        records.extend(groups[record_type])
    return Caseload(officers=tuple(staff), records=tuple(records))


def _add_case(groups: dict[str, list[SyntheticRecord]], officer: SyntheticOfficer, spo_code: str,
              crns: set[str], *, case_seed: int, contact_seed: int, contacts: int,
              today: dt.date, in_progress: bool) -> None:
    rng = make_rng(case_seed)
    case_id = new_id(rng)
    rosh = (_PSO_ROSH if officer.grade == "PSO" else ROSH_LEVEL).pick(rng)
    person = person_fields(rng, crn=new_crn(rng, crns), rosh_level=rosh, today=today)
    person.update(officer_code=officer.staff_code, team=officer.team)
    groups["case"].append(SyntheticRecord("case", case_id, case_id, person))

    event_id = new_id(rng)
    event = current_event(rng, case_id, today)
    groups["event"].append(SyntheticRecord("event", event_id, case_id, event))
    if chance(rng, 0.25):
        groups["event"].append(SyntheticRecord("event", new_id(rng), case_id,
                                               ended_event(rng, case_id, today)))

    for fields in case_registers(rng, case_id=case_id, officer_code=officer.staff_code,
                                 rosh_level=rosh, today=today):
        groups["register"].append(SyntheticRecord("register", new_id(rng), case_id, fields))

    locked = locked_assessment(rng, case_id=case_id, assessor_code=officer.staff_code,
                               spo_code=spo_code, rosh_level=rosh, today=today)
    groups["assessment"].append(SyntheticRecord("assessment", new_id(rng), case_id, locked))
    if in_progress:
        groups["assessment"].append(SyntheticRecord("assessment", new_id(rng), case_id,
                                                    assessment_in_progress(rng, locked, today=today)))

    contact_rng = make_rng(contact_seed)
    context = CaseContext(case_id=case_id, event_id=event_id, officer_code=officer.staff_code,
                          first_name=str(person["first_name"]), town=officer.team.split()[0],
                          unpaid_work=has_unpaid_work(event),
                          sentenced=dt.date.fromisoformat(str(event["sentence_date"])))
    for fields in case_contacts(contact_rng, context, count=contacts, today=today):
        groups["contact"].append(SyntheticRecord("contact", new_id(contact_rng), case_id, fields))
