"""caseserver: the reference central case system that Caseclient syncs with.

It implements ``docs/sync-protocol.md`` (shared docs) exactly: FastAPI over
SQLAlchemy Core, SQLite by default and PostgreSQL in production.
"""

from __future__ import annotations

API_PREFIX = "/api/v1"
SCHEMA_VERSION = 1
