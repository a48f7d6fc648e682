"""Server rules that hold whatever a client sends: locked assessments, the sensitive flag,
countersigning by an SPO only, and "no such record on your caseload" for other caseloads."""

from __future__ import annotations

import uuid
from typing import Any

from tests.server.api import Device, World, contact_fields, mutation

NO_SUCH_RECORD = "No such record on your caseload."
NO_SUCH_CASE = "No such case on your caseload."


def new_id() -> str:
    return str(uuid.uuid4())


def assessment_fields(case_id: str, status: str = "open", **extra: Any) -> dict[str, Any]:
    return {"case_id": case_id, "template_id": "oasys-like", "template_version": 1, "status": status,
            "answer.3.1": "Lives with a friend.", **extra}


def signed_assessment(world: World, po: Device) -> str:
    record_id = new_id()
    assert po.send("assessment", record_id, "create", assessment_fields(world.case_a))["result"] == "applied"
    assert po.send("assessment", record_id, "update", {"status": "signed", "signed_by": "PO1"},
                   base_version=1)["result"] == "applied"
    return record_id


def test_only_an_spo_countersigns_and_the_lock_holds(world: World) -> None:
    po, spo = world.device("po1"), world.device("spo1")
    record_id = signed_assessment(world, po)
    refused = po.send("assessment", record_id, "update", {"status": "locked"}, base_version=2)
    assert refused["result"] == "rejected" and "senior probation officer" in refused["reason"]

    locked = spo.send("assessment", record_id, "update", {"status": "locked"}, base_version=2)
    assert locked["result"] == "applied" and locked["version"] == 3
    stored = next(r for r in world.server.services.admin.all_records() if r.record_id == record_id)
    assert stored.fields["countersigned_by"] == "SPO1" and stored.fields["countersigned_at"]

    for fields in ({"answer.3.1": "Changed"}, {"status": "signed"}, {"status": "open"}):
        result = po.send("assessment", record_id, "update", fields, base_version=3)
        assert result["result"] == "rejected" and "locked" in result["reason"]
    assert spo.send("assessment", record_id, "update", {"status": "open"}, base_version=3)["result"] \
        == "rejected"
    assert po.send("assessment", record_id, "delete", {}, base_version=3)["result"] == "rejected"


def test_spo_returns_a_signed_assessment_but_cannot_otherwise_edit_the_team_case(world: World) -> None:
    po, spo = world.device("po1"), world.device("spo1")
    record_id = signed_assessment(world, po)
    returned = spo.send("assessment", record_id, "update",
                        {"status": "returned", "return_comments": "Section 3 needs evidence."},
                        base_version=2)
    assert returned["result"] == "applied"
    answer = spo.send("assessment", record_id, "update", {"answer.3.1": "SPO words"}, base_version=3)
    assert answer["result"] == "rejected" and "managing officer" in answer["reason"]
    contact = spo.send("contact", new_id(), "create", contact_fields(world.case_a))
    assert contact["result"] == "rejected"


def test_assessment_cannot_be_created_locked_or_with_an_unknown_status(world: World) -> None:
    po, spo = world.device("po1"), world.device("spo1")
    assert po.send("assessment", new_id(), "create",
                   assessment_fields(world.case_a, "locked"))["result"] == "rejected"
    assert po.send("assessment", new_id(), "create",
                   assessment_fields(world.case_a, "finished"))["result"] == "rejected"
    own_case = new_id()
    world.server.services.admin.put_record(record_type="case", record_id=own_case,
                                           fields={"crn": "M000009", "first_name": "Sam", "last_name": "Lee",
                                                   "officer_code": "SPO1"})
    assert spo.send("assessment", new_id(), "create",
                    assessment_fields(own_case, "locked"))["result"] == "rejected"


def test_sensitive_is_never_unset(world: World) -> None:
    po = world.device("po1")
    record_id = new_id()
    assert po.send("contact", record_id, "create", contact_fields(world.case_a, sensitive=True))["result"] \
        == "applied"
    for value in (False, None):
        result = po.send("contact", record_id, "update", {"sensitive": value}, base_version=1)
        assert result["result"] == "rejected" and "sensitive" in result["reason"]
    assert po.send("contact", record_id, "update", {"notes": "Fine"}, base_version=1)["result"] == "applied"


def test_records_cannot_move_case_and_server_fields_are_refused(world: World) -> None:
    po = world.device("po1")
    record_id = new_id()
    po.send("contact", record_id, "create", contact_fields(world.case_a))
    moved = po.send("contact", record_id, "update", {"case_id": world.case_b}, base_version=1)
    assert moved["result"] == "rejected" and "another case" in moved["reason"]
    case_edit = po.send("case", world.case_a, "update", {"officer_code": "PO1"}, base_version=1)
    assert case_edit["result"] == "rejected" and "fields.officer_code" in case_edit["reason"]
    assert po.send("case", world.case_a, "delete", {}, base_version=1)["result"] == "rejected"


def test_other_caseloads_are_answered_as_not_existing(world: World) -> None:
    po1, po2 = world.device("po1"), world.device("po2")
    theirs = new_id()
    assert po2.send("contact", theirs, "create", contact_fields(world.case_b))["result"] == "applied"

    hidden = po1.send("contact", theirs, "update", {"notes": "peek"}, base_version=1)
    missing = po1.send("contact", new_id(), "update", {"notes": "peek"}, base_version=1)
    assert {k: v for k, v in hidden.items() if k != "mutation_id"} == \
        {k: v for k, v in missing.items() if k != "mutation_id"} == {"result": "rejected",
                                                                      "reason": NO_SUCH_RECORD}
    for op, fields in (("delete", {}), ("update", {"sensitive": False})):
        result = po1.send("contact", theirs, op, fields, base_version=1)
        assert result["reason"] == NO_SUCH_RECORD and "server_record" not in result

    into_theirs = po1.send("contact", new_id(), "create", contact_fields(world.case_b))
    into_nothing = po1.send("contact", new_id(), "create", contact_fields(new_id()))
    assert into_theirs["reason"] == into_nothing["reason"] == NO_SUCH_CASE

    changes, _ = po1.pull_all()
    assert theirs not in {c["record_id"] for c in changes}


def test_a_stored_conflict_is_not_replayed_once_the_case_has_gone(world: World) -> None:
    po2 = world.device("po2")
    record_id = new_id()
    assert po2.send("contact", record_id, "create", contact_fields(world.case_b))["result"] == "applied"
    world.server.services.admin.put_record(record_type="contact", record_id=record_id,
                                           fields={"notes": "Office"}, actor="SPO1", partial=True)
    stale = {"notes": "Mine"}
    clash = po2.send("contact", record_id, "update", stale, base_version=1)
    assert clash["result"] == "conflict"
    world.server.services.admin.reallocate(world.case_b, "PO1", actor="SPO1")
    replay = po2.push(mutation("contact", record_id, "update", stale, seq=2, base_version=1,
                               mutation_id=clash["mutation_id"]))["results"][0]
    assert replay == {"mutation_id": clash["mutation_id"], "result": "rejected", "reason": NO_SUCH_RECORD}
