"""A rule broken offline comes back as a visible rejection (issue 7): one officer's second
laptop signs, offline, an assessment the first laptop has already replaced with a newer one.
The central system refuses the signature; the laptop shows it in Needs attention with the
officer's signature and answers intact, and nothing was changed on the central system."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from caseclient.domain.assessment import builtin_registry, sign, start_assessment
from caseclient.domain.canonical import JSONValue
from caseclient.domain.ids import new_uuid7
from caseclient.domain.records import Grade, Officer
from caseclient.storage.outbox import MutationState
from caseclient.sync.conflicts import Rejection, needing_attention
from tests.helpers.clock import FakeClock
from tests.integration.conftest import Laptop, Office
from tests.ui.assessments.answers import complete_answers

PO1 = Officer("PO1", "Officer PO1", Grade.PO, "North")


def start(laptop: Laptop, case_id: str, answers: dict[str, JSONValue] | None = None) -> str:
    """What AssessmentService.start writes, without Qt: the new record, older ones closed."""
    template = builtin_registry().latest()
    assert template is not None
    records = laptop.store.records
    existing = [(r.id, r.fields) for r in records.all("assessment", case_id=case_id)]
    new = start_assessment(template, case_id=case_id, officer=PO1, today=dt.date(2026, 11, 24),
                           existing=existing, copy_from_last=False)
    record_id = new_uuid7(lambda: int(laptop.clock().timestamp() * 1000))
    records.create_draft("assessment", record_id, case_id, new.fields)
    for older_id, changes in new.superseded.items():
        records.save("assessment", older_id, changes)
    records.finish("assessment", record_id)
    if answers:
        records.save("assessment", record_id,
                     {f"answer.{question}": value for question, value in answers.items()})
    return record_id


def test_a_signature_made_offline_on_a_replaced_assessment_is_shown_as_refused(
        laptop: Laptop, laptops: list[Laptop], office: Office, clock: FakeClock,
        tmp_path: Path) -> None:
    template = builtin_registry().latest()
    assert template is not None
    first = start(laptop, office.case_id, complete_answers(template, risk="HIGH"))
    laptop.sync()
    second = Laptop(tmp_path / "laptop2", office, clock)
    laptops.append(second)
    second.login()
    second.sync()
    assert second.store.records.require("assessment", first).fields["status"] == "open"

    # laptop 1 starts a newer assessment, which replaces the unfinished one, and syncs
    newer = start(laptop, office.case_id)
    assert laptop.sync().rejected == 0
    assert office.fields(first)["status"] == "superseded"       # type: ignore[index]
    assert office.fields(newer)["status"] == "open"             # type: ignore[index]

    # laptop 2, offline all along, signs the old one: the client's rules allow it there
    clock.advance(minutes=30)
    stored = second.store.records.require("assessment", first)
    signed = sign(template, stored.fields, PO1, clock())
    assert signed.ok, signed.refusal
    second.store.records.save("assessment", first, signed.changes)

    report = second.sync()
    assert report.rejected == 1 and report.needs_attention == 1
    [item] = needing_attention(second.store)
    assert isinstance(item, Rejection) and item.record_id == first
    assert item.reason == "This assessment was replaced by a newer one and can no longer be changed."
    assert item.fields["status"] == "signed" and item.fields["signed_by"] == "PO1"
    assert item.fields["overall_risk"] == signed.changes["overall_risk"]
    assert [m.state for m in second.store.records.mutations("assessment", first)][-1] \
        is MutationState.REJECTED
    central = office.fields(first)
    assert central is not None and central["status"] == "superseded"
    assert central.get("signed_by") is None
