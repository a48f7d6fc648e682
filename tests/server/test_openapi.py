"""The committed OpenAPI document is the app's, and the app serves it at /api/v1/openapi.json."""

from __future__ import annotations

import json

from caseserver.cli import OPENAPI_FILE, openapi_text
from tests.server.api import World


def test_committed_document_matches_the_app() -> None:
    assert OPENAPI_FILE.read_text("utf-8") == openapi_text(), \
        "src/caseserver/openapi.json is out of date: run `caseserver openapi` and commit it"


def test_served_document_is_the_committed_one(world: World) -> None:
    response = world.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(OPENAPI_FILE.read_text("utf-8"))
    paths = set(response.json()["paths"])
    assert paths == {"/api/v1/health", "/api/v1/auth/login", "/api/v1/auth/refresh",
                     "/api/v1/sync/handshake", "/api/v1/sync/push", "/api/v1/sync/pull"}
