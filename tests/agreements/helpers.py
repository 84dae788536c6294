"""Builders shared by the agreements tests (pure domain: no database fixtures needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from asistente.agreements import AccountFacts, AgreementPolicy, AgreementProposal, load_policy

D = Decimal


def policy_doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": "test-1",
        "currency": "MXN",
        "maxInstallments": 12,
        "minDownPaymentPercent": "0",
        "minInstallmentAmount": "200.00",
        "monthlyInterestRate": "0.02",
        "maxFirstPaymentDelayDays": 30,
        "maxDiscountPercentByRole": {"AGENT": "10", "SUPERVISOR": "25", "ADMIN": "40"},
        "allowedFrequencies": ["WEEKLY", "BIWEEKLY", "MONTHLY"],
        "businessDayConvention": "NONE",
    }
    doc.update(overrides)
    return {k: v for k, v in doc.items() if v is not None}


def make_policy(**overrides: Any) -> AgreementPolicy:
    return load_policy(policy_doc(**overrides))


def account(id: str = "a1", balance: str = "12000.00", currency: str = "MXN", **flags: Any) -> AccountFacts:
    return AccountFacts(id=id, currency=currency, balance=D(balance), **flags)


def proposal(kind: str = "INSTALLMENTS", first: date = date(2026, 2, 2), **fields: Any) -> AgreementProposal:
    fields.setdefault("account_ids", ["a1"])
    return AgreementProposal(kind=kind, first_payment_date=first, **fields)  # type: ignore[arg-type]
