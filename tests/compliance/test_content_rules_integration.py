"""check_text with the real detector (asistente.compliance.detect). Skipped while its lexicon is incomplete."""

from __future__ import annotations

import pytest

from asistente.compliance.content import check_text
from asistente.compliance.packs import load_packs
from asistente.enums import Channel, RecipientRole, ViolationCode

try:
    from asistente.compliance import detect as real_detect
except Exception as exc:  # the detector module or its lexicon is not in place yet
    pytest.skip(f"real detector unavailable: {exc}", allow_module_level=True)

C = ViolationCode
REG = load_packs()


def codes(text: str, jurisdiction: str, **kw: object) -> set[ViolationCode]:
    kw.setdefault("check_required", False)
    report = check_text(
        text, channel=kw.pop("channel", Channel.CALL), jurisdiction=jurisdiction, packs=REG, **kw
    )
    return {v.code for v in report.violations}


def test_real_detector_jail_threat_vs_negation() -> None:
    assert C.THREAT_OF_ARREST in codes(
        "Si no paga hoy, mañana lo van a meter a la cárcel.", "MX", language="es"
    )
    assert codes("Le recuerdo que no existe prisión por deudas en México.", "MX", language="es") == set()


def test_real_detector_third_party_debt_mention() -> None:
    text = "Dígale a su hijo que tiene una deuda pendiente con el banco."
    assert C.THIRD_PARTY_DISCLOSURE in codes(text, "CL", language="es", recipient_role=RecipientRole.FAMILY)


def test_real_detector_is_the_default() -> None:
    text = "Somos del juzgado y esto es un emplazamiento."
    report = check_text(
        text, channel=Channel.LETTER, jurisdiction="PE", packs=REG, check_required=False, language="es"
    )
    assert (
        report.violations
        == check_text(
            text,
            channel=Channel.LETTER,
            jurisdiction="PE",
            packs=REG,
            check_required=False,
            language="es",
            detector=real_detect,
        ).violations
    )


# ---------------------------------------------------------------- generalised concepts, end to end
# Sentences written for these tests (not taken from any labelled corpus).


@pytest.mark.parametrize(
    ("jurisdiction", "language", "text"),
    [
        (
            "CO",
            "es",
            "FISCALÍA GENERAL DE LA NACIÓN informa: registra una obligación en mora con Banco Azul.",
        ),
        ("ES", "es", "POLICÍA NACIONAL - Aviso: consta a su nombre un impago con Préstamos Ya."),
        ("PE", "es", "SUNAT COMUNICA: Sr. Quispe, usted mantiene una deuda con Caja Sur."),
        ("CL", "es", "Le habla el doctor Soto, de la Comisión para el Mercado Financiero, por su crédito."),
        ("MX", "es", "*SAT* | Gerencia de Cobranza: su adeudo con Tiendas Lux debe cubrirse hoy."),
        ("AR", "es", "Desde la AFIP te recordamos que tu tarjeta tiene saldo vencido."),
        (
            "US",
            "en",
            "Federal Trade Commission - Enforcement Office: your balance with Zephyr Card is overdue.",
        ),
    ],
)
def test_authority_as_sender_is_impersonation(jurisdiction: str, language: str, text: str) -> None:
    assert C.IMPERSONATION in codes(text, jurisdiction, language=language, channel=Channel.SMS)


@pytest.mark.parametrize(
    ("jurisdiction", "language", "text"),
    [
        ("MX", "es", "Puede entregar el abono en efectivo a nuestro gestor cuando la visite."),
        ("MX", "es", "Deposite en OXXO a la tarjeta de mi supervisor y él lo aplica."),
        ("MX", "es", "La CLABE que le paso es la de mi jefa, ella lo registra."),
        ("CO", "es", "Consigne a la cuenta de un compañero y le enviamos el paz y salvo."),
    ],
)
def test_payment_to_a_person_is_payment_destination(jurisdiction: str, language: str, text: str) -> None:
    assert C.PAYMENT_DESTINATION in codes(text, jurisdiction, language=language)


@pytest.mark.parametrize(
    ("jurisdiction", "role", "text"),
    [
        ("MX", RecipientRole.DEBTOR, "Si no abona hoy, colgamos la lona en su portón con su nombre."),
        (
            "CO",
            RecipientRole.EMPLOYER,
            "Favor fijar este listado de deudores en la cartelera de la cafetería.",
        ),
        (
            "PE",
            RecipientRole.OTHER,
            "Vecinos del jirón Ayacucho: la señora del 210 le debe S/ 3,000 a Caja Sur.",
        ),
        ("CL", RecipientRole.DEBTOR, "Vamos a avisar con megáfono en su pasaje que usted no paga."),
    ],
)
def test_exposure_in_any_place_is_public_shaming(jurisdiction: str, role: RecipientRole, text: str) -> None:
    assert C.PUBLIC_SHAMING in codes(text, jurisdiction, language="es", recipient_role=role)


def test_generalised_look_alikes_stay_compliant() -> None:
    assert (
        codes("Si algún gestor le pide depositar en una tarjeta, no lo haga; pague solo al banco.", "MX")
        == set()
    )
    assert (
        codes("Si no hay acuerdo, el banco podría iniciar un proceso ejecutivo y un juez decidiría.", "CO")
        == set()
    )
    assert (
        codes("Bancolombia, vigilada por la Superintendencia Financiera, le recuerda su cuota.", "CO")
        == set()
    )
    time_barred = "La ley limita el tiempo durante el cual lo pueden demandar por una deuda."
    assert C.TIME_BARRED_THREAT not in codes(time_barred, "US", language="es", time_barred=True)


def test_creditor_named_with_en_nombre_de_counts_as_identification() -> None:
    text = (
        "Cobranzas Hidalgo, S.C., le escribe en nombre de Banco Solidez, S.A. Gestora: Lic. Ana Ruiz. "
        "Saldo vencido: $8,200.00."
    )
    got = codes(text, "MX", language="es", channel=Channel.LETTER, is_first_contact=True, check_required=True)
    assert C.MISSING_IDENTIFICATION not in got
