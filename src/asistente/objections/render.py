"""Placeholder values of a playbook line, formatted for the debtor's locale with babel.

Locales: es_MX, es_CO, es_CL, es_PE, es_AR, es_ES and es_US for Spanish by jurisdiction, en_US for English.
Amounts use the account currency's symbol as the locale writes it ("$12,345.67" in es_MX, "$ 12.345,67" in
es_CO, "12.345,67 €" in es_ES); dates are long dates ("14 de diciembre de 2026", "December 14, 2026").
A value the card cannot give (no creditor on file, no plan the policy accepts) is simply absent, and the
lines that need it are not offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, KeysView, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, parse_pattern

from asistente.money import minor_units

__all__ = [
    "LazyValues",
    "PlanTerms",
    "format_money",
    "lazy_values_for",
    "locale_for",
    "sample_values",
    "values_for",
]

_SPANISH_COUNTRIES = {
    "MX",
    "CO",
    "CL",
    "PE",
    "AR",
    "ES",
    "US",
    "UY",
    "PY",
    "BO",
    "EC",
    "VE",
    "GT",
    "CR",
    "PA",
}
_SAMPLE_CURRENCY = {"MX": "MXN", "CO": "COP", "CL": "CLP", "PE": "PEN", "AR": "ARS", "ES": "EUR", "US": "USD"}
_FREQUENCY = {
    "es": {"MONTHLY": "mensuales", "BIWEEKLY": "quincenales", "WEEKLY": "semanales"},
    "en": {"MONTHLY": "monthly", "BIWEEKLY": "biweekly", "WEEKLY": "weekly"},
}


@dataclass(frozen=True)
class PlanTerms:
    """A plan the agreements domain accepted (numbers only; suggest.py builds it)."""

    currency: str
    down_payment: Decimal | None
    installment: Decimal
    installments: int
    frequency: str  # MONTHLY / BIWEEKLY / WEEKLY
    first_date: date
    total: Decimal
    settlement_amount: Decimal | None = None


@lru_cache(maxsize=64)
def locale_for(language: str, jurisdiction: str | None) -> Locale:
    """es_<country> for Spanish (es_US in the US), en_US for English."""
    if language == "en":
        return Locale.parse("en_US")
    country = (jurisdiction or "MX").split("-")[0].upper()
    if country not in _SPANISH_COUNTRIES:
        country = "MX"
    try:
        return Locale.parse(f"es_{country}")
    except (UnknownLocaleError, ValueError):  # pragma: no cover - babel ships all of the above
        return Locale.parse("es")


def format_money(amount: Decimal, currency: str, locale: Locale) -> str:
    return _format_money(amount, currency, str(locale))


@lru_cache(maxsize=16_384)
def _format_money(amount: Decimal, currency: str, locale_name: str) -> str:
    """The amount as the locale writes money, with the currency's ISO minor units (COP keeps its cents,
    CLP has none); whole amounts without ",00" (how people say them): "$12,000", "$ 250.000"."""
    whole = minor_units(currency) == 0 or amount == amount.to_integral_value()
    if whole:
        amount = amount.quantize(Decimal(1))
    locale, pattern = _money_pattern(locale_name, whole)
    # What babel.numbers.format_currency(amount, currency, format=<pattern text>, locale=locale,
    # currency_digits=False) does, without parsing the locale and the pattern text again for every amount.
    return pattern.apply(amount, locale, currency=currency, currency_digits=False)


@lru_cache(maxsize=256)
def _money_pattern(locale_name: str, whole: bool) -> tuple[Locale, NumberPattern]:
    locale = Locale.parse(locale_name)
    pattern = locale.currency_formats["standard"].pattern
    if whole:
        pattern = pattern.replace(".00", "").replace(",00", "")
    return locale, parse_pattern(pattern)


def _date(d: date, locale: Locale) -> str:
    return _long_date(d, str(locale))


@lru_cache(maxsize=8_192)
def _long_date(d: date, locale_name: str) -> str:
    """A long date as the locale writes it (a pure function of the date and the locale: memoised; plan
    dates, due dates and payment dates repeat across debtors)."""
    return format_date(d, format="long", locale=Locale.parse(locale_name))


def _when(at: datetime, tz: str | None, locale: Locale) -> str:
    local = at.astimezone(ZoneInfo(tz)) if tz else at
    if locale.language == "en":
        day = format_date(local.date(), format="EEEE, MMMM d", locale=locale)
        return f"on {day} at {format_time(local.time(), format='h:mm a', locale=locale)}"
    day = format_date(local.date(), format="EEEE d 'de' MMMM", locale=locale)
    return f"el {day} a las {format_time(local.time(), format='H:mm', locale=locale)}"


def values_for(
    card: object,
    language: str,
    *,
    plan: PlanTerms | None = None,
    next_contact: datetime | None = None,
    timezone: str | None = None,
) -> dict[str, str]:
    """Placeholder -> text for this debtor (``card`` is an objections.card.DebtorCard)."""
    makers = _value_makers(card, language, plan, next_contact, timezone)
    return {k: make() for k, make in makers.items()}


def lazy_values_for(
    card: object,
    language: str,
    *,
    plan: PlanTerms | None = None,
    next_contact: datetime | None = None,
    timezone: str | None = None,
) -> LazyValues:
    """``values_for`` as a read-only mapping with the same keys whose values are formatted when first
    read: a suggestion shows two or three answers, which read a few of the placeholders."""
    return LazyValues(_value_makers(card, language, plan, next_contact, timezone))


class LazyValues(Mapping[str, str]):
    """Placeholder -> text, each value made by its maker on first read and kept (read-only: no item
    assignment). ``keys()`` is the makers' own key view (a set, for ``placeholders <= values.keys()``)."""

    __slots__ = ("_made", "_makers")

    def __init__(self, makers: dict[str, Callable[[], str]]) -> None:
        self._makers = makers
        self._made: dict[str, str] = {}

    def __getitem__(self, key: str) -> str:
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._makers[key]()
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def __contains__(self, key: object) -> bool:
        return key in self._makers

    def keys(self) -> KeysView[str]:
        return self._makers.keys()


def _value_makers(
    card: object,
    language: str,
    plan: PlanTerms | None,
    next_contact: datetime | None,
    timezone: str | None,
) -> dict[str, Callable[[], str]]:
    """Placeholder -> a function that writes its text, for this debtor: which placeholders the card can
    fill is decided here, the formatting (babel) when a value is read."""
    from asistente.objections.card import DebtorCard

    assert isinstance(card, DebtorCard)
    loc = locale_for(language, card.jurisdiction)
    out: dict[str, Callable[[], str]] = {}
    name = " ".join(card.full_name.split())
    if name:
        out["name"] = _const(name)
        out["firstName"] = _const(name.split(" ")[0])
    main = card.main_account
    if main is not None:
        cur = main.currency
        if main.creditor:
            out["creditor"] = _const(main.creditor)
        out["product"] = _const(main.product)
        out["principal"] = partial(format_money, main.principal, cur, loc)
        out["balance"] = partial(format_money, card.balance, cur, loc)
        if main.minimum_due is not None and main.minimum_due > 0:
            out["minimumDue"] = partial(format_money, main.minimum_due, cur, loc)
        if main.due_date is not None:
            out["dueDate"] = partial(_date, main.due_date, loc)
        out["daysPastDue"] = _const(str(max(a.days_past_due for a in card.accounts)))
    if card.payments:
        last = card.payments[0]
        out["lastPaymentAmount"] = partial(format_money, last.amount, last.currency, loc)
        out["lastPaymentDate"] = partial(_date, last.paid_at.date(), loc)
        if last.reference:
            out["lastPaymentReference"] = _const(last.reference)
    pending = sorted((p for p in card.promises if p.status == "PENDING"), key=lambda p: p.due_date)
    if pending:
        out["promiseAmount"] = partial(format_money, pending[0].amount, pending[0].currency, loc)
        out["promiseDate"] = partial(_date, pending[0].due_date, loc)
    if plan is not None:
        _plan_makers(out, plan, language, loc)
    if next_contact is not None:
        out["nextContact"] = partial(_when, next_contact, timezone, loc)
    return out


def _const(text: str) -> Callable[[], str]:
    return lambda: text


def _plan_makers(out: dict[str, Callable[[], str]], plan: PlanTerms, language: str, loc: Locale) -> None:
    cur = plan.currency
    if plan.down_payment is not None:
        out["planDownPayment"] = partial(format_money, plan.down_payment, cur, loc)
    out["planInstallment"] = partial(format_money, plan.installment, cur, loc)
    out["planInstallments"] = _const(str(plan.installments))
    out["planFrequency"] = _const(_FREQUENCY["en" if language == "en" else "es"][plan.frequency])
    out["planFirstDate"] = partial(_date, plan.first_date, loc)
    out["planTotal"] = partial(format_money, plan.total, cur, loc)
    if plan.settlement_amount is not None:
        out["settlementAmount"] = partial(format_money, plan.settlement_amount, cur, loc)


def _plan_values(out: dict[str, str], plan: PlanTerms, language: str, loc: Locale) -> None:
    makers: dict[str, Callable[[], str]] = {}
    _plan_makers(makers, plan, language, loc)
    out.update((k, make()) for k, make in makers.items())


@lru_cache(maxsize=128)
def _sample(jurisdiction: str, language: str) -> Mapping[str, str]:
    loc = locale_for(language, jurisdiction)
    cur = _SAMPLE_CURRENCY.get(jurisdiction.split("-")[0].upper(), "USD")
    money = {
        "principal": Decimal("15000"),
        "balance": Decimal("12345.67"),
        "minimumDue": Decimal("1234.50"),
        "lastPaymentAmount": Decimal("500"),
        "promiseAmount": Decimal("750"),
    }
    if minor_units(cur) == 0:
        money = {k: v.quantize(Decimal(1)) for k, v in money.items()}
    out = {k: format_money(v, cur, loc) for k, v in money.items()}
    out.update(
        name="María Fernanda López Ruiz",
        firstName="María",
        creditor="Banco Ejemplo",
        product="tarjeta de crédito",
        dueDate=_date(date(2026, 10, 15), loc),
        daysPastDue="45",
        lastPaymentDate=_date(date(2026, 11, 2), loc),
        lastPaymentReference="REF-123456",
        promiseDate=_date(date(2026, 12, 15), loc),
        nextContact=_when(datetime(2026, 12, 14, 15, 0, tzinfo=ZoneInfo("UTC")), "UTC", loc),
    )
    _plan_values(
        out,
        PlanTerms(
            cur,
            Decimal("1235"),
            Decimal("1852"),
            6,
            "MONTHLY",
            date(2026, 12, 14),
            Decimal("12347"),
            Decimal("11111"),
        ),
        language,
        loc,
    )
    return out


def sample_values(jurisdiction: str, language: str) -> Mapping[str, str]:
    """Values for every placeholder, for a sample debtor of `jurisdiction` (used to check files at load)."""
    return _sample(jurisdiction, language)
