"""``caseclient demo``: the reference central system on loopback, a synthetic caseload,
a throwaway profile signed in to it, a first sync, then the desktop app.

Every person in the demo is made up (``caseserver.synthetic``). The profile and the
server's database live in a temporary folder removed on exit, unless ``--home`` names
a folder to keep (then a second run reuses both). ``--offline`` stops the central
system after the first sync, so an outage can be tried: everything still works and
waits to be sent; pressing Enter in the terminal brings the central system back on
the same address, and the app sends what waited.

The demo passphrase and the synthetic officer's password are printed: they guard
nothing but made-up data. Real passphrases and tokens are never printed anywhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from caseclient.config import AppPaths
from caseclient.errors import KnownError
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.store import utc_now

if TYPE_CHECKING:
    from caseclient.app import AppServices
    from caseclient.ui.main_window import MainWindow
    from caseserver.embedded import EmbeddedServer

DEMO_PASSPHRASE = "demo passphrase for made-up cases"  # noqa: S105 - guards synthetic data only
DEMO_SEED = 2026
DEMO_OFFICERS, DEMO_CASES_PER_OFFICER, DEMO_CONTACTS_PER_CASE = 3, 12, 30
OFFICER_FILE = "demo-officer"


class DemoUnavailable(KnownError):
    message = "The demo needs the reference central system (caseserver), which is not installed here."
    advice = "Run it from a source checkout with scripts/demo."


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    password: str
    name: str


@contextlib.contextmanager
def demo_folder(home: str | None) -> Iterator[Path]:
    """``home`` if given (kept), else a temporary folder removed at the end."""
    if home is not None:
        root = Path(home).expanduser().resolve()
        (root / "server").mkdir(parents=True, exist_ok=True)
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="caseclient-demo-") as temp:
        (Path(temp) / "server").mkdir()
        yield Path(temp)


def seed_once(server: EmbeddedServer, *, today: dt.date, folder: Path) -> DemoOfficer:
    """Load the synthetic caseload the first time; the first PO's sign-in is kept beside it."""
    from caseserver.synthetic import generate  # noqa: PLC0415 - the server side exists only here

    officer_file = folder / OFFICER_FILE
    if officer_file.exists():
        username, password, name = officer_file.read_text("utf-8").split("\n")[:3]
        return DemoOfficer(username, password, name)
    caseload = generate(officers=DEMO_OFFICERS, cases_per_officer=DEMO_CASES_PER_OFFICER,
                        contacts_per_case=DEMO_CONTACTS_PER_CASE, seed=DEMO_SEED, today=today)
    server.services.admin.load_caseload(caseload)
    officer = next(o for o in caseload.officers if o.grade == "PO")
    officer_file.touch(mode=0o600)
    officer_file.write_text(f"{officer.username}\n{officer.password}\n{officer.name}\n", "utf-8")
    return DemoOfficer(officer.username, officer.password, officer.name)


def prepare(root: Path, server: EmbeddedServer, out: TextIO, *,
            clock: Callable[[], dt.datetime] = utc_now,
            build_services: Callable[[AppPaths], AppServices] | None = None) -> AppServices:
    """Seed (first time), set up or unlock the demo profile, sign in, sync once.

    Returns the services with the session unlocked, ready for the window.
    """
    from caseclient.app import build  # noqa: PLC0415 - Qt only when needed
    from caseclient.sync.commands import login, sync_once  # noqa: PLC0415

    officer = seed_once(server, today=clock().date(), folder=root / "server")
    paths = AppPaths.resolve(root / "profile")
    services = (build_services(paths) if build_services is not None
                else build(paths, clock=clock, secrets=MemorySecretStore(), server_url=server.base_url))
    if services.session.is_set_up():
        services.session.unlock(DEMO_PASSPHRASE)
    else:
        services.session.set_up(DEMO_PASSPHRASE)
    store = services.session.store
    login(store, services.secrets, server_url=server.base_url, username=officer.username,
          password=officer.password, device_name="Caseclient demo laptop")
    result = sync_once(store, services.secrets, clock=clock)
    out.write(f"Signed in to the demo central system as {officer.name} ({officer.username}).\n")
    out.write(result.text + "\n")
    return services


class ServerSwitch:
    """The demo central system, stoppable and restartable on the same address."""

    def __init__(self, database: Path, port: int = 0) -> None:
        self._database = database
        self._port = port
        self._stack: contextlib.ExitStack | None = None
        self.server: EmbeddedServer | None = None

    def start(self) -> EmbeddedServer:
        from caseserver.embedded import embedded_server  # noqa: PLC0415

        stack = contextlib.ExitStack()
        self.server = stack.enter_context(embedded_server(self._database, port=self._port))
        self._port = int(self.server.base_url.rsplit(":", 1)[1])
        self._stack = stack
        return self.server

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None


def _restart_on_enter(switch: ServerSwitch, stdin: TextIO, out: TextIO) -> threading.Thread:
    def wait() -> None:
        if stdin.readline():
            switch.start()
            out.write("The demo central system is back; the app sends what waited at its next sync "
                      "(or press F5).\n")
            out.flush()

    thread = threading.Thread(target=wait, name="demo-restart", daemon=True)
    thread.start()
    return thread


def run(home: str | None, *, offline: bool, out: TextIO, stdin: TextIO, argv: list[str]) -> int:
    try:
        import caseserver.embedded  # noqa: F401, PLC0415
    except ImportError as error:
        raise DemoUnavailable() from error
    from caseclient.app import wire  # noqa: PLC0415
    from caseclient.ui.main import run as run_app  # noqa: PLC0415

    with demo_folder(home) as root:
        out.write("Caseclient demo — every person and case in it is made up.\n")
        out.write(f"Demo folder: {root}{'' if home else ' (removed when the app closes)'}\n")
        switch = ServerSwitch(root / "server" / "caseserver.db")
        try:
            server = switch.start()
            out.write(f"Demo central system: {server.base_url}\n")
            services = prepare(root, server, out)
            out.write(f"Passphrase of this demo profile (to unlock after auto-lock): {DEMO_PASSPHRASE}\n")
            if offline:
                switch.stop()
                out.write("The demo central system is now stopped (--offline): what you record is "
                          "kept on this laptop and waits to be sent. Press Enter here to start it "
                          "again.\n")
                _restart_on_enter(switch, stdin, out)
            out.flush()

            def connect(window: MainWindow) -> None:
                wire(window)   # the link is a child of the window and lives as long as it

            return run_app(services, argv, wire=connect)
        finally:
            switch.stop()
