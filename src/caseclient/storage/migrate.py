"""Schema migrations: numbered SQL files applied by ``PRAGMA user_version``.

Rules (after SecureDrop Client and Vorta):
- a store newer than this app is refused, untouched (:class:`StoreTooNew`);
- before the first step runs, the encrypted file is copied to ``backups/``
  (it stays encrypted: the copy is of ciphertext pages, after a WAL checkpoint);
- each step runs in its own transaction together with its ``user_version`` bump,
  so a crash mid-migration leaves the store at the previous version.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from caseclient.errors import StoreTooNew
from caseclient.storage.database import Database, DriverError, translate

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> tuple[Migration, ...]:
    folder = resources.files("caseclient.storage") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration numbering has a gap at {migration.name}")
    return tuple(found)


def head_version() -> int:
    return len(available_migrations())


def current_version(db: Database) -> int:
    return int(db.scalar("PRAGMA user_version"))


def backup_before_migrating(db: Database, backups_dir: Path, from_version: int) -> Path | None:
    """Copy the encrypted store aside; None for a brand-new (empty) store."""
    if from_version == 0:
        return None
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backups_dir.mkdir(parents=True, exist_ok=True)
    target = backups_dir / f"{db.path.stem}.v{from_version}.db"
    shutil.copy2(db.path, target)
    return target


StepReport = Callable[[int, int], None]     # (this step, counting from 1; steps in all)


def migrate(db: Database, backups_dir: Path, *, target: int | None = None,
            on_step: StepReport | None = None) -> int:
    """Bring ``db`` to ``target`` (default: head). Returns the version reached.

    ``on_step`` is told before each step runs, so whoever waits can say how far it is.
    """
    migrations = available_migrations()
    goal = len(migrations) if target is None else target
    version = current_version(db)
    if version > len(migrations):
        raise StoreTooNew()
    if version >= goal:
        return version
    backup_before_migrating(db, backups_dir, version)
    steps = migrations[version:goal]
    for number, migration in enumerate(steps, start=1):
        if on_step is not None:
            on_step(number, len(steps))
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
        try:
            db.raw.executescript(script)
        except DriverError as error:
            if db.raw.in_transaction:
                db.raw.execute("ROLLBACK")
            raise translate(error) from error
    return current_version(db)
