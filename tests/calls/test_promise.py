"""Promise capture: amounts in digits and words, dates resolved in the debtor's zone, negation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from asistente.calls.promise import find_promise, parse_amount_words

# Monday 2026-12-07 18:00 UTC: 12:00 in Mexico City, 13:00 in New York.
NOW = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text,amount,due",
    [
        ("el viernes le deposito 500", "500", date(2026, 12, 11)),
        ("le pago mil pesos el 15", "1000", date(2026, 12, 15)),
        ("ahorita no tengo, pero en la quincena le abono dos mil quinientos", "2500", date(2026, 12, 15)),
        ("mañana le transfiero $1,500.50", "1500.50", date(2026, 12, 8)),
        ("te pago 3 mil pasado mañana", "3000", date(2026, 12, 9)),
        ("le pago 800 el 15 de enero", "800", date(2027, 1, 15)),
        ("voy a pagar 1.200 a fin de mes", "1200", date(2026, 12, 31)),
        ("le deposito quinientos el día cinco", "500", date(2027, 1, 5)),
        ("en la próxima quincena le pago 700", "700", date(2026, 12, 15)),
        ("le pago 450 en 3 días", "450", date(2026, 12, 10)),
    ],
)
def test_spanish_promises(text, amount, due):
    p = find_promise(text, now=NOW, tz="America/Mexico_City", currency="MXN")
    assert p is not None, text
    assert (p.amount, p.currency, p.due_date) == (Decimal(amount), "MXN", due)


@pytest.mark.parametrize(
    "text,amount,due,currency",
    [
        ("I can do 200 on the 15th", "200", date(2026, 12, 15), "USD"),
        ("I'll pay two hundred fifty dollars on Friday", "250", date(2026, 12, 11), "USD"),
        ("I will send 100 in three days", "100", date(2026, 12, 10), "USD"),
        ("I can pay 75 tomorrow", "75", date(2026, 12, 8), "USD"),
        ("I'll pay you on December 20 three hundred", "300", date(2026, 12, 20), "USD"),
        ("I can do a thousand at the end of the month", "1000", date(2026, 12, 31), "USD"),
    ],
)
def test_english_promises(text, amount, due, currency):
    p = find_promise(text, now=NOW, tz="America/New_York", currency="USD")
    assert p is not None, text
    assert (p.amount, p.currency, p.due_date) == (Decimal(amount), currency, due)


@pytest.mark.parametrize(
    "text",
    [
        "no puedo pagar 500 el viernes",
        "no le voy a pagar nada",
        "en la mañana le pago",  # no amount
        "le pago 300",  # no date
        "el viernes tengo 500 de deuda con otro banco",  # no commitment
        "I can't pay 200 on the 15th",
        "I won't be able to pay anything",
        "my rent is 900 on the 1st",
    ],
)
def test_not_a_promise(text):
    assert find_promise(text, now=NOW, tz="America/Mexico_City", currency="MXN") is None


def test_dates_are_the_debtors_calendar():
    # 2026-12-08 03:00 UTC is still Monday the 7th in Mexico City (21:00) but Tuesday in Madrid.
    late = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    mx = find_promise("mañana le pago 100", now=late, tz="America/Mexico_City", currency="MXN")
    es = find_promise("mañana le pago 100", now=late, tz="Europe/Madrid", currency="EUR")
    assert mx.due_date == date(2026, 12, 8) and es.due_date == date(2026, 12, 9)


def test_quincena_on_pay_day_and_weekday_on_the_same_day():
    friday = datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
    assert find_promise(
        "el viernes le pago 100", now=friday, tz="America/Mexico_City", currency="MXN"
    ).due_date == (date(2026, 12, 18))
    assert find_promise(
        "este viernes le pago 100", now=friday, tz="America/Mexico_City", currency="MXN"
    ).due_date == (date(2026, 12, 11))
    fifteenth = datetime(2026, 12, 15, 18, 0, tzinfo=UTC)
    assert find_promise(
        "en la quincena le pago 100", now=fifteenth, tz="America/Mexico_City", currency="MXN"
    ).due_date == (date(2026, 12, 15))
    assert find_promise(
        "en la próxima quincena le pago 100", now=fifteenth, tz="America/Mexico_City", currency="MXN"
    ).due_date == date(2026, 12, 31)


def test_named_currency_and_number_words():
    p = find_promise("el lunes le mando 20 dólares", now=NOW, tz="America/Mexico_City", currency="MXN")
    assert (p.amount, p.currency, p.due_date) == (Decimal(20), "USD", date(2026, 12, 14))
    assert parse_amount_words(["dos", "mil", "quinientos"]) == 2500
    assert parse_amount_words(["ciento", "veinte"]) == 120
    assert parse_amount_words(["treinta", "y", "cinco", "mil"]) == 35000
    assert parse_amount_words(["one", "thousand", "two", "hundred", "and", "fifty"]) == 1250
    assert parse_amount_words(["hola"]) is None


def test_now_must_be_aware():
    with pytest.raises(ValueError):
        find_promise("le pago 100 mañana", now=datetime(2026, 12, 7), tz=None, currency="MXN")
