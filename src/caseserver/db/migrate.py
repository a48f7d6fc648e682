"""Bring a database to the current schema (alembic) and make sure its one-off facts exist:
the commit counter row, the epoch and the key that signs pull cursors."""

from __future__ import annotations

import secrets
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, insert, select, update

from caseserver.db.engine import Database
from caseserver.db.tables import commit_counter, meta

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(db: Database) -> None:
    config = alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        _ensure_facts(conn)


def _ensure_facts(conn: Connection) -> None:
    if conn.execute(select(commit_counter.c.value).where(commit_counter.c.id == 1)).first() is None:
        conn.execute(insert(commit_counter).values(id=1, value=0))
    present = set(conn.execute(select(meta.c.key)).scalars())
    if "epoch" not in present:
        conn.execute(insert(meta).values(key="epoch", value=new_epoch()))
    if "cursor_key" not in present:
        conn.execute(insert(meta).values(key="cursor_key", value=secrets.token_hex(32)))


def new_epoch() -> str:
    return secrets.token_hex(8)


def rotate_epoch(db: Database) -> str:
    """A new epoch, as after a restore: every cursor issued so far becomes 410."""
    epoch = new_epoch()
    with db.write() as tx:
        tx.conn.execute(update(meta).where(meta.c.key == "epoch").values(value=epoch))
    return epoch
