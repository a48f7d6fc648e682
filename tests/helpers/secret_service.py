"""A private D-Bus session bus with an unlocked gnome-keyring: the real Secret Service.

Nothing of the developer's own session is touched: the bus, the keyring's files
(under a temporary HOME) and the daemons belong to the test and end with it.
On a machine without the daemons the test is skipped locally and fails in CI,
where ``.ci/run`` installs them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.processes import stop


def require(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        message = f"needs {', '.join(missing)} (installed by scripts/system-packages)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def private_session_bus(folder: Path) -> Iterator[dict[str, str]]:
    """A ``dbus-daemon --session`` of our own; yields the environment pointing at it."""
    require("dbus-daemon")
    home, runtime = folder / "home", folder / "run"
    home.mkdir(parents=True, exist_ok=True)
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), "dbus-daemon gave no address"
        env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime),
               "XDG_DATA_HOME": str(home / ".local" / "share"),
               "DBUS_SESSION_BUS_ADDRESS": address}
        env.pop("DISPLAY", None)
        yield env
    finally:
        stop(bus)


@contextlib.contextmanager
def unlocked_keyring(env: dict[str, str], password: str = "test keyring password") -> Iterator[None]:
    """gnome-keyring's Secret Service on the bus of ``env``, its login keyring unlocked."""
    require("gnome-keyring-daemon")
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        assert daemon.stdin is not None
        daemon.stdin.write(password.encode())
        daemon.stdin.close()
        _wait_for_name(env, "org.freedesktop.secrets")
        yield
    finally:
        stop(daemon)


def _wait_for_name(env: dict[str, str], name: str, attempts: int = 100) -> None:
    for _ in range(attempts):
        probe = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
             "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
            env=env, capture_output=True, text=True, check=False)
        if "boolean true" in probe.stdout:
            return
        time.sleep(0.05)
    raise AssertionError(f"{name} never appeared on the private bus")
