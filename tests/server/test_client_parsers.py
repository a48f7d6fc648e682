"""Every kind of answer the server gives is accepted by the client's own parsers
(caseclient.sync.protocol): the contract checked from both ends."""

from __future__ import annotations

import uuid

from caseclient.sync.protocol import (
    ResultKind,
    parse_error,
    parse_handshake,
    parse_pull,
    parse_push,
    parse_tokens,
)
from tests.server.api import World, contact_fields, mutation


def test_client_parsers_accept_the_server_answers(world: World) -> None:
    device = world.device()
    login = device.login("po1")
    assert parse_tokens(login.json()).officer.staff_code == "PO1"
    assert parse_tokens(device.refresh().json()).expires_in == 900
    assert parse_handshake(device.handshake().json()).epoch

    record_id = str(uuid.uuid4())
    create = mutation("contact", record_id, "create", contact_fields(world.case_a), seq=1)
    world.server.services.admin.put_record(record_type="contact", record_id=str(uuid.uuid4()),
                                           fields=contact_fields(world.case_a), actor="PO2")
    batch = [create,
             mutation("contact", record_id, "update", {"notes": "a"}, seq=2, base_version=1),
             mutation("contact", record_id, "update", {"notes": "b"}, seq=3, base_version=1),
             mutation("contact", str(uuid.uuid4()), "update", {"notes": "c"}, seq=4, base_version=1),
             create,
             mutation("contact", str(uuid.uuid4()), "create", contact_fields(world.case_a), seq=9)]
    body = device.push(*batch)
    parsed = parse_push(body, [m["mutation_id"] for m in batch])
    assert [r.result for r in parsed.results] == [ResultKind.APPLIED, ResultKind.APPLIED, ResultKind.CONFLICT,
                                                 ResultKind.REJECTED, ResultKind.DUPLICATE]
    assert parsed.expected_seq == 5 and parsed.last_applied_seq == 4
    conflict = parsed.results[2]
    assert conflict.server_record is not None and conflict.changed_by == "PO1"

    changed = dict(create, fields=contact_fields(world.case_a, notes="other"), seq=5)
    mismatch = device.push_raw([changed])
    error = parse_error(mismatch.json())
    assert mismatch.status_code == 409 and error is not None and error.error == "idempotency_mismatch"

    changes = parse_pull(device.pull_raw().json())
    assert {c.record_type for c in changes.changes} == {"case", "contact", "reference"}
    gone = parse_error(device.pull_raw("not-a-cursor").json())
    assert gone is not None and gone.extra["epoch"] == changes.epoch
