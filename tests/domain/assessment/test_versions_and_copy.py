from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseclient.domain.assessment.copy_forward import copy_forward, last_locked
from caseclient.domain.assessment.loader import TemplateError, parse_template
from caseclient.domain.assessment.registry import TemplateRegistry, builtin_registry
from caseclient.domain.assessment.review import confirm_review, review_marks_of
from caseclient.domain.assessment.start import start_assessment
from caseclient.domain.assessment.workflow import sign
from caseclient.domain.records import Grade, Officer
from tests.domain.assessment.builders import mutated, shipped, small_template, small_template_data
from tests.domain.assessment.test_workflow import CASE, NOW, PO, record

TODAY = dt.date(2026, 11, 24)


def version_two() -> Any:
    """v2 drops s1.q2, adds s1.q3 (weight 1), and changes nothing else."""
    data = mutated(small_template_data(version=2))
    questions = data["sections"][1]["questions"]
    questions[1] = {"id": "s1.q3", "kind": "score", "text": "New score", "mandatory": True}
    return parse_template(data)


def registry() -> TemplateRegistry:
    return TemplateRegistry([small_template(), version_two()])


def test_an_assessment_keeps_the_template_version_it_began_with() -> None:
    reg = registry()
    assert reg.versions("small") == (1, 2)
    latest = reg.latest("small")
    assert latest is not None and latest.version == 2
    begun = record()   # template_version 1
    template = reg.for_assessment(begun)
    assert template is not None and template.version == 1
    assert template.question("s1.q2") is not None and template.question("s1.q3") is None
    # signing checks against v1: v2's new mandatory question is not asked of it
    assert sign(template, begun, PO, NOW).ok
    assert not sign(version_two(), begun, PO, NOW).ok
    assert reg.for_assessment({"template_id": "small", "template_version": 9}) is None
    assert reg.for_assessment({"template_id": "small", "template_version": "1"}) is None


def test_registry_refuses_the_same_version_twice() -> None:
    with pytest.raises(TemplateError, match="registered twice"):
        TemplateRegistry([small_template(), small_template()])


def test_builtin_registry_holds_the_shipped_template() -> None:
    reg = builtin_registry()
    latest = reg.latest()
    assert latest is not None and latest.key == ("caseclient-oasys-style", 1)
    assert latest == shipped()
    assert len(reg) == len(reg.templates()) >= 1


def locked_small(**extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"signed_by": "PO1", "signed_at": "2026-05-01T10:00:00Z",
                              "countersigned_by": "SPO1", "countersigned_at": "2026-05-02T10:00:00Z"}
    return record("locked", **{**fields, **extra})


def test_copy_forward_marks_every_copied_answer_for_review() -> None:
    copied = copy_forward(small_template(), locked_small(**{"answer.gate.notes": "Old notes"}))
    assert copied.review_marks == ("gate.risk", "gate.notes", "s1.q1", "s1.q2", "s1.harm",
                                   "s1.offending", "sum.public.c", "sum.public.k", "sum.staff.c",
                                   "sum.staff.k")
    assert copied.fields["answer.gate.notes"] == "Old notes"
    assert copied.as_changes()["review_marks"] == sorted(copied.review_marks)


def test_copy_forward_into_a_newer_version_copies_only_what_still_fits() -> None:
    old = locked_small(**{"answer.gate.risk": "maybe"})   # a value v2 cannot hold is left behind
    copied = copy_forward(version_two(), old)
    assert "answer.s1.q2" not in copied.fields and "s1.q2" not in copied.review_marks
    assert "answer.gate.risk" not in copied.fields
    assert "answer.s1.q1" in copied.fields


def test_copy_forward_skips_questions_the_template_keeps_fresh() -> None:
    template = shipped()
    old = {"status": "locked", "answer.s1.offence_date": "2025-01-01", "answer.s1.current_offence": "Theft"}
    copied = copy_forward(template, old)
    assert copied.review_marks == ("s1.current_offence",)


def test_copy_forward_only_from_locked() -> None:
    with pytest.raises(ValueError, match="locked"):
        copy_forward(small_template(), record("signed"))


def test_confirming_reviews_one_by_one() -> None:
    fields = {"review_marks": ["a", "b", "c"]}
    change = confirm_review(fields, "b")
    assert change == {"review_marks": ["a", "c"]}
    assert confirm_review({**fields, **change}, "b") == {}
    assert confirm_review(fields, "a", "b", "c") == {"review_marks": []}
    assert review_marks_of({"review_marks": "not a list"}) == frozenset()
    assert review_marks_of({"review_marks": ["a", 3]}) == {"a"}


def test_last_locked_is_the_latest_countersigned() -> None:
    older = locked_small(countersigned_at="2025-01-01T09:00:00Z")
    newer = locked_small(countersigned_at="2026-01-01T09:00:00Z")
    found = last_locked([("a", older), ("b", newer), ("c", record("open"))])
    assert found is not None and found[0] == "b"
    assert last_locked([("c", record("open"))]) is None


def test_starting_a_new_assessment_supersedes_unfinished_and_copies_locked() -> None:
    existing = [("old-locked", locked_small()), ("draft-1", record("open", started_on="2026-10-01")),
                ("draft-2", record("signed", started_on="2026-11-01")), ("gone", record("superseded"))]
    officer = Officer("PO3", "New Officer", Grade.PO, "Team B")
    new = start_assessment(small_template(), case_id=CASE, officer=officer, today=TODAY, existing=existing)
    assert new.superseded == {"draft-1": {"status": "superseded"}, "draft-2": {"status": "superseded"}}
    assert new.fields["supersedes"] == "draft-2"
    assert new.copied_from == "old-locked"
    assert {k: new.fields[k] for k in ("case_id", "template_id", "template_version", "status",
                                      "assessor_code", "started_on")} == {
        "case_id": CASE, "template_id": "small", "template_version": 1, "status": "open",
        "assessor_code": "PO3", "started_on": "2026-11-24"}
    assert new.fields["answer.s1.q1"] == 0 and "s1.q1" in new.fields["review_marks"]
    # the copied assessment cannot be signed until every copied answer is confirmed
    result = sign(small_template(), new.fields, officer, NOW)
    assert not result.ok and {p.kind.value for p in result.problems} == {"review"}
    confirmed = {**new.fields, **confirm_review(new.fields, *review_marks_of(new.fields))}
    assert sign(small_template(), confirmed, officer, NOW).ok


def test_starting_fresh_without_copying() -> None:
    new = start_assessment(small_template(), case_id=CASE, officer=PO, today=TODAY,
                           existing=[("old", locked_small())], copy_from_last=False)
    assert new.copied_from is None and "review_marks" not in new.fields
    assert new.superseded == {} and "supersedes" not in new.fields
