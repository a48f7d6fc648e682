"""The typed model of an assessment template: sections, questions, conditions.

A template is data (JSON in ``caseclient/resources/assessments``), read by
:mod:`caseclient.domain.assessment.loader` into these frozen dataclasses. The
editor, the scoring engine and the workflow rules all work from this model, so a
new template version needs no code change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from caseclient.domain.canonical import JSONValue


class QuestionKind(StrEnum):
    SCORE = "score"                    # 0 no problems, 1 some problems, 2 significant problems
    YES_NO = "yes_no"                  # true / false
    YES_NO_UNKNOWN = "yes_no_unknown"  # "yes" / "no" / "dont_know"
    CHOICE = "choice"                  # one option value from the question's options
    DATE = "date"                      # "YYYY-MM-DD"
    TEXT = "text"                      # one line
    LONG_TEXT = "long_text"            # free text, often thousands of words
    RISK_LEVEL = "risk_level"          # "LOW" / "MEDIUM" / "HIGH" / "VERY_HIGH"


class SectionKind(StrEnum):
    INFORMATION = "information"        # facts, not scored
    NEEDS = "needs"                    # scored questions compared with a threshold
    ROSH_SCREENING = "rosh_screening"  # risk of serious harm screening
    ROSH_ANALYSIS = "rosh_analysis"    # full analysis, opened by the screening
    ROSH_SUMMARY = "rosh_summary"      # who is at risk, how, when, and the levels
    PLAN = "plan"                      # sentence plan or risk management plan


SCORE_VALUES: tuple[int, ...] = (0, 1, 2)
YES_NO_UNKNOWN_VALUES: tuple[str, ...] = ("yes", "no", "dont_know")
RISK_LEVEL_VALUES: tuple[str, ...] = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class AnswerIn:
    """True when the answer to ``question`` is one of ``values``."""

    question: str
    values: tuple[JSONValue, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


Condition = AnswerIn | AnyOf | AllOf


def condition_questions(condition: Condition) -> Iterator[str]:
    """Every question id a condition reads."""
    if isinstance(condition, AnswerIn):
        yield condition.question
    else:
        for part in condition.conditions:
            yield from condition_questions(part)


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    help: str = ""
    mandatory: bool = False
    weight: int = 1                     # score questions: multiplier in the section's weighted total
    options: tuple[Option, ...] = ()    # choice questions
    shown_when: Condition | None = None
    copy_forward: bool = True           # copied from the last locked assessment

    @property
    def scored(self) -> bool:
        return self.kind is QuestionKind.SCORE


@dataclass(frozen=True)
class RiskGroup:
    """One group in the RoSH summary, with the questions holding its two levels."""

    id: str
    label: str
    community: str   # question id (kind risk_level)
    custody: str     # question id (kind risk_level)


@dataclass(frozen=True)
class Section:
    id: str
    number: str                          # as officers know it: "3", "R1", "SP"
    title: str
    kind: SectionKind
    questions: tuple[Question, ...]
    help: str = ""
    shown_when: Condition | None = None
    threshold: int | None = None         # needs sections: weighted total at or above marks a need
    harm_link: str | None = None         # question id: "linked to risk of serious harm"
    offending_link: str | None = None    # question id: "linked to offending behaviour"
    risk_groups: tuple[RiskGroup, ...] = ()   # RoSH summary only

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    @property
    def max_weighted(self) -> int:
        return sum(max(SCORE_VALUES) * q.weight for q in self.questions if q.scored)


@dataclass(frozen=True)
class Predictor:
    """A reoffending predictor the template names; computed only with a cited formula."""

    id: str
    label: str
    not_calculated_reason: str


@dataclass(frozen=True)
class Template:
    template_id: str
    version: int
    title: str
    sections: tuple[Section, ...]
    predictors: tuple[Predictor, ...] = ()
    _index: dict[str, tuple[Section, Question]] = field(default_factory=dict, repr=False,
                                                        compare=False, hash=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for question in section.questions:
                self._index[question.id] = (section, question)

    @property
    def key(self) -> tuple[str, int]:
        return (self.template_id, self.version)

    def questions(self) -> Iterator[tuple[Section, Question]]:
        """Every question in template order, with its section."""
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question(self, question_id: str) -> Question | None:
        found = self._index.get(question_id)
        return found[1] if found else None

    def section_of(self, question_id: str) -> Section | None:
        found = self._index.get(question_id)
        return found[0] if found else None

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)
