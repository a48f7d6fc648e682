"""The reference central system on loopback with a synthetic caseload, and laptops signed in to it.

The server is ``caseserver.embedded`` (uvicorn, SQLite file, its cheap test
password hashing) run in a **process of its own**, as the real central system
runs on another machine: in the benchmark's process its request handling would
hold the interpreter lock between the client's steps and be counted as the
client's cost (and as UI-thread stalls). One case holder holds every case, so
their first pull carries the whole caseload. The sign-in details travel back
over a multiprocessing pipe, never printed. A laptop is a profile on the real
composition root, set up, signed in with ``sync.commands.login`` and left unlocked.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from benchmarks.caseloads import PASSPHRASE, caseload, profile
from caseclient.app import AppServices
from caseclient.storage.kdf import KdfParams
from caseclient.storage.vault import KeyVault
from caseclient.sync.commands import login

START_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Central:
    base_url: str
    username: str
    password: str = field(repr=False)
    records: int          # what a first pull carries


def _serve(conn: Connection, database: str, cases: int, contacts_per_case: int) -> None:
    """The child process: load the caseload, serve it, hand back how to sign in, wait to stop."""
    from caseserver.embedded import FAST_TEST_SETTINGS, embedded_server  # noqa: PLC0415 - child only

    made = caseload(cases, contacts_per_case, in_progress=True)
    officer = next(o for o in made.officers if o.grade != "SPO")
    with embedded_server(Path(database), settings=FAST_TEST_SETTINGS) as server:
        server.services.admin.load_caseload(made)
        conn.send((server.base_url, officer.username, officer.password, len(made.records)))
        conn.recv()                    # anything (or the parent gone) means stop


@contextmanager
def central(folder: Path, cases: int, contacts_per_case: int) -> Iterator[Central]:
    """The server with ``cases`` cases of one officer, ``contacts_per_case`` contacts each."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve, name="caseserver-bench", daemon=True,
                            args=(theirs, str(folder / "server.db"), cases, contacts_per_case))
    child.start()
    theirs.close()
    try:
        if not ours.poll(START_TIMEOUT_S):
            raise RuntimeError("The benchmark's central system did not start in time.")
        try:
            base_url, username, password, records = ours.recv()
        except EOFError:
            raise RuntimeError("The benchmark's central system stopped while starting.") from None
        yield Central(base_url, username, password, records)
    finally:
        with contextlib.suppress(OSError):         # it may have gone already
            ours.send("stop")
        child.join(timeout=30)
        if child.is_alive():
            child.terminate()
            child.join(timeout=10)
        ours.close()


def laptop(home: Path, central: Central) -> AppServices:
    """A new profile, unlocked and signed in to ``central`` (nothing pulled yet)."""
    services = profile(home, KdfParams.for_tests())
    services.session.set_up(PASSPHRASE)
    login(services.session.store, services.secrets, server_url=central.base_url,
          username=central.username, password=central.password, device_name="Benchmark laptop")
    return services


def key_pragma(services: AppServices) -> str:
    """The profile's store key, unwrapped again from its vault (for a second connection)."""
    key = KeyVault(services.paths.key_file, params=KdfParams.for_tests()).unlock(PASSPHRASE)
    try:
        return key.sqlcipher_pragma_value()
    finally:
        key.wipe()
