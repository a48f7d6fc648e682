"""Identifiers made on the device: UUIDv7 (time-ordered) for records and mutations.

UUIDv7 sorts by creation time, which keeps B-tree inserts local and makes
mutation ids readable in order; the clock is injected so tests are repeatable.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

_UUID_VERSION_7 = 7


def new_uuid7(clock_ms: Callable[[], int] | None = None,
              random_bytes: Callable[[int], bytes] = os.urandom) -> str:
    """A new RFC 9562 version-7 UUID as a lowercase string."""
    millis = clock_ms() if clock_ms is not None else time.time_ns() // 1_000_000
    rand = int.from_bytes(random_bytes(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= _UUID_VERSION_7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64          # 12 bits rand_a
    value |= 0b10 << 62                            # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)                # 62 bits rand_b
    return str(uuid.UUID(int=value))


def is_uuid(text: object) -> bool:
    """True for a canonical hyphenated UUID string (any version)."""
    if not isinstance(text, str) or len(text) != 36:
        return False
    try:
        return str(uuid.UUID(text)) == text  # canonical only: one spelling per id
    except ValueError:
        return False
