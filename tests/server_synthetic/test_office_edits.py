"""Edits by other staff: valid fields, real targets, reallocations inside the team."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from caseclient.domain.ids import is_uuid
from caseclient.domain.records import Contact
from caseclient.domain.reference import ReferenceData
from caseclient.domain.schema import check_fields
from caseclient.domain.validation import check_contact_change, validate_contact_finish
from caseserver.synthetic import Caseload, OfficeEdit, SyntheticRecord, generate, office_edits
from tests.server_synthetic.conftest import TODAY


def edits_for(caseload: Caseload, count: int = 60, seed: int = 4) -> list[OfficeEdit]:
    return office_edits(caseload.records, caseload.officers, count=count, seed=seed, today=TODAY)


def by_id(caseload: Caseload) -> dict[str, SyntheticRecord]:
    return {r.record_id: r for r in caseload.records}


def apply(caseload: Caseload, edits: list[OfficeEdit]) -> dict[str, SyntheticRecord]:
    """The caseload with the edits applied in order, as a server would store it."""
    records = by_id(caseload)
    for edit in edits:
        if edit.kind == "add":
            records[edit.record_id] = SyntheticRecord(edit.record_type, edit.record_id, edit.case_id,
                                                      dict(edit.fields))
        else:
            old = records[edit.record_id]
            records[edit.record_id] = SyntheticRecord(old.record_type, old.record_id, old.case_id,
                                                      {**old.fields, **edit.fields})
    return records


def test_same_seed_same_edits_and_another_seed_others(caseload: Caseload) -> None:
    assert edits_for(caseload) == edits_for(caseload)
    assert edits_for(caseload, seed=5) != edits_for(caseload)


def test_the_stream_has_the_asked_length_and_every_kind(caseload: Caseload) -> None:
    edits = edits_for(caseload)
    assert len(edits) == 60
    assert set(Counter(e.kind for e in edits)) == {"amend", "add", "review", "reallocate"}
    assert edits_for(caseload, count=0) == []


def test_amend_and_review_are_valid_partial_changes_of_existing_records(caseload: Caseload) -> None:
    records = by_id(caseload)
    for edit in edits_for(caseload):
        if edit.kind not in ("amend", "review"):
            continue
        target = records[edit.record_id]
        assert (target.record_type, edit.record_type) == (
            ("contact", "contact") if edit.kind == "amend" else ("register", "register"))
        assert target.case_id == edit.case_id
        assert edit.fields
        assert "case_id" not in edit.fields
        assert check_fields(edit.record_type, edit.fields, partial=True, from_client=True) == []
        if edit.kind == "review":
            assert target.fields["ended"] is False
            assert dt.date.fromisoformat(edit.fields["next_review_date"]) > TODAY


def test_adds_are_new_complete_records_of_an_existing_case(caseload: Caseload) -> None:
    records = by_id(caseload)
    adds = [e for e in edits_for(caseload) if e.kind == "add"]
    assert {e.record_type for e in adds} == {"contact", "register"}
    for edit in adds:
        assert is_uuid(edit.record_id)
        assert edit.record_id not in records
        assert records[edit.case_id].record_type == "case"
        assert edit.fields["case_id"] == edit.case_id
        assert check_fields(edit.record_type, edit.fields, partial=False, from_client=True) == []
    assert len({e.record_id for e in adds}) == len(adds)


def test_reallocations_stay_in_the_team_and_change_the_officer(caseload: Caseload) -> None:
    officers = {o.staff_code: o for o in caseload.officers}
    holder = {r.record_id: r.fields["officer_code"] for r in caseload.records if r.record_type == "case"}
    team = {r.record_id: r.fields["team"] for r in caseload.records if r.record_type == "case"}
    reallocations = 0
    for edit in edits_for(caseload, count=200, seed=8):
        if edit.kind == "reallocate":
            reallocations += 1
            assert edit.record_type == "case" and edit.record_id == edit.case_id
            assert set(edit.fields) == {"officer_code"}
            new = officers[edit.fields["officer_code"]]
            assert new.team == team[edit.case_id] == officers[edit.actor].team
            assert new.grade != "SPO"
            assert officers[edit.actor].grade == "SPO"
            assert new.staff_code != holder[edit.case_id]
            holder[edit.case_id] = new.staff_code
        else:  # the case's officer at that point, or the team's SPO reviewing a register
            actor = officers[edit.actor]
            assert edit.actor == holder[edit.case_id] or (
                edit.kind == "review" and actor.grade == "SPO" and actor.team == team[edit.case_id])
    assert reallocations > 0


def test_short_streams_still_reallocate_a_case(caseload: Caseload) -> None:
    for seed in range(10):
        assert any(e.kind == "reallocate" for e in edits_for(caseload, count=5, seed=seed))


def test_an_officer_alone_in_a_team_keeps_their_cases() -> None:
    alone = generate(officers=1, cases_per_officer=3, contacts_per_case=6, seed=1, today=TODAY)
    edits = office_edits(alone.records, alone.officers, count=20, seed=1, today=TODAY)
    assert len(edits) == 20
    assert all(e.kind != "reallocate" for e in edits)


def test_the_edited_caseload_is_still_valid_and_keeps_the_rules(caseload: Caseload) -> None:
    before = by_id(caseload)
    after = apply(caseload, edits_for(caseload, count=300, seed=2))
    reference = ReferenceData.from_records(
        r.fields for r in caseload.records if r.record_type == "reference")
    for record in after.values():
        assert check_fields(record.record_type, record.fields, partial=False, from_client=False) == []
        if record.record_type != "contact" or record.record_id not in before:
            continue
        old = Contact.from_fields(record.record_id, before[record.record_id].fields)
        new = Contact.from_fields(record.record_id, record.fields)
        assert check_contact_change(old, new) == []
        assert (old.notes or "") in (new.notes or "")  # notes are only ever added to
        if new.outcome is not None:
            now = dt.datetime.combine(TODAY, dt.time(23, 59))
            assert validate_contact_finish(new, reference, now=now).errors == ()
        if new.date is not None and new.date > TODAY:
            assert new.outcome is None


def test_an_empty_caseload_gives_no_edits() -> None:
    assert office_edits([], [], count=5, seed=0, today=TODAY) == []


def test_amends_record_missing_outcomes_and_move_times_ahead_only() -> None:
    small = generate(officers=2, cases_per_officer=4, contacts_per_case=6, seed=1, today=TODAY)
    records = by_id(small)
    edits = office_edits(small.records, small.officers, count=60, seed=0, today=TODAY)
    outcomes = [e for e in edits if e.kind == "amend" and "outcome" in e.fields]
    moves = [e for e in edits if e.kind == "amend" and "start_time" in e.fields]
    assert outcomes and moves
    for edit in outcomes:
        before = records[edit.record_id].fields
        assert "outcome" not in before
        assert dt.date.fromisoformat(before["date"]) < TODAY
    for edit in moves:
        assert dt.date.fromisoformat(records[edit.record_id].fields["date"]) > TODAY
        assert edit.fields["start_time"] < edit.fields["end_time"]


def test_records_read_back_from_a_server_with_gaps_still_give_valid_edits() -> None:
    small = generate(officers=2, cases_per_officer=2, contacts_per_case=3, seed=4, today=TODAY)
    gappy = [SyntheticRecord(r.record_type, r.record_id, r.case_id,
                             {k: v for k, v in r.fields.items() if k not in ("date", "notes", "team")})
             for r in small.records]
    edits = office_edits(gappy, small.officers, count=40, seed=3, today=TODAY)
    assert len(edits) == 40
    for edit in edits:
        partial = edit.kind != "add"
        assert check_fields(edit.record_type, edit.fields, partial=partial, from_client=False) == []
