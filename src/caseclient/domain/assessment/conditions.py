"""Which sections and questions are shown, given the answers so far.

A condition reads only answers to questions that are themselves shown: an answer
left behind in a hidden question (say the screening was changed back to "no")
neither opens anything nor counts anywhere. The loader guarantees a condition
reads only questions earlier in the template, so one pass in template order is
enough and there are no cycles.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseclient.domain.assessment.answers import Answers, usable
from caseclient.domain.assessment.template import (
    AnswerIn,
    AnyOf,
    Condition,
    Question,
    Section,
    Template,
)
from caseclient.domain.canonical import JSONValue


def condition_holds(condition: Condition | None, answers: Answers) -> bool:
    """True when there is no condition, or when ``answers`` meet it."""
    if condition is None:
        return True
    if isinstance(condition, AnswerIn):
        return condition.question in answers and answers[condition.question] in condition.values
    if isinstance(condition, AnyOf):
        return any(condition_holds(part, answers) for part in condition.conditions)
    return all(condition_holds(part, answers) for part in condition.conditions)


@dataclass(frozen=True)
class Visibility:
    """The shown sections and questions, and the answers that count."""

    sections: frozenset[str]
    questions: frozenset[str]
    answers: dict[str, JSONValue]   # usable answers to shown questions only

    def shows_section(self, section: Section) -> bool:
        return section.id in self.sections

    def shows(self, question: Question) -> bool:
        return question.id in self.questions


def visibility(template: Template, answers: Answers) -> Visibility:
    shown_sections: set[str] = set()
    shown_questions: set[str] = set()
    counted: dict[str, JSONValue] = {}
    for section in template.sections:
        if not condition_holds(section.shown_when, counted):
            continue
        shown_sections.add(section.id)
        for question in section.questions:
            if not condition_holds(question.shown_when, counted):
                continue
            shown_questions.add(question.id)
            value = answers.get(question.id)
            if usable(question, value):
                counted[question.id] = value
    return Visibility(frozenset(shown_sections), frozenset(shown_questions), counted)


def visible_questions(template: Template, answers: Answers) -> list[tuple[Section, Question]]:
    """Shown questions in template order, with their sections."""
    shown = visibility(template, answers)
    return [(s, q) for s, q in template.questions() if shown.shows(q)]
