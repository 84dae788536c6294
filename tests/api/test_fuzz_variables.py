"""Property-based fuzzing of every root operation, with generated values sent AS VARIABLES.

Schema-driven tools write values into the query text as literals, where the GraphQL parser rejects most of
what hurts a server (lone surrogates, NaN, 5,000-digit numbers, 2,000-level nesting). Here the values
travel in the JSON `variables` object, the way a CRM integration sends them, and reach the resolvers.

Operations are discovered from the schema: any root field added to Query or Mutation is fuzzed without a
change here. Each operation is called with a credential of a role allowed to call it (so its resolver
runs), with real ids of the seeded tenant mixed with hostile values. Properties: never a 5xx, never an
INTERNAL_SERVER_ERROR, every error carries a code from API.md, the server keeps answering /healthz, and
the audit ledger still verifies.

Subscriptions (callAssist) are fuzzed the same way over a real WebSocket (the app served by uvicorn on a
local port, graphql-transport-ws), with the ids of real calls (live, ended, another agent's).

Bounded for CI: ASISTENTE_FUZZ_EXAMPLES examples per operation (default 30; about a minute in all). With
`-s`, each operation prints how its examples ended; FUZZ_DEBUG=1 prints every error message too.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from asistente.api.core.context import Services
from asistente.api.core.errors import CODES
from asistente.api.core.permissions import PERMISSIONS
from asistente.api.schema import build_schema
from asistente.app import create_app
from asistente.audit.integrity import verify
from asistente.db import Base, transaction
from asistente.enums import Role
from asistente.settings import Settings
from tests.api.test_agreements_api import World
from tests.conftest import Api

EXAMPLES = int(os.environ.get("ASISTENTE_FUZZ_EXAMPLES", "30"))

_SCHEMA = build_schema(Settings(introspection=True))._schema
ROOTS = [
    (kind, root.name, name)
    for kind, root in (("query", _SCHEMA.query_type), ("mutation", _SCHEMA.mutation_type))
    if root is not None
    for name in sorted(root.fields)
]


# ------------------------------------------------------------------------------------- raw JSON tokens


class Raw:
    """A JSON token json.dumps cannot write (1e999, 5,000 digits, 2,000 nested arrays...)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text[:40]!r}{'...' if len(self.text) > 40 else ''})"


RAW_TOKENS = [
    Raw("1e999"),
    Raw("-1e999"),
    Raw("NaN"),
    Raw("Infinity"),
    Raw("7" * 5000),
    Raw("-" + "9" * 4301),
    Raw("18446744073709551616"),
    Raw("1" + "0" * 400 + ".5"),
    Raw("[" * 2000 + "]" * 2000),
    Raw('{"a":' * 1100 + "1" + "}" * 1100),
    Raw('{"a":' * 600 + "1" + "}" * 600),
    Raw('"\\ud800"'),
    Raw('"x\\udfffy"'),
    Raw('"\\u0000"'),
]


def dump(value: Any) -> str:
    """JSON text for a generated value; strings are ASCII-escaped so lone surrogates survive as \\udxxx."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value, allow_nan=True)


# ------------------------------------------------------------------------------------------ strategies


PLAUSIBLE = [
    "MX",
    "US-NY",
    "ES",
    "es",
    "en",
    "500.00",
    "0.01",
    "12000.50",
    "MXN",
    "Tarjeta",
    "Hola, le llamo de Cobranzas Acme sobre su cuenta.",
    "Si no paga hoy lo vamos a meter a la cárcel.",
    "https://crm.example.com",
    "America/Mexico_City",
    "2026-12-15",
    "2026-11-20T17:00:00Z",
]
HOSTILE = [
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "\x00",
    "x" * 10_001,
    "America/" + "x" * 300,
    "../../../../etc/passwd",
    "2026-02-30",
    "2026-11-20T10:00:00",
    "2026-11-20T10:00:00+25:00",
    "0001-01-01T00:00:00Z",
    "-1",
    "-500.00",
    "1e999",
    "NaN",
    "12345678901234567890.123",
    "ñandú 🐍 \u202e",
    "seq:1",
    "c2VxOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
]


def strings(ids: list[str], prefer_ids: bool) -> st.SearchStrategy[str]:
    """Strings of every kind; every one is a valid GraphQL String, so it reaches the resolver."""
    real = st.sampled_from(ids) if ids else st.nothing()
    others = st.one_of(st.sampled_from(PLAUSIBLE), st.sampled_from(HOSTILE), st.text(max_size=40))
    return st.one_of(real, real, others) if prefer_ids else st.one_of(others, others, real)


def json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        st.sampled_from(RAW_TOKENS),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )


def anything() -> st.SearchStrategy[Any]:
    return st.one_of(json_values(), st.sampled_from(RAW_TOKENS))


def scalar_values(t: GraphQLScalarType, ids: list[str], arg: str) -> st.SearchStrategy[Any]:
    name = t.name
    if name in ("ID", "String"):
        return strings(ids, prefer_ids=name == "ID" or arg.lower().endswith(("id", "ids")))
    if name == "Int":
        return st.one_of(st.integers(min_value=-2, max_value=60), st.integers(-(2**31), 2**31 - 1))
    if name == "Float":
        return st.floats(allow_nan=False, allow_infinity=False)
    if name == "Boolean":
        return st.booleans()
    if name == "DateTime":
        return st.one_of(
            st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
            st.sampled_from(
                ["2026-11-20T17:00:00Z", "2026-11-20T10:00:00-06:00", "2026-12-24T23:59:59+14:00"]
            ),
        )
    if name == "Date":
        return st.one_of(
            st.dates().map(lambda d: d.isoformat()), st.sampled_from(["2026-12-15", "2027-01-31"])
        )
    if name == "JSON":
        return json_values()
    return strings(ids, prefer_ids=False)


def values_for(t: GraphQLInputType, ids: list[str], wild: bool, arg: str = "") -> st.SearchStrategy[Any]:
    """Typed values (`wild` False: every value has its GraphQL type, so resolvers run on hostile content)
    or wild ones (anything anywhere: nulls, wrong types, 5,000 digits, NaN, 2,000 levels, unknown fields)."""
    if isinstance(t, GraphQLNonNull):
        inner = values_for(t.of_type, ids, wild, arg)
        return st.one_of(inner, st.none(), anything()) if wild else inner
    if isinstance(t, GraphQLList):
        inner = values_for(t.of_type, ids, wild, arg)
        return (
            st.one_of(st.lists(inner, max_size=3), inner, anything()) if wild else st.lists(inner, max_size=3)
        )
    if isinstance(t, GraphQLEnumType):
        valid = st.sampled_from(sorted(t.values))
        return st.one_of(valid, st.sampled_from(["", "NOPE", "\ud800"]), anything()) if wild else valid
    if isinstance(t, GraphQLScalarType):
        typed = scalar_values(t, ids, arg)
        return st.one_of(typed, anything()) if wild else typed
    if isinstance(t, GraphQLInputObjectType):
        fields = t.fields
        required = {n: values_for(f.type, ids, wild, n) for n, f in fields.items() if _required(f)}
        optional = {n: values_for(f.type, ids, wild, n) for n, f in fields.items() if not _required(f)}
        obj = st.fixed_dictionaries(required, optional=optional)
        return st.one_of(obj, obj.map(lambda d: {**d, "unknownField": 1}), anything()) if wild else obj
    return anything()


def variables_for(arg_types: dict[str, GraphQLInputType], ids: list[str]) -> st.SearchStrategy[dict]:
    typed = st.fixed_dictionaries({a: values_for(t, ids, False, a) for a, t in arg_types.items()})
    wild = st.fixed_dictionaries({a: values_for(t, ids, True, a) for a, t in arg_types.items()})
    return st.one_of(typed, typed, typed, wild)


def _required(field: Any) -> bool:
    return isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined


# ----------------------------------------------------------------------------------------- documents


def selection(t: Any, depth: int = 0) -> str:
    """Every argument-free field of the result type, two levels deep (leaves only below)."""
    named = get_named_type(t)
    if is_leaf_type(named):
        return ""
    if not isinstance(named, GraphQLObjectType) or depth >= 2:
        return " { __typename }"
    parts = ["__typename"]
    for fname, field in named.fields.items():
        if any(_required(a) for a in field.args.values()):
            continue
        if is_leaf_type(get_named_type(field.type)):
            parts.append(fname)
        elif depth < 1:
            parts.append(fname + selection(field.type, depth + 1))
    return " { " + " ".join(parts) + " }"


def document(kind: str, root: str, name: str) -> tuple[str, dict[str, GraphQLInputType]]:
    field = getattr(_SCHEMA, f"{kind}_type").fields[name]
    args = dict(field.args)
    decl = ", ".join(f"${a}: {arg.type}" for a, arg in args.items())
    call = ", ".join(f"{a}: ${a}" for a in args)
    doc = f"{kind} Fuzz{'(' + decl + ')' if decl else ''} {{ {name}{'(' + call + ')' if call else ''}"
    doc += selection(field.type) + " }"
    return doc, {a: arg.type for a, arg in args.items()}


# ------------------------------------------------------------------------------------------ the world


def harvest_ids(factory) -> list[str]:
    """Real ids of every table of the seeded tenant (debtors, accounts, agreements, audit events...)."""
    out: list[str] = []
    with factory() as s:
        for table in Base.metadata.sorted_tables:
            cols = table.c
            for col in ("id", "external_id"):
                if col in cols:
                    out += [str(v) for v in s.scalars(select(cols[col]).limit(3)) if v is not None]
    return sorted(set(out))


@pytest.fixture
def fuzz_world(engine, session_factory, clock):
    services = Services(
        settings=Settings(demo=False, introspection=True, auth_cache_seconds=0),
        engine=engine,
        session_factory=session_factory,
        clock=clock,
    )
    app = create_app(services.settings, services=services)
    loop = asyncio.new_event_loop()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # a crash reads as the 500 it is
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def seed() -> dict[Role, list[str]]:
        w = await World(Api(client, session_factory)).setup()
        api = w.api
        integrator = api.key("acme", "INTEGRATOR")
        supervisor = api.key("acme", "SUPERVISOR", agent="sup-key")
        token = (await api.ok('mutation { createAgentSession(agentId: "ag-1") { token } }', key=w.admin))[
            "createAgentSession"
        ]["token"]
        await w.create(installments=12)
        check = """query($t: String!, $d: ID!) { checkCompliance(input: {text: $t, channel: CALL, debtorId: $d})
            { auditId } }"""
        await api.ok(check, {"t": "Hola, le llamo de Cobranzas Acme.", "d": w.debtor}, key=w.agent)
        q = "query($d: ID!, $c: Channel!) { contactPermission(debtorId: $d, channel: $c) { allowed } }"
        await api.ok(q, {"d": w.debtor, "c": "SMS"}, key=w.agent)
        api.key("other", "ADMIN")  # another tenant exists: its ids must read NOT_FOUND, never leak
        return {
            Role.ADMIN: [w.admin],
            Role.AGENT: [w.agent, token],
            Role.SUPERVISOR: [supervisor],
            Role.COMPLIANCE: [w.compliance],
            Role.INTEGRATOR: [integrator],
        }

    keys = loop.run_until_complete(seed())
    yield loop, client, keys, harvest_ids(session_factory), session_factory
    loop.run_until_complete(client.aclose())
    loop.close()


def check_response(res: httpx.Response, doc: str, body: str, outcomes: Counter) -> None:
    where = f"{doc}\nvariables: {body[:500]}"
    assert res.status_code < 500, f"{res.status_code} for {where}\n{res.text[:500]}"
    assert "Traceback" not in res.text, where
    if res.status_code == 413:
        return
    payload = res.json()
    codes = set()
    for error in payload.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in CODES, f"error without an API.md code ({code}) for {where}\n{error}"
        codes.add(code)
        if os.environ.get("FUZZ_DEBUG"):
            print(error.get("message", "")[:150])
    outcomes[f"{'data' if payload.get('data') else 'no data'} {','.join(sorted(codes)) or 'ok'}"] += 1


@pytest.mark.parametrize(("kind", "root", "name"), ROOTS, ids=[f"{r}.{n}" for _, r, n in ROOTS])
def test_operation_survives_generated_variables(fuzz_world, kind, root, name):
    loop, client, keys, ids, factory = fuzz_world
    doc, arg_types = document(kind, root, name)
    allowed = sorted(PERMISSIONS.get(f"{root}.{name}", frozenset(Role)), key=lambda r: r.value)
    credentials = [k for role in allowed for k in keys.get(role, [])] or keys[Role.ADMIN]
    variables = variables_for(arg_types, ids)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(variables=variables, credential=st.sampled_from(credentials))
    def run(variables: dict, credential: str) -> None:
        body = '{"query":' + json.dumps(doc) + ',"variables":' + dump(variables) + "}"
        headers = {"content-type": "application/json", "authorization": f"Bearer {credential}"}
        res = loop.run_until_complete(client.post("/graphql", content=body.encode(), headers=headers))
        check_response(res, doc, body, outcomes)

    outcomes: Counter = Counter()
    run()
    print(f"{root}.{name}: {dict(outcomes.most_common())}")  # shown with -s: how often resolvers answered
    health = loop.run_until_complete(client.get("/healthz"))
    assert health.status_code == 200
    with factory() as s:
        assert verify(s).ok


# -------------------------------------------------------------------------------------- subscriptions

SUBSCRIPTIONS = sorted(_SCHEMA.subscription_type.fields) if _SCHEMA.subscription_type else []
# graphql-transport-ws closes for a client's fault with 44xx (4400 bad message, 4401 unauthorised, 4403
# forbidden, 4409 duplicate id, 4429 too many initialisation requests); 1011 would be the server's own.
CLIENT_CLOSE_CODES = {4400, 4401, 4403, 4408, 4409, 4429}
LIVE_WAIT = 0.3  # seconds: a subscription that says nothing for this long is streaming (then completed)


@pytest.fixture
def live_world(settings, engine, session_factory, clock):
    """The real app on a real port (WebSocket over TCP), the demo tenant with calls: one live, one ended,
    one of another agent; credentials of every role."""
    from asistente.demo import seed_demo
    from asistente.portfolio.models import Debtor
    from asistente.tenants.service import create_api_key
    from tests.api.calls_support import classifier
    from tests.api.live_app import serve

    services = Services(settings=settings, engine=engine, session_factory=session_factory, clock=clock)
    services.extras["classifier"] = classifier()
    app = create_app(settings, services=services)
    agent = seed_demo(session_factory, now=clock())
    with transaction(session_factory) as s:
        keys = {
            role: [create_api_key(s, tenant_slug="demo", role=role, agent_external_id=ext)]
            for role, ext in (
                (Role.ADMIN, None),
                (Role.SUPERVISOR, None),
                (Role.INTEGRATOR, None),
                (Role.COMPLIANCE, None),
                (Role.AGENT, "ag-fuzz"),
            )
        }
        keys[Role.AGENT].append(agent)
        create_api_key(s, tenant_slug="other", role=Role.ADMIN)  # another tenant exists
        debtor = s.scalar(select(Debtor.id).where(Debtor.external_id == "CRM-MX-0001"))
    push = "mutation($i: PushTranscriptInput!) { pushTranscript(input: $i) { seq } }"
    with serve(app) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for call, key in (
            ("fuzz-live", agent),
            ("fuzz-ended", agent),
            ("fuzz-other-agent", keys[Role.AGENT][0]),
        ):
            for speaker, text in (("AGENT", "Buenas tardes, le habla Laura de Cobranza Integral."),
                                  ("DEBTOR", "el viernes le deposito 500")):  # fmt: skip
                variables = {"i": {"callId": call, "debtorId": debtor, "speaker": speaker, "text": text}}
                res = http.post("/graphql", json={"query": push, "variables": variables},
                                headers={"authorization": f"Bearer {key}"}).json()  # fmt: skip
                assert not res.get("errors"), res
        res = http.post("/graphql", json={"query": "mutation { endCall(callId: \"fuzz-ended\") { auditId } }"},
                        headers={"authorization": f"Bearer {agent}"}).json()  # fmt: skip
        assert not res.get("errors"), res
        yield port, http, keys, harvest_ids(session_factory), session_factory


def _check_ws_errors(errors: list, where: str, outcomes: Counter) -> None:
    codes = set()
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        assert code in CODES, f"error without an API.md code ({code}) for {where}\n{error}"
        assert code != "INTERNAL_SERVER_ERROR", f"{where}\n{error}"
        codes.add(code)
        if os.environ.get("FUZZ_DEBUG"):
            print(error.get("message", "")[:150])
    outcomes[",".join(sorted(codes)) or "ok"] += 1


@pytest.mark.parametrize("name", SUBSCRIPTIONS, ids=[f"Subscription.{n}" for n in SUBSCRIPTIONS])
def test_subscription_survives_generated_variables(live_world, name):
    """Subscriptions over a real WebSocket (graphql-transport-ws), values as variables: every bad value gets
    a typed error (an `error` message, or a `next` whose errors carry API.md codes) or a close for the
    client's fault (44xx), never INTERNAL_SERVER_ERROR; the server keeps answering /healthz."""
    import websockets
    from websockets.exceptions import ConnectionClosed

    port, http, keys, ids, factory = live_world
    doc, arg_types = document("subscription", "Subscription", name)
    allowed = sorted(PERMISSIONS.get(f"Subscription.{name}", frozenset(Role)), key=lambda r: r.value)
    credentials = [k for role in Role for k in keys.get(role, [])]  # COMPLIANCE too: FORBIDDEN, typed
    assert any(keys.get(role) for role in allowed)
    loop = asyncio.new_event_loop()
    outcomes: Counter = Counter()

    async def one(variables: dict, credential: str) -> None:
        """One connection per example (the harness does not run the loop between examples, so a long-lived
        socket would miss the server's keep-alive pings)."""
        body = '{"id":"1","type":"subscribe","payload":{"query":' + json.dumps(doc)
        body += ',"variables":' + dump(variables) + "}}"
        where = f"{doc}\nvariables: {body[:500]}"
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"], max_size=None
            ) as ws:
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {credential}"}}
                await ws.send(json.dumps(init))
                assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
                await ws.send(body)
                while True:
                    try:
                        msg = json.loads(await asyncio.wait_for(ws.recv(), LIVE_WAIT))
                    except TimeoutError:
                        outcomes["streaming"] += 1  # a valid subscription waiting for events
                        return
                    kind = msg.get("type")
                    errors = (
                        msg.get("payload") if kind == "error" else (msg.get("payload") or {}).get("errors")
                    )
                    if errors:
                        _check_ws_errors(errors, where, outcomes)
                        return
                    if kind == "next":
                        outcomes["events"] += 1
                        return
                    if kind == "complete":
                        outcomes["complete"] += 1
                        return
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            assert code in CLIENT_CLOSE_CODES, f"closed with {code} ({exc}) for {where}"
            outcomes[f"closed {code}"] += 1

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(variables=variables_for(arg_types, ids), credential=st.sampled_from(credentials))
    def run(variables: dict, credential: str) -> None:
        loop.run_until_complete(one(variables, credential))

    try:
        run()
    finally:
        loop.close()
    print(f"Subscription.{name}: {dict(outcomes.most_common())}")
    assert http.get("/healthz").status_code == 200
    with factory() as s:
        assert verify(s).ok
