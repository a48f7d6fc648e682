"""The injected clock and the officer's local wall-clock time derived from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def local_naive(clock: Clock) -> dt.datetime:
    """Now in local time without a zone: contact dates and times are the officer's local ones."""
    return clock().astimezone().replace(tzinfo=None)
