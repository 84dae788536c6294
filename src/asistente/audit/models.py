"""Tables of the audit ledger.

- ``audit_events``: the append-only, hash-chained ledger (one chain per tenant, see ``chain.py``).
- ``audit_chain_heads``: one row per tenant with the seq and hash of its newest event. Writers lock this row
  (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the upsert that precedes the read takes the database
  write lock) so the chain stays linear; ``verify`` also compares it with the newest event, which detects a
  deleted tail.
- ``audit_feedback``: what the agent did with a piece of advice (USED, EDITED, DISCARDED); each row is
  mirrored by a chained FEEDBACK event (``ledger_event_id``) so it is tamper-evident too.
- ``audit_checkpoints``: written by ``purge`` before deleting a prefix of a chain: the seq and hash of the
  last purged event, so the remaining chain still verifies.

The ORM refuses to UPDATE or DELETE ledger rows; purges go through explicit Core statements.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from asistente.db import Base
from asistente.ids import new_id


class AuditKind(StrEnum):
    """What an audit event records. The kind column only ever holds one of these values."""

    SUGGESTION = "SUGGESTION"  # objection answers shown to the agent (suggestResponses, callAssist)
    DRAFT = "DRAFT"  # a drafted message (draftMessage)
    COMPLIANCE_CHECK = "COMPLIANCE_CHECK"  # a text checked against a rule pack (checkCompliance, live alerts)
    CONTACT_CHECK = "CONTACT_CHECK"  # whether a contact was allowed (contactPermission)
    CLASSIFICATION = "CLASSIFICATION"  # an utterance classified (classifyUtterance)
    AGREEMENT_VALIDATION = "AGREEMENT_VALIDATION"  # a payment plan checked (validateAgreement)
    AGREEMENT_DECISION = "AGREEMENT_DECISION"  # a plan formalised, approved or rejected (createAgreement...)
    POLICY_CHANGE = "POLICY_CHANGE"  # configuration that changes advice (setAgreementPolicy, rule packs)
    FEEDBACK = "FEEDBACK"  # the agent's action on an earlier event (recordSuggestionFeedback)
    CALL_SUMMARY = "CALL_SUMMARY"  # the end of a live call: summary, disposition, promise (endCall)


# What counts as advice an agent can act on (and so give feedback about).
ADVICE_KINDS = frozenset(
    {
        AuditKind.SUGGESTION,
        AuditKind.DRAFT,
        AuditKind.COMPLIANCE_CHECK,
        AuditKind.CONTACT_CHECK,
        AuditKind.CLASSIFICATION,
        AuditKind.AGREEMENT_VALIDATION,
        AuditKind.CALL_SUMMARY,
    }
)


class FeedbackAction(StrEnum):
    USED = "USED"
    EDITED = "EDITED"
    DISCARDED = "DISCARDED"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(200), default=None)
    actor_role: Mapped[str | None] = mapped_column(String(32), default=None)
    # Plain ids, no foreign keys: the ledger outlives the records it talks about.
    debtor_id: Mapped[str | None] = mapped_column(String(36), default=None)
    call_id: Mapped[str | None] = mapped_column(String(200), default=None)
    input: Mapped[Any] = mapped_column(JSON)
    output: Mapped[Any] = mapped_column(JSON)
    versions: Mapped[Any] = mapped_column(JSON)
    at: Mapped[datetime]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    __tablename__ = "audit_chain_heads"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class AuditFeedback(Base):
    __tablename__ = "audit_feedback"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    event_id: Mapped[str] = mapped_column(ForeignKey("audit_events.id", ondelete="CASCADE"), index=True)
    # The FEEDBACK ledger event that mirrors this row.
    ledger_event_id: Mapped[str] = mapped_column(
        ForeignKey("audit_events.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[str | None] = mapped_column(String(200), default=None)
    actor_role: Mapped[str | None] = mapped_column(String(32), default=None)
    action: Mapped[str] = mapped_column(String(16))
    final_text: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime]


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    # seq and hash of the last purged event: the next remaining event's prev_hash.
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    purged_count: Mapped[int] = mapped_column(BigInteger)
    # Events recorded before this instant were eligible for the purge.
    older_than: Mapped[datetime]
    at: Mapped[datetime]


Index("ix_audit_events_tenant_at", AuditEvent.tenant_id, AuditEvent.at)
Index("ix_audit_events_tenant_debtor_seq", AuditEvent.tenant_id, AuditEvent.debtor_id, AuditEvent.seq)
Index("ix_audit_events_tenant_actor_seq", AuditEvent.tenant_id, AuditEvent.actor_id, AuditEvent.seq)
Index("ix_audit_events_tenant_kind_seq", AuditEvent.tenant_id, AuditEvent.kind, AuditEvent.seq)
Index("ix_audit_feedback_tenant_at", AuditFeedback.tenant_id, AuditFeedback.at)


def _append_only(mapper: Any, connection: Any, target: Any) -> None:
    raise RuntimeError(f"{type(target).__tablename__} is append-only: rows are never updated or deleted")


for _model in (AuditEvent, AuditFeedback, AuditCheckpoint):
    event.listen(_model, "before_update", _append_only)
    event.listen(_model, "before_delete", _append_only)
