"""The prepared path (api/core/prepared.py) and the per-debtor inputs (api/core/state.py) of suggestResponses
and draftMessage answer exactly what normal execution answers, record the same ledger events, follow every
write, and leave every other request (and every error) as normal execution leaves it.

`card_cache_size = 0` turns both off: that is normal execution, field by field, with every read per request.
"""

from __future__ import annotations

import json

import pytest
from graphql import GraphQLObjectType, get_named_type
from sqlalchemy import select

from asistente.audit.models import AuditEvent
from asistente.demo import seed_demo
from asistente.portfolio.models import Debtor
from tests.api.data import UPSERT, debtor_record
from tests.api.test_agreements_api import CREATE, SET_POLICY, policy_doc
from tests.api.test_drafts_api import DRAFT, PDF, PROFILE, Tenant, us_record

UTTERANCES = [
    "ahorita no tengo dinero, me quedé sin chamba",
    "yo ya pagué eso el mes pasado",
    "esa deuda no es mía",
    "llámeme más tarde",
    "¿me pueden hacer un descuento?",
    "mirá, no tengo un mango",
    "I already paid that",
]


def _selection(t, skip_resolved=True) -> str:
    t = get_named_type(t)
    if not isinstance(t, GraphQLObjectType):
        return ""
    parts = []
    for name, f in t.fields.items():
        definition = f.extensions.get("strawberry-definition")
        if skip_resolved and definition is not None and definition.base_resolver is not None:
            continue
        parts.append(f"{name} {_selection(f.type, skip_resolved)}".strip())
    return "{ " + " ".join(parts) + " }"


def generated(gql, root: str, input_type: str) -> str:
    """Every field of the result type, with every sub-field, from the schema (fields with a resolver of
    their own are not served by the prepared path and are tested apart)."""
    sel = _selection(gql.query_type.fields[root].type)
    return f"query Generated($i: {input_type}!) {{ {root}(input: $i) {sel} }}"


def _paths(services):
    return services.extras["prepared"]


def _ids(session_factory) -> list[str]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)))


def _events(session_factory, ids: list[str]) -> list[tuple]:
    with session_factory() as s:
        out = []
        for audit_id in ids:
            e = s.get(AuditEvent, audit_id)
            out.append((e.kind, e.debtor_id, e.actor_id, e.call_id, e.input, e.output, e.versions))
        return out


def _text(body: dict, ids: list[str]) -> str:
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    for audit_id in ids:
        text = text.replace(audit_id, "-")
    return text


async def _call(api, session_factory, query, variables, key) -> tuple[dict, list[str], str]:
    before = set(_ids(session_factory))
    body = await api.gql(query, variables, key=key)
    new = [i for i in _ids(session_factory) if i not in before]
    return body, new, _text(body, new)


async def both(api, services, session_factory, query, variables, key):
    """(normal execution's body, prepared body before it, prepared body after it); asserts they agree byte
    for byte (audit ids aside: each request records its own event) and that the events recorded are
    identical. The first prepared request runs on whatever earlier requests left in the caches."""
    fast = [await _call(api, session_factory, query, variables, key)]  # from what earlier requests left
    services.settings.card_cache_size = 0
    slow, slow_ids, slow_text = await _call(api, session_factory, query, variables, key)
    services.settings.card_cache_size = 5000
    fast.append(await _call(api, session_factory, query, variables, key))
    for _, ids, text in fast:
        assert text == slow_text, (variables, slow_text[:300], text[:300])
        assert _events(session_factory, ids) == _events(session_factory, slow_ids)
    return slow, fast[0][0], fast[1][0]


@pytest.fixture
def demo(api, session_factory, clock):
    key = seed_demo(session_factory, now=clock())
    with session_factory() as s:
        debtors = [d.id for d in s.scalars(select(Debtor).order_by(Debtor.external_id))]
    return key, debtors


SUGGEST_SHAPES = [
    # aliases, named and inline fragments, __typename at every level, a field twice, a default variable
    """query Shapes($i: SuggestInput!) { __typename
      s: suggestResponses(input: $i) { ...Head __typename c2: category
        suggestions { __typename ... on Suggestion { id t: text } register }
        nextSteps { ...Step } alternatives { confidence } } }
    fragment Head on SuggestionSet { category confidence audit: auditId withheld playbookVersion }
    fragment Step on NextStep { kind at message }""",
    """query Lit($d: ID!, $u: String = "ya pagué todo") {
      suggestResponses(input: {debtorId: $d, utterance: $u, callId: "c-1"}) { category auditId
        suggestions { text } } }""",
]


async def test_suggestions_are_identical_on_both_paths(api, services, session_factory, demo):
    key, debtors = demo
    prepared = _paths(services)
    query = generated(prepared.gql, "suggestResponses", "SuggestInput")
    assert prepared.plan(query, "Generated") is not None, "the generated document must be prepared"
    answered = prepared.stats["answered"]
    compared = 0
    for n, debtor_id in enumerate(debtors[::3]):
        utterance = UTTERANCES[n % len(UTTERANCES)]
        variables = {"i": {"debtorId": debtor_id, "utterance": utterance, "callId": f"call-{n}"}}
        slow, _, _ = await both(api, services, session_factory, query, variables, key)
        assert "errors" not in slow, slow
        compared += 1
    for shape in SUGGEST_SHAPES:
        for debtor_id in debtors[:3]:
            variables = {"i": {"debtorId": debtor_id, "utterance": UTTERANCES[1]}, "d": debtor_id}
            slow, _, _ = await both(api, services, session_factory, shape, variables, key)
            assert "errors" not in slow, slow
    assert compared >= 20
    assert prepared.stats["answered"] - answered == 2 * (compared + 3 * len(SUGGEST_SHAPES))


async def test_drafts_are_identical_on_both_paths(api, services, session_factory):
    t = await Tenant(api).setup()
    mx = await t.debtor(debtor_record("MX-P", accounts=2, interactions=3, payments=2))
    us = await t.debtor(us_record("US-P"))
    prepared = _paths(services)
    query = generated(prepared.gql, "draftMessage", "DraftInput")
    assert prepared.plan(query, "Generated") is not None
    answered = prepared.stats["answered"] + prepared.stats["errors"]
    combos = [
        ("SMS", "REMINDER"),
        ("EMAIL", "REMINDER"),
        ("WHATSAPP", "REMINDER"),
        ("LETTER", "FIRST_NOTICE"),
        ("CALL", "CALL_SCRIPT_OPENING"),
        ("VOICEMAIL", "VOICEMAIL"),
    ]
    ok = 0
    for debtor_id in (mx, us):
        for channel, purpose in combos:
            for q in (query, DRAFT):
                variables = {"i": {"debtorId": debtor_id, "channel": channel, "purpose": purpose}}
                slow, _, _ = await both(api, services, session_factory, q, variables, t.agent)
                ok += "errors" not in slow
    assert ok >= 16
    # errors (a US letter without an itemization, a voicemail without a neutral name) are answered too
    assert prepared.stats["answered"] + prepared.stats["errors"] - answered == 2 * 2 * len(combos) * 2
    # A field with a resolver of its own (the letter's PDF) is left to normal execution.
    assert prepared.plan(PDF, None) is None
    await both(
        api,
        services,
        session_factory,
        PDF,
        {"i": {"debtorId": mx, "channel": "LETTER", "purpose": "FIRST_NOTICE"}},
        t.agent,
    )


async def test_errors_and_other_callers_are_answered_as_normal_execution(api, services, session_factory):
    t = await Tenant(api).setup()
    mine = await t.debtor(debtor_record("MX-E"))
    other_tenant = await Tenant(api, "other").setup()
    theirs = await other_tenant.debtor(debtor_record("MX-O"))
    integrator = api.key("acme", "INTEGRATOR")
    session = (
        """mutation($a: String!, $r: String) { createAgentSession(agentId: $a, recordId: $r) { token } }"""
    )
    bound = (await api.ok(session, {"a": "u-2", "r": "MX-E"}, key=integrator))["createAgentSession"]["token"]
    second = await t.debtor(debtor_record("MX-F"))
    suggest = generated(_paths(services).gql, "suggestResponses", "SuggestInput")
    draft = generated(_paths(services).gql, "draftMessage", "DraftInput")
    cases = [
        (suggest, {"debtorId": theirs, "utterance": "ya pagué"}, t.agent),  # another tenant's debtor
        (suggest, {"debtorId": "00000000-0000-4000-8000-000000000000", "utterance": "ya pagué"}, t.agent),
        (suggest, {"debtorId": "not-a-uuid", "utterance": "ya pagué"}, t.agent),
        (suggest, {"debtorId": mine, "utterance": "  "}, t.agent),
        (suggest, {"debtorId": mine, "utterance": "x" * 10_000}, t.agent),
        (suggest, {"debtorId": mine, "utterance": "ya pagué", "callId": "c" * 300}, t.agent),
        (suggest, {"debtorId": mine, "utterance": "ya pagué"}, t.compliance),  # role may not use it
        (suggest, {"debtorId": mine, "utterance": "ya pagué"}, None),
        (suggest, {"debtorId": mine, "utterance": "ya pagué"}, "ask_not-a-key"),
        (suggest, {"debtorId": mine, "utterance": "ya pagué"}, bound),  # its own debtor
        (suggest, {"debtorId": second, "utterance": "ya pagué"}, bound),  # another debtor: NOT_FOUND
        (suggest, {"debtorId": mine}, t.agent),  # a variable that does not coerce
        (suggest, {"debtorId": mine, "utterance": 12}, t.agent),
        (draft, {"debtorId": theirs, "channel": "SMS", "purpose": "REMINDER"}, t.agent),
        (draft, {"debtorId": second, "channel": "SMS", "purpose": "REMINDER"}, bound),
        (draft, {"debtorId": mine, "channel": "SMS", "purpose": "REMINDER"}, bound),
        (draft, {"debtorId": mine, "channel": "VOICEMAIL", "purpose": "SETTLEMENT_OFFER"}, t.agent),
        (draft, {"debtorId": mine, "channel": "SMS", "purpose": "REMINDER", "language": "fr"}, t.agent),
        (draft, {"debtorId": mine, "channel": "SMS", "purpose": "REMINDER", "agreementId": theirs}, t.agent),
        (draft, {"debtorId": mine, "channel": "SMS", "purpose": "NOPE"}, t.agent),
        (draft, {"debtorId": mine, "channel": "SMS", "purpose": "REMINDER"}, t.admin),
    ]
    errors = 0
    for query, variables, key in cases:
        slow, _, _ = await both(api, services, session_factory, query, {"i": variables}, key)
        errors += bool(slow.get("errors"))
    assert errors >= len(cases) - 3
    # A refused channel records its refusal on both paths (the event compared in `both`).
    opted = debtor_record("MX-R")
    opted["optedOutChannels"] = ["SMS"]
    refused = await t.debtor(opted)
    slow, _, _ = await both(
        api,
        services,
        session_factory,
        draft,
        {"i": {"debtorId": refused, "channel": "SMS", "purpose": "REMINDER"}},
        t.agent,
    )
    assert slow["errors"] and slow.get("data") is None


async def test_everything_else_is_left_to_normal_execution(api, services):
    prepared = _paths(services)
    for query in [
        "query($i: SuggestInput!) { suggestResponses(input: $i) { category } me { role } }",
        "query($i: SuggestInput!) { a: suggestResponses(input: $i) { category } "
        "b: suggestResponses(input: $i) { category } }",
        "query($i: SuggestInput!, $x: Boolean!) { suggestResponses(input: $i) { category @include(if: $x) } }",
        "query($i: SuggestInput!) { suggestResponses(input: $i) { category nope } }",
        "query($i: SuggestInput!) { suggestResponses(input: $i) { category",
        "{ me { role } }",
        "mutation($i: SuggestInput!) { suggestResponses(input: $i) { category } }",
    ]:
        assert prepared.plan(query, None) is None, query


async def test_the_inputs_follow_every_write(api, services, session_factory, clock):
    t = await Tenant(api).setup()
    agent = api.key("acme", "AGENT", agent="ag-1")
    await api.ok(SET_POLICY, {"p": policy_doc()}, key=t.admin)
    rec = debtor_record("MX-W", accounts=1, interactions=1, payments=1)
    rec["promises"] = []
    debtor_id = await t.debtor(rec)
    suggest = generated(_paths(services).gql, "suggestResponses", "SuggestInput")
    draft = generated(_paths(services).gql, "draftMessage", "DraftInput")
    seen: list[str] = []

    async def check() -> tuple[dict, dict]:
        s, _, _ = await both(
            api,
            services,
            session_factory,
            suggest,
            {"i": {"debtorId": debtor_id, "utterance": "¿me pueden hacer un plan de pagos?"}},
            agent,
        )
        d, _, _ = await both(
            api,
            services,
            session_factory,
            draft,
            {"i": {"debtorId": debtor_id, "channel": "EMAIL", "purpose": "REMINDER"}},
            t.agent,
        )
        assert "errors" not in s and "errors" not in d, (s, d)
        seen.append(json.dumps(s["data"]) + json.dumps(d["data"]["draftMessage"]["text"]))
        return s["data"]["suggestResponses"], d["data"]["draftMessage"]

    await check()
    # 1. the debtor's own data
    await api.ok(UPSERT, {"input": [{**rec, "fullName": "Ana Pérez de León"}]}, key=t.admin)
    s, d = await check()
    assert "Ana Pérez de León" in d["text"]
    # 2. the tenant's agreement policy (a new revision of the MXN policy)
    await api.ok(SET_POLICY, {"p": policy_doc(version="acme-mxn-2", maxInstallments=3)}, key=t.admin)
    await check()
    # 3. objection settings and a rule-pack overlay (tenant settings)
    await api.ok(
        "mutation { setObjectionSettings(register: TU, maxSuggestions: 2) { register } }", key=t.admin
    )
    s, _ = await check()
    assert len(s["suggestions"]) == 2
    # 4. the drafting profile and payment destinations (tenant settings)
    await api.ok(
        "mutation($p: JSON!) { setDraftingProfile(profile: $p) }",
        {"p": {**PROFILE, "agencyName": "Cobranzas Épsilon S.C.", "version": "p-2"}},
        key=t.admin,
    )
    _, d = await check()
    assert "Épsilon" in d["text"]
    # 5. feedback on a suggestion (what ranking learns from)
    feedback = (
        """mutation($id: ID!) { recordSuggestionFeedback(auditId: $id, action: DISCARDED) { auditId } }"""
    )
    await api.ok(feedback, {"id": s["auditId"]}, key=agent)
    await check()
    # 6. an agreement for the debtor (the card's active agreements)
    q = "query($d: ID!){ debtor(id: $d) { accounts { id } } }"
    account = (await api.ok(q, {"d": debtor_id}, key=t.admin))["debtor"]["accounts"][0]["id"]
    plan = {
        "debtorId": debtor_id,
        "accountIds": [account],
        "kind": "INSTALLMENTS",
        "installments": 3,
        "frequency": "MONTHLY",
        "firstPaymentDate": clock().date().isoformat(),
    }
    await api.ok(CREATE, {"i": plan}, key=t.admin)
    await check()
    # 7. the signing agent's name
    await api.ok(
        'mutation { createAgentSession(agentId: "u-laura", name: "Laura G. Ruiz") { token } }', key=t.admin
    )
    _, d = await check()
    # 8. an interaction (contact frequency) recorded through the API
    rec_int = (
        """mutation($i: RecordInteractionInput!) { recordInteraction(input: $i) { interaction { id } } }"""
    )
    await api.ok(
        rec_int,
        {
            "i": {
                "debtorId": debtor_id,
                "channel": "EMAIL",
                "direction": "OUTBOUND",
                "outcome": "DELIVERED",
                "at": clock().isoformat(),
            }
        },
        key=t.admin,
    )
    await check()
    assert len(set(seen)) >= 6


async def test_the_cached_inputs_are_not_shared_across_tenants(api, services, session_factory):
    acme = await Tenant(api).setup()
    other = await Tenant(api, "other").setup()
    await api.ok(
        "mutation($p: JSON!) { setDraftingProfile(profile: $p) }",
        {"p": {**PROFILE, "agencyName": "Otra Agencia S.A.", "version": "o-1"}},
        key=other.admin,
    )
    a = await acme.debtor(debtor_record("SAME-1"))
    b = await other.debtor(debtor_record("SAME-1"))
    query = generated(_paths(services).gql, "draftMessage", "DraftInput")
    da, _, _ = await both(
        api,
        services,
        session_factory,
        query,
        {"i": {"debtorId": a, "channel": "EMAIL", "purpose": "REMINDER"}},
        acme.agent,
    )
    db, _, _ = await both(
        api,
        services,
        session_factory,
        query,
        {"i": {"debtorId": b, "channel": "EMAIL", "purpose": "REMINDER"}},
        other.agent,
    )
    assert "Otra Agencia" in db["data"]["draftMessage"]["text"]
    assert "Otra Agencia" not in da["data"]["draftMessage"]["text"]
    cross, _, _ = await both(
        api,
        services,
        session_factory,
        query,
        {"i": {"debtorId": b, "channel": "EMAIL", "purpose": "REMINDER"}},
        acme.agent,
    )
    assert cross["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_remembered_arguments_are_the_coerced_ones_and_only_for_plain_variables(
    api, services, session_factory
):
    """The prepared path remembers a root field's coerced arguments per plan and variables (canonical JSON):
    the same variables again are answered from the memo and still agree byte for byte with normal execution;
    variables that differ only in a value's JSON type (true vs "true") are coerced afresh and refused as
    normal execution refuses them; an input with a custom scalar (AgreementInput's dates and amounts) is
    never remembered."""
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-ARGS"))
    prepared = _paths(services)
    plan = prepared.plan(DRAFT, None)
    assert plan is not None and plan.plain_variables
    good = {"i": {"debtorId": debtor, "channel": "SMS", "purpose": "REMINDER", "useLlm": False}}
    first, _, _ = await both(api, services, session_factory, DRAFT, good, t.agent)
    hits = prepared._arguments.hits
    again, _, _ = await both(
        api, services, session_factory, DRAFT, dict(reversed(list(good.items()))), t.agent
    )
    assert prepared._arguments.hits > hits  # answered from the memo, identical to normal execution
    assert "errors" not in first and "errors" not in again
    other = {"i": {**good["i"], "channel": "EMAIL"}}
    email, _, _ = await both(api, services, session_factory, DRAFT, other, t.agent)
    assert email["data"]["draftMessage"]["subject"] and not first["data"]["draftMessage"]["subject"]
    bad = {"i": {**good["i"], "useLlm": "false"}}
    fallbacks = prepared.stats["fallbacks"]
    body = await api.gql(DRAFT, bad, key=t.agent)
    assert body.get("errors") and prepared.stats["fallbacks"] == fallbacks + 1
    agreement = "query($i: AgreementInput!) { validateAgreement(input: $i) { valid } }"
    agreement_plan = prepared.plan(agreement, None)
    assert agreement_plan is not None and not agreement_plan.plain_variables


async def test_drafts_follow_the_clock_across_days_and_payment_windows(api, services, session_factory, clock):
    """The draft's data is remembered per debtor state, purpose, account, the debtor's local date and the
    payments in the window at this clock: as the clock moves (within a day, past the debtor's midnight,
    until old payments leave the payment window) every draft stays byte-identical to normal execution."""
    from datetime import timedelta

    t = await Tenant(api).setup()
    agent = api.key("acme", "AGENT", agent="ag-clock")  # an API key: no session to expire over the months
    rec = debtor_record("MX-CLOCK", accounts=2, interactions=1, payments=2)
    debtor = await t.debtor(rec)
    draft = generated(_paths(services).gql, "draftMessage", "DraftInput")
    combos = [("EMAIL", "REMINDER"), ("SMS", "PAYMENT_RECEIVED"), ("LETTER", "FIRST_NOTICE")]
    served = 0
    start = clock.value
    for hours in (0, 1, 6, 7, 8, 30, 24 * 40, 24 * 200, 24 * 400):
        clock.value = start + timedelta(hours=hours)
        for channel, purpose in combos:
            variables = {"i": {"debtorId": debtor, "channel": channel, "purpose": purpose}}
            slow, _, _ = await both(api, services, session_factory, draft, variables, agent)
            served += "errors" not in slow
    clock.value = start
    assert served == 9 * len(combos)
    # the memo was really used: the cached inputs remember data for several local dates and purposes
    cache = services.extras["draft_inputs"]
    keys = [k for inputs in cache._items.values() for k in inputs.drafted]
    assert len({k[2] for k in keys}) >= 2 and len({k[0] for k in keys}) == len(combos), keys
