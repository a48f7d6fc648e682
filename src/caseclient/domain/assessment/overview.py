"""Everything the editor, the section list and the PDF export show about one assessment,
worked out in one call from its template and its record fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from caseclient.domain.assessment.answers import answers_from_fields
from caseclient.domain.assessment.completion import (
    SectionProgress,
    SigningProblem,
    section_progress,
    signing_problems,
)
from caseclient.domain.assessment.conditions import Visibility, visibility
from caseclient.domain.assessment.review import review_marks_of
from caseclient.domain.assessment.scoring import AssessmentScores, risk_level, score_assessment
from caseclient.domain.assessment.template import Template
from caseclient.domain.assessment.workflow import status_of
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import RiskLevel
from caseclient.domain.schema import AssessmentStatus


@dataclass(frozen=True)
class AssessmentOverview:
    template: Template
    status: AssessmentStatus | None
    answers: dict[str, JSONValue]
    shown: Visibility
    scores: AssessmentScores
    progress: tuple[SectionProgress, ...]
    problems: tuple[SigningProblem, ...]     # empty: ready to sign
    review_marks: frozenset[str]

    def progress_of(self, section_id: str) -> SectionProgress | None:
        return next((p for p in self.progress if p.section_id == section_id), None)

    @property
    def ready_to_sign(self) -> bool:
        return self.status is AssessmentStatus.OPEN and not self.problems


def overview(template: Template, fields: Mapping[str, JSONValue]) -> AssessmentOverview:
    answers = answers_from_fields(fields)
    marks = review_marks_of(fields)
    return AssessmentOverview(template=template, status=status_of(fields), answers=answers,
                              shown=visibility(template, answers),
                              scores=score_assessment(template, answers),
                              progress=section_progress(template, answers),
                              problems=signing_problems(template, answers, marks),
                              review_marks=marks)


def locked_overall_risk(fields: Mapping[str, JSONValue]) -> RiskLevel | None:
    """The level a locked assessment gives the case's risk of serious harm register.

    Only a locked (countersigned) assessment counts; the level is the one stored
    when it was signed, so a later template change never alters it.
    """
    if status_of(fields) is not AssessmentStatus.LOCKED:
        return None
    return risk_level(fields.get("overall_risk"))
