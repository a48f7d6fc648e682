"""Properties of the scoring engine over the shipped template, with generated answers."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from caseclient.domain.assessment.answers import answer_field
from caseclient.domain.assessment.completion import next_unanswered, signing_problems
from caseclient.domain.assessment.conditions import visibility
from caseclient.domain.assessment.scoring import highest, risk_level, score_assessment
from caseclient.domain.assessment.template import (
    RISK_LEVEL_VALUES,
    SCORE_VALUES,
    YES_NO_UNKNOWN_VALUES,
    Question,
    QuestionKind,
)
from caseclient.domain.assessment.workflow import sign
from tests.domain.assessment.builders import shipped
from tests.domain.assessment.test_workflow import NOW, PO

TEMPLATE = shipped()
QUESTIONS = [q for _, q in TEMPLATE.questions()]
SCORED = [q for q in QUESTIONS if q.scored]


def value_for(question: Question) -> st.SearchStrategy[Any]:
    kind = question.kind
    if kind is QuestionKind.SCORE:
        return st.sampled_from(SCORE_VALUES)
    if kind is QuestionKind.YES_NO:
        return st.booleans()
    if kind is QuestionKind.YES_NO_UNKNOWN:
        return st.sampled_from(YES_NO_UNKNOWN_VALUES)
    if kind is QuestionKind.RISK_LEVEL:
        return st.sampled_from(RISK_LEVEL_VALUES)
    if kind is QuestionKind.CHOICE:
        return st.sampled_from([o.value for o in question.options])
    if kind is QuestionKind.DATE:
        return st.dates().map(lambda d: d.isoformat())
    return st.text(min_size=1, max_size=5)


@st.composite
def answer_sets(draw: st.DrawFn, junk: bool = False) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(QUESTIONS), unique_by=lambda q: q.id))
    answers = {q.id: draw(value_for(q)) for q in chosen}
    if junk:
        for question in draw(st.lists(st.sampled_from(QUESTIONS), max_size=5)):
            answers[question.id] = draw(st.one_of(st.integers(-3, 5), st.text(max_size=3), st.none()))
    return answers


@settings(max_examples=150, deadline=None)
@given(answer_sets(), st.sampled_from(SCORED), st.sampled_from(SCORE_VALUES))
def test_raising_a_score_never_lowers_a_total_or_removes_a_need(answers: dict[str, Any], question: Question,
                                                               raise_to: int) -> None:
    before = score_assessment(TEMPLATE, answers)
    current = answers.get(question.id, 0)
    higher = {**answers, question.id: max(raise_to, current)}
    after = score_assessment(TEMPLATE, higher)
    for old, new in zip(before.sections, after.sections, strict=True):
        assert new.weighted_total >= old.weighted_total
        assert new.raw_total >= old.raw_total
        assert new.is_need or not old.is_need
    assert set(before.needs) <= set(after.needs)


@settings(max_examples=150, deadline=None)
@given(answer_sets(junk=True), answer_sets(junk=True))
def test_hidden_questions_never_count(answers: dict[str, Any], extra: dict[str, Any]) -> None:
    shown = visibility(TEMPLATE, answers)
    hidden_extra = {k: v for k, v in extra.items() if k not in shown.questions}
    # anything written into questions that stay hidden changes nothing
    with_hidden = {**answers, **hidden_extra}
    assert visibility(TEMPLATE, with_hidden).questions == shown.questions
    assert score_assessment(TEMPLATE, with_hidden) == score_assessment(TEMPLATE, answers)
    assert signing_problems(TEMPLATE, with_hidden) == signing_problems(TEMPLATE, answers)
    # and dropping the hidden answers altogether changes nothing either
    only_shown = {k: v for k, v in answers.items() if k in shown.questions}
    assert score_assessment(TEMPLATE, only_shown) == score_assessment(TEMPLATE, answers)


@settings(max_examples=150, deadline=None)
@given(answer_sets(junk=True))
def test_a_shown_question_sits_in_a_shown_section(answers: dict[str, Any]) -> None:
    shown = visibility(TEMPLATE, answers)
    for section, question in TEMPLATE.questions():
        if question.id in shown.questions:
            assert section.id in shown.sections
    assert set(shown.answers) <= shown.questions


@settings(max_examples=150, deadline=None)
@given(answer_sets())
def test_overall_risk_is_the_highest_community_level_and_ignores_custody(answers: dict[str, Any]) -> None:
    scores = score_assessment(TEMPLATE, answers)
    summary = TEMPLATE.section("r3")
    assert summary is not None
    community = [risk_level(answers.get(g.community)) for g in summary.risk_groups]
    assert scores.overall_risk == highest(community)
    custody_changed = {**answers, **{g.custody: "VERY_HIGH" for g in summary.risk_groups}}
    assert score_assessment(TEMPLATE, custody_changed).overall_risk == scores.overall_risk


@settings(max_examples=150, deadline=None)
@given(answer_sets(junk=True))
def test_signing_problems_name_shown_questions_only_and_next_unanswered_is_shown(
        answers: dict[str, Any]) -> None:
    shown = visibility(TEMPLATE, answers)
    problems = signing_problems(TEMPLATE, answers)
    assert all(p.question_id in shown.questions for p in problems)
    assert [p.question_id for p in problems] == sorted(
        (p.question_id for p in problems), key=[q.id for q in QUESTIONS].index)
    nxt = next_unanswered(TEMPLATE, answers)
    if nxt is not None:
        assert nxt.question_id in shown.questions
        assert nxt.question_id not in shown.answers
    missing = [p for p in problems if p.kind.value == "missing"]
    if missing:
        assert next_unanswered(TEMPLATE, answers, mandatory_only=True) is not None


@settings(max_examples=100, deadline=None)
@given(answer_sets(junk=True))
def test_sign_succeeds_exactly_when_there_are_no_signing_problems(answers: dict[str, Any]) -> None:
    fields = {"case_id": "0191e8a0-0000-7000-8000-000000000001", "template_id": TEMPLATE.template_id,
              "template_version": TEMPLATE.version, "status": "open", "assessor_code": PO.staff_code,
              **{answer_field(k): v for k, v in answers.items()}}
    result = sign(TEMPLATE, fields, PO, NOW)
    assert result.ok == (signing_problems(TEMPLATE, answers) == ())
    assert result.problems == (() if result.ok else signing_problems(TEMPLATE, answers))
