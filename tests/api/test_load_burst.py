"""A burst of writes under reads (issue 15, "Bad input"), over real sockets to the real app served by
uvicorn: payments, interactions, suggestion feedback and an agreement, on one debtor and on several, some
sent twice at once (a CRM retrying), while cards and contact permissions are read. Every acknowledged write
is stored exactly once and nothing else is; balances are the seeded balance minus exactly the stored
payments; the ledger holds one event per acknowledged recorded operation and verifies; no card read shows
less than what was acknowledged before the read began; no error is untyped."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from decimal import Decimal

import httpx
from sqlalchemy import func, select

from asistente.portfolio.models import Interaction
from tests.api.load_support import (
    API_CODES,
    BALANCE,
    CARD,
    CREATE,
    FEEDBACK,
    INTERACT,
    PAY,
    PERMISSION,
    assert_ledger_intact,
    assert_stored_exactly,
    codes,
    database_url,
    ledger_counts,
    live_service,
)


def test_burst_of_writes_while_reading(engine, settings, clock):
    # a write that waits for a lock longer than this fails the test (a stalled worker, not load)
    with live_service(database_url(engine), settings, clock, wait_seconds=10) as live:
        before = ledger_counts(live)
        hot, hot_account = live.debtors[0], live.accounts[0]  # most writes land on one debtor
        agreed, agreed_account = live.debtors[1], live.accounts[1]
        writes: list[tuple[str, dict, float, dict]] = []  # (kind, variables, acknowledged at, body)
        reads: list[tuple[str, float, dict]] = []  # (debtor, started at, card)
        failures: list[tuple[str, int, dict]] = []
        permissions: list[str] = []

        async def post(c: httpx.AsyncClient, kind: str, query: str, variables: dict, key: str) -> dict:
            r = await c.post(
                "/graphql", json={"query": query, "variables": variables}, headers=live.headers(key)
            )
            body = r.json()
            assert r.status_code in (200, 429), (kind, r.status_code, r.text[:300])
            assert codes(body) <= API_CODES, (kind, body)
            if body.get("errors"):
                failures.append((kind, r.status_code, body))
            return body

        async def write(c: httpx.AsyncClient, kind: str, query: str, variables: dict, key: str) -> None:
            await asyncio.sleep(0)
            body = await post(c, kind, query, variables, key)
            if not body.get("errors"):
                writes.append((kind, variables, time.monotonic(), body["data"]))

        async def card(c: httpx.AsyncClient, debtor: str) -> None:
            started = time.monotonic()
            body = await post(c, "card", CARD, {"id": debtor}, live.supervisor)
            if not body.get("errors"):
                reads.append((debtor, started, body["data"]["debtor"]))

        async def permission(c: httpx.AsyncClient, debtor: str) -> None:
            body = await post(c, "permission", PERMISSION, {"d": debtor}, live.supervisor)
            if not body.get("errors"):
                permissions.append(body["data"]["contactPermission"]["auditId"])

        async def run() -> None:
            limits = httpx.Limits(max_connections=24)
            async with httpx.AsyncClient(base_url=live.base, timeout=60, limits=limits) as c:
                # advice to give feedback on, recorded before the burst
                await asyncio.gather(*(permission(c, d) for d in live.debtors))
                shown = list(permissions)
                agreement = {
                    "debtorId": agreed,
                    "accountIds": [agreed_account],
                    "kind": "SINGLE_PAYMENT",
                    "firstPaymentDate": "2026-11-25",
                }
                jobs = [write(c, "agreement", CREATE, {"i": agreement}, live.supervisor)]
                for i in range(16):
                    account = hot_account if i % 2 else live.accounts[1 + i % (len(live.accounts) - 1)]
                    pay = {
                        "accountId": account,
                        "amount": f"{10 + i % 7}.25",
                        "currency": "MXN",
                        "paidAt": f"2026-11-20T{8 + i % 8:02d}:{i:02d}:00Z",
                        "reference": f"burst-{i}",
                    }
                    jobs.append(write(c, "payment", PAY, {"i": pay}, live.admin))
                    if i % 6 == 0:  # the same payment again, at once: stored once
                        jobs.append(write(c, "payment", PAY, {"i": pay}, live.admin))
                    # at most 20 per debtor: a card shows the last 20 (lastInteractions)
                    debtor = hot if i % 2 else live.debtors[1 + i % (len(live.debtors) - 1)]
                    it = {
                        "debtorId": debtor,
                        "channel": "CALL",
                        "direction": "OUTBOUND",
                        "at": f"2026-11-20T{8 + i % 8:02d}:{i:02d}:30Z",
                        "outcome": "NO_ANSWER",
                        "externalId": f"burst-it-{i}",
                    }
                    jobs.append(write(c, "interaction", INTERACT, {"i": it}, live.supervisor))
                    if i % 9 == 0:
                        jobs.append(write(c, "interaction", INTERACT, {"i": it}, live.supervisor))
                    if i < len(shown):
                        jobs.append(write(c, "feedback", FEEDBACK, {"id": shown[i]}, live.supervisor))
                    jobs.append(card(c, hot))
                    jobs.append(card(c, live.debtors[i % len(live.debtors)]))
                    jobs.append(permission(c, hot))
                await asyncio.gather(*jobs)
                # and once it is over, a card per debtor reads everything acknowledged
                await asyncio.gather(*(card(c, d) for d in live.debtors))

        started = time.monotonic()
        asyncio.run(run())
        elapsed = time.monotonic() - started

        # errors are typed (checked per response), and a burst alone on a healthy database refuses nothing
        assert failures == [], failures[:3]

        # payments: each acknowledged one stored once, balances follow exactly
        acked = {
            v["i"]["reference"]: (v["i"]["accountId"], Decimal(v["i"]["amount"]))
            for kind, v, _, _ in writes
            if kind == "payment"
        }
        assert acked, failures[:3]
        assert_stored_exactly(live, acked)
        duplicates = [d for kind, _, _, d in writes if kind == "payment" and d["recordPayment"]["duplicate"]]
        first_seen = Counter(v["i"]["reference"] for kind, v, _, _ in writes if kind == "payment")
        assert len(duplicates) == sum(n - 1 for n in first_seen.values())

        # interactions: each acknowledged externalId stored once, no other
        acked_its = {v["i"]["externalId"] for kind, v, _, _ in writes if kind == "interaction"}
        with live.factory() as s:
            stored_its = Counter(
                s.scalars(select(Interaction.external_id).where(Interaction.external_id.is_not(None))).all()
            )
            n_interactions = s.scalar(select(func.count()).select_from(Interaction))
        assert set(stored_its) == acked_its and set(stored_its.values()) == {1}, stored_its
        assert n_interactions == len(acked_its)

        # the ledger: one event per acknowledged recorded operation, the chain intact
        after = ledger_counts(live)
        applied = sum(1 for kind, _, _, d in writes if kind == "payment" and d["recordPayment"]["agreement"])
        created = sum(1 for kind, *_ in writes if kind == "agreement")
        feedback = sum(1 for kind, *_ in writes if kind == "feedback")
        assert created == 1
        grown = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        assert grown.get("AGREEMENT_DECISION", 0) == created + applied, (grown, applied)
        assert grown.get("FEEDBACK", 0) == grown["feedback rows"] == feedback
        assert grown.get("CONTACT_CHECK", 0) == len(permissions)
        assert_ledger_intact(live)

        # no card staler than a write acknowledged before its read began
        account_of = dict(zip(live.debtors, live.accounts, strict=True))
        for debtor, began, shown_card in reads:
            account = account_of[debtor]
            before_read = [w for w in writes if w[2] < began]
            paid = sum(
                {
                    v["i"]["reference"]: Decimal(v["i"]["amount"])
                    for kind, v, _, _ in before_read
                    if kind == "payment" and v["i"]["accountId"] == account
                }.values(),
                Decimal(0),
            )
            balance = Decimal(shown_card["accounts"][0]["balance"])
            assert balance <= BALANCE - paid, (debtor, balance, paid)
            seen = {i["id"] for i in shown_card["lastInteractions"]}
            for kind, v, _, d in before_read:
                if kind != "interaction" or v["i"]["debtorId"] != debtor:
                    continue
                if d["recordInteraction"]["interaction"]["id"] not in seen:
                    raise AssertionError(
                        f"a card read after an acknowledged interaction does not show it: {d}"
                    )
        assert len(reads) >= 32
        assert elapsed < 60
