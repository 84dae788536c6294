"""The US validation notice (12 CFR 1006.34): its facts, checked, and the end of the validation period.

A US first notice by letter or e-mail is a validation notice (templates/us-regulation-f.json). Every value
it prints comes from the debtor's data; one that is missing or inconsistent is a BAD_INPUT naming it,
never a notice with a blank:

- the collector's name and mailing address (the tenant's drafting profile: agencyName, address);
- the consumer's name and mailing address (the debtor's first address);
- the debt: the account with the largest balance in the draft's currency (a notice covers one debt), its
  number, its current creditor (the account's creditor, else the profile's creditorName) and its balance.
  draftMessage's input (API.md) has no account field, so a caller cannot ask for a notice about another
  of the debtor's accounts; with an ``agreementId`` the notice covers the largest of that agreement's
  accounts (the one way the contract lets a caller point at a debt). A notice for each further debt
  needs an account argument the contract does not have yet;
- the itemization (debtor attributes ``itemization.<account externalId>``, schema/validation-itemization
  .schema.json): the itemization date and which reference date it is, the creditor then, the amount then,
  interest, fees and credits since; payments since are every one of the account's recorded payments dated
  (in the debtor's zone) after the itemization date and not after today, however old (the API loads them
  all, not the debtor card's recent window). ``amount + interest + fees - payments - credits`` must equal
  the balance to the cent, else BAD_INPUT naming ``attributes.itemization.<account>``.

The validation period (1006.34(b)(5)) ends 30 days after the consumer receives the notice; the collector
may assume receipt on any date at least five days after providing it, not counting Saturdays, Sundays and
the legal public holidays of 5 U.S.C. 6103(a). The notice is taken as provided on ``provided`` (the draft's
date in the debtor's zone); observed holidays (a Friday for a Saturday holiday) are skipped as well, which
only moves the end date later, in the consumer's favour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import holidays

from asistente.errors import BadInput, FieldError
from asistente.money import minor_units
from asistente.schemas import json_path, validator

__all__ = [
    "ASSUMED_RECEIPT_BUSINESS_DAYS",
    "VALIDATION_PERIOD_DAYS",
    "ValidationFacts",
    "assumed_receipt",
    "us_address_lines",
    "validation_facts",
    "validation_period_end",
]

SCHEMA = "validation-itemization.schema.json"
ASSUMED_RECEIPT_BUSINESS_DAYS = 5  # 1006.34(b)(5)
VALIDATION_PERIOD_DAYS = 30  # 1006.34(b)(5)
CITE = "12 CFR 1006.34(c)"


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.US(years=year, observed=True))


def _business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def assumed_receipt(provided: date) -> date:
    """The fifth day after ``provided`` that is not a Saturday, Sunday or federal holiday."""
    day, counted = provided, 0
    while counted < ASSUMED_RECEIPT_BUSINESS_DAYS:
        day += timedelta(days=1)
        if _business_day(day):
            counted += 1
    return day


def validation_period_end(provided: date) -> date:
    """The last day of the validation period of a notice provided on ``provided``."""
    return assumed_receipt(provided) + timedelta(days=VALIDATION_PERIOD_DAYS)


@dataclass(frozen=True)
class ValidationFacts:
    collector_name: str
    collector_address: str
    consumer_name: str
    consumer_address: tuple[str, ...]
    account_number: str
    product: str | None
    currency: str
    itemization_date: date
    itemization_basis: str
    itemization_creditor: str
    current_creditor: str
    amount_then: Decimal
    interest: Decimal
    fees: Decimal
    payments: Decimal
    credits: Decimal
    current: Decimal
    provided: date
    receipt: date
    end_date: date
    disputes_online: str | None


def _missing(field: str, message: str) -> BadInput:
    return BadInput(f"{field}: {message}", [FieldError(field, message)])


def _money(raw: Any, currency: str, field: str) -> Decimal:
    value = Decimal(str(raw))
    digits = minor_units(currency)
    if value != value.quantize(Decimal(1).scaleb(-digits)):
        raise _missing(field, f"{raw!r} has more decimals than {currency} allows")
    return value


def validation_facts(data: Mapping[str, Any]) -> ValidationFacts:
    """The checked facts of a validation notice (see the module doc). ``data`` is a draft's data (the
    shape of a samples.json debtor): ``agency``, ``fullName``, ``addresses``, ``accounts`` (each with its
    ``payments`` [{amount, currency, date}]), ``itemization``, ``creditor`` and ``today``."""
    agency = data.get("agency") or {}
    if not agency.get("address"):
        raise _missing(
            "draftingProfile.address",
            "a US validation notice gives the collector's mailing address for disputes "
            f"({CITE}(2)(i)): set address with setDraftingProfile / falta la dirección postal de la agencia",
        )
    address = (data.get("addresses") or [None])[0]
    if not address or not address.get("line1"):
        raise _missing(
            "addresses",
            f"a US validation notice gives the consumer's mailing address ({CITE}(2)(ii)): this debtor has "
            "none / el deudor no tiene dirección postal",
        )
    account = data["accounts"][0]
    reference = account["reference"]
    currency = account["currency"]
    itemizations = data.get("itemization")
    if not isinstance(itemizations, Mapping) or itemizations.get(reference) is None:
        raise _missing(
            f"attributes.itemization.{reference}",
            f"a US validation notice itemizes the debt ({CITE}(2)(vi)-(viii)): set the itemization date, "
            "its basis, the creditor then, the amount then, interest, fees and credits since "
            "(schema/validation-itemization.schema.json) / falta el desglose de la deuda",
        )
    errors = sorted(
        validator(SCHEMA).iter_errors({reference: itemizations[reference]}),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if errors:
        e = errors[0]
        field = "attributes.itemization." + json_path(e.absolute_path)
        raise _missing(field, e.message)
    item = itemizations[reference]
    creditor = account.get("creditor") or data.get("creditor")
    if not creditor:
        raise _missing(
            f"accounts.{reference}.creditor",
            f"a US validation notice names the current creditor ({CITE}(2)(v)): set the account's creditor "
            "or creditorName in the drafting profile",
        )
    provided = date.fromisoformat(str(data["today"]))
    itemization_date = date.fromisoformat(item["date"])
    if itemization_date > provided:
        raise _missing(
            f"attributes.itemization.{reference}.date",
            f"the itemization date {itemization_date} is after today ({provided})",
        )
    where = f"attributes.itemization.{reference}"
    amount_then = _money(item["amount"], currency, f"{where}.amount")
    interest = _money(item["interest"], currency, f"{where}.interest")
    fees = _money(item["fees"], currency, f"{where}.fees")
    credits = _money(item["credits"], currency, f"{where}.credits")
    cent = Decimal(1).scaleb(-minor_units(currency))  # amounts shown at the currency's minor units
    payments = Decimal(0)
    for p in account.get("payments") or ():
        if p["currency"] == currency and itemization_date < date.fromisoformat(str(p["date"])) <= provided:
            payments += Decimal(str(p["amount"]))
    payments = payments.quantize(cent)
    current = Decimal(str(account["balance"])).quantize(cent)
    computed = (amount_then + interest + fees - payments - credits).quantize(cent)
    if computed != current:
        raise _missing(
            where,
            f"the itemization does not add up to the balance of account {reference}: {amount_then} + "
            f"{interest} interest + {fees} fees - {payments} payments recorded after {itemization_date} - "
            f"{credits} credits = {computed}, but the balance is {current} {currency} ({CITE}(2)(viii)) / "
            "el desglose no cuadra con el saldo",
        )
    receipt = assumed_receipt(provided)
    return ValidationFacts(
        collector_name=agency["name"],
        collector_address=agency["address"],
        consumer_name=data["fullName"],
        consumer_address=tuple(us_address_lines(address)),
        account_number=reference,
        product=account.get("product"),
        currency=currency,
        itemization_date=itemization_date,
        itemization_basis=item["basis"],
        itemization_creditor=item["creditor"],
        current_creditor=creditor,
        amount_then=amount_then,
        interest=interest,
        fees=fees,
        payments=payments,
        credits=credits,
        current=current,
        provided=provided,
        receipt=receipt,
        end_date=receipt + timedelta(days=VALIDATION_PERIOD_DAYS),
        disputes_online=agency.get("disputes_online"),
    )


def us_address_lines(address: Mapping[str, Any]) -> list[str]:
    """A US postal address: street, then "City, ST 12345"."""
    city = ", ".join(x for x in (address.get("city"), address.get("region")) if x)
    last = " ".join(x for x in (city, address.get("postalCode")) if x)
    return [x for x in (address.get("line1"), last) if x]


def validation_values(facts: ValidationFacts, *, money: Any, day: Any) -> dict[str, Any]:
    """The notice's render values: amounts and dates formatted by ``money(Decimal)`` and ``day(date)``."""
    return {
        "collector": {"name": facts.collector_name, "address": facts.collector_address},
        "consumer": {"name": facts.consumer_name, "address_lines": list(facts.consumer_address)},
        "account_number": facts.account_number,
        "product": facts.product,
        "itemization_date": day(facts.itemization_date),
        "itemization_creditor": facts.itemization_creditor,
        "current_creditor": facts.current_creditor,
        "amount_then": money(facts.amount_then),
        "interest": money(facts.interest),
        "fees": money(facts.fees),
        "paid_or_credited": money(facts.payments + facts.credits),
        "payments": money(facts.payments),
        "credits": money(facts.credits),
        "current": money(facts.current),
        "end_date": day(facts.end_date),
        "disputes_online": facts.disputes_online,
    }
