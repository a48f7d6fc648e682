"""The reference server under test: the real app over real HTTP (embedded uvicorn on
loopback), on SQLite and — when CASESERVER_TEST_POSTGRES_URL is set — on PostgreSQL.
Under CI=true a missing PostgreSQL URL fails the PostgreSQL tests instead of skipping."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from caseserver.embedded import FAST_TEST_SETTINGS, EmbeddedServer, embedded_server
from tests.helpers.clock import FakeClock
from tests.server.api import World, build_world

# Cheap Argon2 so tests stay quick; production uses the defaults of Settings.
FAST = FAST_TEST_SETTINGS

BACKENDS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


def postgres_url() -> str:
    url = os.environ.get("CASESERVER_TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CASESERVER_TEST_POSTGRES_URL is not set: the PostgreSQL tests must run in CI "
                        "(scripts/test starts PostgreSQL with scripts/start-postgres).")
        pytest.skip("CASESERVER_TEST_POSTGRES_URL is not set")
    return url


def fresh_postgres() -> str:
    url = postgres_url()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return fresh_postgres()
    return f"sqlite+pysqlite:///{tmp_path / 'server.db'}"


@pytest.fixture
def server(database: str, clock: FakeClock) -> Iterator[EmbeddedServer]:
    with embedded_server(database, settings=FAST, clock=clock) as running:
        yield running


@pytest.fixture
def world(server: EmbeddedServer) -> Iterator[World]:
    built = build_world(server)
    yield built
    built.close()
