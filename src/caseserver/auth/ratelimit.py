"""Failed sign-ins counted per account and per address within a sliding window."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import Connection, delete, insert, select

from caseserver.clock import iso, parse_iso
from caseserver.db.tables import login_failures
from caseserver.settings import Settings


def retry_after(conn: Connection, settings: Settings, *, username: str, address: str,
                now: dt.datetime) -> int | None:
    """Seconds to wait when either limit is reached, else None."""
    since = iso(now - dt.timedelta(seconds=settings.login_window_seconds))
    waits: list[int] = []
    for column, value, limit in ((login_failures.c.username, username, settings.login_max_failures_account),
                                 (login_failures.c.address, address, settings.login_max_failures_address)):
        times = conn.execute(select(login_failures.c.at).where(column == value, login_failures.c.at > since)
                             .order_by(login_failures.c.at.desc()).limit(limit)).scalars().all()
        if len(times) >= limit:
            # Allowed again once the oldest of the last `limit` failures leaves the window.
            frees_at = parse_iso(times[-1]) + dt.timedelta(seconds=settings.login_window_seconds)
            waits.append(max(1, math.ceil((frees_at - now).total_seconds())))
    return max(waits) if waits else None


def record_failure(conn: Connection, *, username: str, address: str, now: dt.datetime) -> None:
    conn.execute(insert(login_failures).values(username=username, address=address, at=iso(now)))


def forget_account(conn: Connection, username: str, now: dt.datetime, settings: Settings) -> None:
    """A good sign-in clears the account's count; old rows are trimmed on the way."""
    conn.execute(delete(login_failures).where(login_failures.c.username == username))
    old = iso(now - dt.timedelta(seconds=settings.login_window_seconds))
    conn.execute(delete(login_failures).where(login_failures.c.at <= old))

