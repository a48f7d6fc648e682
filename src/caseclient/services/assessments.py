"""AssessmentService: start, autosave, sign, countersign, return and reopen assessments offline.

The write path is the contact editor's: every pause in typing commits the changed
answers locally (one transaction, queued for sync as a field-level update); the
workflow steps are the pure rules of :mod:`caseclient.domain.assessment.workflow`
applied as ordinary queued updates, so they work offline and the central system
applies the same rules when they arrive. A countersignature locks the assessment;
the case's risk of serious harm register is the central system's to set from it, in
the same transaction as the lock (decision 0013), and reaches this laptop with the
pull of the sync that sends the lock. Until then the case shows the new level on
the locked assessment itself. Runs on the UI thread.

Starting an assessment touches several records (the new one, and any unfinished
older one it supersedes). The repository has no multi-record transaction yet, so
the new record is written first as a *draft* and finished last; a draft
assessment left by a crash is completed (older ones superseded, then queued) the
next time the case's assessments are read, so the end state is always the one
asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from caseclient.domain.assessment import (
    Action,
    AssessmentOverview,
    SigningProblem,
    Template,
    TemplateRegistry,
    Transition,
    allowed_actions,
    answer_field,
    builtin_registry,
    check_answer,
    check_edit,
    confirm_review,
    countersign,
    locked_overall_risk,
    overview,
    reopen,
    return_for_changes,
    sign,
    start_assessment,
    status_of,
    supersede,
)
from caseclient.domain.canonical import JSONValue
from caseclient.domain.ids import new_uuid7
from caseclient.domain.records import Officer, RecordState, RiskLevel
from caseclient.domain.schema import ANSWER_PREFIX, AssessmentStatus, FieldError, check_fields, parse_date
from caseclient.errors import KnownError, RecordNotFound
from caseclient.services.clock import Clock, local_naive
from caseclient.services.session import SessionService
from caseclient.storage.database import Sync
from caseclient.storage.records import StoredRecord
from caseclient.storage.store import Store

S = AssessmentStatus
STATUS_WORDS = {
    S.OPEN: "Open: being written",
    S.SIGNED: "Signed: waiting for a senior probation officer",
    S.RETURNED: "Returned with comments",
    S.LOCKED: "Locked: countersigned",
    S.SUPERSEDED: "Superseded by a newer assessment",
}


GRADE_UNKNOWN = ("Caseclient does not know your grade on this laptop yet, so it offers only what a "
                 "probation officer may do: countersigning is not offered. Sign in again (Sync, "
                 "Sign in) to bring your grade from the central system.")


class TemplateUnavailable(KnownError):
    message = "This assessment uses a template version this copy of Caseclient does not have."
    advice = "Nothing was changed. Ask IT support for the update, then open it again."


def status_words(status: AssessmentStatus | None) -> str:
    return STATUS_WORDS.get(status, "Status not recognised") if status else "Status not recognised"


@dataclass(frozen=True)
class AssessmentSummary:
    """One line of a case's list of assessments."""

    assessment_id: str
    case_id: str
    status: AssessmentStatus | None
    started_on: dt.date | None
    template_title: str
    template_version: int | None
    overall_risk: RiskLevel | None
    state: RecordState
    signed_at: str | None
    countersigned_at: str | None

    @property
    def status_words(self) -> str:
        return status_words(self.status)


@dataclass(frozen=True)
class AssessmentView:
    """Everything the editor shows: the record, its template and the worked-out overview."""

    assessment_id: str
    case_id: str
    fields: Mapping[str, JSONValue]
    template: Template
    overview: AssessmentOverview
    state: RecordState
    actions: tuple[Action, ...]
    officer: Officer
    officer_notice: str | None = None        # e.g. the grade is not known on this laptop yet

    @property
    def status(self) -> AssessmentStatus | None:
        return self.overview.status

    @property
    def read_only_reason(self) -> str | None:
        """Why answers cannot be changed now, or None while the assessment is open."""
        return check_edit(self.fields, {})

    def text(self, name: str) -> str:
        value = self.fields.get(name)
        return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class AssessmentSaved:
    """Carried by ``assessment_did_save``: what an autosave changed, refused or could not take."""

    assessment_id: str
    case_id: str
    state: RecordState
    changed: tuple[str, ...]                 # wire field names
    errors: tuple[FieldError, ...]           # ``field`` is the question id
    refusal: str | None = None               # nothing was saved, and why


@dataclass(frozen=True)
class WorkflowResult:
    """Carried by ``assessment_did_change`` when a step succeeded; returned either way."""

    action: Action
    view: AssessmentView
    refusal: str | None = None
    problems: tuple[SigningProblem, ...] = ()
    # On locking: the level the central system gives the case's risk of serious harm
    # register when the lock reaches it (this laptop does not change the register itself).
    register_level: RiskLevel | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class StartResult:
    view: AssessmentView
    superseded: tuple[str, ...]
    copied_from: str | None


class AssessmentService(QObject):
    assessment_did_save = Signal(object)     # AssessmentSaved
    assessment_did_change = Signal(object)   # WorkflowResult (started, signed, locked …)
    assessment_did_start = Signal(object)    # StartResult

    def __init__(self, store: Callable[[], Store], clock: Clock, *,
                 officer: Callable[[], Officer], registry: TemplateRegistry,
                 grade_known: Callable[[], bool] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._officer = officer
        self._grade_known = grade_known or (lambda: True)
        self._registry = registry

    @classmethod
    def for_session(cls, session: SessionService, clock: Clock, *,
                    officer: Callable[[], Officer] | None = None,
                    registry: TemplateRegistry | None = None) -> AssessmentService:
        """Working on the session's store while it is unlocked.

        Without ``officer`` the writer is the officer the store keeps from the last
        sign-in or sync (``Store.officer``): with the grade not known yet, the least
        rights, and the editor says why countersigning is not offered.
        """
        def store() -> Store:        # the store open now: a new one after each unlock
            return session.store

        if officer is not None:
            return cls(store, clock, officer=officer, registry=registry or builtin_registry())
        return cls(store, clock, officer=lambda: store().officer(),
                   grade_known=lambda: store().officer_grade_known(),
                   registry=registry or builtin_registry())

    # ---- reads -----------------------------------------------------------------------------
    @property
    def registry(self) -> TemplateRegistry:
        return self._registry

    def officer(self) -> Officer:
        return self._officer()

    def officer_notice(self) -> str | None:
        """Why this laptop may be offering fewer steps than the officer's grade allows."""
        if self._grade_known():
            return None
        return GRADE_UNKNOWN

    def for_case(self, case_id: str) -> list[AssessmentSummary]:
        """The case's assessments, newest first."""
        self._complete_unfinished_starts(case_id)
        found = [self._summary(s) for s in self._store().records.all("assessment", case_id=case_id)]
        return sorted(found, key=lambda a: (a.started_on or dt.date.min, a.assessment_id), reverse=True)

    def get(self, assessment_id: str) -> AssessmentView:
        stored = self._store().records.require("assessment", assessment_id)
        if stored.draft and stored.case_id:
            self._complete_unfinished_starts(stored.case_id)
            stored = self._store().records.require("assessment", assessment_id)
        return self._view(stored)

    def template_for(self, fields: Mapping[str, JSONValue]) -> Template:
        template = self._registry.for_assessment(fields)
        if template is None:
            raise TemplateUnavailable()
        return template

    # ---- starting --------------------------------------------------------------------------
    def start(self, case_id: str, *, copy_from_last: bool = True) -> StartResult:
        """A new open assessment on the latest template, queued for sync before this returns.

        Unfinished older assessments are superseded; answers come forward from the
        last locked one, each marked for review.
        """
        repo = self._store().records
        case = repo.get("case", case_id)
        if case is None or case.deleted:
            raise RecordNotFound("That case is not on this laptop.")
        self._complete_unfinished_starts(case_id)
        template = self._registry.latest()
        if template is None:
            raise TemplateUnavailable("No assessment template is installed.")
        existing = [(s.id, s.fields) for s in repo.all("assessment", case_id=case_id)]
        new = start_assessment(template, case_id=case_id, officer=self._officer(),
                               today=local_naive(self._clock).date(), existing=existing,
                               copy_from_last=copy_from_last)
        assessment_id = new_uuid7(lambda: int(self._clock().timestamp() * 1000))
        repo.create_draft("assessment", assessment_id, case_id, new.fields)
        answers = {k: v for k, v in new.fields.items() if k.startswith(ANSWER_PREFIX)}
        if answers:
            repo.save("assessment", assessment_id, answers)   # copied answers; still a draft
        for older_id, changes in new.superseded.items():
            repo.save("assessment", older_id, changes)
        repo.finish("assessment", assessment_id)
        result = StartResult(self.get(assessment_id), tuple(new.superseded), new.copied_from)
        self.assessment_did_start.emit(result)
        return result

    def _complete_unfinished_starts(self, case_id: str) -> None:
        """Finish a start a crash interrupted: supersede what it replaces, then queue it."""
        repo = self._store().records
        records = repo.all("assessment", case_id=case_id)
        for draft in (r for r in records if r.draft):
            for other in records:
                if other.id != draft.id and not other.draft and supersede(other.fields).ok:
                    repo.save("assessment", other.id, supersede(other.fields).changes)
            repo.finish("assessment", draft.id)

    # ---- autosave --------------------------------------------------------------------------
    def save_answers(self, assessment_id: str, answers: Mapping[str, JSONValue]) -> AssessmentSaved:
        """Autosave: commit every changed answer that fits its question; report the rest.

        The commit does not wait for the disk: a thread syncs it at once (decision 0047).

        A changed answer that was copied forward counts as reviewed. A locked, signed,
        returned or superseded assessment takes nothing (``refusal`` says why).
        """
        repo = self._store().records
        stored = repo.require("assessment", assessment_id)
        template = self.template_for(stored.fields)
        refusal = check_edit(stored.fields, {})
        if refusal is not None:
            return self._saved(stored, (), (), refusal)
        errors: list[FieldError] = []
        changes: dict[str, JSONValue] = {}
        for question_id, value in answers.items():
            question = template.question(question_id)
            if question is None:
                errors.append(FieldError(question_id, "This question is not part of this assessment."))
                continue
            problem = check_answer(question, value)
            if problem is not None:
                errors.append(FieldError(question_id, problem))
                continue
            if stored.fields.get(answer_field(question_id)) != value:
                changes[answer_field(question_id)] = value
        edited = [name.removeprefix(ANSWER_PREFIX) for name in changes]
        changes.update(confirm_review(stored.fields, *edited))
        for error in check_fields("assessment", changes, partial=True):
            changes.pop(error.field, None)
            errors.append(FieldError(error.field.removeprefix(ANSWER_PREFIX), error.message))
        result = repo.save("assessment", assessment_id, changes, sync=Sync.SOON)
        return self._saved(result.record, result.changed, tuple(errors), None)

    def confirm(self, assessment_id: str, *question_ids: str) -> AssessmentSaved:
        """The officer confirms copied answers as they stand."""
        repo = self._store().records
        stored = repo.require("assessment", assessment_id)
        refusal = check_edit(stored.fields, {})
        if refusal is not None:
            return self._saved(stored, (), (), refusal)
        result = repo.save("assessment", assessment_id, confirm_review(stored.fields, *question_ids))
        return self._saved(result.record, result.changed, (), None)

    def _saved(self, stored: StoredRecord, changed: tuple[str, ...], errors: tuple[FieldError, ...],
               refusal: str | None) -> AssessmentSaved:
        saved = AssessmentSaved(stored.id, stored.case_id or "", stored.state, changed, errors, refusal)
        self.assessment_did_save.emit(saved)
        return saved

    # ---- workflow --------------------------------------------------------------------------
    def sign(self, assessment_id: str) -> WorkflowResult:
        stored = self._store().records.require("assessment", assessment_id)
        template = self.template_for(stored.fields)
        return self._apply(Action.SIGN, stored,
                           sign(template, stored.fields, self._officer(), self._clock()))

    def countersign(self, assessment_id: str) -> WorkflowResult:
        stored = self._store().records.require("assessment", assessment_id)
        self.template_for(stored.fields)
        return self._apply(Action.COUNTERSIGN, stored,
                           countersign(stored.fields, self._officer(), self._clock()))

    def return_for_changes(self, assessment_id: str, comments: str) -> WorkflowResult:
        stored = self._store().records.require("assessment", assessment_id)
        return self._apply(Action.RETURN, stored,
                           return_for_changes(stored.fields, self._officer(), comments))

    def reopen(self, assessment_id: str) -> WorkflowResult:
        stored = self._store().records.require("assessment", assessment_id)
        return self._apply(Action.REOPEN, stored, reopen(stored.fields, self._officer()))

    def _apply(self, action: Action, stored: StoredRecord, transition: Transition) -> WorkflowResult:
        if not transition.ok:
            return WorkflowResult(action, self._view(stored), transition.refusal, transition.problems)
        repo = self._store().records
        saved = repo.save("assessment", stored.id, transition.changes).record
        level = locked_overall_risk(saved.fields) if status_of(saved.fields) is S.LOCKED else None
        result = WorkflowResult(action, self._view(repo.require("assessment", stored.id)),
                                register_level=level)
        self.assessment_did_change.emit(result)
        return result

    # ---- building views --------------------------------------------------------------------
    def _view(self, stored: StoredRecord) -> AssessmentView:
        template = self.template_for(stored.fields)
        officer = self._officer()
        return AssessmentView(stored.id, stored.case_id or "", dict(stored.fields), template,
                              overview(template, stored.fields), stored.state,
                              allowed_actions(stored.fields, officer), officer, self.officer_notice())

    def _summary(self, stored: StoredRecord) -> AssessmentSummary:
        fields = stored.fields
        template = self._registry.for_assessment(fields)
        version = fields.get("template_version")
        signed_at, countersigned_at = fields.get("signed_at"), fields.get("countersigned_at")
        risk = fields.get("overall_risk")
        return AssessmentSummary(
            stored.id, stored.case_id or "", status_of(fields), parse_date(fields.get("started_on")),
            template.title if template else str(fields.get("template_id") or "Unknown template"),
            version if isinstance(version, int) else None,
            RiskLevel(risk) if risk in {r.value for r in RiskLevel} else None, stored.state,
            signed_at if isinstance(signed_at, str) else None,
            countersigned_at if isinstance(countersigned_at, str) else None)

