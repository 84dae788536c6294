"""Redaction: each identifier, its check digit, known values, amounts left alone, exact round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asistente.llm.redact import (
    KnownValues,
    cbu_ok,
    clabe_ok,
    dni_es_ok,
    iban_ok,
    luhn_ok,
    redact,
    restore,
    rut_ok,
)


def _kinds(text: str, known: KnownValues | None = None) -> dict[str, str]:
    """{original: kind} of what was redacted."""
    _, mapping = redact(text, known)
    return {orig: ph.strip("[]").rsplit("_", 1)[0] for ph, orig in mapping.items()}


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("escriba a maria.perez@correo.com.mx hoy", "maria.perez@correo.com.mx", "EMAIL"),
        ("su CURP PEGM800101MDFRRR09 consta", "PEGM800101MDFRRR09", "CURP"),
        ("RFC: PEGM800101AB1.", "PEGM800101AB1", "RFC"),
        ("RFC de la empresa ABC010203XY9", "ABC010203XY9", "RFC"),
        ("titular RUT 12.345.678-5", "12.345.678-5", "RUT"),
        ("RUN 7654321-6 registrado", "7654321-6", "RUT"),
        ("con DNI 12345678Z", "12345678Z", "DNI"),
        ("NIE X1234567L vigente", "X1234567L", "NIE"),
        ("SSN 123-45-6789 on file", "123-45-6789", "SSN"),
        ("tarjeta 4111 1111 1111 1111", "4111 1111 1111 1111", "CARD"),
        ("card 5500-0000-0000-0004", "5500-0000-0000-0004", "CARD"),
        ("CLABE 002010077777777771", "002010077777777771", "CLABE"),
        ("CBU 2850590940090418135201", "2850590940090418135201", "CBU"),
        ("IBAN ES91 2100 0418 4502 0005 1332", "ES91 2100 0418 4502 0005 1332", "IBAN"),
        ("IBAN ES9121000418450200051332", "ES9121000418450200051332", "IBAN"),
        ("mi cédula es 1.020.304.050", "1.020.304.050", "ID"),
        ("C.C. No. 79.123.456 de Bogotá", "79.123.456", "ID"),
        ("identificado con DNI 45678912", "45678912", "ID"),
        ("D.N.I. 30.123.456, Buenos Aires", "30.123.456", "ID"),
        ("llame al 55 1234 5678", "55 1234 5678", "PHONE"),
        ("marque +52 55 1234 5678", "+52 55 1234 5678", "PHONE"),
        ("call (212) 555-0123 today", "(212) 555-0123", "PHONE"),
        ("al +56 9 8765 4321", "+56 9 8765 4321", "PHONE"),
        ("móvil 612 345 678", "612 345 678", "PHONE"),
        ("referencia 99881234567", "99881234567", "NUMBER"),
    ],
)
def test_each_identifier_is_redacted(text: str, value: str, kind: str) -> None:
    redacted, mapping = redact(text)
    assert value not in redacted
    assert _kinds(text).get(value) == kind, mapping
    assert restore(redacted, mapping) == text


@pytest.mark.parametrize(
    "text",
    [
        "RUT 12.345.678-9 con dígito equivocado",  # wrong check digit: not a RUT (and no digit run of 8)
        "el 12345678A no es un DNI válido",  # wrong letter
        "SSN 000-12-3456 is not issued",
    ],
)
def test_wrong_check_digits_are_not_recognised_as_that_identifier(text: str) -> None:
    kinds = set(_kinds(text).values())
    assert not kinds & {"RUT", "DNI", "SSN"}, kinds


def test_check_digit_functions() -> None:
    assert rut_ok("12345678", "5") and not rut_ok("12345678", "9")
    assert rut_ok("6", "K") and rut_ok("11111111", "1")
    assert dni_es_ok("12345678", "Z") and not dni_es_ok("12345678", "A")
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert clabe_ok("002010077777777771") and not clabe_ok("002010077777777772")
    assert cbu_ok("2850590940090418135201") and not cbu_ok("2850590940090418135202")
    assert iban_ok("ES9121000418450200051332") and not iban_ok("ES9221000418450200051332")
    assert iban_ok("GB82WEST12345698765432")


def test_invalid_long_numbers_are_still_hidden_as_numbers() -> None:
    # a CLABE with a wrong check digit is not a CLABE, but 18 digits never leave in clear
    kinds = _kinds("CLABE 002010077777777772")
    assert kinds == {"002010077777777772": "NUMBER"}


@pytest.mark.parametrize(
    "text",
    [
        "Su saldo es de $1,240.00 MXN y vence el 07/12/2026.",
        "Debe 1.240.000 pesos desde el 15 de marzo.",
        "Balance $12,345.67 due 12/15/2026, 30 days past due.",
        "Pague 450 euros antes del día 5; cuota 3 de 12.",
    ],
)
def test_amounts_and_dates_stay(text: str) -> None:
    redacted, mapping = redact(text)
    assert redacted == text and mapping == {}


def test_known_values_names_parts_phones_accounts_addresses() -> None:
    known = KnownValues.of(
        names=["María José Pérez de la Cruz", "Juan Gómez"],
        phones=["+52 (55) 1234-5678"],
        emails=["mjp@example.org"],
        accounts=["CR-99812"],
        addresses=["Av. Insurgentes Sur 1234, Col. Del Valle"],
    )
    text = (
        "Hola MARIA JOSE PEREZ DE LA CRUZ: su esposo juan nos llamó desde 5512345678. "
        "Cuenta CR-99812, domicilio av. insurgentes sur 1234, col. del valle. Escriba a MJP@example.org. "
        "Saludos, señora Pérez."
    )
    redacted, mapping = redact(text, known)
    for leaked in ("MARIA", "PEREZ", "Pérez", "juan", "5512345678", "CR-99812", "insurgentes", "MJP@"):
        assert leaked not in redacted, (leaked, redacted)
    assert "su esposo" in redacted and "nos llamó desde" in redacted  # the rest of the text stays
    assert restore(redacted, mapping) == text
    # particles of a name are not redacted on their own
    assert "de la" not in "".join(mapping.values()).replace("DE LA", "")


def test_same_value_same_placeholder() -> None:
    redacted, mapping = redact("Llame al 55 1234 5678. Repito: 55 1234 5678.")
    assert redacted == "Llame al [PHONE_1]. Repito: [PHONE_1]."
    assert mapping == {"[PHONE_1]": "55 1234 5678"}


def test_restore_leaves_unknown_placeholders_and_text() -> None:
    assert restore("[NAME_1] y [NAME_9]", {"[NAME_1]": "Ana"}) == "Ana y [NAME_9]"


_SECRETS = ["María Pérez", "55 1234 5678", "12.345.678-5", "12345678Z", "a@b.co", "002010077777777771"]
_pieces = st.sampled_from(
    [
        "Hola",
        "María Pérez",
        "su deuda",
        "$1,240.00",
        "llame al 55 1234 5678",
        "RUT 12.345.678-5",
        "DNI 12345678Z",
        "a@b.co",
        "CLABE 002010077777777771",
        "ñ,",
        "[NAME_1]x",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces, max_size=12), st.text(max_size=30))
def test_round_trip_and_nothing_leaks(pieces: list[str], noise: str) -> None:
    text = " ".join(pieces) + " " + noise
    redacted, mapping = redact(text, KnownValues.of(names=["María Pérez"]))
    if "[" not in text:  # a text that already holds placeholder-looking tokens cannot round-trip exactly
        assert restore(redacted, mapping) == text
    for secret in _SECRETS:
        if secret not in noise:
            assert secret not in redacted, (secret, redacted)
    assert "María" not in redacted.replace(noise, "") and "Pérez" not in redacted.replace(noise, "")
