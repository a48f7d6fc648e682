"""Workflow rules as pure functions: each returns the field changes to save, or a refusal.

    open ──sign (assessor, nothing missing)──▶ signed ──countersign (SPO)──▶ locked
      ▲                                          │
      └──reopen (assessor)── returned ◀──return with comments (SPO)

Locked never changes. A newer assessment supersedes an unfinished (open,
returned or signed) older one. The changes are ordinary field updates, so
signing and countersigning work offline as queued mutations; the central system
applies the same rules when they arrive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from caseclient.domain.assessment.answers import answers_from_fields
from caseclient.domain.assessment.completion import SigningProblem, signing_problems
from caseclient.domain.assessment.review import review_marks_of
from caseclient.domain.assessment.scoring import score_assessment
from caseclient.domain.assessment.template import Template
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import Grade, Officer
from caseclient.domain.schema import AssessmentStatus

S = AssessmentStatus
UNFINISHED = frozenset({S.OPEN, S.RETURNED, S.SIGNED})
# Fields only the workflow sets; an ordinary save never touches them.
WORKFLOW_FIELDS = frozenset({"case_id", "template_id", "template_version", "status", "signed_by",
                             "signed_at", "countersigned_by", "countersigned_at", "return_comments",
                             "overall_risk", "scores", "supersedes"})


class Action(StrEnum):
    SIGN = "sign"
    COUNTERSIGN = "countersign"
    RETURN = "return"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Transition:
    """The fields to save for one workflow step, or why it cannot happen."""

    changes: dict[str, JSONValue] = field(default_factory=dict)
    refusal: str | None = None
    problems: tuple[SigningProblem, ...] = ()   # signing only: every answer still needed

    @property
    def ok(self) -> bool:
        return self.refusal is None


def _refuse(message: str, problems: tuple[SigningProblem, ...] = ()) -> Transition:
    return Transition(refusal=message, problems=problems)


def status_of(fields: Mapping[str, JSONValue]) -> AssessmentStatus | None:
    value = fields.get("status")
    return S(value) if value in {s.value for s in S} else None


def timestamp(now: dt.datetime) -> str:
    """UTC time as the record keeps it, e.g. ``2026-11-24T10:05:00Z``."""
    if now.tzinfo is None:
        raise ValueError("The clock must give time-zone-aware times.")
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_spo(officer: Officer) -> bool:
    return officer.grade is Grade.SPO


def _is_assessor(fields: Mapping[str, JSONValue], officer: Officer) -> bool:
    assessor = fields.get("assessor_code")
    return assessor in (None, "", officer.staff_code)


def _not_editable(status: AssessmentStatus | None) -> str | None:
    if status is S.LOCKED:
        return "This assessment is locked: it was countersigned and can no longer be changed."
    if status is S.SUPERSEDED:
        return "This assessment was replaced by a newer one and can no longer be changed."
    if status is S.SIGNED:
        return ("This assessment is signed and waiting for a senior probation officer. It can be "
                "changed only if they return it.")
    if status is S.RETURNED:
        return "This assessment was returned with comments. Reopen it to make changes."
    if status is None:
        return "This assessment has no recognised status, so it cannot be changed here."
    return None


def check_edit(fields: Mapping[str, JSONValue], changes: Mapping[str, JSONValue]) -> str | None:
    """Why an ordinary save (answers, review marks, assessor details) is refused, or None.

    Only an open assessment takes answers; workflow fields change only through the
    functions below.
    """
    refusal = _not_editable(status_of(fields))
    if refusal is not None:
        return refusal
    blocked = sorted(name for name in changes if name in WORKFLOW_FIELDS
                     and changes[name] != fields.get(name))
    if blocked:
        return ("These details change only by signing, countersigning or returning: "
                + ", ".join(blocked) + ".")
    return None


def sign(template: Template, fields: Mapping[str, JSONValue], officer: Officer,
         now: dt.datetime) -> Transition:
    """The assessor signs: every shown mandatory question answered, every copied answer reviewed."""
    status = status_of(fields)
    if status is not S.OPEN:
        return _refuse(_not_editable(status) or "Only an open assessment can be signed.")
    if (fields.get("template_id"), fields.get("template_version")) != template.key:
        return _refuse("This assessment was started on a different template version; sign it with "
                       "that version.")
    if not _is_assessor(fields, officer):
        return _refuse("Only the officer writing this assessment can sign it.")
    answers = answers_from_fields(fields)
    problems = signing_problems(template, answers, review_marks_of(fields))
    if problems:
        count = len(problems)
        return _refuse(f"This assessment cannot be signed yet: {count} "
                       f"{'answer needs' if count == 1 else 'answers need'} attention.", problems)
    scores = score_assessment(template, answers)
    return Transition(changes={
        "status": S.SIGNED.value,
        "assessor_code": officer.staff_code,
        "signed_by": officer.staff_code,
        "signed_at": timestamp(now),
        "overall_risk": scores.overall_risk.value if scores.overall_risk else None,
        "scores": scores.to_json(),
    })


def countersign(fields: Mapping[str, JSONValue], officer: Officer, now: dt.datetime) -> Transition:
    """A senior probation officer countersigns a signed assessment, which locks it."""
    status = status_of(fields)
    if status is not S.SIGNED:
        return _refuse(_not_countersignable(status))
    if not _is_spo(officer):
        return _refuse("Only a senior probation officer can countersign an assessment.")
    if fields.get("signed_by") == officer.staff_code:
        return _refuse("You signed this assessment, so another senior probation officer must "
                       "countersign it.")
    return Transition(changes={"status": S.LOCKED.value, "countersigned_by": officer.staff_code,
                               "countersigned_at": timestamp(now)})


def return_for_changes(fields: Mapping[str, JSONValue], officer: Officer, comments: str) -> Transition:
    """A senior probation officer sends a signed assessment back, saying what to change."""
    status = status_of(fields)
    if status is not S.SIGNED:
        return _refuse("Only a signed assessment can be returned." if status is not S.LOCKED
                       else _not_countersignable(status))
    if not _is_spo(officer):
        return _refuse("Only a senior probation officer can return an assessment.")
    if not comments.strip():
        return _refuse("Say what needs to change before returning the assessment.")
    return Transition(changes={"status": S.RETURNED.value, "return_comments": comments})


def reopen(fields: Mapping[str, JSONValue], officer: Officer) -> Transition:
    """The assessor reopens a returned assessment; the old signature no longer stands."""
    if status_of(fields) is not S.RETURNED:
        return _refuse("Only a returned assessment can be reopened.")
    if not _is_assessor(fields, officer):
        return _refuse("Only the officer writing this assessment can reopen it.")
    return Transition(changes={"status": S.OPEN.value, "signed_by": None, "signed_at": None})


def supersede(older: Mapping[str, JSONValue]) -> Transition:
    """Close an unfinished older assessment because a newer one has started."""
    status = status_of(older)
    if status not in UNFINISHED:
        return _refuse("Only an unfinished assessment (open, returned or signed) can be replaced.")
    return Transition(changes={"status": S.SUPERSEDED.value})


def _not_countersignable(status: AssessmentStatus | None) -> str:
    if status is S.LOCKED:
        return "This assessment is already countersigned and locked."
    return "Only a signed assessment can be countersigned."


def allowed_actions(fields: Mapping[str, JSONValue], officer: Officer) -> tuple[Action, ...]:
    """The workflow steps this officer may try now (signing may still list missing answers)."""
    status = status_of(fields)
    found: list[Action] = []
    if status is S.OPEN and _is_assessor(fields, officer):
        found.append(Action.SIGN)
    if status is S.SIGNED and _is_spo(officer) and fields.get("signed_by") != officer.staff_code:
        found += [Action.COUNTERSIGN, Action.RETURN]
    if status is S.RETURNED and _is_assessor(fields, officer):
        found.append(Action.REOPEN)
    return tuple(found)

