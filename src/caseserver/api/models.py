"""Request and response bodies as the OpenAPI document describes them.

Requests are parsed strictly (no type coercion). Responses are built as plain
dicts by the services; these models document them, and schemathesis checks that
every answer fits.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

SEQ_LIMIT = 2**62


class Officer(BaseModel):
    staff_code: str
    name: str
    grade: Literal["PO", "PSO", "SPO"]
    team: str


class LoginRequest(BaseModel):
    username: StrictStr = Field(max_length=128)
    password: StrictStr = Field(max_length=1024)
    client_id: StrictStr = Field(max_length=36, description="UUID made once per device profile")
    device_name: StrictStr = Field(max_length=200)


class RefreshRequest(BaseModel):
    refresh_token: StrictStr = Field(max_length=200)
    client_id: StrictStr = Field(max_length=36)


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    officer: Officer


class HandshakeRequest(BaseModel):
    app_version: StrictStr = Field(max_length=100)


class Handshake(BaseModel):
    server_time: str
    epoch: str
    min_schema: int
    max_schema: int
    officer: Officer
    wipe: bool


def _mutation_schema(schema: dict[str, Any]) -> None:
    schema.setdefault("properties", {}).update({
        "record_type": {"type": "string"},
        "record_id": {"type": "string", "format": "uuid"},
        "op": {"type": "string", "enum": ["create", "update", "delete"]},
        "base_version": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "fields": {"type": "object"},
        "payload_sha256": {"type": "string"},
        "recorded_at": {"type": "string"},
        "resolves": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    })
    schema["description"] = ("Only mutation_id and seq are checked with the request; everything else is "
                             "judged per mutation and answered 'rejected' with a reason.")


class Mutation(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra=_mutation_schema)

    mutation_id: StrictStr
    seq: StrictInt = Field(ge=-SEQ_LIMIT, le=SEQ_LIMIT)


class PushRequest(BaseModel):
    mutations: list[Mutation] = Field(max_length=1000)


class Change(BaseModel):
    record_type: str
    record_id: str
    version: int
    deleted: bool
    fields: dict[str, Any]
    changed_by: str | None = None
    changed_at: str | None = None
    reason: str | None = None


class PushResult(BaseModel):
    mutation_id: str
    result: Literal["applied", "duplicate", "conflict", "rejected", "retry_later"]
    version: int | None = None
    auto_merged: bool | None = None
    reason: str | None = None
    server_record: Change | None = None
    changed_by: str | None = None
    changed_at: str | None = None


class PushResponse(BaseModel):
    results: list[PushResult]
    last_applied_seq: int
    expected_seq: int | None = None


class PullResponse(BaseModel):
    changes: list[Change]
    next_cursor: str
    has_more: bool
    epoch: str


class Health(BaseModel):
    status: Literal["ok"]


class Error(BaseModel):
    model_config = ConfigDict(extra="allow")

    error: str
    detail: str


class InvalidRequest(Error):
    fields: list[str] = []


class UpgradeRequired(Error):
    min_schema: int
    max_schema: int


class ResyncRequired(Error):
    epoch: str


class IdempotencyMismatch(Error):
    mutation_id: str
    results: list[PushResult]
