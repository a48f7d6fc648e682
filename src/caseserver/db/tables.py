"""The server's tables (SQLAlchemy Core). Migrations create them; a test checks
that the migrated database and this metadata agree.

Times are stored as ISO-8601 UTC text (see :mod:`caseserver.clock`), which sorts
correctly and reads the same on SQLite and PostgreSQL. Record fields are stored as
canonical JSON text, exactly what the wire carries.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# key/value facts about this database: the epoch and the cursor-signing key.
meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row. Every writing transaction increments it first and holds its row lock to
# commit, so commit sequence numbers are handed out in commit order (decision 0010).
commit_counter = Table(
    "commit_counter", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

officers = Table(
    "officers", metadata,
    Column("staff_code", String(32), primary_key=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("grade", String(8), nullable=False),
    Column("team", String(100), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
)

devices = Table(
    "devices", metadata,
    Column("client_id", String(36), primary_key=True),
    Column("staff_code", String(32), ForeignKey("officers.staff_code"), nullable=False),
    Column("device_name", String(200), nullable=False),
    Column("last_applied_seq", BigInteger, nullable=False),
    Column("wipe", Boolean, nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("last_seen_at", String(40), nullable=False),
)

tokens = Table(
    "tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),  # "access" | "refresh"
    Column("client_id", String(36), ForeignKey("devices.client_id"), nullable=False, index=True),
    Column("staff_code", String(32), nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=True),
    Column("revoked", Boolean, nullable=False),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False, index=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", String(40), nullable=False),
)

records = Table(
    "records", metadata,
    Column("record_id", String(36), primary_key=True),
    Column("record_type", String(16), nullable=False),
    Column("type_rank", Integer, nullable=False),
    Column("case_id", String(36), nullable=True),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("fields", Text, nullable=False),
    Column("changed_by", String(32), nullable=False),
    Column("changed_at", String(40), nullable=False),
    Column("commit_seq", BigInteger, nullable=False),
    Index("ix_records_case_seq", "case_id", "commit_seq"),
    Index("ix_records_seq", "commit_seq"),
    # A pull's read of a grant of many cases, in position order (decision 0036).
    Index("ix_records_rank", "type_rank", "record_id"),
)

record_versions = Table(
    "record_versions", metadata,
    Column("record_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("deleted", Boolean, nullable=False),
    Column("fields", Text, nullable=False),
    Column("changed_by", String(32), nullable=False),
    Column("changed_at", String(40), nullable=False),
    Column("commit_seq", BigInteger, nullable=False),
)

# Who may read a case now, and since which commit (its whole history is delivered
# to a reader from that point on).
case_access = Table(
    "case_access", metadata,
    Column("case_id", String(36), primary_key=True),
    Column("staff_code", String(32), primary_key=True),
    Column("granted_seq", BigInteger, nullable=False),
    Index("ix_case_access_staff", "staff_code", "granted_seq"),
)

# The last time a reader lost a case: pulled as a "deallocated" tombstone.
access_revocations = Table(
    "access_revocations", metadata,
    Column("case_id", String(36), primary_key=True),
    Column("staff_code", String(32), primary_key=True),
    Column("revoked_seq", BigInteger, nullable=False),
    Index("ix_access_revocations_staff", "staff_code", "revoked_seq"),
)

# The idempotency ledger: one row per (device, mutation), written with the effect.
ledger = Table(
    "ledger", metadata,
    Column("client_id", String(36), primary_key=True),
    Column("mutation_id", String(64), primary_key=True),
    Column("payload_sha256", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("result", Text, nullable=False),
    Column("resolved", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
)
