"""Shared fixtures: a fake clock, a real encrypted store in a temp folder."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

# Widget tests run offscreen unless a test (AT-SPI) asks for a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from caseclient.storage.store import Store
from tests.helpers.central import Central, running_central
from tests.helpers.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def key_pragma() -> str:
    return "x'" + secrets.token_hex(32) + "'"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "cases.db"


@pytest.fixture
def store(store_path: Path, key_pragma: str, clock: FakeClock) -> Iterator[Store]:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    opened = Store.open(store_path, key_pragma, backups_dir=store_path.parent / "backups",
                        clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    """The reference central system on loopback, over a fresh SQLite file."""
    with running_central(tmp_path / "central.db") as running:
        yield running
