from __future__ import annotations

from typing import Any

import pytest

from caseclient.domain.assessment.loader import TemplateError, parse_template, parse_template_text
from caseclient.domain.assessment.template import (
    AnswerIn,
    AnyOf,
    QuestionKind,
    SectionKind,
)
from caseclient.domain.schema import ASSESSMENT, FieldKind
from tests.domain.assessment.builders import mutated, shipped, small_template_data

NEEDS_TITLES = ["Analysis of offences", "Accommodation", "Education, training and employability",
                "Financial management and income", "Relationships", "Lifestyle and associates",
                "Drug misuse", "Alcohol misuse", "Emotional wellbeing", "Thinking and behaviour",
                "Attitudes"]


def test_shipped_template_has_the_thirteen_sections_rosh_and_plans() -> None:
    template = shipped()
    assert template.key == ("caseclient-oasys-style", 1)
    assert [s.number for s in template.sections] == [str(n) for n in range(1, 14)] + [
        "R1", "R2", "R3", "SP", "RMP"]
    needs = [s for s in template.sections if s.kind is SectionKind.NEEDS]
    assert [s.title for s in needs] == NEEDS_TITLES
    for section in needs:
        assert section.threshold is not None and 1 <= section.threshold <= section.max_weighted
        harm, offending = template.question(section.harm_link or ""), template.question(
            section.offending_link or "")
        assert harm is not None and harm.kind is QuestionKind.YES_NO and harm.mandatory
        assert offending is not None and offending.kind is QuestionKind.YES_NO
    summary = template.section("r3")
    assert summary is not None and summary.kind is SectionKind.ROSH_SUMMARY
    assert [g.id for g in summary.risk_groups] == ["children", "public", "known_adult", "staff",
                                                   "prisoners"]
    for group in summary.risk_groups:
        for qid in (group.community, group.custody):
            question = template.question(qid)
            assert question is not None and question.kind is QuestionKind.RISK_LEVEL
    rmp = template.section("rmp")
    assert rmp is not None and {q.id for q in rmp.questions} >= {
        "rmp.supervision", "rmp.monitoring", "rmp.interventions", "rmp.victim_safety",
        "rmp.contingency"}
    assert [p.id for p in template.predictors] == ["ogrs3"]


def test_full_analysis_opens_on_any_screening_answer_of_yes_or_dont_know() -> None:
    template = shipped()
    analysis = template.section("r2")
    screening = template.section("r1")
    assert analysis is not None and screening is not None
    assert isinstance(analysis.shown_when, AnyOf)
    screened = {q.id for q in screening.questions if q.kind is QuestionKind.YES_NO_UNKNOWN}
    parts = analysis.shown_when.conditions
    assert {p.question for p in parts if isinstance(p, AnswerIn)} == screened
    assert all(isinstance(p, AnswerIn) and set(p.values) == {"yes", "dont_know"} for p in parts)


def test_question_ids_fit_the_wire_answer_field_names() -> None:
    for _, question in shipped().questions():
        spec = ASSESSMENT.field("answer." + question.id)
        assert spec is not None and spec.kind is FieldKind.ANSWER


def problems_of(data: Any) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        parse_template(data)
    return list(caught.value.problems)


def test_unknown_kind_is_named_with_the_kinds_that_exist() -> None:
    data = mutated(small_template_data())
    data["sections"][1]["questions"][0]["kind"] = "scor"
    problems = problems_of(data)
    assert problems == ["question 's1.q1': the kind \"scor\" is not known; use one of score, yes_no, "
                        "yes_no_unknown, choice, date, text, long_text, risk_level."]


def test_every_problem_is_listed_at_once() -> None:
    data = mutated(small_template_data())
    data["version"] = 0
    data["sections"][1]["threshold"] = 99
    data["sections"][1]["questions"][1]["id"] = "s1.q1"
    data["sections"][0]["questions"][0]["mandatory"] = "yes"
    data["sections"][0]["colour"] = "red"
    problems = problems_of(data)
    assert "template: 'version' must be a whole number from 1 up." in problems
    assert "section 'gate': 'colour' is not a known setting (check the spelling)." in problems
    assert "question 'gate.risk': 'mandatory' must be true or false." in problems
    assert "question 's1.q1': another question already has this id." in problems
    assert any(p.startswith("section 's1': 'threshold' must be a whole number from 1 to") for p in problems)
    assert len(problems) == 5


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["sections"][2].update(shown_when={"question": "s9.q1", "equals": 1}),
     "section 's2': the condition reads question 's9.q1', which is not an earlier question of this "
     "template."),
    (lambda d: d["sections"][2].update(shown_when={"question": "gate.risk", "equals": "maybe"}),
     "section 's2': question 'gate.risk' can never be answered \"maybe\"."),
    (lambda d: d["sections"][2].update(shown_when={"question": "gate.risk"}),
     "section 's2': a condition on a question needs exactly one of 'equals' or 'in'."),
    (lambda d: d["sections"][2].update(shown_when={"any": []}),
     "section 's2': 'any' must be a non-empty list of conditions."),
    (lambda d: d["sections"][2].update(shown_when={"any": [], "all": []}),
     "section 's2': a condition needs exactly one of 'any', 'all' or 'question'."),
    (lambda d: d["sections"][1].update(harm_link="s1.q1"),
     "section 's1': 'harm_link' must name a yes/no question of this section."),
    (lambda d: d["sections"][0].update(threshold=2),
     "section 'gate': only needs sections have a threshold."),
    (lambda d: d["sections"][0]["questions"][1].update(help=None),
     "question 'gate.notes': 'help' must be text."),
    (lambda d: d["sections"][0]["questions"][1].update(weight=2),
     "question 'gate.notes': only score questions have a weight."),
    (lambda d: d["sections"][1]["questions"][0].update(weight=11),
     "question 's1.q1': 'weight' must be a whole number from 1 to 10."),
    (lambda d: d["sections"][0]["questions"][1].update(options=[{"value": "a", "label": "A"}]),
     "question 'gate.notes': only choice questions have options."),
    (lambda d: d["sections"][0]["questions"][1].update(kind="choice"),
     "question 'gate.notes': a choice question needs a non-empty list of options."),
    (lambda d: d["sections"][0]["questions"][1].update(id="Gate Notes"),
     "section 'gate', question 2: 'id' must be 1 to 64 lower-case letters, digits, '.', '_' or '-', "
     "starting with a letter or digit."),
    (lambda d: d["sections"][3]["risk_groups"][0].update(community="gate.risk"),
     "section 'sum', risk group 1: 'community' must name a risk level question of this section."),
    (lambda d: d["sections"][1]["questions"][0].update(shown_when={"question": "s1.q1", "equals": 1}),
     "question 's1.q1': the condition reads question 's1.q1', which is not an earlier question of "
     "this template."),
])
def test_a_broken_rule_gives_one_plain_message(change: Any, expected: str) -> None:
    data = mutated(small_template_data())
    change(data)
    assert problems_of(data) == [expected]


def test_not_json_and_not_an_object() -> None:
    with pytest.raises(TemplateError) as caught:
        parse_template_text("{\"template_id\": ", source="broken.json")
    assert caught.value.problems[0].startswith("broken.json: not valid JSON (line 1, column 17")
    assert problems_of([]) == ["template: the file must hold one JSON object."]


def test_a_small_template_reads_into_the_model() -> None:
    template = parse_template(small_template_data())
    s2 = template.section("s2")
    assert s2 is not None and s2.shown_when == AnswerIn("gate.risk", ("yes", "dont_know"))
    assert s2.max_weighted == 6 and s2.threshold == 2
    assert template.section_of("s2.q3") is s2
    assert template.question("nope") is None
