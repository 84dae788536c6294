"""validate_agreement: input checks (BadInput), rules (rules.py) and the counter-offer (counter_offer.py).

Malformed input raises BadInput listing every problem (FieldError per field, camelCase names of
AgreementInput): zero or negative amounts, more decimals than the currency has, unknown or repeated
accounts, fields that do not belong to the plan kind, missing frequency, a down payment not below the
amount to pay. Everything a counter-offer can fix is a violation instead (too many installments, first
payment in the past or too late, discount over authority, mixed currencies...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from asistente.agreements.calculator import MAX_SCHEDULE_ROWS
from asistente.agreements.counter_offer import propose_counter_offer
from asistente.agreements.dates import business_calendar
from asistente.agreements.model import (
    AccountFacts,
    AgreementProposal,
    AgreementValidation,
    Frequency,
    PlanKind,
)
from asistente.agreements.policy import AgreementPolicy
from asistente.agreements.rules import Context, evaluate
from asistente.enums import Role
from asistente.errors import BadInput, FieldError
from asistente.money import excess_decimals, known_currencies, minor_units


def validate_agreement(
    proposal: AgreementProposal,
    *,
    accounts: Sequence[AccountFacts],
    policy: AgreementPolicy,
    caller_role: Role,
    today: date,
    jurisdiction: str,
    affordability: Decimal | None = None,
) -> AgreementValidation:
    """Check `proposal` over the debtor's `accounts` (the ones it names must be among them) against
    `policy`, for a caller with `caller_role`, on the debtor's local date `today`, in `jurisdiction`
    (ISO 3166-1/2: holidays and legal caps). Pure: no clock, no I/O."""
    errors: list[FieldError] = []
    p = _normalise(proposal, accounts, errors)
    if not isinstance(today, date) or isinstance(today, datetime):
        errors.append(FieldError("today", "must be a date"))
    try:
        role = Role(caller_role)
    except ValueError:
        errors.append(FieldError("callerRole", f"unknown role {caller_role!r}"))
        role = Role.AGENT
    if affordability is not None and not _positive(affordability):
        errors.append(FieldError("affordability", "must be a Decimal greater than zero"))
    if not isinstance(policy, AgreementPolicy):
        errors.append(FieldError("policy", "must be an AgreementPolicy (see load_policy)"))
    try:
        calendar = business_calendar(jurisdiction)
    except BadInput as exc:
        errors.append(FieldError("jurisdiction", exc.message.removeprefix("jurisdiction: ")))
    if errors or p is None:
        raise BadInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    ctx = Context(
        policy=policy,
        caller_role=role,
        today=today,
        jurisdiction=jurisdiction,
        calendar=calendar,
        affordability=affordability,
    )
    by_id = {a.id: a for a in accounts}
    selected = [by_id[i] for i in p.account_ids]
    result = evaluate(p, selected, ctx)
    if result.valid and not result.requires_approval:
        return result
    offer = propose_counter_offer(p, selected, ctx)
    if offer is None:
        return result
    return replace(
        result,
        counter_offer=offer.proposal,
        counter_offer_validation=offer.validation,
        counter_offer_notes=offer.notes,
        counter_offer_gap=offer.gap,
    )


def _positive(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and value > 0


def _normalise(
    proposal: AgreementProposal, accounts: Sequence[AccountFacts], errors: list[FieldError]
) -> AgreementProposal | None:
    if not isinstance(proposal, AgreementProposal):
        errors.append(FieldError("input", "expected an AgreementProposal"))
        return None
    start = len(errors)
    down = proposal.down_payment
    if isinstance(down, Decimal) and down.is_finite() and down == 0:
        proposal = replace(proposal, down_payment=None)  # "0" means no down payment
    try:
        kind = PlanKind(proposal.kind)
    except ValueError:
        errors.append(
            FieldError("kind", f"must be SINGLE_PAYMENT, INSTALLMENTS or SETTLEMENT, got {proposal.kind!r}")
        )
        kind = None
    frequency: Frequency | None = None
    if proposal.frequency is not None:
        try:
            frequency = Frequency(proposal.frequency)
        except ValueError:
            errors.append(
                FieldError("frequency", f"must be WEEKLY, BIWEEKLY or MONTHLY, got {proposal.frequency!r}")
            )

    by_id: dict[str, tuple[int, AccountFacts]] = {}
    for index, account in enumerate(accounts):
        if isinstance(account, AccountFacts):
            by_id[account.id] = (index, account)
        else:
            errors.append(FieldError(f"accounts[{index}]", "expected AccountFacts"))
    ids = list(proposal.account_ids) if isinstance(proposal.account_ids, list | tuple) else []
    if not ids:
        errors.append(FieldError("accountIds", "name at least one account"))
    if len(set(ids)) != len(ids):
        errors.append(FieldError("accountIds", "an account is named more than once"))
    for account_id in dict.fromkeys(ids):
        if account_id not in by_id:
            errors.append(
                FieldError("accountIds", f"account {account_id!r} is not one of the debtor's accounts")
            )
        else:
            _check_account(*reversed(by_id[account_id]), errors)
    currencies = {by_id[i][1].currency for i in ids if i in by_id}
    places = (
        minor_units(next(iter(currencies)))
        if len(currencies) == 1 and currencies <= known_currencies()
        else None
    )

    first = proposal.first_payment_date
    if not isinstance(first, date) or isinstance(first, datetime):
        errors.append(FieldError("firstPaymentDate", "must be a date (YYYY-MM-DD)"))
    count = proposal.installments
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        errors.append(FieldError("installments", "must be a whole number"))
        count = None
    elif count is not None and not 1 <= count <= MAX_SCHEDULE_ROWS:
        errors.append(FieldError("installments", f"must be between 1 and {MAX_SCHEDULE_ROWS}"))
    for name, value in (
        ("downPayment", proposal.down_payment),
        ("settlementAmount", proposal.settlement_amount),
        ("installmentAmount", proposal.installment_amount),
    ):
        if value is None:
            continue
        if not _positive(value):
            errors.append(FieldError(name, f"amount must be a Decimal greater than zero (got {value!r})"))
        elif places is not None and excess_decimals(value, places):
            errors.append(FieldError(name, f"{value} has more decimals than the currency allows ({places})"))

    if kind is PlanKind.SINGLE_PAYMENT:
        for name, value in (
            ("downPayment", proposal.down_payment),
            ("settlementAmount", proposal.settlement_amount),
            ("installmentAmount", proposal.installment_amount),
        ):
            if value is not None:
                errors.append(FieldError(name, "does not apply to a SINGLE_PAYMENT"))
        if count not in (None, 1):
            errors.append(FieldError("installments", "a SINGLE_PAYMENT has one payment: use INSTALLMENTS"))
    elif kind is PlanKind.INSTALLMENTS:
        if proposal.settlement_amount is not None:
            errors.append(FieldError("settlementAmount", "use SETTLEMENT for a plan below the balance"))
        if count is None and proposal.installment_amount is None:
            errors.append(
                FieldError("installments", "give the number of installments or the installment amount")
            )
        if proposal.frequency is None:
            errors.append(FieldError("frequency", "required for INSTALLMENTS"))
    elif kind is PlanKind.SETTLEMENT:
        if proposal.settlement_amount is None:
            errors.append(FieldError("settlementAmount", "required for a SETTLEMENT"))
        split = (
            (count or 1) > 1 or proposal.installment_amount is not None or proposal.down_payment is not None
        )
        if split and proposal.frequency is None:
            errors.append(FieldError("frequency", "required for a settlement in installments"))
    if len(errors) > start:
        return None
    assert kind is not None
    amounts: dict[str, Decimal] = {}
    if places is not None:  # "1240.00" for CLP is 1240 from here on
        step = Decimal(1).scaleb(-places)
        for attr in ("down_payment", "settlement_amount", "installment_amount"):
            value = getattr(proposal, attr)
            if value is not None:
                amounts[attr] = value.quantize(step)
    return replace(proposal, kind=kind, frequency=frequency, account_ids=list(ids), **amounts)


def _check_account(account: AccountFacts, index: int, errors: list[FieldError]) -> None:
    where = f"accounts[{index}]"
    if account.currency not in known_currencies():
        errors.append(FieldError(f"{where}.currency", f"unknown currency {account.currency!r}"))
        return
    places = minor_units(account.currency)
    if not _positive(account.balance):
        errors.append(
            FieldError(
                f"{where}.balance", f"account {account.id}: nothing is owed (balance {account.balance})"
            )
        )
    elif excess_decimals(account.balance, places):
        errors.append(
            FieldError(
                f"{where}.balance", f"{account.balance} has more decimals than {account.currency} allows"
            )
        )
    charges = account.collection_charges
    if not isinstance(charges, Decimal) or not charges.is_finite() or charges < 0:
        errors.append(FieldError(f"{where}.collectionCharges", "must be a Decimal, zero or more"))
    elif _positive(account.balance) and charges > account.balance:
        errors.append(FieldError(f"{where}.collectionCharges", "cannot exceed the balance"))
    if (
        isinstance(account.days_past_due, bool)
        or not isinstance(account.days_past_due, int)
        or account.days_past_due < 0
    ):
        errors.append(FieldError(f"{where}.daysPastDue", "must be a whole number, zero or more"))
