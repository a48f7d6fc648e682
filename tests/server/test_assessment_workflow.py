"""The assessment workflow held by the server whatever a client sends (issue 7; the client's
rules are domain/assessment/workflow.py, decision 0022): answers only while open, signing by
the assessor, countersigning and returning by another SPO, reopening, superseding, and the
risk of serious harm register set by a lock — each checked through the real HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseserver.records import StoredRecord
from tests.server.api import PASSWORD, Device, World

SIGN: dict[str, JSONValue] = {"status": "signed", "signed_by": "PO1",
                              "signed_at": "2026-11-24T10:00:00Z", "overall_risk": "HIGH",
                              "scores": {"sections": {}}}


def new_id() -> str:
    return str(uuid.uuid4())


def fields(case_id: str, status: str = "open", **extra: JSONValue) -> dict[str, JSONValue]:
    return {"case_id": case_id, "template_id": "caseclient-oasys-style", "template_version": 1,
            "status": status, "assessor_code": "PO1", "answer.3.1": "Lives with a friend.", **extra}


def stored(world: World, record_id: str) -> StoredRecord:
    return next(r for r in world.server.services.admin.all_records() if r.record_id == record_id)


def refused(result: dict[str, Any], *words: str) -> None:
    assert result["result"] == "rejected", result
    for word in words:
        assert word in result["reason"], result["reason"]


def applied(result: dict[str, Any]) -> int:
    assert result["result"] == "applied", result
    version: int = result["version"]
    return version


def open_assessment(world: World, po: Device) -> str:
    record_id = new_id()
    applied(po.send("assessment", record_id, "create", fields(world.case_a)))
    return record_id


def signed(world: World, po: Device) -> str:
    record_id = open_assessment(world, po)
    applied(po.send("assessment", record_id, "update", SIGN, base_version=1))
    return record_id


def test_answers_are_refused_while_signed_returned_or_superseded(world: World) -> None:
    po, spo = world.device("po1"), world.device("spo1")
    record_id = signed(world, po)
    refused(po.send("assessment", record_id, "update", {"answer.3.1": "Changed"}, base_version=2),
            "signed and waiting for a senior probation officer")
    refused(po.send("assessment", record_id, "update", {"review_marks": ["3.1"]}, base_version=2),
            "signed")
    applied(spo.send("assessment", record_id, "update",
                     {"status": "returned", "return_comments": "Say more in 3.1."}, base_version=2))
    refused(po.send("assessment", record_id, "update", {"answer.3.1": "Changed"}, base_version=3),
            "Reopen it")
    other = open_assessment(world, po)
    applied(po.send("assessment", other, "update", {"status": "superseded"}, base_version=1))
    refused(po.send("assessment", other, "update", {"answer.3.1": "Late words"}, base_version=2),
            "replaced by a newer one")
    assert stored(world, other).fields["answer.3.1"] == "Lives with a friend."


def test_a_signed_or_superseded_assessment_cannot_be_taken_back_by_its_writer(world: World) -> None:
    po = world.device("po1")
    record_id = signed(world, po)
    refused(po.send("assessment", record_id, "update", {"status": "open", "signed_by": None,
                                                        "signed_at": None}, base_version=2),
            "only if they return it")
    other = open_assessment(world, po)
    applied(po.send("assessment", other, "update", {"status": "superseded"}, base_version=1))
    for status in ("open", "signed"):
        refused(po.send("assessment", other, "update", {"status": status}, base_version=2),
                "replaced by a newer one")


def test_only_the_assessor_signs_and_in_their_own_name(world: World) -> None:
    po = world.device("po1")
    record_id = new_id()
    applied(po.send("assessment", record_id, "create", fields(world.case_a, assessor_code="PO2")))
    refused(po.send("assessment", record_id, "update", SIGN, base_version=1),
            "Only the officer writing this assessment can sign it.")
    mine = open_assessment(world, po)
    refused(po.send("assessment", mine, "update", {**SIGN, "signed_by": "PO2"}, base_version=1),
            "in the name of the officer who signs")
    applied(po.send("assessment", mine, "update", {"status": "signed"}, base_version=1))
    assert stored(world, mine).fields["signed_by"] == "PO1"   # the server names the signer


def test_workflow_details_change_only_with_a_workflow_step(world: World) -> None:
    po = world.device("po1")
    record_id = open_assessment(world, po)
    for change in ({"overall_risk": "LOW"}, {"signed_by": "PO1"}, {"template_version": 2},
                   {"countersigned_by": "PO1"}, {"supersedes": new_id()}):
        refused(po.send("assessment", record_id, "update", change, base_version=1),
                "change only by signing, countersigning or returning")
    applied(po.send("assessment", record_id, "update", {"answer.3.1": "Fine"}, base_version=1))


def test_only_another_spo_countersigns_or_returns(world: World) -> None:
    admin = world.server.services.admin
    admin.add_officer(staff_code="SPO2", username="spo2", password=PASSWORD, name="Officer SPO2",
                      grade="SPO", team="North")
    own_case = new_id()
    admin.put_record(record_type="case", record_id=own_case,
                     fields={"crn": "M000009", "first_name": "Sam", "last_name": "Lee",
                             "officer_code": "SPO1"})
    spo1, spo2 = world.device("spo1"), world.device("spo2")
    record_id = new_id()
    applied(spo1.send("assessment", record_id, "create",
                      fields(own_case, assessor_code="SPO1")))
    applied(spo1.send("assessment", record_id, "update", {**SIGN, "signed_by": "SPO1"},
                      base_version=1))
    refused(spo1.send("assessment", record_id, "update", {"status": "locked"}, base_version=2),
            "You signed this assessment, so another senior probation officer must countersign it.")
    refused(spo1.send("assessment", record_id, "update",
                      {"status": "returned", "return_comments": "Me again"}, base_version=2),
            "another senior probation officer must return it")
    refused(spo2.send("assessment", record_id, "update", {"status": "returned",
                                                          "return_comments": "  "}, base_version=2),
            "Say what needs to change")
    applied(spo2.send("assessment", record_id, "update", {"status": "locked"}, base_version=2))
    assert stored(world, record_id).fields["countersigned_by"] == "SPO2"


def test_a_returned_assessment_reopens_without_its_old_signature(world: World) -> None:
    po, spo = world.device("po1"), world.device("spo1")
    record_id = signed(world, po)
    applied(spo.send("assessment", record_id, "update",
                     {"status": "returned", "return_comments": "Say more in 3.1."}, base_version=2))
    refused(spo.send("assessment", record_id, "update", {"status": "open"}, base_version=3))
    applied(po.send("assessment", record_id, "update", {"status": "open"}, base_version=3))
    now = stored(world, record_id).fields
    assert now["status"] == "open" and now["signed_by"] is None and now["signed_at"] is None
    applied(po.send("assessment", record_id, "update", {"answer.3.1": "More words."}, base_version=4))
    applied(po.send("assessment", record_id, "update", SIGN, base_version=5))


def test_steps_taken_offline_in_one_queued_change_are_judged_as_those_steps(world: World) -> None:
    """The laptop's outbox folds later edits into a change not yet sent: a new assessment
    written and signed offline arrives as one create; reopen, edit and sign as one update."""
    po, spo = world.device("po1"), world.device("spo1")
    record_id = new_id()
    applied(po.send("assessment", record_id, "create", {**fields(world.case_a), **SIGN}))
    refused(po.send("assessment", new_id(), "create",
                    {**fields(world.case_a), **SIGN, "signed_by": "PO2"}), "in the name")
    refused(po.send("assessment", new_id(), "create", fields(world.case_a, "locked")),
            "countersign")
    applied(spo.send("assessment", record_id, "update",
                     {"status": "returned", "return_comments": "Say more in 3.1."}, base_version=1))
    applied(po.send("assessment", record_id, "update",
                    {**SIGN, "answer.3.1": "Reopened, rewritten and signed offline."}, base_version=2))
    assert stored(world, record_id).fields["status"] == "signed"


def test_a_newer_assessment_supersedes_unfinished_older_ones(world: World) -> None:
    po, spo = world.device("po1"), world.device("spo1")
    locked = signed(world, po)
    applied(spo.send("assessment", locked, "update", {"status": "locked"}, base_version=2))
    older = signed(world, po)
    newer = new_id()
    applied(po.send("assessment", newer, "create", fields(world.case_a, supersedes=older)))
    assert stored(world, older).fields["status"] == "superseded"
    assert stored(world, locked).fields["status"] == "locked"
    assert stored(world, newer).fields["status"] == "open"
    pulled = {c["record_id"]: c for c in po.pull_all()[0]}
    assert pulled[older]["fields"]["status"] == "superseded"
    # the laptop's own closing of the older one, arriving after, changes nothing and is no refusal
    assert po.send("assessment", older, "update", {"status": "superseded"},
                   base_version=2)["result"] == "applied"
    newest = new_id()
    applied(po.send("assessment", newest, "create", fields(world.case_a)))
    assert stored(world, newer).fields["status"] == "superseded"


def _registers(world: World, case_id: str) -> list[StoredRecord]:
    return [r for r in world.server.services.admin.all_records()
            if r.record_type == "register" and r.case_id == case_id and not r.deleted]


def test_locking_sets_the_cases_risk_of_serious_harm_register(world: World) -> None:
    po, spo = world.device("po1"), world.device("spo1")
    assert _registers(world, world.case_a) == []
    first = signed(world, po)
    applied(spo.send("assessment", first, "update", {"status": "locked"}, base_version=2))
    [register] = _registers(world, world.case_a)
    assert register.fields["register_type"] == "RRSH" and register.fields["level"] == "HIGH"
    assert register.changed_by == "SPO1" and register.fields["ended"] is False

    second = open_assessment(world, po)
    applied(po.send("assessment", second, "update", {**SIGN, "overall_risk": "medium"},
                    base_version=1))
    applied(spo.send("assessment", second, "update", {"status": "locked"}, base_version=2))
    [again] = _registers(world, world.case_a)
    assert again.record_id == register.record_id and again.fields["level"] == "MEDIUM"
    # the SPO's laptop sets the same level locally and sends it: no change, not a refusal
    assert spo.send("register", register.record_id, "update", {"level": "MEDIUM"},
                    base_version=register.version)["result"] == "applied"
    refused(spo.send("register", register.record_id, "update", {"level": "LOW"},
                     base_version=again.version), "only its managing officer")
