"""An assessment's answers, scores and progress in plain words (pure: no widgets).

The section list, the signing summary, the spoken announcements and the PDF all
use these, so a screen reader, the screen and the paper say the same thing.
"""

from __future__ import annotations

import datetime as dt

from caseclient.domain.assessment import (
    AssessmentOverview,
    Question,
    QuestionKind,
    Section,
    SectionKind,
    SectionProgress,
    SectionScore,
    SectionState,
)
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import RiskLevel
from caseclient.domain.schema import parse_date
from caseclient.ui.formats import uk_date

SCORE_WORDS = {0: "0 – no problems", 1: "1 – some problems", 2: "2 – significant problems"}
YES_NO_UNKNOWN_WORDS = {"yes": "Yes", "no": "No", "dont_know": "Don't know"}
NOT_ANSWERED = "Not answered"


def choices(question: Question) -> list[tuple[str, JSONValue]]:
    """(words, value) for a question answered by choosing; empty for typed answers."""
    kind = question.kind
    if kind is QuestionKind.SCORE:
        return [(words, value) for value, words in SCORE_WORDS.items()]
    if kind is QuestionKind.YES_NO:
        return [("Yes", True), ("No", False)]
    if kind is QuestionKind.YES_NO_UNKNOWN:
        return [(words, value) for value, words in YES_NO_UNKNOWN_WORDS.items()]
    if kind is QuestionKind.RISK_LEVEL:
        return [(level.words, level.value) for level in RiskLevel]
    if kind is QuestionKind.CHOICE:
        return [(option.label, option.value) for option in question.options]
    return []


def answer_words(question: Question, value: JSONValue) -> str:
    """An answer as the officer reads it back: 'Yes', '2 – significant problems', 24/11/2026."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOT_ANSWERED
    for words, option in choices(question):
        if option == value and type(option) is type(value):
            return words
    if question.kind is QuestionKind.DATE:
        day = parse_date(value)
        return uk_date(day) if day else str(value)
    return value if isinstance(value, str) else str(value)


def question_label(question: Question) -> str:
    """The question text with whether it must be answered, in words."""
    return f"{question.text} (required)" if question.mandatory else f"{question.text} (optional)"


def score_words(score: SectionScore) -> str:
    need = "a criminogenic need" if score.is_need else (
        "not a need" if score.complete else "not a need so far")
    text = (f"weighted score {score.weighted_total} of {score.max_weighted}, threshold "
            f"{score.threshold}: {need}")
    links = []
    if score.linked_to_harm is not None:
        links.append(f"linked to risk of serious harm: {'yes' if score.linked_to_harm else 'no'}")
    if score.linked_to_offending is not None:
        links.append(f"linked to offending: {'yes' if score.linked_to_offending else 'no'}")
    return "; ".join([text, *links])


def progress_words(progress: SectionProgress | None) -> str:
    if progress is None or progress.state is SectionState.HIDDEN:
        return SectionState.HIDDEN.words
    missing = len(progress.mandatory_missing)
    text = f"{progress.state.words}, {progress.answered} of {progress.shown} answered"
    if missing:
        text += f", {missing} required {'answer' if missing == 1 else 'answers'} missing"
    return text


def section_line(section: Section, data: AssessmentOverview) -> str:
    """One line of the section list: heading, completion and, for needs, the score."""
    parts = [section.heading, progress_words(data.progress_of(section.id))]
    score = data.scores.section(section.id)
    if score is not None and section.kind is SectionKind.NEEDS:
        parts.append(score_words(score))
    marks = [q.id for q in section.questions if q.id in data.review_marks]
    if marks:
        parts.append(f"{len(marks)} copied {'answer' if len(marks) == 1 else 'answers'} to review")
    return parts[0] + ": " + ". ".join(p[:1].upper() + p[1:] for p in parts[1:]) + "."


def section_short(section: Section, data: AssessmentOverview) -> str:
    """The section list's visible line; :func:`section_line` is what a screen reader hears."""
    progress = data.progress_of(section.id)
    text = f"{section.heading}: {SectionState.HIDDEN.words if progress is None else progress.state.words}"
    if progress is not None and progress.state is not SectionState.HIDDEN:
        text += f" ({progress.answered} of {progress.shown})"
    score = data.scores.section(section.id)
    if score is not None and section.kind is SectionKind.NEEDS:
        text += f", score {score.weighted_total} of {score.max_weighted}"
        text += ", a need" if score.is_need else ""
    if any(q.id in data.review_marks for q in section.questions):
        text += ", to review"
    return text


def summary_lines(data: AssessmentOverview) -> list[str]:
    """The signing summary: needs, scores, risk per group, overall risk and predictors."""
    scores = data.scores
    template = data.template
    needs = [s.heading for s in template.sections if s.id in scores.needs]
    lines = [f"Criminogenic needs: {', '.join(needs) if needs else 'none'}."]
    for score in scores.sections:
        section = template.section(score.section_id)
        if section is not None:
            lines.append(f"{section.heading}: {score_words(score)}.")
    for group in scores.groups:
        community = group.community.words if group.community else NOT_ANSWERED
        custody = group.custody.words if group.custody else NOT_ANSWERED
        lines.append(f"Risk of serious harm to {group.label.lower()}: {community} in the community, "
                     f"{custody} in custody.")
    overall = scores.overall_risk.words if scores.overall_risk else "not yet known"
    lines.append(f"Overall risk of serious harm: {overall}.")
    lines.append("Full risk of serious harm analysis: "
                 f"{'needed' if scores.full_analysis_open else 'not needed'}.")
    for predictor in scores.predictors:
        value = "not calculated" if predictor.value is None else f"{predictor.value:.0%}"
        reason = f" ({predictor.reason})" if predictor.value is None and predictor.reason else ""
        lines.append(f"{predictor.label}: {value}{reason}.")
    return lines


def stamp_words(value: JSONValue) -> str:
    """A stored UTC time ('2026-11-24T10:05:00Z') as local UK words."""
    if not isinstance(value, str):
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return parsed.astimezone().strftime("%d/%m/%Y %H:%M")
