"""Fixtures for the screen reader's view: the desktop, the real app, and the reader process.

``desktop`` (one per test session) is Xvfb, a private session bus and the AT-SPI
bus and registry. ``app`` starts ``python -m caseclient --home DIR app`` on them over
a locked synthetic profile; ``reader`` is the separate pyatspi process that sees the
app as Orca does. A failing test prints the accessible tree of the app's windows.

Locally these tests are skipped when a program is missing; under CI=true a missing
program fails them (``.ci/run`` installs the Debian packages first).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pluggy
import pytest

from tests.a11y.desktop import Desktop, missing_programs
from tests.a11y.profile import make_profile
from tests.a11y.reader_client import ReaderClient
from tests.helpers.processes import stop

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src"   # the code under test, not an installed copy


def _require_desktop() -> None:
    missing = missing_programs()
    if not missing:
        return
    message = "the AT-SPI tests need: " + ", ".join(missing) + " (scripts/system-packages installs them)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def desktop() -> Iterator[Desktop]:
    _require_desktop()
    started = Desktop().start()
    yield started
    started.stop()


@pytest.fixture
def profile_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    make_profile(home)
    return home


APP = ("-m", "caseclient", "--home", "{home}", "app")


class RunningApp:
    """The app's process; its output is kept in a file and shown when a test fails.

    ``command`` is what follows ``python``, with ``{home}`` for the profile folder: the
    real ``caseclient app`` unless a test needs one of the launchers in tests/a11y/apps/.
    """

    def __init__(self, desktop: Desktop, home: Path, log: Path, command: tuple[str, ...] = APP) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, *(part.replace("{home}", str(home)) for part in command)],
                env=desktop.app_environment(PYTHONPATH=os.pathsep.join([str(SOURCE), str(ROOT)])),
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture
def app(desktop: Desktop, profile_home: Path, tmp_path: Path) -> Iterator[RunningApp]:
    running = RunningApp(desktop, profile_home, tmp_path / "app.log")
    yield running
    running.stop()


@pytest.fixture
def reader(desktop: Desktop, app: RunningApp) -> Iterator[ReaderClient]:
    client = ReaderClient(desktop.environment(), app.pid)
    yield client
    client.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                               ) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    client = funcargs.get("reader")
    if isinstance(client, ReaderClient):
        try:
            report.sections.append(("accessible tree of the app's windows", client.tree()))
        except Exception as error:
            report.sections.append(("accessible tree of the app's windows", f"(unreadable: {error})"))
    running = funcargs.get("app")
    if isinstance(running, RunningApp):
        report.sections.append(("app output", running.output()[-4000:] or "(none)"))
