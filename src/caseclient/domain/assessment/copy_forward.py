"""Copy answers forward from the last locked assessment, each marked for review.

Only answers that still fit a question of the new template are copied (a later
template version may drop or change questions), and only questions the template
allows to be copied (``copy_forward``; the date of the offence, for example, is
not). Every copied question id goes into the new record's review marks until
the officer confirms it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from caseclient.domain.assessment.answers import answer_field, answers_from_fields, usable
from caseclient.domain.assessment.review import REVIEW_FIELD, review_marks_value
from caseclient.domain.assessment.template import Template
from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import AssessmentStatus


@dataclass(frozen=True)
class CopiedAnswers:
    fields: dict[str, JSONValue]        # "answer.<id>" fields
    review_marks: tuple[str, ...]       # copied question ids, in template order

    def as_changes(self) -> dict[str, JSONValue]:
        """Fields to add to a new assessment: the answers and their review marks."""
        return {**self.fields, REVIEW_FIELD: review_marks_value(self.review_marks)}


def copy_forward(template: Template, previous: Mapping[str, JSONValue]) -> CopiedAnswers:
    """Answers of ``previous`` (a locked assessment) that fit ``template``."""
    if previous.get("status") != AssessmentStatus.LOCKED.value:
        raise ValueError("Answers are copied forward only from a locked assessment.")
    answers = answers_from_fields(previous)
    copied: dict[str, JSONValue] = {}
    marks: list[str] = []
    for _, question in template.questions():
        value = answers.get(question.id)
        if question.copy_forward and usable(question, value):
            copied[answer_field(question.id)] = value
            marks.append(question.id)
    return CopiedAnswers(copied, tuple(marks))


def _when_locked(fields: Mapping[str, JSONValue]) -> str:
    value = fields.get("countersigned_at") or fields.get("signed_at") or ""
    return value if isinstance(value, str) else ""


def last_locked(assessments: Iterable[tuple[str, Mapping[str, JSONValue]]]
                ) -> tuple[str, Mapping[str, JSONValue]] | None:
    """The most recently countersigned of a case's assessments, as (id, fields)."""
    locked = [(rid, f) for rid, f in assessments if f.get("status") == AssessmentStatus.LOCKED.value]
    return max(locked, key=lambda item: (_when_locked(item[1]), item[0])) if locked else None
