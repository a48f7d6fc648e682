"""How far an assessment has got: per-section state, the next unanswered question,
and every problem that stops it being signed.

Only shown questions matter: a hidden mandatory question is never "missing".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from caseclient.domain.assessment.answers import Answers, check_answer, is_answered
from caseclient.domain.assessment.conditions import visibility
from caseclient.domain.assessment.template import Question, Section, Template


class SectionState(StrEnum):
    HIDDEN = "hidden"                 # its condition is not met: nothing to do
    NOT_STARTED = "not_started"       # nothing answered, mandatory questions waiting
    IN_PROGRESS = "in_progress"       # some answered, mandatory questions still missing
    COMPLETE = "complete"             # no mandatory question missing

    @property
    def words(self) -> str:
        return {"hidden": "Not needed", "not_started": "Not started", "in_progress": "In progress",
                "complete": "Complete"}[self.value]


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    state: SectionState
    answered: int                     # shown questions answered
    shown: int                        # shown questions
    mandatory_missing: tuple[str, ...]   # question ids, in template order


class ProblemKind(StrEnum):
    MISSING = "missing"               # a mandatory question has no answer
    INVALID = "invalid"               # an answer does not fit its question
    REVIEW = "review"                 # a copied-forward answer not yet confirmed


@dataclass(frozen=True)
class SigningProblem:
    """One reason an assessment cannot be signed yet; the editor links it to its question."""

    question_id: str
    section_id: str
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class QuestionRef:
    section_id: str
    question_id: str


def section_progress(template: Template, answers: Answers) -> tuple[SectionProgress, ...]:
    shown = visibility(template, answers)
    found: list[SectionProgress] = []
    for section in template.sections:
        if not shown.shows_section(section):
            found.append(SectionProgress(section.id, SectionState.HIDDEN, 0, 0, ()))
            continue
        questions = [q for q in section.questions if shown.shows(q)]
        answered = [q for q in questions if is_answered(answers.get(q.id))]
        missing = tuple(q.id for q in questions if q.mandatory and q.id not in shown.answers)
        if not missing:
            state = SectionState.COMPLETE
        elif answered:
            state = SectionState.IN_PROGRESS
        else:
            state = SectionState.NOT_STARTED
        found.append(SectionProgress(section.id, state, len(answered), len(questions), missing))
    return tuple(found)


def next_unanswered(template: Template, answers: Answers, after: str | None = None, *,
                    mandatory_only: bool = False) -> QuestionRef | None:
    """The first shown, unanswered question after ``after`` in template order, wrapping
    round to the start; None when every shown question is answered."""
    shown = visibility(template, answers)
    order = [(s, q) for s, q in template.questions() if shown.shows(q)]
    start = 0
    if after is not None:
        ids = [q.id for _, q in order]
        start = ids.index(after) + 1 if after in ids else 0
    for section, question in order[start:] + order[:start]:
        if mandatory_only and not question.mandatory:
            continue
        if not is_answered(answers.get(question.id)) and question.id != after:
            return QuestionRef(section.id, question.id)
    return None


def _where(section: Section, question: Question) -> str:
    return f"Section {section.heading}, \u201c{question.text}\u201d"


def signing_problems(template: Template, answers: Answers,
                     review_marks: Collection[str] = ()) -> tuple[SigningProblem, ...]:
    """Every reason the assessment cannot be signed, in template order; empty when it can."""
    shown = visibility(template, answers)
    problems: list[SigningProblem] = []
    for section, question in template.questions():
        if not shown.shows(question):
            continue
        value = answers.get(question.id)
        problem = check_answer(question, value)
        if problem is not None:
            problems.append(SigningProblem(question.id, section.id, ProblemKind.INVALID,
                                           f"{_where(section, question)}: {problem}"))
        elif question.mandatory and not is_answered(value):
            problems.append(SigningProblem(question.id, section.id, ProblemKind.MISSING,
                                           f"{_where(section, question)}: this question needs "
                                           "an answer."))
        elif question.id in review_marks:
            problems.append(SigningProblem(question.id, section.id, ProblemKind.REVIEW,
                                           f"{_where(section, question)}: this answer was copied "
                                           "from the last assessment; confirm or change it."))
    return tuple(problems)
