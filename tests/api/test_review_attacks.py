"""Adversarial checks of the fast paths (lean execution, prepared and cached-card paths, their memos),
written as a client or an attacker would use the service: over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from asistente.audit.models import AuditEvent
from asistente.calls.models import Call, CallEvent
from asistente.demo import seed_demo
from asistente.portfolio.models import Debtor
from tests.api.calls_support import END, PUSH, classifier
from tests.api.data import UPSERT, debtor_record
from tests.conftest import Api, error_codes

ME = "{ me { tenant role } }"


@pytest.fixture
async def keys(api):
    admin = api.key("acme")
    await api.ok(UPSERT, {"input": [debtor_record("CRM-1")]}, key=admin)
    return {"admin": admin, "agent": api.key("acme", "AGENT", agent="ag-7")}


def _remembered_texts(app_services, schema) -> list[str]:
    """Every query text the per-process plan memos hold (lean, prepared, cached card)."""
    texts = [q for q, _ in schema.__dict__.get("_asistente_plans", {})]
    texts += [q for q, _ in app_services.extras["prepared"]._plans]
    texts += [q for q, _ in app_services.extras["cards"]._plans]
    return texts


async def test_huge_texts_are_not_remembered_by_any_memo(api, keys, services):
    """An attacker sends many distinct large texts (up to the 8 MB body limit; whitespace and comments are
    not tokens, so even valid documents can be that large). The plan memos keep hundreds of entries each: if
    they kept such texts, a few hundred requests would hold gigabytes. A text too large to be a real client's
    document is answered by normal execution, every time alike, and never remembered."""
    from strawberry.extensions.parser_cache import _get_parse_cache
    from strawberry.extensions.validation_cache import _get_validate_cache

    def lru_calls() -> tuple[int, int]:
        p, v = _get_parse_cache(512).cache_info(), _get_validate_cache(512).cache_info()
        return p.hits + p.misses, v.hits + v.misses

    await api.ok(ME, key=keys["agent"])
    before = lru_calls()
    pad = " " * 300_000
    valid = "{ me { tenant role } }" + pad
    invalid = "{ me { nope } }" + pad
    prepared = "query { checkCompliance(input: {text: 1}) { compliant } }" + pad
    answers: dict[str, list] = {}
    for text in (valid, invalid, prepared):
        for i in range(3):
            for who in ("agent", "admin"):
                res = await api.client.post(
                    "/graphql",
                    json={"query": f"{text}# {i}\n" if i == 2 else text},
                    headers={"authorization": f"Bearer {keys[who]}"},
                )
                answers.setdefault(text + who, []).append((res.status_code, res.text))
    for seen in answers.values():
        assert len({a for a in seen}) == 1, seen  # same answer on every sight
    assert answers[valid + "agent"][0] == (200, '{"data":{"me":{"tenant":"acme","role":"AGENT"}}}')
    assert "nope" in answers[invalid + "agent"][0][1]
    assert "BAD_INPUT" in answers[prepared + "agent"][0][1]
    schema = services.extras["prepared"].schema
    assert max(len(t) for t in _remembered_texts(services, schema)) < 100_000
    assert lru_calls() == before  # strawberry's parse and validation caches never saw them either
    # a short text seen for the first time still goes through those caches (unique: the schema, and its
    # lean plans, are shared by every app of the process)
    await api.ok(f"{ME} # {uuid.uuid4()}", key=keys["agent"])
    assert lru_calls() != before


async def _second_worker(settings, engine, session_factory, clock):
    import httpx

    from asistente.api.core.context import Services
    from asistente.app import create_app

    other = Services(settings=settings, engine=engine, session_factory=session_factory, clock=clock)
    other.extras["classifier"] = classifier()
    app2 = create_app(settings, services=other)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app2), base_url="http://w2")


def _call_turn(call, debtor, speaker, text):
    return {"input": {"callId": call, "debtorId": debtor, "speaker": speaker, "text": text}}


async def test_a_call_ended_on_one_worker_takes_no_turn_on_another(
    api, services, session_factory, engine, settings, clock
):
    """Worker 2 has the call's binding cached as ACTIVE (it took turns); worker 1 ends the call. A turn sent
    to worker 2 afterwards is refused (checked under the call's lock, not from the cached binding) and
    writes nothing; ending it again on worker 2 returns worker 1's summary; seqs stay contiguous and the
    call row agrees with its events. Then a turn and an end race: either the turn is summarised or it
    is refused, never written after CALL_ENDED."""
    services.extras["classifier"] = classifier()
    key = seed_demo(session_factory, now=clock())
    with session_factory() as s:
        mx = s.scalar(select(Debtor.id).where(Debtor.external_id == "CRM-MX-0001"))
    async with await _second_worker(settings, engine, session_factory, clock) as client:
        api2 = Api(client, session_factory)
        for a, speaker, text in (
            (api, "AGENT", "Buenas tardes, le habla Laura de Cobranza Integral."),
            (api2, "DEBTOR", "ahorita no tengo dinero"),
            (api2, "AGENT", "Entiendo, podemos ver un plan de pagos."),
        ):
            body = await a.gql(PUSH, _call_turn("call-2w", mx, speaker, text), key=key)
            assert not body.get("errors"), body
        ended = (await api.ok(END, {"c": "call-2w"}, key=key))["endCall"]
        with session_factory() as s:
            ledger_before = s.scalar(select(func.count()).select_from(AuditEvent))
        for speaker in ("AGENT", "DEBTOR"):
            body = await api2.gql(PUSH, _call_turn("call-2w", mx, speaker, "¿sigue ahí?"), key=key)
            assert error_codes(body) == ["BAD_INPUT"] and "terminó" in body["errors"][0]["message"]
        again = (await api2.ok(END, {"c": "call-2w"}, key=key))["endCall"]
        assert again == ended
        with session_factory() as s:
            assert s.scalar(select(func.count()).select_from(AuditEvent)) == ledger_before
            call = s.get(Call, "call-2w")
            seqs = list(s.scalars(select(CallEvent.seq).where(CallEvent.call_id == "call-2w")))
            kinds = list(
                s.scalars(
                    select(CallEvent.kind).where(CallEvent.call_id == "call-2w").order_by(CallEvent.seq)
                )
            )
            assert call.status == "ENDED" and call.summary_audit_id == ended["auditId"]
            assert sorted(seqs) == list(range(1, len(seqs) + 1)) and call.last_seq == len(seqs)
            assert call.turns == 3 and kinds[-1] == "CALL_ENDED"

        # a race: a turn through worker 2 while worker 1 ends the call
        for n in range(3):
            cid = f"call-race-{n}"
            body = await api.gql(PUSH, _call_turn(cid, mx, "AGENT", "Buenas tardes."), key=key)
            assert not body.get("errors"), body
            await api2.gql(PUSH, _call_turn(cid, mx, "DEBTOR", "hola"), key=key)  # worker 2 binds it
            pushed, ended = await asyncio.gather(
                api2.gql(PUSH, _call_turn(cid, mx, "DEBTOR", "ya pagué eso"), key=key),
                api.gql(END, {"c": cid}, key=key),
            )
            assert not ended.get("errors"), ended
            with session_factory() as s:
                events = list(
                    s.scalars(select(CallEvent).where(CallEvent.call_id == cid).order_by(CallEvent.seq))
                )
                call = s.get(Call, cid)
            assert (
                [e.seq for e in events]
                == list(range(1, len(events) + 1))
                == list(range(1, call.last_seq + 1))
            )
            assert events[-1].kind == "CALL_ENDED"
            turns = len({e.turn for e in events if e.turn is not None})
            assert call.turns == turns
            summary = ended["data"]["endCall"]
            with session_factory() as s:
                record = s.get(AuditEvent, summary["auditId"])
            assert record.input["turns"] == turns
            if pushed.get("errors"):
                assert error_codes(pushed) == ["BAD_INPUT"] and turns == 2
            else:
                assert turns == 3


async def test_the_plan_memo_keeps_each_callers_discount_authority(api, services, session_factory):
    """The same debtor, the same words, one caller after another: the plan memo (per card, policy, day and
    authority) never gives one caller the plan proposed under another's authority (an agent must not be
    offered the admin's 40% discount, nor the admin the agent's 10%); each answer equals normal execution's
    byte for byte, with the memo warmed by the previous caller."""
    from tests.api.test_agreements_api import SET_POLICY, policy_doc
    from tests.api.test_drafts_api import Tenant
    from tests.api.test_suggest_memo import _mx, _suggest

    t = await Tenant(api).setup()
    debtor = await t.debtor(_mx("ROLE-1"))
    await api.ok(SET_POLICY, {"p": policy_doc()}, key=t.admin)
    supervisor = api.key("acme", "SUPERVISOR")
    integrator_session = t.agent  # an agent session (tier AGENT)
    words = "¿me pueden hacer un descuento? quiero liquidar todo de una vez"
    seen = {}
    for who, key in (
        ("agent", integrator_session),
        ("admin", t.admin),
        ("supervisor", supervisor),
        ("agent-again", integrator_session),
        ("admin-again", t.admin),
    ):
        s = await _suggest(api, services, session_factory, key, debtor, utterance=words)
        seen[who] = [n["message"] for n in s["nextSteps"]]
    assert seen["agent"] == seen["agent-again"] and seen["admin"] == seen["admin-again"]
    assert seen["agent"] != seen["admin"], seen
    assert seen["supervisor"] not in (seen["agent"], seen["admin"]), seen


async def test_the_plan_dates_follow_the_debtors_midnight_not_utcs(api, services, session_factory, clock):
    """The suggestion inputs are kept per UTC day, the plan memo per the debtor's calendar day: at 23:30 in
    Cancún (UTC-5, the test debtor's address) and an hour later (the same UTC day, the debtor's next day)
    the plan's dates move with the debtor's calendar, as normal execution's do (`both`)."""
    from datetime import UTC, datetime

    from tests.api.test_agreements_api import SET_POLICY, policy_doc
    from tests.api.test_drafts_api import Tenant
    from tests.api.test_suggest_memo import _mx, _suggest

    clock.value = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
    t = await Tenant(api).setup()
    debtor = await t.debtor(_mx("CLOCK-1"))
    await api.ok(SET_POLICY, {"p": policy_doc()}, key=t.admin)
    words = "¿me pueden hacer un plan de pagos?"
    messages = []
    for at in (datetime(2026, 11, 21, 4, 30, tzinfo=UTC), datetime(2026, 11, 21, 5, 30, tzinfo=UTC)):
        clock.value = at
        s = await _suggest(api, services, session_factory, t.agent, debtor, utterance=words)
        messages.append(" ".join(n["message"] for n in s["nextSteps"]))
    assert "2026-11-27" in messages[0] and "2026-11-28" in messages[1], messages


MIXED = (
    "query Q { me { role } } mutation M($o: [String!]!) { setCorsOrigins(origins: $o) } "
    'subscription S { callAssist(callId: "c-1") { seq } }'
)
REPEATED = [
    # (method, query, variables, operationName)
    ("POST", 'subscription { callAssist(callId: "c-1") { seq } }', None, None),
    ("GET", 'subscription { callAssist(callId: "c-1") { seq } }', None, None),
    ("POST", MIXED, {"o": ["https://evil.example"]}, "S"),
    ("GET", MIXED, {"o": ["https://evil.example"]}, "M"),
    ("GET", MIXED, None, "Q"),
    ("POST", MIXED, None, None),
    ("POST", "query($s: Boolean!) { me { role @skip(if: $s) tenant } }", None, None),
    ("POST", "query($s: Boolean!) { me { role @skip(if: $s) tenant } }", {"s": "yes"}, None),
    ("POST", "query { me { role @nope tenant } }", None, None),
    ("POST", "{ __typename }", None, None),
    ("POST", "query($n: Int) { debtors(first: $n) { edges { cursor } } }", {"n": 2**31}, None),
    ("POST", "query($n: Int) { debtors(first: $n) { edges { cursor } } }", {"n": 1.5}, None),
    ("POST", "query($n: Int) { debtors(first: $n) { edges { cursor } } }", {"n": "3"}, None),
    (
        "POST",
        'query($c: Channel!) { contactPermission(debtorId: "x", channel: $c) { allowed } }',
        {"c": "call"},
        None,
    ),
    ("POST", 'query($c: Channel!) { contactPermission(debtorId: "x", channel: $c) { allowed } }', {}, None),
    ("POST", 'query { contactPermission(debtorId: "x", channel: PIGEON) { allowed } }', None, None),
]


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_every_sight_of_a_text_gets_the_same_answer(api, keys, accept):
    """Lean execution plans a text on its second sight, the prepared and cached-card paths on their first:
    for documents a client should not send (subscriptions over HTTP, a mutation chosen by operationName
    over GET, documents with several operations, directives, variables that do not coerce), the first,
    second and third sight get the same status, media type and body, and a mutation over GET never runs."""
    import json as _json

    from asistente.tenants.models import Tenant

    for method, query, variables, name in REPEATED:
        seen = []
        for _ in range(3):
            headers = {"authorization": f"Bearer {keys['admin']}", "accept": accept}
            if method == "GET":
                params = {"query": query}
                if variables is not None:
                    params["variables"] = _json.dumps(variables)
                if name is not None:
                    params["operationName"] = name
                res = await api.client.get("/graphql", params=params, headers=headers)
            else:
                body = {"query": query, "variables": variables, "operationName": name}
                res = await api.client.post("/graphql", json=body, headers=headers)
            seen.append((res.status_code, res.headers.get("content-type"), res.text))
        assert seen[0] == seen[1] == seen[2], (method, query, seen)
        assert seen[0][0] != 500 and "INTERNAL" not in seen[0][2], seen[0]
        if query.startswith("subscription") or name == "S":
            # a subscription is a stream (WebSocket): over plain HTTP a clear request error, not a crash
            assert seen[0][0] == 400 and "BAD_INPUT" in seen[0][2] and "subscriptions" in seen[0][2], seen[0]
        if method == "GET" and name == "M":
            assert seen[0][0] == 405, seen[0]
    with api.factory() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.slug == "acme"))
        assert "evil.example" not in _json.dumps(tenant.cors_origins)


@pytest.mark.parametrize(
    "body",
    [
        {"query": ME, "operationName": 5},
        {"query": ME, "operationName": ["a"]},
        {"query": ME, "variables": []},
        {"query": ME, "variables": "x"},
        {"query": ME, "extensions": "x"},
        {"query": ME, "extensions": []},
        {"query": ME, "operationName": ""},
        {"query": ME, "operationName": None, "variables": None, "extensions": None},
        {"query": [ME]},
        {"query": ME + " query Other { me { role } }"},
    ],
)
async def test_a_planned_text_with_malformed_parameters_is_answered_as_before(api, keys, body):
    """The text is valid and planned (sent twice before, well-formed); the same text with malformed request
    parameters is refused (or answered) exactly as on its first sight, on every sight."""
    headers = {"authorization": f"Bearer {keys['agent']}"}
    for _ in range(2):
        await api.client.post("/graphql", json={"query": ME}, headers=headers)
    seen = []
    for _ in range(3):
        res = await api.client.post("/graphql", json=body, headers=headers)
        seen.append((res.status_code, res.headers.get("content-type"), res.text))
    assert seen[0] == seen[1] == seen[2], seen
    assert seen[0][0] < 500 and "INTERNAL" not in seen[0][2], seen[0]
    well_formed = body.get("operationName") in (None,) and all(
        body.get(k) is None for k in ("variables", "extensions")
    )
    if not well_formed or isinstance(body.get("query"), list):
        assert seen[0][0] == 400 or '"errors"' in seen[0][2], seen[0]
