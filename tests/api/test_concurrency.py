"""Many concurrent operations in one worker: no freeze when they outnumber the connection pool."""

from __future__ import annotations

import asyncio

from tests.api.data import FULL_CARD, UPSERT, debtor_record


async def test_fifty_concurrent_cards_complete(api, engine):
    key = api.key(role="ADMIN")
    data = await api.ok(UPSERT, {"input": [debtor_record(f"C-{i}") for i in range(10)]}, key=key)
    ids = data["upsertDebtors"]["ids"]
    capacity = engine.pool.size() + max(engine.pool._max_overflow, 0)
    n = max(50, capacity * 3)

    async def one(i: int) -> dict:
        return await api.ok(FULL_CARD, {"id": ids[i % len(ids)]}, key=key)

    results = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), timeout=60)
    assert len(results) == n
    assert all(r["debtor"]["id"] in ids for r in results)


async def test_concurrent_different_operations_get_their_own_answers(api):
    key = api.key(role="ADMIN")
    data = await api.ok(UPSERT, {"input": [debtor_record(f"D-{i}") for i in range(6)]}, key=key)
    ids = data["upsertDebtors"]["ids"]
    queries = [
        ("{ me { tenant role } }", None, lambda d: d["me"] == {"tenant": "acme", "role": "ADMIN"}),
        (
            "query($id: ID!){ debtor(id: $id) { id externalId } }",
            "id",
            lambda d, i=None: d["debtor"]["id"] in ids,
        ),
        (
            "{ debtors(first: 3) { edges { node { externalId } } } }",
            None,
            lambda d: len(d["debtors"]["edges"]) == 3,
        ),
        ("{ nope }", None, None),  # a validation error must stay with its own request
    ]

    async def one(i: int):
        query, var, check = queries[i % len(queries)]
        body = await api.gql(query, {"id": ids[i % len(ids)]} if var else {}, key=key)
        return i % len(queries), body, check

    results = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(80))), timeout=60)
    for kind, body, check in results:
        if check is None:
            assert body.get("data") is None and body["errors"][0]["extensions"]["code"] == "BAD_INPUT"
        else:
            assert not body.get("errors"), (kind, body)
            assert check(body["data"]), (kind, body)


async def test_parse_cache_holds_under_concurrency(api, monkeypatch):
    from graphql.language.parser import Parser

    key = api.key(role="ADMIN")
    calls = []
    original = Parser.parse_document

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Parser, "parse_document", counting)
    query = "{ me { tenant role agentId } debtors(first: 1) { edges { cursor } } }"
    await asyncio.wait_for(asyncio.gather(*(api.ok(query, key=key) for _ in range(40))), timeout=60)
    # Once by strawberry's parser cache, once by the cached-card planner and once by the lean planner
    # (each keeps its verdict per document): never once per request.
    assert len(calls) <= 3, f"parsed {len(calls)} times for 40 identical concurrent requests"
    first = len(calls)
    await asyncio.wait_for(asyncio.gather(*(api.ok(query, key=key) for _ in range(40))), timeout=60)
    assert len(calls) == first
