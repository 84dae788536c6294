"""Plan calculator: pure functions over Decimal, exact to the currency's minor unit.

Conventions:
- Interest is nominal: a monthly rate r applies per month; WEEKLY periods use r*12/52 and BIWEEKLY
  periods r*12/26 (same nominal annual rate 12r). Periods are treated as equal (no day count); moving a
  due date to a business day does not change amounts.
- Level plans use French amortisation: payment = A*i / (1 - (1+i)^-n), i the periodic rate (A/n when
  i = 0), rounded to the minor unit by the policy's InstallmentRounding (DOWN by default). Each row's
  interest is the outstanding balance times i, rounded half up; principal = payment - interest. The LAST
  row pays the remaining balance plus its interest, so principal sums exactly to the financed amount and
  the rows sum exactly to the total.
- Named-amount plans ("puedo 500 al mes") pay that amount each period until paid; the last row is what
  is left (at most the named amount).
- A down payment is row number 0, principal only, due on the first payment date; installments follow one
  period later each.
- Settlements carry no interest: the agreed amount is what is paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from asistente.agreements.dates import NO_HOLIDAYS, BusinessCalendar, due_dates
from asistente.agreements.model import BusinessDayConvention, Frequency, Installment, InstallmentRounding
from asistente.errors import BadInput
from asistente.money import check_currency, quantum, round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Hard ceiling on rows, whatever the policy says: keeps every computation bounded.
MAX_SCHEDULE_ROWS = 1200

_PERIODS_PER_YEAR = {Frequency.WEEKLY: 52, Frequency.BIWEEKLY: 26, Frequency.MONTHLY: 12}


class ScheduleError(BadInput):
    """The amount cannot be split as asked (e.g. installments smaller than the currency's minor unit)."""


@dataclass(frozen=True)
class Row:
    amount: Decimal
    principal: Decimal
    interest: Decimal


def floor_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_DOWN if amount >= 0 else ROUND_CEILING)


def ceil_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_CEILING)


def periodic_rate(monthly_rate: Decimal, frequency: Frequency | None) -> Decimal:
    """The rate per period for a nominal monthly rate (see the module conventions)."""
    if monthly_rate < 0:
        raise BadInput("monthlyInterestRate: must not be negative")
    if frequency is None or frequency is Frequency.MONTHLY or monthly_rate == 0:
        return monthly_rate
    with localcontext() as ctx:
        ctx.prec = 50
        return monthly_rate * 12 / _PERIODS_PER_YEAR[frequency]


def annuity(financed: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The exact (unrounded) level payment."""
    if periods < 1:
        raise BadInput("installments: must be at least 1")
    with localcontext() as ctx:
        ctx.prec = 50
        if rate == 0:
            return financed / periods
        return financed * rate / (1 - (1 + rate) ** -periods)


def level_payment(
    financed: Decimal,
    currency: str,
    periods: int,
    rate: Decimal = ZERO,
    rounding: InstallmentRounding = InstallmentRounding.DOWN,
) -> Decimal:
    """The regular installment of a level plan, rounded to the currency by `rounding`."""
    exact = annuity(financed, rate, periods)
    mode = ROUND_DOWN if rounding is InstallmentRounding.DOWN else ROUND_HALF_UP
    return exact.quantize(quantum(currency), rounding=mode)


def _rows_with_payment(
    financed: Decimal, currency: str, periods: int, rate: Decimal, payment: Decimal
) -> list[Row]:
    rows: list[Row] = []
    balance = financed
    for _ in range(periods - 1):
        interest = round_money(balance * rate, currency)
        principal = payment - interest
        rows.append(Row(payment, principal, interest))
        balance -= principal
    interest = round_money(balance * rate, currency)
    rows.append(Row(balance + interest, balance, interest))
    return rows


def _sound(rows: Sequence[Row]) -> bool:
    return all(r.amount > 0 and r.principal >= 0 and r.interest >= 0 for r in rows)


def level_rows(
    financed: Decimal,
    currency: str,
    periods: int,
    rate: Decimal = ZERO,
    rounding: InstallmentRounding = InstallmentRounding.DOWN,
) -> list[Row]:
    """Amounts of a level (French) plan; the last row absorbs rounding.

    In degenerate cases where the chosen rounding would give a negative principal or a non-positive last
    row (amounts of a few minor units over many periods), the payment is rounded down, then up, whichever
    first gives a sound schedule; if none does, ScheduleError.
    """
    _check_positive(financed, "amount")
    if periods < 1 or periods > MAX_SCHEDULE_ROWS:
        raise BadInput(f"installments: must be between 1 and {MAX_SCHEDULE_ROWS}")
    exact = annuity(financed, rate, periods)
    q = quantum(currency)
    candidates = [level_payment(financed, currency, periods, rate, rounding)]
    candidates += [exact.quantize(q, rounding=ROUND_DOWN), exact.quantize(q, rounding=ROUND_CEILING)]
    for payment in dict.fromkeys(candidates):
        if payment <= 0 and periods > 1:
            continue
        rows = _rows_with_payment(financed, currency, periods, rate, payment)
        if _sound(rows):
            return rows
    raise ScheduleError(f"cannot split {financed} {currency} into {periods} installments of at least {q}")


def fixed_payment_rows(
    financed: Decimal,
    currency: str,
    payment: Decimal,
    rate: Decimal = ZERO,
    max_rows: int = MAX_SCHEDULE_ROWS,
) -> list[Row] | None:
    """Rows paying `payment` each period until paid (last row = what is left). None when that takes more
    than `max_rows` rows or the payment does not even cover a period's interest."""
    _check_positive(financed, "amount")
    _check_positive(payment, "installmentAmount")
    rows: list[Row] = []
    balance = financed
    while len(rows) < max_rows:
        interest = round_money(balance * rate, currency)
        if balance + interest <= payment:
            rows.append(Row(balance + interest, balance, interest))
            return rows
        principal = payment - interest
        if principal <= 0:
            return None
        rows.append(Row(payment, principal, interest))
        balance -= principal
    return None


def installments_needed(
    financed: Decimal, currency: str, payment: Decimal, rate: Decimal = ZERO, limit: int = MAX_SCHEDULE_ROWS
) -> int | None:
    """How many installments of `payment` pay off `financed` (None: more than `limit`, or never)."""
    rows = fixed_payment_rows(financed, currency, payment, rate, limit)
    return len(rows) if rows is not None else None


def covers_interest(financed: Decimal, currency: str, payment: Decimal, rate: Decimal) -> bool:
    return payment > round_money(financed * rate, currency)


def _check_positive(amount: Decimal, field: str) -> None:
    if not isinstance(amount, Decimal):
        raise BadInput(f"{field}: money must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or amount <= 0:
        raise BadInput(f"{field}: amount must be greater than zero (got {amount})")


def _check_exact(amount: Decimal, currency: str, field: str) -> None:
    _check_positive(amount, field)
    if amount != round_money(amount, currency):
        raise BadInput(f"{field}: {amount} has more decimals than {currency} allows")


def _dated(rows: Sequence[Row], dates: Sequence[date], first_number: int) -> list[Installment]:
    return [
        Installment(
            number=first_number + k, due_date=d, amount=r.amount, principal=r.principal, interest=r.interest
        )
        for k, (r, d) in enumerate(zip(rows, dates, strict=True))
    ]


def single_payment_schedule(
    amount: Decimal,
    currency: str,
    due_date: date,
    *,
    convention: BusinessDayConvention = BusinessDayConvention.NONE,
    calendar: BusinessCalendar = NO_HOLIDAYS,
) -> list[Installment]:
    """One row, number 1, principal only."""
    check_currency(currency)
    _check_exact(amount, currency, "amount")
    zero = round_money(ZERO, currency)
    return _dated([Row(amount, amount, zero)], due_dates(due_date, 1, None, convention, calendar), 1)


def installment_schedule(
    amount: Decimal,
    currency: str,
    *,
    first_payment_date: date,
    frequency: Frequency,
    installments: int | None = None,
    installment_amount: Decimal | None = None,
    down_payment: Decimal | None = None,
    monthly_rate: Decimal = ZERO,
    convention: BusinessDayConvention = BusinessDayConvention.NONE,
    calendar: BusinessCalendar = NO_HOLIDAYS,
    rounding: InstallmentRounding = InstallmentRounding.DOWN,
    max_rows: int = MAX_SCHEDULE_ROWS,
) -> list[Installment]:
    """`amount` (the balance, or an agreed settlement) less `down_payment`, over `installments` level
    installments, or in installments of `installment_amount` when `installments` is None.

    Interest accrues on the financed part (amount - down payment) at the periodic rate of `monthly_rate`.
    Raises BadInput/ScheduleError for impossible input; a named amount that needs more than `max_rows`
    installments raises ScheduleError.
    """
    check_currency(currency)
    _check_exact(amount, currency, "amount")
    if not isinstance(frequency, Frequency):
        raise BadInput("frequency: one of WEEKLY, BIWEEKLY, MONTHLY is required for installments")
    financed = amount
    if down_payment is not None:
        _check_exact(down_payment, currency, "downPayment")
        if down_payment >= amount:
            raise BadInput("downPayment: must be less than the amount to pay")
        financed = amount - down_payment
    rate = periodic_rate(monthly_rate, frequency)
    if installments is not None:
        if isinstance(installments, bool) or not isinstance(installments, int):
            raise BadInput("installments: must be an integer")
        rows = level_rows(financed, currency, installments, rate, rounding)
    elif installment_amount is not None:
        _check_exact(installment_amount, currency, "installmentAmount")
        fixed = fixed_payment_rows(financed, currency, installment_amount, rate, max_rows)
        if fixed is None:
            raise ScheduleError(
                f"installmentAmount: {installment_amount} {currency} per installment does not pay off "
                f"{financed} {currency} within {max_rows} installments"
            )
        rows = fixed
    else:
        raise BadInput("installments: give the number of installments or the installment amount")
    lead = 1 if down_payment is not None else 0
    dates = due_dates(first_payment_date, len(rows) + lead, frequency, convention, calendar)
    schedule: list[Installment] = []
    if down_payment is not None:
        schedule.append(Installment(0, dates[0], down_payment, down_payment, round_money(ZERO, currency)))
    schedule.extend(_dated(rows, dates[lead:], 1))
    return schedule


@dataclass(frozen=True)
class SettlementPlan:
    schedule: list[Installment]
    discount_amount: Decimal
    discount_percent: Decimal


def discount_percent(balance: Decimal, discount: Decimal) -> Decimal:
    """Discount as a percentage of the balance, exact to 2 decimals rounded UP (so that a discount just
    over a limit never displays as equal to it)."""
    if balance <= 0 or discount <= 0:
        return Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = 50
        return (discount * HUNDRED / balance).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def settlement_schedule(
    balance: Decimal,
    settlement_amount: Decimal,
    currency: str,
    *,
    first_payment_date: date,
    frequency: Frequency | None = None,
    installments: int | None = None,
    installment_amount: Decimal | None = None,
    down_payment: Decimal | None = None,
    convention: BusinessDayConvention = BusinessDayConvention.NONE,
    calendar: BusinessCalendar = NO_HOLIDAYS,
    rounding: InstallmentRounding = InstallmentRounding.DOWN,
    max_rows: int = MAX_SCHEDULE_ROWS,
) -> SettlementPlan:
    """A settlement at `settlement_amount` <= `balance`: a lump sum on the first payment date, or (with
    `installments` > 1, `installment_amount` or `down_payment`) in installments without interest."""
    check_currency(currency)
    _check_exact(balance, currency, "balance")
    _check_exact(settlement_amount, currency, "settlementAmount")
    if settlement_amount > balance:
        raise BadInput("settlementAmount: a settlement cannot exceed the balance")
    in_installments = (installments or 1) > 1 or installment_amount is not None or down_payment is not None
    if not in_installments:
        schedule = single_payment_schedule(
            settlement_amount, currency, first_payment_date, convention=convention, calendar=calendar
        )
    else:
        if frequency is None:
            raise BadInput("frequency: required for a settlement in installments")
        schedule = installment_schedule(
            settlement_amount,
            currency,
            first_payment_date=first_payment_date,
            frequency=frequency,
            installments=installments if installments is not None or installment_amount is not None else 1,
            installment_amount=installment_amount,
            down_payment=down_payment,
            convention=convention,
            calendar=calendar,
            rounding=rounding,
            max_rows=max_rows,
        )
    discount = balance - settlement_amount
    return SettlementPlan(schedule, discount, discount_percent(balance, discount))


def schedule_total(schedule: Sequence[Installment]) -> Decimal:
    return sum((row.amount for row in schedule), ZERO)


def schedule_interest(schedule: Sequence[Installment]) -> Decimal:
    return sum((row.interest for row in schedule), ZERO)
