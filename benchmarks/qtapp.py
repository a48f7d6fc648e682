"""The one QApplication of a benchmark run, offscreen unless a display was asked for.

``QT_QPA_PLATFORM`` must be set before the application exists, so every benchmark
that shows a widget asks for it here. Under pytest (pytest-qt) the application
already exists and is reused.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

# What the offscreen plugin says about the window system it does not have (as tests/ui do).
_OFFSCREEN_LIMITS = re.compile(r"^This plugin does not support (propagateSizeHints|raise)\(\)$")


def _quiet_offscreen(_mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    if not _OFFSCREEN_LIMITS.match(message):
        print(message, file=sys.stderr)


def application() -> QApplication:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    existing = QCoreApplication.instance()
    if existing is None:
        qInstallMessageHandler(_quiet_offscreen)
        return QApplication(["caseclient-bench"])
    if not isinstance(existing, QApplication):
        raise RuntimeError("A QCoreApplication without widgets is already running.")
    return existing


def spin_until(done: Callable[[], bool], timeout_s: float) -> float:
    """Run the event loop until ``done()``; the ``perf_counter`` time it was first seen true."""
    deadline = time.perf_counter() + timeout_s
    while True:
        QCoreApplication.processEvents()
        if done():
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"not done within {timeout_s:g} s")
