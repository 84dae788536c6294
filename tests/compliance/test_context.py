"""Context MESSAGE vs CALL_TURN: which rules are per communication (pack scope) and which per line."""

from __future__ import annotations

import json

import pytest

from asistente.compliance import check_text, load_packs
from asistente.compliance.packs import BUILTIN_PACK_DIR, PackRegistry, RulePackError, parse_pack
from asistente.enums import Channel, ComplianceContext
from asistente.errors import BadInput

MID_CALL = "Thanks for confirming, Mr. Ochoa. Can you make a payment of $200 today?"
THREAT = "If you don't pay today you will be arrested by the police."


@pytest.fixture(scope="module")
def reg() -> PackRegistry:
    return load_packs()


def codes(report) -> set[str]:
    return {v.code.value for v in report.violations}


def test_every_required_element_rule_is_per_communication_and_says_so_in_its_pack(reg: PackRegistry) -> None:
    for j in reg.known():
        for rule in reg.get(j).rules:
            if rule.kind == "required_elements":
                assert rule.scope == "communication", rule.id
            else:
                assert rule.scope == "line", rule.id
    # and the packs that have such rules state the scope explicitly (a reader of the JSON sees it)
    for path in BUILTIN_PACK_DIR.glob("*.json"):
        for raw in json.loads(path.read_text(encoding="utf-8"))["rules"]:
            if raw["kind"] == "required_elements":
                assert raw.get("scope") == "communication", (path.name, raw["id"])


def test_scope_defaults_and_explicit_values() -> None:
    base = {"jurisdiction": "ES", "version": "t", "name": "t"}
    required = {
        "id": "T-1",
        "kind": "required_elements",
        "code": "MISSING_IDENTIFICATION",
        "source": "Test art. 1",
        "parameters": {"anyOf": ["COMPANY_IDENTIFICATION"], "when": "always"},
    }
    signal = {
        "id": "T-2",
        "kind": "forbidden_signal",
        "code": "HARASSMENT",
        "source": "Test art. 2",
        "parameters": {"signals": ["INSULT"]},
    }
    pack = parse_pack({**base, "rules": [required, signal]}, "t.json")
    assert [r.scope for r in pack.rules] == ["communication", "line"]
    # a line rule may be declared per communication (stricter reading is the pack author's call)
    pack = parse_pack({**base, "rules": [{**signal, "scope": "communication"}]}, "t.json")
    assert pack.rules[0].scope == "communication"
    with pytest.raises(RulePackError) as err:
        parse_pack({**base, "rules": [{**required, "scope": "line"}]}, "t.json")
    assert err.value.path == "$.rules[0].scope"
    with pytest.raises(RulePackError) as err:
        parse_pack({**base, "rules": [{**signal, "scope": "turn"}]}, "t.json")
    assert err.value.path == "$.rules[0].scope" and "turn" in err.value.reason


@pytest.mark.parametrize("jurisdiction", ["US", "US-IL"])
def test_us_mid_call_line_without_mini_miranda(reg: PackRegistry, jurisdiction: str) -> None:
    as_message = check_text(MID_CALL, channel=Channel.CALL, jurisdiction=jurisdiction, packs=reg)
    assert "MISSING_DISCLOSURE" in codes(as_message)
    as_turn = check_text(
        MID_CALL,
        channel=Channel.CALL,
        jurisdiction=jurisdiction,
        packs=reg,
        context=ComplianceContext.CALL_TURN,
    )
    assert as_turn.compliant and not as_turn.violations


def test_first_contact_mexico_turn_leaves_identification_to_the_call(reg: PackRegistry) -> None:
    line = "Buenas tardes, ¿cuándo puede pagar los 3,000 pesos?"
    msg = check_text(line, channel="CALL", jurisdiction="MX", packs=reg, is_first_contact=True)
    assert "MISSING_IDENTIFICATION" in codes(msg)
    turn = check_text(
        line, channel="CALL", jurisdiction="MX", packs=reg, is_first_contact=True, context="CALL_TURN"
    )
    assert turn.compliant


@pytest.mark.parametrize("context", ["MESSAGE", "CALL_TURN"])
def test_a_threat_is_a_violation_in_both_contexts(reg: PackRegistry, context: str) -> None:
    report = check_text(THREAT, channel="CALL", jurisdiction="US", packs=reg, context=context)
    assert "THREAT_OF_ARREST" in codes(report)


def test_third_party_line_inside_a_call_still_must_not_mention_the_debt(reg: PackRegistry) -> None:
    line = "Please tell him he owes $1,240 on his credit card."
    report = check_text(
        line, channel="CALL", jurisdiction="US", packs=reg, recipient_role="FAMILY", context="CALL_TURN"
    )
    assert "THIRD_PARTY_DISCLOSURE" in codes(report)


def test_tenant_line_rule_declared_per_communication_is_left_to_the_call(reg: PackRegistry) -> None:
    overlay = {
        "jurisdiction": "US",
        "version": "acme-1",
        "name": "acme",
        "rules": [
            {
                "id": "ACME-1",
                "kind": "forbidden_elements",
                "code": "VOICEMAIL_CONTENT",
                "scope": "communication",
                "source": "Acme policy 4",
                "parameters": {"elements": ["AMOUNT_MENTION"]},
            }
        ],
    }
    line = "This is Rachel with National Recovery, a debt collector. The balance is $200."
    msg = check_text(line, channel="CALL", jurisdiction="US", packs=reg, tenant_overlay=overlay)
    turn = check_text(
        line, channel="CALL", jurisdiction="US", packs=reg, tenant_overlay=overlay, context="CALL_TURN"
    )
    assert "ACME-1" in {v.rule_id for v in msg.violations}
    assert "ACME-1" not in {v.rule_id for v in turn.violations}


@pytest.mark.parametrize("channel", ["SMS", "EMAIL", "LETTER", "VOICEMAIL", "WHATSAPP"])
def test_call_turn_on_a_channel_that_is_not_a_call(reg: PackRegistry, channel: str) -> None:
    with pytest.raises(BadInput) as err:
        check_text(MID_CALL, channel=channel, jurisdiction="US", packs=reg, context="CALL_TURN")
    assert err.value.errors[0].field == "context"
    assert channel in err.value.message


def test_unknown_context(reg: PackRegistry) -> None:
    with pytest.raises(BadInput) as err:
        check_text(MID_CALL, channel="CALL", jurisdiction="US", packs=reg, context="TURN")
    assert err.value.errors[0].field == "context" and "'TURN'" in err.value.message
