"""Forbidden-phrase signals and required-content elements (asistente.compliance.detect)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from asistente.compliance.detect import (
    ELEMENTS,
    LEXICON_VERSION,
    SIGNALS,
    Detection,
    default_matcher,
    detect,
    find_elements,
)


def signals(text: str, language: str | None = None) -> set[str]:
    return {d.signal for d in detect(text, language)}


# (signal, text) that must be detected -- Spanish variants and English
POSITIVE = [
    ("ARREST_THREAT", "Si no paga hoy, usted irá a la cárcel."),
    ("ARREST_THREAT", "Lo vamos a meter preso, señor."),
    ("ARREST_THREAT", "Ya existe una orden de aprehensión en su contra."),
    ("ARREST_THREAT", "Vos vas a terminar en cana si no pagás."),  # AR voseo
    ("ARREST_THREAT", "You'll be arrested if you don't pay."),
    ("ARREST_THREAT", "There is a warrant out for you."),
    ("CRIMINAL_ACCUSATION", "No pagar es delito."),
    ("CRIMINAL_ACCUSATION", "Lo denunciaremos penalmente por no pagar."),
    ("CRIMINAL_ACCUSATION", "We will file criminal charges against you."),
    ("SEIZURE_THREAT", "Mañana embargamos su casa."),
    ("SEIZURE_THREAT", "Le vamos a quitar su carro."),
    ("SEIZURE_THREAT", "We'll garnish your wages tomorrow."),
    ("LAWSUIT_THREAT", "Lo vamos a demandar."),
    ("LAWSUIT_THREAT", "Iniciaremos acciones legales en su contra."),
    ("LAWSUIT_THREAT", "We will sue you."),
    ("FAKE_COURT_DOCUMENT", "JUZGADO PRIMERO DE LO CIVIL. EMPLAZAMIENTO."),
    ("FAKE_COURT_DOCUMENT", "Se le deja citatorio para el lunes."),
    ("FAKE_COURT_DOCUMENT", "Cédula de notificación, expediente n.º 1234/2024."),
    ("FAKE_COURT_DOCUMENT", "You have been served with a summons."),
    ("FAKE_COURT_DOCUMENT", "The sheriff will serve you tomorrow."),
    ("AUTHORITY_IMPERSONATION", "Le habla el licenciado del juzgado."),
    ("AUTHORITY_IMPERSONATION", "Somos de la CONDUSEF."),
    ("AUTHORITY_IMPERSONATION", "Le llamo de parte del SERNAC."),
    ("AUTHORITY_IMPERSONATION", "This is the IRS calling."),
    ("AUTHORITY_IMPERSONATION", "We are calling from the police department."),
    ("INSULT", "Usted es un moroso y un sinvergüenza."),
    ("INSULT", "Pinche ratero, pague."),
    ("INSULT", "Sos un boludo."),
    ("INSULT", "Pay up, you deadbeat."),
    ("INSULT", "Stop being a liar."),
    ("INTIMIDATION", "Sabemos dónde estudian sus hijos."),
    ("INTIMIDATION", "Te voy a buscar, duerme en paz."),
    ("INTIMIDATION", "Vas a ver lo que te pasa."),
    ("INTIMIDATION", "We know where you live."),
    ("PUBLIC_SHAMING", "Publicaremos su deuda en redes sociales."),
    ("PUBLIC_SHAMING", "Todos sus vecinos sabrán que usted no paga."),
    ("PUBLIC_SHAMING", "We'll post it online."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Avisaremos a su jefe."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Vamos a llamar a sus referencias."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "We'll call your employer."),
    ("PERMANENT_CREDIT_DAMAGE", "Quedará en Buró de por vida."),
    ("PERMANENT_CREDIT_DAMAGE", "Nunca más tendrá crédito."),
    ("PERMANENT_CREDIT_DAMAGE", "Your credit is ruined forever."),
    ("ASKING_REASON", "¿Por qué no ha pagado?"),
    ("ASKING_REASON", "¿Cuál es el motivo de su atraso?"),
    ("ASKING_REASON", "Why haven't you paid?"),
    ("PERSONAL_ACCOUNT_PAYMENT", "Deposite a mi cuenta personal."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Transfiera a nombre del asesor."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Pay me directly via Zelle to my personal account."),
    ("FALSE_URGENCY_OR_DECEPTION", "Hoy es el último día antes del juicio."),
    ("FALSE_URGENCY_OR_DECEPTION", "Esta es su última oportunidad antes del embargo."),
    ("FALSE_URGENCY_OR_DECEPTION", "This is your final notice before court."),
    ("CLAIMED_LAWSUIT", "Su obligación ya está demandada."),
    ("CLAIMED_LAWSUIT", "Cobro en Tribunal activado por adeudo, tiene 24 horas."),
    ("CLAIMED_LAWSUIT", "A complaint has been filed against you."),
    ("CLAIMED_LAWSUIT", "You are being taken to court over this balance."),
]

# (signal, text) that must NOT be detected: negations, true conditionals, quotes, legit references
NEGATIVE = [
    ("ARREST_THREAT", "No existe prisión por deudas."),
    ("ARREST_THREAT", "Nadie va a ir a la cárcel por esto."),
    ("ARREST_THREAT", "We will never threaten you with arrest."),
    ("ARREST_THREAT", "You cannot be arrested for this debt."),
    ("ARREST_THREAT", "El cliente dijo 'me van a meter a la cárcel'."),
    ("ARREST_THREAT", 'He said "you will arrest me" and we explained it is not true.'),
    ("ARREST_THREAT", "El cliente dijo que lo van a meter a la cárcel; le explicamos que no."),
    ("CRIMINAL_ACCUSATION", "No pagar no es delito, es un incumplimiento civil."),
    ("CRIMINAL_ACCUSATION", "Debt is not a crime."),
    ("SEIZURE_THREAT", "No vamos a embargar nada."),
    ("SEIZURE_THREAT", "El banco podrá ejercer las acciones previstas en su contrato."),
    ("SEIZURE_THREAT", "Si un juez lo ordena, podría haber un embargo."),
    ("SEIZURE_THREAT", "Sin embargo, podemos ofrecerle un descuento."),
    ("SEIZURE_THREAT", "If a court orders it, your wages could be garnished."),
    ("SEIZURE_THREAT", "We will not garnish your wages."),
    ("LAWSUIT_THREAT", "No lo vamos a demandar."),
    ("LAWSUIT_THREAT", "El banco podrá ejercer las acciones previstas en su contrato."),
    ("LAWSUIT_THREAT", "We will not sue you for this debt."),
    ("FAKE_COURT_DOCUMENT", "Esta comunicación no es una notificación judicial."),
    ("FAKE_COURT_DOCUMENT", "This letter is not a summons."),
    ("AUTHORITY_IMPERSONATION", "Puede presentar una queja ante la CONDUSEF."),
    ("AUTHORITY_IMPERSONATION", "Si lo desea, puede acudir al INDECOPI."),
    ("AUTHORITY_IMPERSONATION", "You can submit a complaint to the CFPB."),
    ("INSULT", "Su cuenta se encuentra en mora desde marzo."),
    ("INSULT", "We understand your situation."),
    ("INTIMIDATION", "Le llamaremos el lunes a la hora que usted prefiera."),
    ("INTIMIDATION", "We will call you back on Monday."),
    ("PUBLIC_SHAMING", "Nunca publicaremos información de su cuenta."),
    ("PUBLIC_SHAMING", "You can pay online at our website."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "No vamos a llamar a su trabajo ni a sus referencias."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Puede hablarlo con su familia y decidir con calma."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "We will not contact your employer."),
    ("PERMANENT_CREDIT_DAMAGE", "Los registros en Buró de Crédito se eliminan después de 72 meses."),
    ("PERMANENT_CREDIT_DAMAGE", "Paying today can help your credit."),
    ("ASKING_REASON", "Le llamamos porque no ha pagado su cuota de marzo."),
    ("ASKING_REASON", "We are calling because you missed a payment."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Nunca le pediremos que deposite a una cuenta personal."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Only pay through our official website."),
    ("FALSE_URGENCY_OR_DECEPTION", "Hoy es el último día para aprovechar el descuento."),
    ("FALSE_URGENCY_OR_DECEPTION", "Today is the last day to take advantage of the discount."),
    ("CLAIMED_LAWSUIT", "No hay ninguna demanda en su contra."),
    ("CLAIMED_LAWSUIT", "Si la entidad lo demanda, recibirá una notificación del juzgado."),
    ("CLAIMED_LAWSUIT", "No lawsuit has been filed against you."),
    ("CLAIMED_LAWSUIT", "If you are sued, you have the right to respond in court."),
]


def test_contract_shapes() -> None:
    assert len(SIGNALS) == 15 and len(ELEMENTS) == 9
    assert [f.name for f in dataclasses.fields(Detection)] == [
        "signal",
        "start",
        "end",
        "pattern_id",
        "excerpt",
    ]
    assert Detection.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert "es:" in LEXICON_VERSION and "en:" in LEXICON_VERSION


def test_positive_and_negative_tables_cover_every_signal_in_both_languages() -> None:
    assert {s for s, _ in POSITIVE} == SIGNALS
    assert {s for s, _ in NEGATIVE} == SIGNALS


@pytest.mark.parametrize(("signal", "text"), POSITIVE)
def test_detects(signal: str, text: str) -> None:
    found = [d for d in detect(text) if d.signal == signal]
    assert found, detect(text)
    for d in found:
        assert text[d.start : d.end] == d.excerpt
        assert d.pattern_id.split(".")[0] in ("es", "en")


@pytest.mark.parametrize(("signal", "text"), NEGATIVE)
def test_does_not_detect(signal: str, text: str) -> None:
    assert signal not in signals(text), detect(text)


@pytest.mark.parametrize(
    ("signal", "text"),
    [
        ("ARREST_THREAT", "Usted ira a la carcel."),  # accents stripped
        ("ARREST_THREAT", "USTED IRÁ A LA CÁRCEL!!!"),  # all caps
        ("ARREST_THREAT", "usted ira a la carsel"),  # seseo typo
        ("ARREST_THREAT", "ya hay orden de aprension"),  # missing h
        ("ARREST_THREAT", "you will be arested"),
        ("SEIZURE_THREAT", "mañana le enbargamos la casa"),
        ("SEIZURE_THREAT", "MAÑANA EMBARGAMOS SU CASA"),
        ("LAWSUIT_THREAT", "demandaremos al titular"),
        ("LAWSUIT_THREAT", "lo bamos a demandar"),
        ("INSULT", "SINVERGUENZA"),
        ("PUBLIC_SHAMING", "publicaremos su deuda en Facebook"),
        ("ASKING_REASON", "¿xq no ha pagado?"),
        ("ASKING_REASON", "WHY HAVENT YOU PAID"),
    ],
)
def test_accents_case_and_typos(signal: str, text: str) -> None:
    assert signal in signals(text), detect(text)


@pytest.mark.parametrize(
    ("signal", "text"),
    [
        # a negated condition does not negate the threat
        ("SEIZURE_THREAT", "Si no paga, mañana embargamos su casa."),
        ("ARREST_THREAT", "Si usted no paga hoy lo vamos a meter a la cárcel"),
        ("ARREST_THREAT", "If you don't pay today you will be arrested."),
        ("ARREST_THREAT", "Pague hoy para no ir a la cárcel."),
        ("LAWSUIT_THREAT", "De no pagar, lo demandaremos."),
        # a negation in another clause does not reach the threat
        ("LAWSUIT_THREAT", "No pagó, pero lo vamos a demandar."),
        ("LAWSUIT_THREAT", "Usted no pagó y lo vamos a demandar."),
        ("THIRD_PARTY_DISCLOSURE_THREAT", "You didn't pay, so we will call your employer."),
        ("INSULT", "No sea mentiroso."),  # insults are not negatable
        # scare quotes without a reporting verb are still the speaker's words
        ("FAKE_COURT_DOCUMENT", 'Le dejamos un "citatorio" en su puerta.'),
        # reported speech ends where the speaker's own clause starts ("así que", "so")
        ("SEIZURE_THREAT", "Me dijiste que no tenías dinero, así que mañana embargamos tu carro."),
        ("SEIZURE_THREAT", "You said you can't pay, so we'll garnish your wages on Friday."),
        # "sin orden judicial" / "without a court order" is not a true legal condition
        ("SEIZURE_THREAT", "Embargaremos su sueldo sin orden judicial."),
        ("SEIZURE_THREAT", "We will garnish your wages without a court order."),
        # a worry is only the debtor's when it is said to be theirs
        ("ARREST_THREAT", "You should be worried: the sheriff will show up at your door."),
    ],
)
def test_negation_scope_does_not_overreach(signal: str, text: str) -> None:
    assert signal in signals(text), detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "no existe prisión por deudas",
        "Le recordamos que nadie puede ser arrestado por una deuda civil.",
        "La ley prohíbe la prisión por deudas.",
        "La prisión por deudas no existe en México.",
        "No, usted no va a ir a la cárcel.",
        "Jamás vamos a embargar su casa ni a llamar a su jefe.",
        "No le vamos a quitar nada ni lo vamos a demandar.",
        "We will not sue you or garnish your wages.",
        "You will not be arrested.",
        "Nobody is going to jail over this.",
        "Arrest is not possible for a consumer debt.",
        "Solo un juez puede ordenar el embargo de su sueldo, previa sentencia.",
        "If a judge orders it, we could garnish your wages.",
        "El cliente dijo: «me van a embargar la casa».",
        "The customer said that we would arrest him, which is false.",
        "Ella preguntó: '¿me van a meter a la cárcel?'",
        # talking about other people's threats
        "NO EXISTE PRISION POR DEUDAS. SI ALGUIEN LE AMENAZA CON CARCEL, DENUNCIELO.",
        "Some collectors threaten people with jail. We never do that.",
        # quoted debtor speech introduced by a second-person reporting verb, or denied right after
        'Me dijiste "me van a embargar la casa mañana". No, eso no es así.',
        '"Me van a quitar el sueldo", eso es falso: no hay ningún juicio.',
        # the debtor's worry or question paraphrased
        "You said you were worried the sheriff would show up. That is not going to happen.",
        "She was afraid we would garnish her wages; we explained we will not.",
        "En su correo nos pregunta si la van a denunciar por estafa. Le confirmamos que no.",
        "Le preocupa que le embarguen la casa, pero eso no va a pasar.",
        # reported speech runs to the end of the sentence across commas
        "El cliente dijo que, si no pagaba, lo iban a meter a la cárcel.",
    ],
)
def test_negations_conditionals_and_reported_speech_are_clean(text: str) -> None:
    assert detect(text) == [], detect(text)


def test_offsets_with_accents_and_emojis() -> None:
    text = "🙂🙂 Señor Pérez, ¡MAÑANA EMBARGAMOS su casa! 😡 Y avisaremos a su jefe."
    got = {d.signal: d for d in detect(text)}
    seizure = got["SEIZURE_THREAT"]
    assert seizure.excerpt == text[seizure.start : seizure.end]
    assert "EMBARGAMOS" in seizure.excerpt
    third = got["THIRD_PARTY_DISCLOSURE_THREAT"]
    assert text[third.start : third.end] == third.excerpt == "avisaremos a su jefe"


def test_offsets_with_decomposed_accents() -> None:
    text = "Usted ira\u0301 a la ca\u0301rcel"
    (d,) = [x for x in detect(text) if x.signal == "ARREST_THREAT"]
    assert d.excerpt.endswith("ca\u0301rcel")
    assert text[d.start : d.end] == d.excerpt
    assert d.end == len(text)


def test_detections_sorted_and_merged_per_signal() -> None:
    text = "Usted irá a la cárcel, irá a la cárcel. Lo vamos a demandar."
    ds = detect(text)
    assert ds == sorted(ds, key=lambda d: (d.start, d.end, d.signal))
    arrests = [d for d in ds if d.signal == "ARREST_THREAT"]
    assert len(arrests) == 2
    assert arrests[0].end <= arrests[1].start


def test_mixed_language_text_runs_both_lexicons() -> None:
    text = "Hola, we will sue you y mañana embargamos su casa."
    assert {"LAWSUIT_THREAT", "SEIZURE_THREAT"} <= signals(text)
    assert {"LAWSUIT_THREAT", "SEIZURE_THREAT"} <= signals(text, "es")
    assert {"LAWSUIT_THREAT", "SEIZURE_THREAT"} <= signals(text, "en-US")
    assert {"LAWSUIT_THREAT", "SEIZURE_THREAT"} <= signals(text, "pt")  # unknown: both, no error


def test_empty_and_symbol_only_texts() -> None:
    assert detect("") == []
    assert find_elements("") == {}
    assert detect("🙂 ... ¡¡!!") == []


# ------------------------------------------------------------------------------------------ elements

ELEMENT_POSITIVE = [
    ("SELF_IDENTIFICATION", "Buenos días, le habla Ana Gómez."),
    ("SELF_IDENTIFICATION", "Hello, my name is John Smith."),
    ("COMPANY_IDENTIFICATION", "Le llamamos de Cobranzas del Sur."),
    ("COMPANY_IDENTIFICATION", "I'm calling on behalf of First National Bank."),
    ("CREDITOR_IDENTIFICATION", "Llamamos en representación de Banco Azul."),
    (
        "CREDITOR_IDENTIFICATION",
        "Your account with First National Bank is past due; it is owed to the creditor.",
    ),
    ("DEBT_COLLECTOR_DISCLOSURE", "Esta es una comunicación de un cobrador de deudas."),
    ("DEBT_COLLECTOR_DISCLOSURE", "This is an attempt to collect a debt."),
    ("DEBT_COLLECTOR_DISCLOSURE", "This is a communication from a debt collector."),
    ("INFO_USE_DISCLOSURE", "La información obtenida se usará con ese fin."),
    ("INFO_USE_DISCLOSURE", "Any information obtained will be used for that purpose."),
    ("DEBT_MENTION", "Tiene un saldo vencido con nosotros."),
    ("DEBT_MENTION", "You have a past due balance."),
    ("AMOUNT_MENTION", "Su saldo es de $1,234.50"),
    ("AMOUNT_MENTION", "Debe 1.234,50 €"),
    ("AMOUNT_MENTION", "MXN 500"),
    ("AMOUNT_MENTION", "son 500 pesos"),
    ("AMOUNT_MENTION", "You owe $20."),
    ("OPT_OUT_INSTRUCTION", "Responda BAJA para no recibir más mensajes."),
    ("OPT_OUT_INSTRUCTION", "Reply STOP to opt out."),
    ("CALLBACK_REQUEST", "Por favor llámenos al 800 123 4567."),
    ("CALLBACK_REQUEST", "Please call us back at 800-555-0100."),
]

ELEMENT_NEGATIVE = [
    ("SELF_IDENTIFICATION", "Le llamamos para recordarle su pago."),
    ("SELF_IDENTIFICATION", "this is a reminder about your payment"),
    ("COMPANY_IDENTIFICATION", "Le llamamos de nuevo mañana."),
    ("COMPANY_IDENTIFICATION", "we are calling about your account"),
    ("CREDITOR_IDENTIFICATION", "Gracias por su tiempo."),
    ("CREDITOR_IDENTIFICATION", "Thank you for calling."),
    ("DEBT_COLLECTOR_DISCLOSURE", "Le llamamos para ofrecerle un producto."),
    ("DEBT_COLLECTOR_DISCLOSURE", "This is a courtesy reminder."),
    ("INFO_USE_DISCLOSURE", "Necesitamos actualizar su información."),
    ("INFO_USE_DISCLOSURE", "Please update your information."),
    ("DEBT_MENTION", "Gracias por su preferencia."),
    ("DEBT_MENTION", "Thank you for being a customer."),
    ("AMOUNT_MENTION", "Tiene 3 días para llamar."),
    ("AMOUNT_MENTION", "Call us within 3 days."),
    ("OPT_OUT_INSTRUCTION", "Le enviaremos un mensaje mañana."),
    ("OPT_OUT_INSTRUCTION", "We will send you a text tomorrow."),
    ("CALLBACK_REQUEST", "Gracias por atender nuestra llamada."),
    ("CALLBACK_REQUEST", "Thank you for your call."),
]


def test_element_tables_cover_every_element() -> None:
    assert {e for e, _ in ELEMENT_POSITIVE} == ELEMENTS
    assert {e for e, _ in ELEMENT_NEGATIVE} == ELEMENTS


@pytest.mark.parametrize(("element", "text"), ELEMENT_POSITIVE)
def test_finds_element(element: str, text: str) -> None:
    found = find_elements(text)
    assert found.get(element), found
    for s, e in found[element]:
        assert 0 <= s < e <= len(text)


@pytest.mark.parametrize(("element", "text"), ELEMENT_NEGATIVE)
def test_element_absent(element: str, text: str) -> None:
    assert element not in find_elements(text)


def test_element_spans_point_at_the_original_text() -> None:
    text = "💬 Le habla Ana Gómez, de Cobranzas del Sur. Su saldo vencido es de $12,450.00 MXN."
    found = find_elements(text)
    (amount,) = found["AMOUNT_MENTION"]
    assert text[amount[0] : amount[1]] == "$12,450.00 MXN"
    assert any(text[s:e] == "saldo vencido" for s, e in found["DEBT_MENTION"])
    (self_id,) = found["SELF_IDENTIFICATION"]
    assert text[self_id[0] : self_id[1]] == "Le habla Ana"
    assert set(found) <= ELEMENTS


def test_elements_are_not_negated() -> None:
    assert "CALLBACK_REQUEST" in find_elements("No dude en llamarnos: por favor llámenos al 800 123 4567.")


# ------------------------------------------------------------------------------------------ lexicon data


def _entries() -> list[tuple[str, str, str, str, bool]]:
    out = []
    for lx in default_matcher().lexicons:
        for e in lx.entries:
            out += [(e.id, e.kind, e.name, ex, True) for ex in e.examples]
            out += [(e.id, e.kind, e.name, ex, False) for ex in e.counter_examples]
    return out


@pytest.mark.parametrize(("entry_id", "kind", "name", "text", "positive"), _entries())
def test_lexicon_examples_and_counter_examples(
    entry_id: str, kind: str, name: str, text: str, positive: bool
) -> None:
    got = signals(text) if kind == "signal" else set(find_elements(text))
    if positive:
        assert name in got, f"{entry_id}: example not detected: {text!r}"
    else:
        assert name not in got, f"{entry_id}: counter-example detected: {text!r} -> {detect(text)}"


def test_every_signal_and_element_has_entries_in_both_languages() -> None:
    for lx in default_matcher().lexicons:
        names = {e.name for e in lx.entries}
        assert names == SIGNALS | ELEMENTS, (lx.language, (SIGNALS | ELEMENTS) - names)


# ------------------------------------------------------------------------------------------ speed and size


def test_long_text_is_scanned_whole() -> None:
    # Speed and linearity are measured in benchmarks/detect_speed.py, not asserted with timers here
    # (timed tests flake on a shared machine). This checks that a 100k-character text is scanned to the end.
    unit = "Le recordamos su saldo vencido de $1,200.00. Mañana embargamos su casa. We will sue you. " * 12
    unit = unit[:1000]
    big = (unit + " ") * 100
    hits = detect(big)
    elements = find_elements(big)
    assert len(big) > 100_000
    assert len([h for h in hits if h.signal == "SEIZURE_THREAT"]) >= 100
    assert max(h.end for h in hits) > 99_000
    assert "DEBT_MENTION" in elements


def test_pathological_inputs_do_not_blow_up() -> None:
    for text in ("no " * 40_000, "a" * 100_000, "🙂" * 50_000, "de la " * 20_000 + "cárcel", "'\"«" * 30_000):
        t0 = time.perf_counter()
        detect(text)
        find_elements(text)
        assert time.perf_counter() - t0 < 20.0  # a catastrophic-backtracking guard, not a speed target


def test_a_claimed_lawsuit_inside_a_court_styled_paper_is_the_paper() -> None:
    body = "Se le notifica que ha sido demandado por Financiera Solaris y cuenta con 24 horas para liquidar."
    assert "CLAIMED_LAWSUIT" in signals(body)
    paper = signals("EMPLAZAMIENTO A JUICIO. Juzgado Décimo de lo Civil de la Ciudad de México. " + body)
    assert "FAKE_COURT_DOCUMENT" in paper and "CLAIMED_LAWSUIT" not in paper
