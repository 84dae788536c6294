"""Payments against an agreement: allocation to installments and installment statuses (pure; the API
layer persists the result).

Allocation: a payment goes to the OLDEST unpaid installment first (by due date, then number); inside an
installment, to its components in the configured order (default fees, then interest, then principal).
What is left after every installment is paid is `unapplied` (a credit the caller decides what to do with).

Statuses, for each installment given the payments made up to `today` (later-dated payments are ignored):
- PAID: paid in full; `kept` is True when fully paid by due date + grace days, False when later.
- PENDING: not due yet (today <= due date), nothing paid.
- PARTIAL: not due yet, part paid.
- LATE: past due but within the grace days, not paid in full (part may be paid).
- BROKEN: not paid in full by due date + grace days (`kept` False).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from asistente.agreements.model import Installment
from asistente.errors import BadInput

ZERO = Decimal(0)


class Component(StrEnum):
    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_ORDER: tuple[str, ...] = ("fees", "interest", "principal")


class InstallmentStatus(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    PARTIAL = "PARTIAL"
    LATE = "LATE"
    BROKEN = "BROKEN"


@dataclass(frozen=True)
class InstallmentState:
    """What is still owed on one installment, by component."""

    number: int
    due_date: date
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO

    @classmethod
    def from_installment(cls, row: Installment, fees: Decimal = ZERO) -> InstallmentState:
        return cls(
            number=row.number,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            fees=fees,
        )

    @property
    def outstanding(self) -> Decimal:
        return self.principal + self.interest + self.fees

    def owed(self, component: Component) -> Decimal:
        value: Decimal = getattr(self, component.value)
        return value


@dataclass(frozen=True)
class AllocationLine:
    number: int
    component: Component
    amount: Decimal


@dataclass(frozen=True)
class PaymentAllocation:
    lines: list[AllocationLine]
    unapplied: Decimal
    remaining: list[InstallmentState]

    def applied_to(self, number: int) -> Decimal:
        return sum((line.amount for line in self.lines if line.number == number), ZERO)


def _order(order: Sequence[str]) -> tuple[Component, ...]:
    try:
        components = tuple(Component(str(c).lower()) for c in order)
    except ValueError:
        raise BadInput(f"order: components are fees, interest and principal (got {list(order)!r})") from None
    if sorted(components) != sorted(Component):
        raise BadInput(f"order: name each of fees, interest and principal exactly once (got {list(order)!r})")
    return components


def _check_amount(amount: object, field: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise BadInput(f"{field}: amount must be a Decimal greater than zero (got {amount!r})")
    return amount


def allocate_payment(
    amount: Decimal,
    installments_state: Sequence[InstallmentState],
    order: Sequence[str] = DEFAULT_ORDER,
) -> PaymentAllocation:
    """Split `amount` over the installments (oldest first), each by component in `order`."""
    left = _check_amount(amount, "amount")
    components = _order(order)
    lines: list[AllocationLine] = []
    remaining: dict[int, InstallmentState] = {s.number: s for s in installments_state}
    if len(remaining) != len(installments_state):
        raise BadInput("installments_state: installment numbers must be unique")
    for state in sorted(installments_state, key=lambda s: (s.due_date, s.number)):
        current = remaining[state.number]
        for component in components:
            if left <= 0:
                break
            owed = current.owed(component)
            if owed < 0:
                raise BadInput(
                    f"installments_state: installment {state.number} owes a negative {component.value}"
                )
            paid = min(owed, left)
            if paid > 0:
                lines.append(AllocationLine(state.number, component, paid))
                current = replace(current, **{component.value: owed - paid})
                left -= paid
        remaining[state.number] = current
    ordered = [remaining[s.number] for s in installments_state]
    return PaymentAllocation(lines=lines, unapplied=left, remaining=ordered)


@dataclass(frozen=True)
class PaymentEvent:
    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class InstallmentStatusRow:
    number: int
    due_date: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    status: InstallmentStatus
    paid_on: date | None
    kept: bool | None


def installment_statuses(
    schedule: Sequence[Installment],
    payments: Sequence[PaymentEvent],
    today: date,
    grace_days: int = 0,
) -> list[InstallmentStatusRow]:
    """Status of each installment on `today` (see the module rules). Payments are applied in date order,
    each to the oldest installments first, so the result does not depend on the order given."""
    if isinstance(grace_days, bool) or not isinstance(grace_days, int) or grace_days < 0:
        raise BadInput("grace_days: must be a whole number, zero or more")
    for payment in payments:
        _check_amount(payment.amount, "payments.amount")
    rows = sorted(schedule, key=lambda r: (r.due_date, r.number))
    paid = dict.fromkeys((r.number for r in rows), ZERO)
    paid_on: dict[int, date] = {}
    for payment in sorted((p for p in payments if p.paid_on <= today), key=lambda p: p.paid_on):
        left = payment.amount
        for row in rows:
            if left <= 0:
                break
            due = row.amount - paid[row.number]
            if due <= 0:
                continue
            applied = min(due, left)
            paid[row.number] += applied
            left -= applied
            if paid[row.number] >= row.amount:
                paid_on[row.number] = payment.paid_on
    out: list[InstallmentStatusRow] = []
    for row in sorted(schedule, key=lambda r: r.number):
        deadline = row.due_date + timedelta(days=grace_days)
        done = paid[row.number] >= row.amount
        kept: bool | None = None
        if done:
            status = InstallmentStatus.PAID
            kept = paid_on[row.number] <= deadline
        elif today <= row.due_date:
            status = InstallmentStatus.PARTIAL if paid[row.number] > 0 else InstallmentStatus.PENDING
        elif today <= deadline:
            status = InstallmentStatus.LATE
        else:
            status = InstallmentStatus.BROKEN
            kept = False
        out.append(
            InstallmentStatusRow(
                number=row.number,
                due_date=row.due_date,
                amount=row.amount,
                paid=paid[row.number],
                outstanding=row.amount - paid[row.number],
                status=status,
                paid_on=paid_on.get(row.number),
                kept=kept,
            )
        )
    return out


def agreement_broken(statuses: Sequence[InstallmentStatusRow]) -> bool:
    """An agreement is broken as soon as one installment is BROKEN."""
    return any(s.status is InstallmentStatus.BROKEN for s in statuses)
