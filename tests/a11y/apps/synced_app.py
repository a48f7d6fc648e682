"""The desktop app joined to the sync service, as ``caseclient app`` is meant to start it.

``caseclient app`` (cli._cmd_app) calls ``ui.main.run`` without ``wire``, so the app it
starts never syncs: its status bar stays "Not connected yet" and "Never synced" and
neither Sync now nor signing in sends anything. Until the command wires it, tests that
need sync start the app through this module, which does what the command should:
``run(build(paths), argv, wire=wire)``, on the profile folder given as the first argument.

Usage: ``python -m tests.a11y.apps.synced_app HOME``
"""

from __future__ import annotations

import sys

from caseclient.app import build, wire
from caseclient.config import AppPaths
from caseclient.ui.main import run
from caseclient.ui.main_window import MainWindow


def _wire(window: MainWindow) -> None:
    wire(window)              # the link is the window's child: it lives as long as the window


def main(argv: list[str]) -> int:
    return run(build(AppPaths.resolve(argv[1])), [argv[0]], wire=_wire)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
