"""Record-bound agent sessions: a sidebar session minted for one CRM record sees that debtor only, on every
debtor-scoped operation; another debtor (or another tenant's) reads NOT_FOUND, exactly like a foreign id."""

from __future__ import annotations

import pytest

from asistente.api.schema import build_schema
from asistente.settings import Settings
from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes

SESSION = """mutation($agent: String!, $record: String, $debtor: ID) {
  createAgentSession(agentId: $agent, recordId: $record, debtorId: $debtor) { token debtorId expiresAt } }"""

# Every root field that takes an id, called by a session bound to debtor A with debtor B's ids. Operations
# of capabilities that are not merged yet are listed by name and exercised once they are in the schema.
BOUND_OPERATIONS: dict[str, str] = {
    "Query.debtor": "query($d: ID!){ debtor(id: $d) { id } }",
    "Query.debtorByExternalId": 'query{ debtorByExternalId(externalId: "acme-B") { id } }',
    "Query.contactPermission": "query($d: ID!){ contactPermission(debtorId: $d, channel: CALL) { allowed } }",
    "Query.checkCompliance": (
        'query($d: ID!){ checkCompliance(input: {text: "Hola", channel: SMS, debtorId: $d}) { compliant } }'
    ),
    "Mutation.recordInteraction": (
        "mutation($d: ID!){ recordInteraction(input: {debtorId: $d, channel: CALL, direction: OUTBOUND, "
        'at: "2026-11-19T16:00:00Z", outcome: NO_ANSWER}) { interaction { id } } }'
    ),
    "Query.validateAgreement": (
        "query($d: ID!, $a: ID!){ validateAgreement(input: {debtorId: $d, accountIds: [$a], kind: SINGLE_PAYMENT, "
        'firstPaymentDate: "2026-11-25"}) { valid } }'
    ),
    "Mutation.createAgreement": (
        "mutation($d: ID!, $a: ID!){ createAgreement(input: {debtorId: $d, accountIds: [$a], kind: SINGLE_PAYMENT, "
        'firstPaymentDate: "2026-11-25"}) { auditId } }'
    ),
    "Query.agreement": "query($g: ID!){ agreement(id: $g) { id } }",
    "Mutation.recordSuggestionFeedback": (
        "mutation($e: ID!){ recordSuggestionFeedback(auditId: $e, action: USED) { auditId } }"
    ),
    # Capabilities merged later (API.md): exercised when present in the schema.
    "Query.suggestResponses": (
        'query($d: ID!){ suggestResponses(input: {debtorId: $d, utterance: "ya pagué"}) { auditId } }'
    ),
    "Query.draftMessage": (
        "query($d: ID!){ draftMessage(input: {debtorId: $d, channel: SMS, purpose: REMINDER}) { auditId } }"
    ),
    "Mutation.pushTranscript": (
        'mutation($d: ID!){ pushTranscript(input: {callId: "call-bound-test", debtorId: $d, speaker: DEBTOR, '
        'text: "ya pagué"}) { seq } }'
    ),
}
# Root fields with ids that a record-bound (AGENT) session may not call at all, or that are not debtor data.
NOT_FOR_BOUND_SESSIONS = {
    "Mutation.recordPayment": "INTEGRATOR/ADMIN only",
    "Mutation.refreshAgreementStatuses": "INTEGRATOR/ADMIN only",
    "Mutation.approveAgreement": "agreement scoped like Query.agreement (store filter); approval needs a higher tier",
    "Mutation.rejectAgreement": "same as approveAgreement",
    "Query.auditEvent": "COMPLIANCE/ADMIN only",
    "Query.auditEvents": "COMPLIANCE/ADMIN only",
    "Mutation.createAgentSession": "INTEGRATOR/ADMIN only",
    "Mutation.endCall": "a call belongs to its debtor: test_a_bound_session_cannot_reach_another_debtors_call",
    "Subscription.callAssist": "same check (_visible_call): test_a_bound_session_cannot_reach_another_debtors_call",
}


def _fields_with_ids() -> set[str]:
    schema = build_schema(Settings())._schema
    out = set()
    for type_name in ("Query", "Mutation", "Subscription"):
        t = schema.get_type(type_name)
        if t is None:
            continue
        for fname, field in t.fields.items():
            types = [str(a.type) for a in field.args.values()]
            for a in field.args.values():
                inner = a.type
                while hasattr(inner, "of_type"):
                    inner = inner.of_type
                if hasattr(inner, "fields"):
                    types += [str(f.type) for f in inner.fields.values()]
            if any(t.startswith("ID") for t in types) or fname == "debtorByExternalId":
                out.add(f"{type_name}.{fname}")
    return out


def test_every_root_field_with_an_id_is_checked_for_bound_sessions():
    unchecked = _fields_with_ids() - set(BOUND_OPERATIONS) - set(NOT_FOR_BOUND_SESSIONS)
    assert not unchecked, f"add these to BOUND_OPERATIONS (or say why not): {sorted(unchecked)}"


async def _two_debtors(api) -> tuple[str, dict, dict]:
    admin = api.key("acme", "ADMIN")
    data = await api.ok(UPSERT, {"input": [debtor_record("acme-A"), debtor_record("acme-B")]}, key=admin)
    ids = data["upsertDebtors"]["ids"]
    out = []
    for debtor_id in ids:
        acc = await api.ok(
            "query($id: ID!){ debtor(id: $id) { accounts { id } } }", {"id": debtor_id}, key=admin
        )
        out.append({"id": debtor_id, "account": acc["debtor"]["accounts"][0]["id"]})
    return admin, out[0], out[1]


async def test_bound_session_sees_its_debtor_only(api):
    _, a, b = await _two_debtors(api)
    integrator = api.key("acme", "INTEGRATOR")
    minted = await api.ok(SESSION, {"agent": "u-1", "record": "acme-A"}, key=integrator)
    token = minted["createAgentSession"]["token"]
    assert minted["createAgentSession"]["debtorId"] == a["id"]

    # Its own debtor works across the card, checks and plans.
    card = await api.ok("query($d: ID!){ debtor(id: $d) { externalId } }", {"d": a["id"]}, key=token)
    assert card["debtor"]["externalId"] == "acme-A"
    by_ext = await api.ok('{ debtorByExternalId(externalId: "acme-A") { id } }', key=token)
    assert by_ext["debtorByExternalId"]["id"] == a["id"]
    plan = await api.ok(
        BOUND_OPERATIONS["Query.validateAgreement"], {"d": a["id"], "a": a["account"]}, key=token
    )
    assert "valid" in plan["validateAgreement"]
    listing = await api.ok("{ debtors(first: 50) { edges { node { externalId } } } }", key=token)
    assert [e["node"]["externalId"] for e in listing["debtors"]["edges"]] == ["acme-A"]

    # Debtor B's evidence: an agreement and a ledger event about B made by an unbound session.
    free = (await api.ok(SESSION, {"agent": "u-1"}, key=integrator))["createAgentSession"]["token"]
    made = await api.ok(
        "mutation($d: ID!, $a: ID!){ createAgreement(input: {debtorId: $d, accountIds: [$a], kind: SINGLE_PAYMENT, "
        'firstPaymentDate: "2026-11-25"}) { agreement { id } } }',
        {"d": b["id"], "a": b["account"]},
        key=free,
    )
    agreement_b = made["createAgreement"]["agreement"]["id"]
    check = await api.ok(
        'query($d: ID!){ checkCompliance(input: {text: "Hola", channel: SMS, debtorId: $d}) { auditId } }',
        {"d": b["id"]},
        key=free,
    )
    event_b = check["checkCompliance"]["auditId"]

    schema_fields = _fields_with_ids()
    variables = {"d": b["id"], "a": b["account"], "g": agreement_b, "e": event_b}
    for name, query in BOUND_OPERATIONS.items():
        if name not in schema_fields:
            continue  # capability not merged yet
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        body = await api.gql(query, used, key=token)
        assert error_codes(body) == ["NOT_FOUND"], (name, body)
    # The same agent's unbound session still reads B (the binding is the session's, not the agent's).
    ok = await api.ok("query($d: ID!){ debtor(id: $d) { id } }", {"d": b["id"]}, key=free)
    assert ok["debtor"]["id"] == b["id"]


async def test_binding_by_debtor_id_and_cached_card_path(api, services):
    _, a, b = await _two_debtors(api)
    integrator = api.key("acme", "INTEGRATOR")
    token = (await api.ok(SESSION, {"agent": "u-2", "debtor": a["id"]}, key=integrator))[
        "createAgentSession"
    ]["token"]
    # Card-only queries go through the cached card path for unbound callers; a bound one is scoped too,
    # even once B's card is in the cache.
    admin = api.key("acme", "ADMIN")
    query = "query($d: ID!){ debtor(id: $d) { id fullName totals { balance } } }"
    await api.ok(query, {"d": b["id"]}, key=admin)
    await api.ok(query, {"d": b["id"]}, key=admin)
    assert error_codes(await api.gql(query, {"d": b["id"]}, key=token)) == ["NOT_FOUND"]
    by_ext = 'query{ debtorByExternalId(externalId: "acme-B") { id fullName } }'
    assert error_codes(await api.gql(by_ext, key=token)) == ["NOT_FOUND"]
    assert (await api.ok(query, {"d": a["id"]}, key=token))["debtor"]["id"] == a["id"]
    # its own card is served by the cached path like anyone's
    stats = services.extras["cards"].stats
    hits = stats["hits"]
    assert (await api.ok(query, {"d": a["id"]}, key=token))["debtor"]["id"] == a["id"]
    assert stats["hits"] == hits + 1


@pytest.mark.parametrize(
    "variables,code",
    [
        ({"agent": "u-3", "record": "no-such-record"}, "NOT_FOUND"),
        ({"agent": "u-3", "record": "other-1"}, "NOT_FOUND"),  # another tenant's record
        ({"agent": "u-3", "debtor": "00000000-0000-4000-8000-000000000000"}, "NOT_FOUND"),
        ({"agent": "u-3", "record": "acme-A", "debtor": "00000000-0000-4000-8000-000000000000"}, "BAD_INPUT"),
        ({"agent": "u-3", "record": ""}, "BAD_INPUT"),
    ],
)
async def test_binding_to_what_is_not_this_tenants_debtor_is_refused(api, variables, code):
    await _two_debtors(api)
    other = api.key("other", "ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record("other-1")]}, key=other)
    integrator = api.key("acme", "INTEGRATOR")
    body = await api.gql(SESSION, variables, key=integrator)
    assert error_codes(body) == [code], body


async def test_agents_cannot_mint_bound_sessions(api):
    await _two_debtors(api)
    agent = api.key("acme", "AGENT", agent="u-4")
    body = await api.gql(SESSION, {"agent": "u-4", "record": "acme-B"}, key=agent)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_a_bound_session_cannot_reach_another_debtors_call(api, clock):
    """The same agent, on a sidebar bound to debtor A, cannot end or follow the call it had with debtor B."""
    from asistente.api.calls.schema import _visible_call
    from asistente.calls.models import Call
    from asistente.errors import NotFound
    from asistente.tenants.service import authenticate_token

    _, _a, b = await _two_debtors(api)
    integrator = api.key("acme", "INTEGRATOR")
    unbound = (await api.ok(SESSION, {"agent": "u-7", "record": "acme-B"}, key=integrator))[
        "createAgentSession"
    ]
    pushed = await api.gql(
        'mutation($d: ID!){ pushTranscript(input: {callId: "call-b-1", debtorId: $d, speaker: DEBTOR, '
        'text: "ya pagué la semana pasada"}) { seq } }',
        {"d": b["id"]},
        key=unbound["token"],
    )
    assert not pushed.get("errors"), pushed
    bound_a = (await api.ok(SESSION, {"agent": "u-7", "record": "acme-A"}, key=integrator))[
        "createAgentSession"
    ]
    body = await api.gql('mutation { endCall(callId: "call-b-1") { disposition } }', key=bound_a["token"])
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    # The subscription goes through the same check.
    with api.factory() as s:
        call = s.get(Call, "call-b-1")
        principal_a = authenticate_token(s, bound_a["token"], now=clock())
        principal_b = authenticate_token(s, unbound["token"], now=clock())
        assert _visible_call(principal_b, call, "call-b-1") is call
        with pytest.raises(NotFound):
            _visible_call(principal_a, call, "call-b-1")
    # The session bound to B ends its own call.
    ended = await api.gql('mutation { endCall(callId: "call-b-1") { disposition } }', key=unbound["token"])
    assert not ended.get("errors"), ended
