"""Sign-in, token expiry and rotation, refresh reuse, rate limits, device revoke and wipe."""

from __future__ import annotations

from sqlalchemy import select, update

from caseserver.db.tables import officers, tokens
from tests.helpers.clock import FakeClock
from tests.server.api import PASSWORD, World


def test_bad_password_and_unknown_user_get_the_same_answer(world: World) -> None:
    device = world.device()
    wrong = device.login("po1", "not it")
    unknown = device.login("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "invalid_credentials"


def test_tokens_are_stored_hashed(world: World) -> None:
    device = world.device("po1")
    with world.server.services.db.read() as conn:
        stored = set(conn.execute(select(tokens.c.token_hash)).scalars())
    assert device.access_token not in stored and device.refresh_token not in stored
    assert len(stored) == 2


def test_access_token_lasts_fifteen_minutes_then_refresh_rotates(world: World, clock: FakeClock) -> None:
    device = world.device("po1")
    clock.advance(minutes=14)
    assert device.handshake().status_code == 200
    clock.advance(minutes=2)
    expired = device.handshake()
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_token"
    old_refresh = device.refresh_token
    assert device.refresh().status_code == 200
    assert device.refresh_token != old_refresh
    assert device.handshake().status_code == 200


def test_reused_refresh_token_revokes_the_device(world: World) -> None:
    device = world.device("po1")
    stolen = device.refresh_token
    assert device.refresh().status_code == 200
    reuse = world.http.post("/auth/refresh", json={"refresh_token": stolen, "client_id": device.client_id})
    assert reuse.status_code == 401 and reuse.json()["error"] == "invalid_refresh_token"
    assert device.handshake().status_code == 401  # the newest access token too
    assert device.refresh().status_code == 401
    assert device.login("po1").status_code == 200  # signing in again works


def test_refresh_is_bound_to_its_client_id(world: World) -> None:
    device, other = world.device("po1"), world.device("po1")
    response = world.http.post("/auth/refresh", json={"refresh_token": device.refresh_token,
                                                      "client_id": other.client_id})
    assert response.status_code == 401


def test_client_id_header_must_match_the_token(world: World) -> None:
    device, other = world.device("po1"), world.device("po2")
    headers = {**device.headers, "X-Client-Id": other.client_id}
    response = world.http.post("/sync/handshake", json={"app_version": "1"}, headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    for missing in ("Authorization", "X-Client-Id"):
        headers = {k: v for k, v in device.headers.items() if k != missing}
        assert world.http.get("/sync/pull", headers=headers).status_code == 401


def test_schema_version_outside_the_range_is_426(world: World) -> None:
    device = world.device("po1")
    for path in ("/sync/handshake", "/sync/push"):
        response = world.http.post(path, json={"app_version": "9", "mutations": []},
                                   headers={**device.headers, "X-Schema-Version": "2"})
        assert response.status_code == 426
        assert response.json() | {"detail": ""} == {"error": "upgrade_required", "detail": "",
                                                     "min_schema": 1, "max_schema": 1}
    missing = {k: v for k, v in device.headers.items() if k != "X-Schema-Version"}
    assert world.http.post("/sync/handshake", json={"app_version": "1"}, headers=missing).status_code == 400


def test_failed_sign_ins_are_limited_per_account(world: World, clock: FakeClock) -> None:
    device = world.device()
    for _ in range(5):
        assert device.login("po1", "guess").status_code == 401
    limited = device.login("po1")  # even the right password waits
    assert limited.status_code == 429
    assert limited.json()["error"] == "too_many_attempts"
    wait = int(limited.headers["Retry-After"])
    assert 0 < wait <= 15 * 60
    assert world.device().login("po2").status_code == 200  # other accounts are not locked out
    clock.advance(seconds=wait)
    assert device.login("po1").status_code == 200


def test_failed_sign_ins_are_limited_per_address(world: World) -> None:
    device = world.device()
    for n in range(20):
        assert device.login(f"someone{n}", "guess").status_code == 401
    response = device.login("po1")
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_wipe_flag_reaches_the_device_at_handshake(world: World) -> None:
    device = world.device("po1")
    assert device.handshake().json()["wipe"] is False
    assert world.server.services.auth.set_wipe(device.client_id)
    assert device.handshake().json()["wipe"] is True


def test_revoked_device_is_signed_out_and_cannot_sign_in(world: World) -> None:
    device = world.device("po1")
    assert world.server.services.auth.revoke_device(device.client_id)
    assert device.handshake().status_code == 401
    assert device.refresh().status_code == 401
    again = device.login("po1")
    assert again.status_code == 403 and again.json()["error"] == "device_revoked"


def test_an_officer_made_inactive_is_signed_out_at_once(world: World) -> None:
    device = world.device("po1")
    assert device.pull_raw().status_code == 200
    with world.server.services.db.write() as tx:
        tx.conn.execute(update(officers).where(officers.c.staff_code == "PO1").values(active=False))
    for answer in (device.handshake(), device.pull_raw()):
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"
    with world.server.services.db.write() as tx:
        tx.conn.execute(update(officers).where(officers.c.staff_code == "PO1").values(active=True))
    assert device.pull_raw().status_code == 200     # the token itself was never revoked


def test_one_client_id_belongs_to_one_officer(world: World) -> None:
    device = world.device("po1")
    response = device.login("po2")
    assert response.status_code == 403 and response.json()["error"] == "client_in_use"


def test_client_id_must_be_a_uuid(world: World) -> None:
    response = world.http.post("/auth/login", json={"username": "po1", "password": PASSWORD,
                                                    "client_id": "laptop", "device_name": "x"})
    assert response.status_code == 422 and response.json()["fields"] == ["client_id"]
