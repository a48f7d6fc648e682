"""Widget tests run on the real composition root over a real encrypted profile.

The vault uses the deliberately weak test KDF parameters and an in-memory secret
store; everything else (SQLCipher file, migrations, services) is the real thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices, build, wire
from caseclient.config import AppPaths
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.sync.transport import RetryPolicy
from caseclient.ui.announce import Announcement
from caseclient.ui.main_window import MainWindow
from tests.helpers.central import PASSWORD, Central
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change, reference_changes, register_change

PASSPHRASE = "correct horse battery staple"
WAIT_MS = 30_000     # a hang guard, not a speed requirement

# The offscreen platform plugin cannot pass a window's minimum size to a window system
# it does not have, and says so; that is the plugin's limit, not a fault of ours.
OFFSCREEN_ONLY = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$")


@pytest.fixture
def local_clock() -> FakeClock:
    """Noon local time on 24/11/2026, whatever the machine's zone."""
    return FakeClock(dt.datetime(2026, 11, 24, 12, 0).astimezone())


@pytest.fixture
def services(tmp_path: Path, local_clock: FakeClock) -> Iterator[AppServices]:
    paths = AppPaths.resolve(tmp_path / "home")
    built = build(paths, clock=local_clock, secrets=MemorySecretStore(),
                  vault=KeyVault(paths.key_file, clock=local_clock, params=KdfParams.for_tests()))
    yield built
    built.session.lock()


@pytest.fixture
def recovery_key(services: AppServices) -> str:
    """A set-up profile with two cases on it, left unlocked."""
    key = services.session.set_up(PASSPHRASE)
    ann = case_change("X123456", "Ann", "Example")
    bob = case_change("Y654321", "Bob", "Sample", tier="C1",
                      address="Flat 2\n14 Mill Lane \nNewtown\n\nNT1 2AB")
    services.session.store.records.apply_server_records([
        *reference_changes(), ann, bob,
        register_change(str(ann["record_id"]), "RRSH", "VERY_HIGH",
                        next_review_date="2026-10-01"),
        register_change(str(bob["record_id"]), "RSTF", None)])
    return key


@pytest.fixture
def case_ids(services: AppServices, recovery_key: str) -> dict[str, str]:
    return {c.name.split()[0].lower(): c.case_id for c in services.caseload.cases()}


@pytest.fixture
def heard(qtbot: QtBot) -> list[Announcement]:
    return []


def open_window(qtbot: QtBot, services: AppServices, heard: list[Announcement]) -> MainWindow:
    window = MainWindow(services)
    window.announcer.did_announce.connect(heard.append)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


# ---- the app against the reference central system on loopback -------------------------------
@pytest.fixture
def app_services(tmp_path: Path, local_clock: FakeClock) -> Iterator[AppServices]:
    """The real composition root with one try per request (no backing off in tests)."""
    paths = AppPaths.resolve(tmp_path / "home")
    built = build(paths, clock=local_clock, secrets=MemorySecretStore(),
                  vault=KeyVault(paths.key_file, clock=local_clock, params=KdfParams.for_tests()),
                  retry=RetryPolicy(attempts=1))
    yield built
    built.sync.stop()
    built.session.lock()


@pytest.fixture
def window(qtbot: QtBot, app_services: AppServices, central: Central,
           heard: list[Announcement]) -> MainWindow:
    """Set up, signed in, first sync done."""
    app_services.session.set_up(PASSPHRASE)
    app_services.signin.sign_in(central.url, "po1", PASSWORD)
    opened = open_window(qtbot, app_services, heard)
    with qtbot.waitSignal(app_services.sync.sync_finished, timeout=WAIT_MS):
        wire(opened)
    return opened


def sync_and_wait(qtbot: QtBot, services: AppServices) -> None:
    with qtbot.waitSignal(services.sync.sync_finished, timeout=WAIT_MS):
        services.sync.sync_now()
