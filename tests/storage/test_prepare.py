"""Store.prepare: an upgraded store's check and migrations, done before the UI opens it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from caseclient.errors import UpdateStopped
from caseclient.storage.database import Database
from caseclient.storage.migrate import current_version, head_version, migrate
from caseclient.storage.store import CHECKING, Store
from tests.storage.test_migrations import _seed

OLD = 1


def _old_store(path: Path, key_pragma: str) -> None:
    db = Database.open(path, key_pragma)
    migrate(db, path.parent / "backups", target=OLD)
    _seed(db, OLD)
    db.close()


def _version(path: Path, key_pragma: str) -> int:
    db = Database.open(path, key_pragma)
    try:
        return current_version(db)
    finally:
        db.close()


def test_an_old_store_is_checked_then_migrated_step_by_step(tmp_path: Path, key_pragma: str) -> None:
    path = tmp_path / "c.db"
    _old_store(path, key_pragma)
    steps: list[tuple[int, int]] = []
    Store.prepare(path, key_pragma, backups_dir=tmp_path / "backups",
                  on_step=lambda step, of: steps.append((step, of)))
    todo = head_version() - OLD
    assert steps == [(CHECKING, todo), *((n, todo) for n in range(1, todo + 1))]
    assert _version(path, key_pragma) == head_version()
    assert [b.name for b in (tmp_path / "backups").iterdir()] == [f"c.v{OLD}.db"]
    store = Store.open(path, key_pragma, backups_dir=tmp_path / "backups")
    try:
        assert store.records.require("case", "c1").fields["crn"] == "X123456"
    finally:
        store.close()


def test_a_current_or_new_store_needs_nothing(tmp_path: Path, key_pragma: str) -> None:
    steps: list[tuple[int, int]] = []
    path = tmp_path / "c.db"
    Store.prepare(path, key_pragma, backups_dir=tmp_path / "backups",
                  on_step=lambda step, of: steps.append((step, of)))      # brand new: open does it
    Store.open(path, key_pragma, backups_dir=tmp_path / "backups").close()
    Store.prepare(path, key_pragma, backups_dir=tmp_path / "backups",
                  on_step=lambda step, of: steps.append((step, of)))      # current
    assert steps == []
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize("stop_at", [CHECKING, 1])
def test_a_stopped_update_says_so_and_leaves_the_last_whole_step(
        tmp_path: Path, key_pragma: str, stop_at: int) -> None:
    path = tmp_path / "c.db"
    _old_store(path, key_pragma)
    stop = threading.Event()

    def step(number: int, _of: int) -> None:
        if number == stop_at:
            stop.set()          # as a lock does from the UI thread while this step runs

    with pytest.raises(UpdateStopped):
        Store.prepare(path, key_pragma, backups_dir=tmp_path / "backups", on_step=step, stop=stop)
    # Each step is one transaction: the store stands at a whole step short of the head (the
    # step being run when stop was set either finished or rolled back) and opens as such.
    stood = _version(path, key_pragma)
    assert OLD <= stood < head_version()
    if stop_at == CHECKING:
        assert stood == OLD
    Store.prepare(path, key_pragma, backups_dir=tmp_path / "backups")     # the next unlock
    assert _version(path, key_pragma) == head_version()
