"""AssessmentService on a real encrypted store: start, autosave, workflow, outbox (the register is
the central system's to set from a lock)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from caseclient.domain.assessment import (
    REVIEW_FIELD,
    Action,
    ProblemKind,
    Template,
    answer_field,
    builtin_registry,
)
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import Grade, Officer, RecordState, RiskLevel
from caseclient.domain.schema import AssessmentStatus
from caseclient.errors import RecordNotFound
from caseclient.services.assessments import (
    AssessmentSaved,
    AssessmentService,
    TemplateUnavailable,
    WorkflowResult,
)
from caseclient.services.caseload import CaseloadService
from caseclient.storage import outbox
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.ui.assessments.answers import complete_answers

PO = Officer("PO1", "Pat Officer", Grade.PO, "Team A")
SPO = Officer("SPO1", "Lee Senior", Grade.SPO, "Team A")
OTHER_SPO = Officer("SPO2", "Kim Senior", Grade.SPO, "Team A")


class Desk:
    """Who is at the keyboard; tests hand the laptop from one officer to another."""

    def __init__(self) -> None:
        self.officer = PO

    def __call__(self) -> Officer:
        return self.officer


@pytest.fixture
def desk() -> Desk:
    return Desk()


@pytest.fixture
def service(store: Store, local_clock: FakeClock, caseload: CaseloadService,
            desk: Desk) -> AssessmentService:
    return AssessmentService(lambda: store, local_clock, officer=desk, registry=builtin_registry())


@pytest.fixture
def template() -> Template:
    found = builtin_registry().latest()
    assert found is not None
    return found


def server_assessment(case_id: str, template: Template, status: str, answers: dict[str, JSONValue],
                      **extra: JSONValue) -> dict[str, Any]:
    fields: dict[str, JSONValue] = {
        "case_id": case_id, "template_id": template.template_id,
        "template_version": template.version, "status": status, "assessor_code": "PO1",
        "started_on": "2026-05-01", **{answer_field(k): v for k, v in answers.items()}, **extra}
    return {"record_type": "assessment", "record_id": str(uuid.uuid4()), "version": 3,
            "fields": fields}


def pending_fields(store: Store, assessment_id: str) -> dict[str, JSONValue]:
    """Everything queued for the record, merged in queue order."""
    merged: dict[str, JSONValue] = {}
    for mutation in store.records.mutations("assessment", assessment_id):
        merged.update(mutation.fields)
    return merged


def test_start_queues_an_open_assessment_on_the_latest_template(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template,
        qtbot: QtBot) -> None:
    with qtbot.waitSignal(service.assessment_did_start):
        started = service.start(seeded["ann"])
    view = started.view
    assert view.status is AssessmentStatus.OPEN and view.state is RecordState.SAVED
    assert (view.fields["template_id"], view.fields["template_version"]) == template.key
    assert view.fields["assessor_code"] == "PO1" and view.fields["started_on"] == "2026-11-24"
    assert view.actions == (Action.SIGN,) and view.read_only_reason is None
    mutations = store.records.mutations("assessment", view.assessment_id)
    assert [m.op for m in mutations] == ["create"] and mutations[0].fields["status"] == "open"
    assert started.superseded == () and started.copied_from is None
    assert [s.assessment_id for s in service.for_case(seeded["ann"])] == [view.assessment_id]


def test_start_on_a_case_not_here_is_refused(service: AssessmentService) -> None:
    with pytest.raises(RecordNotFound):
        service.start(str(uuid.uuid4()))


def test_start_copies_forward_and_supersedes_the_unfinished_one(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template) -> None:
    answers = complete_answers(template)
    locked = server_assessment(seeded["ann"], template, "locked", answers,
                               countersigned_at="2026-05-20T10:00:00Z", overall_risk="LOW")
    unfinished = server_assessment(seeded["ann"], template, "open", {"s3.q1": 2})
    store.records.apply_server_records([locked, unfinished])

    started = service.start(seeded["ann"])

    assert started.copied_from == locked["record_id"]
    assert started.superseded == (unfinished["record_id"],)
    fields = started.view.fields
    assert fields["supersedes"] == unfinished["record_id"]
    copied = started.view.overview.review_marks
    assert "s3.q1" in copied and fields[answer_field("s3.q1")] == 1
    assert "s1.offence_date" not in copied        # the template does not copy offence dates
    older = store.records.require("assessment", unfinished["record_id"])
    assert older.fields["status"] == "superseded"
    assert [(m.op, m.fields) for m in store.records.mutations("assessment", older.id)] == [
        ("update", {"status": "superseded"})]
    assert store.records.require("assessment", locked["record_id"]).fields["status"] == "locked"
    assert store.records.mutations("assessment", locked["record_id"]) == []
    queued = pending_fields(store, started.view.assessment_id)
    assert queued[answer_field("s3.q1")] == 1 and "s3.q1" in queued[REVIEW_FIELD]


def test_a_start_cut_short_by_a_crash_is_completed_next_time(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template) -> None:
    unfinished = server_assessment(seeded["ann"], template, "signed", {})
    store.records.apply_server_records([unfinished])
    draft_id = str(uuid.uuid4())
    store.records.create_draft("assessment", draft_id, seeded["ann"], {   # the crash came here
        "case_id": seeded["ann"], "template_id": template.template_id,
        "template_version": template.version, "status": "open", "started_on": "2026-11-24"})

    listed = {s.assessment_id: s for s in service.for_case(seeded["ann"])}

    assert listed[draft_id].status is AssessmentStatus.OPEN
    assert listed[draft_id].state is RecordState.SAVED
    assert listed[unfinished["record_id"]].status is AssessmentStatus.SUPERSEDED
    assert [m.op for m in store.records.mutations("assessment", draft_id)] == ["create"]


def test_autosave_commits_changed_answers_and_reports_the_rest(
        service: AssessmentService, store: Store, seeded: dict[str, str], qtbot: QtBot) -> None:
    view = service.start(seeded["ann"]).view
    with qtbot.waitSignal(service.assessment_did_save) as blocker:
        saved = service.save_answers(view.assessment_id, {
            "s3.q1": 2, "s3.evidence": "Sofa-surfing since June.", "s3.q2": 7,
            "s1.offence_date": "31/11/2026", "no.such": "x"})
    assert isinstance(blocker.args[0], AssessmentSaved) and blocker.args[0] == saved
    assert saved.changed == (answer_field("s3.evidence"), answer_field("s3.q1"))
    assert {e.field for e in saved.errors} == {"s3.q2", "s1.offence_date", "no.such"}
    assert all(e.message for e in saved.errors)
    again = service.save_answers(view.assessment_id, {"s3.q1": 2})
    assert again.changed == () and again.errors == ()
    reread = service.get(view.assessment_id)
    assert reread.overview.answers["s3.evidence"] == "Sofa-surfing since June."
    assert pending_fields(store, view.assessment_id)[answer_field("s3.q1")] == 2
    cleared = service.save_answers(view.assessment_id, {"s3.evidence": None})
    assert cleared.changed == (answer_field("s3.evidence"),)
    assert service.get(view.assessment_id).overview.answers.get("s3.evidence") is None


def test_editing_or_confirming_a_copied_answer_clears_its_review_mark(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template) -> None:
    store.records.apply_server_records([server_assessment(
        seeded["ann"], template, "locked", complete_answers(template),
        countersigned_at="2026-05-20T10:00:00Z")])
    view = service.start(seeded["ann"]).view
    assert {"s3.q1", "s3.q2"} <= view.overview.review_marks
    service.save_answers(view.assessment_id, {"s3.q1": 2, "s3.q2": 1})   # q2 unchanged: still marked
    marks = service.get(view.assessment_id).overview.review_marks
    assert "s3.q1" not in marks and "s3.q2" in marks
    service.confirm(view.assessment_id, "s3.q2")
    assert "s3.q2" not in service.get(view.assessment_id).overview.review_marks


def test_sign_is_refused_with_every_problem_listed(
        service: AssessmentService, seeded: dict[str, str], template: Template) -> None:
    view = service.start(seeded["ann"]).view
    answers = complete_answers(template)
    del answers["s3.q1"], answers["r3.who"]
    service.save_answers(view.assessment_id, answers)

    result = service.sign(view.assessment_id)

    assert not result.ok and result.refusal and "2 answers need attention" in result.refusal
    assert [(p.question_id, p.kind) for p in result.problems] == [
        ("s3.q1", ProblemKind.MISSING), ("r3.who", ProblemKind.MISSING)]
    assert service.get(view.assessment_id).status is AssessmentStatus.OPEN


def _signed(service: AssessmentService, case_id: str, template: Template, risk: str = "HIGH") -> str:
    view = service.start(case_id).view
    service.save_answers(view.assessment_id, complete_answers(template, risk=risk))
    result = service.sign(view.assessment_id)
    assert result.ok, result.refusal
    return view.assessment_id


def test_sign_then_countersign_by_an_spo_locks_and_queues_only_the_lock(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template,
        desk: Desk, qtbot: QtBot) -> None:
    assessment_id = _signed(service, seeded["ann"], template, risk="HIGH")
    signed = service.get(assessment_id)
    assert signed.status is AssessmentStatus.SIGNED and signed.fields["signed_by"] == "PO1"
    assert signed.fields["overall_risk"] == "HIGH" and signed.read_only_reason
    assert signed.actions == ()
    assert service.countersign(assessment_id).refusal == (
        "Only a senior probation officer can countersign an assessment.")

    desk.officer = SPO
    assert service.get(assessment_id).actions == (Action.COUNTERSIGN, Action.RETURN)
    with qtbot.waitSignal(service.assessment_did_change) as blocker:
        done = service.countersign(assessment_id)
    assert isinstance(blocker.args[0], WorkflowResult) and blocker.args[0].ok
    assert done.view.status is AssessmentStatus.LOCKED and done.register_level is RiskLevel.HIGH
    assert done.view.fields["countersigned_by"] == "SPO1"
    # The register is the central system's to set, with the lock (decision 0013): an SPO only
    # reads the case, so a register change from this laptop would be refused. It arrives with
    # the pull; until then the locked assessment itself carries the new level.
    rosh = [r for r in store.records.all("register", case_id=seeded["ann"])
            if r.fields["register_type"] == "RRSH"]
    assert [r.fields["level"] for r in rosh] == ["VERY_HIGH"]
    assert store.records.mutations("register", rosh[0].id) == []
    assert service.for_case(seeded["ann"])[0].overall_risk is RiskLevel.HIGH
    queued = pending_fields(store, assessment_id)
    assert queued["status"] == "locked" and queued["countersigned_by"] == "SPO1"
    assert queued["signed_by"] == "PO1"


def test_an_spo_cannot_countersign_their_own_signature(
        service: AssessmentService, seeded: dict[str, str], template: Template, desk: Desk) -> None:
    desk.officer = Officer("PO1", "Pat Officer", Grade.SPO, "Team A")
    assessment_id = _signed(service, seeded["ann"], template)
    refused = service.countersign(assessment_id)
    assert refused.refusal and "another senior probation officer" in refused.refusal
    desk.officer = OTHER_SPO
    assert service.countersign(assessment_id).ok


def test_locking_makes_no_register_when_the_case_has_none(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template,
        desk: Desk) -> None:
    """The central system adds the RoSH register itself; one made here would be refused
    (the SPO only reads the case) and land in Needs attention."""
    assessment_id = _signed(service, seeded["bob"], template, risk="MEDIUM")
    desk.officer = SPO
    assert service.countersign(assessment_id).register_level is RiskLevel.MEDIUM
    registers = store.records.all("register", case_id=seeded["bob"])
    assert [r.fields["register_type"] for r in registers] == ["RSTF"]
    assert [m for r in registers for m in store.records.mutations("register", r.id)] == []
    assert {m.record_type for m in outbox.waiting(store.db.raw)} == {"assessment"}


def test_return_with_comments_then_reopen(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template,
        desk: Desk) -> None:
    assessment_id = _signed(service, seeded["ann"], template)
    desk.officer = SPO
    assert service.return_for_changes(assessment_id, "  ").refusal == (
        "Say what needs to change before returning the assessment.")
    returned = service.return_for_changes(assessment_id, "Say more about the drinking.")
    assert returned.ok and returned.view.status is AssessmentStatus.RETURNED
    assert service.save_answers(assessment_id, {"s9.evidence": "More."}).refusal
    desk.officer = PO
    assert returned.view.text("return_comments") == "Say more about the drinking."
    assert service.get(assessment_id).actions == (Action.REOPEN,)
    reopened = service.reopen(assessment_id)
    assert reopened.ok and reopened.view.status is AssessmentStatus.OPEN
    assert reopened.view.fields["signed_by"] is None and reopened.view.actions == (Action.SIGN,)
    assert service.save_answers(assessment_id, {"s9.evidence": "More."}).changed
    assert pending_fields(store, assessment_id)["status"] == "open"


def test_a_locked_assessment_never_changes(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template,
        desk: Desk) -> None:
    assessment_id = _signed(service, seeded["ann"], template)
    desk.officer = SPO
    service.countersign(assessment_id)
    before = dict(store.records.require("assessment", assessment_id).fields)
    queued = len(store.records.mutations("assessment", assessment_id))
    saved = service.save_answers(assessment_id, {"s3.q1": 0})
    assert saved.refusal and "locked" in saved.refusal and saved.changed == ()
    assert service.confirm(assessment_id, "s3.q1").refusal
    assert service.return_for_changes(assessment_id, "Too late").refusal
    assert service.countersign(assessment_id).refusal
    desk.officer = PO
    assert service.sign(assessment_id).refusal and service.reopen(assessment_id).refusal
    assert dict(store.records.require("assessment", assessment_id).fields) == before
    assert len(store.records.mutations("assessment", assessment_id)) == queued


def test_an_assessment_on_an_unknown_template_is_refused_plainly(
        service: AssessmentService, store: Store, seeded: dict[str, str], template: Template) -> None:
    record = server_assessment(seeded["ann"], template, "open", {}, template_version=99)
    store.records.apply_server_records([record])
    with pytest.raises(TemplateUnavailable):
        service.get(record["record_id"])
    summary = service.for_case(seeded["ann"])[0]
    assert summary.template_version == 99 and summary.status_words == "Open: being written"


def test_for_session_reads_the_signed_in_officer(store: Store, local_clock: FakeClock) -> None:
    class Session:   # the one attribute for_session reads
        def __init__(self, opened: Store) -> None:
            self.store = opened

    store.set_officer_code("PO7")
    service = AssessmentService.for_session(Session(store), local_clock)  # type: ignore[arg-type]
    assert service.officer() == Officer("PO7", "", Grade.PO, "")
