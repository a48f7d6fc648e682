"""Input that has broken servers before — NUL characters (PostgreSQL refuses them), lone
surrogates (no UTF-8), NaN, huge numbers, deep nesting — never gives a 5xx."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from tests.server.api import PASSWORD, World, contact_fields, mutation


def post(world: World, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """JSON with \\u escapes, as a client would send a lone surrogate."""
    return world.http.post(path, content=json.dumps(body).encode("ascii"),
                           headers={**(headers or {}), "Content-Type": "application/json"})


def test_sign_in_with_unstorable_text_is_just_refused(world: World) -> None:
    for username, password in (("po1\x00", PASSWORD), ("po1\ud800", PASSWORD), ("po1", "pw\ud800"),
                               ("\x00", "\x00")):
        response = post(world, "/auth/login", {"username": username, "password": password,
                                               "client_id": str(uuid.uuid4()), "device_name": "d"})
        assert response.status_code in (401, 422), response.text  # refused, never a 5xx
    response = post(world, "/auth/login", {"username": "po1", "password": PASSWORD,
                                           "client_id": str(uuid.uuid4()), "device_name": "lap\x00top"})
    assert response.status_code == 200


def test_push_with_unstorable_ids_is_rejected_not_a_server_error(world: World) -> None:
    device = world.device("po1")
    bad_ids = ["id\x00", "id\ud800", "x" * 5000]
    response = post(world, "/sync/push", {"mutations": [{"mutation_id": bad, "seq": n}
                                                        for n, bad in enumerate(bad_ids, start=1)]},
                    device.headers)
    assert response.status_code == 200
    body = response.json()
    assert [r["result"] for r in body["results"]] == ["rejected"] * 3
    assert [r["mutation_id"] for r in body["results"]] == bad_ids


def test_nan_and_broken_characters_in_fields_are_rejected(world: World) -> None:
    device = world.device("po1")
    m = mutation("contact", str(uuid.uuid4()), "create", contact_fields(world.case_a), seq=1)
    text = (f'{{"mutations": [{{"mutation_id": "{m["mutation_id"]}", "seq": 1, "op": "create", '
            f'"record_type": "contact", "record_id": "{m["record_id"]}", "base_version": null, '
            f'"fields": {{"case_id": "{world.case_a}", "notes": NaN}}, "payload_sha256": "x"}}]}}')
    response = world.http.post("/sync/push", content=text.encode(), headers={
        **device.headers, "Content-Type": "application/json"})
    assert response.status_code == 200 and response.json()["results"][0]["result"] == "rejected"
    surrogate = {**m, "seq": 2, "mutation_id": str(uuid.uuid4()),
                 "fields": contact_fields(world.case_a, notes="broken \ud800")}
    response = post(world, "/sync/push", {"mutations": [surrogate]}, device.headers)
    assert response.status_code == 200 and response.json()["results"][0]["result"] == "rejected"


def test_nul_and_huge_numbers_in_values_round_trip(world: World) -> None:
    device = world.device("po1")
    record_id = str(uuid.uuid4())
    notes = "before\x00after"
    assert device.send("contact", record_id, "create", contact_fields(world.case_a, notes=notes))["result"] \
        == "applied"
    assessment = str(uuid.uuid4())
    huge = 10**40
    assert device.send("assessment", assessment, "create", {
        "case_id": world.case_a, "template_id": "t", "template_version": 1, "status": "open",
        "answer.big": huge})["result"] == "applied"
    changes = {c["record_id"]: c for c in device.pull_all()[0]}
    assert changes[record_id]["fields"]["notes"] == notes
    assert changes[assessment]["fields"]["answer.big"] == huge


def test_deeply_nested_body_is_a_client_error(world: World) -> None:
    device = world.device("po1")
    body = b'{"mutations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = world.http.post("/sync/push", content=body, headers={
        **device.headers, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
