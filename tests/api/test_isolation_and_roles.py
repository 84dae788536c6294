"""Tenant isolation and the role matrix, checked over the real HTTP app."""

from __future__ import annotations

import pytest

from asistente.api.core.permissions import PERMISSIONS
from asistente.api.schema import build_schema
from asistente.settings import Settings
from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes


def _root_fields() -> set[str]:
    schema = build_schema(Settings())._schema
    out = set()
    for type_name in ("Query", "Mutation", "Subscription"):
        t = schema.get_type(type_name)
        if t is not None:
            out.update(f"{type_name}.{name}" for name in t.fields)
    return out


def test_every_root_field_has_a_permission_entry():
    missing = _root_fields() - set(PERMISSIONS)
    assert not missing, f"root fields without a role entry: {sorted(missing)}"


async def _seed(api, tenant: str) -> tuple[str, str, str]:
    key = api.key(tenant, "ADMIN")
    data = await api.ok(UPSERT, {"input": [debtor_record(f"{tenant}-1")]}, key=key)
    debtor_id = data["upsertDebtors"]["ids"][0]
    acc = await api.ok("query($id: ID!){ debtor(id: $id) { accounts { id } } }", {"id": debtor_id}, key=key)
    return key, debtor_id, acc["debtor"]["accounts"][0]["id"]


# Every root operation that takes another object's id, called with tenant B's ids by tenant A.
ID_OPERATIONS = {
    "Query.debtor": ("query($d: ID!){ debtor(id: $d) { id } }", {}),
    "Query.debtorByExternalId": ('query{ debtorByExternalId(externalId: "beta-1") { id } }', {}),
    "Query.contactPermission": (
        "query($d: ID!){ contactPermission(debtorId: $d, channel: CALL) { allowed } }",
        {},
    ),
    "Query.checkCompliance": (
        'query($d: ID!){ checkCompliance(input: {text: "Hola", channel: SMS, debtorId: $d}) { compliant } }',
        {},
    ),
    "Mutation.recordInteraction": (
        "mutation($d: ID!){ recordInteraction(input: {debtorId: $d, channel: CALL, direction: OUTBOUND, "
        'at: "2026-11-19T16:00:00Z", outcome: NO_ANSWER}) { interaction { id } } }',
        {},
    ),
    "Mutation.recordPayment": (
        'mutation($a: ID!){ recordPayment(input: {accountId: $a, amount: "10.00", currency: "MXN", '
        'paidAt: "2026-11-19T16:00:00Z"}) { payment { id } } }',
        {},
    ),
}


async def test_other_tenants_ids_read_not_found(api):
    key_a, _, _ = await _seed(api, "alpha")
    _, debtor_b, account_b = await _seed(api, "beta")
    for name, (query, _) in ID_OPERATIONS.items():
        variables = {"d": debtor_b, "a": account_b}
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        body = await api.gql(query, used, key=key_a)
        assert error_codes(body) == ["NOT_FOUND"], (name, body)
    listing = await api.ok("{ debtors(first: 100) { edges { node { externalId } } } }", key=key_a)
    assert [e["node"]["externalId"] for e in listing["debtors"]["edges"]] == ["alpha-1"]
    # a malformed id is also just "not found", never a 500
    body = await api.gql('{ debtor(id: "not-a-uuid") { id } }', key=key_a)
    assert error_codes(body) == ["NOT_FOUND"]


def test_id_operations_cover_every_root_field_with_an_id_argument():
    schema = build_schema(Settings())._schema
    with_ids = set()
    for type_name in ("Query", "Mutation"):
        for fname, field in schema.get_type(type_name).fields.items():
            arg_types = [str(a.type) for a in field.args.values()]
            nested = []
            for a in field.args.values():
                inner = a.type
                while hasattr(inner, "of_type"):
                    inner = inner.of_type
                if hasattr(inner, "fields"):
                    nested += [str(f.type) for f in inner.fields.values()]
            if any(t.startswith("ID") for t in arg_types + nested) or fname == "debtorByExternalId":
                with_ids.add(f"{type_name}.{fname}")
    allowed_elsewhere = {n for n in with_ids if n not in ID_OPERATIONS}
    # Fields listed here are covered by their own domain's isolation tests.
    from tests.api import isolation_registry

    assert allowed_elsewhere <= isolation_registry.COVERED_ELSEWHERE, sorted(allowed_elsewhere)


@pytest.mark.parametrize(
    "role,allowed",
    [("AGENT", False), ("COMPLIANCE", False), ("INTEGRATOR", True), ("ADMIN", True), ("SUPERVISOR", False)],
)
async def test_upsert_requires_integrator_or_admin(api, role, allowed):
    key = api.key("acme", role, agent="u1" if role in ("AGENT", "SUPERVISOR") else None)
    body = await api.gql(UPSERT, {"input": [debtor_record("X-1")]}, key=key)
    if allowed:
        assert not body.get("errors")
    else:
        assert error_codes(body) == ["FORBIDDEN"]


async def test_agent_can_read_card_but_not_mint_sessions(api):
    key = api.key("acme", "AGENT", agent="u1")
    body = await api.gql('mutation { createAgentSession(agentId: "u2") { token } }', key=key)
    assert error_codes(body) == ["FORBIDDEN"]
    me = await api.ok("{ me { tenant role agentExternalId } }", key=key)
    assert me["me"] == {"tenant": "acme", "role": "AGENT", "agentExternalId": "u1"}


async def test_wrong_and_revoked_keys(api, session_factory):
    from asistente.db import transaction
    from asistente.tenants.service import revoke_api_key

    res = await api.post("{ me { tenant } }", key="ask_deadbeef_nope")
    assert res.status_code == 401 and error_codes(res.json()) == ["UNAUTHENTICATED"]
    res = await api.post("{ me { tenant } }", headers={"authorization": "Basic abc"})
    assert error_codes(res.json()) == ["UNAUTHENTICATED"]
    key = api.key("acme", "ADMIN")
    assert (await api.ok("{ me { tenant } }", key=key))["me"]["tenant"] == "acme"
    with transaction(session_factory) as s:
        assert revoke_api_key(s, tenant_slug="acme", prefix=key.split("_")[1]) == 1
    res = await api.post("{ me { tenant } }", key=key)
    assert error_codes(res.json()) == ["UNAUTHENTICATED"]
