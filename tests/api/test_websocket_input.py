"""Bad input over the WebSocket gets the answer HTTP gives (issue 13, found by trying the demo as an
outsider): a NUL in the variables is BAD_INPUT before anything runs (on PostgreSQL a write carrying one
failed as INTERNAL_SERVER_ERROR, and an audit batch with one failed for every request in it), and the
legacy `graphql-ws` subprotocol, which answered every query with an unexpected error, is refused at the
handshake."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from asistente.audit.models import AuditEvent
from asistente.db import transaction
from asistente.enums import Role
from asistente.portfolio.models import Debtor, Interaction
from asistente.tenants.service import create_api_key
from tests.api.data import debtor_record

UPSERT = "mutation($i: [DebtorInput!]!) { upsertDebtors(input: $i) { ids } }"
NOTE = "mutation($i: RecordInteractionInput!) { recordInteraction(input: $i) { __typename } }"
CHECK = "query($i: ComplianceCheckInput!) { checkCompliance(input: $i) { compliant auditId } }"


def _key(session_factory, role: Role) -> str:
    with transaction(session_factory) as s:
        agent = "u-1" if role is Role.AGENT else None
        return create_api_key(s, tenant_slug="acme", role=role, agent_external_id=agent)


def _run(ws, op_id: str, query: str, variables: dict) -> list[dict]:
    ws.send_json({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}})
    out = []
    while True:
        msg = ws.receive_json()
        out.append(msg)
        if msg["type"] in ("complete", "error"):
            return out


def _codes(messages: list[dict]) -> list[str]:
    codes = []
    for m in messages:
        errors = m["payload"] if m["type"] == "error" else (m.get("payload") or {}).get("errors") or []
        codes += [(e.get("extensions") or {}).get("code") for e in errors]
    return codes


def _count(session_factory, model) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_nul_in_websocket_variables_is_bad_input_and_nothing_is_stored(app, session_factory):
    integrator = _key(session_factory, Role.INTEGRATOR)
    client = TestClient(app)
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {integrator}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        done = _run(ws, "1", UPSERT, {"i": [debtor_record("WS-1")]})
        debtor_id = done[0]["payload"]["data"]["upsertDebtors"]["ids"][0]
        debtors, interactions, events = (
            _count(session_factory, m) for m in (Debtor, Interaction, AuditEvent)
        )

        note = {
            "debtorId": debtor_id,
            "channel": "CALL",
            "direction": "OUTBOUND",
            "at": "2026-03-02T15:00:00Z",
            "outcome": "NO_ANSWER",
            "note": "a\x00b",
        }
        for op_id, query, variables in (
            ("2", NOTE, {"i": note}),
            ("3", UPSERT, {"i": [{**debtor_record("WS-2"), "fullName": "Ana\x00"}]}),
            ("4", CHECK, {"i": {"text": "hola\x00", "channel": "SMS", "jurisdiction": "MX"}}),
            ("5", "{ me { tenant } }", {"x\x00": 1}),
        ):
            msgs = _run(ws, op_id, query, variables)
            assert msgs[0]["type"] == "error", msgs
            assert _codes(msgs) == ["BAD_INPUT"], msgs
            assert "NUL" in msgs[0]["payload"][0]["message"] and "(at $" in msgs[0]["payload"][0]["message"]
        # the connection stays usable, and nothing of the refused operations was stored or recorded
        ok = _run(ws, "6", CHECK, {"i": {"text": "hola", "channel": "SMS", "jurisdiction": "MX"}})
        assert ok[0]["payload"]["data"]["checkCompliance"]["compliant"] is True
    assert _count(session_factory, Debtor) == debtors
    assert _count(session_factory, Interaction) == interactions
    assert _count(session_factory, AuditEvent) == events + 1  # only the last check


def test_legacy_graphql_ws_subprotocol_is_refused_at_the_handshake(app, session_factory):
    agent = _key(session_factory, Role.AGENT)
    client = TestClient(app)
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {agent}"}})
        ws.receive_json()
    assert closed.value.code == 4406
    with client.websocket_connect("/graphql", subprotocols=["graphql-ws", "graphql-transport-ws"]) as ws:
        assert ws.accepted_subprotocol == "graphql-transport-ws"


def test_nul_path_names_where_and_walks_deep_values_without_recursion():
    from asistente.api.schema import nul_path

    assert nul_path({"i": {"text": "ok", "notes": ["a", "b\x00"]}}, "$") == "$i.notes[1]"
    assert nul_path({"c": "\x00"}, "$") == "$c"
    assert nul_path({"k\x00": 1}, "$") == "$k\x00"
    assert nul_path({"i": [{"a": 1.5, "b": None, "c": True}]}, "$") is None
    deep: list = ["x\x00"]
    for _ in range(5000):
        deep = [deep]
    assert nul_path({"d": deep}, "$") == "$d" + "[0]" * 5001
