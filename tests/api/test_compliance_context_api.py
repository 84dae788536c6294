"""checkCompliance(context: MESSAGE | CALL_TURN) over HTTP, recorded in the ledger."""

from __future__ import annotations

from tests.conftest import error_codes

CHECK = """query($i: ComplianceCheckInput!) { checkCompliance(input: $i) {
  compliant auditId violations { ruleId code } } }"""
EVENTS = "{ auditEvents(first: 20) { edges { node { id kind input } } } }"
MID_CALL = "Thanks for confirming, Mr. Ochoa. Can you make a payment of $200 today?"
THREAT = "If you don't pay today you will be arrested by the police."


def _input(text: str, **extra) -> dict:
    return {"i": {"text": text, "channel": "CALL", "jurisdiction": "US-IL", **extra}}


async def test_us_mid_call_line_is_compliant_as_a_turn_not_as_a_message(api):
    agent = api.key(role="AGENT", agent="u1")
    as_message = (await api.ok(CHECK, _input(MID_CALL), key=agent))["checkCompliance"]
    assert as_message["compliant"] is False
    assert "MISSING_DISCLOSURE" in {v["code"] for v in as_message["violations"]}
    explicit = (await api.ok(CHECK, _input(MID_CALL, context="MESSAGE"), key=agent))["checkCompliance"]
    assert explicit["violations"] == as_message["violations"]
    as_turn = (await api.ok(CHECK, _input(MID_CALL, context="CALL_TURN"), key=agent))["checkCompliance"]
    assert as_turn["compliant"] is True and as_turn["violations"] == []
    # the ledger says which context each check was made in
    events = (await api.ok(EVENTS, key=api.key(role="COMPLIANCE")))["auditEvents"]["edges"]
    by_id = {e["node"]["id"]: e["node"] for e in events}
    assert by_id[as_message["auditId"]]["input"]["context"] == "MESSAGE"
    assert by_id[as_turn["auditId"]]["input"]["context"] == "CALL_TURN"


async def test_a_threat_is_a_violation_in_both_contexts(api):
    agent = api.key(role="AGENT", agent="u1")
    for context in ("MESSAGE", "CALL_TURN"):
        out = (await api.ok(CHECK, _input(THREAT, context=context), key=agent))["checkCompliance"]
        assert out["compliant"] is False
        assert "THREAT_OF_ARREST" in {v["code"] for v in out["violations"]}, context


async def test_call_turn_on_sms_is_bad_input_naming_the_field(api):
    agent = api.key(role="AGENT", agent="u1")
    body = await api.gql(CHECK, _input(MID_CALL, context="CALL_TURN", channel="SMS"), key=agent)
    assert error_codes(body) == ["BAD_INPUT"]
    error = body["errors"][0]
    assert error["message"].startswith("context:") and "SMS" in error["message"]
    assert error["extensions"]["fields"][0]["field"] == "context"


async def test_unknown_context_is_a_validation_error_not_a_500(api):
    agent = api.key(role="AGENT", agent="u1")
    res = await api.post(CHECK, _input(MID_CALL, context="TURN"), key=agent)
    assert res.status_code in (200, 400)
    body = res.json()
    assert error_codes(body) == ["BAD_INPUT"]
    assert "TURN" in body["errors"][0]["message"] and "ComplianceContext" in body["errors"][0]["message"]
    # and as a literal in the document
    literal = """{ checkCompliance(input: {text: "hola", channel: CALL, jurisdiction: "MX", context: LINE}) {
      compliant } }"""
    body = await api.gql(literal, key=agent)
    assert error_codes(body) == ["BAD_INPUT"] and "LINE" in body["errors"][0]["message"]


async def test_100000_characters_is_a_clear_bad_input_naming_the_field(api):
    agent = api.key(role="AGENT", agent="u1")
    res = await api.post(CHECK, _input("Pague ya. " * 10_000), key=agent)
    assert res.status_code == 200
    body = res.json()
    assert error_codes(body) == ["BAD_INPUT"] and body.get("data") in (None, {"checkCompliance": None})
    error = body["errors"][0]
    assert error["message"].startswith("text: 100000 characters; the maximum is 20000")
    assert error["extensions"]["fields"][0]["field"] == "text"
    # nothing recorded for a refused check
    events = (await api.ok(EVENTS, key=api.key(role="COMPLIANCE")))["auditEvents"]["edges"]
    assert events == []
