"""schemathesis against the running app (bounded examples): no input gives a 5xx, and
every answer fits the OpenAPI document — signed in, so requests reach the sync code."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from caseserver.cli import OPENAPI_FILE
from caseserver.embedded import EmbeddedServer, embedded_server
from tests.helpers.clock import FakeClock
from tests.server.api import World, build_world
from tests.server.conftest import FAST

Fuzzed = tuple[EmbeddedServer, dict[str, str]]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    with embedded_server(folder / "server.db", settings=FAST, clock=FakeClock()) as server:
        world: World = build_world(server)
        device = world.device("po1")
        headers = device.headers
        world.close()
        yield server, headers


# The committed document (test_openapi.py keeps it equal to the app's).
schema = schemathesis.openapi.from_path(str(OPENAPI_FILE))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_gives_a_server_error(case: Any, fuzzed_server: Fuzzed) -> None:
    server, headers = fuzzed_server
    if case.operation.path.startswith("/api/v1/sync"):  # signed in, so the sync code itself is fuzzed
        case.headers = {**(case.headers or {}), **headers}
    case.call_and_validate(base_url=server.base_url, checks=CHECKS)


def test_login_with_a_client_id_that_is_not_a_uuid_is_422(fuzzed_server: Fuzzed) -> None:
    """A fixed spot check beside the fuzzing: a non-UUID client id is a 422, not a 500."""
    server, _ = fuzzed_server
    with httpx.Client(base_url=server.api_url) as http:
        for client_id in ("", "x" * 36, str(uuid.uuid4()).upper()):
            response = http.post("/auth/login", json={"username": "po1", "password": "x",
                                                       "client_id": client_id, "device_name": "d"})
            assert response.status_code == 422
