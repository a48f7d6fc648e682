"""Index records by (type rank, id): a pull reads a grant of many cases in that order
(decision 0036).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_rank", "records", ["type_rank", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_records_rank", table_name="records")
