"""A small client for the server tests: sign in, push mutations, pull pages — over
real HTTP with httpx. Also the little world most tests start from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from caseclient.domain.canonical import JSONValue, payload_sha256
from caseclient.domain.ids import new_uuid7
from caseserver.embedded import EmbeddedServer

PASSWORD = "correct horse battery"


def mutation(record_type: str, record_id: str, op: str, fields: dict[str, JSONValue], *,
             seq: int, base_version: int | None = None, resolves: str | None = None,
             mutation_id: str | None = None) -> dict[str, Any]:
    return {"mutation_id": mutation_id or new_uuid7(), "seq": seq, "record_type": record_type,
            "record_id": record_id, "op": op, "base_version": base_version, "fields": fields,
            "payload_sha256": payload_sha256(record_type=record_type, record_id=record_id, op=op,
                                             base_version=base_version, fields=fields, resolves=resolves),
            "recorded_at": "2026-11-24T10:31:02+00:00", "resolves": resolves}


@dataclass
class Device:
    """One signed-in laptop: its client id, tokens and its next mutation seq."""

    http: httpx.Client
    client_id: str
    access_token: str = ""
    refresh_token: str = ""
    next_seq: int = 1
    officer: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "X-Client-Id": self.client_id,
                "X-Schema-Version": "1"}

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        response = self.http.post("/auth/login", json={"username": username, "password": password,
                                                       "client_id": self.client_id, "device_name": "test"})
        if response.status_code == 200:
            self._take(response.json())
        return response

    def refresh(self) -> httpx.Response:
        response = self.http.post("/auth/refresh", json={"refresh_token": self.refresh_token,
                                                         "client_id": self.client_id})
        if response.status_code == 200:
            self._take(response.json())
        return response

    def _take(self, body: dict[str, Any]) -> None:
        self.access_token = body["access_token"]
        self.refresh_token = body["refresh_token"]
        self.officer = body["officer"]

    def handshake(self) -> httpx.Response:
        return self.http.post("/sync/handshake", json={"app_version": "0.1.0"}, headers=self.headers)

    def push_raw(self, mutations: list[dict[str, Any]]) -> httpx.Response:
        return self.http.post("/sync/push", json={"mutations": mutations}, headers=self.headers)

    def push(self, *mutations: dict[str, Any]) -> dict[str, Any]:
        response = self.push_raw(list(mutations))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def send(self, record_type: str, record_id: str, op: str, fields: dict[str, JSONValue],
             **kwargs: Any) -> dict[str, Any]:
        """Push one new mutation with this device's next seq; return its result."""
        body = self.push(mutation(record_type, record_id, op, fields, seq=self.next_seq, **kwargs))
        self.next_seq += 1
        result: dict[str, Any] = body["results"][0]
        return result

    def pull_raw(self, cursor: str | None = None, limit: int | None = None) -> httpx.Response:
        params: dict[str, Any] = {}
        if cursor is not None:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = limit
        return self.http.get("/sync/pull", params=params, headers=self.headers)

    def pull_all(self, cursor: str | None = None,
                 limit: int | None = None) -> tuple[list[dict[str, Any]], str]:
        changes: list[dict[str, Any]] = []
        while True:
            response = self.pull_raw(cursor, limit)
            assert response.status_code == 200, response.text
            body = response.json()
            changes += body["changes"]
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return changes, cursor


def contact_fields(case_id: str, **extra: JSONValue) -> dict[str, JSONValue]:
    fields: dict[str, JSONValue] = {"case_id": case_id, "contact_type": "OFFICE", "date": "2026-11-24",
                                    "notes": "Discussed progress."}
    fields.update(extra)
    return fields


def case_fields(crn: str, officer_code: str) -> dict[str, JSONValue]:
    return {"crn": crn, "first_name": "Alex", "last_name": "Example", "officer_code": officer_code}


@dataclass
class World:
    """Officers PO1, PO2 (team North), PSO1 (team South), SPO1 (North) and one case each for
    PO1 (case_a), PO2 (case_b) and PSO1 (case_s)."""

    server: EmbeddedServer
    http: httpx.Client
    case_a: str
    case_b: str
    case_s: str
    devices: list[Device] = field(default_factory=list)

    def device(self, username: str | None = None) -> Device:
        device = Device(self.http, str(uuid.uuid4()))
        if username is not None:
            response = device.login(username)
            assert response.status_code == 200, response.text
        self.devices.append(device)
        return device

    def close(self) -> None:
        self.http.close()


def build_world(server: EmbeddedServer) -> World:
    admin = server.services.admin
    for code, grade, team in (("PO1", "PO", "North"), ("PO2", "PO", "North"), ("PSO1", "PSO", "South"),
                              ("SPO1", "SPO", "North")):
        admin.add_officer(staff_code=code, username=code.lower(), password=PASSWORD,
                          name=f"Officer {code}", grade=grade, team=team)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for case_id, crn, officer in zip(ids, ("A000001", "B000002", "S000003"), ("PO1", "PO2", "PSO1"),
                                     strict=True):
        admin.put_record(record_type="case", record_id=case_id, fields=case_fields(crn, officer))
    admin.put_record(record_type="reference", record_id=str(uuid.uuid4()),
                     fields={"kind": "contact_type", "code": "OFFICE", "label": "Office appointment"})
    return World(server, httpx.Client(base_url=server.api_url, timeout=30), *ids)
