"""Two sittings of one assessment on two laptops of the same officer, over the real server on
loopback (issue 7: "assessments sync per answer"). Answers to different questions merge answer
by answer with nothing for the officer to do; the same answer changed differently on both is a
conflict in Needs attention with both values, settled through the services layer, after which
both laptops and the central system hold the same answers and the history keeps both sides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseclient.domain.assessment import answer_field, answers_from_fields, builtin_registry
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import Grade, Officer
from caseclient.domain.reference import ReferenceData
from caseclient.services.assessments import AssessmentService
from caseclient.services.attention import AttentionItem, AttentionService, Edited, Pick
from caseclient.services.sync import SyncService
from caseclient.storage.outbox import MutationState
from caseclient.sync.conflicts import Choice, Conflict, needing_attention
from caseclient.ui.assessments.words import answer_words
from caseserver.db.tables import record_versions
from tests.helpers.clock import FakeClock
from tests.integration.conftest import Laptop, Office

PO1 = Officer("PO1", "Officer PO1", Grade.PO, "North")
REGISTRY = builtin_registry()


def _service(laptop: Laptop) -> AssessmentService:
    return AssessmentService(lambda: laptop.store, laptop.clock, officer=lambda: PO1, registry=REGISTRY)


def _attention(laptop: Laptop) -> AttentionService:
    def no_engine(*_args: object) -> Any:
        raise AssertionError("the worker is not started in this test")

    sync = SyncService(lambda: laptop.store, laptop.clock, no_engine, signed_in=lambda: True)
    return AttentionService(sync, lambda: laptop.store, ReferenceData.empty, registry=REGISTRY,
                            answer_words=answer_words)


def _answers(laptop: Laptop, assessment_id: str) -> dict[str, JSONValue]:
    return answers_from_fields(laptop.store.records.require("assessment", assessment_id).fields)


def _central_answers(office: Office, assessment_id: str) -> dict[str, JSONValue]:
    fields = office.fields(assessment_id)
    assert fields is not None
    return answers_from_fields(fields)


def _central_history(office: Office, assessment_id: str) -> list[dict[str, JSONValue]]:
    """Every version the central system keeps of the assessment, oldest first."""
    with office.server.services.db.read() as conn:
        rows = conn.execute(select(record_versions.c.fields)
                            .where(record_versions.c.record_id == assessment_id)
                            .order_by(record_versions.c.version))
        return [answers_from_fields(json.loads(text)) for (text,) in rows]


def _clean(report: Any) -> None:
    assert (report.rejected, report.conflicts, report.needs_attention) == (0, 0, 0)


@pytest.fixture
def second(tmp_path: Path, office: Office, clock: FakeClock, laptops: list[Laptop]) -> Laptop:
    """The same officer's other laptop."""
    made = Laptop(tmp_path / "laptop2", office, clock)
    laptops.append(made)
    made.login("po1")
    made.sync()
    return made


def _started(first: Laptop, second: Laptop, office: Office) -> str:
    """An assessment started on the first laptop and received on the second."""
    assessment_id = _service(first).start(office.case_id, copy_from_last=False).view.assessment_id
    _clean(first.sync())
    _clean(second.sync())
    assert second.store.records.get("assessment", assessment_id) is not None
    return assessment_id



def _everyone_holds(office: Office, devices: tuple[Laptop, ...], assessment_id: str,
                    expected: dict[str, object]) -> None:
    """Every laptop and the central system hold ``expected`` answers, nothing waits for attention."""
    for device in devices:
        answers = _answers(device, assessment_id)
        assert {q: answers.get(q) for q in expected} == expected
        assert needing_attention(device.store) == []
    central = _central_answers(office, assessment_id)
    assert {q: central.get(q) for q in expected} == expected

def test_answers_to_different_questions_merge_with_nothing_to_settle(
        laptop: Laptop, second: Laptop, office: Office, clock: FakeClock) -> None:
    assessment_id = _started(laptop, second, office)
    on_a = {"s3.q1": 2, "s3.q2": 1, "s1.current_offence": "Burglary of a dwelling at night.\n\nSecond line."}
    on_b = {"s4.q1": 0, "s4.q2": 2, "s1.offence_category": "burglary"}
    # two sittings at once, neither laptop hearing of the other's
    assert not _service(laptop).save_answers(assessment_id, on_a).errors
    clock.advance(minutes=5)
    assert not _service(second).save_answers(assessment_id, on_b).errors

    _clean(laptop.sync())
    _clean(second.sync())            # sent on a base the central system has moved past
    [sent_b] = [m for m in second.store.records.mutations("assessment", assessment_id)
                if set(m.fields) & {answer_field(q) for q in on_b}]
    assert sent_b.state is MutationState.APPLIED
    _clean(laptop.sync())

    union = {**on_a, **on_b}
    for device in (laptop, second):
        assert {q: v for q, v in _answers(device, assessment_id).items() if v is not None} == union
        assert needing_attention(device.store) == []
    assert {q: v for q, v in _central_answers(office, assessment_id).items() if v is not None} == union
    # the central history has the first sitting alone, then both
    history = _central_history(office, assessment_id)
    assert any(set(v) >= set(on_a) and not set(v) & set(on_b) for v in history)
    assert {q: history[-1][q] for q in union} == union


def _conflict(laptop: Laptop) -> tuple[Conflict, AttentionItem]:
    [conflict] = needing_attention(laptop.store)
    assert isinstance(conflict, Conflict)
    [item] = _attention(laptop).items()
    return conflict, item


@pytest.mark.parametrize(("choice", "settled"), [
    (Pick.MINE, 2), (Pick.THEIRS, 1), (Edited(0), 0)], ids=["mine", "theirs", "edited"])
def test_the_same_answer_changed_on_both_is_a_conflict_settled_field_by_field(
        choice: Choice, settled: int, laptop: Laptop, second: Laptop, office: Office,
        clock: FakeClock) -> None:
    assessment_id = _started(laptop, second, office)
    text = "Lives with a partner; the tenancy ends in March."
    assert not _service(laptop).save_answers(assessment_id, {"s3.q2": 1, "s3.evidence": text}).errors
    clock.advance(minutes=3)
    assert not _service(second).save_answers(assessment_id, {"s3.q2": 2, "s4.q1": 1}).errors

    _clean(laptop.sync())
    report = second.sync()           # the second to sync is told
    assert report.conflicts == 1 and report.rejected == 0

    conflict, item = _conflict(second)
    # both values of the answer changed on both sides are shown, worded and named by the question
    assert (answer_field("s3.q2"), 2, 1) in [(d.name, d.mine, d.theirs) for d in conflict.fields]
    row = next(r for r in item.fields if r.name == answer_field("s3.q2"))
    assert row.label == "3. Accommodation: The accommodation is unsuitable"
    assert (row.mine_text, row.theirs_text) == ("2 – significant problems", "1 – some problems")
    # the second laptop's other answer, which only it changed, is not asked about
    # (test_only_the_answer_changed_on_both_is_asked_about); should it be, it keeps its own
    others = {r.name: Pick.MINE for r in item.fields if r.name != row.name}
    assert set(others) <= {answer_field("s4.q1")}
    # meanwhile the laptop keeps the officer's answer and has taken the other's evidence
    assert _answers(second, assessment_id)["s3.q2"] == 2
    assert _answers(second, assessment_id)["s3.evidence"] == text
    assert needing_attention(laptop.store) == []

    _attention(second).resolve(item, {**others, row.name: choice})
    assert needing_attention(second.store) == []
    _clean(second.sync())
    _clean(laptop.sync())

    _everyone_holds(office, (laptop, second), assessment_id,
                    {"s3.q2": settled, "s3.evidence": text, "s4.q1": 1})
    # both sides stay in the central history: the first laptop's 1; the second's 2 where kept
    history = [v.get("s3.q2") for v in _central_history(office, assessment_id)]
    assert 1 in history and history[-1] == settled
    # the second laptop's own history keeps its 2, and the 1 it took from the central system
    seen = [(entry.source, entry.new_values.get(answer_field("s3.q2")))
            for entry in second.store.records.history("assessment", assessment_id)]
    values = [value for _source, value in seen]
    assert 2 in values and 1 in values, seen


def test_only_the_answer_changed_on_both_is_asked_about(
        laptop: Laptop, second: Laptop, office: Office, clock: FakeClock) -> None:
    assessment_id = _started(laptop, second, office)
    assert not _service(laptop).save_answers(assessment_id, {"s3.q2": 1}).errors
    assert not _service(second).save_answers(assessment_id, {"s3.q2": 2, "s4.q1": 1}).errors
    _clean(laptop.sync())
    assert second.sync().conflicts == 1
    conflict, _item = _conflict(second)
    assert [d.name for d in conflict.fields] == [answer_field("s3.q2")]
    assert dict(conflict.kept) == {answer_field("s4.q1"): 1}
    assert [r.name for r in _item.fields] == [answer_field("s3.q2")]
    assert _item.happened.endswith("; your 1 other change will be kept")

    # choosing the central system's answer for the clash still sends the laptop's own answer
    _attention(second).resolve(_item, {answer_field("s3.q2"): Pick.THEIRS})
    _clean(second.sync())
    _clean(laptop.sync())
    _everyone_holds(office, (laptop, second), assessment_id, {"s3.q2": 1, "s4.q1": 1})
