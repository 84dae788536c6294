"""Authority stays where it was given: a session's tier is bounded by what an ADMIN granted the agent, and
minting a session never changes another credential (issue 13, item 2)."""

from __future__ import annotations

from sqlalchemy import select

from asistente.tenants.models import Agent
from tests.api.test_agreements_api import APPROVE, world
from tests.conftest import error_codes

MINT = "mutation($a: String!, $t: AgentTier) { createAgentSession(agentId: $a, tier: $t) { token role } }"
SETTLEMENT = {
    "kind": "SETTLEMENT",
    "installments": None,
    "frequency": None,
    "settlementAmount": "9600.00",  # 20% off: above an AGENT's 10%, needs a SUPERVISOR
    "firstPaymentDate": "2026-11-27",
}


def granted(session_factory, external_id: str) -> str:
    with session_factory() as s:
        return s.scalar(select(Agent.role).where(Agent.external_id == external_id))


async def test_integrator_cannot_raise_a_tier_and_the_agent_key_keeps_its_authority(api, session_factory):
    w = await world(api)
    integrator = api.key("acme", "INTEGRATOR")
    pending = (await w.create(**SETTLEMENT))["agreement"]
    assert pending["status"] == "PENDING_APPROVAL"

    body = await api.gql(MINT, {"a": "ag-2", "t": "SUPERVISOR"}, key=integrator)
    assert error_codes(body) == ["FORBIDDEN"], body
    assert "ADMIN" in body["errors"][0]["message"]
    assert granted(session_factory, "ag-2") == "AGENT"
    # ag-2's own AGENT key still has an agent's authority and still says so
    assert error_codes(await api.gql(APPROVE, {"id": pending["id"]}, key=w.other_agent)) == ["FORBIDDEN"]
    assert (await api.ok("{ me { role } }", key=w.other_agent))["me"]["role"] == "AGENT"
    # the integrator may mint what was granted (the default tier)
    out = (await api.ok(MINT, {"a": "ag-2"}, key=integrator))["createAgentSession"]
    assert out["role"] == "AGENT"


async def test_an_admin_grant_bounds_sessions_and_changes_no_other_credential(api, session_factory):
    w = await world(api)
    integrator = api.key("acme", "INTEGRATOR")
    pending = (await w.create(**SETTLEMENT))["agreement"]
    agent_token = (await api.ok(MINT, {"a": "ag-2"}, key=integrator))["createAgentSession"]["token"]

    # An ADMIN grants SUPERVISOR (recorded in the ledger) and gets a SUPERVISOR session.
    admin_session = (await api.ok(MINT, {"a": "ag-2", "t": "SUPERVISOR"}, key=w.admin))["createAgentSession"]
    assert admin_session["role"] == "SUPERVISOR"
    assert granted(session_factory, "ag-2") == "SUPERVISOR"
    events = await w.events("POLICY_CHANGE")
    assert any(e["input"].get("grantTier") == "SUPERVISOR" for e in events), events

    # ag-2's AGENT key and the AGENT session minted before the grant keep an agent's authority.
    for credential in (w.other_agent, agent_token):
        assert (await api.ok("{ me { role } }", key=credential))["me"]["role"] == "AGENT"
        body = await api.gql(APPROVE, {"id": pending["id"]}, key=credential)
        assert error_codes(body) == ["FORBIDDEN"], body

    # Now the integrator may mint a SUPERVISOR session for ag-2, and it approves.
    sup = (await api.ok(MINT, {"a": "ag-2", "t": "SUPERVISOR"}, key=integrator))["createAgentSession"]
    assert sup["role"] == "SUPERVISOR"
    approved = (await api.ok(APPROVE, {"id": pending["id"]}, key=sup["token"]))["approveAgreement"]
    assert approved["agreement"]["status"] == "ACTIVE"

    # An ADMIN lowering the grant lowers the open SUPERVISOR sessions at once; keys are untouched.
    await api.ok(MINT, {"a": "ag-2", "t": "AGENT"}, key=w.admin)
    assert (await api.ok("{ me { role } }", key=sup["token"]))["me"]["role"] == "AGENT"
    assert (await api.ok("{ me { role } }", key=admin_session["token"]))["me"]["role"] == "AGENT"
    body = await api.gql(MINT, {"a": "ag-2", "t": "SUPERVISOR"}, key=integrator)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_a_supervisor_key_keeps_its_role_whatever_sessions_are_minted(api):
    w = await world(api)
    sup_key = api.key("acme", "SUPERVISOR", agent="boss")
    await api.ok(MINT, {"a": "boss", "t": "AGENT"}, key=w.admin)  # an ADMIN lowers boss's session grant
    assert (await api.ok("{ me { role } }", key=sup_key))["me"]["role"] == "SUPERVISOR"
    pending = (await w.create(**SETTLEMENT))["agreement"]
    approved = (await api.ok(APPROVE, {"id": pending["id"]}, key=sup_key))["approveAgreement"]
    assert approved["agreement"]["status"] == "ACTIVE"
