"""Bearer tokens: random strings given to the device once, stored only as SHA-256.

Access tokens live 15 minutes. Refresh tokens rotate: each works once, and a used
one presented again revokes every token of that device (it was copied).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, update

from caseserver.clock import iso
from caseserver.db.engine import DriverStatement
from caseserver.db.tables import officers, tokens


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int

    def __repr__(self) -> str:
        return f"TokenPair(expires_in={self.expires_in})"


@dataclass(frozen=True)
class TokenRow:
    kind: str
    client_id: str
    staff_code: str
    expires_at: str
    used_at: str | None
    revoked: bool


def issue_pair(conn: Connection, *, client_id: str, staff_code: str, now: dt.datetime,
               access_ttl: int, refresh_ttl: int) -> TokenPair:
    pair = TokenPair(secrets.token_urlsafe(32), secrets.token_urlsafe(32), access_ttl)
    for kind, token, ttl in (("access", pair.access_token, access_ttl),
                             ("refresh", pair.refresh_token, refresh_ttl)):
        conn.execute(insert(tokens).values(
            token_hash=token_hash(token), kind=kind, client_id=client_id, staff_code=staff_code,
            issued_at=iso(now), expires_at=iso(now + dt.timedelta(seconds=ttl)), used_at=None,
            revoked=False))
    return pair


def find(conn: Connection, token: str) -> TokenRow | None:
    row = conn.execute(select(tokens).where(tokens.c.token_hash == token_hash(token))).first()
    if row is None:
        return None
    m = row._mapping
    return TokenRow(m["kind"], m["client_id"], m["staff_code"], m["expires_at"], m["used_at"],
                    bool(m["revoked"]))


# An access token's row and its officer's, in one statement built once (decision 0037's driver
# cursor): every authenticated request runs it, and building and executing it through
# SQLAlchemy cost several times what the database takes to answer.
_ACCESS = DriverStatement(
    select(tokens.c.kind, tokens.c.client_id, tokens.c.expires_at, tokens.c.revoked,
           officers.c.staff_code, officers.c.username, officers.c.name, officers.c.grade,
           officers.c.team, officers.c.active)
    .select_from(tokens.outerjoin(officers, officers.c.staff_code == tokens.c.staff_code))
    .where(tokens.c.token_hash == bindparam("token_hash")))


@dataclass(frozen=True)
class AccessRow:
    """An access token's row as :func:`find_access` reads it, with its officer's columns
    (``None`` when no officer has the token's staff code)."""

    kind: str
    client_id: str
    expires_at: str
    revoked: bool
    officer: tuple[str, str, str, str, str, bool] | None   # staff_code, username, name, grade, team, active


def find_access(conn: Connection, token: str) -> AccessRow | None:
    """The token's row and its officer, read in one statement."""
    row = _ACCESS.first(conn, {"token_hash": token_hash(token)})
    if row is None:
        return None
    kind, client_id, expires_at, revoked, staff_code, username, name, grade, team, active = row
    officer = None if staff_code is None else (staff_code, username, name, grade, team, bool(active))
    return AccessRow(kind, client_id, expires_at, bool(revoked), officer)


def mark_used(conn: Connection, token: str, now: dt.datetime) -> bool:
    """True when this call used the token (False: someone used it first)."""
    done = conn.execute(update(tokens).where(tokens.c.token_hash == token_hash(token),
                                             tokens.c.used_at.is_(None))
                        .values(used_at=iso(now))).rowcount
    return bool(done)


def revoke_device(conn: Connection, client_id: str) -> None:
    conn.execute(update(tokens).where(tokens.c.client_id == client_id).values(revoked=True))
