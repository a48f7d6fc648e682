"""The screen reader's world in miniature: a virtual screen, a private session bus, the AT-SPI bus.

:class:`Desktop` starts Xvfb on a free display, ``dbus-daemon --session`` (its own
bus, never the developer's), the AT-SPI bus launcher and registry on it, and says
which environment a process needs to join them. :meth:`Desktop.stop` ends every
process it started, in reverse order, and removes its folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from tests.helpers.processes import stop

XVFB = "/usr/bin/Xvfb"
DBUS_DAEMON = "/usr/bin/dbus-daemon"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
REGISTRY = "/usr/libexec/at-spi2-registryd"
SYSTEM_PYTHON = "/usr/bin/python3"
XDOTOOL = "/usr/bin/xdotool"
NEEDED = (XVFB, DBUS_DAEMON, BUS_LAUNCHER, REGISTRY, SYSTEM_PYTHON, XDOTOOL)
START_TIMEOUT = 20.0


class DesktopUnavailable(RuntimeError):
    """A program the screen reader's world needs is missing here."""


def missing_programs() -> list[str]:
    found = [p for p in NEEDED if not os.access(p, os.X_OK)]
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True,
                           check=False) if os.access(SYSTEM_PYTHON, os.X_OK) else None
    if probe is not None and probe.returncode != 0:
        found.append("python3-pyatspi (import pyatspi in /usr/bin/python3)")
    return found


def _wait_until(ready: object, what: str, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        if process is not None and process.poll() is not None:
            raise DesktopUnavailable(f"{what} stopped as it started (exit {process.returncode}).")
        time.sleep(0.05)
    raise DesktopUnavailable(f"{what} did not start within {START_TIMEOUT:.0f} seconds.")


def _free_display() -> int:
    for number in range(90, 190):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise DesktopUnavailable("No free X display number between :90 and :189.")


class Desktop:
    """Xvfb + private session bus + AT-SPI bus and registry; see the module docstring."""

    def __init__(self, width: int = 1280, height: int = 900) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="caseclient-a11y-"))
        self._processes: list[subprocess.Popen[bytes]] = []
        self._size = f"{width}x{height}x24"
        self.display = ""
        self.bus_address = ""

    # ---- starting -------------------------------------------------------------------------
    def start(self) -> Desktop:
        try:
            self._start_xvfb()
            self._start_bus()
            base = self.environment()
            self._spawn([BUS_LAUNCHER, "--launch-immediately"], base, "at-spi-bus-launcher")
            self._wait_for_name("org.a11y.Bus", base)
            self._spawn([REGISTRY], base, "at-spi2-registryd")
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, argv: list[str], env: Mapping[str, str], what: str,
               stdout: int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{what}.log").open("wb")
        try:
            process = subprocess.Popen(argv, env=dict(env), stdin=subprocess.DEVNULL, stdout=stdout,
                                       stderr=log, start_new_session=True)
        finally:
            log.close()
        self._processes.append(process)
        return process

    def _start_xvfb(self) -> None:
        for _attempt in range(5):
            number = _free_display()
            process = self._spawn([XVFB, f":{number}", "-screen", "0", self._size, "-nolisten", "tcp",
                                   "-noreset"], {"PATH": os.environ.get("PATH", "")}, "Xvfb")
            socket = Path(f"/tmp/.X11-unix/X{number}")
            try:
                _wait_until(socket.exists, "Xvfb", process)
            except DesktopUnavailable:
                continue               # another run took the number first: try the next
            self.display = f":{number}"
            return
        raise DesktopUnavailable("Xvfb did not start on any free display.")

    def _start_bus(self) -> None:
        config = self.folder / "session.conf"
        config.write_text(
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
            "<busconfig><type>session</type>"
            f"<listen>unix:dir={self.folder}</listen>"
            "<auth>EXTERNAL</auth>"
            "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
            "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n", "utf-8")
        process = self._spawn([DBUS_DAEMON, f"--config-file={config}", "--nofork", "--print-address=1"],
                              {"PATH": os.environ.get("PATH", "")}, "dbus-daemon", stdout=subprocess.PIPE)
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line:
            raise DesktopUnavailable("dbus-daemon gave no address.")
        self.bus_address = line

    def _wait_for_name(self, bus_name: str, env: Mapping[str, str]) -> None:
        def owned() -> bool:
            probe = subprocess.run(
                ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                 "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{bus_name}"],
                env=dict(env), capture_output=True, text=True, check=False)
            return "boolean true" in probe.stdout
        _wait_until(owned, bus_name)

    # ---- joining --------------------------------------------------------------------------
    def environment(self, **extra: str) -> dict[str, str]:
        """What a process needs to draw on this screen and talk on this bus (and nothing of ours)."""
        env = {key: value for key, value in os.environ.items()
               if key not in {"GTK_MODULES", "WAYLAND_DISPLAY", "AT_SPI_BUS_ADDRESS",
                              "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY",
                              "QT_QPA_PLATFORM", "SESSION_MANAGER"}}
        runtime = self.folder / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env.update({"DISPLAY": self.display, "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
                    "XDG_RUNTIME_DIR": str(runtime), "NO_AT_BRIDGE": "0"})
        env.update(extra)
        return env

    def app_environment(self, **extra: str) -> dict[str, str]:
        """The app's environment: Qt on X11 with its AT-SPI bridge always on, no keychain prompt."""
        return self.environment(
            QT_QPA_PLATFORM="xcb", QT_ACCESSIBILITY="1", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
            # No keychain daemon on this private bus: the in-memory store, never a hanging prompt.
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", **extra)

    # ---- stopping -------------------------------------------------------------------------
    def stop(self) -> None:
        while self._processes:
            stop(self._processes.pop())
        shutil.rmtree(self.folder, ignore_errors=True)

    def logs(self) -> str:
        parts = []
        for log in sorted(self.folder.glob("*.log")):
            text = log.read_text("utf-8", errors="replace").strip()
            if text:
                parts.append(f"--- {log.name}\n{text}")
        return "\n".join(parts)
