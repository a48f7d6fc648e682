"""Signing in, refreshing and checking bearer tokens; revoking and wiping devices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from caseclient.domain.ids import is_uuid
from caseserver import officers as officer_store
from caseserver.auth import ratelimit
from caseserver.auth import tokens as token_store
from caseserver.auth.passwords import Passwords
from caseserver.clock import Clock, iso
from caseserver.db.engine import Database
from caseserver.db.tables import devices
from caseserver.errors import ApiError, invalid_token
from caseserver.officers import Officer
from caseserver.settings import Settings
from caseserver.text import is_storable, storable

INVALID_CREDENTIALS = "Username or password not recognised."


@dataclass(frozen=True)
class Caller:
    """Who is asking: the officer and the device (client id) their token belongs to."""

    officer: Officer
    client_id: str


def _refresh_refused() -> ApiError:
    return ApiError(401, "invalid_refresh_token", "Your sign-in has ended. Sign in again.")


class AuthService:
    def __init__(self, db: Database, settings: Settings, clock: Clock, passwords: Passwords) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._passwords = passwords

    def _tokens_body(self, officer: Officer, pair: token_store.TokenPair) -> dict[str, Any]:
        return {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
                "expires_in": pair.expires_in, "officer": officer.wire()}

    def login(self, *, username: str, password: str, client_id: str, device_name: str,
              address: str) -> dict[str, Any]:
        if not is_uuid(client_id):
            raise ApiError(422, "invalid_request", "client_id must be a UUID.",
                           extra={"fields": ["client_id"]})
        now = self._clock()
        refusal: ApiError | None = None
        readable = is_storable(username) and is_storable(password)
        username, device_name = storable(username), storable(device_name)
        with self._db.write() as tx:
            wait = ratelimit.retry_after(tx.conn, self._settings, username=username, address=address, now=now)
            if wait is not None:
                refusal = ApiError(429, "too_many_attempts",
                                   f"Too many sign-in attempts. Try again in {wait} seconds.",
                                   headers={"Retry-After": str(wait)})
            found = None if refusal else officer_store.by_username(tx.conn, username)
            if refusal is None and (found is None or not found[0].active or not readable
                                    or not self._passwords.verify(found[1], password)):
                if found is None and readable:
                    self._passwords.verify(None, password)  # same work as a known user
                ratelimit.record_failure(tx.conn, username=username, address=address, now=now)
                refusal = ApiError(401, "invalid_credentials", INVALID_CREDENTIALS)
            if refusal is None and found is not None:
                officer = found[0]
                refusal = self._register_device(tx.conn, officer, client_id, device_name)
                if refusal is None:
                    ratelimit.forget_account(tx.conn, username, now, self._settings)
                    pair = token_store.issue_pair(
                        tx.conn, client_id=client_id, staff_code=officer.staff_code, now=now,
                        access_ttl=self._settings.access_ttl_seconds,
                        refresh_ttl=self._settings.refresh_ttl_seconds)
                    return self._tokens_body(officer, pair)
        assert refusal is not None
        raise refusal

    def _register_device(self, conn: Any, officer: Officer, client_id: str,
                         device_name: str) -> ApiError | None:
        now = iso(self._clock())
        row = conn.execute(select(devices).where(devices.c.client_id == client_id)).first()
        if row is None:
            conn.execute(insert(devices).values(
                client_id=client_id, staff_code=officer.staff_code, device_name=device_name[:200],
                last_applied_seq=0, wipe=False, revoked=False, created_at=now, last_seen_at=now))
            return None
        m = row._mapping
        if m["staff_code"] != officer.staff_code:
            return ApiError(403, "client_in_use", "This laptop profile is registered to another officer. "
                                                  "Make a new profile to sign in.")
        if m["revoked"]:
            return ApiError(403, "device_revoked", "This laptop has been withdrawn from use. "
                                                   "Contact your service desk.")
        conn.execute(update(devices).where(devices.c.client_id == client_id)
                     .values(last_seen_at=now, device_name=device_name[:200]))
        return None

    def refresh(self, *, refresh_token: str, client_id: str) -> dict[str, Any]:
        now = self._clock()
        with self._db.write() as tx:
            row = token_store.find(tx.conn, refresh_token)
            if (row is None or row.kind != "refresh" or row.client_id != client_id or row.revoked
                    or row.expires_at <= iso(now)):
                raise _refresh_refused()
            body: dict[str, Any] | None = None
            if row.used_at is not None or not token_store.mark_used(tx.conn, refresh_token, now):
                token_store.revoke_device(tx.conn, client_id)
            else:
                officer = officer_store.by_staff_code(tx.conn, row.staff_code)
                if officer is None or not officer.active:
                    raise _refresh_refused()
                pair = token_store.issue_pair(
                    tx.conn, client_id=client_id, staff_code=officer.staff_code, now=now,
                    access_ttl=self._settings.access_ttl_seconds,
                    refresh_ttl=self._settings.refresh_ttl_seconds)
                body = self._tokens_body(officer, pair)
        if body is None:  # a reused token: committed, the device's tokens stay revoked
            raise _refresh_refused()
        return body

    def authenticate(self, access_token: str, client_id: str) -> Caller:
        now = iso(self._clock())
        with self._db.read() as conn:
            row = token_store.find_access(conn, access_token)
        if (row is None or row.kind != "access" or row.revoked or row.client_id != client_id
                or row.expires_at <= now or row.officer is None or not row.officer[5]):
            raise invalid_token()
        return Caller(Officer(*row.officer), client_id)

    def device_wipe_flag(self, client_id: str) -> bool:
        with self._db.read() as conn:
            return bool(conn.execute(select(devices.c.wipe).where(devices.c.client_id == client_id)).scalar())

    # ---- administration -----------------------------------------------------------------
    def revoke_device(self, client_id: str, *, wipe: bool = False) -> bool:
        """Stop a device: its tokens end now and it cannot sign in again."""
        with self._db.write() as tx:
            done = tx.conn.execute(update(devices).where(devices.c.client_id == client_id)
                                   .values(revoked=True, wipe=wipe)).rowcount
            token_store.revoke_device(tx.conn, client_id)
        return bool(done)

    def set_wipe(self, client_id: str, wipe: bool = True) -> bool:
        """Ask a device (at its next handshake) to push what it can and then erase its profile."""
        with self._db.write() as tx:
            done = tx.conn.execute(update(devices).where(devices.c.client_id == client_id)
                                   .values(wipe=wipe)).rowcount
        return bool(done)
