"""Sync protocol v1 messages as typed, frozen values, checked on arrival.

Everything the central system sends is parsed here before anything else looks
at it. A reply that does not fit the contract raises :class:`ProtocolViolation`
("The central system sent something Caseclient does not understand") whose
``where`` names the offending path — never a value, so it can be logged without
case data — and nothing local has changed yet.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import Grade, Officer
from caseclient.errors import ProtocolViolation

SCHEMA_VERSION = 1


class Violation(ProtocolViolation):
    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__()


class ResultKind(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    RETRY_LATER = "retry_later"


class _Reader:
    """Typed access to one JSON object, naming the path on failure."""

    def __init__(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise Violation(where or "(body)")
        self._value: Mapping[str, Any] = value
        self._where = where

    def _path(self, key: str) -> str:
        return f"{self._where}.{key}" if self._where else key

    def raw(self, key: str) -> Any:
        return self._value.get(key)

    def text(self, key: str) -> str:
        value = self._value.get(key)
        if not isinstance(value, str):
            raise Violation(self._path(key))
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._value.get(key)
        if value is not None and not isinstance(value, str):
            raise Violation(self._path(key))
        return value

    def integer(self, key: str) -> int:
        value = self._value.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise Violation(self._path(key))
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self._value.get(key) is None else self.integer(key)

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self._value.get(key, default)
        if not isinstance(value, bool):
            raise Violation(self._path(key))
        return value

    def obj(self, key: str) -> _Reader:
        return _Reader(self._value.get(key), self._path(key))

    def mapping(self, key: str) -> dict[str, JSONValue]:
        value = self._value.get(key)
        if not isinstance(value, dict):
            raise Violation(self._path(key))
        return dict(value)

    def items(self, key: str) -> list[Any]:
        value = self._value.get(key)
        if not isinstance(value, list):
            raise Violation(self._path(key))
        return value

    def time(self, key: str) -> dt.datetime:
        text = self.text(key)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError as error:
            raise Violation(self._path(key)) from error
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)

    def opt_time(self, key: str) -> dt.datetime | None:
        return None if self._value.get(key) is None else self.time(key)


def _officer(reader: _Reader) -> Officer:
    grade = reader.text("grade")
    if grade not in Grade.__members__:
        raise Violation("officer.grade")
    return Officer(reader.text("staff_code"), reader.text("name"), Grade(grade), reader.text("team"))


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    officer: Officer

    def __repr__(self) -> str:  # tokens never reach a log through repr
        return f"Tokens(officer={self.officer.staff_code!r}, expires_in={self.expires_in})"


@dataclass(frozen=True)
class Handshake:
    server_time: dt.datetime
    epoch: str
    min_schema: int
    max_schema: int
    officer: Officer
    wipe: bool


@dataclass(frozen=True)
class Change:
    record_type: str
    record_id: str
    version: int
    deleted: bool
    fields: Mapping[str, JSONValue]
    changed_by: str | None
    changed_at: dt.datetime | None
    reason: str | None

    @property
    def is_deallocation(self) -> bool:
        return self.record_type == "case" and self.deleted and self.reason == "deallocated"


@dataclass(frozen=True)
class PushResult:
    mutation_id: str
    result: ResultKind
    version: int | None
    auto_merged: bool
    reason: str | None
    server_record: Change | None
    changed_by: str | None
    changed_at: dt.datetime | None


@dataclass(frozen=True)
class PushResponse:
    results: tuple[PushResult, ...]
    last_applied_seq: int
    expected_seq: int | None


@dataclass(frozen=True)
class PullResponse:
    changes: tuple[Change, ...]
    next_cursor: str
    has_more: bool
    epoch: str


@dataclass(frozen=True)
class ErrorBody:
    error: str
    detail: str
    extra: Mapping[str, JSONValue]


def parse_tokens(body: object) -> Tokens:
    reader = _Reader(body, "")
    expires_in = reader.integer("expires_in")
    if expires_in <= 0:
        raise Violation("expires_in")
    return Tokens(reader.text("access_token"), reader.text("refresh_token"), expires_in,
                  _officer(reader.obj("officer")))


def parse_handshake(body: object) -> Handshake:
    reader = _Reader(body, "")
    low, high = reader.integer("min_schema"), reader.integer("max_schema")
    if low > high:
        raise Violation("min_schema")
    return Handshake(reader.time("server_time"), reader.text("epoch"), low, high,
                     _officer(reader.obj("officer")), reader.flag("wipe", False))


def parse_change(value: object, where: str = "change") -> Change:
    """A change as sent: a first pull parses ~16,000 of them on the sync worker, so the usual
    shape is taken with a few plain checks; anything else goes through :func:`_checked_change`,
    which accepts and refuses exactly the same values and names what is wrong."""
    if type(value) is dict:
        record_type, record_id = value.get("record_type"), value.get("record_id")
        version, deleted, fields = value.get("version"), value.get("deleted", False), value.get("fields")
        by, at, reason = value.get("changed_by"), value.get("changed_at"), value.get("reason")
        if type(record_type) is str and type(record_id) is str and type(version) is int \
                and version >= 0 and type(deleted) is bool and type(fields) is dict \
                and (by is None or type(by) is str) and (reason is None or type(reason) is str):
            if at is None:
                return Change(record_type, record_id, version, deleted, dict(fields), by, None, reason)
            if type(at) is str:
                try:
                    when = dt.datetime.fromisoformat(at)
                except ValueError:
                    pass            # named by the checked path
                else:
                    return Change(record_type, record_id, version, deleted, dict(fields), by,
                                  when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC),
                                  reason)
    return _checked_change(value, where)


def _checked_change(value: object, where: str) -> Change:
    reader = _Reader(value, where)
    version = reader.integer("version")
    if version < 0:
        raise Violation(f"{where}.version")
    deleted = reader.flag("deleted", False)
    fields = {} if reader.raw("fields") is None and deleted else reader.mapping("fields")
    return Change(reader.text("record_type"), reader.text("record_id"), version, deleted, fields,
                  reader.opt_text("changed_by"), reader.opt_time("changed_at"),
                  reader.opt_text("reason"))


def _push_result(value: object, where: str) -> PushResult:
    reader = _Reader(value, where)
    try:
        kind = ResultKind(reader.text("result"))
    except ValueError as error:
        raise Violation(f"{where}.result") from error
    server_record = None
    if reader.raw("server_record") is not None:
        server_record = parse_change(reader.raw("server_record"), f"{where}.server_record")
    if kind is ResultKind.CONFLICT and server_record is None:
        raise Violation(f"{where}.server_record")
    version = reader.opt_integer("version")
    if kind is ResultKind.APPLIED and version is None:
        raise Violation(f"{where}.version")
    return PushResult(reader.text("mutation_id"), kind, version, reader.flag("auto_merged", False),
                      reader.opt_text("reason"), server_record, reader.opt_text("changed_by"),
                      reader.opt_time("changed_at"))


def parse_push(body: object, sent_ids: list[str]) -> PushResponse:
    """Results must answer the sent mutations in order (a prefix when the batch stopped)."""
    reader = _Reader(body, "")
    results = tuple(_push_result(item, f"results[{n}]")
                    for n, item in enumerate(reader.items("results")))
    if [r.mutation_id for r in results] != sent_ids[:len(results)]:
        raise Violation("results.mutation_id")
    return PushResponse(results, reader.integer("last_applied_seq"), reader.opt_integer("expected_seq"))


def parse_pull(body: object) -> PullResponse:
    reader = _Reader(body, "")
    changes = tuple(parse_change(item, f"changes[{n}]")
                    for n, item in enumerate(reader.items("changes")))
    return PullResponse(changes, reader.text("next_cursor"), reader.flag("has_more"),
                        reader.text("epoch"))


_SPACE = re.compile(r"[ \t\n\r]*")     # JSON's whitespace, as the json module skips it
_DECODER = json.JSONDecoder()


def loads(data: bytes | str) -> Any:
    """``json.loads(data)``, the same value or the same error, but the arrays of a top-level
    object (a pull page's ``changes``) are decoded an element at a time.

    ``json.loads`` decodes a whole body in one call that holds the interpreter lock: ~40 ms
    for a 1-2 MB pull page on the benchmark machine, during which the UI thread cannot run
    (its longest stall). Element by element, other threads get the lock between records.
    Anything this reader does not take (another shape, a malformed body) is left to
    ``json.loads`` itself, so the answer and the errors are exactly its own.
    """
    text = data.decode(json.detect_encoding(data), "surrogatepass") if isinstance(data, bytes) else data
    try:
        return _object_in_pieces(text)
    except (ValueError, IndexError):
        return json.loads(text)


def _skip(text: str, at: int) -> int:
    """Past the whitespace at ``text[at]`` (the pattern matches anywhere, if only nothing)."""
    found = _SPACE.match(text, at)
    return at if found is None else found.end()


def _array_in_pieces(text: str, at: int) -> tuple[list[Any], int]:
    """The array starting at ``text[at]`` (a ``[``), and where it ends."""
    items: list[Any] = []
    at = _skip(text, at + 1)
    if text[at] == "]":
        return items, at + 1
    while True:
        item, at = _DECODER.raw_decode(text, at)
        items.append(item)
        at = _skip(text, at)
        if text[at] == "]":
            return items, at + 1
        if text[at] != ",":
            raise ValueError("not an array")
        at = _skip(text, at + 1)


def _object_in_pieces(text: str) -> Any:
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("not an object")
    found: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text[at] == "}":
        at += 1
    else:
        while True:
            if text[at] != '"':
                raise ValueError("not a name")
            name, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] != ":":
                raise ValueError("no colon")
            at = _skip(text, at + 1)
            if text[at] == "[":
                value, at = _array_in_pieces(text, at)
            else:
                value, at = _DECODER.raw_decode(text, at)
            found[name] = value
            at = _skip(text, at)
            if text[at] == "}":
                at += 1
                break
            if text[at] != ",":
                raise ValueError("not an object")
            at = _skip(text, at + 1)
    if _skip(text, at) != len(text):
        raise ValueError("extra data")
    return found


def parse_error(body: object) -> ErrorBody | None:
    """The error envelope, or None when the body is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return None
    detail = body.get("detail")
    extra = {k: v for k, v in body.items() if k not in ("error", "detail")}
    return ErrorBody(body["error"], detail if isinstance(detail, str) else "", extra)
