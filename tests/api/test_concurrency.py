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
