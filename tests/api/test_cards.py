"""The cached card path (api/portfolio/cards.py) answers exactly what field-by-field execution answers,
follows every write, and leaves every other request (and every error) to normal execution."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from asistente.db import transaction
from asistente.demo import seed_demo
from asistente.portfolio.models import Account, Debtor
from tests.api.data import FULL_CARD, UPSERT, debtor_record

SHAPES = [
    FULL_CARD,
    # aliases, named and inline fragments, __typename at every level, the same field twice
    """query Shapes($id: ID!) {
      __typename
      a: debtor(id: $id) { ...Who __typename me: fullName fullName segment { code ...Seg } }
      b: debtor(id: $id) { ... on Debtor { risk { level score reasons { code message } } }
                           localTimes { timezone utcOffset localTime source } timezone }
    }
    fragment Who on Debtor { id externalId localTime age accounts { __typename balance currency dueDate } }
    fragment Seg on Segment { stage label balanceBand paymentHistory rulesVersion }""",
    # arguments: literals, variables, defaults, clamped and empty limits, enum lists
    """query Args($id: ID!, $st: [PromiseStatus!], $n: Int = 3) {
      debtor(id: $id) {
        p2: payments(limit: 2) { amount paidAt accountId } p0: payments(limit: 0) { id }
        neg: payments(limit: -3) { id } pn: payments(limit: $n) { id reference }
        pd: payments { id } lastPaymentAt
        li: lastInteractions(limit: 50) { id at channel } l3: lastInteractions { id outcome destination }
        kept: promises(status: [KEPT]) { id status } all: promises { id amount dueDate promisedAt }
        st: promises(status: $st) { id status } none: promises(status: []) { id }
        openPromises { id dueDate } promiseStats { kept broken pending cancelled }
        totals { currency balance principal minimumDue accounts } maxDaysPastDue
        emails { address kind } birthDate attributes optedOutChannels authorizedChannels
      }
    }""",
    """query ByExt($ext: String!) { debtorByExternalId(externalId: $ext) { id fullName segment { code } } }""",
]

ID = object()  # stands for the test debtor's id in the cases below

CLOCKS = [
    datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 9, 30, tzinfo=UTC),  # US daylight saving starts that morning
    datetime(2027, 5, 1, 3, 15, tzinfo=UTC),  # months on: payments leave the look-back window, ages move
    datetime(2026, 11, 21, 5, 59, tzinfo=UTC),  # the clock going back a day and forward again
]


def _cards(services):
    return services.extras["cards"]


async def both(api, services, query, variables, key):
    """(field-by-field answer, cached-path answer) of one request."""
    services.settings.card_cache_size = 0
    slow = await api.gql(query, variables, key=key)
    services.settings.card_cache_size = 5000
    fast = await api.gql(query, variables, key=key)
    return slow, fast


@pytest.fixture
def demo(api, session_factory, clock):
    key = seed_demo(session_factory, now=clock())
    with session_factory() as s:
        debtors = [(d.id, d.external_id) for d in s.scalars(select(Debtor).order_by(Debtor.external_id))]
    return key, debtors


async def test_every_demo_card_is_identical_on_both_paths(api, services, clock, demo):
    key, debtors = demo
    assert len(debtors) >= 60
    cards = _cards(services)
    compared = 0
    for now in CLOCKS:
        clock.value = now
        for debtor_id, ext in debtors:
            for query in SHAPES:
                variables = {"id": debtor_id, "st": ["BROKEN", "PENDING"], "ext": ext}
                if "ByExt" in query:
                    variables = {"ext": ext}
                elif "Args" not in query:
                    variables = {"id": debtor_id}
                slow, fast = await both(api, services, query, variables, key)
                assert "errors" not in slow, slow
                assert json.dumps(fast) == json.dumps(slow), (query[:40], ext, now)
                compared += 1
    assert compared == len(CLOCKS) * len(debtors) * len(SHAPES)
    # It was the cached path that answered: no request fell back, and most were answered from snapshots.
    assert cards.stats["fallbacks"] == 0
    assert cards.stats["hits"] > cards.stats["builds"] > 0


async def test_the_cached_path_answers_with_one_query_and_no_loader(api, services, engine):
    from tests.api.test_card import count_queries

    services.settings.auth_cache_seconds = 300
    key = api.key(role="ADMIN")
    small = (await api.ok(UPSERT, {"input": [debtor_record("S-1", accounts=1)]}, key=key))["upsertDebtors"]
    big = (await api.ok(UPSERT, {"input": [debtor_record("B-1", accounts=12, interactions=40)]}, key=key))[
        "upsertDebtors"
    ]
    cards = _cards(services)
    for debtor_id in (small["ids"][0], big["ids"][0]):
        await api.ok(FULL_CARD, {"id": debtor_id}, key=key)  # builds the snapshot
        reads = cards.stats["revision_reads"]
        with count_queries(engine) as statements:
            card = await api.ok(FULL_CARD, {"id": debtor_id}, key=key)
        assert statements == []  # no ORM or loader query: only the revision read on the driver
        assert cards.stats["revision_reads"] == reads + 1
        assert card["debtor"]["id"] == debtor_id


@pytest.mark.parametrize(
    "query,variables",
    [
        ("query($id: ID!) { debtor(id: $id) { fullName } }", {"id": "00000000-0000-4000-8000-000000000000"}),
        ("query($id: ID!) { debtor(id: $id) { fullName } }", {"id": "not-a-uuid"}),
        ("query($id: ID!) { debtor(id: $id) { fullName } }", {"id": 12}),
        ("query($id: ID!) { debtor(id: $id) { fullName } }", {}),  # the variable is missing
        ('query { debtorByExternalId(externalId: "nobody") { fullName } }', {}),
        (
            "query($id: ID!, $x: Boolean!) { debtor(id: $id) { fullName @include(if: $x) } }",
            {"id": ID, "x": False},
        ),
        ("query($id: ID!) { debtor(id: $id) { contactNow { channel allowed codes } } }", {"id": ID}),
        ("query($id: ID!) { debtor(id: $id) { agreements { id } } }", {"id": ID}),
        ("query($id: ID!) { debtor(id: $id) { payments(limit: 11) { id } } }", {"id": ID}),
        ("query($id: ID!) { debtor(id: $id) { fullName } me { role } }", {"id": ID}),
        ("query($id: ID!) { debtor(id: $id) { fullName nope } }", {"id": ID}),
        ("query($id: ID!) { debtor(id: $id) { promises(status: [LOST]) { id } } }", {"id": ID}),
        (
            "query($id: ID!, $n: Int) { debtor(id: $id) { payments(limit: $n) { id } } }",
            {"id": ID, "n": None},
        ),
        ("query($id: ID!) { debtor(id: $id) { payments(limit: 99999999999) { id } } }", {"id": ID}),
        ("query($id: ID!) { debtor(id: $id) { fullName", {"id": ID}),
        (
            'mutation { recordPayment(input: {accountId: "x", amount: "1", currency: "MXN", '
            'paidAt: "2026-11-20T10:00:00Z"}) { duplicate } }',
            {},
        ),
    ],
)
async def test_everything_else_is_left_to_normal_execution(api, services, query, variables):
    key = api.key(role="ADMIN")
    debtor_id = (await api.ok(UPSERT, {"input": [debtor_record("F-1")]}, key=key))["upsertDebtors"]["ids"][0]
    variables = {k: debtor_id if v is ID else v for k, v in variables.items()}
    cards = _cards(services)
    hits, builds = cards.stats["hits"], cards.stats["builds"]
    slow, fast = await both(api, services, query, variables, key)
    assert fast == slow
    assert (cards.stats["hits"], cards.stats["builds"]) == (hits, builds)


async def test_credentials_roles_and_tenants_are_checked_as_before(api, services):
    admin = api.key("acme", "ADMIN")
    other = api.key("other", "ADMIN")
    debtor_id = (await api.ok(UPSERT, {"input": [debtor_record("T-1")]}, key=admin))["upsertDebtors"]["ids"][
        0
    ]
    q = "query($id: ID!) { debtor(id: $id) { fullName accounts { balance } } }"
    await api.ok(q, {"id": debtor_id}, key=admin)  # cached now
    for key in (other, None, "ask_not-a-key"):
        slow, fast = await both(api, services, q, {"id": debtor_id}, key)
        assert fast == slow
        assert fast.get("data") in (None, {"debtor": None}) and fast["errors"], fast
    for role in ("AGENT", "SUPERVISOR", "COMPLIANCE", "INTEGRATOR"):
        key = api.key("acme", role, agent="ag-9" if role == "AGENT" else None)
        slow, fast = await both(api, services, q, {"id": debtor_id}, key)
        assert fast == slow and fast["data"]["debtor"]["fullName"] == "Ana Pérez López"


async def test_the_card_follows_every_write(api, services, session_factory, clock):
    key = api.key(role="ADMIN")
    rec = debtor_record("W-1", accounts=2, interactions=1, payments=1)
    debtor_id = (await api.ok(UPSERT, {"input": [rec]}, key=key))["upsertDebtors"]["ids"][0]
    q = FULL_CARD
    seen = []

    async def card() -> dict:
        slow, fast = await both(api, services, q, {"id": debtor_id}, key)
        assert fast == slow
        # And again from the snapshot the fast request just built or confirmed.
        again = await api.gql(q, {"id": debtor_id}, key=key)
        assert again == slow
        seen.append(json.dumps(slow))
        return fast["data"]["debtor"]

    before = await card()
    # 1. upsertDebtors changing the debtor row
    rec2 = {**rec, "fullName": "Ana Pérez de León"}
    await api.ok(UPSERT, {"input": [rec2]}, key=key)
    assert (await card())["fullName"] == "Ana Pérez de León"
    # 2. upsertDebtors adding an account
    rec3 = json.loads(json.dumps(rec2))
    rec3["accounts"].append(
        {**rec3["accounts"][0], "externalId": "W-1-A9", "balance": "777.00", "payments": []}
    )
    await api.ok(UPSERT, {"input": [rec3]}, key=key)
    assert len((await card())["accounts"]) == len(before["accounts"]) + 1
    # 3. recordPayment lowers a balance and adds a payment
    account = next(a for a in before["accounts"] if a["externalId"] == "W-1-A0")
    pay = """mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { duplicate } }"""
    paid_at = (clock() - timedelta(hours=1)).isoformat()
    await api.ok(
        pay,
        {"i": {"accountId": account["id"], "amount": "10.00", "currency": "MXN", "paidAt": paid_at}},
        key=key,
    )
    after = await card()
    assert after["payments"][0]["amount"] == "10.00"
    # 4. recordInteraction with an opt-out request
    rec_int = (
        """mutation($i: RecordInteractionInput!) { recordInteraction(input: $i) { interaction { id } } }"""
    )
    await api.ok(
        rec_int,
        {
            "i": {
                "debtorId": debtor_id,
                "channel": "SMS",
                "direction": "INBOUND",
                "outcome": "CONVERSATION",
                "at": paid_at,
                "optOutRequested": True,
            }
        },
        key=key,
    )
    assert "SMS" in (await card())["optedOutChannels"]
    # 5. a write by any other ORM path (here a session of our own)
    with transaction(session_factory) as s:
        acc = s.scalar(select(Account).where(Account.external_id == "W-1-A9"))
        acc.balance = acc.balance + 1
    assert next(a for a in (await card())["accounts"] if a["externalId"] == "W-1-A9")["balance"] == "778.00"
    assert len(set(seen)) == len(seen)  # every write changed the card


async def test_concurrent_first_requests_build_once_and_agree(api, services):
    key = api.key(role="ADMIN")
    debtor_id = (await api.ok(UPSERT, {"input": [debtor_record("C-1", accounts=4)]}, key=key))[
        "upsertDebtors"
    ]["ids"][0]
    services.settings.card_cache_size = 0
    slow = await api.gql(FULL_CARD, {"id": debtor_id}, key=key)
    services.settings.card_cache_size = 5000
    cards = _cards(services)
    builds = cards.stats["builds"]
    bodies = await asyncio.gather(*(api.gql(FULL_CARD, {"id": debtor_id}, key=key) for _ in range(30)))
    assert all(b == slow for b in bodies)
    assert cards.stats["builds"] - builds == 1


async def test_the_cache_is_bounded(api, services):
    key = api.key(role="ADMIN")
    ids = (await api.ok(UPSERT, {"input": [debtor_record(f"L-{i}") for i in range(5)]}, key=key))[
        "upsertDebtors"
    ]["ids"]
    services.settings.card_cache_size = 3
    for debtor_id in ids:
        await api.ok(FULL_CARD, {"id": debtor_id}, key=key)
    assert len(_cards(services)._cards) == 3


async def test_status_headers_and_bytes_are_those_of_normal_execution(api, services):
    admin = api.key(role="ADMIN")
    await api.ok('mutation { setCorsOrigins(origins: ["https://acme.crm.example"]) }', key=admin)
    debtor_id = (await api.ok(UPSERT, {"input": [debtor_record("H-1")]}, key=admin))["upsertDebtors"]["ids"][
        0
    ]
    cards = _cards(services)
    for accept in (None, "application/graphql-response+json", "application/json", "*/*"):
        for origin in (None, "https://acme.crm.example", "https://evil.example"):
            headers = {k: v for k, v in (("accept", accept), ("origin", origin)) if v}
            responses = []
            for size in (0, 5000):
                services.settings.card_cache_size = size
                hits = cards.stats["hits"] + cards.stats["builds"]
                res = await api.post(FULL_CARD, {"id": debtor_id}, key=admin, headers=headers)
                used = cards.stats["hits"] + cards.stats["builds"] > hits
                assert used == (size > 0 and origin != "https://evil.example"), (accept, origin, size)
                drop = {"date", "server", "x-request-id"}  # one id per request
                responses.append(
                    (res.status_code, {k: v for k, v in res.headers.items() if k not in drop}, res.content)
                )
            assert responses[0] == responses[1], (accept, origin)


# ---------------------------------------------------------------- every field classified; queries from the schema
def _object_types_under(schema_type, names, seen=None):
    from graphql import GraphQLObjectType, get_named_type

    seen = {} if seen is None else seen
    for name in names:
        named = get_named_type(schema_type.fields[name].type)
        if isinstance(named, GraphQLObjectType) and named.name not in seen:
            seen[named.name] = named
            _object_types_under(named, list(named.fields), seen)
    return seen


def test_every_debtor_field_is_classified_for_the_cached_path(api, services):
    from asistente.api.portfolio.cards import CACHED, CLOCK_FIELDS, NEVER_CACHED

    gql = services.extras["cards"].gql
    debtor = gql.type_map["Debtor"]
    classes = [set(CACHED["Debtor"]), set(CLOCK_FIELDS), set(NEVER_CACHED)]
    for name in debtor.fields:
        owners = [i for i, c in enumerate(classes) if name in c]
        assert len(owners) == 1, f"Debtor.{name} must be in exactly one of CACHED, CLOCK_FIELDS, NEVER_CACHED"
    assert set().union(*classes) == set(debtor.fields), "a classified field no longer exists"
    # Every object type under a cached field lists each of its fields as cached.
    for type_name, t in _object_types_under(debtor, sorted(CACHED["Debtor"])).items():
        assert type_name in CACHED, f"{type_name} (under a cached Debtor field) is not classified"
        assert set(t.fields) == set(CACHED[type_name]), (type_name, set(t.fields) ^ set(CACHED[type_name]))


def _selection(t, depth=0):
    from graphql import GraphQLObjectType, get_named_type

    t = get_named_type(t)
    if not isinstance(t, GraphQLObjectType):
        return ""
    return "{ " + " ".join(f"{n} {_selection(f.type, depth + 1)}".strip() for n, f in t.fields.items()) + " }"


def generated_card_query(gql) -> str:
    """Every field the cached path may serve, with every sub-field, generated from the schema: a field
    classified later is compared on both paths without anybody writing it into a query."""
    from asistente.api.portfolio.cards import CACHED, CLOCK_FIELDS, LIST_ARGS

    debtor = gql.type_map["Debtor"]
    parts = []
    for name in sorted(CACHED["Debtor"] | set(CLOCK_FIELDS)):
        f = debtor.fields[name]
        args = f"(limit: {LIST_ARGS[name]})" if LIST_ARGS.get(name) else ""
        parts.append(f"{name}{args} {_selection(f.type)}".strip())
    return "query Generated($id: ID!) { debtor(id: $id) { " + " ".join(parts) + " } }"


async def test_the_generated_full_card_is_identical_on_both_paths(api, services, clock, demo):
    key, debtors = demo
    cards = _cards(services)
    query = generated_card_query(cards.gql)
    assert cards.plan(query, "Generated") is not None, "the generated card must be served by the cached path"
    fallbacks = cards.stats["fallbacks"]
    for now in CLOCKS[:2]:
        clock.value = now
        for debtor_id, _ext in debtors:
            slow, fast = await both(api, services, query, {"id": debtor_id}, key)
            assert "errors" not in slow, slow
            assert json.dumps(fast) == json.dumps(slow), (debtor_id, now)
    assert cards.stats["fallbacks"] == fallbacks, "the generated card must be served by the cached path"


async def test_an_unclassified_sub_field_falls_back_to_normal_execution(api, services, demo, monkeypatch):
    from asistente.api.portfolio import cards as cards_module

    key, debtors = demo
    cards = _cards(services)
    narrowed = dict(cards_module.CACHED, Account=cards_module.CACHED["Account"] - {"daysPastDue"})
    monkeypatch.setattr(cards_module, "CACHED", narrowed)
    cards._plans.clear()
    query = "query Q($id: ID!) { debtor(id: $id) { id accounts { id daysPastDue } } }"
    assert cards.plan(query, None) is None, "a field outside CACHED must not be planned for the cache"
    slow, fast = await both(api, services, query, {"id": debtors[0][0]}, key)
    assert fast == slow and "errors" not in fast
    assert isinstance(fast["data"]["debtor"]["accounts"][0]["daysPastDue"], int)
    monkeypatch.undo()
    cards._plans.clear()
    assert cards.plan(query, None) is not None
