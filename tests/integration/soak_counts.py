"""Counts from the random-schedule properties, for ``scripts/soak``: one JSON line per
schedule appended to the file named by ``CASECLIENT_SOAK_COUNTS`` (nothing when unset).
Only numbers and fault kinds go in — never case data.

Loaded as a pytest plugin (``-p tests.integration.soak_counts``) it also counts the
httpx-level property in test_convergence.py from the outside, by wrapping its ``_run``, the
engine's run, the fault injector and the laptops' close, until that test records its own.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from caseclient.storage.outbox import MutationState

ENV = "CASECLIENT_SOAK_COUNTS"
KEYS = ("schedules", "edits", "mutations", "duplicates", "conflicts", "rejections")


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def record(prop: str, *, faults: Mapping[str, int], **counts: int) -> None:
    """One schedule's counts (``KEYS``) and the faults injected, by kind."""
    target = os.environ.get(ENV)
    if not target:
        return
    unknown = set(counts) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown soak counts {sorted(unknown)}")
    line = {"property": prop, **{key: int(counts.get(key, 0)) for key in KEYS},
            "faults": {str(kind): int(n) for kind, n in faults.items() if n}}
    with Path(target).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")


def final_states(counts: Mapping[MutationState, int]) -> tuple[int, int]:
    """(mutations, of which answered duplicate) from an outbox's counts by state."""
    return sum(counts.values()), counts.get(MutationState.DUPLICATE, 0)


# ---- the httpx-level property, counted from the outside ------------------------------------
class _Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()


_current: list[_Tally] = []


def _wrap(owner: Any, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    original = getattr(owner, name)
    setattr(owner, name, make(original))


@contextmanager
def _tallying() -> Iterator[_Tally]:
    tally = _Tally()
    _current.append(tally)
    try:
        yield tally
    finally:
        _current.remove(tally)


def _instrument_httpx_property() -> None:
    # imported only for a soak run, once pytest has imported the test modules itself
    from caseclient.sync.engine import SyncEngine  # noqa: PLC0415
    from tests.integration import conftest, faults, test_convergence  # noqa: PLC0415

    def run_wrapper(run: Callable[..., Any]) -> Callable[..., Any]:
        def counted(schedule: list[tuple[Any, ...]], folder: Path) -> None:
            with _tallying() as tally:
                run(schedule, folder)
                edits = sum(1 for step in schedule if step[1] != "sync")
                record("httpx", faults=tally.faults, schedules=1, edits=edits, **tally.counts)
        return counted

    def engine_wrapper(engine_run: Callable[..., Any]) -> Callable[..., Any]:
        def counted(self: SyncEngine) -> Any:
            report = engine_run(self)
            if _current:
                _current[-1].counts["conflicts"] += report.conflicts
                _current[-1].counts["rejections"] += report.rejected
            return report
        return counted

    def take_wrapper(take: Callable[..., Any]) -> Callable[..., Any]:
        def counted(self: faults.FaultyTransport, path: str) -> Any:
            fault = take(self, path)
            if fault is not None and _current:
                _current[-1].faults[fault.kind] += 1
            return fault
        return counted

    def close_wrapper(close: Callable[..., Any]) -> Callable[..., Any]:
        def counted(self: conftest.Laptop) -> None:
            if _current:
                mutations, duplicates = final_states(self.store.outbox_counts())
                _current[-1].counts["mutations"] += mutations
                _current[-1].counts["duplicates"] += duplicates
            close(self)
        return counted

    _wrap(test_convergence, "_run", run_wrapper)
    _wrap(SyncEngine, "run", engine_wrapper)
    _wrap(faults.FaultyTransport, "_take", take_wrapper)
    _wrap(conftest.Laptop, "close", close_wrapper)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Instrument once the test modules are imported (only for a soak run)."""
    if enabled() and any(item.nodeid.startswith("tests/integration/test_convergence.py")
                         for item in session.items):
        _instrument_httpx_property()
