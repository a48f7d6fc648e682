"""Alembic environment: runs on the connection `caseserver migrate` hands over, or on
CASESERVER_DATABASE_URL when alembic is run by hand."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from caseserver.db.tables import metadata
from caseserver.settings import Settings

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(Settings.from_env().database_url)
    with engine.begin() as own_connection:
        context.configure(connection=own_connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
