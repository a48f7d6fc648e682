"""Answers as they sit in an assessment record, and whether each fits its question.

On the wire every answer is its own field, ``answer.<question id>`` (see
:data:`caseclient.domain.schema.ANSWER_PREFIX`), so two sittings merge answer by
answer. Here answers are a plain mapping from question id to value.
"""

from __future__ import annotations

from collections.abc import Mapping

from caseclient.domain.assessment.template import (
    RISK_LEVEL_VALUES,
    SCORE_VALUES,
    YES_NO_UNKNOWN_VALUES,
    Question,
    QuestionKind,
)
from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import ANSWER_PREFIX, MAX_LONG_TEXT, MAX_TEXT, parse_date

Answers = Mapping[str, JSONValue]


def answer_field(question_id: str) -> str:
    """The wire field holding the answer to ``question_id``."""
    return ANSWER_PREFIX + question_id


def answers_from_fields(fields: Mapping[str, JSONValue]) -> dict[str, JSONValue]:
    """The answers held in an assessment record's fields, keyed by question id."""
    return {name[len(ANSWER_PREFIX):]: value for name, value in fields.items()
            if name.startswith(ANSWER_PREFIX)}


def is_answered(value: JSONValue) -> bool:
    """False for no value, blank text or an empty list; an answer of 0 or "no" counts."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


def _is_int(value: JSONValue) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_answer(question: Question, value: JSONValue) -> str | None:
    """A plain-English problem with an answer, or None when it fits (or is empty)."""
    if not is_answered(value):
        return None
    kind = question.kind
    if kind is QuestionKind.SCORE:
        ok = _is_int(value) and value in SCORE_VALUES
        return None if ok else "Choose 0 (no problems), 1 (some problems) or 2 (significant problems)."
    if kind is QuestionKind.YES_NO:
        return None if isinstance(value, bool) else "Answer yes or no."
    if kind is QuestionKind.YES_NO_UNKNOWN:
        return None if value in YES_NO_UNKNOWN_VALUES else "Answer yes, no or don't know."
    if kind is QuestionKind.RISK_LEVEL:
        return None if value in RISK_LEVEL_VALUES else "Choose low, medium, high or very high."
    if kind is QuestionKind.CHOICE:
        allowed = [option.value for option in question.options]
        if value in allowed:
            return None
        return "Choose one of: " + ", ".join(option.label for option in question.options) + "."
    if kind is QuestionKind.DATE:
        return None if parse_date(value) is not None else "Enter a date, for example 24/11/2026."
    if not isinstance(value, str):
        return "The answer must be text."
    limit = MAX_TEXT if kind is QuestionKind.TEXT else MAX_LONG_TEXT
    if len(value) > limit:
        return f"The answer is longer than {limit:,} characters."
    return None


def usable(question: Question, value: JSONValue) -> bool:
    """An answer that is there and fits its question: the only kind that counts."""
    return is_answered(value) and check_answer(question, value) is None
