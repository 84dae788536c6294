"""Counter-offers: the closest plan the caller may offer on their own.

Starting from the proposal, each problem is repaired with the smallest change, then the result is
validated again with the same rules; only a plan that is valid AND needs no approval for the caller is
returned (up to three repair rounds, else None):

- accounts: drop accounts in litigation, disputed accounts (when the policy blocks them) and accounts not
  in the policy's currency; a settlement amount and down payment are scaled to the balance kept (same
  discount percentage);
- settlement: at most the balance; at least the amount that keeps the discount within the caller's
  authority (the largest discount this caller may give);
- frequency: MONTHLY if allowed, else the first allowed;
- down payment: raised to the policy minimum; if that leaves nothing to finance, a single payment;
- named amount ("puedo 500 al mes"): raised to the minimum installment if below it; then the fewest
  installments of that amount (last = remainder) if they fit within maxInstallments; otherwise a level plan
  over the largest allowed number of installments, and `gap` says how much more per installment that is;
- number of installments: at most maxInstallments, then fewer until the regular installment reaches
  minInstallmentAmount;
- first payment: if in the past, the earliest date from today (whose adjusted due date is not in the past);
  if too late, the latest allowed date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, localcontext

from asistente.agreements.calculator import (
    HUNDRED,
    ZERO,
    ceil_money,
    installments_needed,
    level_payment,
)
from asistente.agreements.dates import adjust
from asistente.agreements.model import (
    AccountFacts,
    AgreementProposal,
    AgreementValidation,
    DisputedAccountsRule,
    Frequency,
    PlanKind,
)
from asistente.agreements.rules import (
    Context,
    collectible,
    evaluate,
    in_installments,
    min_down_payment,
    money,
    plan_rate,
)
from asistente.errors import BadInput

_ROUNDS = 3
_DATE_SEARCH_DAYS = 31


@dataclass(frozen=True)
class CounterOffer:
    proposal: AgreementProposal
    validation: AgreementValidation
    notes: list[str]
    gap: Decimal | None


def _note(es: str, en: str) -> str:
    return f"{es} / {en}"


def propose_counter_offer(
    proposal: AgreementProposal, accounts: Sequence[AccountFacts], ctx: Context
) -> CounterOffer | None:
    """The closest valid, approval-free plan for the caller, or None when no such plan exists."""
    by_id = {a.id: a for a in accounts}
    candidate: AgreementProposal | None = proposal
    notes: list[str] = []
    gap: Decimal | None = None
    for _ in range(_ROUNDS):
        if candidate is None:
            return None
        candidate, round_notes, round_gap = _repair(candidate, by_id, ctx)
        if candidate is None:
            return None
        notes.extend(n for n in round_notes if n not in notes)
        gap = round_gap if round_gap is not None else gap
        try:
            result = evaluate(candidate, [by_id[i] for i in candidate.account_ids], ctx)
        except BadInput:
            return None
        if result.valid and not result.requires_approval:
            if gap is not None and candidate.installments is not None and result.schedule:
                regular = next(row for row in result.schedule if row.number >= 1).amount
                named = proposal.installment_amount or ZERO
                gap = regular - named if regular > named else None
            return CounterOffer(candidate, result, notes, gap)
    return None


def _scale(amount: Decimal | None, kept: Decimal, before: Decimal, currency: str) -> Decimal | None:
    if amount is None or kept == before or before <= 0:
        return amount
    with localcontext() as c:
        c.prec = 50
        return ceil_money(amount * kept / before, currency)


def _repair(
    p: AgreementProposal, by_id: dict[str, AccountFacts], ctx: Context
) -> tuple[AgreementProposal | None, list[str], Decimal | None]:
    policy = ctx.policy
    currency = policy.currency
    notes: list[str] = []
    gap: Decimal | None = None
    selected = [by_id[i] for i in p.account_ids]
    block_disputed = policy.disputed_accounts is DisputedAccountsRule.BLOCK
    keep = [
        a
        for a in selected
        if a.currency == currency and not a.in_litigation and not (a.disputed and block_disputed)
    ]
    if not keep:
        return None, notes, None
    if len(keep) < len(selected):
        left_out = ", ".join(a.id for a in selected if a not in keep)
        notes.append(
            _note(
                f"Se excluyen las cuentas {left_out} (en litigio, en disputa o en otra moneda)",
                f"Accounts {left_out} are left out (in litigation, disputed or in another currency)",
            )
        )
    same_currency = [a for a in selected if a.currency == currency]
    before = sum(collectible(same_currency, ctx, currency)[0].values(), ZERO)
    kept = sum(collectible(keep, ctx, currency)[0].values(), ZERO)
    q = replace(p, account_ids=[a.id for a in keep])

    to_pay = kept
    if q.kind is PlanKind.SETTLEMENT:
        amount = _scale(q.settlement_amount, kept, before, currency) or kept
        if amount > kept:
            amount = kept
            notes.append(
                _note(
                    f"El monto del acuerdo se ajusta al saldo ({money(kept, currency)})",
                    f"The settlement amount is lowered to the balance ({money(kept, currency)})",
                )
            )
        authority = policy.authority(ctx.caller_role)
        with localcontext() as c:
            c.prec = 50
            floor = ceil_money(kept * (HUNDRED - authority) / HUNDRED, currency)
        if amount < floor:
            amount = floor
            notes.append(
                _note(
                    f"Descuento máximo que usted puede otorgar: {authority}%; monto mínimo del acuerdo "
                    f"{money(floor, currency)}",
                    f"The largest discount you may give is {authority}%; smallest settlement "
                    f"{money(floor, currency)}",
                )
            )
        q = replace(q, settlement_amount=amount)
        to_pay = amount

    if in_installments(q):
        q, more, gap = _repair_installments(q, to_pay, _scale(q.down_payment, kept, before, currency), ctx)
        notes.extend(more)

    first = _repair_first_date(q.first_payment_date, ctx)
    if first is None:
        return None, notes, gap
    if first != q.first_payment_date:
        notes.append(
            _note(
                f"Primer pago el {first.isoformat()}",
                f"First payment on {first.isoformat()}",
            )
        )
        q = replace(q, first_payment_date=first)
    return q, notes, gap


def _repair_installments(
    q: AgreementProposal, to_pay: Decimal, down: Decimal | None, ctx: Context
) -> tuple[AgreementProposal, list[str], Decimal | None]:
    policy = ctx.policy
    currency = policy.currency
    notes: list[str] = []
    gap: Decimal | None = None
    frequency = q.frequency
    if frequency not in policy.allowed_frequencies:
        frequency = (
            Frequency.MONTHLY
            if Frequency.MONTHLY in policy.allowed_frequencies
            else sorted(policy.allowed_frequencies)[0]
        )
        notes.append(_note(f"Frecuencia {frequency.value}", f"Frequency {frequency.value}"))
        q = replace(q, frequency=frequency)
    if policy.min_down_payment_percent > 0:
        needed = min_down_payment(to_pay, policy, currency)
        if (down or ZERO) < needed:
            down = needed
            notes.append(
                _note(
                    f"Pago inicial de {money(needed, currency)} ({policy.min_down_payment_percent}%)",
                    f"Down payment of {money(needed, currency)} ({policy.min_down_payment_percent}%)",
                )
            )
    if down is not None and down >= to_pay:
        notes.append(_note("Pago único", "Single payment"))
        if q.kind is PlanKind.SETTLEMENT:
            return replace(q, installments=None, installment_amount=None, down_payment=None), notes, None
        return (
            replace(
                q, kind=PlanKind.SINGLE_PAYMENT, installments=None, installment_amount=None, down_payment=None
            ),
            notes,
            None,
        )
    q = replace(q, down_payment=down)
    financed = to_pay - (down or ZERO)
    rate = plan_rate(q, policy)
    minimum = policy.min_installment_amount
    if q.installments is None and q.installment_amount is not None:
        named = q.installment_amount
        amount = max(named, minimum)
        if amount != named:
            notes.append(
                _note(
                    f"La cuota mínima es {money(minimum, currency)}",
                    f"The smallest installment is {money(minimum, currency)}",
                )
            )
        count = installments_needed(financed, currency, amount, rate, policy.max_installments)
        if count is not None:
            return replace(q, installment_amount=amount), notes, None
        n = _fit_level(financed, currency, policy.max_installments, rate, ctx)
        payment = level_payment(financed, currency, n, rate, policy.installment_rounding)
        gap = payment - named if payment > named else None
        notes.append(
            _note(
                f"Con cuotas de {money(named, currency)} se necesitarían más de {policy.max_installments} cuotas; "
                f"se proponen {n} cuotas de {money(payment, currency)}",
                f"Installments of {money(named, currency)} would need more than {policy.max_installments}; "
                f"proposed {n} installments of {money(payment, currency)}",
            )
        )
        return replace(q, installments=n, installment_amount=None), notes, gap
    wanted = q.installments or 1
    n = _fit_level(financed, currency, min(wanted, policy.max_installments), rate, ctx)
    if n != wanted:
        payment = level_payment(financed, currency, n, rate, policy.installment_rounding)
        notes.append(
            _note(
                f"Se proponen {n} cuotas de {money(payment, currency)}",
                f"Proposed {n} installments of {money(payment, currency)}",
            )
        )
    return replace(q, installments=n), notes, None


def _fit_level(financed: Decimal, currency: str, start: int, rate: Decimal, ctx: Context) -> int:
    """The most installments (from `start` down) whose regular installment reaches the minimum."""
    policy = ctx.policy
    for n in range(max(start, 1), 1, -1):
        if (
            level_payment(financed, currency, n, rate, policy.installment_rounding)
            >= policy.min_installment_amount
        ):
            return n
    return 1


def _repair_first_date(first: date, ctx: Context) -> date | None:
    convention, cal, today = ctx.policy.business_day_convention, ctx.calendar, ctx.today
    latest = ctx.latest_first_payment
    if first < today or adjust(first, convention, cal) < today:
        for k in range(_DATE_SEARCH_DAYS):
            candidate = today + timedelta(days=k)
            if candidate > latest:
                return None
            if adjust(candidate, convention, cal) >= today:
                return candidate
        return None
    if first > latest:
        return latest if adjust(latest, convention, cal) >= today else None
    return first
