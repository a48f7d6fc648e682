"""Transport rules with an in-memory server: retries, Retry-After, refresh, errors."""

from __future__ import annotations

import json

import httpx
import pytest

from caseclient.errors import (
    CentralBusy,
    Offline,
    ProtocolViolation,
    ServerRefused,
    SignedOut,
    TooManySignIns,
    UpgradeRequired,
)
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


def test_sign_in_limit_fails_at_once_in_plain_words() -> None:
    limited = json_response(429, {"error": "too_many_attempts",
                                  "detail": "Too many sign-in attempts. Try again in 840 seconds."},
                            **{"Retry-After": "840"})
    script = Script(limited, json_response(200, TOKENS))
    sleeps: list[float] = []
    creds = MemoryCredentials()
    with pytest.raises(TooManySignIns) as raised:
        make(script, creds, sleeps).login("sam", "pw", "Laptop")
    assert len(script.requests) == 1 and sleeps == []      # not retried, no waiting
    assert raised.value.wait_seconds == 840
    assert raised.value.plain().startswith("Too many sign-in attempts. Try again in 14 minutes.")
    assert creds.values == {}


@pytest.mark.parametrize(("retry_after", "words"), [
    ("59", "Try again in 1 minute."), ("61", "Try again in 2 minutes."),
    (None, "Try again in a few minutes."), ("soon", "Try again in a few minutes.")])
def test_sign_in_limit_wait_in_words(retry_after: str | None, words: str) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    script = Script(json_response(429, {"error": "too_many_attempts", "detail": ""}, **headers))
    with pytest.raises(TooManySignIns) as raised:
        make(script).login("sam", "pw", "Laptop")
    assert words in raised.value.plain()


def test_sync_429_honours_retry_after_within_the_wait_budget() -> None:
    script = Script(json_response(429, {"error": "busy"}, **{"Retry-After": "10"}),
                    json_response(429, {"error": "busy"}, **{"Retry-After": "10"}),
                    json_response(200, {"ok": True}))
    sleeps: list[float] = []
    transport = Transport(ServerConfig("https://central.example"), client_id=CLIENT,
                          credentials=signed_in(), http=script.transport,
                          retry=RetryPolicy(attempts=5, base_delay=1, max_delay=8, max_wait=25),
                          sleep=sleeps.append, rand=lambda: 1.0)
    assert transport.call("GET", "/sync/pull") == {"ok": True}
    assert sleeps == [10.0, 10.0]


def test_sync_429_beyond_the_wait_budget_gives_up_at_once_and_says_when() -> None:
    script = Script(json_response(429, {"error": "busy"}, **{"Retry-After": "240"}),
                    json_response(200, {"ok": True}))
    sleeps: list[float] = []
    with pytest.raises(CentralBusy) as raised:
        make(script, signed_in(), sleeps).call("POST", "/sync/push", body={})
    assert sleeps == [] and len(script.requests) == 1
    assert raised.value.retry_after == 240
    assert isinstance(raised.value, Offline)
    assert "4 minutes" in raised.value.plain() and "kept on this laptop" in raised.value.plain()


def test_repeated_429_stops_when_the_budget_is_spent() -> None:
    script = Script(*[json_response(429, {"error": "busy"}, **{"Retry-After": "20"})] * 5)
    sleeps: list[float] = []
    transport = Transport(ServerConfig("https://central.example"), client_id=CLIENT,
                          credentials=signed_in(), http=script.transport,
                          retry=RetryPolicy(attempts=5, base_delay=1, max_delay=8, max_wait=45),
                          sleep=sleeps.append, rand=lambda: 1.0)
    with pytest.raises(CentralBusy):
        transport.call("GET", "/sync/pull")
    assert sleeps == [20.0, 20.0] and len(script.requests) == 3
    assert sum(sleeps) <= 45


def test_default_policy_never_waits_more_than_a_minute_per_request() -> None:
    script = Script(*[json_response(503, {"error": "busy"}, **{"Retry-After": "50"})] * 5)
    sleeps: list[float] = []
    transport = Transport(ServerConfig("https://central.example"), client_id=CLIENT,
                          credentials=signed_in(), http=script.transport,
                          sleep=sleeps.append, rand=lambda: 1.0)
    with pytest.raises(Offline):
        transport.call("GET", "/sync/pull")
    assert sum(sleeps) <= RetryPolicy().max_wait <= 60
