"""Transport rules with an in-memory server: retries, Retry-After, refresh, errors."""

from __future__ import annotations

import json

import httpx
import pytest

from caseclient.errors import Offline, ProtocolViolation, ServerRefused, SignedOut, UpgradeRequired
from caseclient.sync.transport import (
    IdempotencyMismatch,
    ResyncRequired,
    RetryPolicy,
    ServerConfig,
    Transport,
)
from tests.sync.fakes import MemoryCredentials, Script, json_response

OFFICER = {"staff_code": "N01A123", "name": "Sam Officer", "grade": "PO", "team": "North 1"}
TOKENS = {"access_token": "a1", "refresh_token": "r1", "expires_in": 900, "officer": OFFICER}
CLIENT = "3f0b8c1e-0000-4000-8000-000000000001"


def make(script: Script, creds: MemoryCredentials | None = None,
         sleeps: list[float] | None = None) -> Transport:
    creds = creds if creds is not None else MemoryCredentials()
    waits = sleeps if sleeps is not None else []
    return Transport(ServerConfig("https://central.example"), client_id=CLIENT, credentials=creds,
                     http=script.transport, retry=RetryPolicy(attempts=4, base_delay=1, max_delay=8),
                     sleep=waits.append, rand=lambda: 1.0)


def signed_in() -> MemoryCredentials:
    creds = MemoryCredentials()
    creds.set(f"{CLIENT}:access", "a1")
    creds.set(f"{CLIENT}:refresh", "r1")
    return creds


def test_login_stores_tokens_and_sends_the_device_headers() -> None:
    script = Script(json_response(200, TOKENS))
    creds = MemoryCredentials()
    tokens = make(script, creds).login("sam", "pw", "Laptop 7")
    assert tokens.officer.staff_code == "N01A123"
    assert creds.values == {f"{CLIENT}:access": "a1", f"{CLIENT}:refresh": "r1"}
    request = script.requests[0]
    assert request.url.path == "/api/v1/auth/login"
    assert request.headers["X-Client-Id"] == CLIENT and request.headers["X-Schema-Version"] == "1"
    assert json.loads(request.content)["client_id"] == CLIENT


def test_wrong_credentials_are_a_plain_refusal() -> None:
    script = Script(json_response(401, {"error": "invalid_credentials", "detail": "No"}))
    with pytest.raises(ServerRefused) as raised:
        make(script).login("sam", "bad", "Laptop")
    assert "not recognised" in raised.value.plain()


def test_bearer_token_on_calls() -> None:
    script = Script(json_response(200, {"ok": True}))
    assert make(script, signed_in()).call("POST", "/sync/handshake", body={}) == {"ok": True}
    assert script.requests[0].headers["Authorization"] == "Bearer a1"


def test_transient_failures_back_off_with_jitter_then_succeed() -> None:
    script = Script(httpx.ConnectError("refused"), json_response(503, {}),
                    httpx.ReadTimeout("slow"), json_response(200, {"ok": True}))
    sleeps: list[float] = []
    assert make(script, signed_in(), sleeps).call("GET", "/sync/pull") == {"ok": True}
    assert sleeps == [1.0, 2.0, 4.0]


def test_retry_after_is_honoured() -> None:
    script = Script(json_response(429, {"error": "too_many_attempts"}, **{"Retry-After": "7"}),
                    json_response(200, {"ok": True}))
    sleeps: list[float] = []
    make(script, signed_in(), sleeps).call("GET", "/sync/pull")
    assert sleeps == [7.0]


def test_persistent_outage_is_offline_not_a_crash() -> None:
    script = Script(*[httpx.ConnectError("down")] * 4)
    with pytest.raises(Offline):
        make(script, signed_in()).call("GET", "/sync/pull")
    script = Script(*[json_response(502, {})] * 4)
    with pytest.raises(Offline):
        make(script, signed_in()).call("GET", "/sync/pull")


def test_expired_access_token_is_refreshed_once_and_rotated() -> None:
    rotated = {**TOKENS, "access_token": "a2", "refresh_token": "r2"}
    script = Script(json_response(401, {"error": "invalid_token", "detail": "expired"}),
                    json_response(200, rotated), json_response(200, {"ok": True}))
    creds = signed_in()
    assert make(script, creds).call("GET", "/sync/pull") == {"ok": True}
    assert json.loads(script.requests[1].content) == {"refresh_token": "r1", "client_id": CLIENT}
    assert script.requests[2].headers["Authorization"] == "Bearer a2"
    assert creds.values[f"{CLIENT}:refresh"] == "r2"


def test_failed_refresh_signs_out_and_forgets_tokens() -> None:
    script = Script(json_response(401, {"error": "invalid_token", "detail": "expired"}),
                    json_response(401, {"error": "invalid_refresh_token", "detail": "used"}))
    creds = signed_in()
    with pytest.raises(SignedOut) as raised:
        make(script, creds).call("GET", "/sync/pull")
    assert "Sign in to send your work" in raised.value.plain()
    assert creds.values == {}


def test_no_tokens_means_signed_out_without_a_request() -> None:
    script = Script()
    with pytest.raises(SignedOut):
        make(script).call("GET", "/sync/pull")
    assert script.requests == []


@pytest.mark.parametrize("response", [
    httpx.Response(200, content=b"<html>proxy login</html>", headers={"content-type": "text/html"}),
    httpx.Response(200, content=b'{"truncated": ', headers={"content-type": "application/json"}),
    httpx.Response(200, content=b"\xff\xfe", headers={"content-type": "application/json"}),
])
def test_malformed_replies_are_protocol_violations(response: httpx.Response) -> None:
    with pytest.raises(ProtocolViolation):
        make(Script(response), signed_in()).call("GET", "/sync/pull")


def test_protocol_answers_become_typed_errors() -> None:
    with pytest.raises(UpgradeRequired):
        make(Script(json_response(426, {"error": "upgrade_required", "detail": "",
                                        "min_schema": 2, "max_schema": 3})),
             signed_in()).call("POST", "/sync/handshake", body={})
    with pytest.raises(ResyncRequired) as resync:
        make(Script(json_response(410, {"error": "resync_required", "detail": "",
                                        "epoch": "e2"})), signed_in()).call("GET", "/sync/pull")
    assert resync.value.epoch == "e2"
    with pytest.raises(IdempotencyMismatch) as mismatch:
        make(Script(json_response(409, {"error": "idempotency_mismatch", "detail": "",
                                        "mutation_id": "m3", "results": [{"x": 1}]})),
             signed_in()).call("POST", "/sync/push", body={})
    assert mismatch.value.mutation_id == "m3" and mismatch.value.results == [{"x": 1}]


def test_a_server_error_is_not_retried_at_once_and_says_work_is_kept() -> None:
    script = Script(json_response(500, {"error": "internal", "detail": "boom"}))
    with pytest.raises(ServerRefused) as raised:
        make(script, signed_in()).call("POST", "/sync/push", body={})
    assert len(script.requests) == 1
    assert "kept on this laptop" in raised.value.plain()


def test_health_is_false_when_unreachable() -> None:
    assert make(Script(*[httpx.ConnectError("down")] * 4)).health() is False
    assert make(Script(json_response(200, {"status": "ok"}))).health() is True
