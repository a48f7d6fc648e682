"""Answers for the shipped template, built by walking it as an officer would."""

from __future__ import annotations

from caseclient.domain.assessment import QuestionKind, Template, next_unanswered
from caseclient.domain.canonical import JSONValue

OFFICER_CODE = "PO1"


def sample_answer(template: Template, question_id: str, *, risk: str = "LOW") -> JSONValue:
    question = template.question(question_id)
    assert question is not None
    kind = question.kind
    if kind is QuestionKind.SCORE:
        return 1
    if kind is QuestionKind.YES_NO:
        return False
    if kind is QuestionKind.YES_NO_UNKNOWN:
        return "no"
    if kind is QuestionKind.CHOICE:
        return question.options[0].value
    if kind is QuestionKind.DATE:
        return "2026-11-01"
    if kind is QuestionKind.RISK_LEVEL:
        return risk
    return f"Answer to {question.text}"


def complete_answers(template: Template, *, risk: str = "LOW") -> dict[str, JSONValue]:
    """Every shown question answered (mandatory or not), in template order."""
    answers: dict[str, JSONValue] = {}
    while (ref := next_unanswered(template, answers)) is not None:
        answers[ref.question_id] = sample_answer(template, ref.question_id, risk=risk)
    return answers
