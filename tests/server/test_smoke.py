"""The embedded server answers health, sign-in, handshake, push and pull end to end."""

from __future__ import annotations

import uuid

from tests.server.api import World, contact_fields


def test_health_login_handshake_push_pull(world: World) -> None:
    assert world.http.get("/health").json() == {"status": "ok"}
    device = world.device("po1")
    assert device.officer == {"staff_code": "PO1", "name": "Officer PO1", "grade": "PO", "team": "North"}
    handshake = device.handshake().json()
    assert handshake["wipe"] is False and handshake["min_schema"] == 1 and handshake["max_schema"] == 1

    contact_id = str(uuid.uuid4())
    result = device.send("contact", contact_id, "create", contact_fields(world.case_a))
    assert result == {"mutation_id": result["mutation_id"], "result": "applied", "version": 1}

    changes, _ = device.pull_all()
    kinds = sorted((c["record_type"], c["record_id"]) for c in changes)
    assert ("contact", contact_id) in kinds
    assert ("case", world.case_a) in kinds
    assert all(c["record_id"] not in (world.case_b, world.case_s) for c in changes)
