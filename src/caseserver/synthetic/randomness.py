"""Seeded helpers: every value comes from one ``random.Random`` so a seed reproduces a caseload.

This is test and demo data, not security: the generator is deliberately
predictable (passwords included), which is why ``random`` is used and not ``secrets``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import uuid
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")

_CHARACTERS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 20


def make_rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible fake data, not secrets


def new_id(rng: random.Random) -> str:
    """A lowercase canonical version-4 UUID drawn from ``rng`` (so seeds reproduce)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def password(rng: random.Random) -> str:
    return "".join(rng.choice(_CHARACTERS) for _ in range(PASSWORD_LENGTH))


class Weighted(Generic[T]):
    """A fixed weighted choice, with the cumulative weights worked out once."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._items = [item for item, _ in pairs]
        self._cumulative = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self._items, cum_weights=self._cumulative)[0]


def chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def weekday_on_or_after(day: dt.date) -> dt.date:
    """Offices are shut at weekends: Saturday and Sunday move to Monday."""
    weekday = day.weekday()
    return day + dt.timedelta(days=7 - weekday) if weekday >= 5 else day


def weekday_on_or_before(day: dt.date) -> dt.date:
    weekday = day.weekday()
    return day - dt.timedelta(days=weekday - 4) if weekday >= 5 else day


def clock_time(rng: random.Random, first_hour: int = 9, last_hour: int = 16) -> tuple[str, str]:
    """A start and end time in office hours, on the quarter hour, 15 to 60 minutes apart."""
    start = rng.randrange(first_hour * 4, last_hour * 4 + 3) * 15
    end = start + rng.choice((15, 30, 30, 45, 60))
    return f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"
