from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from asistente.db import Base, MoneyType, utcnow
from asistente.ids import new_id


class Debtor(Base):
    __tablename__ = "debtors"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8), default="es")
    jurisdiction: Mapped[str | None] = mapped_column(String(12), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    # [{line1, city, region, postalCode, country}]
    addresses: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{number (E.164), kind}]
    phones: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{address, kind}]
    emails: Mapped[list[Any]] = mapped_column(JSON, default=list)
    birth_date: Mapped[date | None] = mapped_column(Date, default=None)
    authorized_channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opted_out_channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cease_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    represented_by_attorney: Mapped[bool] = mapped_column(Boolean, default=False)
    # Free-form CRM attributes kept for display (employer, segment hints...).
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Segment code and risk level as of the last write touching the debtor (for list filters);
    # the card always computes them afresh.
    segment_code: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    risk_level: Mapped[str | None] = mapped_column(String(12), default=None)
    # Changes whenever anything the debtor card shows changes (the debtor row, accounts, payments,
    # interactions, promises): see asistente.portfolio.revisions. Cached cards are keyed by it.
    card_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Fingerprint of the record last imported for this debtor (asistente.portfolio.ingest): an unchanged
    # record re-imported changes nothing.
    import_hash: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(100))
    creditor: Mapped[str | None] = mapped_column(String(200), default=None)
    currency: Mapped[str] = mapped_column(String(3))
    principal: Mapped[Decimal] = mapped_column(MoneyType())
    balance: Mapped[Decimal] = mapped_column(MoneyType())
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    minimum_due: Mapped[Decimal | None] = mapped_column(MoneyType(), default=None)
    in_litigation: Mapped[bool] = mapped_column(Boolean, default=False)
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    time_barred: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("account_id", "reference"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime]
    reference: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (UniqueConstraint("debtor_id", "external_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))
    recipient_role: Mapped[str] = mapped_column(String(16), default="DEBTOR")
    destination: Mapped[str | None] = mapped_column(String(300), default=None)
    opt_out_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Promise(Base):
    __tablename__ = "promises"
    __table_args__ = (UniqueConstraint("debtor_id", "external_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), default=None
    )
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    currency: Mapped[str] = mapped_column(String(3))
    promised_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # The payment agreement this promise is an installment of (agreements.store); no foreign key so the
    # portfolio does not depend on the agreements tables.
    agreement_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_interactions_debtor_at", Interaction.debtor_id, Interaction.at)
Index("ix_payments_debtor_paid", Payment.debtor_id, Payment.paid_at)
Index("ix_promises_debtor_due", Promise.debtor_id, Promise.due_date)
