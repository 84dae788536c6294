"""Debtor import hash: a fingerprint of the last imported record, so re-importing an unchanged record
changes nothing (no row update, no card revision, no updated_at).

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("debtors", sa.Column("import_hash", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debtors") as batch:
        batch.drop_column("import_hash")
