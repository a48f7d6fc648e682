from __future__ import annotations

from caseclient.domain.assessment.completion import (
    ProblemKind,
    QuestionRef,
    SectionState,
    next_unanswered,
    section_progress,
    signing_problems,
)
from caseclient.domain.assessment.conditions import visible_questions
from caseclient.domain.assessment.template import QuestionKind as K
from tests.domain.assessment.builders import shipped, small_template

COMPLETE_SMALL = {"gate.risk": "no", "s1.q1": 0, "s1.q2": 1, "s1.harm": False, "s1.offending": True,
                  "sum.public.c": "LOW", "sum.public.k": "LOW", "sum.staff.c": "LOW",
                  "sum.staff.k": "MEDIUM"}


def states(answers: dict[str, object]) -> dict[str, SectionState]:
    return {p.section_id: p.state for p in section_progress(small_template(), answers)}


def test_section_states_follow_the_answers() -> None:
    assert states({}) == {"gate": SectionState.NOT_STARTED, "s1": SectionState.NOT_STARTED,
                          "s2": SectionState.HIDDEN, "sum": SectionState.NOT_STARTED}
    assert states({"gate.risk": "yes", "s1.q1": 2}) == {
        "gate": SectionState.COMPLETE, "s1": SectionState.IN_PROGRESS,
        "s2": SectionState.NOT_STARTED, "sum": SectionState.NOT_STARTED}
    assert set(states(COMPLETE_SMALL).values()) == {SectionState.COMPLETE, SectionState.HIDDEN}


def test_progress_counts_and_lists_missing_mandatory_answers_in_order() -> None:
    progress = {p.section_id: p for p in section_progress(small_template(), {"s1.q2": 2, "s1.harm": True})}
    s1 = progress["s1"]
    assert (s1.answered, s1.shown, s1.mandatory_missing) == (2, 4, ("s1.q1", "s1.offending"))
    assert progress["gate"].shown == 2 and progress["s2"].shown == 0


def test_signing_lists_every_missing_mandatory_answer_with_section_and_message() -> None:
    problems = signing_problems(small_template(), {"gate.risk": "dont_know", "s1.q1": 1})
    assert [(p.question_id, p.section_id, p.kind) for p in problems] == [
        ("s1.q2", "s1", ProblemKind.MISSING), ("s1.harm", "s1", ProblemKind.MISSING),
        ("s1.offending", "s1", ProblemKind.MISSING),
        ("s2.q1", "s2", ProblemKind.MISSING), ("s2.q2", "s2", ProblemKind.MISSING),
        ("s2.q3", "s2", ProblemKind.MISSING), ("s2.harm", "s2", ProblemKind.MISSING),
        ("s2.offending", "s2", ProblemKind.MISSING),
        ("sum.public.c", "sum", ProblemKind.MISSING), ("sum.public.k", "sum", ProblemKind.MISSING),
        ("sum.staff.c", "sum", ProblemKind.MISSING), ("sum.staff.k", "sum", ProblemKind.MISSING)]
    assert problems[0].message == "Section 1. Section s1, \u201cScore 2\u201d: this question needs an answer."
    assert signing_problems(small_template(), COMPLETE_SMALL) == ()


def test_signing_names_answers_that_do_not_fit_and_unreviewed_copies() -> None:
    answers = {**COMPLETE_SMALL, "s1.q1": 5, "gate.notes": "copied text"}
    problems = signing_problems(small_template(), answers, review_marks={"gate.notes", "s2.q1"})
    assert [(p.question_id, p.kind) for p in problems] == [
        ("gate.notes", ProblemKind.REVIEW), ("s1.q1", ProblemKind.INVALID)]
    assert problems[1].message.endswith("Choose 0 (no problems), 1 (some problems) or 2 "
                                        "(significant problems).")
    assert "copied from the last assessment" in problems[0].message


def test_blank_text_is_not_an_answer_but_zero_and_no_are() -> None:
    answers = {**COMPLETE_SMALL, "s1.q1": 0, "s1.harm": False}
    assert signing_problems(small_template(), answers) == ()
    template = shipped()
    problems = signing_problems(template, {"s1.current_offence": "   "})
    assert problems[0].question_id == "s1.current_offence"


def test_next_unanswered_walks_forward_and_wraps() -> None:
    template = small_template()
    assert next_unanswered(template, {}) == QuestionRef("gate", "gate.risk")
    answers = {"gate.risk": "no", "s1.q1": 1}
    assert next_unanswered(template, answers) == QuestionRef("gate", "gate.notes")
    assert next_unanswered(template, answers, after="gate.notes") == QuestionRef("s1", "s1.q2")
    assert next_unanswered(template, answers, mandatory_only=True) == QuestionRef("s1", "s1.q2")
    # after the last question it wraps to the first unanswered one
    assert next_unanswered(template, answers, after="sum.staff.k") == QuestionRef("gate", "gate.notes")
    # hidden s2 is skipped
    assert next_unanswered(template, answers, after="s1.offending") == QuestionRef("sum", "sum.public.c")
    full = {**COMPLETE_SMALL, "gate.notes": "n"}
    assert next_unanswered(template, full) is None


def test_shipped_template_screening_opens_analysis_and_plan_follows_levels() -> None:
    template = shipped()
    def shown_sections(answers: dict[str, object]) -> set[str]:
        return {s.id for s, _ in visible_questions(template, answers)}
    assert "r2" not in shown_sections({}) and "rmp" not in shown_sections({})
    assert "r2" in shown_sections({"r1.weapons": "yes"})
    assert "rmp" in shown_sections({"r3.staff.custody": "MEDIUM"})
    assert "rmp" not in shown_sections({"r3.staff.custody": "LOW"})
    shown = {q.id for _, q in visible_questions(template, {"s8.ever_used": "no"})}
    assert "s8.q1" not in shown and "s8.evidence" in shown


def filled(template_answers: dict[str, object] | None = None) -> dict[str, object]:
    """A valid answer to every question of the shipped template, low risk, no screening concerns."""
    sample = {K.SCORE: 1, K.YES_NO: False, K.YES_NO_UNKNOWN: "no", K.DATE: "2026-10-01",
              K.TEXT: "Short answer", K.LONG_TEXT: "A longer answer.", K.RISK_LEVEL: "LOW"}
    answers: dict[str, object] = {}
    for _, question in shipped().questions():
        answers[question.id] = (question.options[0].value if question.options
                                else sample[question.kind])
    answers.update(template_answers or {})
    return answers


def test_a_fully_answered_shipped_assessment_can_be_signed() -> None:
    assert signing_problems(shipped(), filled()) == ()


def test_screening_concern_and_medium_level_make_the_analysis_and_plan_mandatory() -> None:
    template = shipped()
    answers = filled({"r1.weapons": "dont_know", "r3.public.community": "MEDIUM"})
    for section_id in ("r2", "rmp"):
        section = template.section(section_id)
        assert section is not None
        for question in section.questions:
            answers.pop(question.id)
    missing = [p.question_id for p in signing_problems(template, answers)]
    assert missing == ["r2.current", "r2.previous", "r2.triggers", "r2.victims", "rmp.supervision",
                       "rmp.monitoring", "rmp.interventions", "rmp.victim_safety", "rmp.contingency"]
    # with no concern and every level low, the same gaps do not matter
    calm = {**answers, "r1.weapons": "no", "r3.public.community": "LOW"}
    assert signing_problems(template, calm) == ()
