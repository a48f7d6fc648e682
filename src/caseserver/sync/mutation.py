"""One pushed mutation, checked field by field. Anything wrong becomes a plain-English
reason for a ``rejected`` result, never an exception."""

from __future__ import annotations

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


def ledger_hash(raw: Mapping[str, Any]) -> str:
    """The hash the ledger compares replays by: the protocol's payload hash of what was
    sent, whatever its types (NaN and the like included, so it never fails)."""
    payload = {key: raw.get(key) for key in
               ("record_type", "record_id", "op", "base_version", "fields", "resolves")}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def parse(raw: Mapping[str, Any]) -> Mutation | str:
    """The mutation, or the reason it is rejected."""
    op = raw.get("op")
    if op not in OPS:
        return "The change has no valid 'op': it must be create, update or delete."
    record_type = raw.get("record_type")
    if not isinstance(record_type, str) or record_type not in RECORD_SPECS:
        return "The change names an unknown record type."
    record_id = raw.get("record_id")
    if not is_uuid(record_id):
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
    if resolves is not None and not is_uuid(resolves):
        return "'resolves' must be the id of the change whose conflict this settles."
    if resolves is not None and op != "update":
        return "Only an update can resolve a conflict."
    claimed = raw.get("payload_sha256")
    try:
        computed = payload_sha256(record_type=record_type, record_id=str(record_id), op=str(op),
                                  base_version=base_version, fields=fields, resolves=resolves)
    except (ValueError, TypeError):  # NaN, or text UTF-8 cannot carry
        return "The change holds a value that is not valid JSON (such as NaN or a broken character)."
    if claimed != computed:
        return "payload hash does not match"
    return Mutation(str(raw["mutation_id"]), int(raw["seq"]), record_type, str(record_id), str(op),
                    base_version, dict(fields), resolves)
