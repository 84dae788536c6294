"""Agreement root fields: validateAgreement (ledgered), the agreement lifecycle and tenant policies.

Each resolver authenticates, loads, calls one use case of `asistente.agreements.usecases` (authority tiers:
`asistente.agreements.authority`), records the ledger event and shapes the answer.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente.agreements import AgreementProposal, Frequency, PlanKind, usecases
from asistente.agreements.authority import acting_role as _acting_role
from asistente.agreements.repository import PolicyReader
from asistente.agreements.store import AgreementStatus, Evaluation, summary
from asistente.api.agreements.types import (
    Agreement,
    AgreementKind,
    AgreementPolicyInfo,
    AgreementSettingsInfo,
    AgreementStatusEnum,
    AgreementValidation,
    PaymentComponent,
    PaymentFrequency,
    PolicySource,
    policy_info,
    settings_info,
    store,
    validation,
    validation_summary,
)
from asistente.api.core.permissions import (
    ADMIN,
    AGENT,
    COMPLIANCE,
    INTEGRATOR,
    READERS,
    SUPERVISOR,
    register,
)
from asistente.api.core.scalars import limit_list
from asistente.api.portfolio.live_reads import live_rows
from asistente.enums import Role
from asistente.errors import BadInput, FieldError, NotFound
from asistente.tenants.service import Principal

NEGOTIATORS = frozenset({AGENT, SUPERVISOR, ADMIN})
POLICY_READERS = frozenset({AGENT, SUPERVISOR, COMPLIANCE, ADMIN})
register("Query.validateAgreement", NEGOTIATORS)
register("Query.agreement", READERS)
register("Query.agreementPolicies", POLICY_READERS)
register("Query.agreementSettings", POLICY_READERS)
register("Mutation.createAgreement", NEGOTIATORS)
register("Mutation.approveAgreement", NEGOTIATORS)
register("Mutation.rejectAgreement", NEGOTIATORS)
register("Mutation.setAgreementPolicy", frozenset({ADMIN}))
register("Mutation.setAgreementSettings", frozenset({ADMIN}))
register("Mutation.refreshAgreementStatuses", frozenset({ADMIN, INTEGRATOR}))

MAX_ACCOUNTS = 50
MAX_TEXT = 2000
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def acting_role(p: Principal) -> Role:
    """The authority tier of the caller for agreement decisions (asistente.agreements.authority)."""
    return _acting_role(p.role, p.agent_role)


@strawberry.input(description="A proposed payment plan. Money as decimal strings in the accounts' currency.")
class AgreementInput:
    debtor_id: strawberry.ID
    account_ids: list[strawberry.ID]
    kind: AgreementKind
    first_payment_date: date
    down_payment: str | None = None
    installments: int | None = strawberry.field(
        default=None, description="Number of installments (the down payment not counted)."
    )
    frequency: PaymentFrequency | None = None
    settlement_amount: str | None = strawberry.field(
        default=None, description="SETTLEMENT: the amount agreed below the balance."
    )
    installment_amount: str | None = strawberry.field(
        default=None,
        description='The installment the debtor named ("puedo 500 al mes"): without `installments`, the '
        "plan is installments of this amount until paid.",
    )
    affordability: str | None = strawberry.field(
        default=None, description="What the debtor says they can pay per installment (warning above it)."
    )


MAX_AMOUNT = Decimal("1e15")  # the same cap as money.parse_amount


def _decimal(value: str | None, field: str, errors: list[FieldError]) -> Decimal | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > 40 or not _DECIMAL.match(text):
        errors.append(FieldError(field, f'{value!r} is not a decimal amount such as "500.00"'))
        return None
    amount = Decimal(text)
    if abs(amount) >= MAX_AMOUNT:
        errors.append(FieldError(field, f"{value} is too large (at most {MAX_AMOUNT - 1:,})"))
        return None
    return amount


def to_proposal(input: AgreementInput) -> tuple[AgreementProposal, Decimal | None]:
    limit_list("accountIds", input.account_ids, MAX_ACCOUNTS)
    errors: list[FieldError] = []
    down = _decimal(input.down_payment, "downPayment", errors)
    settlement = _decimal(input.settlement_amount, "settlementAmount", errors)
    named = _decimal(input.installment_amount, "installmentAmount", errors)
    affordability = _decimal(input.affordability, "affordability", errors)
    if errors:
        raise BadInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    proposal = AgreementProposal(
        kind=PlanKind(input.kind),
        account_ids=[str(i) for i in input.account_ids],
        first_payment_date=input.first_payment_date,
        down_payment=down,
        installments=input.installments,
        frequency=Frequency(input.frequency) if input.frequency else None,
        settlement_amount=settlement,
        installment_amount=named,
    )
    return proposal, affordability


async def _load(info: Info, input: AgreementInput) -> dict[str, Any]:
    """The parsed proposal and the debtor's stored facts, as keyword arguments of the use cases."""
    proposal, affordability = to_proposal(input)
    ctx = info.context
    if ctx.reads_only:  # the prepared path: plain rows, one connection (api/portfolio/live_reads.py)
        rows = live_rows(ctx, str(input.debtor_id))
        if rows is None:
            raise NotFound(f"debtor {input.debtor_id} not found")
        debtor, accounts = rows.debtor, rows.accounts
    else:
        loaders = ctx.loaders
        debtor = await loaders.debtor_by_id.load(str(input.debtor_id))
        if debtor is None:
            raise NotFound(f"debtor {input.debtor_id} not found")
        accounts = await loaders.accounts_by_debtor_id.load(debtor.id)
    return {"debtor": debtor, "accounts": accounts, "proposal": proposal, "affordability": affordability}


async def evaluate(info: Info, input: AgreementInput, principal: Principal) -> Evaluation:
    loaded = await _load(info, input)
    ctx = info.context
    # the prepared path reads the policy in force on a connection, without a Session (PolicyReader)
    repo = PolicyReader(ctx.services.reader(), principal.tenant_id) if ctx.reads_only else store(info)
    return usecases.validate_plan(repo, principal=principal, now=ctx.now(), **loaded)


def _load_locked(info: Info, input: AgreementInput) -> dict[str, Any]:
    """`_load` for a resolver that holds the tenant's lock: straight from the repository, never awaiting.
    An await under the lock hands the event loop to other requests of this worker, and one of them that
    waits for the same lock (synchronously, on the loop) then waits for a transaction that can no longer
    finish: every request of the worker stalls until the database's lock wait runs out."""
    proposal, affordability = to_proposal(input)
    repo = info.context.loaders.repo
    debtor = repo.debtors_by_ids([str(input.debtor_id)]).get(str(input.debtor_id))
    if debtor is None:
        raise NotFound(f"debtor {input.debtor_id} not found")
    accounts = repo.accounts_by_debtor_ids([debtor.id]).get(debtor.id, [])
    return {"debtor": debtor, "accounts": accounts, "proposal": proposal, "affordability": affordability}


def _input_record(ev: Evaluation) -> dict[str, Any]:
    return {
        **ev.proposal.to_dict(ev.validation.currency),
        "affordability": str(ev.affordability) if ev.affordability is not None else None,
        "callerRole": ev.caller_role.value,
        "today": ev.today,
        "jurisdiction": ev.jurisdiction,
    }


@strawberry.type
class CreateAgreementPayload:
    agreement: Agreement
    validation: AgreementValidation
    audit_id: strawberry.ID


@strawberry.type
class AgreementDecisionPayload:
    agreement: Agreement
    audit_id: strawberry.ID


@strawberry.type
class AgreementStatusChange:
    agreement: Agreement
    before: AgreementStatusEnum
    after: AgreementStatusEnum


@strawberry.type
class RefreshAgreementsPayload:
    evaluated: int = strawberry.field(description="ACTIVE agreements evaluated.")
    changed: list[AgreementStatusChange]


@strawberry.type
class Query:
    @strawberry.field(
        description="Check a proposed plan against the tenant policy, the law and the caller's authority; "
        "returns the schedule, violations, warnings and the closest plan the caller may offer. Recorded in "
        "the audit ledger."
    )
    async def validate_agreement(self, info: Info, input: AgreementInput) -> AgreementValidation:
        p = info.context.require(info)
        ev = await evaluate(info, input, p)
        event = await info.context.record_committed(  # advice whose only write is its record
            "AGREEMENT_VALIDATION",
            debtor_id=ev.debtor.id,
            input=_input_record(ev),
            output=validation_summary(ev.validation),
            versions=ev.policy.versions(),
            now=info.context.now(),
        )
        return validation(ev, event.id)

    @strawberry.field(description="One agreement with its installments.")
    def agreement(self, info: Info, id: strawberry.ID) -> Agreement:
        info.context.require(info)
        return Agreement(_m=store(info).get(str(id)))

    @strawberry.field(
        description="Policies in force for this tenant (and the shipped defaults that apply where the "
        "tenant has no unscoped policy for a currency)."
    )
    def agreement_policies(
        self,
        info: Info,
        currency: str | None = None,
        include_defaults: bool = True,
        include_history: bool = False,
    ) -> list[AgreementPolicyInfo]:
        info.context.require(info)
        entries = usecases.policy_listing(
            store(info), currency=currency, include_defaults=include_defaults, include_history=include_history
        )
        out = []
        for entry in entries:
            if entry.record is not None:
                out.append(policy_info(entry.record))
                continue
            policy = entry.default
            assert policy is not None
            out.append(
                AgreementPolicyInfo(
                    id=None,
                    currency=policy.currency,
                    product=None,
                    segment=None,
                    version=policy.version,
                    revision=None,
                    source=PolicySource.DEFAULT,
                    active=True,
                    document=dict(policy.document),
                    created_at=None,
                    created_by=None,
                )
            )
        return out

    @strawberry.field(description="Grace days and payment allocation order of this tenant.")
    def agreement_settings(self, info: Info) -> AgreementSettingsInfo:
        info.context.require(info)
        return settings_info(store(info).settings())


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Formalise a valid plan: ACTIVE (with a promise per installment) or PENDING_APPROVAL "
        "when its discount needs a higher role. An invalid plan is refused with BAD_INPUT and its "
        "violations (extensions.fields); nothing is stored."
    )
    async def create_agreement(self, info: Info, input: AgreementInput) -> CreateAgreementPayload:
        return await info.context.in_thread(lambda: _create(info, input))

    @strawberry.mutation(
        description="Approve a PENDING_APPROVAL agreement (your tier must reach its approvalRole; not your "
        "own). It becomes ACTIVE and its promises are created."
    )
    async def approve_agreement(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> AgreementDecisionPayload:
        return await info.context.in_thread(lambda: _decide(info, str(id), approve=True, note=note))

    @strawberry.mutation(description="Reject a PENDING_APPROVAL agreement, with the reason.")
    async def reject_agreement(self, info: Info, id: strawberry.ID, reason: str) -> AgreementDecisionPayload:
        return await info.context.in_thread(
            lambda: _decide(info, str(id), approve=False, note=reason.strip())
        )

    @strawberry.mutation(
        description="Set a policy (JSON, schema/agreement-policy.schema.json) for a currency and optional "
        "product/segment scope, replacing the one with the same key as a new revision. Errors name the JSON "
        "path (extensions.fields); nothing is stored on error."
    )
    def set_agreement_policy(self, info: Info, policy: JSON) -> AgreementPolicyInfo:
        p = info.context.require(info)
        now = info.context.now()
        session = info.context.session
        record = store(info).set_policy(policy, actor_id=p.actor_id, now=now)
        info.context.record(
            "POLICY_CHANGE",
            input={"agreementPolicy": record.document},
            output={"stored": True, "scopeKey": record.scope_key, "revision": record.revision},
            versions={"policy": record.version, "policyRevision": record.revision},
            now=now,
        )
        session.commit()
        return policy_info(record)

    @strawberry.mutation(description="Set the grace days and/or the payment allocation order (ADMIN).")
    def set_agreement_settings(
        self,
        info: Info,
        grace_days: int | None = None,
        allocation_order: list[PaymentComponent] | None = None,
    ) -> AgreementSettingsInfo:
        info.context.require(info)
        now = info.context.now()
        session = info.context.session
        value = store(info).set_settings(
            grace_days=grace_days,
            allocation_order=[str(c.value) for c in allocation_order]
            if allocation_order is not None
            else None,
        )
        info.context.record(
            "POLICY_CHANGE",
            input={
                "agreementSettings": {
                    "graceDays": grace_days,
                    "allocationOrder": allocation_order and [str(c.value) for c in allocation_order],
                }
            },
            output={"stored": True, "settings": value.to_dict()},
            versions={},
            now=now,
        )
        session.commit()
        return settings_info(value)

    @strawberry.mutation(
        description="Re-evaluate ACTIVE agreements at the service clock (one debtor, or the whole tenant): "
        "installments unpaid past due date + grace days become BROKEN, with their promises and agreement. "
        "Payments re-evaluate their agreement on their own; run this daily for the rest."
    )
    def refresh_agreement_statuses(
        self, info: Info, debtor_id: strawberry.ID | None = None
    ) -> RefreshAgreementsPayload:
        info.context.require(info)
        info.context.lock_tenant()
        now = info.context.now()
        evaluated, changes = usecases.refresh_plans(
            store(info),
            info.context.loaders.repo,
            debtor_id=str(debtor_id) if debtor_id is not None else None,
            now=now,
        )
        for c in changes:  # every status the service changed on its own is a recorded decision
            info.context.record(
                "AGREEMENT_DECISION",
                debtor_id=c.agreement.debtor_id,
                input={"action": "STATUS_CHANGE", "agreementId": c.agreement.id, "trigger": "refresh"},
                output={"before": c.before, "after": c.after, **summary(c.agreement)},
                versions={
                    "policy": c.agreement.policy_version,
                    "policyRevision": c.agreement.policy_revision,
                },
                now=now,
            )
        info.context.session.commit()
        return RefreshAgreementsPayload(
            evaluated=evaluated,
            changed=[
                AgreementStatusChange(
                    agreement=Agreement(_m=c.agreement),
                    before=AgreementStatus(c.before),
                    after=AgreementStatus(c.after),
                )
                for c in changes
            ],
        )


def _create(info: Info, input: AgreementInput) -> CreateAgreementPayload:
    p = info.context.require(info)
    info.context.lock_tenant()  # the "account already under agreement" check must not race
    loaded = _load_locked(info, input)  # no await from here to the commit
    now = info.context.now()
    session = info.context.session
    ev, agreement = usecases.create_plan(
        store(info), info.context.loaders.repo, principal=p, now=now, **loaded
    )
    event = info.context.record(
        "AGREEMENT_DECISION",
        debtor_id=ev.debtor.id,
        input={"action": "CREATE", **_input_record(ev)},
        output={**summary(agreement), "validation": validation_summary(ev.validation)},
        versions=ev.policy.versions(),
        now=now,
    )
    session.commit()
    return CreateAgreementPayload(
        agreement=Agreement(_m=agreement),
        validation=validation(ev, None),
        audit_id=strawberry.ID(event.id),
    )


def _decide(info: Info, agreement_id: str, *, approve: bool, note: str | None) -> AgreementDecisionPayload:
    p = info.context.require(info)
    info.context.lock_tenant()  # exactly one decision wins
    now = info.context.now()
    session = info.context.session
    agreement, role = usecases.decide_plan(
        store(info), info.context.loaders.repo, agreement_id, principal=p, approve=approve, note=note, now=now
    )
    event = info.context.record(
        "AGREEMENT_DECISION",
        debtor_id=agreement.debtor_id,
        input={
            "action": "APPROVE" if approve else "REJECT",
            "agreementId": agreement.id,
            "note": note,
            "actingRole": role.value,
        },
        output=summary(agreement),
        versions={"policy": agreement.policy_version, "policyRevision": agreement.policy_revision},
        now=now,
    )
    session.commit()
    return AgreementDecisionPayload(agreement=Agreement(_m=agreement), audit_id=strawberry.ID(event.id))


__all__ = ["AgreementInput", "Mutation", "Query"]
