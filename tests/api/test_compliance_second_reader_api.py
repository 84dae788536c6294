"""checkCompliance with an LLM second reader configured (a real local OpenAI-compatible server, scripted)."""

from __future__ import annotations

import pytest

from asistente.settings import Settings
from tests.api.data import UPSERT, debtor_record
from tests.llm_fake import FakeLLM, Reply

CHECK = """query($i: ComplianceCheckInput!) { checkCompliance(input: $i) {
  compliant auditId violations { ruleId code message } } }"""
EVENTS = "{ auditEvents(first: 20) { edges { node { id kind output versions } } } }"


@pytest.fixture
def settings(llm_fake: FakeLLM) -> Settings:
    return Settings(
        demo=False,
        introspection=True,
        auth_cache_seconds=0,
        openai_base_url=llm_fake.base_url,
        openai_api_key="test-key",
        llm_model="fake-reader",
        llm_review_budget_ms=400,
        llm_review_margin=1.0,  # read every locally compliant text again
    )


async def _ledger(api, audit_id: str) -> dict:
    events = (await api.ok(EVENTS, key=api.key(role="COMPLIANCE")))["auditEvents"]["edges"]
    return next(e["node"] for e in events if e["node"]["id"] == audit_id)


async def test_finding_added_recorded_and_no_personal_data_sent(api, llm_fake: FakeLLM):
    admin = api.key(role="ADMIN")
    data = await api.ok(UPSERT, {"input": [debtor_record("MX-LLM")]}, key=admin)
    debtor = data["upsertDebtors"]["ids"][0]
    text = "Ana Pérez López, su saldo está pendiente; si gusta llámenos al 998 123 4567 hoy."
    llm_fake.push(Reply.json({"codes": ["PUBLIC_SHAMING"], "quotes": {"PUBLIC_SHAMING": "[NAME_1]"}}))
    agent = api.key(role="AGENT", agent="u1")
    out = (await api.ok(CHECK, {"i": {"text": text, "channel": "SMS", "debtorId": debtor}}, key=agent))[
        "checkCompliance"
    ]
    event = await _ledger(api, out["auditId"])
    assert out["compliant"] is False, str(event["output"]["secondReader"])
    assert [(v["ruleId"], v["code"]) for v in out["violations"]] == [("MX-07", "PUBLIC_SHAMING")]
    sent = llm_fake.sent_text()
    for secret in ("Ana", "Pérez", "López", "998 123 4567", "CRM"):
        assert secret not in sent, secret
    event = await _ledger(api, out["auditId"])
    second = event["output"]["secondReader"]
    assert second["asked"] is True and second["outcome"] == "OK" and second["model"] == "fake-reader"
    assert second["promptHash"].startswith("sha256:") and "PUBLIC_SHAMING" in second["raw"]
    assert second["added"] == ["MX-07"] and second["codes"] == ["PUBLIC_SHAMING"]
    assert event["versions"]["secondReader"]["model"] == "fake-reader"
    assert llm_fake.requests[0]["model"] == "fake-reader"


async def test_timeout_and_garbage_leave_the_local_verdict(api, llm_fake: FakeLLM):
    agent = api.key(role="AGENT", agent="u1")
    text = "Hola, le escribo para recordarle su pago pendiente de 500 pesos con vencimiento el viernes."
    llm_fake.push(Reply.json({"codes": ["THREAT_OF_ARREST"]}, delay=3.0), Reply.garbage())
    for outcome in ("TIMEOUT", "GARBAGE"):
        out = (await api.ok(CHECK, {"i": {"text": text, "channel": "SMS", "jurisdiction": "MX"}}, key=agent))[
            "checkCompliance"
        ]
        assert out["compliant"] is True and out["violations"] == []
        second = (await _ledger(api, out["auditId"]))["output"]["secondReader"]
        assert second["asked"] is True and second["outcome"] == outcome and second["added"] == []


async def test_a_local_violation_does_not_call_the_reader(api, llm_fake: FakeLLM):
    agent = api.key(role="AGENT", agent="u1")
    text = "Si no paga hoy, mañana lo van a meter a la cárcel."
    out = (await api.ok(CHECK, {"i": {"text": text, "channel": "SMS", "jurisdiction": "MX"}}, key=agent))[
        "checkCompliance"
    ]
    assert out["compliant"] is False and llm_fake.requests == []
    second = (await _ledger(api, out["auditId"]))["output"]["secondReader"]
    assert second == {"asked": False, "reason": "LOCAL_VIOLATION"}


async def test_no_database_connection_is_held_while_the_reader_thinks(api, llm_fake: FakeLLM, engine):
    admin = api.key(role="ADMIN")
    data = await api.ok(UPSERT, {"input": [debtor_record("MX-POOL")]}, key=admin)
    debtor = data["upsertDebtors"]["ids"][0]
    held: list[int] = []

    def answer(body: dict) -> Reply:
        held.append(engine.pool.checkedout())
        return Reply.json({"codes": []})

    llm_fake.respond_with(answer)
    text = "Hola, le escribo para recordarle su pago pendiente de 500 pesos con vencimiento el viernes."
    agent = api.key(role="AGENT", agent="u1")
    out = (await api.ok(CHECK, {"i": {"text": text, "channel": "SMS", "debtorId": debtor}}, key=agent))[
        "checkCompliance"
    ]
    assert out["compliant"] is True and out["auditId"]
    assert held == [0]
