from __future__ import annotations

import caseclient.domain.assessment as assessment
from caseclient.domain.assessment import SectionState, locked_overall_risk, overview
from caseclient.domain.records import RiskLevel
from caseclient.domain.schema import AssessmentStatus
from tests.domain.assessment.builders import small_template
from tests.domain.assessment.test_workflow import record


def test_public_names_all_import() -> None:
    for name in assessment.__all__:
        assert getattr(assessment, name) is not None, name


def test_overview_of_an_open_complete_assessment() -> None:
    view = overview(small_template(), record())
    assert view.status is AssessmentStatus.OPEN
    assert view.ready_to_sign and view.problems == ()
    progress = view.progress_of("s1")
    assert progress is not None and progress.state is SectionState.COMPLETE
    assert view.progress_of("nope") is None
    assert view.answers["s1.q2"] == 1 and "s2" not in view.shown.sections
    assert view.scores.overall_risk is RiskLevel.LOW


def test_overview_of_a_copied_assessment_shows_review_marks_and_is_not_ready() -> None:
    view = overview(small_template(), record(review_marks=["s1.q1"]))
    assert view.review_marks == {"s1.q1"} and not view.ready_to_sign
    assert not overview(small_template(), record("signed")).ready_to_sign


def test_only_a_locked_assessment_feeds_the_register() -> None:
    assert locked_overall_risk(record("locked", overall_risk="HIGH")) is RiskLevel.HIGH
    assert locked_overall_risk(record("locked", overall_risk="very_high")) is RiskLevel.VERY_HIGH
    assert locked_overall_risk(record("signed", overall_risk="HIGH")) is None
    assert locked_overall_risk(record("locked")) is None
