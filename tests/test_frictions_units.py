"""Unit checks behind the item-4 frictions: money scale, parent jurisdictions, derived policy versions."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from asistente.agreements.policy import derived_version, load_policy
from asistente.compliance.review import resolve_jurisdiction
from asistente.errors import BadInput
from asistente.money import excess_decimals, parse_amount


@pytest.mark.parametrize(
    ("value", "places", "excess"),
    [
        ("1240", 0, False),
        ("1240.00", 0, False),
        ("1240.000", 0, False),
        ("1240.50", 0, True),
        ("1240.001", 0, True),
        ("12.50", 2, False),
        ("12.500", 2, False),
        ("12.505", 2, True),
        ("0.0000", 3, False),
    ],
)
def test_excess_decimals(value: str, places: int, excess: bool) -> None:
    assert excess_decimals(D(value), places) is excess


def test_parse_amount_accepts_zero_decimals_beyond_the_currency() -> None:
    assert parse_amount("1240.00", "CLP") == D("1240") and str(parse_amount("1240.00", "CLP")) == "1240"
    with pytest.raises(BadInput, match=r"balance: 1240\.5 has more decimals than CLP allows"):
        parse_amount("1240.5", "CLP", field="balance")
    assert str(parse_amount("10.500", "USD")) == "10.50"


@pytest.mark.parametrize(
    ("requested", "debtor", "expected"),
    [
        ("US", "US-IL", "US-IL"),
        ("us", "US-IL", "US-IL"),
        ("US-IL", "US-IL", "US-IL"),
        (None, "US-IL", "US-IL"),
        ("US-NY", "US-NY-NYC", "US-NY-NYC"),
        ("US", "US-NY-NYC", "US-NY-NYC"),
        ("MX", None, "MX"),
    ],
)
def test_resolve_jurisdiction(requested, debtor, expected) -> None:
    assert resolve_jurisdiction(requested, debtor) == expected


@pytest.mark.parametrize(
    ("requested", "debtor"), [("MX", "US-IL"), ("U", "US-IL"), ("US-IL", "US"), (None, None)]
)
def test_resolve_jurisdiction_refuses(requested, debtor) -> None:
    with pytest.raises(BadInput) as err:
        resolve_jurisdiction(requested, debtor)
    assert err.value.errors[0].field == "jurisdiction"


def _doc(**kw) -> dict:
    doc = {
        "currency": "MXN",
        "maxInstallments": 12,
        "minDownPaymentPercent": "0",
        "minInstallmentAmount": "200.00",
        "monthlyInterestRate": "0.02",
        "maxFirstPaymentDelayDays": 30,
        "maxDiscountPercentByRole": {"AGENT": "10", "SUPERVISOR": "25"},
    }
    doc.update(kw)
    return doc


def test_policy_without_version_gets_a_content_hash() -> None:
    policy = load_policy(_doc())
    assert policy.version == derived_version(_doc()) and policy.version.startswith("sha256:")
    assert policy.document["version"] == policy.version
    assert load_policy(_doc(maxInstallments=6)).version != policy.version
    # key order does not matter, content does
    assert load_policy(dict(reversed(list(_doc().items())))).version == policy.version
    assert load_policy(_doc(version="v7")).version == "v7"
