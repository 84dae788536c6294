"""Tables of live calls.

- ``calls``: one row per call id (the contact centre's id, unique across tenants: another tenant's call
  reads as not found), bound by its first turn to a tenant, a debtor and an agent. ``last_seq`` is the
  seq of the call's newest event; writers take the row (an UPDATE first) so two workers never give the
  same seq, and the disclosure state moves with it.
- ``call_events``: every event of a call, in seq order (what subscribers receive, also replayed to a
  subscriber that joins late or missed a fan-out message), with the turn it belongs to and the facts the
  end-of-call summary reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from asistente.db import Base, utcnow
from asistente.ids import new_id


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    jurisdiction: Mapped[str | None] = mapped_column(String(12), default=None)
    status: Mapped[str] = mapped_column(String(8), default="ACTIVE")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    disclosure: Mapped[Any] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    summary_audit_id: Mapped[str | None] = mapped_column(String(36), default=None)


class CallEvent(Base):
    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    turn: Mapped[int | None] = mapped_column(Integer, default=None)
    kind: Mapped[str] = mapped_column(String(24))
    speaker: Mapped[str | None] = mapped_column(String(8), default=None)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime]
    audit_id: Mapped[str | None] = mapped_column(String(36), default=None)
    payload: Mapped[Any] = mapped_column(JSON)  # the event as subscribers receive it
    facts: Mapped[Any] = mapped_column(JSON, default=dict)  # what the summary reads (category, promise...)
