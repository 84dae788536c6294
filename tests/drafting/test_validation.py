"""The validation period (12 CFR 1006.34(b)(5)) and the notice's facts, as pure functions."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from asistente.drafting.validation import assumed_receipt, validation_facts, validation_period_end
from asistente.errors import BadInput


@pytest.mark.parametrize(
    ("provided", "receipt", "end"),
    [
        (date(2026, 11, 16), date(2026, 11, 23), date(2026, 12, 23)),  # Mon: plain week + weekend
        (date(2026, 11, 20), date(2026, 11, 30), date(2026, 12, 30)),  # Thanksgiving Thu Nov 26
        (date(2026, 11, 21), date(2026, 11, 30), date(2026, 12, 30)),  # a Saturday counts from Monday
        (date(2026, 12, 28), date(2027, 1, 5), date(2027, 2, 4)),  # New Year's Day, across the year
        (date(2026, 6, 15), date(2026, 6, 23), date(2026, 7, 23)),  # Juneteenth Fri Jun 19
        (date(2026, 6, 29), date(2026, 7, 7), date(2026, 8, 6)),  # Jul 3 (observed for Sat Jul 4)
        (date(2027, 1, 14), date(2027, 1, 22), date(2027, 2, 21)),  # MLK Day Mon Jan 18 2027; ends a Sunday
    ],
)
def test_assumed_receipt_and_end_of_the_validation_period(provided, receipt, end):
    assert assumed_receipt(provided) == receipt
    assert validation_period_end(provided) == end


DATA = {
    "jurisdiction": "US-TX",
    "fullName": "John Smith",
    "addresses": [{"line1": "1200 Main St", "city": "Houston", "region": "TX", "postalCode": "77002"}],
    "agency": {"name": "Delta Recoveries LLC", "address": "PO Box 4410, Dallas, TX 75202"},
    "creditor": "Andina Bank N.A.",
    "accounts": [
        {
            "reference": "A-1",
            "product": "credit card",
            "currency": "USD",
            "balance": "0.03",
            "payments": [
                {"amount": "0.01", "currency": "USD", "date": "2026-06-30"},  # on the date: not since
                {"amount": "0.02", "currency": "USD", "date": "2026-07-01"},
                {"amount": "9.99", "currency": "USD", "date": "2026-11-21"},  # after today: not yet
            ],
        }
    ],
    "itemization": {
        "A-1": {
            "date": "2026-06-30",
            "basis": "LAST_PAYMENT",
            "creditor": "Old Bank",
            "amount": "0.05",
            "interest": "0.01",
            "fees": "0.00",
            "credits": "0.01",
        }
    },
    "today": "2026-11-20",
}


def test_facts_add_up_to_the_cent_with_the_payments_since_the_itemization_date():
    f = validation_facts(DATA)
    assert (f.amount_then, f.interest, f.fees, f.payments, f.credits, f.current) == (
        Decimal("0.05"),
        Decimal("0.01"),
        Decimal("0"),
        Decimal("0.02"),
        Decimal("0.01"),
        Decimal("0.03"),
    )
    assert f.itemization_creditor == "Old Bank" and f.current_creditor == "Andina Bank N.A."
    assert f.consumer_address == ("1200 Main St", "Houston, TX 77002") and f.end_date == date(2026, 12, 30)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["itemization"]["A-1"].update(amount="0.051"), "attributes.itemization.A-1.amount"),
        (lambda d: d["itemization"]["A-1"].update(date="2026-11-21"), "attributes.itemization.A-1.date"),
        (lambda d: d["itemization"]["A-1"].update(credits="0.00"), "attributes.itemization.A-1"),
        (lambda d: d.update(itemization={"A-2": {}}), "attributes.itemization.A-1"),
        (lambda d: d["agency"].pop("address"), "draftingProfile.address"),
        (lambda d: d.update(creditor=None), "accounts.A-1.creditor"),
        (lambda d: d.update(addresses=[]), "addresses"),
    ],
)
def test_missing_or_wrong_data_names_the_field(change, field):
    data = copy.deepcopy(DATA)
    change(data)
    with pytest.raises(BadInput) as exc:
        validation_facts(data)
    assert exc.value.message.startswith(field + ":") or exc.value.errors[0].field == field, exc.value.message
