"""The reference server inside another program: uvicorn in a thread on 127.0.0.1.

    with embedded_server(tmp_path / "server.db", settings=FAST_TEST_SETTINGS) as server:
        server.base_url          # "http://127.0.0.1:<free port>"; the API is under /api/v1
        server.services.admin    # add officers, load a caseload, edit as other staff

Used by the client's sync tests, ``caseclient demo`` and the server's own tests.
Migrations are applied on start; the server stops, and its database closes, when
the block ends.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from caseserver import API_PREFIX
from caseserver.api.app import create_app
from caseserver.clock import Clock, system_clock
from caseserver.services import Services
from caseserver.settings import Settings, sqlite_url

START_TIMEOUT = 30.0

# Settings for tests and demos: Argon2 at its cheapest, so signing in takes no time.
# Never for a real server (the database URL is replaced by ``embedded_server``).
FAST_TEST_SETTINGS = Settings(database_url="", argon2_time_cost=1, argon2_memory_kib=64,
                              argon2_parallelism=1)


@dataclass(frozen=True)
class EmbeddedServer:
    base_url: str
    services: Services

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX


def database_url(database: Path | str) -> str:
    """A path is a SQLite file; a string with "://" is a SQLAlchemy URL."""
    if isinstance(database, str) and "://" in database:
        return database
    return sqlite_url(Path(database))


def listening_socket(port: int = 0) -> socket.socket:
    """A TCP socket bound to 127.0.0.1:``port`` for uvicorn. Made with ``IPPROTO_TCP`` named:
    asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on connections accepted from a
    socket whose protocol says TCP, and with it on every answer waited ~40 ms for the client's
    delayed ACK between its headers and its body."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


@contextmanager
def embedded_server(database: Path | str, *, settings: Settings | None = None,
                    clock: Clock = system_clock, port: int = 0) -> Iterator[EmbeddedServer]:
    """Serve ``database`` on 127.0.0.1:``port`` (0: a free port) until the block ends."""
    url = database_url(database)
    settings = settings.with_url(url) if settings is not None else Settings(database_url=url)
    services = Services.build(settings, clock=clock)
    try:
        app = create_app(settings, clock=clock, services=services)
        config = uvicorn.Config(app, log_level="warning", access_log=False, log_config=None,
                                lifespan="off", timeout_graceful_shutdown=5)
        server = uvicorn.Server(config)
        with listening_socket(port) as sock:
            port = sock.getsockname()[1]
            thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                      name=f"caseserver:{port}", daemon=True)
            thread.start()
            try:
                _wait_started(server, thread)
                yield EmbeddedServer(f"http://127.0.0.1:{port}", services)
            finally:
                server.should_exit = True
                thread.join(timeout=30)
    finally:
        services.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("The embedded caseserver stopped while starting.")
        if time.monotonic() > deadline:
            raise RuntimeError("The embedded caseserver did not start in time.")
        time.sleep(0.01)
