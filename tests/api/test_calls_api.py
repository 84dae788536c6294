"""Live calls over HTTP and WebSocket against the real app: pushTranscript, callAssist, endCall."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from asistente.audit.models import AuditEvent
from asistente.db import transaction
from asistente.demo import seed_demo
from asistente.enums import Role
from asistente.portfolio.models import Debtor
from asistente.tenants.service import create_api_key
from tests.api.calls_support import ASSIST, END, PUSH, SUGGEST, classifier
from tests.conftest import error_codes


@pytest.fixture
def demo(api, services, session_factory, clock):
    services.extras["classifier"] = classifier()
    key = seed_demo(session_factory, now=clock())
    with session_factory() as s:
        ids = {d.external_id: d.id for d in s.scalars(select(Debtor))}
    return key, ids


def turn(call, debtor, speaker, text, **extra):
    return {"input": {"callId": call, "debtorId": debtor, "speaker": speaker, "text": text, **extra}}


async def push(api, key, call, debtor, speaker, text):
    body = await api.gql(PUSH, turn(call, debtor, speaker, text), key=key)
    assert not body.get("errors"), body
    return body["data"]["pushTranscript"]


async def test_debtor_turn_gives_what_suggest_responses_gives(api, demo, session_factory):
    key, ids = demo
    mx = ids["CRM-MX-0001"]
    utterance = "ahorita no tengo dinero, me quedé sin chamba"
    event = await push(api, key, "call-1", mx, "DEBTOR", utterance)
    assert event["kind"] == "SUGGESTIONS" and event["seq"] == 1 and event["speaker"] == "DEBTOR"
    direct = await api.ok(SUGGEST, {"input": {"debtorId": mx, "utterance": utterance}}, key=key)
    shown = dict(event["suggestions"])
    assert shown.pop("auditId") == event["auditId"]
    assert shown == direct["suggestResponses"]
    with session_factory() as s:
        ledger = s.get(AuditEvent, event["auditId"])
        assert ledger.kind == "SUGGESTION" and ledger.call_id == "call-1" and ledger.input["turn"] == 1


async def test_agent_turn_alert_and_clean_turn(api, demo):
    key, ids = demo
    mx = ids["CRM-MX-0001"]
    clean = await push(api, key, "call-2", mx, "AGENT", "Buenas tardes, le habla Laura de Cobranza Integral.")
    assert clean["kind"] == "TURN" and clean["compliance"]["compliant"] is True
    bad = await push(api, key, "call-2", mx, "AGENT", "Si no paga hoy lo van a meter a la cárcel.")
    assert bad["kind"] == "COMPLIANCE_ALERT" and bad["seq"] == 2
    assert not bad["compliance"]["compliant"]
    assert "THREAT_OF_ARREST" in {v["code"] for v in bad["compliance"]["violations"]}


async def test_a_repeated_agent_line_follows_the_tenants_overlay_at_once(api, demo):
    """An agent line's verdict is remembered per process for identical inputs (scripts repeat): a new
    tenant overlay changes the inputs, so the very same line is checked again on its next turn."""
    key, ids = demo
    mx = ids["CRM-MX-0001"]
    line = "Su saldo es de 500 pesos, le puedo ofrecer un plan de pagos."
    first = await push(api, key, "call-overlay", mx, "AGENT", line)
    again = await push(api, key, "call-overlay", mx, "AGENT", line)
    assert first["compliance"]["compliant"] is True and again["compliance"] == {
        **first["compliance"],
        "auditId": again["auditId"],
    }
    overlay = {
        "version": "2026.12.1",
        "jurisdiction": "MX",
        "name": "Demo: los montos sólo por escrito",
        "rules": [
            {
                "id": "DEMO-MX-NO-AMOUNTS-ON-CALLS",
                "kind": "forbidden_elements",
                "code": "MISREPRESENTATION",
                "source": "Política interna 4.2: montos sólo por escrito",
                "channels": ["CALL"],
                "parameters": {"elements": ["AMOUNT_MENTION"]},
            }
        ],
    }
    await api.ok(
        "mutation($o: JSON!) { setRulePackOverlay(overlay: $o) { jurisdiction } }",
        {"o": overlay},
        key=api.key("demo", "ADMIN"),
    )
    after = await push(api, key, "call-overlay", mx, "AGENT", line)
    assert after["kind"] == "COMPLIANCE_ALERT" and after["seq"] == 3
    assert {v["ruleId"] for v in after["compliance"]["violations"]} == {"DEMO-MX-NO-AMOUNTS-ON-CALLS"}
    assert "tenant:MX@2026.12.1" in after["compliance"]["packVersion"]


def _ws_subscribe(ws, key, call_id, op="1", after=None):
    ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    assert ws.receive_json()["type"] == "connection_ack"
    variables = {"c": call_id}
    if after is not None:
        variables["after"] = after
    ws.send_json({"id": op, "type": "subscribe", "payload": {"query": ASSIST, "variables": variables}})


def _post(client, key, query, variables):
    res = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {key}"}
    )
    return res.json()


@pytest.fixture
def sync_demo(app, services, session_factory, clock):
    services.extras["classifier"] = classifier()
    key = seed_demo(session_factory, now=clock())
    with session_factory() as s:
        ids = {d.external_id: d.id for d in s.scalars(select(Debtor))}
    return key, ids


def test_subscriber_gets_every_event_in_order_then_call_ended(app, sync_demo):
    key, ids = sync_demo
    mx = ids["CRM-MX-0001"]
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _ws_subscribe(ws, key, "call-ws")
        lines = [
            ("AGENT", "Buenas tardes, le habla Laura de Cobranza Integral del Bajío."),
            ("DEBTOR", "ahorita no tengo dinero"),
            ("AGENT", "Si no paga hoy lo van a meter a la cárcel."),
            ("DEBTOR", "el viernes le deposito 500"),
        ]
        for speaker, text in lines:
            body = _post(client, key, PUSH, turn("call-ws", mx, speaker, text))
            assert not body.get("errors"), body
        ended = _post(client, key, END, {"c": "call-ws"})
        assert not ended.get("errors"), ended
        got = []
        while True:
            msg = ws.receive_json()
            if msg["type"] == "complete":
                break
            assert msg["type"] == "next", msg
            got.append(msg["payload"]["data"]["callAssist"])
    assert [e["seq"] for e in got] == list(range(1, len(got) + 1))
    kinds = [e["kind"] for e in got]
    assert kinds[0] == "TURN" and kinds[1] == "SUGGESTIONS" and "COMPLIANCE_ALERT" in kinds
    assert kinds[-1] == "CALL_ENDED"
    summary = got[-1]["summary"]
    assert summary["disposition"] == "PROMISE_TO_PAY"
    assert summary["promise"] == {"amount": "500", "currency": "MXN", "dueDate": "2026-11-27"}


def _keys(session_factory):
    with transaction(session_factory) as s:
        return {
            "agent1": create_api_key(s, tenant_slug="demo", role=Role.AGENT, agent_external_id="ag-1"),
            "agent2": create_api_key(s, tenant_slug="demo", role=Role.AGENT, agent_external_id="ag-2"),
            "supervisor": create_api_key(s, tenant_slug="demo", role=Role.SUPERVISOR),
            "compliance": create_api_key(s, tenant_slug="demo", role=Role.COMPLIANCE),
            "other": create_api_key(s, tenant_slug="other", role=Role.ADMIN),
        }


async def test_isolation_roles_and_bad_input(api, demo, session_factory):
    _, ids = demo
    keys = _keys(session_factory)
    mx, co = ids["CRM-MX-0001"], next(v for k, v in ids.items() if k.startswith("CRM-CO"))
    await push(api, keys["agent1"], "call-iso", mx, "AGENT", "Buenas tardes, le habla Laura.")
    # another tenant: the call and the debtor read as not found
    body = await api.gql(PUSH, turn("call-iso", mx, "AGENT", "hola"), key=keys["other"])
    assert error_codes(body) == ["NOT_FOUND"]
    body = await api.gql(END, {"c": "call-iso"}, key=keys["other"])
    assert error_codes(body) == ["NOT_FOUND"]
    # another agent of the same tenant neither pushes to nor ends agent1's call; a supervisor may
    body = await api.gql(PUSH, turn("call-iso", mx, "AGENT", "hola"), key=keys["agent2"])
    assert error_codes(body) == ["NOT_FOUND"]
    body = await api.gql(END, {"c": "call-iso"}, key=keys["agent2"])
    assert error_codes(body) == ["NOT_FOUND"]
    body = await api.gql(PUSH, turn("call-iso", mx, "AGENT", "hola"), key=keys["compliance"])
    assert error_codes(body) == ["FORBIDDEN"]
    supervised = await push(api, keys["supervisor"], "call-iso", mx, "AGENT", "Le saluda su supervisor.")
    assert supervised["seq"] == 2
    # bad input: unknown debtor, another debtor for the call, speaker outside the enum, a huge turn
    body = await api.gql(PUSH, turn("call-x", "no-such-debtor", "AGENT", "hola"), key=keys["agent1"])
    assert error_codes(body) == ["NOT_FOUND"]
    body = await api.gql(PUSH, turn("call-iso", co, "AGENT", "hola"), key=keys["agent1"])
    assert error_codes(body) == ["BAD_INPUT"] and "otro deudor" in body["errors"][0]["message"]
    body = await api.gql(PUSH, turn("call-iso", mx, "CUSTOMER", "hola"), key=keys["agent1"])
    assert error_codes(body) == ["BAD_INPUT"]
    body = await api.gql(PUSH, turn("call-iso", mx, "DEBTOR", "x" * 10_000), key=keys["agent1"])
    assert error_codes(body) == ["BAD_INPUT"] and "2,000" in body["errors"][0]["message"]
    body = await api.gql(PUSH, turn("call-iso", mx, "DEBTOR", "   "), key=keys["agent1"])
    assert error_codes(body) == ["BAD_INPUT"]
    body = await api.gql(PUSH, turn("c" * 201, mx, "DEBTOR", "hola"), key=keys["agent1"])
    assert error_codes(body) == ["BAD_INPUT"]
    # nothing half-written: the rejected turns left no event
    ended = await api.ok(END, {"c": "call-iso"}, key=keys["agent1"])
    assert ended["endCall"]["disposition"] == "NO_COMMITMENT"
    # a turn for an ended call is refused; ending again returns the same summary
    body = await api.gql(PUSH, turn("call-iso", mx, "AGENT", "hola"), key=keys["agent1"])
    assert error_codes(body) == ["BAD_INPUT"] and "terminó" in body["errors"][0]["message"]
    again = await api.ok(END, {"c": "call-iso"}, key=keys["agent1"])
    assert again["endCall"]["auditId"] == ended["endCall"]["auditId"]
    with session_factory() as s:
        summary = s.get(AuditEvent, ended["endCall"]["auditId"])
        turns = s.scalars(select(AuditEvent).where(AuditEvent.call_id == "call-iso")).all()
    assert summary.kind == "CALL_SUMMARY"
    assert summary.input["turnAuditIds"] == [t.id for t in turns if t.kind == "COMPLIANCE_CHECK"]
    assert len(summary.input["turnAuditIds"]) == 2


def test_agent_follows_own_calls_supervisor_any(app, sync_demo, session_factory):
    _, ids = sync_demo
    keys = _keys(session_factory)
    mx = ids["CRM-MX-0001"]
    with TestClient(app) as client:
        body = _post(client, keys["agent1"], PUSH, turn("call-own", mx, "AGENT", "Buenas tardes."))
        assert not body.get("errors"), body
        for who, expected in (("agent2", "NOT_FOUND"), ("other", "NOT_FOUND")):
            with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
                _ws_subscribe(ws, keys[who], "call-own")
                msg = ws.receive_json()
                errors = msg["payload"] if msg["type"] == "error" else msg["payload"]["errors"]
                assert errors[0]["extensions"]["code"] == expected, (who, msg)
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            _ws_subscribe(ws, keys["supervisor"], "call-own")  # live view: joins late, gets the backlog
            msg = ws.receive_json()
            assert msg["type"] == "next" and msg["payload"]["data"]["callAssist"]["seq"] == 1


@pytest.mark.parametrize("call_id", ["call\x00x", "\x00"])
def test_a_call_id_with_nul_is_bad_input_on_the_socket(app, sync_demo, call_id):
    """A WebSocket message may carry in JSON a NUL, which the HTTP layer refuses before GraphQL (lone
    surrogates close the socket with 4400 already): callAssist answers BAD_INPUT naming callId on both
    databases (PostgreSQL cannot even look such a text up)."""
    key, _ = sync_demo
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _ws_subscribe(ws, key, call_id)
        msg = ws.receive_json()
        errors = msg["payload"] if msg["type"] == "error" else msg["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "BAD_INPUT", msg
        # named by its argument (the resolver) or its variable (the socket's NUL check, as HTTP refuses it)
        assert "callId" in errors[0]["message"] or "$c" in errors[0]["message"], msg


def test_stream_ends_unauthenticated_when_the_token_expires(app, sync_demo, session_factory, clock):
    from datetime import timedelta

    _, ids = sync_demo
    keys = _keys(session_factory)
    with transaction(session_factory) as s:
        integrator = create_api_key(s, tenant_slug="demo", role=Role.INTEGRATOR)
    mx = ids["CRM-MX-0001"]
    with TestClient(app) as client:
        session = _post(client, integrator, 'mutation { createAgentSession(agentId: "ag-9") { token } }', {})[
            "data"
        ]["createAgentSession"]["token"]
        body = _post(client, session, PUSH, turn("call-exp", mx, "AGENT", "Buenas tardes."))
        assert not body.get("errors"), body
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            _ws_subscribe(ws, session, "call-exp")
            assert ws.receive_json()["payload"]["data"]["callAssist"]["seq"] == 1
            clock.value += timedelta(hours=9)  # past the agent session's lifetime
            body = _post(client, keys["supervisor"], PUSH, turn("call-exp", mx, "DEBTOR", "ya pagué"))
            assert not body.get("errors"), body
            msg = ws.receive_json()
            errors = msg["payload"] if msg["type"] == "error" else msg["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED", msg
            assert ws.receive_json()["type"] == "complete"


async def _call_with_promise(api, key, mx, call_id):
    await push(
        api, key, call_id, mx, "AGENT", "Buenas tardes, le habla Laura de Cobranza Integral del Bajío."
    )
    await push(api, key, call_id, mx, "DEBTOR", "Soy Ana Karen Chan Pech; el viernes le deposito 500")


async def test_llm_summary_redacted_within_budget_else_rules(api, demo, services, session_factory, llm_fake):
    from asistente.llm import LLMClient, LLMConfig
    from tests.llm_fake import Reply

    key, ids = demo
    mx = ids["CRM-MX-0001"]
    services.extras["llm"] = LLMClient(LLMConfig(base_url=llm_fake.base_url, model="fake-model"))
    services.settings.llm_summary_budget_ms = 1500

    def summaries(body):
        system = body["messages"][0]["content"]
        if "Resume la llamada" in system:
            return Reply.text(
                "La deudora [NAME_1] dijo no tener dinero y prometió depositar 500 MXN el viernes."
            )
        return Reply.error(500)  # any other use of the model falls back to its local answer

    llm_fake.respond_with(summaries)
    await _call_with_promise(api, key, mx, "call-llm")
    out = (await api.ok(END, {"c": "call-llm"}, key=key))["endCall"]
    assert out["generator"] == "LLM"
    assert out["summary"].startswith("La deudora Ana Karen Chan Pech dijo")
    assert (
        out["disposition"] == "PROMISE_TO_PAY" and out["promise"]["amount"] == "500"
    )  # rules, not the model
    sent = [r for r in llm_fake.requests if "Resume la llamada" in r["messages"][0]["content"]]
    assert len(sent) == 1 and "Chan Pech" not in json.dumps(sent, ensure_ascii=False)
    with session_factory() as s:
        event = s.get(AuditEvent, out["auditId"])
    assert event.versions["llm"]["outcome"] == "OK" and event.output["generator"] == "LLM"

    # too slow: the rule-based summary, and the ledger says why
    services.settings.llm_summary_budget_ms = 200
    llm_fake.respond_with(lambda body: Reply.delayed(2.0, "tarde"))
    await _call_with_promise(api, key, mx, "call-llm-slow")
    out = (await api.ok(END, {"c": "call-llm-slow"}, key=key))["endCall"]
    assert out["generator"] == "RULES" and out["summary"].startswith("El deudor dijo")
    with session_factory() as s:
        assert s.get(AuditEvent, out["auditId"]).versions["llm"]["outcome"] == "TIMEOUT"


async def test_disposition_codes_are_tenant_data(api, demo, session_factory):
    key, ids = demo
    keys = _keys(session_factory)
    admin_q = "mutation($c: JSON!) { setDispositionCodes(codes: $c) }"
    body = await api.gql(admin_q, {"c": {"PROMISE_TO_PAY": "105"}}, key=key)
    assert error_codes(body) == ["FORBIDDEN"]
    with transaction(session_factory) as s:
        admin = create_api_key(s, tenant_slug="demo", role=Role.ADMIN)
    body = await api.gql(admin_q, {"c": {"PROMISED": "105"}}, key=admin)
    assert error_codes(body) == ["BAD_INPUT"] and "$" in body["errors"][0]["message"]
    await api.ok(admin_q, {"c": {"PROMISE_TO_PAY": "105", "CALLBACK": "101"}}, key=admin)
    assert (await api.ok("{ dispositionCodes }", key=key))["dispositionCodes"] == {
        "PROMISE_TO_PAY": "105",
        "CALLBACK": "101",
    }
    other = await api.ok("{ dispositionCodes }", key=keys["other"])
    assert other["dispositionCodes"] == {}
    await _call_with_promise(api, key, ids["CRM-MX-0001"], "call-crm")
    out = (await api.ok(END, {"c": "call-crm"}, key=key))["endCall"]
    assert out["disposition"] == "PROMISE_TO_PAY" and out["crmCode"] == "105"


async def test_us_call_reminds_the_debt_collector_disclosure_once(api, demo):
    key, ids = demo
    us = ids["CRM-US-0001"]
    first = await push(api, key, "call-us", us, "AGENT", "Hi, may I speak with Michael Thompson?")
    assert first["kind"] == "TURN"
    second = await push(api, key, "call-us", us, "AGENT", "This is Mark with Desert Recovery Services.")
    assert second["kind"] == "DISCLOSURE_REMINDER"
    hits = second["compliance"]["violations"] + second["compliance"]["warnings"]
    assert {h["code"] for h in hits} == {"MISSING_DISCLOSURE"}
    third = await push(api, key, "call-us", us, "AGENT", "How are you today?")
    assert third["kind"] == "TURN"  # reminded once, not on every later line
    said = await push(
        api, key, "call-us2", us, "AGENT", "This is Mark with Desert Recovery Services, a debt collector."
    )
    later = await push(api, key, "call-us2", us, "AGENT", "How are you today?")
    assert said["kind"] == later["kind"] == "TURN"
    out = (await api.ok(END, {"c": "call-us"}, key=key))["endCall"]
    assert "MISSING_DISCLOSURE" in {a["code"] for a in out["alerts"]}
    out2 = (await api.ok(END, {"c": "call-us2"}, key=key))["endCall"]
    assert "MISSING_DISCLOSURE" not in {a["code"] for a in out2["alerts"]}


async def test_an_integrator_relays_a_call_for_an_agent(api, demo, session_factory):
    _, ids = demo
    keys = _keys(session_factory)
    with transaction(session_factory) as s:
        integrator = create_api_key(s, tenant_slug="demo", role=Role.INTEGRATOR)
    mx = ids["CRM-MX-0001"]
    body = await api.gql(
        PUSH, turn("call-cc", mx, "AGENT", "Buenas tardes.", agentId="nobody"), key=integrator
    )
    assert error_codes(body) == ["NOT_FOUND"]
    first = await api.ok(PUSH, turn("call-cc", mx, "AGENT", "Buenas tardes.", agentId="ag-1"), key=integrator)
    assert first["pushTranscript"]["seq"] == 1
    # the call is agent ag-1's: they may follow and end it, another agent may not
    body = await api.gql(END, {"c": "call-cc"}, key=keys["agent2"])
    assert error_codes(body) == ["NOT_FOUND"]
    ended = await api.ok(END, {"c": "call-cc"}, key=keys["agent1"])
    assert ended["endCall"]["callId"] == "call-cc"


async def test_concurrent_turns_share_transactions_and_keep_each_call_in_order(
    api, demo, services, session_factory
):
    """Turns of several calls pushed at once are written in shared batches (the turn committer): each call's
    events still have seqs 1..n with consecutive turn numbers, each event's record is in the ledger with that
    turn, the chain verifies, and a turn for an ended call fails alone."""
    import asyncio

    from asistente.audit.integrity import verify
    from asistente.calls.models import CallEvent

    key, ids = demo
    mx = ids["CRM-MX-0001"]
    await push(api, key, "batch-ended", mx, "AGENT", "Buenas tardes, le habla Laura de Cobranza Integral.")
    await api.ok(END, {"c": "batch-ended"}, key=key)
    lines = [
        ("AGENT", "Buenas tardes, le habla Laura de Cobranza Integral."),
        ("DEBTOR", "ahorita no tengo dinero"),
        ("AGENT", "Podemos ver un plan de pagos."),
        ("DEBTOR", "el viernes le deposito 500"),
    ]
    calls = [f"batch-{n}" for n in range(4)]

    async def call_turns(call: str) -> list[dict]:
        # each call's turns in order, the calls concurrently
        return [(await api.gql(PUSH, turn(call, mx, speaker, text), key=key)) for speaker, text in lines]

    results = await asyncio.gather(
        *(call_turns(c) for c in calls),
        api.gql(PUSH, turn("batch-ended", mx, "AGENT", "¿Sigue ahí?"), key=key),
    )
    assert error_codes(results[-1]) == ["BAD_INPUT"]
    for bodies in results[:-1]:
        assert all(not b.get("errors") for b in bodies), bodies
    committer = services.extras["call_committer"][1]
    assert committer.turns >= 17 and committer.batches < committer.turns  # some turns shared a batch
    with session_factory() as s:
        for call in calls:
            events = list(
                s.scalars(select(CallEvent).where(CallEvent.call_id == call).order_by(CallEvent.seq))
            )
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            turns = sorted({e.turn for e in events})
            assert turns == [1, 2, 3, 4]
            for e in events:
                record = s.get(AuditEvent, e.audit_id)
                assert record.call_id == call and record.input["turn"] == e.turn
        assert len(list(s.scalars(select(CallEvent).where(CallEvent.call_id == "batch-ended")))) == 2
        assert verify(s).ok


async def test_end_call_summarises_a_turn_pushed_while_it_was_summarising(
    api, demo, session_factory, monkeypatch
):
    """endCall summarises without holding the call's lock (an LLM summary may take seconds); a turn that
    commits in between is not lost from the summary: the write finds the call moved and summarises again."""
    from asistente.api.calls import schema as calls_schema

    key, ids = demo
    mx = ids["CRM-MX-0001"]
    await push(
        api, key, "call-race", mx, "AGENT", "Buenas tardes, le habla Laura de Cobranza Integral del Bajío."
    )
    real = calls_schema._llm_summary
    seen = []

    async def summary_while_a_turn_comes_in(info, debtor, turns, rules):
        seen.append(len(turns))
        if len(seen) == 1:
            await push(
                api, key, "call-race", mx, "DEBTOR", "Soy Ana Karen Chan Pech; el viernes le deposito 500"
            )
        return await real(info, debtor, turns, rules)

    monkeypatch.setattr(calls_schema, "_llm_summary", summary_while_a_turn_comes_in)
    summary = (await api.ok(END, {"c": "call-race"}, key=key))["endCall"]
    assert seen == [1, 2]
    assert summary["disposition"] == "PROMISE_TO_PAY" and summary["promise"]["amount"] in ("500", "500.00")
    with session_factory() as s:
        records = list(
            s.scalars(select(AuditEvent).where(AuditEvent.call_id == "call-race").order_by(AuditEvent.seq))
        )
        assert [r.kind for r in records] == ["COMPLIANCE_CHECK", "SUGGESTION", "CALL_SUMMARY"]
        assert records[-1].input["turns"] == 2 and records[-1].id == summary["auditId"]
        assert records[-1].input["turnAuditIds"] == [records[0].id, records[1].id]
    again = (await api.ok(END, {"c": "call-race"}, key=key))["endCall"]
    assert again == summary and seen == [1, 2]
    late = await api.gql(PUSH, turn("call-race", mx, "AGENT", "¿Sigue ahí?"), key=key)
    assert error_codes(late) == ["BAD_INPUT"]
