"""One pushed mutation, checked field by field. Anything wrong becomes a plain-English
reason for a ``rejected`` result, never an exception."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import JSONValue, payload_sha256
from caseclient.domain.ids import is_uuid
from caseclient.domain.schema import RECORD_SPECS

OPS = ("create", "update", "delete")


@dataclass(frozen=True)
class Mutation:
    mutation_id: str
    seq: int
    record_type: str
    record_id: str
    op: str
    base_version: int | None
    fields: dict[str, JSONValue]
    resolves: str | None


_uuid_text = functools.lru_cache(maxsize=4096)(is_uuid)


def is_uuid_cached(value: object) -> bool:
    """``is_uuid``, remembered for text: a push asks it of each id several times, and
    ``uuid.UUID`` parsing was ~7 % of a push's time."""
    return _uuid_text(value) if isinstance(value, str) else is_uuid(value)


def ledger_hash(raw: Mapping[str, Any]) -> str:
    """The hash the ledger compares replays by: the protocol's payload hash of what was
    sent, whatever its types (NaN and the like included, so it never fails)."""
    return hashes(raw)[0]


def hashes(raw: Mapping[str, Any]) -> tuple[str, str | None]:
    """:func:`ledger_hash`, and the same value when it is also the protocol's canonical payload
    hash (no NaN or infinity, text UTF-8 can carry), else ``None``: a push computed both from
    one serialisation instead of two (JSON was a quarter of a push's time)."""
    payload = {key: raw.get(key) for key in
               ("record_type", "record_id", "op", "base_version", "fields", "resolves")}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    try:
        data = text.encode("utf-8")
        canonical = "NaN" not in text and "Infinity" not in text
    except UnicodeEncodeError:
        data, canonical = text.encode("utf-8", "surrogatepass"), False
    digest = hashlib.sha256(data).hexdigest()
    return digest, digest if canonical else None


def parse(raw: Mapping[str, Any], canonical_hash: str | None = None) -> Mutation | str:
    """The mutation, or the reason it is rejected. ``canonical_hash``: the payload hash of
    ``raw`` as :func:`hashes` gave it, when it gave one."""
    op = raw.get("op")
    if op not in OPS:
        return "The change has no valid 'op': it must be create, update or delete."
    record_type = raw.get("record_type")
    if not isinstance(record_type, str) or record_type not in RECORD_SPECS:
        return "The change names an unknown record type."
    record_id = raw.get("record_id")
    if not is_uuid_cached(record_id):
        return "The record id is not a UUID."
    base_version = raw.get("base_version")
    if op == "create" and base_version is not None:
        return "A new record has no base version: send null."
    if op != "create" and not (isinstance(base_version, int) and not isinstance(base_version, bool)
                               and base_version >= 0):
        return "An update or delete needs the base version it started from (a whole number)."
    fields = raw.get("fields")
    if not isinstance(fields, dict):
        return "The change's fields must be an object."
    resolves = raw.get("resolves")
    if resolves is not None and not is_uuid_cached(resolves):
        return "'resolves' must be the id of the change whose conflict this settles."
    if resolves is not None and op != "update":
        return "Only an update can resolve a conflict."
    claimed = raw.get("payload_sha256")
    if canonical_hash is not None:
        computed = canonical_hash   # the same canonical JSON of the same six values
    else:
        try:
            computed = payload_sha256(record_type=record_type, record_id=str(record_id), op=str(op),
                                      base_version=base_version, fields=fields, resolves=resolves)
        except (ValueError, TypeError):  # NaN, or text UTF-8 cannot carry
            return "The change holds a value that is not valid JSON (such as NaN or a broken character)."
    if claimed != computed:
        return "payload hash does not match"
    return Mutation(str(raw["mutation_id"]), int(raw["seq"]), record_type, str(record_id), str(op),
                    base_version, dict(fields), resolves)
