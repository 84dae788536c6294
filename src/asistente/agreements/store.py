"""Persistence of the agreements domain: tenant policies and settings, formal agreements with their
installments, payments applied to them and the promises they create on the debtor.

`AgreementStore(session, tenant_id)` is tenant-scoped like the portfolio repository: every query filters
by the tenant given at construction, so another tenant's id simply is not found. The decisions stay in the
pure modules (validation.py, allocation.py); this module feeds them stored facts and writes their results.
Nothing here commits: the API layer records the ledger event last, then commits.

Lifecycle (AgreementStatus):

    PENDING_APPROVAL --approve--> ACTIVE --all installments paid--> COMPLETED
          |                          \\--an installment BROKEN (past due + grace)--> BROKEN
          \\--reject--> REJECTED

Promises: one `portfolio.models.Promise` per installment (the down payment included), created when the
agreement becomes ACTIVE (a plan awaiting approval promises nothing yet). An installment paid in full by its
due date plus the grace days marks its promise KEPT; one not paid by then (or paid later) marks it BROKEN;
when the agreement breaks, the promises of installments not yet due are CANCELLED. Broken promises feed
the debtor's segment (portfolio.segmentation).

Time: statuses are evaluated on the debtor's local date derived from the `now` the caller passes (the
service clock), never from the wall clock: on each payment (`apply_payment`) and on demand
(`refresh`, exposed as the refreshAgreementStatuses mutation for a daily job).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from asistente.agreements.allocation import (
    DEFAULT_ORDER,
    Component,
    InstallmentState,
    InstallmentStatus,
    PaymentEvent,
    agreement_broken,
    allocate_payment,
    installment_statuses,
)
from asistente.agreements.model import (
    AccountFacts,
    AgreementProposal,
    AgreementValidation,
    Installment,
)
from asistente.agreements.policy import (
    APPROVAL_CHAIN,
    AgreementPolicy,
    default_policies,
    load_policy,
    resolve_policy,
)
from asistente.agreements.validation import validate_agreement
from asistente.db import Base, MoneyType, utcnow
from asistente.enums import PromiseStatus, Role
from asistente.errors import BadInput, DomainError, FieldError, Forbidden, NotFound
from asistente.geo import candidate_timezones
from asistente.ids import is_uuid, new_id
from asistente.money import format_amount
from asistente.portfolio.models import Account, Debtor, Payment, Promise
from asistente.tenants.models import Tenant

ZERO = Decimal(0)
DEFAULT_GRACE_DAYS = 3
MAX_GRACE_DAYS = 60
SETTINGS_KEY = "agreements"
MAX_NOTE = 2000


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


# --------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class PolicyInForce:
    """The policy used for a decision and where it came from (a tenant revision or the shipped default)."""

    policy: AgreementPolicy
    record: AgreementPolicyRecord | None

    @property
    def source(self) -> str:
        return "TENANT" if self.record is not None else "DEFAULT"

    @property
    def revision(self) -> int | None:
        return self.record.revision if self.record is not None else None

    def versions(self) -> dict[str, Any]:
        return {"policy": self.policy.version, "policyRevision": self.revision, "policySource": self.source}


@dataclass(frozen=True)
class AgreementSettings:
    """Tenant settings that are not part of the policy document: the grace days before an unpaid
    installment is BROKEN and the order in which a payment covers an installment's components."""

    grace_days: int = DEFAULT_GRACE_DAYS
    allocation_order: tuple[str, ...] = DEFAULT_ORDER

    def to_dict(self) -> dict[str, Any]:
        return {"graceDays": self.grace_days, "allocationOrder": list(self.allocation_order)}


@dataclass(frozen=True)
class Evaluation:
    """A proposal checked against stored facts: what validateAgreement returns and createAgreement keeps."""

    debtor: Debtor
    accounts: list[Account]
    proposal: AgreementProposal
    validation: AgreementValidation
    policy: PolicyInForce
    caller_role: Role
    today: date
    jurisdiction: str
    affordability: Decimal | None


@dataclass(frozen=True)
class StatusChange:
    agreement: Agreement
    before: str
    after: str


def scope_key(currency: str, product: str | None, segment: str | None) -> str:
    return f"{currency}|{product or ''}|{segment or ''}"


def local_today(debtor: Debtor, now: datetime) -> date:
    """The debtor's calendar date at `now` in their primary time zone (UTC when none is known)."""
    if now.tzinfo is None:
        raise BadInput("now: the instant must carry an offset")
    try:
        zones = candidate_timezones(
            debtor.addresses or [], debtor.phones or [], debtor.timezone, debtor.jurisdiction
        )
    except (DomainError, ValueError, KeyError):
        zones = []
    return now.astimezone(ZoneInfo(zones[0].tz) if zones else UTC).date()


@lru_cache(maxsize=256)
def _policy_from_text(record_id: str, revision: int, text: str) -> AgreementPolicy:
    return load_policy(json.loads(text))


def _policy_of(record: AgreementPolicyRecord) -> AgreementPolicy:
    """Stored documents were validated when set; parse once per (row, revision)."""
    return _policy_from_text(record.id, record.revision, json.dumps(record.document, sort_keys=True))


def _installment(row: AgreementInstallment) -> Installment:
    return Installment(
        number=row.number,
        due_date=row.due_date,
        amount=Decimal(row.amount),
        principal=Decimal(row.principal),
        interest=Decimal(row.interest),
    )


# --------------------------------------------------------------------------------------------- store


class AgreementStore:
    """`only_debtor_id`: a record-bound sidebar session sees that debtor's agreements only."""

    def __init__(self, session: Session, tenant_id: str, *, only_debtor_id: str | None = None) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.only_debtor_id = only_debtor_id

    # ------------------------------------------------------------------------------- policies
    def policy_records(
        self, *, currency: str | None = None, include_history: bool = False
    ) -> list[AgreementPolicyRecord]:
        q = select(AgreementPolicyRecord).where(AgreementPolicyRecord.tenant_id == self.tenant_id)
        if currency is not None:
            q = q.where(AgreementPolicyRecord.currency == currency)
        if not include_history:
            q = q.where(AgreementPolicyRecord.active.is_(True))
        q = q.order_by(
            AgreementPolicyRecord.scope_key, AgreementPolicyRecord.revision.desc(), AgreementPolicyRecord.id
        )
        return list(self.session.scalars(q))

    def set_policy(self, document: Any, *, actor_id: str | None, now: datetime) -> AgreementPolicyRecord:
        """Validate (PolicyError names every JSON path) and store as the new revision of its key."""
        policy = load_policy(document)
        key = scope_key(policy.currency, policy.scope_product, policy.scope_segment)
        current = list(
            self.session.scalars(
                select(AgreementPolicyRecord).where(
                    AgreementPolicyRecord.tenant_id == self.tenant_id, AgreementPolicyRecord.scope_key == key
                )
            )
        )
        revision = max((r.revision for r in current), default=0) + 1
        for row in current:
            row.active = False
        record = AgreementPolicyRecord(
            tenant_id=self.tenant_id,
            scope_key=key,
            currency=policy.currency,
            scope_product=policy.scope_product,
            scope_segment=policy.scope_segment,
            revision=revision,
            version=policy.version,
            document=dict(policy.document),
            active=True,
            created_by=actor_id,
            created_at=now,
        )
        self.session.add(record)
        self.session.flush()
        return record

    def policy_for(self, currency: str, product: str | None, segment: str | None) -> PolicyInForce:
        """The tenant's most specific policy for the currency, else the shipped default for it."""
        records = self.policy_records(currency=currency)
        if records:
            by_policy = [(_policy_of(r), r) for r in records]
            candidates = [(p, r) for p, r in by_policy if p.matches(currency, product, segment)]
            if candidates:
                chosen = resolve_policy(
                    [p for p, _ in candidates], currency=currency, product=product, segment=segment
                )
                record = next(r for p, r in candidates if p is chosen)
                return PolicyInForce(chosen, record)
        try:
            return PolicyInForce(resolve_policy(default_policies(), currency=currency), None)
        except NotFound:
            raise BadInput(
                f"no agreement policy for {currency}: set one with setAgreementPolicy",
                [FieldError("accountIds", f"no agreement policy for currency {currency}")],
            ) from None

    # ------------------------------------------------------------------------------- settings
    def settings(self) -> AgreementSettings:
        tenant = self.session.get(Tenant, self.tenant_id)
        raw = ((tenant.settings if tenant else None) or {}).get(SETTINGS_KEY) or {}
        return AgreementSettings(
            grace_days=int(raw.get("graceDays", DEFAULT_GRACE_DAYS)),
            allocation_order=tuple(raw.get("allocationOrder") or DEFAULT_ORDER),
        )

    def set_settings(
        self, *, grace_days: int | None = None, allocation_order: Sequence[str] | None = None
    ) -> AgreementSettings:
        current = self.settings()
        errors: list[FieldError] = []
        grace = current.grace_days if grace_days is None else grace_days
        if not 0 <= grace <= MAX_GRACE_DAYS:
            errors.append(FieldError("graceDays", f"between 0 and {MAX_GRACE_DAYS} days"))
        order = current.allocation_order if allocation_order is None else tuple(allocation_order)
        if sorted(str(c) for c in order) != sorted(c.value for c in Component):
            errors.append(
                FieldError("allocationOrder", "name each of FEES, INTEREST and PRINCIPAL exactly once")
            )
        if errors:
            raise BadInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        tenant = self.session.get(Tenant, self.tenant_id)
        if tenant is None:
            raise NotFound("tenant not found")
        value = AgreementSettings(grace_days=grace, allocation_order=tuple(str(c) for c in order))
        settings = dict(tenant.settings or {})
        settings[SETTINGS_KEY] = value.to_dict()
        tenant.settings = settings
        self.session.flush()
        return value

    # ------------------------------------------------------------------------------- validation
    def evaluate(
        self,
        *,
        debtor: Debtor,
        debtor_accounts: Sequence[Account],
        proposal: AgreementProposal,
        caller_role: Role,
        now: datetime,
        affordability: Decimal | None = None,
    ) -> Evaluation:
        """Validate `proposal` for `debtor` on the debtor's local date. Accounts it names must be the
        debtor's (else NotFound, the same answer as for another tenant's account)."""
        by_id = {a.id: a for a in debtor_accounts}
        missing = [i for i in dict.fromkeys(proposal.account_ids) if i not in by_id]
        if missing:
            raise NotFound(
                f"account {missing[0]} not found for this debtor",
                [
                    FieldError("accountIds", f"account {i} not found for this debtor", "NOT_FOUND")
                    for i in missing
                ],
            )
        selected = [by_id[i] for i in dict.fromkeys(proposal.account_ids)]
        if not debtor.jurisdiction:
            raise BadInput(
                "debtor: no jurisdiction on record; set it (upsertDebtors) before agreeing a plan",
                [FieldError("debtorId", "the debtor has no jurisdiction")],
            )
        currency = selected[0].currency if selected else None
        products = {a.product for a in selected}
        if currency is None:
            # validate_agreement reports the empty list; any policy will do to get there.
            in_force = PolicyInForce(default_policies()[0], None)
        else:
            product = next(iter(products)) if len(products) == 1 else None
            in_force = self.policy_for(currency, product, debtor.segment_code)
        today = local_today(debtor, now)
        facts = [
            AccountFacts(
                id=a.id,
                currency=a.currency,
                balance=Decimal(a.balance),
                days_past_due=a.days_past_due,
                in_litigation=a.in_litigation,
                disputed=a.disputed,
                time_barred=a.time_barred,
            )
            for a in debtor_accounts
        ]
        validation = validate_agreement(
            proposal,
            accounts=facts,
            policy=in_force.policy,
            caller_role=caller_role,
            today=today,
            jurisdiction=debtor.jurisdiction,
            affordability=affordability,
        )
        return Evaluation(
            debtor=debtor,
            accounts=selected,
            proposal=proposal,
            validation=validation,
            policy=in_force,
            caller_role=caller_role,
            today=today,
            jurisdiction=debtor.jurisdiction,
            affordability=affordability,
        )

    # ------------------------------------------------------------------------------- reads
    def get(self, agreement_id: str) -> Agreement:
        found = self.by_ids([agreement_id]).get(agreement_id)
        if found is None:
            raise NotFound(f"agreement {agreement_id!r} not found")
        return found

    def by_ids(self, ids: Sequence[str]) -> dict[str, Agreement]:
        valid = [i for i in ids if is_uuid(i)]
        if not valid:
            return {}
        rows = self.session.scalars(
            select(Agreement).where(Agreement.tenant_id == self.tenant_id, Agreement.id.in_(valid))
        )
        return {a.id: a for a in rows if self.only_debtor_id in (None, a.debtor_id)}

    def by_debtor_ids(self, ids: Sequence[str]) -> dict[str, list[Agreement]]:
        out: dict[str, list[Agreement]] = defaultdict(list)
        for a in self.session.scalars(
            select(Agreement)
            .where(
                Agreement.tenant_id == self.tenant_id,
                Agreement.debtor_id.in_([i for i in ids if self.only_debtor_id in (None, i)]),
            )
            .order_by(Agreement.debtor_id, Agreement.created_at.desc(), Agreement.id)
        ):
            out[a.debtor_id].append(a)
        return out

    def installments_by_agreement_ids(self, ids: Sequence[str]) -> dict[str, list[AgreementInstallment]]:
        out: dict[str, list[AgreementInstallment]] = defaultdict(list)
        for row in self.session.scalars(
            select(AgreementInstallment)
            .where(
                AgreementInstallment.tenant_id == self.tenant_id,
                AgreementInstallment.agreement_id.in_(list(ids)),
            )
            .order_by(AgreementInstallment.agreement_id, AgreementInstallment.number)
        ):
            out[row.agreement_id].append(row)
        return out

    def open_agreements_on(self, debtor_id: str, account_ids: Sequence[str]) -> list[Agreement]:
        """PENDING_APPROVAL or ACTIVE agreements of the debtor that cover any of these accounts."""
        wanted = set(account_ids)
        rows = self.session.scalars(
            select(Agreement).where(
                Agreement.tenant_id == self.tenant_id,
                Agreement.debtor_id == debtor_id,
                Agreement.status.in_(OPEN_STATUSES),
            )
        )
        return [a for a in rows if wanted & set(a.account_ids or [])]

    # ------------------------------------------------------------------------------- lifecycle
    def create(self, evaluation: Evaluation, *, actor_id: str | None, now: datetime) -> Agreement:
        """Formalise a valid evaluation: ACTIVE (with its promises) or PENDING_APPROVAL. An invalid plan,
        or accounts already under an open agreement, raise BadInput and store nothing."""
        v = evaluation.validation
        if not v.valid:
            raise BadInput(
                "the plan breaks the policy: "
                + "; ".join(f"{i.rule_id}: {i.message}" for i in v.violations)
                + (" (see validateAgreement's counterOffer)" if v.counter_offer else ""),
                [
                    FieldError(i.field or "input", f"{i.rule_id}: {i.message}", str(i.code))
                    for i in v.violations
                ],
            )
        if not v.schedule or v.currency is None:
            raise BadInput("the plan has no schedule")
        p = evaluation.proposal
        taken = self.open_agreements_on(evaluation.debtor.id, p.account_ids)
        if taken:
            raise BadInput(
                f"account already under agreement {taken[0].id} ({taken[0].status}): "
                "settle, reject or let it end before making another",
                [FieldError("accountIds", f"already under agreement {a.id}") for a in taken],
            )
        status = AgreementStatus.PENDING_APPROVAL if v.requires_approval else AgreementStatus.ACTIVE
        agreement = Agreement(
            id=new_id(),
            tenant_id=self.tenant_id,
            debtor_id=evaluation.debtor.id,
            account_ids=list(p.account_ids),
            kind=str(p.kind),
            status=status.value,
            currency=v.currency,
            frequency=str(p.frequency) if p.frequency else None,
            first_payment_date=p.first_payment_date,
            down_payment=p.down_payment,
            installment_count=sum(1 for row in v.schedule if row.number >= 1),
            settlement_amount=p.settlement_amount,
            named_amount=p.installment_amount,
            balance=v.balance,
            total_to_pay=v.total_to_pay,
            total_interest=v.total_interest,
            discount_amount=v.discount_amount,
            discount_percent=str(v.discount_percent),
            requires_approval=v.requires_approval,
            approval_role=str(v.approval_role) if v.approval_role else None,
            policy_version=v.policy_version,
            policy_revision=evaluation.policy.revision,
            jurisdiction=evaluation.jurisdiction,
            created_by=actor_id,
            created_by_role=str(evaluation.caller_role),
            status_changed_at=now,
            created_at=now,
        )
        self.session.add(agreement)
        self.session.flush()
        for row in v.schedule:
            self.session.add(
                AgreementInstallment(
                    tenant_id=self.tenant_id,
                    agreement_id=agreement.id,
                    number=row.number,
                    due_date=row.due_date,
                    amount=row.amount,
                    principal=row.principal,
                    interest=row.interest,
                    paid_principal=ZERO,
                    paid_interest=ZERO,
                    status=InstallmentStatus.PENDING.value,
                )
            )
        self.session.flush()
        if status is AgreementStatus.ACTIVE:
            self._promise(agreement, now)
        return agreement

    def decide(
        self,
        agreement_id: str,
        *,
        approve: bool,
        actor_id: str | None,
        acting_role: Role,
        note: str | None,
        now: datetime,
    ) -> Agreement:
        """Approve (-> ACTIVE, promises created) or reject (-> REJECTED) a plan awaiting approval. The
        decider's tier must reach the approval role, and nobody decides on a plan they made."""
        agreement = self.get(agreement_id)
        # Who may decide comes first: a caller without the authority hears FORBIDDEN, not what was wrong
        # with the request.
        needed = Role(agreement.approval_role or Role.SUPERVISOR)
        rank = {role: i for i, role in enumerate(APPROVAL_CHAIN)}
        if acting_role not in rank or rank[acting_role] < rank[needed]:
            raise Forbidden(f"this agreement needs {needed.value} approval; you act as {acting_role.value}")
        if actor_id is not None and actor_id == agreement.created_by:
            raise Forbidden("nobody can approve or reject an agreement they made")
        if not approve and not (note or "").strip():
            raise BadInput("reason: say why the agreement is rejected", [FieldError("reason", "required")])
        if note is not None and len(note) > MAX_NOTE:
            raise BadInput(f"note: at most {MAX_NOTE} characters")
        if agreement.status != AgreementStatus.PENDING_APPROVAL.value:
            raise BadInput(
                f"agreement {agreement.id} is {agreement.status}: only a PENDING_APPROVAL agreement "
                "can be approved or rejected",
                [FieldError("id", f"status is {agreement.status}")],
            )
        debtor = self.session.get(Debtor, agreement.debtor_id)
        if approve and debtor is not None and agreement.first_payment_date < local_today(debtor, now):
            raise BadInput(
                f"the first payment date ({agreement.first_payment_date.isoformat()}) has passed: reject "
                "this agreement and validate a new plan",
                [FieldError("id", "first payment date in the past", "FIRST_PAYMENT_IN_PAST")],
            )
        agreement.status = (AgreementStatus.ACTIVE if approve else AgreementStatus.REJECTED).value
        agreement.decided_by = actor_id
        agreement.decided_by_role = acting_role.value
        agreement.decided_at = now
        agreement.decision_note = note
        agreement.status_changed_at = now
        self.session.flush()
        if approve:
            self._promise(agreement, now)
        return agreement

    def _promise(self, agreement: Agreement, now: datetime) -> None:
        rows = self.installments_by_agreement_ids([agreement.id]).get(agreement.id, [])
        account_id = (agreement.account_ids or [None])[0]
        promises = [
            Promise(
                id=new_id(),
                tenant_id=self.tenant_id,
                debtor_id=agreement.debtor_id,
                account_id=account_id,
                agreement_id=agreement.id,
                amount=Decimal(row.amount),
                currency=agreement.currency,
                promised_at=now,
                due_date=row.due_date,
                status=PromiseStatus.PENDING.value,
            )
            for row in rows
        ]
        self.session.add_all(promises)
        self.session.flush()  # no ORM relationship orders these writes: the promises must exist first
        for row, promise in zip(rows, promises, strict=True):
            row.promise_id = promise.id
        self.session.flush()

    # ------------------------------------------------------------------------------- payments
    def apply_payment(self, payment: Payment, *, now: datetime) -> Agreement | None:
        """Apply a newly recorded payment to the ACTIVE agreement covering its account (if any), then
        re-evaluate that agreement's statuses. Returns the agreement, or None when none applies."""
        candidates = [
            a
            for a in self.open_agreements_on(payment.debtor_id, [payment.account_id])
            if a.status == AgreementStatus.ACTIVE.value
        ]
        if not candidates:
            return None
        agreement = min(candidates, key=lambda a: (a.created_at, a.id))
        debtor = self.session.get(Debtor, agreement.debtor_id)
        assert debtor is not None and debtor.tenant_id == self.tenant_id
        rows = self.installments_by_agreement_ids([agreement.id])[agreement.id]
        states = [
            InstallmentState(
                number=r.number,
                due_date=r.due_date,
                principal=Decimal(r.principal) - Decimal(r.paid_principal),
                interest=Decimal(r.interest) - Decimal(r.paid_interest),
            )
            for r in rows
        ]
        settings = self.settings()
        allocation = allocate_payment(Decimal(payment.amount), states, settings.allocation_order)
        applied = Decimal(payment.amount) - allocation.unapplied
        by_number = {r.number: r for r in rows}
        for line in allocation.lines:
            row = by_number[line.number]
            if line.component is Component.PRINCIPAL:
                row.paid_principal = Decimal(row.paid_principal) + line.amount
            elif line.component is Component.INTEREST:
                row.paid_interest = Decimal(row.paid_interest) + line.amount
        if applied > 0:
            self.session.add(
                AgreementPayment(
                    tenant_id=self.tenant_id,
                    agreement_id=agreement.id,
                    payment_id=payment.id,
                    amount=applied,
                    unapplied=allocation.unapplied,
                    paid_on=local_today(debtor, payment.paid_at),
                    lines=[
                        {"number": ln.number, "component": ln.component.value, "amount": str(ln.amount)}
                        for ln in allocation.lines
                    ],
                    created_at=now,
                )
            )
            self.session.flush()
        self._evaluate(agreement, debtor, rows, now=now, grace_days=settings.grace_days)
        return agreement

    def refresh(self, *, debtor_id: str | None = None, now: datetime) -> tuple[int, list[StatusChange]]:
        """Re-evaluate ACTIVE agreements (of one debtor, or the whole tenant) at `now`: installments past
        due plus grace become BROKEN and break their agreement. Returns (evaluated, changes)."""
        q = select(Agreement).where(
            Agreement.tenant_id == self.tenant_id, Agreement.status == AgreementStatus.ACTIVE.value
        )
        if debtor_id is not None:
            q = q.where(Agreement.debtor_id == debtor_id)
        agreements = list(self.session.scalars(q.order_by(Agreement.created_at, Agreement.id)))
        if not agreements:
            return 0, []
        debtors = {
            d.id: d
            for d in self.session.scalars(
                select(Debtor).where(
                    Debtor.tenant_id == self.tenant_id, Debtor.id.in_({a.debtor_id for a in agreements})
                )
            )
        }
        installments = self.installments_by_agreement_ids([a.id for a in agreements])
        grace = self.settings().grace_days
        changes = []
        for agreement in agreements:
            before = agreement.status
            self._evaluate(
                agreement, debtors[agreement.debtor_id], installments[agreement.id], now=now, grace_days=grace
            )
            if agreement.status != before:
                changes.append(StatusChange(agreement, before, agreement.status))
        return len(agreements), changes

    def _evaluate(
        self,
        agreement: Agreement,
        debtor: Debtor,
        rows: Sequence[AgreementInstallment],
        *,
        now: datetime,
        grace_days: int,
    ) -> None:
        if agreement.status != AgreementStatus.ACTIVE.value:
            return
        events = [
            PaymentEvent(paid_on=p.paid_on, amount=Decimal(p.amount))
            for p in self.session.scalars(
                select(AgreementPayment).where(
                    AgreementPayment.tenant_id == self.tenant_id,
                    AgreementPayment.agreement_id == agreement.id,
                )
            )
        ]
        today = local_today(debtor, now)
        statuses = installment_statuses([_installment(r) for r in rows], events, today, grace_days)
        by_number = {s.number: s for s in statuses}
        promise_ids = [r.promise_id for r in rows if r.promise_id]
        promises = (
            {
                p.id: p
                for p in self.session.scalars(
                    select(Promise).where(Promise.tenant_id == self.tenant_id, Promise.id.in_(promise_ids))
                )
            }
            if promise_ids
            else {}
        )
        broken = agreement_broken(statuses)
        for row in rows:
            s = by_number[row.number]
            row.status = s.status.value
            row.paid_on = s.paid_on
            row.kept = s.kept
            promise = promises.get(row.promise_id) if row.promise_id else None
            if promise is None:
                continue
            if s.status is InstallmentStatus.PAID:
                wanted = PromiseStatus.KEPT if s.kept else PromiseStatus.BROKEN
            elif s.status is InstallmentStatus.BROKEN:
                wanted = PromiseStatus.BROKEN
            elif broken:
                wanted = PromiseStatus.CANCELLED
            else:
                wanted = PromiseStatus.PENDING
            if promise.status != wanted.value:
                promise.status = wanted.value
                promise.resolved_at = None if wanted is PromiseStatus.PENDING else now
        if broken:
            agreement.status = AgreementStatus.BROKEN.value
            agreement.status_changed_at = now
        elif all(s.status is InstallmentStatus.PAID for s in statuses):
            agreement.status = AgreementStatus.COMPLETED.value
            agreement.status_changed_at = now
        self.session.flush()


def summary(agreement: Agreement) -> Mapping[str, Any]:
    """What the ledger keeps about a stored agreement."""
    return {
        "agreementId": agreement.id,
        "status": agreement.status,
        "kind": agreement.kind,
        "currency": agreement.currency,
        "accountIds": list(agreement.account_ids or []),
        "totalToPay": format_amount(Decimal(agreement.total_to_pay), agreement.currency),
        "discountAmount": format_amount(Decimal(agreement.discount_amount), agreement.currency),
        "discountPercent": agreement.discount_percent,
        "installments": agreement.installment_count,
        "approvalRole": agreement.approval_role,
    }
