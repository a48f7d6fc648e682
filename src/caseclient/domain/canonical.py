"""Canonical JSON and the mutation payload hash of sync protocol v1.

The server recomputes the hash, so both sides must serialise identically: keys
sorted, no insignificant whitespace, UTF-8, non-ASCII kept as is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

JSONValue = Any  # str | int | float | bool | None | list[JSONValue] | dict[str, JSONValue]


def canonical_json(value: JSONValue) -> str:
    """The one serialisation both ends hash."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def payload_sha256(*, record_type: str, record_id: str, op: str, base_version: int | None,
                   fields: Mapping[str, JSONValue], resolves: str | None) -> str:
    """Lowercase hex SHA-256 of the canonical payload (``seq`` and times excluded)."""
    payload = {
        "record_type": record_type,
        "record_id": record_id,
        "op": op,
        "base_version": base_version,
        "fields": dict(fields),
        "resolves": resolves,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
