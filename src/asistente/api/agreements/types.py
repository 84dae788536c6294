"""GraphQL shapes of agreements: the validation verdict, counter-offers, stored agreements, policies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente.agreements import Component, Frequency, InstallmentStatus, IssueCode, PlanKind
from asistente.agreements.model import AgreementValidation as DomainValidation
from asistente.agreements.model import Installment, PlanIssue
from asistente.agreements.store import (
    Agreement as AgreementRow,
)
from asistente.agreements.store import (
    AgreementInstallment as InstallmentRow,
)
from asistente.agreements.store import (
    AgreementPolicyRecord,
    AgreementSettings,
    AgreementStatus,
    AgreementStore,
    Evaluation,
)
from asistente.api.core.scalars import Role, money
from asistente.api.loaders import _loader
from asistente.enums import Role as DomainRole

AgreementKind = strawberry.enum(PlanKind, name="AgreementKind")
PaymentFrequency = strawberry.enum(Frequency, name="PaymentFrequency")
AgreementIssueCode = strawberry.enum(
    IssueCode,
    name="AgreementIssueCode",
    description="Why a payment plan breaks policy, law or authority (machine code; never parse messages).",
)
AgreementStatusEnum = strawberry.enum(
    AgreementStatus,
    name="AgreementStatus",
    description="PENDING_APPROVAL -> ACTIVE | REJECTED; ACTIVE -> COMPLETED (all paid) | BROKEN.",
)
InstallmentStatusEnum = strawberry.enum(
    InstallmentStatus,
    name="InstallmentStatus",
    description="PENDING (not due), PARTIAL (not due, part paid), LATE (past due, within grace), "
    "PAID, BROKEN (not paid by due date + grace days).",
)
PaymentComponent = strawberry.enum(Component, name="PaymentComponent")


@strawberry.enum(description="Where the policy in force comes from.")
class PolicySource(Enum):
    TENANT = "TENANT"
    DEFAULT = "DEFAULT"


@strawberry.type(
    description="One rule a payment plan breaks (violation) or should be aware of (warning). "
    "Like RuleHit of the compliance checks, but with its own code enum: agreement rules are policy, "
    "authority and arithmetic, not contact law, and mixing both sets into ViolationCode would let clients "
    "match codes that can never occur for the field they read."
)
class AgreementIssue:
    rule_id: str = strawberry.field(description="Stable rule id, e.g. POLICY.MAX_INSTALLMENTS.")
    code: AgreementIssueCode
    message: str = strawberry.field(description="Spanish / English.")
    field: str | None = strawberry.field(description="The AgreementInput field concerned, if any.")


def issue(i: PlanIssue) -> AgreementIssue:
    return AgreementIssue(rule_id=i.rule_id, code=IssueCode(i.code), message=i.message, field=i.field)


@strawberry.type(
    description="One row of a schedule. Number 0 is the down payment. amount = principal + interest."
)
class ScheduleRow:
    number: int
    due_date: date
    amount: str
    principal: str
    interest: str


def rows(schedule: list[Installment], currency: str | None) -> list[ScheduleRow]:
    if currency is None:
        return []
    return [
        ScheduleRow(
            number=r.number,
            due_date=r.due_date,
            amount=money(r.amount, currency) or "0",
            principal=money(r.principal, currency) or "0",
            interest=money(r.interest, currency) or "0",
        )
        for r in schedule
    ]


@strawberry.type(
    description="A plan the caller may offer on their own authority (the counter-offer), with its schedule."
)
class AgreementProposal:
    kind: AgreementKind
    account_ids: list[strawberry.ID]
    first_payment_date: date
    down_payment: str | None
    installments: int | None
    frequency: PaymentFrequency | None
    settlement_amount: str | None
    installment_amount: str | None
    schedule: list[ScheduleRow]
    total_to_pay: str | None
    total_interest: str | None
    discount_amount: str | None
    discount_percent: str | None
    notes: list[str] = strawberry.field(description="Each change from the proposal (Spanish / English).")
    gap: str | None = strawberry.field(
        description="How much the regular installment exceeds the amount the debtor named, when it had to."
    )


@strawberry.type(description="The verdict on a proposed plan. Recorded in the audit ledger (auditId).")
class AgreementValidation:
    valid: bool = strawberry.field(description="No violations (a plan that needs approval can be valid).")
    violations: list[AgreementIssue]
    warnings: list[AgreementIssue]
    schedule: list[ScheduleRow]
    currency: str | None
    balance: str | None = strawberry.field(description="Collectible balance of the accounts in the plan.")
    total_to_pay: str | None
    total_interest: str | None
    discount_amount: str | None
    discount_percent: str
    requires_approval: bool
    approval_role: Role | None = strawberry.field(
        description="Lowest role whose discount authority covers the plan (when requiresApproval)."
    )
    counter_offer: AgreementProposal | None
    policy_version: str
    policy_revision: int | None
    policy_source: PolicySource
    caller_role: Role = strawberry.field(description="The authority tier the plan was checked for.")
    today: date = strawberry.field(description="The debtor's local date the plan was checked on.")
    audit_id: strawberry.ID | None


def validation(ev: Evaluation, audit_id: str | None) -> AgreementValidation:
    v = ev.validation
    cur = v.currency
    offer = None
    if v.counter_offer is not None and v.counter_offer_validation is not None:
        o, ov = v.counter_offer, v.counter_offer_validation
        offer = AgreementProposal(
            kind=PlanKind(o.kind),
            account_ids=[strawberry.ID(i) for i in o.account_ids],
            first_payment_date=o.first_payment_date,
            down_payment=_money(o.down_payment, cur),
            installments=o.installments,
            frequency=Frequency(o.frequency) if o.frequency else None,
            settlement_amount=_money(o.settlement_amount, cur),
            installment_amount=_money(o.installment_amount, cur),
            schedule=rows(ov.schedule, cur),
            total_to_pay=_money(ov.total_to_pay, cur),
            total_interest=_money(ov.total_interest, cur),
            discount_amount=_money(ov.discount_amount, cur),
            discount_percent=str(ov.discount_percent),
            notes=list(v.counter_offer_notes),
            gap=_money(v.counter_offer_gap, cur),
        )
    return AgreementValidation(
        valid=v.valid,
        violations=[issue(i) for i in v.violations],
        warnings=[issue(i) for i in v.warnings],
        schedule=rows(v.schedule, cur),
        currency=cur,
        balance=_money(v.balance, cur),
        total_to_pay=_money(v.total_to_pay, cur),
        total_interest=_money(v.total_interest, cur),
        discount_amount=_money(v.discount_amount, cur),
        discount_percent=str(v.discount_percent),
        requires_approval=v.requires_approval,
        approval_role=DomainRole(v.approval_role) if v.approval_role else None,
        counter_offer=offer,
        policy_version=v.policy_version,
        policy_revision=ev.policy.revision,
        policy_source=PolicySource(ev.policy.source),
        caller_role=ev.caller_role,
        today=ev.today,
        audit_id=strawberry.ID(audit_id) if audit_id else None,
    )


def _money(value: Decimal | None, currency: str | None) -> str | None:
    if value is None:
        return None
    return money(value, currency) if currency else str(value)


def validation_summary(v: DomainValidation) -> dict:
    """What the ledger keeps of a verdict (the input and policy version reproduce the rest)."""
    offer = None
    if v.counter_offer is not None:
        offer = {
            **v.counter_offer.to_dict(v.currency),
            "gap": _money(v.counter_offer_gap, v.currency),
            "notes": list(v.counter_offer_notes),
            "totalToPay": _money(
                v.counter_offer_validation.total_to_pay if v.counter_offer_validation else None, v.currency
            ),
        }
    return {
        "valid": v.valid,
        "violations": [{"ruleId": i.rule_id, "code": str(i.code)} for i in v.violations],
        "warnings": [{"ruleId": i.rule_id, "code": str(i.code)} for i in v.warnings],
        "currency": v.currency,
        "installments": len(v.schedule),
        "totalToPay": _money(v.total_to_pay, v.currency),
        "discountAmount": _money(v.discount_amount, v.currency),
        "discountPercent": str(v.discount_percent),
        "requiresApproval": v.requires_approval,
        "approvalRole": str(v.approval_role) if v.approval_role else None,
        "counterOffer": offer,
    }


# --------------------------------------------------------------------------------------------- stored


def store(info: Info) -> AgreementStore:
    ctx = info.context
    return ctx.per_operation(
        "agreement_store",
        lambda: AgreementStore(ctx.session, ctx.principal.tenant_id, only_debtor_id=ctx.principal.debtor_id),
    )


def installments_loader(info: Info) -> DataLoader[str, list[InstallmentRow]]:
    s = store(info)
    return info.context.loaders.extra(
        "agreement_installments", lambda: _loader(s.installments_by_agreement_ids, list)
    )


def agreements_loader(info: Info) -> DataLoader[str, list[AgreementRow]]:
    s = store(info)
    return info.context.loaders.extra("agreements_by_debtor", lambda: _loader(s.by_debtor_ids, list))


@strawberry.type(description="One installment of a stored agreement and how much of it is paid.")
class AgreementInstallment:
    _m: strawberry.Private[InstallmentRow]
    _currency: strawberry.Private[str]

    @strawberry.field
    def number(self) -> int:
        return self._m.number

    @strawberry.field
    def due_date(self) -> date:
        return self._m.due_date

    @strawberry.field
    def amount(self) -> str:
        return money(self._m.amount, self._currency) or "0"

    @strawberry.field
    def principal(self) -> str:
        return money(self._m.principal, self._currency) or "0"

    @strawberry.field
    def interest(self) -> str:
        return money(self._m.interest, self._currency) or "0"

    @strawberry.field(description="Paid so far (principal + interest).")
    def paid(self) -> str:
        return money(_paid(self._m), self._currency) or "0"

    @strawberry.field
    def paid_principal(self) -> str:
        return money(self._m.paid_principal, self._currency) or "0"

    @strawberry.field
    def paid_interest(self) -> str:
        return money(self._m.paid_interest, self._currency) or "0"

    @strawberry.field
    def outstanding(self) -> str:
        return money(Decimal(self._m.amount) - _paid(self._m), self._currency) or "0"

    @strawberry.field
    def status(self) -> InstallmentStatusEnum:
        return InstallmentStatus(self._m.status)

    @strawberry.field(description="Date (debtor's local) of the payment that completed it.")
    def paid_on(self) -> date | None:
        return self._m.paid_on

    @strawberry.field(description="True: paid in full by due date + grace; false: broken or paid late.")
    def kept(self) -> bool | None:
        return self._m.kept

    @strawberry.field(description="The promise of payment this installment created on the debtor.")
    def promise_id(self) -> strawberry.ID | None:
        return strawberry.ID(self._m.promise_id) if self._m.promise_id else None


def _paid(row: InstallmentRow) -> Decimal:
    return Decimal(row.paid_principal) + Decimal(row.paid_interest)


@strawberry.type(description="A formal payment agreement with its schedule.")
class Agreement:
    _m: strawberry.Private[AgreementRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self._m.id)

    @strawberry.field
    def debtor_id(self) -> strawberry.ID:
        return strawberry.ID(self._m.debtor_id)

    @strawberry.field
    def status(self) -> AgreementStatusEnum:
        return AgreementStatus(self._m.status)

    @strawberry.field
    def kind(self) -> AgreementKind:
        return PlanKind(self._m.kind)

    @strawberry.field
    def currency(self) -> str:
        return self._m.currency

    @strawberry.field
    def account_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self._m.account_ids or []]

    @strawberry.field
    def frequency(self) -> PaymentFrequency | None:
        return Frequency(self._m.frequency) if self._m.frequency else None

    @strawberry.field
    def first_payment_date(self) -> date:
        return self._m.first_payment_date

    @strawberry.field
    def down_payment(self) -> str | None:
        return _money(self._m.down_payment, self._m.currency)

    @strawberry.field(description="Number of installments, the down payment not counted.")
    def installment_count(self) -> int:
        return self._m.installment_count

    @strawberry.field
    def settlement_amount(self) -> str | None:
        return _money(self._m.settlement_amount, self._m.currency)

    @strawberry.field(description="The amount the debtor named, when the plan was built from it.")
    def installment_amount(self) -> str | None:
        return _money(self._m.named_amount, self._m.currency)

    @strawberry.field
    def balance(self) -> str:
        return money(self._m.balance, self._m.currency) or "0"

    @strawberry.field
    def total_to_pay(self) -> str:
        return money(self._m.total_to_pay, self._m.currency) or "0"

    @strawberry.field
    def total_interest(self) -> str:
        return money(self._m.total_interest, self._m.currency) or "0"

    @strawberry.field
    def discount_amount(self) -> str:
        return money(self._m.discount_amount, self._m.currency) or "0"

    @strawberry.field
    def discount_percent(self) -> str:
        return self._m.discount_percent

    @strawberry.field
    def requires_approval(self) -> bool:
        return self._m.requires_approval

    @strawberry.field
    def approval_role(self) -> Role | None:
        return DomainRole(self._m.approval_role) if self._m.approval_role else None

    @strawberry.field
    def policy_version(self) -> str:
        return self._m.policy_version

    @strawberry.field
    def policy_revision(self) -> int | None:
        return self._m.policy_revision

    @strawberry.field
    def jurisdiction(self) -> str:
        return self._m.jurisdiction

    @strawberry.field(description="Agent id or API key id of whoever made it.")
    def created_by(self) -> str | None:
        return self._m.created_by

    @strawberry.field
    def created_by_role(self) -> Role:
        return DomainRole(self._m.created_by_role)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._m.created_at

    @strawberry.field
    def decided_by(self) -> str | None:
        return self._m.decided_by

    @strawberry.field
    def decided_by_role(self) -> Role | None:
        return DomainRole(self._m.decided_by_role) if self._m.decided_by_role else None

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self._m.decided_at

    @strawberry.field(description="The approver's note or the rejection reason.")
    def decision_note(self) -> str | None:
        return self._m.decision_note

    @strawberry.field
    def status_changed_at(self) -> datetime:
        return self._m.status_changed_at

    @strawberry.field
    async def installments(self, info: Info) -> list[AgreementInstallment]:
        found = await installments_loader(info).load(self._m.id)
        return [AgreementInstallment(_m=r, _currency=self._m.currency) for r in found]

    @strawberry.field(description="Paid so far across installments.")
    async def paid(self, info: Info) -> str:
        found = await installments_loader(info).load(self._m.id)
        return money(sum((_paid(r) for r in found), Decimal(0)), self._m.currency) or "0"

    @strawberry.field
    async def outstanding(self, info: Info) -> str:
        found = await installments_loader(info).load(self._m.id)
        total = sum((Decimal(r.amount) - _paid(r) for r in found), Decimal(0))
        return money(total, self._m.currency) or "0"


@strawberry.type(description="A tenant agreement policy (or a shipped default) and its revision.")
class AgreementPolicyInfo:
    id: strawberry.ID | None
    currency: str
    product: str | None
    segment: str | None
    version: str
    revision: int | None
    source: PolicySource
    active: bool
    document: JSON
    created_at: datetime | None
    created_by: str | None


def policy_info(record: AgreementPolicyRecord) -> AgreementPolicyInfo:
    return AgreementPolicyInfo(
        id=strawberry.ID(record.id),
        currency=record.currency,
        product=record.scope_product,
        segment=record.scope_segment,
        version=record.version,
        revision=record.revision,
        source=PolicySource.TENANT,
        active=record.active,
        document=record.document,
        created_at=record.created_at,
        created_by=record.created_by,
    )


@strawberry.type(description="Tenant settings of the agreement lifecycle.")
class AgreementSettingsInfo:
    grace_days: int = strawberry.field(
        description="Days after a due date before an unpaid installment (and its promise) is BROKEN."
    )
    allocation_order: list[PaymentComponent] = strawberry.field(
        description="Order in which a payment covers an installment's components."
    )


def settings_info(s: AgreementSettings) -> AgreementSettingsInfo:
    return AgreementSettingsInfo(
        grace_days=s.grace_days, allocation_order=[Component(c) for c in s.allocation_order]
    )
