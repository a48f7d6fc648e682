"""Authorisation matrix: every endpoint × role (PO, PSO, SPO) × own case / team case /
other team's case. An officer reads and writes only their own cases; an SPO reads the
team's cases and countersigns their assessments; anything outside the caseload is
answered exactly like something that does not exist."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.server.api import Device, World, case_fields, contact_fields

NO_RECORD = "No such record on your caseload."
NO_CASE = "No such case on your caseload."
READ_ONLY = "You can read this case, but only its managing officer can change it."

# case key → (managing officer, team)
CASES = {"a": ("PO1", "North"), "b": ("PO2", "North"), "s": ("PSO1", "South"), "m": ("SPO1", "North")}
ROLES = {"po1": ("PO1", "PO", "North"), "pso1": ("PSO1", "PSO", "South"), "spo1": ("SPO1", "SPO", "North")}
ACTIONS = ("pull", "create", "update", "delete", "countersign")


def expected(role: str, case: str, action: str) -> str:
    staff, grade, team = ROLES[role]
    manager, case_team = CASES[case]
    owner = manager == staff
    readable = owner or (grade == "SPO" and case_team == team)
    if action == "pull":
        return "visible" if readable else "invisible"
    if action == "countersign":
        if grade == "SPO" and readable:
            return "applied"
        return "rejected: " + (NO_RECORD if not readable else "senior probation officer")
    if owner:
        return "applied"
    if not readable:
        return "rejected: " + (NO_CASE if action == "create" else NO_RECORD)
    return "rejected: " + READ_ONLY


def _setup(world: World) -> dict[str, dict[str, str]]:
    admin = world.server.services.admin
    case_ids = {"a": world.case_a, "b": world.case_b, "s": world.case_s, "m": str(uuid.uuid4())}
    admin.put_record(record_type="case", record_id=case_ids["m"], fields=case_fields("M000004", "SPO1"))
    made: dict[str, dict[str, str]] = {}
    for key, case_id in case_ids.items():
        contact, victim, assessment = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        for record_id in (contact, victim):
            admin.put_record(record_type="contact", record_id=record_id, fields=contact_fields(case_id))
        admin.put_record(record_type="assessment", record_id=assessment, fields={
            "case_id": case_id, "template_id": "t", "template_version": 1, "status": "signed"})
        made[key] = {"case": case_id, "contact": contact, "victim": victim, "assessment": assessment}
    return made


def _act(device: Device, action: str, ids: dict[str, str], visible: set[str]) -> str:
    if action == "pull":
        mine = set(ids.values())
        return "visible" if mine <= visible else ("invisible" if not mine & visible else "partly")
    if action == "create":
        result = device.send("contact", str(uuid.uuid4()), "create", contact_fields(ids["case"]))
    elif action == "update":
        result = device.send("contact", ids["contact"], "update", {"notes": "edit"}, base_version=1)
    elif action == "delete":
        result = device.send("contact", ids["victim"], "delete", {}, base_version=1)
    else:
        result = device.send("assessment", ids["assessment"], "update", {"status": "locked"}, base_version=1)
    assert "server_record" not in result
    if result["result"] == "applied":
        return "applied"
    reason = result["reason"]
    return "rejected: " + ("senior probation officer" if "senior probation officer" in reason else reason)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_matrix(world: World, role: str) -> None:
    made = _setup(world)
    device = world.device(role)
    assert device.handshake().status_code == 200
    visible = {c["record_id"] for c in device.pull_all()[0]}
    got: dict[tuple[str, str], str] = {}
    want: dict[tuple[str, str], str] = {}
    for case in sorted(CASES):
        for action in ACTIONS:
            want[case, action] = expected(role, case, action)
            got[case, action] = _act(device, action, made[case], visible)
    assert got == want


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/sync/handshake", {"app_version": "1"}),
    ("POST", "/sync/push", {"mutations": []}),
    ("GET", "/sync/pull", None),
])
def test_every_sync_endpoint_needs_a_valid_token(world: World, method: str, path: str,
                                                 body: dict[str, Any] | None) -> None:
    device = world.device("po1")
    for headers in ({"X-Client-Id": device.client_id, "X-Schema-Version": "1"},
                    {**device.headers, "Authorization": "Bearer not-a-token"},
                    {**device.headers, "Authorization": f"Bearer {device.refresh_token}"}):
        response = world.http.request(method, path, json=body, headers=headers)
        assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    assert world.http.request(method, path, json=body, headers=device.headers).status_code == 200


def test_open_endpoints_need_no_token(world: World) -> None:
    assert world.http.get("/health").status_code == 200
    assert world.http.post("/auth/login", json={"username": "po1", "password": "x",
                                                "client_id": str(uuid.uuid4()),
                                                "device_name": "d"}).status_code == 401
