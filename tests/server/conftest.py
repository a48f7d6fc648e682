"""The reference server under test: the real app over real HTTP (embedded uvicorn on
loopback), on SQLite and — when CASESERVER_TEST_POSTGRES_URL is set — on PostgreSQL.
Under CI=true a missing PostgreSQL URL fails the PostgreSQL tests instead of skipping."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

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


def _schema() -> str:
    """This test run's own schema: two runs against one PostgreSQL (a developer's and CI's, or
    two engineers') must not empty each other's tables mid-test, as dropping ``public`` did."""
    return f"caseserver_test_{os.getpid()}"


def fresh_postgres() -> str:
    """An empty schema of this run's own on the test PostgreSQL, and a URL whose connections
    use it (``search_path``), so the server creates and finds its tables there."""
    url = postgres_url()
    schema = _schema()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    own = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_own_schema() -> Iterator[None]:
    """The run's schema goes when the run ends, so the test database does not fill with them."""
    yield
    url = os.environ.get("CASESERVER_TEST_POSTGRES_URL", "")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{_schema()}" CASCADE'))
        engine.dispose()


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
