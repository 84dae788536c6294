"""suggest_responses as a pure function: explicit categories (a fixed classifier), hand-built debtor cards."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

import pytest

from asistente.agreements import AccountFacts, default_policies, resolve_policy, validate_agreement
from asistente.agreements.model import AgreementProposal, Frequency, PlanKind
from asistente.compliance import DebtorFacts, load_packs
from asistente.enums import Channel, ObjectionCategory, Register, Role, Technique
from asistente.errors import BadInput
from asistente.objections.card import AccountView, DebtorCard, PaymentView
from asistente.objections.playbook import load_playbook
from asistente.objections.render import format_money, locale_for
from asistente.objections.suggest import (
    AnswerStats,
    ComplianceCache,
    NextStepKind,
    Preferences,
    choose_register,
    detect_register,
    suggest_responses,
)

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # Friday, 12:00 in Bogotá and Mexico City


@dataclass(frozen=True)
class Fixed:
    category: ObjectionCategory
    confidence: float = 0.91
    alternatives: tuple = ((ObjectionCategory.HARDSHIP, 0.05),)
    language: str = "es"
    version: str = "fixed-test"


class FixedClassifier:
    version = "fixed-test"

    def __init__(self, category: ObjectionCategory, language: str = "es") -> None:
        self.result = Fixed(category, language=language)
        self.seen: list[str] = []

    def classify(self, text: str, language: str | None = None) -> Fixed:
        self.seen.append(text)
        return self.result


@cache
def packs():
    return load_packs()


@cache
def playbook():
    return load_playbook(packs())


ADDRESSES = {
    "MX": {
        "line1": "Av. Tulum 12",
        "city": "Cancún",
        "region": "ROO",
        "postalCode": "77500",
        "country": "MX",
    },
    "CO": {
        "line1": "Cra 7 # 45-10",
        "city": "Bogotá",
        "region": "DC",
        "postalCode": "110231",
        "country": "CO",
    },
    "AR": {
        "line1": "Av. Corrientes 1234",
        "city": "Buenos Aires",
        "region": "C",
        "postalCode": "C1043",
        "country": "AR",
    },
    "ES": {
        "line1": "Calle Mayor 5",
        "city": "Madrid",
        "region": "MD",
        "postalCode": "28013",
        "country": "ES",
    },
    "US-TX": {
        "line1": "100 Main St",
        "city": "Austin",
        "region": "TX",
        "postalCode": "73301",
        "country": "US",
    },
}
CURRENCY = {"MX": "MXN", "CO": "COP", "AR": "ARS", "ES": "EUR", "US-TX": "USD"}


def card(
    jurisdiction="MX", *, disputed=False, litigation=False, time_barred=False, payments=True, language="es"
):
    cur = CURRENCY[jurisdiction]
    accounts = (
        AccountView(
            "acc-1",
            "tarjeta de crédito",
            "Banco Ceiba",
            cur,
            Decimal("30000.00"),
            Decimal("24500.50"),
            62,
            date(2026, 9, 30),
            Decimal("2100.00"),
            litigation,
            disputed,
            time_barred,
        ),
    )
    pays = (
        (PaymentView("acc-1", Decimal("1500.00"), cur, datetime(2026, 10, 28, 15, tzinfo=UTC), "OP-77812"),)
        if payments
        else ()
    )
    facts = DebtorFacts(
        jurisdiction=jurisdiction,
        addresses=(ADDRESSES[jurisdiction],),
        phones=(),
        authorized_channels=frozenset({Channel.CALL, Channel.EMAIL}),
        in_litigation=litigation,
        disputed=disputed,
        time_barred=time_barred,
    )
    return DebtorCard(
        id="d-1",
        full_name="Lucía Fernández Gómez",
        language=language,
        jurisdiction=jurisdiction,
        facts=facts,
        accounts=accounts,
        payments=pays,
        promises=(),
        interactions=(),
        segment_code="MID-MEDIUM-IRREGULAR",
    )


def run(category, c=None, utterance="no sé", language="es", **kw):
    c = c or card()
    policy = resolve_policy(default_policies(), currency=c.main_currency)
    return suggest_responses(
        utterance,
        classifier=FixedClassifier(category, language),
        card=c,
        playbook=playbook(),
        packs=kw.pop("packs", packs()),
        now=NOW,
        today=date(2026, 11, 20),
        caller_role=kw.pop("caller_role", Role.AGENT),
        policy=policy,
        cache=kw.pop("cache", ComplianceCache()),
        **kw,
    )


# ------------------------------------------------------------------------------------------ register


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("mirá, no tengo un peso, vos sabés cómo está todo", Register.VOS),
        ("che, ya te pagué la semana pasada", Register.VOS),
        ("disculpe, usted me está llamando por algo que ya pagué", Register.USTED),
        ("oye, tú ya me llamaste ayer", Register.TU),
        ("no tengo dinero", None),
    ],
)
def test_register_from_how_the_debtor_speaks(utterance, expected):
    assert detect_register(utterance) is expected


def test_register_choice_country_tenant_and_speech():
    assert choose_register("AR", "no tengo plata", Preferences()) is Register.VOS
    assert choose_register("MX", "no tengo dinero", Preferences()) is Register.USTED
    assert choose_register("CO", "no tengo plata", Preferences(register=Register.TU)) is Register.TU
    by_country = Preferences(register=Register.TU, register_by_country={"MX": Register.USTED})
    assert choose_register("MX", "no tengo", by_country) is Register.USTED
    assert choose_register("MX", "¿vos quién sos?", Preferences()) is Register.VOS
    assert choose_register("MX", "¿vos quién sos?", Preferences(mirror_debtor=False)) is Register.USTED


def test_answers_are_rendered_in_the_chosen_register_and_language():
    vos = run(ObjectionCategory.NO_MONEY, card("AR"), "mirá, no tengo un mango")
    assert vos.register is Register.VOS
    assert all(s.register is Register.VOS for s in vos.suggestions)
    assert any(w in " ".join(s.text for s in vos.suggestions) for w in ("podés", "tenés", "podrías"))
    usted = run(ObjectionCategory.NO_MONEY, card("MX"), "no tengo dinero")
    assert usted.register is Register.USTED
    assert "Lo entiendo, Lucía" in usted.suggestions[0].text
    en = run(
        ObjectionCategory.NO_MONEY, card("US-TX", language="en"), "I don't have the money", language="en"
    )
    assert en.language == "en" and all(s.register is None for s in en.suggestions)
    assert en.suggestions[0].text.startswith("I understand, Lucía")


# ------------------------------------------------------------------------------------------ content


def test_two_or_three_answers_with_distinct_techniques_first():
    for category in ObjectionCategory:
        if category is ObjectionCategory.NONE:
            continue
        out = run(category, card("MX"))
        assert 2 <= len(out.suggestions) <= 3, category
        techniques = [s.technique for s in out.suggestions]
        assert len(set(techniques)) == len(techniques), (category, techniques)
        assert all("{" not in s.text for s in out.suggestions)


def test_none_gives_no_suggestions_and_no_steps():
    out = run(ObjectionCategory.NONE, card("MX"), "🙂🙂🙂")
    assert out.suggestions == () and out.next_steps == ()


def test_amounts_and_dates_are_formatted_for_the_locale():
    def said(jurisdiction):
        out = run(ObjectionCategory.DISPUTE, card(jurisdiction))
        return " ".join(s.text for s in out.suggestions).replace("\xa0", " ")

    assert "$24,500.50" in said("MX")
    assert "$24.500,50" in said("CO")
    assert "24.500,50 €" in said("ES")
    assert "$24.500,50" in said("AR")
    assert (
        format_money(Decimal("1500000"), "CLP", locale_for("es", "CL")).replace("\xa0", " ") == "$1.500.000"
    )
    assert format_money(Decimal("1500"), "USD", locale_for("en", "US")) == "$1,500"


def test_discount_or_plan_offers_a_plan_the_agreements_domain_accepts():
    c = card("MX")
    out = run(ObjectionCategory.DISCOUNT_OR_PLAN, c)
    plan = out.plan
    assert plan and plan["valid"] is True and plan["requiresApproval"] is False
    prop = plan["proposal"]
    # Validate the same proposal again, independently: accepted for an AGENT, without approval.
    again = validate_agreement(
        AgreementProposal(
            kind=PlanKind(prop["kind"]),
            account_ids=prop["accountIds"],
            first_payment_date=date.fromisoformat(prop["firstPaymentDate"]),
            down_payment=Decimal(prop["downPayment"]) if prop["downPayment"] else None,
            installments=prop["installments"],
            frequency=Frequency(prop["frequency"]),
        ),
        accounts=[AccountFacts("acc-1", "MXN", Decimal("24500.50"), 62)],
        policy=resolve_policy(default_policies(), currency="MXN"),
        caller_role=Role.AGENT,
        today=date(2026, 11, 20),
        jurisdiction="MX",
    )
    assert again.valid and not again.requires_approval
    regular = [r for r in again.schedule if r.number >= 1]
    texts = " ".join(s.text for s in out.suggestions)
    assert f"${regular[0].amount:,}" in texts
    kinds = [s.kind for s in out.next_steps]
    assert NextStepKind.OFFER_PLAN in kinds and NextStepKind.OFFER_SETTLEMENT in kinds
    settlement = next(s for s in out.next_steps if s.kind is NextStepKind.OFFER_SETTLEMENT)
    assert "$22,051" in settlement.message  # 10% below the balance: the AGENT's own authority


def test_no_plan_on_a_disputed_account():
    out = run(ObjectionCategory.DISCOUNT_OR_PLAN, card("MX", disputed=True))
    assert out.plan is None
    assert [s.id for s in out.suggestions] == ["DISCOUNT_OR_PLAN.clarify"] or all(
        "plan" not in s.id for s in out.suggestions
    )
    assert NextStepKind.NO_PLAN in [s.kind for s in out.next_steps]


def test_already_paid_lists_recorded_payments_and_asks_for_proof():
    out = run(ObjectionCategory.ALREADY_PAID, card("MX"))
    steps = {s.kind: s.message for s in out.next_steps}
    assert "$1,500" in steps[NextStepKind.CHECK_PAYMENTS] and "OP-77812" in steps[NextStepKind.CHECK_PAYMENTS]
    assert "referencia" in steps[NextStepKind.ASK_PAYMENT_PROOF]
    assert any("28 de octubre de 2026" in s.text for s in out.suggestions) or any(
        s.id == "ALREADY_PAID.ask_reference" for s in out.suggestions
    )
    none = run(ObjectionCategory.ALREADY_PAID, card("MX", payments=False))
    assert "No hay pagos" in {s.kind: s.message for s in none.next_steps}[NextStepKind.CHECK_PAYMENTS]
    assert "ALREADY_PAID.recorded" not in [s.id for s in none.suggestions]  # needs a payment to quote


def test_us_dispute_gives_validation_rights_and_stops_collection():
    out = run(ObjectionCategory.DISPUTE, card("US-TX", language="en"), "that's not my debt", language="en")
    assert out.suggestions[0].id == "DISPUTE.us_rights"
    assert "right to dispute" in out.suggestions[0].text
    kinds = [s.kind for s in out.next_steps]
    assert kinds[:3] == [
        NextStepKind.RECORD_DISPUTE,
        NextStepKind.STOP_COLLECTION,
        NextStepKind.SEND_VALIDATION,
    ]
    mx = run(ObjectionCategory.DISPUTE, card("MX"))
    assert NextStepKind.STOP_COLLECTION not in [s.kind for s in mx.next_steps]


def test_call_later_in_colombia_names_the_next_allowed_call():
    out = run(ObjectionCategory.CALL_LATER, card("CO"))
    step = next(s for s in out.next_steps if s.kind is NextStepKind.SCHEDULE_CALLBACK)
    assert step.at is not None and step.at > NOW
    # Ley 2300: one contact a day; Saturday 8:00 in Bogotá is the next window.
    assert step.at == datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    first = out.suggestions[0]
    assert first.id == "CALL_LATER.co_ley2300" and "sábado 21 de noviembre a las 8:00" in first.text


def test_wrong_party_never_mentions_the_debt():
    out = run(ObjectionCategory.WRONG_PARTY, card("MX"))
    text = " ".join(s.text for s in out.suggestions).lower()
    for word in ("deuda", "saldo", "banco ceiba", "$", "pago", "cuenta"):
        assert word not in text
    assert [s.kind for s in out.next_steps] == [NextStepKind.DO_NOT_DISCLOSE]


def test_litigation_and_time_barred_steps():
    out = run(ObjectionCategory.NO_MONEY, card("MX", litigation=True))
    assert out.next_steps[0].kind is NextStepKind.LITIGATION_HOLD
    assert not any(s.id == "NO_MONEY.plan" for s in out.suggestions)
    tb = run(ObjectionCategory.REFUSAL, card("MX", time_barred=True))
    assert NextStepKind.TIME_BARRED in [s.kind for s in tb.next_steps]


def test_tenant_overlay_drops_an_answer_and_reports_it():
    overlay = {
        "version": "2026.12.1",
        "jurisdiction": "MX",
        "name": "Acme: amounts only in writing",
        "rules": [
            {
                "id": "ACME-MX-NO-AMOUNTS",
                "kind": "forbidden_elements",
                "code": "MISREPRESENTATION",
                "source": "Política interna Acme 4.2: montos sólo por escrito",
                "channels": ["CALL"],
                "parameters": {"elements": ["AMOUNT_MENTION"]},
            }
        ],
    }
    strict = packs().with_overlay(overlay)
    out = run(ObjectionCategory.DISPUTE, card("MX"), packs=strict)
    assert [d.answer_id for d in out.dropped] == ["DISPUTE.clarify"]
    assert out.dropped[0].hits[0].rule_id == "ACME-MX-NO-AMOUNTS"
    assert "DISPUTE.clarify" not in [s.id for s in out.suggestions]
    assert len(out.suggestions) == 2
    audit = out.audit_output()
    assert audit["blocked"] == [
        {"answerId": "DISPUTE.clarify", "ruleId": "ACME-MX-NO-AMOUNTS", "code": "MISREPRESENTATION"}
    ]
    assert "tenant:MX@2026.12.1" in out.pack_version


def test_feedback_moves_ranking():
    base = run(ObjectionCategory.REFUSAL, card("MX"))
    first = base.suggestions[0].id
    sunk = run(ObjectionCategory.REFUSAL, card("MX"), stats={first: AnswerStats(discarded=6)})
    assert sunk.suggestions[0].id != first
    assert first in [s.id for s in sunk.suggestions] or len(sunk.suggestions) == 3
    risen_id = base.suggestions[-1].id
    risen = run(ObjectionCategory.REFUSAL, card("MX"), stats={risen_id: AnswerStats(used=8)})
    assert risen.suggestions[0].id == risen_id


def test_compliance_verdicts_are_cached_per_text_and_registry():
    cache = ComplianceCache()
    run(ObjectionCategory.DISPUTE, card("MX"), cache=cache)
    misses = cache.misses
    run(ObjectionCategory.DISPUTE, card("MX"), cache=cache)
    assert cache.misses == misses and cache.hits >= 3
    other = replace(card("MX"), accounts=(replace(card("MX").accounts[0], balance=Decimal("9999.99")),))
    run(ObjectionCategory.DISPUTE, other, cache=cache)
    assert cache.misses > misses  # a different text is checked, never assumed


def test_bad_input():
    for text in ("", "   ", "x" * 10_000):
        with pytest.raises(BadInput):
            run(ObjectionCategory.NO_MONEY, card("MX"), text)
    with pytest.raises(BadInput):
        run(ObjectionCategory.NO_MONEY, replace(card("MX"), jurisdiction=None))


def test_rationale_and_technique_are_given():
    out = run(ObjectionCategory.HARDSHIP, card("MX"))
    for s in out.suggestions:
        assert " / " in s.rationale and isinstance(s.technique, Technique)


def test_conditions_on_the_account_select_answers():
    from asistente.objections.card import PromiseView

    base = card("MX")
    early = replace(base, accounts=(replace(base.accounts[0], days_past_due=12),))
    assert "NO_MONEY.early" in [s.id for s in run(ObjectionCategory.NO_MONEY, early).suggestions]
    assert "NO_MONEY.early" not in [
        s.id for s in run(ObjectionCategory.NO_MONEY, base).suggestions
    ]  # 62 days

    high = replace(base, segment_code="LATE-HIGH-POOR")
    assert "DISCOUNT_OR_PLAN.high_balance" in [
        s.id for s in run(ObjectionCategory.DISCOUNT_OR_PLAN, high).suggestions
    ]
    assert "DISCOUNT_OR_PLAN.high_balance" not in [
        s.id for s in run(ObjectionCategory.DISCOUNT_OR_PLAN, base).suggestions
    ]

    installment = PromiseView(Decimal("3500.00"), "MXN", date(2026, 12, 1), "PENDING", "agr-1")
    with_agreement = replace(base, active_agreements=1, promises=(installment,))
    first = run(ObjectionCategory.PROMISE_TO_PAY, with_agreement).suggestions[0]
    assert first.id == "PROMISE_TO_PAY.agreement"
    assert "$3,500" in first.text and "1 de diciembre de 2026" in first.text
    assert "PROMISE_TO_PAY.agreement" not in [
        s.id for s in run(ObjectionCategory.PROMISE_TO_PAY, base).suggestions
    ]

    barred = run(ObjectionCategory.REFUSAL, card("MX", time_barred=True))
    assert barred.suggestions[0].id == "REFUSAL.time_barred"
    assert "REFUSAL.options" not in [s.id for s in barred.suggestions]  # excluded for time-barred debts


def test_wrong_party_never_asks_a_third_party_to_relay_in_the_us_or_colombia():
    us = [s.id for s in run(ObjectionCategory.WRONG_PARTY, card("US-TX")).suggestions]
    co = [s.id for s in run(ObjectionCategory.WRONG_PARTY, card("CO")).suggestions]
    mx = [s.id for s in run(ObjectionCategory.WRONG_PARTY, card("MX")).suggestions]
    assert "WRONG_PARTY.message" in mx
    assert "WRONG_PARTY.message" not in us and "WRONG_PARTY.us_location" in us
    assert "WRONG_PARTY.message" not in co and "WRONG_PARTY.co_update" in co


def test_interest_and_fees_explain_the_balance():
    out = run(ObjectionCategory.INTEREST_FEES, card("MX"))
    steps = {s.kind: s.message for s in out.next_steps}
    assert list(steps) == [NextStepKind.EXPLAIN_BALANCE]
    assert (
        "$30,000" in steps[NextStepKind.EXPLAIN_BALANCE]
        and "$24,500.50" in steps[NextStepKind.EXPLAIN_BALANCE]
    )


@pytest.mark.parametrize(
    ("utterance", "record", "detected", "expected"),
    [
        # the stop-word count calls these English ("a" is an English stop word); "la", "van"... are not
        ("¿me van a meter a la cárcel?", "es", "en", "es"),
        ("me van a meter a la carcel", "es", "en", "es"),
        # a turn with no word of the record's language keeps its own language
        ("I already paid that last week", "es", "en", "en"),
        ("ya le pagué la semana pasada", "en", "es", "es"),
        ("no tengo the money right now", "en", "es", "en"),
    ],
)
def test_answer_language_keeps_the_record_when_the_turn_speaks_it(utterance, record, detected, expected):
    c = card("MX" if record == "es" else "US-TX", language=record)
    got = run(ObjectionCategory.CONSEQUENCES, c, utterance, language=detected)
    assert got.language == expected
    assert all((s.register is None) == (expected == "en") for s in got.suggestions)


def test_a_mexican_debtor_asking_about_jail_hears_the_spanish_no_prison_answer():
    """Found trying the demo: "¿me van a meter a la cárcel?" from a Mexican debtor got the English text."""
    from asistente.objections.classifier import default_classifier

    got = suggest_responses(
        "¿me van a meter a la cárcel?",
        classifier=default_classifier(),
        card=card("MX"),
        playbook=playbook(),
        packs=packs(),
        now=NOW,
        today=date(2026, 11, 20),
        caller_role=Role.AGENT,
        policy=resolve_policy(default_policies(), currency="MXN"),
        cache=ComplianceCache(),
    )
    assert got.category is ObjectionCategory.CONSEQUENCES
    assert got.language == "es"
    assert any("prisión por deudas" in s.text for s in got.suggestions), [s.text for s in got.suggestions]
