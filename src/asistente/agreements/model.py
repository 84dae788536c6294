"""Plain values of the agreements domain: enums, schedule rows, proposals, account facts, results.

Everything here is immutable data with no behaviour beyond serialisation; the decisions live in
calculator.py (amounts and dates), policy.py (tenant rules), validation.py and counter_offer.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from asistente.enums import Role
from asistente.money import format_amount


class PlanKind(StrEnum):
    SINGLE_PAYMENT = "SINGLE_PAYMENT"
    INSTALLMENTS = "INSTALLMENTS"
    SETTLEMENT = "SETTLEMENT"


class Frequency(StrEnum):
    WEEKLY = "WEEKLY"
    BIWEEKLY = "BIWEEKLY"
    MONTHLY = "MONTHLY"


class BusinessDayConvention(StrEnum):
    """How a due date that falls on a weekend or holiday moves (ISDA names)."""

    NONE = "NONE"
    FOLLOWING = "FOLLOWING"
    MODIFIED_FOLLOWING = "MODIFIED_FOLLOWING"
    PRECEDING = "PRECEDING"


class InstallmentRounding(StrEnum):
    """How the level (French) installment is rounded to the currency's minor unit.

    DOWN: regular installments never exceed the exact annuity; the last one collects the residual cents
    (12,000.00 at 2% over 12 -> 1134.71, last 1134.78). HALF_UP: nearest cent (-> 1134.72, last 1134.67).
    """

    DOWN = "DOWN"
    HALF_UP = "HALF_UP"


class DisputedAccountsRule(StrEnum):
    BLOCK = "BLOCK"
    WARN = "WARN"


class IssueCode(StrEnum):
    """Machine codes of agreement issues (clients never parse messages)."""

    MAX_INSTALLMENTS = "MAX_INSTALLMENTS"
    MIN_DOWN_PAYMENT = "MIN_DOWN_PAYMENT"
    MIN_INSTALLMENT_AMOUNT = "MIN_INSTALLMENT_AMOUNT"
    FREQUENCY_NOT_ALLOWED = "FREQUENCY_NOT_ALLOWED"
    FIRST_PAYMENT_IN_PAST = "FIRST_PAYMENT_IN_PAST"
    FIRST_PAYMENT_TOO_LATE = "FIRST_PAYMENT_TOO_LATE"
    DISCOUNT_REQUIRES_APPROVAL = "DISCOUNT_REQUIRES_APPROVAL"
    DISCOUNT_EXCEEDS_POLICY = "DISCOUNT_EXCEEDS_POLICY"
    SETTLEMENT_ABOVE_BALANCE = "SETTLEMENT_ABOVE_BALANCE"
    MIXED_CURRENCIES = "MIXED_CURRENCIES"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    DISPUTED = "DISPUTED"
    LITIGATION_HOLD = "LITIGATION_HOLD"
    TIME_BARRED = "TIME_BARRED"
    AFFORDABILITY = "AFFORDABILITY"
    NAMED_AMOUNT_EXCEEDED = "NAMED_AMOUNT_EXCEEDED"
    COLLECTION_CHARGE_CAP = "COLLECTION_CHARGE_CAP"


@dataclass(frozen=True)
class Installment:
    """One row of a schedule. Number 0 is the down payment (principal only, due on the first payment
    date); installments are numbered from 1. amount == principal + interest, exactly."""

    number: int
    due_date: date
    amount: Decimal
    principal: Decimal
    interest: Decimal

    def to_dict(self, currency: str) -> dict[str, Any]:
        return {
            "number": self.number,
            "dueDate": self.due_date.isoformat(),
            "amount": format_amount(self.amount, currency),
            "principal": format_amount(self.principal, currency),
            "interest": format_amount(self.interest, currency),
        }


@dataclass(frozen=True)
class AgreementProposal:
    """What the agent proposes (AgreementInput of API.md, plus the amount the debtor named).

    - SINGLE_PAYMENT: the whole balance on first_payment_date.
    - INSTALLMENTS: the balance (less down_payment) over `installments` level installments, or, when only
      `installment_amount` is given ("puedo 500 al mes"), installments of that amount until paid.
    - SETTLEMENT: `settlement_amount` (<= balance; the difference is the discount), as a lump sum or, with
      `installments` / `installment_amount`, in installments without interest.
    """

    kind: PlanKind
    account_ids: list[str]
    first_payment_date: date
    down_payment: Decimal | None = None
    installments: int | None = None
    frequency: Frequency | None = None
    settlement_amount: Decimal | None = None
    installment_amount: Decimal | None = None

    def to_dict(self, currency: str | None = None) -> dict[str, Any]:
        def money(value: Decimal | None) -> str | None:
            if value is None:
                return None
            return format_amount(value, currency) if currency else str(value)

        return {
            "kind": str(self.kind),
            "accountIds": list(self.account_ids),
            "firstPaymentDate": self.first_payment_date.isoformat(),
            "downPayment": money(self.down_payment),
            "installments": self.installments,
            "frequency": str(self.frequency) if self.frequency else None,
            "settlementAmount": money(self.settlement_amount),
            "installmentAmount": money(self.installment_amount),
        }


@dataclass(frozen=True)
class AccountFacts:
    """What validation needs to know about one account. `collection_charges` is the part of `balance`
    that is collection charges (gastos de cobranza), checked against legal caps such as Chile's CL-08."""

    id: str
    currency: str
    balance: Decimal
    days_past_due: int = 0
    in_litigation: bool = False
    disputed: bool = False
    time_barred: bool = False
    collection_charges: Decimal = Decimal(0)


@dataclass(frozen=True)
class PlanIssue:
    """A violation or a warning. `message` is Spanish first, then English, separated by " / "."""

    rule_id: str
    code: IssueCode
    message: str
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ruleId": self.rule_id, "code": str(self.code), "message": self.message, "field": self.field}


@dataclass(frozen=True)
class AgreementValidation:
    """The verdict on a proposal.

    valid: no violations (a plan that only needs approval is valid, with requires_approval=True).
    approval_role: the lowest role (AGENT < SUPERVISOR < ADMIN) whose discount authority covers the plan,
    set only when requires_approval is True.
    counter_offer: the closest plan the caller may offer themselves, present when the proposal is invalid
    or needs approval and such a plan exists; counter_offer_validation is its own (valid, approval-free)
    verdict with its schedule; counter_offer_notes explain each change (Spanish / English);
    counter_offer_gap is how much the counter-offer's regular installment exceeds the amount the debtor
    named, when it had to.
    """

    valid: bool
    violations: list[PlanIssue]
    warnings: list[PlanIssue]
    schedule: list[Installment]
    total_to_pay: Decimal
    total_interest: Decimal
    balance: Decimal
    discount_amount: Decimal
    discount_percent: Decimal
    requires_approval: bool
    approval_role: Role | None
    currency: str | None
    policy_version: str
    counter_offer: AgreementProposal | None = None
    counter_offer_validation: AgreementValidation | None = None
    counter_offer_notes: list[str] = field(default_factory=list)
    counter_offer_gap: Decimal | None = None

    @property
    def counter_offer_schedule(self) -> list[Installment]:
        return self.counter_offer_validation.schedule if self.counter_offer_validation else []

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (money as decimal strings) for the audit record and the API layer."""
        cur = self.currency

        def money(value: Decimal | None) -> str | None:
            if value is None:
                return None
            return format_amount(value, cur) if cur else str(value)

        return {
            "valid": self.valid,
            "violations": [v.to_dict() for v in self.violations],
            "warnings": [w.to_dict() for w in self.warnings],
            "schedule": [row.to_dict(cur) for row in self.schedule] if cur else [],
            "totalToPay": money(self.total_to_pay),
            "totalInterest": money(self.total_interest),
            "balance": money(self.balance),
            "discountAmount": money(self.discount_amount),
            "discountPercent": str(self.discount_percent),
            "requiresApproval": self.requires_approval,
            "approvalRole": str(self.approval_role) if self.approval_role else None,
            "currency": cur,
            "policyVersion": self.policy_version,
            "counterOffer": self.counter_offer.to_dict(cur) if self.counter_offer else None,
            "counterOfferValidation": (
                self.counter_offer_validation.to_dict() if self.counter_offer_validation else None
            ),
            "counterOfferNotes": list(self.counter_offer_notes),
            "counterOfferGap": money(self.counter_offer_gap),
        }
