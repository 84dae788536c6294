"""Opening disclosures tracked per call, the end-of-call summary and disposition, CRM code data."""

from __future__ import annotations

import json
from functools import cache

import pytest

from asistente.calls.crm import load_disposition_codes
from asistente.calls.disclosure import DisclosureState, call_requirements, track
from asistente.calls.summary import TurnFact, summarise
from asistente.calls.turns import CallFacts, agent_turn
from asistente.compliance import RulePackError, load_packs
from asistente.compliance.packs import BUILTIN_PACK_DIR, parse_pack
from asistente.enums import CallEventKind, Disposition
from asistente.errors import BadInput


@cache
def packs():
    return load_packs()


def _run(lines, jurisdiction="US", first=True, language="en"):
    facts = CallFacts(jurisdiction=jurisdiction, language=language, timezone=None, currency="USD")
    reqs = call_requirements(packs(), jurisdiction, is_first_contact=first)
    state = DisclosureState()
    out = []
    for line in lines:
        turn = agent_turn(line, facts=facts, packs=packs(), state=state, requirements=reqs)
        state = turn.disclosure
        out.append(turn)
    return out, state, reqs


def test_us_first_call_reminds_once_after_two_lines_without_the_mini_miranda():
    turns, state, reqs = _run(
        ["Hi, is this John Miller?", "How are you doing today?", "Thanks for your time."]
    )
    assert {r.rule_id for r in reqs} >= {"US-06.1", "US-06.2", "US-06.4"}
    assert turns[0].kinds == (CallEventKind.TURN,) and not turns[0].reminders
    assert CallEventKind.DISCLOSURE_REMINDER in turns[1].kinds
    assert {h.rule_id for h in turns[1].reminders} >= {"US-06.1", "US-06.2"}
    assert {h.code for h in turns[1].reminders} >= {"MISSING_DISCLOSURE"}
    assert not turns[2].reminders  # reminded once
    assert {r.rule_id for r in state.missing(reqs)} >= {"US-06.1", "US-06.2"}


def test_what_the_opening_said_is_never_asked_again():
    opening = (
        "Hi, this is Mark Stone from Acme Recovery Services. This is an attempt to collect a debt and any "
        "information obtained will be used for that purpose."
    )
    turns, state, reqs = _run([opening, "How are you today?", "Can we talk about the balance?"])
    assert all(not t.reminders for t in turns)
    assert all(t.report.compliant for t in turns)
    assert state.missing(reqs) == []
    assert {"DEBT_COLLECTOR_DISCLOSURE", "INFO_USE_DISCLOSURE", "COMPANY_IDENTIFICATION"} <= state.said


def test_later_us_call_needs_only_the_debt_collector_disclosure():
    reqs = call_requirements(packs(), "US", is_first_contact=False)
    assert {r.rule_id for r in reqs} == {"US-06.3", "US-06.4"}


def test_mexico_identification_and_a_line_that_breaks_a_rule():
    turns, _state, reqs = _run(
        ["Bueno, ¿hablo con la señora Ana?", "Si no paga hoy la van a meter a la cárcel."],
        jurisdiction="MX",
        language="es",
    )
    assert {r.rule_id for r in reqs} >= {"MX-02.1", "MX-02.4"}
    assert turns[1].kinds == (CallEventKind.COMPLIANCE_ALERT, CallEventKind.DISCLOSURE_REMINDER)
    assert "THREAT_OF_ARREST" in {h.code for h in turns[1].report.violations}


def test_opening_turns_is_a_pack_parameter():
    state = DisclosureState()
    reqs = call_requirements(packs(), "US", is_first_contact=True)
    assert {r.within_turns for r in reqs} == {2}
    three = [type(r)(r.rule, r.any_of, 3) for r in reqs]
    for _ in range(2):
        state = track(state, three, []).state
    assert track(state, three, []).due  # the third line is when a 3-line opening is late
    base = json.loads((BUILTIN_PACK_DIR / "US.json").read_text(encoding="utf-8"))
    base["rules"][[r["id"] for r in base["rules"]].index("US-06.1")]["parameters"]["callOpeningTurns"] = 0
    with pytest.raises(RulePackError) as err:
        parse_pack(base, "US.json")
    assert "callOpeningTurns" in err.value.message and "$.rules[" in err.value.message


def test_state_round_trips_through_json():
    s = DisclosureState(3, frozenset({"SELF_IDENTIFICATION"}), frozenset({"US-06.1"}))
    assert DisclosureState.from_json(json.loads(json.dumps(s.as_json()))) == s


# ------------------------------------------------------------------------------------------- summary

PROMISE = {"amount": "500", "currency": "MXN", "dueDate": "2026-12-11", "quote": "el viernes le deposito 500"}


def test_summary_of_a_promise_in_spanish():
    turns = [
        TurnFact("AGENT", "Buenas tardes, le habla Laura de Cobranza Integral.", audit_id="a1"),
        TurnFact("DEBTOR", "Ahorita no tengo dinero", category="NO_MONEY", audit_id="a2"),
        TurnFact("AGENT", "Le ofrezco un plan de pagos mensuales de 1,200.", audit_id="a3"),
        TurnFact(
            "DEBTOR", "el viernes le deposito 500", category="PROMISE_TO_PAY", promise=PROMISE, audit_id="a4"
        ),
    ]
    out = summarise(turns, language="es", jurisdiction="MX", crm_codes={"PROMISE_TO_PAY": "PTP"})
    assert out.disposition is Disposition.PROMISE_TO_PAY and out.crm_code == "PTP"
    assert [o.value for o in out.objections] == ["NO_MONEY", "PROMISE_TO_PAY"]
    assert out.promise == PROMISE
    assert "Objeciones: no tiene dinero" in out.summary
    assert (
        "Ofertas del asesor" in out.summary and "Promesa: $500 MXN el 11 de diciembre de 2026" in out.summary
    )
    assert "Sin alertas" in out.summary
    assert "viernes" in out.reasons[0]


def test_summary_in_english_with_alerts_and_missing_disclosures():
    alert = {"ruleId": "US-13.1", "code": "THREAT_OF_ARREST", "message": "..."}
    missing = {"ruleId": "US-06.1", "code": "MISSING_DISCLOSURE", "message": "..."}
    turns = [
        TurnFact("AGENT", "You will be arrested if you don't pay.", alerts=(alert,)),
        TurnFact("DEBTOR", "I already paid this last month", category="ALREADY_PAID"),
    ]
    out = summarise(turns, language="en", missing_disclosures=[missing])
    assert out.disposition is Disposition.PAID
    assert [a["code"] for a in out.alerts] == ["THREAT_OF_ARREST", "MISSING_DISCLOSURE"]
    assert "Compliance alerts: 2" in out.summary and "The debtor said" in out.summary


@pytest.mark.parametrize(
    "category,text,expected",
    [
        ("WRONG_PARTY", "Número equivocado, aquí no vive", Disposition.WRONG_PARTY),
        ("WRONG_PARTY", "No está, soy su esposa", Disposition.THIRD_PARTY),
        ("BANKRUPTCY_OR_LAWYER", "Hable con mi abogado", Disposition.ATTORNEY_OR_BANKRUPTCY),
        ("DISPUTE", "Esa deuda no es mía", Disposition.DISPUTE),
        ("REQUEST_VALIDATION", "Send me validation of this debt", Disposition.DISPUTE),
        ("CALL_LATER", "Llámeme más tarde", Disposition.CALLBACK),
        ("HARDSHIP", "Estoy enfermo y sin trabajo", Disposition.HARDSHIP),
        ("REFUSAL", "No voy a pagar", Disposition.REFUSAL),
        ("NONE", "Bueno, ¿quién habla?", Disposition.NO_COMMITMENT),
    ],
)
def test_dispositions(category, text, expected):
    out = summarise([TurnFact("DEBTOR", text, category=category)], language="es")
    assert out.disposition is expected and out.reasons


def test_promise_with_a_plan_is_a_payment_plan():
    turns = [
        TurnFact("DEBTOR", "¿Me puede dar un plan de pagos?", category="DISCOUNT_OR_PLAN"),
        TurnFact("DEBTOR", "le pago 500 el 15 y luego cada mes", category="PROMISE_TO_PAY", promise=PROMISE),
    ]
    assert summarise(turns, language="es").disposition is Disposition.PAYMENT_PLAN


def test_disposition_codes_are_schema_validated():
    assert load_disposition_codes({"PROMISE_TO_PAY": "105", "CALLBACK": "101"}) == {
        "PROMISE_TO_PAY": "105",
        "CALLBACK": "101",
    }
    for bad in ({"PROMISED": "X"}, {"PAID": ""}, {"PAID": 3}, ["PAID"]):
        with pytest.raises(BadInput) as err:
            load_disposition_codes(bad)
        assert err.value.message.startswith("codes: $")
