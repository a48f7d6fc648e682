from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseclient.domain.assessment.completion import ProblemKind
from caseclient.domain.assessment.workflow import (
    Action,
    allowed_actions,
    check_edit,
    countersign,
    reopen,
    return_for_changes,
    sign,
    supersede,
    timestamp,
)
from caseclient.domain.records import Grade, Officer
from caseclient.domain.schema import check_fields
from tests.domain.assessment.builders import small_template
from tests.domain.assessment.test_completion import COMPLETE_SMALL

PO = Officer("PO1", "Pat Officer", Grade.PO, "Team A")
OTHER_PO = Officer("PO2", "Sam Other", Grade.PO, "Team A")
SPO = Officer("SPO1", "Lee Senior", Grade.SPO, "Team A")
NOW = dt.datetime(2026, 11, 24, 10, 5, tzinfo=dt.UTC)
CASE = "0191e8a0-0000-7000-8000-000000000001"


def record(status: str = "open", **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"case_id": CASE, "template_id": "small", "template_version": 1,
                              "status": status, "assessor_code": "PO1", "started_on": "2026-11-01"}
    fields.update({"answer." + k: v for k, v in COMPLETE_SMALL.items()})
    fields.update(extra)
    return fields


def apply(fields: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return {**fields, **changes}


def test_the_whole_path_open_signed_returned_open_signed_locked() -> None:
    template = small_template()
    fields = record()
    signed = sign(template, fields, PO, NOW)
    assert signed.ok and signed.changes["status"] == "signed"
    assert signed.changes["signed_by"] == "PO1" and signed.changes["signed_at"] == "2026-11-24T10:05:00Z"
    # COMPLETE_SMALL: staff custody MEDIUM, all community LOW → overall LOW
    assert signed.changes["overall_risk"] == "LOW"
    assert signed.changes["scores"]["needs"] == []   # s1 weighted 0×1 + 1×2 = 2 < threshold 3
    fields = apply(fields, signed.changes)
    assert check_fields("assessment", signed.changes, partial=True) == []

    returned = return_for_changes(fields, SPO, "Say more about the drinking.")
    assert returned.changes == {"status": "returned", "return_comments": "Say more about the drinking."}
    fields = apply(fields, returned.changes)
    assert allowed_actions(fields, PO) == (Action.REOPEN,)

    reopened = reopen(fields, PO)
    assert reopened.changes == {"status": "open", "signed_by": None, "signed_at": None}
    fields = apply(fields, reopened.changes)
    fields = apply(fields, sign(template, fields, PO, NOW).changes)

    locked = countersign(fields, SPO, NOW + dt.timedelta(days=1))
    assert locked.changes == {"status": "locked", "countersigned_by": "SPO1",
                              "countersigned_at": "2026-11-25T10:05:00Z"}
    fields = apply(fields, locked.changes)
    assert check_fields("assessment", fields, partial=False) == []
    assert allowed_actions(fields, SPO) == allowed_actions(fields, PO) == ()


def test_signing_refused_with_every_missing_answer() -> None:
    fields = record()
    del fields["answer.s1.q2"], fields["answer.sum.staff.c"]
    result = sign(small_template(), fields, PO, NOW)
    assert not result.ok and result.changes == {}
    assert result.refusal == "This assessment cannot be signed yet: 2 answers need attention."
    assert [(p.question_id, p.kind) for p in result.problems] == [
        ("s1.q2", ProblemKind.MISSING), ("sum.staff.c", ProblemKind.MISSING)]


def test_signing_refused_while_copied_answers_wait_for_review() -> None:
    result = sign(small_template(), record(review_marks=["s1.q1"]), PO, NOW)
    assert result.refusal == "This assessment cannot be signed yet: 1 answer needs attention."
    assert result.problems[0].kind is ProblemKind.REVIEW


@pytest.mark.parametrize(("fields", "officer", "message"), [
    (record(), OTHER_PO, "Only the officer writing this assessment can sign it."),
    (record("signed"), PO, "This assessment is signed and waiting for a senior probation officer. "
                           "It can be changed only if they return it."),
    (record(template_version=2), PO, "This assessment was started on a different template version; "
                                     "sign it with that version."),
    (record("locked"), PO, "This assessment is locked: it was countersigned and can no longer be "
                           "changed."),
])
def test_sign_refusals(fields: dict[str, Any], officer: Officer, message: str) -> None:
    assert sign(small_template(), fields, officer, NOW).refusal == message


def test_only_an_spo_countersigns_and_never_their_own_signature() -> None:
    signed = record("signed", signed_by="PO1")
    assert countersign(signed, PO, NOW).refusal == ("Only a senior probation officer can countersign "
                                                    "an assessment.")
    own = record("signed", signed_by="SPO1", assessor_code="SPO1")
    assert countersign(own, SPO, NOW).refusal == ("You signed this assessment, so another senior "
                                                  "probation officer must countersign it.")
    assert countersign(record("open"), SPO, NOW).refusal == "Only a signed assessment can be countersigned."
    assert countersign(record("locked"), SPO, NOW).refusal == ("This assessment is already "
                                                               "countersigned and locked.")


def test_return_needs_an_spo_a_signed_assessment_and_comments() -> None:
    signed = record("signed", signed_by="PO1")
    assert return_for_changes(signed, PO, "x").refusal == ("Only a senior probation officer can "
                                                           "return an assessment.")
    assert return_for_changes(signed, SPO, "  ").refusal == ("Say what needs to change before "
                                                             "returning the assessment.")
    assert return_for_changes(record("open"), SPO, "x").refusal == "Only a signed assessment can be returned."
    assert return_for_changes(record("locked"), SPO, "x").refusal == ("This assessment is already "
                                                                      "countersigned and locked.")


def test_reopen_only_returned_and_only_by_the_assessor() -> None:
    assert reopen(record("open"), PO).refusal == "Only a returned assessment can be reopened."
    assert reopen(record("returned"), OTHER_PO).refusal == ("Only the officer writing this assessment "
                                                            "can reopen it.")


@pytest.mark.parametrize("status", ["open", "returned", "signed"])
def test_a_newer_assessment_supersedes_an_unfinished_one(status: str) -> None:
    assert supersede(record(status)).changes == {"status": "superseded"}


@pytest.mark.parametrize("status", ["locked", "superseded"])
def test_finished_assessments_are_never_superseded(status: str) -> None:
    assert supersede(record(status)).refusal == ("Only an unfinished assessment (open, returned or "
                                                 "signed) can be replaced.")


def test_locked_never_changes_by_any_route() -> None:
    locked = record("locked", signed_by="PO1", countersigned_by="SPO1")
    assert check_edit(locked, {"answer.s1.q1": 2}) == ("This assessment is locked: it was countersigned "
                                                       "and can no longer be changed.")
    assert check_edit(locked, {}) is not None
    assert not sign(small_template(), locked, PO, NOW).ok
    assert not countersign(locked, SPO, NOW).ok
    assert not return_for_changes(locked, SPO, "x").ok
    assert not reopen(locked, PO).ok
    assert not supersede(locked).ok


def test_ordinary_edits_take_answers_only_while_open() -> None:
    assert check_edit(record(), {"answer.s1.q1": 2, "review_marks": []}) is None
    assert check_edit(record(), {"status": "open"}) is None  # unchanged value is harmless
    assert check_edit(record(), {"status": "locked", "signed_by": "x"}) == (
        "These details change only by signing, countersigning or returning: signed_by, status.")
    assert check_edit(record("returned"), {"answer.s1.q1": 2}) == (
        "This assessment was returned with comments. Reopen it to make changes.")
    assert check_edit(record("superseded"), {"answer.s1.q1": 2}) is not None
    assert check_edit(record("bogus"), {}) is not None


def test_timestamps_need_an_aware_clock() -> None:
    assert timestamp(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == (
        "2026-06-01T11:00:00Z")
    with pytest.raises(ValueError, match="time-zone-aware"):
        timestamp(dt.datetime(2026, 6, 1, 12, 0))
