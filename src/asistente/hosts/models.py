"""Host proofs already used (replay guard): a digest per proof, kept until the proof would expire anyway."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from asistente.db import Base
from asistente.ids import new_id


class HostProofUse(Base):
    __tablename__ = "host_proof_uses"
    __table_args__ = (UniqueConstraint("tenant_id", "digest"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()


Index("ix_host_proof_uses_expires", HostProofUse.expires_at)
