"""The agreement workflows: formalise an evaluated plan, approve or reject it, apply a payment, and
re-evaluate statuses at a given instant.

Promises: one `portfolio.models.Promise` per installment (the down payment included), created when the
agreement becomes ACTIVE (a plan awaiting approval promises nothing yet). An installment paid in full by its
due date plus the grace days marks its promise KEPT; one not paid by then (or paid later) marks it BROKEN;
when the agreement breaks, the promises of installments not yet due are CANCELLED. Broken promises feed
the debtor's segment (portfolio.segmentation).

Time: statuses are evaluated on the debtor's local date derived from the `now` the caller passes (the
service clock), never from the wall clock. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from asistente.agreements.allocation import (
    Component,
    InstallmentState,
    InstallmentStatus,
    PaymentEvent,
    agreement_broken,
    allocate_payment,
    installment_statuses,
)
from asistente.agreements.authority import require_decision_authority
from asistente.agreements.evaluation import Evaluation, local_today
from asistente.agreements.model import Installment
from asistente.agreements.models import (
    ZERO,
    Agreement,
    AgreementInstallment,
    AgreementPayment,
    AgreementStatus,
)
from asistente.agreements.repository import AgreementRepository
from asistente.enums import PromiseStatus, Role
from asistente.errors import BadInput, FieldError
from asistente.ids import new_id
from asistente.money import format_amount
from asistente.portfolio.models import Debtor, Payment, Promise

MAX_NOTE = 2000


@dataclass(frozen=True)
class StatusChange:
    agreement: Agreement
    before: str
    after: str


def _installment(row: AgreementInstallment) -> Installment:
    return Installment(
        number=row.number,
        due_date=row.due_date,
        amount=Decimal(row.amount),
        principal=Decimal(row.principal),
        interest=Decimal(row.interest),
    )


def create(
    repo: AgreementRepository, evaluation: Evaluation, *, actor_id: str | None, now: datetime
) -> Agreement:
    """Formalise a valid evaluation: ACTIVE (with its promises) or PENDING_APPROVAL. An invalid plan,
    or accounts already under an open agreement, raise BadInput and store nothing."""
    v = evaluation.validation
    if not v.valid:
        raise BadInput(
            "the plan breaks the policy: "
            + "; ".join(f"{i.rule_id}: {i.message}" for i in v.violations)
            + (" (see validateAgreement's counterOffer)" if v.counter_offer else ""),
            [FieldError(i.field or "input", f"{i.rule_id}: {i.message}", str(i.code)) for i in v.violations],
        )
    if not v.schedule or v.currency is None:
        raise BadInput("the plan has no schedule")
    p = evaluation.proposal
    taken = repo.open_agreements_on(evaluation.debtor.id, p.account_ids)
    if taken:
        raise BadInput(
            f"account already under agreement {taken[0].id} ({taken[0].status}): "
            "settle, reject or let it end before making another",
            [FieldError("accountIds", f"already under agreement {a.id}") for a in taken],
        )
    status = AgreementStatus.PENDING_APPROVAL if v.requires_approval else AgreementStatus.ACTIVE
    agreement = Agreement(
        id=new_id(),
        tenant_id=repo.tenant_id,
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
    repo.session.add(agreement)
    repo.session.flush()
    for row in v.schedule:
        repo.session.add(
            AgreementInstallment(
                tenant_id=repo.tenant_id,
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
    repo.session.flush()
    if status is AgreementStatus.ACTIVE:
        _promise(repo, agreement, now)
    return agreement


def decide(
    repo: AgreementRepository,
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
    agreement = repo.get(agreement_id)
    # Who may decide comes first: a caller without the authority hears FORBIDDEN, not what was wrong
    # with the request.
    require_decision_authority(
        acting_role, approval_role=agreement.approval_role, actor_id=actor_id, created_by=agreement.created_by
    )
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
    debtor = repo.session.get(Debtor, agreement.debtor_id)
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
    repo.session.flush()
    if approve:
        _promise(repo, agreement, now)
    return agreement


def _promise(repo: AgreementRepository, agreement: Agreement, now: datetime) -> None:
    rows = repo.installments_by_agreement_ids([agreement.id]).get(agreement.id, [])
    account_id = (agreement.account_ids or [None])[0]
    promises = [
        Promise(
            id=new_id(),
            tenant_id=repo.tenant_id,
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
    repo.session.add_all(promises)
    repo.session.flush()  # no ORM relationship orders these writes: the promises must exist first
    for row, promise in zip(rows, promises, strict=True):
        row.promise_id = promise.id
    repo.session.flush()


def apply_payment(repo: AgreementRepository, payment: Payment, *, now: datetime) -> Agreement | None:
    """Apply a newly recorded payment to the ACTIVE agreement covering its account (if any), then
    re-evaluate that agreement's statuses. Returns the agreement, or None when none applies."""
    candidates = [
        a
        for a in repo.open_agreements_on(payment.debtor_id, [payment.account_id])
        if a.status == AgreementStatus.ACTIVE.value
    ]
    if not candidates:
        return None
    agreement = min(candidates, key=lambda a: (a.created_at, a.id))
    debtor = repo.session.get(Debtor, agreement.debtor_id)
    assert debtor is not None and debtor.tenant_id == repo.tenant_id
    rows = repo.installments_by_agreement_ids([agreement.id])[agreement.id]
    states = [
        InstallmentState(
            number=r.number,
            due_date=r.due_date,
            principal=Decimal(r.principal) - Decimal(r.paid_principal),
            interest=Decimal(r.interest) - Decimal(r.paid_interest),
        )
        for r in rows
    ]
    settings = repo.settings()
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
        repo.session.add(
            AgreementPayment(
                tenant_id=repo.tenant_id,
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
        repo.session.flush()
    _evaluate(repo, agreement, debtor, rows, now=now, grace_days=settings.grace_days)
    return agreement


def refresh(
    repo: AgreementRepository, *, debtor_id: str | None = None, now: datetime
) -> tuple[int, list[StatusChange]]:
    """Re-evaluate ACTIVE agreements (of one debtor, or the whole tenant) at `now`: installments past
    due plus grace become BROKEN and break their agreement. Returns (evaluated, changes)."""
    q = select(Agreement).where(
        Agreement.tenant_id == repo.tenant_id, Agreement.status == AgreementStatus.ACTIVE.value
    )
    if debtor_id is not None:
        q = q.where(Agreement.debtor_id == debtor_id)
    agreements = list(repo.session.scalars(q.order_by(Agreement.created_at, Agreement.id)))
    if not agreements:
        return 0, []
    debtors = {
        d.id: d
        for d in repo.session.scalars(
            select(Debtor).where(
                Debtor.tenant_id == repo.tenant_id, Debtor.id.in_({a.debtor_id for a in agreements})
            )
        )
    }
    installments = repo.installments_by_agreement_ids([a.id for a in agreements])
    grace = repo.settings().grace_days
    changes = []
    for agreement in agreements:
        before = agreement.status
        _evaluate(
            repo,
            agreement,
            debtors[agreement.debtor_id],
            installments[agreement.id],
            now=now,
            grace_days=grace,
        )
        if agreement.status != before:
            changes.append(StatusChange(agreement, before, agreement.status))
    return len(agreements), changes


def _evaluate(
    repo: AgreementRepository,
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
        PaymentEvent(paid_on=p.paid_on, amount=Decimal(p.amount)) for p in repo.payments_of(agreement.id)
    ]
    today = local_today(debtor, now)
    statuses = installment_statuses([_installment(r) for r in rows], events, today, grace_days)
    by_number = {s.number: s for s in statuses}
    promise_ids = [r.promise_id for r in rows if r.promise_id]
    promises = repo.promises_by_ids(promise_ids)
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
    repo.session.flush()


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
