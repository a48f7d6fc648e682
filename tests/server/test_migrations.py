"""Migrations build exactly the tables the code describes, and run twice harmlessly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from caseserver.db.engine import Database
from caseserver.db.migrate import migrate
from caseserver.db.tables import meta, metadata
from tests.server.conftest import BACKENDS, fresh_postgres


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrated_schema_matches_the_tables(backend: str, tmp_path: object) -> None:
    url = fresh_postgres() if backend == "postgres" else f"sqlite+pysqlite:///{tmp_path}/m.db"
    db = Database(url)
    try:
        migrate(db)
        with db.read() as conn:
            epoch = conn.execute(select(meta.c.value).where(meta.c.key == "epoch")).scalar()
        migrate(db)  # again: nothing changes
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
            again = conn.execute(select(meta.c.value).where(meta.c.key == "epoch")).scalar()
        assert differences == []
        assert again == epoch
    finally:
        db.close()
