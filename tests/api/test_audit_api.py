"""Audit review and feedback over HTTP: roles, tenant isolation, filters, summary, bad input."""

from __future__ import annotations

from datetime import timedelta

from asistente.audit import ledger
from asistente.db import transaction
from asistente.tenants.service import tenant_by_slug
from tests.conftest import error_codes

EVENTS = """query($f: AuditFilter, $first: Int!, $after: String) { auditEvents(filter: $f, first: $first, after: $after) {
  edges { node { id seq kind actorId debtorId input output versions hash prevHash feedback { action finalText } } }
  pageInfo { hasNextPage endCursor } } }"""
FEEDBACK = """mutation($id: ID!, $a: FeedbackAction!, $t: String) {
  recordSuggestionFeedback(auditId: $id, action: $a, finalText: $t) { feedback { action finalText }
  auditId kind } }"""


def _record(
    factory,
    tenant: str,
    clock,
    *,
    kind="SUGGESTION",
    debtor=None,
    category="NO_MONEY",
    blocked=(),
    actor="agent-1",
):
    with transaction(factory) as s:
        t = tenant_by_slug(s, tenant)
        e = ledger.record(
            s,
            tenant_id=t.id,
            kind=kind,
            actor_id=actor,
            actor_role="AGENT",
            debtor_id=debtor,
            input={"utterance": "no tengo dinero", "category": category},
            output={
                "category": category,
                "suggestions": ["Entiendo su situación..."],
                "blocked": [{"ruleId": r, "code": "THREAT_OF_ARREST"} for r in blocked],
            },
            versions={"playbook": "1"},
            now=clock.value,
        )
        return e.id


async def test_compliance_reads_events_agents_cannot(api, session_factory, clock):
    comp = api.key("acme", "COMPLIANCE")
    agent = api.key("acme", "AGENT", agent="u1")
    ids = [_record(session_factory, "acme", clock) for _ in range(3)]
    page = (await api.ok(EVENTS, {"first": 2}, key=comp))["auditEvents"]
    assert [e["node"]["id"] for e in page["edges"]] == [ids[2], ids[1]]
    assert page["pageInfo"]["hasNextPage"] is True
    nxt = (await api.ok(EVENTS, {"first": 2, "after": page["pageInfo"]["endCursor"]}, key=comp))[
        "auditEvents"
    ]
    assert [e["node"]["id"] for e in nxt["edges"]] == [ids[0]]
    first = nxt["edges"][0]["node"]
    assert first["prevHash"] == "0" * 64 and len(first["hash"]) == 64
    assert error_codes(await api.gql(EVENTS, {"first": 2}, key=agent)) == ["FORBIDDEN"]


async def test_filters(api, session_factory, clock):
    comp = api.key("acme", "COMPLIANCE")
    a = _record(session_factory, "acme", clock, debtor="d-1")
    clock.value += timedelta(hours=1)
    b = _record(session_factory, "acme", clock, debtor="d-2", kind="DRAFT")
    by_debtor = (await api.ok(EVENTS, {"first": 10, "f": {"debtorId": "d-1"}}, key=comp))["auditEvents"][
        "edges"
    ]
    assert [e["node"]["id"] for e in by_debtor] == [a]
    by_kind = (await api.ok(EVENTS, {"first": 10, "f": {"kind": "DRAFT"}}, key=comp))["auditEvents"]["edges"]
    assert [e["node"]["id"] for e in by_kind] == [b]
    since = (clock.value - timedelta(minutes=30)).isoformat()
    recent = (await api.ok(EVENTS, {"first": 10, "f": {"from": since}}, key=comp))["auditEvents"]["edges"]
    assert [e["node"]["id"] for e in recent] == [b]
    body = await api.gql(EVENTS, {"first": 10, "f": {"kind": "NOPE"}}, key=comp)
    assert error_codes(body) == ["BAD_INPUT"]
    body = await api.gql(EVENTS, {"first": 10, "after": "%%%"}, key=comp)
    assert error_codes(body) == ["BAD_INPUT"]


async def test_feedback_rules_and_isolation(api, session_factory, clock):
    agent = api.key("acme", "AGENT", agent="u1")
    me = (await api.ok("{ me { agentId } }", key=agent))["me"]["agentId"]
    api.key("other", "ADMIN")
    mine = _record(session_factory, "acme", clock, actor=me)
    theirs = _record(session_factory, "other", clock, actor=me)
    colleague = _record(session_factory, "acme", clock, actor="another-agent")
    policy = _record(session_factory, "acme", clock, actor=me, kind="POLICY_CHANGE")
    # another agent's advice reads as absent to this agent; non-advice takes no feedback
    assert error_codes(await api.gql(FEEDBACK, {"id": colleague, "a": "USED"}, key=agent)) == ["NOT_FOUND"]
    assert error_codes(await api.gql(FEEDBACK, {"id": policy, "a": "USED"}, key=agent)) == ["BAD_INPUT"]
    admin = api.key("acme", "ADMIN")
    assert (await api.ok(FEEDBACK, {"id": colleague, "a": "DISCARDED"}, key=admin))[
        "recordSuggestionFeedback"
    ]["kind"] == "SUGGESTION"
    assert error_codes(await api.gql(FEEDBACK, {"id": theirs, "a": "USED"}, key=agent)) == ["NOT_FOUND"]
    assert error_codes(await api.gql(FEEDBACK, {"id": "nope", "a": "USED"}, key=agent)) == ["NOT_FOUND"]
    assert error_codes(
        await api.gql(FEEDBACK, {"id": mine, "a": "EDITED", "t": "x" * 10_001}, key=agent)
    ) == ["BAD_INPUT"]
    assert error_codes(await api.gql(FEEDBACK, {"id": mine, "a": "EDITED"}, key=agent)) == ["BAD_INPUT"]
    one = (await api.ok(FEEDBACK, {"id": mine, "a": "USED"}, key=agent))["recordSuggestionFeedback"]
    assert one["feedback"]["action"] == "USED" and one["auditId"] == mine
    await api.ok(FEEDBACK, {"id": mine, "a": "EDITED", "t": "Texto final"}, key=agent)
    comp = api.key("acme", "COMPLIANCE")
    node = next(
        e["node"]
        for e in (await api.ok(EVENTS, {"first": 10}, key=comp))["auditEvents"]["edges"]
        if e["node"]["id"] == mine
    )
    assert [f["action"] for f in node["feedback"]] == ["USED", "EDITED"]
    assert node["feedback"][1]["finalText"] == "Texto final"


async def test_summary(api, session_factory, clock):
    agent = api.key("acme", "AGENT", agent="u1")
    me = (await api.ok("{ me { agentId } }", key=agent))["me"]["agentId"]
    comp = api.key("acme", "COMPLIANCE")
    a = _record(session_factory, "acme", clock, blocked=["MX-04"], actor=me)
    _record(session_factory, "acme", clock, blocked=["MX-04", "MX-06"], actor=me)
    await api.ok(FEEDBACK, {"id": a, "a": "DISCARDED"}, key=agent)
    q = (
        "query($f: DateTime!){ auditSummary(from: $f) { kind category shown used discarded blocked "
        "blockedByRule { ruleId count } } }"
    )
    clock.value += timedelta(minutes=1)
    rows = (await api.ok(q, {"f": (clock.value - timedelta(days=1)).isoformat()}, key=comp))["auditSummary"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["category"], row["shown"], row["discarded"], row["used"]) == (
        "SUGGESTION",
        "NO_MONEY",
        2,
        1,
        0,
    )
    assert {r["ruleId"]: r["count"] for r in row["blockedByRule"]} == {"MX-04": 2, "MX-06": 1}


async def test_event_page_with_feedback_has_constant_queries(api, session_factory, clock, engine, services):
    from tests.api.test_card import count_queries

    services.settings.auth_cache_seconds = 300
    comp = api.key("acme", "COMPLIANCE")
    agent = api.key("acme", "AGENT", agent="u1")
    me = (await api.ok("{ me { agentId } }", key=agent))["me"]["agentId"]
    ids = [_record(session_factory, "acme", clock, actor=me) for _ in range(6)]
    for i in ids[:4]:
        await api.ok(FEEDBACK, {"id": i, "a": "USED"}, key=agent)
    await api.ok(EVENTS, {"first": 50}, key=comp)
    with count_queries(engine) as statements:
        page = (await api.ok(EVENTS, {"first": 50}, key=comp))["auditEvents"]["edges"]
    assert len(page) == 10  # 6 advice events + 4 feedback events
    assert len(statements) == 2, [s[:70] for s in statements]  # the page, then one batched feedback load
