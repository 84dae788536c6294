"""Agent sessions, CORS, health, WebSocket and the GraphQL-over-HTTP media types."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from tests.conftest import error_codes

SESSION = (
    'mutation { createAgentSession(agentId: "crm-user-9", name: "Laura", tier: SUPERVISOR) '
    "{ token expiresAt role } }"
)


async def test_agent_session_token_lifecycle(api, clock):
    integrator = api.key(role="INTEGRATOR")
    # A SUPERVISOR session needs an ADMIN's grant first (tests/api/test_authority.py).
    assert error_codes(await api.gql(SESSION, key=integrator)) == ["FORBIDDEN"]
    await api.ok(SESSION, key=api.key(role="ADMIN"))
    out = (await api.ok(SESSION, key=integrator))["createAgentSession"]
    assert out["role"] == "SUPERVISOR"
    me = (await api.ok("{ me { role agentExternalId tenant } }", key=out["token"]))["me"]
    assert me == {"role": "SUPERVISOR", "agentExternalId": "crm-user-9", "tenant": "acme"}
    # a token of another tenant's secret, or a tampered one, is refused
    tampered = out["token"][:-3] + ("aaa" if not out["token"].endswith("aaa") else "bbb")
    assert error_codes((await api.post("{ me { role } }", key=tampered)).json()) == ["UNAUTHENTICATED"]
    clock.value = clock.value + timedelta(hours=9)
    res = await api.post("{ me { role } }", key=out["token"])
    assert res.status_code == 401
    assert "expired" in res.json()["errors"][0]["message"]


async def test_cors_allow_list_per_tenant(api):
    admin = api.key("acme", "ADMIN")
    other = api.key("other", "ADMIN")
    await api.ok('mutation { setCorsOrigins(origins: ["https://acme.crm.example"]) }', key=admin)
    pre = await api.client.options(
        "/graphql", headers={"origin": "https://acme.crm.example", "access-control-request-method": "POST"}
    )
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == "https://acme.crm.example"
    bad = await api.client.options(
        "/graphql", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert bad.status_code == 403
    ok = await api.post("{ me { tenant } }", key=admin, headers={"origin": "https://acme.crm.example"})
    assert ok.json()["data"]["me"]["tenant"] == "acme"
    assert ok.headers["access-control-allow-origin"] == "https://acme.crm.example"
    # the same origin is not allowed for another tenant
    res = await api.post("{ me { tenant } }", key=other, headers={"origin": "https://acme.crm.example"})
    assert error_codes(res.json()) == ["FORBIDDEN"]
    body = await api.gql('mutation { setCorsOrigins(origins: ["javascript:alert(1)"]) }', key=admin)
    assert error_codes(body) == ["BAD_INPUT"]


async def test_healthz(api):
    res = await api.client.get("/healthz")
    assert res.status_code == 200 and res.json() == {"status": "ok"}


def test_websocket_graphql_transport_ws(app, session_factory):
    from asistente.db import transaction
    from asistente.enums import Role
    from asistente.tenants.service import create_api_key

    with transaction(session_factory) as s:
        key = create_api_key(s, tenant_slug="acme", role=Role.ADMIN)
    client = TestClient(app)
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "{ me { tenant role } }"}})
        msg = ws.receive_json()
        assert msg["type"] == "next"
        assert msg["payload"]["data"]["me"] == {"tenant": "acme", "role": "ADMIN"}
        assert ws.receive_json()["type"] == "complete"
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer ask_bad_key"}})
        closed = ws.receive()
        assert closed["type"] == "websocket.close" and closed["code"] == 4403


def test_websocket_stops_serving_a_key_revoked_while_open(app, session_factory, services):
    from asistente.db import transaction
    from asistente.enums import Role
    from asistente.tenants.service import create_api_key, revoke_api_key

    services.settings.auth_cache_seconds = 0  # revocation takes effect at once (else within the cache time)
    with transaction(session_factory) as s:
        key = create_api_key(s, tenant_slug="acme", role=Role.ADMIN)
    client = TestClient(app)
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "{ me { role } }"}})
        assert ws.receive_json()["payload"]["data"]["me"] == {"role": "ADMIN"}
        assert ws.receive_json()["type"] == "complete"
        with transaction(session_factory) as s:
            assert revoke_api_key(s, tenant_slug="acme", prefix=key.split("_")[1][:8]) == 1
        ws.send_json({"id": "2", "type": "subscribe", "payload": {"query": "{ me { role } }"}})
        msg = ws.receive_json()
        assert msg["type"] in ("next", "error"), msg
        errors = msg["payload"]["errors"] if msg["type"] == "next" else msg["payload"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED", msg


async def test_introspection_off_by_default(engine, session_factory, clock):
    import httpx

    from asistente.api.core.context import Services
    from asistente.app import create_app
    from asistente.db import transaction
    from asistente.enums import Role
    from asistente.settings import Settings
    from asistente.tenants.service import create_api_key

    services = Services(settings=Settings(), engine=engine, session_factory=session_factory, clock=clock)
    app = create_app(services.settings, services=services)
    with transaction(session_factory) as s:
        key = create_api_key(s, tenant_slug="acme", role=Role.ADMIN)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        res = await c.post(
            "/graphql",
            json={"query": "{ __schema { types { name } } }"},
            headers={"authorization": f"Bearer {key}"},
        )
        body = res.json()
        assert body.get("data") is None and set(error_codes(body)) == {"BAD_INPUT"}
        assert "introspection" in body["errors"][0]["message"].lower()
        ide = await c.get("/graphql", headers={"accept": "text/html"})
        assert ide.status_code == 404


def test_a_websocket_reads_tenant_state_afresh_in_every_operation(app, session_factory):
    """A WebSocket's context lives for the whole connection: what one operation read (the tenant's rule-pack
    overlays) must not be served to the next one after it changed."""
    import json as _json
    from pathlib import Path

    from asistente.db import transaction
    from asistente.enums import Role
    from asistente.tenants.service import create_api_key

    with transaction(session_factory) as s:
        agent = create_api_key(s, tenant_slug="acme", role=Role.AGENT, agent_external_id="u-ws")
        admin = create_api_key(s, tenant_slug="acme", role=Role.ADMIN)
    mx = _json.loads(Path("src/asistente/compliance/packs/MX.json").read_text())
    window = next(r for r in mx["rules"] if r["code"] == "CONTACT_HOURS")
    overlay = {
        "jurisdiction": "ES",
        "name": "Acme: horario propio en España",
        "version": "acme-es-1",
        "rules": [
            {
                "id": "ACME-ES-WS",
                "kind": window["kind"],
                "code": "CONTACT_HOURS",
                "source": "Política interna de Acme",
                "parameters": window["parameters"],
            }
        ],
    }
    query = "{ rulePacks { jurisdiction tenantOverlay } }"
    client = TestClient(app)

    def es_overlay(ws, op_id):
        ws.send_json({"id": op_id, "type": "subscribe", "payload": {"query": query}})
        msg = ws.receive_json()
        assert msg["type"] == "next", msg
        assert ws.receive_json()["type"] == "complete"
        return any(
            p["tenantOverlay"] for p in msg["payload"]["data"]["rulePacks"] if p["jurisdiction"] == "ES"
        )

    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {agent}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        assert es_overlay(ws, "1") is False
        res = client.post(
            "/graphql",
            json={
                "query": "mutation($o: JSON!){ setRulePackOverlay(overlay: $o) { jurisdiction } }",
                "variables": {"o": overlay},
            },
            headers={"authorization": f"Bearer {admin}"},
        )
        assert not res.json().get("errors"), res.json()
        assert es_overlay(ws, "2") is True
