"""Debtor card revision: changes whenever anything the card shows changes (cached cards are keyed by it).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("debtors", sa.Column("card_revision", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("debtors") as batch:
        batch.drop_column("card_revision")
