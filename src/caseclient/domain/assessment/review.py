"""Review marks: answers copied forward that the officer has not yet confirmed.

The record's ``review_marks`` field is a JSON list of question ids. Reading is
lenient (anything that is not a list of ids counts as no marks, so a damaged
value never blocks the editor); writing always gives a sorted, unique list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from caseclient.domain.canonical import JSONValue

REVIEW_FIELD = "review_marks"


def review_marks_of(fields: Mapping[str, JSONValue]) -> frozenset[str]:
    value = fields.get(REVIEW_FIELD)
    if not isinstance(value, list):
        return frozenset()
    return frozenset(item for item in value if isinstance(item, str))


def review_marks_value(marks: Iterable[str]) -> list[JSONValue]:
    return sorted(set(marks))


def confirm_review(fields: Mapping[str, JSONValue], *question_ids: str) -> dict[str, JSONValue]:
    """The change that confirms copied answers (empty when none of them was marked).

    The editor calls this when the officer confirms an answer, and also when they
    change a copied answer: a changed answer has been reviewed.
    """
    marks = review_marks_of(fields)
    remaining = marks - set(question_ids)
    if remaining == marks:
        return {}
    return {REVIEW_FIELD: review_marks_value(remaining)}
