"""The scoring engine: section totals, weighted scores, needs, and the overall risk level.

Pure functions of a template and the answers. Only shown questions with answers
that fit them count (see :mod:`conditions`), so a hidden question never moves a
score. Weights and thresholds are the template's data, documented in
``docs/assessment-template.md`` as the project's own, not the official ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseclient.domain.assessment.answers import Answers
from caseclient.domain.assessment.conditions import Visibility, visibility
from caseclient.domain.assessment.template import (
    RISK_LEVEL_VALUES,
    Predictor,
    Section,
    SectionKind,
    Template,
)
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import RiskLevel

SCORES_FORMAT = 1   # version of the JSON kept in the record's ``scores`` field


@dataclass(frozen=True)
class SectionScore:
    """One needs section's scores."""

    section_id: str
    raw_total: int            # sum of the 0/1/2 answers counted
    weighted_total: int       # sum of answer × question weight
    max_weighted: int
    threshold: int
    scored_answered: int      # score questions shown and answered
    scored_shown: int         # score questions shown
    linked_to_harm: bool | None
    linked_to_offending: bool | None

    @property
    def is_need(self) -> bool:
        """A criminogenic need: the weighted total reaches the section's threshold."""
        return self.weighted_total >= self.threshold

    @property
    def complete(self) -> bool:
        """Every shown score question is answered, so "not a need" is final."""
        return self.scored_answered == self.scored_shown


@dataclass(frozen=True)
class GroupRisk:
    group_id: str
    label: str
    community: RiskLevel | None
    custody: RiskLevel | None


@dataclass(frozen=True)
class PredictorResult:
    """A predictor's value, or None with the reason it is not calculated."""

    predictor_id: str
    label: str
    value: float | None
    reason: str


@dataclass(frozen=True)
class AssessmentScores:
    sections: tuple[SectionScore, ...]
    groups: tuple[GroupRisk, ...]
    overall_risk: RiskLevel | None        # highest community level across groups
    full_analysis_open: bool              # the screening indicated a risk of serious harm
    predictors: tuple[PredictorResult, ...]

    @property
    def needs(self) -> tuple[str, ...]:
        """Ids of the sections marked criminogenic needs, in template order."""
        return tuple(score.section_id for score in self.sections if score.is_need)

    def section(self, section_id: str) -> SectionScore | None:
        return next((s for s in self.sections if s.section_id == section_id), None)

    def to_json(self) -> dict[str, JSONValue]:
        """The record's ``scores`` field: a summary kept with a signed assessment."""
        return {
            "format": SCORES_FORMAT,
            "sections": {s.section_id: {"raw": s.raw_total, "weighted": s.weighted_total,
                                        "max": s.max_weighted, "threshold": s.threshold,
                                        "need": s.is_need, "complete": s.complete,
                                        "linked_to_harm": s.linked_to_harm,
                                        "linked_to_offending": s.linked_to_offending}
                         for s in self.sections},
            "needs": list(self.needs),
            "groups": {g.group_id: {"community": g.community.value if g.community else None,
                                    "custody": g.custody.value if g.custody else None}
                       for g in self.groups},
            "overall_risk": self.overall_risk.value if self.overall_risk else None,
            "predictors": {p.predictor_id: {"value": p.value, "reason": p.reason}
                           for p in self.predictors},
        }


def risk_level(value: JSONValue) -> RiskLevel | None:
    """The level an answer names; case-insensitive, None for anything else."""
    if not isinstance(value, str):
        return None
    word = value.strip().upper()
    return RiskLevel(word) if word in RISK_LEVEL_VALUES else None


def highest(levels: list[RiskLevel | None]) -> RiskLevel | None:
    order = list(RiskLevel)
    found = [level for level in levels if level is not None]
    return max(found, key=order.index) if found else None


def section_score(section: Section, shown: Visibility) -> SectionScore:
    raw = weighted = answered = shown_count = 0
    for question in section.questions:
        if not question.scored or not shown.shows(question):
            continue
        shown_count += 1
        value = shown.answers.get(question.id)
        if isinstance(value, int):
            answered += 1
            raw += value
            weighted += value * question.weight

    def link(question_id: str | None) -> bool | None:
        value = shown.answers.get(question_id) if question_id else None
        return value if isinstance(value, bool) else None

    return SectionScore(section_id=section.id, raw_total=raw, weighted_total=weighted,
                        max_weighted=section.max_weighted, threshold=section.threshold or 0,
                        scored_answered=answered, scored_shown=shown_count,
                        linked_to_harm=link(section.harm_link),
                        linked_to_offending=link(section.offending_link))


def predictor_results(predictors: tuple[Predictor, ...]) -> tuple[PredictorResult, ...]:
    """No predictor formula is cited in this repository, so none is calculated."""
    return tuple(PredictorResult(p.id, p.label, None, p.not_calculated_reason) for p in predictors)


def score_assessment(template: Template, answers: Answers) -> AssessmentScores:
    shown = visibility(template, answers)
    sections = tuple(section_score(section, shown) for section in template.sections
                     if section.kind is SectionKind.NEEDS and shown.shows_section(section))
    groups: list[GroupRisk] = []
    for section in template.sections:
        if section.kind is not SectionKind.ROSH_SUMMARY or not shown.shows_section(section):
            continue
        for group in section.risk_groups:
            groups.append(GroupRisk(group.id, group.label,
                                    risk_level(shown.answers.get(group.community)),
                                    risk_level(shown.answers.get(group.custody))))
    analysis_open = any(shown.shows_section(s) for s in template.sections
                        if s.kind is SectionKind.ROSH_ANALYSIS)
    return AssessmentScores(sections=sections, groups=tuple(groups),
                            overall_risk=highest([g.community for g in groups]),
                            full_analysis_open=analysis_open,
                            predictors=predictor_results(template.predictors))
