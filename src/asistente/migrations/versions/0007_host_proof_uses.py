"""Host proofs already used (replay guard of the CRM host sessions).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import asistente.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_proof_uses",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("host", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("used_at", asistente.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", asistente.db.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "digest"),
    )
    op.create_index("ix_host_proof_uses_expires", "host_proof_uses", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_host_proof_uses_expires", table_name="host_proof_uses")
    op.drop_table("host_proof_uses")
