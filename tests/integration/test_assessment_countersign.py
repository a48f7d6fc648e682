"""Countersigning over the real server on loopback (decision 0013): the SPO's laptop sends only
the lock; the central system sets the case's risk of serious harm register in the same
transaction, and the level reaches both laptops with their next pull. Nothing lands in
Needs attention, whether the case had a register already or not (an SPO only reads the
case, so a register the SPO's laptop made itself would be refused)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from caseclient.domain.assessment import builtin_registry
from caseclient.domain.records import Grade, Officer
from caseclient.services.assessments import AssessmentService
from caseclient.sync.conflicts import needing_attention
from tests.helpers.clock import FakeClock
from tests.integration.conftest import PASSWORD, Laptop, Office
from tests.ui.assessments.answers import complete_answers

PO1 = Officer("PO1", "Officer PO1", Grade.PO, "North")
SPO1 = Officer("SPO1", "Officer SPO1", Grade.SPO, "North")


def _service(laptop: Laptop, officer: Officer) -> AssessmentService:
    return AssessmentService(lambda: laptop.store, laptop.clock, officer=lambda: officer,
                             registry=builtin_registry())


def _rosh_levels(laptop: Laptop, case_id: str) -> list[str]:
    return [str(r.fields["level"]) for r in laptop.store.records.all("register", case_id=case_id)
            if r.fields.get("register_type") == "RRSH"]


def _central_rosh(office: Office, case_id: str) -> list[tuple[str, str]]:
    return [(r.record_id, str(r.fields["level"]))
            for r in office.server.services.admin.all_records()
            if r.record_type == "register" and r.case_id == case_id and not r.deleted
            and r.fields.get("register_type") == "RRSH"]


@pytest.mark.parametrize("existing", [None, "VERY_HIGH"], ids=["no-register", "register"])
def test_an_spo_countersigns_and_the_register_comes_from_the_central_system(
        existing: str | None, laptop: Laptop, laptops: list[Laptop], office: Office,
        clock: FakeClock, tmp_path: Path) -> None:
    office.server.services.admin.add_officer(staff_code="SPO1", username="spo1", password=PASSWORD,
                                             name="Officer SPO1", grade="SPO", team="North")
    if existing is not None:
        office.server.services.admin.put_record(
            record_type="register", record_id=str(uuid.uuid4()),
            fields={"case_id": office.case_id, "register_type": "RRSH", "level": existing,
                    "start_date": "2026-01-05", "ended": False}, actor="OFFICE1")
    template = builtin_registry().latest()
    assert template is not None

    # PO1 writes and signs the assessment on their laptop and syncs it
    officer = _service(laptop, PO1)
    assessment_id = officer.start(office.case_id, copy_from_last=False).view.assessment_id
    officer.save_answers(assessment_id, complete_answers(template, risk="HIGH"))
    assert officer.sign(assessment_id).ok
    report = laptop.sync()
    assert report.rejected == 0 and report.needs_attention == 0
    assert _rosh_levels(laptop, office.case_id) == ([existing] if existing else [])

    # the team's SPO, on their own laptop, receives it, countersigns it and syncs
    spo = Laptop(tmp_path / "spo", office, clock)
    laptops.append(spo)
    spo.login("spo1")
    spo.sync()
    senior = _service(spo, SPO1)
    clock.advance(minutes=20)
    locked = senior.countersign(assessment_id)
    assert locked.ok, locked.refusal
    # only the lock is queued: the register is the central system's to set
    assert [m for r in spo.store.records.all("register")
            for m in spo.store.records.mutations("register", r.id)] == []
    assert _rosh_levels(spo, office.case_id) == ([existing] if existing else [])

    report = spo.sync()
    assert report.rejected == 0 and report.conflicts == 0 and report.needs_attention == 0
    assert needing_attention(spo.store) == []
    [(register_id, level)] = _central_rosh(office, office.case_id)
    assert level == "HIGH"
    central = office.fields(assessment_id)
    assert central is not None and central["status"] == "locked"
    assert central["countersigned_by"] == "SPO1"
    # the level arrived with the same sync's pull, on the SPO's laptop …
    assert _rosh_levels(spo, office.case_id) == ["HIGH"]
    assert spo.store.records.require("register", register_id).fields["level"] == "HIGH"
    # … and on the officer's at their next sync, with the lock
    report = laptop.sync()
    assert report.rejected == 0 and report.needs_attention == 0
    assert _rosh_levels(laptop, office.case_id) == ["HIGH"]
    assert officer.get(assessment_id).fields["status"] == "locked"
