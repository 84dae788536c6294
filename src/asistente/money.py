"""Money: Decimal amounts with ISO 4217 currencies, rounded to each currency's minor unit."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

from asistente.errors import BadInput

# ISO 4217 minor units where CLDR's "cash/accounting" digits differ from the ISO standard we bill in.
_ISO_MINOR_UNITS_OVERRIDE = {"CLP": 0, "COP": 2, "JPY": 0, "KRW": 0, "ARS": 2, "MXN": 2, "PEN": 2}


_PLAIN_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

# ISO 4217 codes that are not money one can owe (refused as account currencies): XTS test, XXX "no
# currency", precious metals, SDR and fund units.
_NOT_MONEY = {"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA"}


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(c for c in list_currencies() if len(c) == 3 and c.isupper() and c not in _NOT_MONEY)


def check_currency(code: str) -> str:
    if not isinstance(code, str) or code.upper() != code or code not in known_currencies():
        raise BadInput(
            f"unknown currency {code!r}: use an ISO 4217 code such as MXN, COP, CLP, PEN, EUR, ARS, USD"
        )
    return code


@cache
def minor_units(currency: str) -> int:
    check_currency(currency)
    if currency in _ISO_MINOR_UNITS_OVERRIDE:
        return _ISO_MINOR_UNITS_OVERRIDE[currency]
    return get_currency_precision(currency)


@cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def excess_decimals(amount: Decimal, places: int) -> bool:
    """True when `amount` has a non-zero digit beyond `places` decimals: "1240.50" for CLP (0 places) is
    wrong, "1240.00" is 1240 written with zeros and is fine."""
    exp = amount.as_tuple().exponent
    if not isinstance(exp, int) or -exp <= places:
        return False
    try:
        return amount != amount.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        return True


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def parse_amount(
    value: str | int | Decimal,
    currency: str,
    *,
    field: str = "amount",
    allow_zero: bool = True,
    allow_negative: bool = False,
) -> Decimal:
    """Parse a decimal string strictly: no floats, no exponent, no more decimals than the currency has."""
    if isinstance(value, float):
        raise BadInput(f"{field}: money must be a decimal string, not a float")
    if isinstance(value, str) and not _PLAIN_DECIMAL.match(value.strip()):
        raise BadInput(f'{field}: {value!r} is not a plain decimal amount such as "1234.50"')
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BadInput(f"{field}: {value!r} is not a decimal amount") from None
    if not amount.is_finite():
        raise BadInput(f"{field}: {value!r} is not a finite amount")
    if amount < 0 and not allow_negative:
        raise BadInput(f"{field}: amount must not be negative (got {value})")
    if amount == 0 and not allow_zero:
        raise BadInput(f"{field}: amount must be greater than zero")
    if excess_decimals(amount, minor_units(currency)):
        raise BadInput(f"{field}: {value} has more decimals than {currency} allows ({minor_units(currency)})")
    if abs(amount) >= Decimal("1e15"):
        raise BadInput(f"{field}: amount {value} is too large")
    return round_money(amount, currency)


def format_amount(amount: Decimal, currency: str) -> str:
    """Canonical decimal string with exactly the currency's minor units ("1234.50", CLP "1234")."""
    return str(round_money(amount, currency))
