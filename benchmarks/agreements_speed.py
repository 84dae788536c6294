"""Latency of validate_agreement on the plans an agent checks during a call (pure domain, one process).

Run: .venv/bin/python benchmarks/agreements_speed.py [iterations]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from asistente.agreements import (
    AccountFacts,
    AgreementProposal,
    Frequency,
    PlanKind,
    default_policies,
    load_policy,
    resolve_policy,
    validate_agreement,
)
from asistente.enums import Role

TODAY = date(2026, 2, 3)
ACCOUNTS = [AccountFacts("a1", "MXN", Decimal("12000.00"), days_past_due=45)]
POLICY = load_policy(
    {
        **resolve_policy(default_policies(), currency="MXN").document,
        "monthlyInterestRate": "0.02",
        "minDownPaymentPercent": "0",
    }
)

CASES: dict[str, AgreementProposal] = {
    "valid 12 monthly at 2%": AgreementProposal(
        PlanKind.INSTALLMENTS, ["a1"], date(2026, 2, 10), installments=12, frequency=Frequency.MONTHLY
    ),
    "puedo 500 al mes (counter-offer)": AgreementProposal(
        PlanKind.INSTALLMENTS,
        ["a1"],
        date(2026, 2, 10),
        installment_amount=Decimal("500.00"),
        frequency=Frequency.MONTHLY,
    ),
    "settlement over authority (counter-offer)": AgreementProposal(
        PlanKind.SETTLEMENT, ["a1"], date(2026, 2, 10), settlement_amount=Decimal("8000.00")
    ),
    "36 weekly, too many (counter-offer)": AgreementProposal(
        PlanKind.INSTALLMENTS, ["a1"], date(2026, 2, 10), installments=36, frequency=Frequency.WEEKLY
    ),
}


def measure(fn: Callable[[], object], iterations: int) -> tuple[float, float]:
    fn()  # warm caches (holiday calendars, schema)
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(f"validate_agreement, {iterations} iterations each (ms)")
    for name, proposal in CASES.items():
        median, p99 = measure(
            lambda p=proposal: validate_agreement(
                p, accounts=ACCOUNTS, policy=POLICY, caller_role=Role.AGENT, today=TODAY, jurisdiction="MX"
            ),
            iterations,
        )
        print(f"  {name:45s} median {median:6.3f}   p99 {p99:6.3f}")


if __name__ == "__main__":
    main()
