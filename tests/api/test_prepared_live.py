"""The prepared path (api/core/prepared.py) for the other live-call checks, contactPermission,
checkCompliance and validateAgreement, and the per-tenant rule packs they share (api/compliance/schema.py):
the same bytes as normal execution for selections generated from the schema, the same ledger events, the
same errors (other tenants, unknown ids, roles, bound sessions, bad input), and every write seen by the next
read, also through a second app on the same database (another worker).

`card_cache_size = 0` turns the fast paths off: that is normal execution.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from graphql import get_named_type

from asistente.api.core.context import Services
from asistente.app import create_app
from tests.api.data import debtor_record
from tests.api.test_agreements_api import SET_POLICY, policy_doc
from tests.api.test_drafts_api import Tenant
from tests.api.test_prepared import _paths, _selection, both, generated
from tests.conftest import Api

TEXTS = [
    "Buenas tardes, le habla Laura del área de cobranza. Le llamo por el saldo pendiente de su tarjeta; "
    "podemos revisar juntos un plan de pagos que se ajuste a su presupuesto.",
    "Si no paga hoy vamos a ir a su trabajo a hablar con su jefe y le vamos a embargar todo; la policía "
    "puede pasar por usted en cualquier momento.",
    "Thank you for taking the call. This is an attempt to collect a debt and any information obtained will "
    "be used for that purpose.",
    "Le recordamos su pago de $500.00. Responda BAJA para no recibir más mensajes.",
]
OVERLAY = "mutation($o: JSON!) { setRulePackOverlay(overlay: $o) { jurisdiction tenantOverlay } }"
MX_OVERLAY = {
    "version": "2026.12.1",
    "jurisdiction": "MX",
    "name": "Acme: los montos sólo por escrito",
    "rules": [
        {
            "id": "ACME-MX-NO-AMOUNTS-ON-CALLS",
            "kind": "forbidden_elements",
            "code": "MISREPRESENTATION",
            "source": "Política interna 4.2: montos sólo por escrito",
            "channels": ["CALL", "SMS"],
            "parameters": {"elements": ["AMOUNT_MENTION"]},
        }
    ],
}
INTERACTION = (
    """mutation($i: RecordInteractionInput!) { recordInteraction(input: $i) { interaction { id } } }"""
)
ACCOUNTS = "query($d: ID!){ debtor(id: $d) { accounts { id } } }"


def permission_doc(gql) -> str:
    sel = _selection(gql.query_type.fields["contactPermission"].type)
    return (
        "query Generated($d: ID!, $c: Channel!, $at: DateTime, $r: RecipientRole, $dest: String) { "
        f"contactPermission(debtorId: $d, channel: $c, at: $at, recipientRole: $r, destination: $dest) {sel} }}"
    )


def check_doc(gql) -> str:
    return generated(gql, "checkCompliance", "ComplianceCheckInput")


def validate_doc(gql) -> str:
    return generated(gql, "validateAgreement", "AgreementInput")


def plan(debtor_id: str, account: str, clock, **extra) -> dict:
    return {
        "debtorId": debtor_id,
        "accountIds": [account],
        "kind": "INSTALLMENTS",
        "installments": 12,
        "frequency": "MONTHLY",
        "firstPaymentDate": (clock().date() + timedelta(days=7)).isoformat(),
        **extra,
    }


async def _account(api, debtor_id: str, key: str) -> str:
    return (await api.ok(ACCOUNTS, {"d": debtor_id}, key=key))["debtor"]["accounts"][0]["id"]


def test_the_generated_documents_are_prepared(services, app):
    prepared = _paths(services)
    gql = prepared.gql
    for doc in (permission_doc(gql), check_doc(gql), validate_doc(gql)):
        assert prepared.plan(doc, "Generated") is not None, doc
    # every field of each result is a plain attribute (a field with a resolver would not be prepared)
    for root in ("contactPermission", "checkCompliance", "validateAgreement"):
        named = get_named_type(gql.query_type.fields[root].type)
        assert all(f.extensions["strawberry-definition"].base_resolver is None for f in named.fields.values())


async def test_the_three_checks_are_identical_on_both_paths(api, services, session_factory, clock):
    t = await Tenant(api).setup()
    await api.ok(SET_POLICY, {"p": policy_doc()}, key=t.admin)
    debtors = [
        await t.debtor(debtor_record(f"MX-L{n}", accounts=1 + n % 2, interactions=n % 4, payments=n % 3))
        for n in range(5)
    ]
    us = debtor_record("US-L1", country="US")
    us["jurisdiction"] = "US-NY"
    us["phones"] = [{"number": "+12125550100", "kind": "MOBILE"}]
    us["addresses"][0].update({"city": "New York", "region": "NY", "postalCode": "10001"})
    for a in us["accounts"]:
        a["currency"] = "USD"
    us["promises"] = []
    debtors.append(await t.debtor(us))
    prepared = _paths(services)
    gql = prepared.gql
    answered = prepared.stats["answered"]
    compared = 0
    late = (clock() + timedelta(hours=6)).isoformat()
    for n, debtor_id in enumerate(debtors):
        for channel in ("CALL", "SMS", "EMAIL", "WHATSAPP"):
            variables = {"d": debtor_id, "c": channel}
            if n % 2:
                variables["at"] = late
            if channel == "CALL" and n == 1:
                variables["r"] = "FAMILY"
            slow, _, _ = await both(api, services, session_factory, permission_doc(gql), variables, t.agent)
            assert "errors" not in slow, slow
            compared += 1
        for m, text in enumerate(TEXTS):
            inp = {"text": text, "channel": "CALL", "debtorId": debtor_id, "context": "CALL_TURN"}
            if m == 3:
                inp = {"text": text, "channel": "SMS", "debtorId": debtor_id, "isFirstContact": n % 2 == 0}
            slow, _, _ = await both(api, services, session_factory, check_doc(gql), {"i": inp}, t.agent)
            assert "errors" not in slow, slow
            compared += 1
    # without a debtor (the jurisdiction named), twice the same text (a memo must not change anything)
    for _ in range(2):
        for jurisdiction in ("MX", "US-NY", "ES"):
            inp = {"text": TEXTS[1], "channel": "SMS", "jurisdiction": jurisdiction, "language": "es"}
            slow, _, _ = await both(api, services, session_factory, check_doc(gql), {"i": inp}, t.agent)
            assert "errors" not in slow, slow
            compared += 1
    for debtor_id in debtors[:5]:
        account = await _account(api, debtor_id, t.admin)
        for extra in ({}, {"installments": 24}, {"downPayment": "100.00", "affordability": "50"}):
            variables = {"i": plan(debtor_id, account, clock, **extra)}
            slow, _, _ = await both(api, services, session_factory, validate_doc(gql), variables, t.agent)
            assert "errors" not in slow, slow
            compared += 1
    assert compared >= 60
    assert prepared.stats["answered"] - answered == 2 * compared


async def test_errors_and_other_callers_are_answered_as_normal_execution(
    api, services, session_factory, clock
):
    t = await Tenant(api).setup()
    mine = await t.debtor(debtor_record("MX-E"))
    second = await t.debtor(debtor_record("MX-F"))
    other = await Tenant(api, "other").setup()
    theirs = await other.debtor(debtor_record("MX-O"))
    integrator = api.key("acme", "INTEGRATOR")
    session = (
        """mutation($a: String!, $r: String) { createAgentSession(agentId: $a, recordId: $r) { token } }"""
    )
    bound = (await api.ok(session, {"a": "u-2", "r": "MX-E"}, key=integrator))["createAgentSession"]["token"]
    account = await _account(api, mine, t.admin)
    gql = _paths(services).gql
    permission, check, validate = permission_doc(gql), check_doc(gql), validate_doc(gql)
    missing = "00000000-0000-4000-8000-000000000000"
    text = TEXTS[0]
    cases = [
        (permission, {"d": theirs, "c": "CALL"}, t.agent),  # another tenant's debtor
        (permission, {"d": missing, "c": "CALL"}, t.agent),
        (permission, {"d": "not-a-uuid", "c": "CALL"}, t.agent),
        (permission, {"d": mine, "c": "CALL", "at": "2026-11-20T10:00:00"}, t.agent),  # no offset
        (permission, {"d": mine, "c": "CALL", "dest": "x" * 400}, t.agent),
        (permission, {"d": mine, "c": "CALL"}, None),
        (permission, {"d": mine, "c": "CALL"}, "ask_not-a-key"),
        (permission, {"d": mine, "c": "CALL"}, bound),  # its own debtor
        (permission, {"d": second, "c": "CALL"}, bound),  # another debtor: NOT_FOUND
        (permission, {"d": mine, "c": "PIGEON"}, t.agent),  # a variable that does not coerce
        (permission, {"d": mine, "c": "CALL"}, t.compliance),
        (check, {"i": {"text": text, "channel": "CALL", "debtorId": theirs}}, t.agent),
        (check, {"i": {"text": text, "channel": "CALL", "debtorId": missing}}, t.agent),
        (check, {"i": {"text": "  ", "channel": "CALL", "debtorId": mine}}, t.agent),
        (check, {"i": {"text": "x" * 20_000, "channel": "SMS", "jurisdiction": "MX"}}, t.agent),
        (check, {"i": {"text": text, "channel": "SMS"}}, t.agent),  # no jurisdiction, no debtor
        (check, {"i": {"text": text, "channel": "SMS", "debtorId": mine, "jurisdiction": "ES"}}, t.agent),
        (
            check,
            {"i": {"text": text, "channel": "SMS", "context": "CALL_TURN", "jurisdiction": "MX"}},
            t.agent,
        ),
        (check, {"i": {"text": text, "channel": "SMS", "jurisdiction": "XX"}}, t.agent),
        (check, {"i": {"text": text, "channel": "CALL", "debtorId": mine, "callId": "c" * 300}}, t.agent),
        (check, {"i": {"text": text, "channel": "CALL", "debtorId": second}}, bound),
        (check, {"i": {"text": text, "channel": "CALL", "debtorId": mine}}, bound),
        (check, {"i": {"text": text, "channel": "CALL", "debtorId": mine}}, None),
        (check, {"i": {"text": 12, "channel": "CALL"}}, t.agent),
        (validate, {"i": plan(theirs, account, clock)}, t.agent),
        (validate, {"i": plan(missing, account, clock)}, t.agent),
        (validate, {"i": plan(mine, account, clock, downPayment="12,5")}, t.agent),
        (validate, {"i": plan(mine, account, clock, installments=500)}, t.agent),
        (validate, {"i": plan(mine, missing, clock)}, t.agent),
        (validate, {"i": plan(second, account, clock)}, bound),
        (validate, {"i": plan(mine, account, clock)}, bound),
        (validate, {"i": plan(mine, account, clock)}, integrator),  # role may not negotiate
        (validate, {"i": plan(mine, account, clock)}, t.compliance),
        (validate, {"i": {**plan(mine, account, clock), "kind": "BARTER"}}, t.agent),
    ]
    errors = 0
    for query, variables, key in cases:
        slow, _, _ = await both(api, services, session_factory, query, variables, key)
        errors += bool(slow.get("errors"))
    assert errors >= len(cases) - 6


async def test_every_write_shows_in_the_next_check(api, services, session_factory, clock):
    t = await Tenant(api).setup()
    await api.ok(SET_POLICY, {"p": policy_doc()}, key=t.admin)
    debtor_id = await t.debtor(debtor_record("MX-W", accounts=1, interactions=0, payments=1))
    account = await _account(api, debtor_id, t.admin)
    gql = _paths(services).gql
    amount = {
        "i": {"text": "Le confirmo el pago de $500.00 el viernes.", "channel": "CALL", "debtorId": debtor_id}
    }

    async def run(query, variables):
        slow, _, _ = await both(api, services, session_factory, query, variables, t.agent)
        return slow

    before = await run(check_doc(gql), amount)
    assert before["data"]["checkCompliance"]["compliant"] is True
    # a rule-pack overlay (tenant settings): the next check applies it
    await api.ok(OVERLAY, {"o": MX_OVERLAY}, key=t.admin)
    after = await run(check_doc(gql), amount)
    assert after["data"]["checkCompliance"]["compliant"] is False
    assert "tenant:MX@2026.12.1" in after["data"]["checkCompliance"]["packVersion"]
    # interactions (contact frequency): the next permission counts them
    first = await run(permission_doc(gql), {"d": debtor_id, "c": "CALL"})
    for minutes in (1, 2, 3, 4, 5, 6, 7):
        at = (clock() - timedelta(minutes=minutes)).isoformat()
        interaction = {"debtorId": debtor_id, "channel": "CALL", "direction": "OUTBOUND", "at": at}
        await api.ok(INTERACTION, {"i": {**interaction, "outcome": "NO_ANSWER"}}, key=t.admin)
        await run(permission_doc(gql), {"d": debtor_id, "c": "CALL"})
    last = await run(permission_doc(gql), {"d": debtor_id, "c": "CALL"})
    assert first["data"] != last["data"]
    # the agreement policy: the next validation applies the new revision
    v1 = await run(validate_doc(gql), {"i": plan(debtor_id, account, clock)})
    await api.ok(SET_POLICY, {"p": policy_doc(version="acme-mxn-2", maxInstallments=3)}, key=t.admin)
    v2 = await run(validate_doc(gql), {"i": plan(debtor_id, account, clock)})
    assert v1["data"]["validateAgreement"]["valid"] != v2["data"]["validateAgreement"]["valid"]


async def test_a_write_through_one_worker_shows_in_the_next_read_on_another(
    api, services, session_factory, engine, settings, clock
):
    """Two apps on one database (two workers): each keeps its own caches; a write through the first is
    seen by the very next check on the second."""
    t = await Tenant(api).setup()
    debtor_id = await t.debtor(debtor_record("MX-2W", accounts=1, interactions=0, payments=0))
    other = Services(settings=settings, engine=engine, session_factory=session_factory, clock=clock)
    app2 = create_app(settings, services=other)
    gql = _paths(services).gql
    check = {
        "i": {"text": "Le confirmo el pago de $500.00 el viernes.", "channel": "CALL", "debtorId": debtor_id}
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app2), base_url="http://w2") as client:
        api2 = Api(client, session_factory)
        for a in (api, api2):  # both workers have built and cached the tenant's packs
            assert (await a.ok(check_doc(gql), check, key=t.agent))["checkCompliance"]["compliant"] is True
            await a.ok(permission_doc(gql), {"d": debtor_id, "c": "CALL"}, key=t.agent)
        await api.ok(OVERLAY, {"o": MX_OVERLAY}, key=t.admin)  # written through worker 1
        seen = (await api2.ok(check_doc(gql), check, key=t.agent))["checkCompliance"]
        assert seen["compliant"] is False and "tenant:MX@2026.12.1" in seen["packVersion"]
        before = (await api2.ok(permission_doc(gql), {"d": debtor_id, "c": "CALL"}, key=t.agent))[
            "contactPermission"
        ]
        for minutes in range(1, 9):
            at = (clock() - timedelta(minutes=minutes)).isoformat()
            await api.ok(
                INTERACTION,
                {
                    "i": {
                        "debtorId": debtor_id,
                        "channel": "CALL",
                        "direction": "OUTBOUND",
                        "at": at,
                        "outcome": "NO_ANSWER",
                    }
                },
                key=t.admin,
            )
        after = (await api2.ok(permission_doc(gql), {"d": debtor_id, "c": "CALL"}, key=t.agent))[
            "contactPermission"
        ]
        assert after != before
        assert other.extras["prepared"].stats["answered"] >= 4


async def test_the_packs_of_one_tenant_are_never_another_s(api, services, session_factory):
    acme = await Tenant(api).setup()
    other = await Tenant(api, "other").setup()
    await api.ok(OVERLAY, {"o": MX_OVERLAY}, key=other.admin)
    a = await acme.debtor(debtor_record("SAME-1"))
    b = await other.debtor(debtor_record("SAME-1"))
    gql = _paths(services).gql
    text = "Le confirmo el pago de $500.00 el viernes."
    for debtor_id, key, compliant in (
        (b, other.agent, False),
        (a, acme.agent, True),
        (b, other.agent, False),
    ):
        inp = {"i": {"text": text, "channel": "CALL", "debtorId": debtor_id}}
        slow, _, _ = await both(api, services, session_factory, check_doc(gql), inp, key)
        assert slow["data"]["checkCompliance"]["compliant"] is compliant
        no_debtor = {"i": {"text": text, "channel": "SMS", "jurisdiction": "MX"}}
        slow, _, _ = await both(api, services, session_factory, check_doc(gql), no_debtor, key)
        assert slow["data"]["checkCompliance"]["compliant"] is compliant


@pytest.mark.parametrize(
    "query", ['{ me { role } contactPermission(debtorId: "x", channel: CALL) { allowed } }']
)
def test_everything_else_is_left_to_normal_execution(services, app, query):
    assert _paths(services).plan(query, None) is None
