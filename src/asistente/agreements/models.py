"""Stored agreements: tenant policy revisions, formal agreements, their installments and the payments
applied to them (tables), and the lifecycle status of an agreement.

Lifecycle (AgreementStatus):

    PENDING_APPROVAL --approve--> ACTIVE --all installments paid--> COMPLETED
          |                          \\--an installment BROKEN (past due + grace)--> BROKEN
          \\--reject--> REJECTED
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from asistente.agreements.allocation import InstallmentStatus
from asistente.db import Base, MoneyType, utcnow
from asistente.ids import new_id

ZERO = Decimal(0)


class AgreementStatus(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    ACTIVE = "ACTIVE"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"
    BROKEN = "BROKEN"


OPEN_STATUSES = (AgreementStatus.PENDING_APPROVAL.value, AgreementStatus.ACTIVE.value)


# --------------------------------------------------------------------------------------------- tables


class AgreementPolicyRecord(Base):
    """One version of a tenant policy. The active row of a (currency, product, segment) key is the one in
    force; setting the same key again deactivates it and adds revision + 1 (the history is kept)."""

    __tablename__ = "agreement_policies"
    __table_args__ = (UniqueConstraint("tenant_id", "scope_key", "revision"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    # "MXN|<product>|<segment>" with empty parts for no scope (NULLs would defeat the unique constraint).
    scope_key: Mapped[str] = mapped_column(String(260))
    currency: Mapped[str] = mapped_column(String(3))
    scope_product: Mapped[str | None] = mapped_column(String(100), default=None)
    scope_segment: Mapped[str | None] = mapped_column(String(100), default=None)
    revision: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(100))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Agreement(Base):
    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    debtor_id: Mapped[str] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    account_ids: Mapped[list[Any]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[str | None] = mapped_column(String(10), default=None)
    first_payment_date: Mapped[date] = mapped_column(Date)
    down_payment: Mapped[Decimal | None] = mapped_column(MoneyType(), default=None)
    installment_count: Mapped[int] = mapped_column(Integer)
    settlement_amount: Mapped[Decimal | None] = mapped_column(MoneyType(), default=None)
    named_amount: Mapped[Decimal | None] = mapped_column(MoneyType(), default=None)
    balance: Mapped[Decimal] = mapped_column(MoneyType())
    total_to_pay: Mapped[Decimal] = mapped_column(MoneyType())
    total_interest: Mapped[Decimal] = mapped_column(MoneyType())
    discount_amount: Mapped[Decimal] = mapped_column(MoneyType())
    discount_percent: Mapped[str] = mapped_column(String(20))
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    approval_role: Mapped[str | None] = mapped_column(String(16), default=None)
    policy_version: Mapped[str] = mapped_column(String(100))
    policy_revision: Mapped[int | None] = mapped_column(Integer, default=None)
    jurisdiction: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str | None] = mapped_column(String(36), default=None)
    created_by_role: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(36), default=None)
    decided_by_role: Mapped[str | None] = mapped_column(String(16), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_note: Mapped[str | None] = mapped_column(Text, default=None)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementInstallment(Base):
    __tablename__ = "agreement_installments"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    principal: Mapped[Decimal] = mapped_column(MoneyType())
    interest: Mapped[Decimal] = mapped_column(MoneyType())
    paid_principal: Mapped[Decimal] = mapped_column(MoneyType(), default=ZERO)
    paid_interest: Mapped[Decimal] = mapped_column(MoneyType(), default=ZERO)
    status: Mapped[str] = mapped_column(String(10), default=InstallmentStatus.PENDING.value)
    paid_on: Mapped[date | None] = mapped_column(Date, default=None)
    kept: Mapped[bool | None] = mapped_column(Boolean, default=None)
    promise_id: Mapped[str | None] = mapped_column(
        ForeignKey("promises.id", ondelete="SET NULL"), default=None
    )


class AgreementPayment(Base):
    """The part of a recorded payment applied to an agreement, with its split by installment/component."""

    __tablename__ = "agreement_payments"
    __table_args__ = (UniqueConstraint("agreement_id", "payment_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    unapplied: Mapped[Decimal] = mapped_column(MoneyType())
    paid_on: Mapped[date] = mapped_column(Date)
    # [{"number": 1, "component": "interest", "amount": "240.00"}, ...]
    lines: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_agreements_tenant_debtor_status", Agreement.tenant_id, Agreement.debtor_id, Agreement.status)
Index("ix_agreement_installments_agreement", AgreementInstallment.agreement_id, AgreementInstallment.number)
Index("ix_agreement_payments_agreement", AgreementPayment.agreement_id)


__all__ = [
    "OPEN_STATUSES",
    "Agreement",
    "AgreementInstallment",
    "AgreementPayment",
    "AgreementPolicyRecord",
    "AgreementStatus",
]
