"""Pull cursors: a position in the commit order, signed and bound to epoch and officer.

A cursor is ``<base64url JSON>.<HMAC-SHA256>``. The JSON holds the epoch, the staff
code and the position (commit sequence, type rank, record id) of the last change
delivered. The HMAC key lives in the database (``meta.cursor_key``), so a cursor
the server never issued, one edited by hand, or one from another epoch or officer
is refused (``410 resync_required``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

# Sorts after every record at the same commit sequence.
END_RANK = 99


@dataclass(frozen=True, order=True)
class Position:
    seq: int
    rank: int
    record_id: str


START = Position(-1, -1, "")


def _sign(key: str, payload: bytes) -> str:
    return hmac.new(key.encode("ascii"), payload, hashlib.sha256).hexdigest()


def encode(key: str, *, epoch: str, staff_code: str, position: Position) -> str:
    payload = json.dumps([epoch, staff_code, position.seq, position.rank, position.record_id],
                         separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=") + "." + _sign(key, payload)


def decode(key: str, cursor: str, *, epoch: str, staff_code: str) -> Position | None:
    """The position, or None when the cursor is not one this server issued to this officer now."""
    text, _, signature = cursor.partition(".")
    try:
        payload = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(_sign(key, payload), signature):
        return None
    try:
        cursor_epoch, cursor_staff, seq, rank, record_id = json.loads(payload)
    except (ValueError, TypeError):
        return None
    if cursor_epoch != epoch or cursor_staff != staff_code:
        return None
    if not (isinstance(seq, int) and isinstance(rank, int) and isinstance(record_id, str)):
        return None
    return Position(seq, rank, record_id)
