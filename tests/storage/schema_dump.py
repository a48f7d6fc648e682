"""The store's schema as text, for comparing a migrated store with the committed one."""

from __future__ import annotations

from caseclient.storage.database import Database


def schema_text(db: Database) -> str:
    rows = db.query("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                    "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_%' ORDER BY type, name")
    return "\n".join(f"-- {kind} {name}\n{sql};" for kind, name, sql in rows) + "\n"
