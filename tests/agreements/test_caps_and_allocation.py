from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from asistente.agreements import (
    CapMethod,
    ChargeBracket,
    CollectionChargeCap,
    Component,
    Installment,
    InstallmentState,
    InstallmentStatus,
    PaymentEvent,
    agreement_broken,
    allocate_payment,
    installment_statuses,
)
from asistente.errors import BadInput

D = Decimal

CL08 = CollectionChargeCap(
    id="CL-08",
    jurisdictions=("CL",),
    source="Ley 19.496 art. 37",
    no_charges_within_days_past_due=20,
    unit_name="UF",
    unit_value=D("40000"),
    brackets=(ChargeBracket(D("10"), D("9")), ChargeBracket(D("50"), D("6")), ChargeBracket(None, D("3"))),
)


@pytest.mark.parametrize(
    ("debt", "days", "expected"),
    [
        # 10 UF = 400,000 CLP; 50 UF = 2,000,000 CLP.
        ("300000", 21, "27000"),  # 9% of 300,000
        ("400000", 30, "36000"),  # 9% of the whole first bracket
        ("1000000", 30, "72000"),  # 36,000 + 6% of 600,000
        ("3000000", 30, "162000"),  # 36,000 + 6% of 1,600,000 (96,000) + 3% of 1,000,000 (30,000)
        ("3000000", 20, "0"),  # first 20 days of arrears: no charges
        ("333333", 90, "29999"),  # 9% = 29,999.97, rounded DOWN to the peso
    ],
)
def test_cl08_marginal(debt: str, days: int, expected: str) -> None:
    assert CL08.max_charges(D(debt), days, "CLP") == D(expected)


def test_cl08_flat_reading_and_jurisdiction() -> None:
    flat = CollectionChargeCap(**{**CL08.__dict__, "method": CapMethod.FLAT})
    assert flat.max_charges(D("1000000"), 30, "CLP") == D("60000")  # 6% of all of it
    assert CL08.applies_to("CL") and CL08.applies_to("CL-RM") and not CL08.applies_to("PE")


# --- allocation -------------------------------------------------------------------------------------------


def states() -> list[InstallmentState]:
    return [
        InstallmentState(1, date(2026, 3, 1), principal=D("894.71"), interest=D("240.00"), fees=D("50.00")),
        InstallmentState(2, date(2026, 4, 1), principal=D("912.60"), interest=D("222.11")),
    ]


def test_allocation_oldest_first_fees_interest_principal() -> None:
    # 1,500.00: installment 1 fees 50.00, interest 240.00, principal 894.71 (1,184.71 in all);
    # the remaining 315.29 goes to installment 2: interest 222.11 first, then 93.18 of principal.
    result = allocate_payment(D("1500.00"), states())
    assert [(line.number, line.component, line.amount) for line in result.lines] == [
        (1, Component.FEES, D("50.00")),
        (1, Component.INTEREST, D("240.00")),
        (1, Component.PRINCIPAL, D("894.71")),
        (2, Component.INTEREST, D("222.11")),
        (2, Component.PRINCIPAL, D("93.18")),
    ]
    assert result.unapplied == 0
    assert result.remaining[0].outstanding == 0
    assert result.remaining[1].principal == D("819.42") and result.remaining[1].interest == 0
    assert result.applied_to(2) == D("315.29")


def test_allocation_custom_order_and_overpayment() -> None:
    result = allocate_payment(D("100.00"), states(), order=("principal", "interest", "fees"))
    assert [(line.component, line.amount) for line in result.lines] == [(Component.PRINCIPAL, D("100.00"))]
    over = allocate_payment(D("3000.00"), states())
    assert over.unapplied == D("3000.00") - D("1184.71") - D("1134.71")
    assert sum(line.amount for line in over.lines) + over.unapplied == D("3000.00")
    with pytest.raises(BadInput):
        allocate_payment(D("10.00"), states(), order=("fees", "interest"))
    with pytest.raises(BadInput):
        allocate_payment(D("10.00"), states(), order=("fees", "fees", "principal"))
    with pytest.raises(BadInput):
        allocate_payment(D("0"), states())


def schedule() -> list[Installment]:
    return [
        Installment(0, date(2026, 3, 2), D("300.00"), D("300.00"), D("0.00")),
        Installment(1, date(2026, 4, 2), D("500.00"), D("500.00"), D("0.00")),
        Installment(2, date(2026, 5, 4), D("500.00"), D("500.00"), D("0.00")),
        Installment(3, date(2026, 6, 2), D("500.00"), D("500.00"), D("0.00")),
    ]


def test_statuses() -> None:
    payments = [
        PaymentEvent(date(2026, 3, 2), D("300.00")),  # down payment on time
        PaymentEvent(date(2026, 4, 6), D("500.00")),  # installment 1, 4 days late (grace 5): kept
        PaymentEvent(date(2026, 5, 20), D("200.00")),  # part of installment 2, after its grace
        PaymentEvent(date(2026, 7, 1), D("999.00")),  # after "today": ignored
    ]
    rows = installment_statuses(schedule(), payments, today=date(2026, 5, 25), grace_days=5)
    assert [(r.number, r.status, r.kept) for r in rows] == [
        (0, InstallmentStatus.PAID, True),
        (1, InstallmentStatus.PAID, True),
        (2, InstallmentStatus.BROKEN, False),
        (3, InstallmentStatus.PENDING, None),
    ]
    assert rows[2].paid == D("200.00") and rows[2].outstanding == D("300.00")
    assert agreement_broken(rows)


def test_statuses_partial_late_and_paid_late() -> None:
    payments = [PaymentEvent(date(2026, 3, 1), D("300.00")), PaymentEvent(date(2026, 3, 20), D("100.00"))]
    # 2026-03-25: down payment paid; installment 1 (due Apr 2) has 100.00 paid in advance -> PARTIAL.
    rows = installment_statuses(schedule(), payments, today=date(2026, 3, 25), grace_days=3)
    assert [r.status for r in rows] == [
        InstallmentStatus.PAID,
        InstallmentStatus.PARTIAL,
        InstallmentStatus.PENDING,
        InstallmentStatus.PENDING,
    ]
    # 2026-04-04: installment 1 past due, inside the 3 grace days -> LATE.
    rows = installment_statuses(schedule(), payments, today=date(2026, 4, 4), grace_days=3)
    assert rows[1].status is InstallmentStatus.LATE and rows[1].kept is None
    # Paid in full after the grace period: PAID, but the promise was not kept.
    late = [*payments, PaymentEvent(date(2026, 4, 10), D("400.00"))]
    rows = installment_statuses(schedule(), late, today=date(2026, 4, 12), grace_days=3)
    assert rows[1].status is InstallmentStatus.PAID and rows[1].kept is False
    assert rows[1].paid_on == date(2026, 4, 10)
    assert not agreement_broken(rows)
    with pytest.raises(BadInput):
        installment_statuses(schedule(), payments, today=date(2026, 4, 4), grace_days=-1)
