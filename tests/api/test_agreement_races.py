"""Agreement decisions under concurrent workers: exactly one wins (threads, each with its own event loop,
like uvicorn workers sharing one database)."""

from __future__ import annotations

import asyncio
import threading

import httpx
from sqlalchemy import func, select

from asistente.agreements.store import Agreement
from tests.api.data import UPSERT, debtor_record

CREATE = "mutation($i: AgreementInput!){ createAgreement(input: $i) { agreement { id status } } }"


def _race(app, key: str, query: str, variables: dict, n: int = 8) -> list[dict]:
    results: list[dict] = []
    lock = threading.Lock()
    start = threading.Barrier(n)

    def worker() -> None:
        async def go() -> None:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                start.wait()
                r = await c.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"authorization": f"Bearer {key}"},
                )
                with lock:
                    results.append(r.json())

        asyncio.run(go())

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


async def test_concurrent_create_makes_one_agreement(api, app, session_factory):
    integrator = api.key(role="INTEGRATOR")
    supervisor = api.key(role="SUPERVISOR", agent="s-1")
    data = await api.ok(UPSERT, {"input": [debtor_record("R-1", accounts=1)]}, key=integrator)
    debtor = data["upsertDebtors"]["ids"][0]
    card = await api.ok(
        "query($id: ID!){ debtor(id: $id) { accounts { id } } }", {"id": debtor}, key=supervisor
    )
    account = card["debtor"]["accounts"][0]["id"]
    payload = {
        "i": {
            "debtorId": debtor,
            "accountIds": [account],
            "kind": "SINGLE_PAYMENT",
            "firstPaymentDate": "2026-11-25",
        }
    }
    results = await asyncio.to_thread(_race, app, supervisor, CREATE, payload)
    wins = [r for r in results if (r.get("data") or {}).get("createAgreement")]
    assert len(results) == 8 and len(wins) == 1, results
    assert all(r["errors"][0]["extensions"]["code"] == "BAD_INPUT" for r in results if r not in wins)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Agreement)) == 1
