"""The synthetic caseload: reproducible, valid on the wire, and shaped like a real one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter

import pytest

from caseclient.domain.assessment import check_answer
from caseclient.domain.ids import is_uuid
from caseclient.domain.records import Contact
from caseclient.domain.reference import KINDS, ReferenceData, reference_id
from caseclient.domain.schema import check_fields
from caseclient.domain.validation import validate_contact_finish
from caseserver.synthetic import Caseload, SyntheticRecord, generate
from caseserver.synthetic.assessments import template
from tests.server_synthetic.conftest import TODAY

ORDER = ("reference", "case", "event", "register", "contact", "assessment")


def of_type(caseload: Caseload, record_type: str) -> list[SyntheticRecord]:
    return [r for r in caseload.records if r.record_type == record_type]


def reference_of(caseload: Caseload) -> ReferenceData:
    return ReferenceData.from_records(r.fields for r in of_type(caseload, "reference"))


def test_same_arguments_give_the_same_caseload() -> None:
    first = generate(officers=2, cases_per_officer=3, contacts_per_case=12, seed=5, today=TODAY)
    again = generate(officers=2, cases_per_officer=3, contacts_per_case=12, seed=5, today=TODAY)
    assert first == again
    assert [o.password for o in first.officers] == [o.password for o in again.officers]


def test_another_seed_gives_other_people() -> None:
    one = generate(officers=2, cases_per_officer=3, contacts_per_case=5, seed=1, today=TODAY)
    two = generate(officers=2, cases_per_officer=3, contacts_per_case=5, seed=2, today=TODAY)
    assert {r.record_id for r in one.records if r.record_type == "case"}.isdisjoint(
        r.record_id for r in two.records if r.record_type == "case")
    assert [o.password for o in one.officers] != [o.password for o in two.officers]


def test_more_contacts_leave_the_people_unchanged() -> None:
    few = generate(officers=2, cases_per_officer=3, contacts_per_case=5, seed=9, today=TODAY)
    many = generate(officers=2, cases_per_officer=3, contacts_per_case=30, seed=9, today=TODAY)
    assert of_type(few, "case") == of_type(many, "case")
    assert len(of_type(few, "contact")) == 30
    assert len(of_type(many, "contact")) == 180


def test_every_record_passes_the_wire_schema(caseload: Caseload) -> None:
    problems = [(r.record_type, r.record_id, e) for r in caseload.records
                for e in check_fields(r.record_type, r.fields, partial=False, from_client=False)]
    assert problems == []


def test_records_come_in_dependency_order_with_unique_canonical_ids(caseload: Caseload) -> None:
    ranks = [ORDER.index(r.record_type) for r in caseload.records]
    assert ranks == sorted(ranks)
    assert set(ranks) == set(range(len(ORDER)))
    ids = [r.record_id for r in caseload.records]
    assert all(is_uuid(record_id) for record_id in ids)
    assert len(set(ids)) == len(ids)


def test_every_child_belongs_to_a_case_of_the_caseload(caseload: Caseload) -> None:
    case_ids = {r.record_id for r in of_type(caseload, "case")}
    assert all(r.case_id == r.record_id for r in of_type(caseload, "case"))
    assert all(r.case_id is None for r in of_type(caseload, "reference"))
    for record in caseload.records:
        if record.record_type in ("event", "register", "contact", "assessment"):
            assert record.case_id in case_ids
            assert record.fields["case_id"] == record.case_id
    events = {r.record_id: r.case_id for r in of_type(caseload, "event")}
    for contact in of_type(caseload, "contact"):
        if "event_id" in contact.fields:
            assert events[contact.fields["event_id"]] == contact.case_id


def test_counts_follow_the_arguments(caseload: Caseload) -> None:
    holders = [o for o in caseload.officers if o.grade != "SPO"]
    assert len(holders) == 6
    assert len(of_type(caseload, "case")) == 48
    per_case = Counter(r.case_id for r in of_type(caseload, "contact"))
    assert set(per_case.values()) == {40}


def test_crns_are_unique_and_well_formed() -> None:
    big = generate(officers=5, cases_per_officer=30, contacts_per_case=0, seed=3, today=TODAY)
    crns = [r.fields["crn"] for r in of_type(big, "case")]
    assert len(crns) == 150
    assert len(set(crns)) == len(crns)
    assert all(re.fullmatch(r"[A-Z][0-9]{6}", crn) for crn in crns)


def test_teams_have_case_holders_and_one_spo_each(caseload: Caseload) -> None:
    teams = Counter(o.team for o in caseload.officers if o.grade == "SPO")
    assert set(teams.values()) == {1}
    assert {o.team for o in caseload.officers} == set(teams)
    assert {o.grade for o in caseload.officers} <= {"PO", "PSO", "SPO"}
    assert all(sum(1 for o in caseload.officers if o.team == team and o.grade != "SPO") >= 2
               for team in teams)
    usernames = [o.username for o in caseload.officers]
    assert len(set(usernames)) == len(usernames)
    assert all(re.fullmatch(r"(po|pso|spo)[0-9]+", name) for name in usernames)
    assert len({o.staff_code for o in caseload.officers}) == len(caseload.officers)
    assert all(len(o.password) >= 16 for o in caseload.officers)
    assert all(o.password not in repr(o) for o in caseload.officers)


def test_a_case_is_held_by_a_case_holder_of_its_team(caseload: Caseload) -> None:
    officers = {o.staff_code: o for o in caseload.officers}
    for case in of_type(caseload, "case"):
        officer = officers[case.fields["officer_code"]]
        assert officer.grade != "SPO"
        assert case.fields["team"] == officer.team


def test_at_least_one_officer_is_needed() -> None:
    with pytest.raises(ValueError, match="at least one"):
        generate(officers=0, today=TODAY)
    with pytest.raises(ValueError, match="negative"):
        generate(contacts_per_case=-1, today=TODAY)


def test_people_are_adults_with_fake_phones_and_postcodes(caseload: Caseload) -> None:
    for case in of_type(caseload, "case"):
        born = dt.date.fromisoformat(case.fields["date_of_birth"])
        assert 18 <= (TODAY - born).days // 366 <= 71
        phone = case.fields.get("phone")
        assert phone is None or re.fullmatch(r"07700 900[0-9]{3}|01632 960[0-9]{3}", phone)
        assert re.search(r"\nQ[A-Z][0-9] [0-9][A-Z]{2}$", case.fields["address"])
        assert re.fullmatch(r"[A-D][0-3]", case.fields["tier"])


def test_reference_lists_load_and_cover_every_code_used(caseload: Caseload) -> None:
    for record in of_type(caseload, "reference"):
        assert record.record_id == reference_id(record.fields["kind"], record.fields["code"])
    assert {r.fields["kind"] for r in of_type(caseload, "reference")} == set(KINDS)
    reference = reference_of(caseload)
    assert reference.contact_types["CHVS"].is_appointment
    assert reference.contact_types["CHVS"].notes_required
    assert not reference.contact_types["CTEL"].is_appointment
    assert reference.outcomes["FTA_UNACC"].is_unacceptable_failure
    assert not reference.outcomes["FTA_ACC"].is_unacceptable_failure
    assert reference.enforcements["NOENF"].needs_reason
    assert reference.register_types["RRSH"].levels == ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")
    assert reference.register_types["RMAP"].has_category
    assert reference.order_types["ORA_CO"].community
    assert not reference.order_types["LIC"].community
    assert len(reference.contact_types) == 9
    for contact in of_type(caseload, "contact"):
        assert contact.fields["contact_type"] in reference.contact_types
        assert contact.fields.get("outcome", "NA") in reference.outcomes
        assert contact.fields.get("enforcement", "WARN") in reference.enforcements
    for register in of_type(caseload, "register"):
        assert register.fields["register_type"] in reference.register_types
    for event in of_type(caseload, "event"):
        assert event.fields["order_type"] in reference.order_types


def test_every_case_has_appointments_ahead_without_outcomes(caseload: Caseload) -> None:
    reference = reference_of(caseload)
    ahead: Counter[str | None] = Counter()
    for contact in of_type(caseload, "contact"):
        day = dt.date.fromisoformat(contact.fields["date"])
        if day > TODAY:
            assert reference.contact_types[contact.fields["contact_type"]].is_appointment
            assert "outcome" not in contact.fields
            assert dt.timedelta(0) < day - TODAY <= dt.timedelta(days=60)
            ahead[contact.case_id] += 1
        else:
            assert TODAY - day <= dt.timedelta(days=365)
    assert set(ahead) == {r.record_id for r in of_type(caseload, "case")}


def test_finished_contacts_pass_the_clients_own_finishing_rules(caseload: Caseload) -> None:
    reference = reference_of(caseload)
    end_of_today = dt.datetime.combine(TODAY, dt.time(23, 59))
    start_of_today = dt.datetime.combine(TODAY, dt.time(0, 0))
    waiting: Counter[str | None] = Counter()
    failures = 0
    for record in of_type(caseload, "contact"):
        contact = Contact.from_fields(record.record_id, record.fields)
        assert contact.date is not None
        if contact.date > TODAY:
            now = start_of_today
        elif "outcome" not in record.fields and reference.contact_types[
                record.fields["contact_type"]].is_appointment:
            waiting[record.case_id] += 1  # an outcome not yet written up: "needs an outcome"
            continue
        else:
            now = end_of_today
        result = validate_contact_finish(contact, reference, now=now)
        assert result.errors == (), (record.fields["contact_type"], result.errors)
        failures += bool(contact.outcome and reference.outcomes[contact.outcome].is_unacceptable_failure)
    assert set(waiting.values()) <= {1}
    assert 0 < len(waiting) < len(of_type(caseload, "case"))
    assert failures > 0


def test_notes_vary_and_name_nobody_else(caseload: Caseload) -> None:
    notes = [r.fields["notes"] for r in of_type(caseload, "contact") if "notes" in r.fields]
    assert len(set(notes)) > len(notes) * 0.8
    assert all("{name}" not in text for text in notes)


def test_each_case_has_one_live_event_and_a_risk_of_serious_harm_level(caseload: Caseload) -> None:
    live_events = Counter(r.case_id for r in of_type(caseload, "event") if not r.fields["ended"])
    assert set(live_events.values()) == {1}
    assert len(live_events) == len(of_type(caseload, "case"))
    rosh = Counter(r.case_id for r in of_type(caseload, "register")
                   if r.fields["register_type"] == "RRSH" and not r.fields["ended"])
    assert set(rosh.values()) == {1}
    assert len(rosh) == len(of_type(caseload, "case"))
    for event in of_type(caseload, "event"):
        requirements = event.fields["requirements"]
        assert isinstance(requirements, list) and requirements
        assert all(isinstance(item, dict) and isinstance(item["type"], str) for item in requirements)


def test_some_register_reviews_are_overdue_and_others_not(caseload: Caseload) -> None:
    live = [r for r in of_type(caseload, "register") if not r.fields["ended"]]
    overdue = [r for r in live if dt.date.fromisoformat(r.fields["next_review_date"]) < TODAY]
    assert 0 < len(overdue) < len(live)
    types = {r.fields["register_type"] for r in live}
    assert {"RRSH", "RMAP", "RSTF", "RDAP"} <= types
    for mappa in (r for r in live if r.fields["register_type"] == "RMAP"):
        assert mappa.fields["level"] in ("1", "2", "3")
        assert mappa.fields["category"] in ("1", "2", "3")


def test_each_case_has_exactly_one_locked_countersigned_assessment(caseload: Caseload) -> None:
    officers = {o.staff_code: o for o in caseload.officers}
    cases = {r.record_id: r for r in of_type(caseload, "case")}
    rosh = {r.case_id: r.fields["level"] for r in of_type(caseload, "register")
            if r.fields["register_type"] == "RRSH"}
    assessments = of_type(caseload, "assessment")
    assert Counter(a.case_id for a in assessments) == Counter(dict.fromkeys(cases, 1))
    for assessment in assessments:
        fields = assessment.fields
        case = cases[str(assessment.case_id)]
        assert fields["status"] == "locked"
        assert fields["template_id"] == "caseclient-oasys-style"
        assert fields["template_version"] == 1
        assert fields["assessor_code"] == fields["signed_by"] == case.fields["officer_code"]
        spo = officers[fields["countersigned_by"]]
        assert spo.grade == "SPO" and spo.team == case.fields["team"]
        assert fields["signed_at"] < fields["countersigned_at"]
        assert fields["started_on"] <= fields["signed_at"][:10] <= TODAY.isoformat()
        assert fields["overall_risk"] == rosh[assessment.case_id]
        answers = {k: v for k, v in fields.items() if k.startswith("answer.")}
        assert len(answers) >= 5
        assert all(v in (0, 1, 2) for k, v in answers.items() if re.fullmatch(r"answer\.s\d+\.q\d", k))
        assert isinstance(fields["answer.s3.evidence"], str) and fields["answer.s3.evidence"]


@pytest.mark.parametrize("today", [dt.date(2026, 11, 23), dt.date(2027, 2, 28), dt.date(2028, 2, 29)])
def test_any_day_gives_a_valid_caseload(today: dt.date) -> None:
    caseload = generate(officers=1, cases_per_officer=4, contacts_per_case=15, seed=2, today=today)
    assert [e for r in caseload.records
            for e in check_fields(r.record_type, r.fields, partial=False, from_client=False)] == []
    weekend = [r for r in of_type(caseload, "contact")
               if r.fields["contact_type"] not in ("CUPW",)
               and dt.date.fromisoformat(r.fields["date"]).weekday() >= 5]
    assert weekend == []


def test_records_are_frozen() -> None:
    caseload = generate(officers=1, cases_per_officer=1, contacts_per_case=2, today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        caseload.records[0].record_id = "x"  # type: ignore[misc]


def test_a_review_in_progress_can_sit_beside_the_locked_assessment() -> None:
    plain = generate(officers=2, cases_per_officer=3, contacts_per_case=4, seed=6, today=TODAY)
    both = generate(officers=2, cases_per_officer=3, contacts_per_case=4, seed=6, today=TODAY,
                    assessments_in_progress=True)
    assert of_type(plain, "case") == of_type(both, "case")
    assert of_type(plain, "contact") == of_type(both, "contact")
    assessments = of_type(both, "assessment")
    assert len(assessments) == 2 * len(of_type(both, "case"))
    assert [e for r in assessments for e in check_fields("assessment", r.fields, partial=False,
                                                         from_client=False)] == []
    for case in of_type(both, "case"):
        mine = [a.fields for a in assessments if a.case_id == case.record_id]
        assert sorted(f["status"] for f in mine) == ["locked", "open"]
        locked = next(f for f in mine if f["status"] == "locked")
        current = next(f for f in mine if f["status"] == "open")
        assert not {"signed_by", "signed_at", "countersigned_by", "countersigned_at"} & set(current)
        assert current["assessor_code"] == case.fields["officer_code"]
        assert locked["started_on"] < current["started_on"] <= TODAY.isoformat()
        assert {k for k in current if k.startswith("answer.")} == {
            k for k in locked if k.startswith("answer.")}


def test_assessment_answers_fit_the_shipped_template() -> None:
    caseload = generate(officers=2, cases_per_officer=3, contacts_per_case=2, seed=7,
                        today=dt.date(2026, 11, 24), assessments_in_progress=True)
    shipped = template()
    checked = 0
    for record in caseload.records:
        if record.record_type != "assessment":
            continue
        assert record.fields["scores"], "scores come from the client's scoring engine"
        for name, value in record.fields.items():
            if name.startswith("answer."):
                question = shipped.question(name.removeprefix("answer."))
                assert question is not None, name
                assert check_answer(question, value) is None, (name, value)
                checked += 1
    assert checked > 0
