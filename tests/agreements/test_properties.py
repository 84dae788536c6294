"""Property-based tests: invariants that must hold for every schedule and every counter-offer."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from asistente.agreements import (
    AccountFacts,
    AgreementProposal,
    BusinessDayConvention,
    Frequency,
    InstallmentRounding,
    InstallmentState,
    PaymentEvent,
    PlanKind,
    ScheduleError,
    allocate_payment,
    business_calendar,
    installment_schedule,
    installment_statuses,
    validate_agreement,
)
from asistente.enums import Role
from asistente.errors import BadInput
from asistente.money import minor_units, quantum
from tests.agreements.helpers import make_policy

D = Decimal
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

currencies = st.sampled_from(["MXN", "CLP", "COP", "USD", "EUR"])
rates = st.sampled_from([D("0"), D("0.005"), D("0.0125"), D("0.02"), D("0.05"), D("0.1")])
frequencies = st.sampled_from(list(Frequency))
conventions = st.sampled_from(list(BusinessDayConvention))
roundings = st.sampled_from(list(InstallmentRounding))
jurisdictions = st.sampled_from(["MX", "CO", "CL", "US-NY", "ES", "PE", "AR"])
first_dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))


def money(units: int, currency: str) -> Decimal:
    return D(units).scaleb(-minor_units(currency))


@SETTINGS
@given(
    data=st.data(),
    currency=currencies,
    n=st.integers(1, 60),
    rate=rates,
    frequency=frequencies,
    rounding=roundings,
    convention=conventions,
    jurisdiction=jurisdictions,
    first=first_dates,
)
def test_level_schedule_invariants(
    data: st.DataObject,
    currency: str,
    n: int,
    rate: Decimal,
    frequency: Frequency,
    rounding: InstallmentRounding,
    convention: BusinessDayConvention,
    jurisdiction: str,
    first: date,
) -> None:
    units = data.draw(st.integers(min_value=n * 5, max_value=10**9), label="units")
    amount = money(units, currency)
    down_units = data.draw(
        st.one_of(st.none(), st.integers(1, units - 1)) if units > 1 else st.none(), label="down"
    )
    down = money(down_units, currency) if down_units is not None else None
    try:
        schedule = installment_schedule(
            amount,
            currency,
            first_payment_date=first,
            frequency=frequency,
            installments=n,
            down_payment=down,
            monthly_rate=rate,
            convention=convention,
            calendar=business_calendar(jurisdiction),
            rounding=rounding,
        )
    except ScheduleError:
        assume(False)
        return
    q = quantum(currency)
    financed = amount - (down or 0)
    installments = [r for r in schedule if r.number >= 1]
    assert len(installments) == n
    assert sum(r.principal for r in schedule) == amount  # principal sums to what is owed
    assert sum(r.principal for r in installments) == financed
    assert sum(r.amount for r in schedule) == amount + sum(r.interest for r in schedule)  # sums to the total
    for row in schedule:
        assert row.amount == row.principal + row.interest
        assert row.amount > 0 and row.principal >= 0 and row.interest >= 0
        assert row.amount == row.amount.quantize(q) and row.interest == row.interest.quantize(q)
    dates = [r.due_date for r in schedule]
    assert all(a < b for a, b in itertools.pairwise(dates))  # strictly increasing
    if convention is not BusinessDayConvention.NONE:
        cal = business_calendar(jurisdiction)
        assert all(cal.is_business_day(d) for d in dates)
    if rate == 0:
        # Without interest every installment but the last is the same, and the last differs by less
        # than one minor unit per installment.
        regular = {r.amount for r in installments[:-1]}
        assert len(regular) <= 1
        if regular:
            assert abs(installments[-1].amount - regular.pop()) < q * n


@SETTINGS
@given(
    data=st.data(),
    currency=currencies,
    rate=rates,
    frequency=frequencies,
    first=first_dates,
)
def test_named_amount_schedule_invariants(
    data: st.DataObject, currency: str, rate: Decimal, frequency: Frequency, first: date
) -> None:
    units = data.draw(st.integers(100, 10**8), label="units")
    amount = money(units, currency)
    payment = money(data.draw(st.integers(max(1, units // 200), units * 2), label="payment"), currency)
    try:
        schedule = installment_schedule(
            amount,
            currency,
            first_payment_date=first,
            frequency=frequency,
            installment_amount=payment,
            monthly_rate=rate,
        )
    except ScheduleError:
        assume(False)
        return
    assert sum(r.principal for r in schedule) == amount
    assert all(r.amount == payment for r in schedule[:-1])
    assert 0 < schedule[-1].amount <= payment
    assert all(r.principal >= 0 and r.interest >= 0 for r in schedule)


TODAY_MIN, TODAY_MAX = date(2026, 1, 1), date(2026, 12, 31)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    agent = draw(st.integers(0, 20))
    supervisor = draw(st.integers(agent, 40))
    admin = draw(st.integers(supervisor, 60))
    allowed = draw(st.sets(st.sampled_from(list(Frequency)), min_size=1))
    policy = make_policy(
        maxInstallments=draw(st.integers(1, 24)),
        minDownPaymentPercent=str(draw(st.sampled_from([0, 5, 10, 30]))),
        minInstallmentAmount=draw(st.sampled_from(["50.00", "200.00", "1000.00"])),
        monthlyInterestRate=str(draw(rates)),
        maxFirstPaymentDelayDays=draw(st.sampled_from([7, 15, 30, 60])),
        maxDiscountPercentByRole={"AGENT": str(agent), "SUPERVISOR": str(supervisor), "ADMIN": str(admin)},
        allowedFrequencies=sorted(f.value for f in allowed),
        businessDayConvention=draw(conventions).value,
        installmentRounding=draw(roundings).value,
        disputedAccounts=draw(st.sampled_from(["BLOCK", "WARN"])),
    )
    n_accounts = draw(st.integers(1, 3))
    accounts = [
        AccountFacts(
            id=f"acc{i}",
            currency=draw(st.sampled_from(["MXN", "MXN", "MXN", "USD"])),
            balance=money(draw(st.integers(1000, 20_000_000)), "MXN"),
            days_past_due=draw(st.integers(0, 400)),
            in_litigation=draw(st.booleans()) and draw(st.booleans()),
            disputed=draw(st.booleans()) and draw(st.booleans()),
            time_barred=draw(st.booleans()),
        )
        for i in range(n_accounts)
    ]
    balance = sum(a.balance for a in accounts)
    today = draw(st.dates(TODAY_MIN, TODAY_MAX))
    kind = draw(st.sampled_from(list(PlanKind)))
    first = today + timedelta(days=draw(st.integers(-20, 90)))
    fields: dict[str, object] = {}
    if kind is PlanKind.SETTLEMENT:
        settlement = (balance * draw(st.integers(30, 110)) / 100).quantize(D("0.01"))
        fields["settlement_amount"] = max(settlement, D("0.01"))
    base = fields.get("settlement_amount", balance)
    if kind is not PlanKind.SINGLE_PAYMENT:
        split = kind is PlanKind.INSTALLMENTS or draw(st.booleans())
        if split:
            fields["frequency"] = draw(frequencies)
            if draw(st.booleans()):
                fields["installments"] = draw(st.integers(1, 40))
            else:
                fields["installment_amount"] = money(draw(st.integers(1000, 2_000_000)), "MXN")
            if draw(st.booleans()):
                fields["down_payment"] = max(
                    (base * draw(st.integers(1, 60)) / 100).quantize(D("0.01")), D("0.01")
                )
    proposal = AgreementProposal(
        kind=kind,
        account_ids=[a.id for a in accounts],
        first_payment_date=first,
        **fields,  # type: ignore[arg-type]
    )
    return {
        "proposal": proposal,
        "accounts": accounts,
        "policy": policy,
        "role": draw(st.sampled_from([Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.COMPLIANCE])),
        "today": today,
        "jurisdiction": draw(st.sampled_from(["MX", "CO", "US-NY"])),
        "affordability": draw(st.one_of(st.none(), st.just(D("1500.00")))),
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_every_counter_offer_validates(scenario: dict[str, object]) -> None:
    proposal = scenario.pop("proposal")
    accounts = scenario["accounts"]
    kwargs = {
        "accounts": accounts,
        "policy": scenario["policy"],
        "caller_role": scenario["role"],
        "today": scenario["today"],
        "jurisdiction": scenario["jurisdiction"],
        "affordability": scenario["affordability"],
    }
    try:
        result = validate_agreement(proposal, **kwargs)  # type: ignore[arg-type]
    except BadInput:
        # Only self-contradictory input may raise: a down payment not below the amount to pay.
        assert proposal.down_payment is not None  # type: ignore[attr-defined]
        return
    for row in result.schedule:
        assert row.amount > 0 and row.amount == row.principal + row.interest
    if result.valid and not result.requires_approval:
        assert result.counter_offer is None
        return
    offer = result.counter_offer
    policy = scenario["policy"]
    fixable = all(
        a.currency == policy.currency
        and not a.in_litigation
        and not (a.disputed and policy.disputed_accounts == "BLOCK")  # type: ignore[attr-defined]
        for a in accounts  # type: ignore[attr-defined]
    )
    if fixable and policy.max_first_payment_delay_days >= 7:  # type: ignore[attr-defined]
        assert offer is not None, result.violations
    if offer is None:
        return
    again = validate_agreement(offer, **kwargs)  # type: ignore[arg-type]
    assert again.valid, again.violations
    assert not again.requires_approval
    assert again.counter_offer is None
    assert result.counter_offer_validation is not None
    assert again.schedule == result.counter_offer_validation.schedule
    assert again.total_to_pay == sum(r.amount for r in again.schedule)
    dates = [r.due_date for r in again.schedule]
    assert all(a < b for a, b in itertools.pairwise(dates))
    assert again.discount_percent <= policy.authority(scenario["role"])  # type: ignore[attr-defined]


@SETTINGS
@given(
    amounts=st.lists(st.integers(1, 500_000), min_size=1, max_size=6),
    payment=st.integers(1, 3_000_000),
    order=st.permutations(["fees", "interest", "principal"]),
)
def test_allocation_conserves_money(amounts: list[int], payment: int, order: list[str]) -> None:
    states = [
        InstallmentState(
            i + 1,
            date(2026, 1, 1) + timedelta(days=30 * i),
            principal=money(a, "MXN"),
            interest=money(a // 10, "MXN"),
            fees=money(a // 50, "MXN"),
        )
        for i, a in enumerate(amounts)
    ]
    amount = money(payment, "MXN")
    result = allocate_payment(amount, states, order=order)
    assert sum(line.amount for line in result.lines) + result.unapplied == amount
    assert all(line.amount > 0 for line in result.lines)
    for before, after in zip(states, result.remaining, strict=True):
        assert 0 <= after.outstanding <= before.outstanding
        assert before.outstanding - after.outstanding == result.applied_to(before.number)
    owed = sum(s.outstanding for s in states)
    assert result.unapplied == max(amount - owed, D(0))


@SETTINGS
@given(
    payments=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 100_000)), max_size=6),
    today_offset=st.integers(0, 250),
    grace=st.integers(0, 10),
)
def test_statuses_consistent(payments: list[tuple[int, int]], today_offset: int, grace: int) -> None:
    schedule = installment_schedule(
        D("1000.00"), "MXN", first_payment_date=date(2026, 1, 15), frequency=Frequency.MONTHLY, installments=6
    )
    events = [PaymentEvent(date(2026, 1, 1) + timedelta(days=d), money(a, "MXN")) for d, a in payments]
    today = date(2026, 1, 1) + timedelta(days=today_offset)
    rows = installment_statuses(schedule, events, today, grace)
    paid_total = sum(e.amount for e in events if e.paid_on <= today)
    assert sum(r.paid for r in rows) == min(paid_total, D("1000.00"))
    for row in rows:
        assert row.paid + row.outstanding == row.amount and row.outstanding >= 0
    # Paid oldest first: once an installment is not fully paid, no later one has anything paid.
    seen_unpaid = False
    for row in rows:
        if seen_unpaid:
            assert row.paid == 0
        if row.outstanding > 0:
            seen_unpaid = True
