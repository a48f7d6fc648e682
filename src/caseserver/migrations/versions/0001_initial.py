"""Initial schema: officers, devices, tokens, records and their history, access, ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "commit_counter",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "officers",
        sa.Column("staff_code", sa.String(32), primary_key=True),
        sa.Column("username", sa.String(128), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("grade", sa.String(8), nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
    )
    op.create_table(
        "devices",
        sa.Column("client_id", sa.String(36), primary_key=True),
        sa.Column("staff_code", sa.String(32), sa.ForeignKey("officers.staff_code"), nullable=False),
        sa.Column("device_name", sa.String(200), nullable=False),
        sa.Column("last_applied_seq", sa.BigInteger, nullable=False),
        sa.Column("wipe", sa.Boolean, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("last_seen_at", TIME, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("devices.client_id"), nullable=False),
        sa.Column("staff_code", sa.String(32), nullable=False),
        sa.Column("issued_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("used_at", TIME, nullable=True),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_tokens_client_id", "tokens", ["client_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", TIME, nullable=False),
    )
    op.create_index("ix_login_failures_username", "login_failures", ["username"])
    op.create_index("ix_login_failures_address", "login_failures", ["address"])
    op.create_table(
        "records",
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("record_type", sa.String(16), nullable=False),
        sa.Column("type_rank", sa.Integer, nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("changed_by", sa.String(32), nullable=False),
        sa.Column("changed_at", TIME, nullable=False),
        sa.Column("commit_seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_records_case_seq", "records", ["case_id", "commit_seq"])
    op.create_index("ix_records_seq", "records", ["commit_seq"])
    op.create_table(
        "record_versions",
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("changed_by", sa.String(32), nullable=False),
        sa.Column("changed_at", TIME, nullable=False),
        sa.Column("commit_seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "case_access",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("staff_code", sa.String(32), primary_key=True),
        sa.Column("granted_seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_case_access_staff", "case_access", ["staff_code", "granted_seq"])
    op.create_table(
        "access_revocations",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("staff_code", sa.String(32), primary_key=True),
        sa.Column("revoked_seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_access_revocations_staff", "access_revocations", ["staff_code", "revoked_seq"])
    op.create_table(
        "ledger",
        sa.Column("client_id", sa.String(36), primary_key=True),
        sa.Column("mutation_id", sa.String(64), primary_key=True),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("resolved", sa.Boolean, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
    )


def downgrade() -> None:
    for table in ("ledger", "access_revocations", "case_access", "record_versions", "records",
                  "login_failures", "tokens", "devices", "officers", "commit_counter", "meta"):
        op.drop_table(table)
