"""Keep CPython's ``True`` alive under a PySide6 that drops a reference on every emit.

See test_signal_refcount.py: PySide6 6.12.0 on CPython 3.11 loses one reference to
``True`` per ``SignalInstance.emit``; the interpreter aborts when the count reaches
zero. Processes in the suite that emit thousands of signals (the crash test's child)
put the lost references back between steps, so they die only when they are killed.
"""

from __future__ import annotations

import ctypes
import sys


def put_back(count: int) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


class TrueKeeper:
    """Remembers ``True``'s count now; :meth:`settle` restores it if emits took some."""

    def __init__(self) -> None:
        self.baseline = sys.getrefcount(True)

    def settle(self) -> None:
        missing = self.baseline - sys.getrefcount(True)
        if missing > 0:
            put_back(missing)
