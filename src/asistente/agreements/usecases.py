"""What each agreement operation does, as one call: the API resolver authenticates, loads, calls one of
these with the service clock's `now`, records the ledger event and shapes the answer.

Each use case takes the tenant-scoped agreement repository (`AgreementRepository`/`AgreementStore`), the
portfolio repository where a debtor's segment follows from the change, the caller (`Principal`) and
plain values. Nothing here commits or reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from asistente.agreements import lifecycle
from asistente.agreements.authority import acting_role
from asistente.agreements.evaluation import Evaluation, evaluate_proposal
from asistente.agreements.lifecycle import StatusChange
from asistente.agreements.model import AgreementProposal
from asistente.agreements.models import Agreement, AgreementPolicyRecord
from asistente.agreements.policy import AgreementPolicy, default_policies
from asistente.agreements.repository import AgreementRepository
from asistente.enums import Role
from asistente.portfolio.models import Account, Debtor, Payment
from asistente.tenants.service import Principal

if TYPE_CHECKING:
    from asistente.portfolio.repository import PortfolioRepository


def validate_plan(
    repo: AgreementRepository,
    *,
    principal: Principal,
    debtor: Debtor,
    accounts: Sequence[Account],
    proposal: AgreementProposal,
    now: datetime,
    affordability: Decimal | None = None,
) -> Evaluation:
    """Check `proposal` for `debtor` with the caller's authority tier (Forbidden without one)."""
    role = acting_role(principal.role, principal.agent_role)
    return evaluate_proposal(
        repo,
        debtor=debtor,
        debtor_accounts=accounts,
        proposal=proposal,
        caller_role=role,
        now=now,
        affordability=affordability,
    )


def create_plan(
    repo: AgreementRepository,
    portfolio: PortfolioRepository,
    *,
    principal: Principal,
    debtor: Debtor,
    accounts: Sequence[Account],
    proposal: AgreementProposal,
    now: datetime,
    affordability: Decimal | None = None,
) -> tuple[Evaluation, Agreement]:
    """Validate and formalise a plan (ACTIVE with its promises, or PENDING_APPROVAL); the debtor's segment
    follows. An invalid plan raises BadInput and stores nothing."""
    evaluation = validate_plan(
        repo,
        principal=principal,
        debtor=debtor,
        accounts=accounts,
        proposal=proposal,
        now=now,
        affordability=affordability,
    )
    agreement = lifecycle.create(repo, evaluation, actor_id=principal.actor_id, now=now)
    portfolio.refresh_segments([debtor.id], now=now)
    return evaluation, agreement


def decide_plan(
    repo: AgreementRepository,
    portfolio: PortfolioRepository,
    agreement_id: str,
    *,
    principal: Principal,
    approve: bool,
    note: str | None,
    now: datetime,
) -> tuple[Agreement, Role]:
    """Approve or reject a plan awaiting approval with the caller's tier; an approved plan is evaluated at
    `now` at once (an installment already late counts). Returns the agreement and the tier it was decided
    with."""
    role = acting_role(principal.role, principal.agent_role)
    agreement = lifecycle.decide(
        repo, agreement_id, approve=approve, actor_id=principal.actor_id, acting_role=role, note=note, now=now
    )
    if approve:
        lifecycle.refresh(repo, debtor_id=agreement.debtor_id, now=now)
    portfolio.refresh_segments([agreement.debtor_id], now=now)
    return agreement, role


def refresh_plans(
    repo: AgreementRepository,
    portfolio: PortfolioRepository,
    *,
    debtor_id: str | None,
    now: datetime,
) -> tuple[int, list[StatusChange]]:
    """Re-evaluate ACTIVE agreements (one debtor, NotFound when unknown, or the whole tenant) at `now`;
    the segments of debtors whose agreements changed follow. Returns (evaluated, changes)."""
    if debtor_id is not None:
        portfolio.get_debtor(debtor_id)
    evaluated, changes = lifecycle.refresh(repo, debtor_id=debtor_id, now=now)
    portfolio.refresh_segments(sorted({c.agreement.debtor_id for c in changes}), now=now)
    return evaluated, changes


@dataclass(frozen=True)
class PolicyEntry:
    """One policy of the listing: a stored tenant revision, or a shipped default (record is None)."""

    record: AgreementPolicyRecord | None
    default: AgreementPolicy | None = None


def policy_listing(
    repo: AgreementRepository,
    *,
    currency: str | None = None,
    include_defaults: bool = True,
    include_history: bool = False,
) -> list[PolicyEntry]:
    """The tenant's policies, then the shipped defaults for currencies the tenant has no active unscoped
    policy for (restricted to `currency` when given)."""
    records = repo.policy_records(currency=currency, include_history=include_history)
    out = [PolicyEntry(record=r) for r in records]
    if include_defaults:
        overridden = {r.currency for r in records if r.active and not r.scope_product and not r.scope_segment}
        for policy in default_policies():
            if policy.currency in overridden or (currency is not None and policy.currency != currency):
                continue
            out.append(PolicyEntry(record=None, default=policy))
    return out


@dataclass(frozen=True)
class PaymentOutcome:
    payment: Payment
    account: Account
    created: bool  # False: the reference was already recorded (nothing changed)
    agreement: Agreement | None  # the ACTIVE agreement the new payment was applied to


def record_payment(
    repo: AgreementRepository,
    portfolio: PortfolioRepository,
    *,
    account_id: str,
    amount: str,
    currency: str,
    paid_at: datetime,
    reference: str | None,
    now: datetime,
) -> PaymentOutcome:
    """Record a payment; a new one goes to the installments of the ACTIVE agreement on its account (if
    any), which marks installments and promises kept or broken; the debtor's segment follows."""
    payment, created = portfolio.record_payment(
        account_id=account_id, amount=amount, currency=currency, paid_at=paid_at, reference=reference, now=now
    )
    account = portfolio.accounts_by_ids([payment.account_id])[payment.account_id]
    agreement = lifecycle.apply_payment(repo, payment, now=now) if created else None
    portfolio.refresh_segments([payment.debtor_id], now=now)
    return PaymentOutcome(payment=payment, account=account, created=created, agreement=agreement)
