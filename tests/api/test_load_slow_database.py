"""A slow database (issue 15, "Bad input"), over real sockets to the real app served by uvicorn: another
client holds the write locks (on SQLite another process holds the file's write lock; on PostgreSQL another
connection holds EXCLUSIVE table locks), shorter than the service's database wait
(Settings.database_wait_seconds) and then longer. Shorter: every request waits and answers correctly.
Longer: reads still answer; each write fails within the wait (plus scheduling) with RATE_LIMITED, HTTP 429
and Retry-After, and nothing of it is stored or recorded. Once the lock is gone the same writes succeed,
/healthz is ok and no connection is left checked out. And on PostgreSQL, statements made slow by a proxy
that delays every byte: answers stay correct, and fast again once the delay is gone."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from asistente.db import transaction
from asistente.enums import Role
from asistente.portfolio.models import Interaction
from asistente.tenants.service import create_api_key
from tests.api.load_support import (
    CARD,
    FEEDBACK,
    INTERACT,
    PAY,
    PERMISSION,
    Live,
    assert_ledger_intact,
    assert_stored_exactly,
    checked_out_settles,
    codes,
    database_url,
    ledger_counts,
    live_service,
    writes_held,
)

WAIT = 1.0  # the service's database wait in this test (ASISTENTE_DB_WAIT_SECONDS)


def _writes(live: Live, tag: str, shown: list[str]) -> list[tuple[str, str, dict, str]]:
    """(kind, query, variables, key) of one round of writes on two debtors."""
    out = []
    for n, (debtor, account) in enumerate(zip(live.debtors[:2], live.accounts[:2], strict=True)):
        pay = {
            "accountId": account,
            "amount": "25.00",
            "currency": "MXN",
            "paidAt": "2026-11-20T09:00:00Z",
            "reference": f"{tag}-{n}",
        }
        it = {
            "debtorId": debtor,
            "channel": "SMS",
            "direction": "OUTBOUND",
            "at": f"2026-11-20T09:0{n}:00Z",
            "outcome": "DELIVERED",
            "externalId": f"{tag}-it-{n}",
        }
        out += [
            ("payment", PAY, {"i": pay}, live.admin),
            ("interaction", INTERACT, {"i": it}, live.supervisor),
        ]
    out.append(("feedback", FEEDBACK, {"id": shown.pop()}, live.supervisor))
    out.append(("permission", PERMISSION, {"d": live.debtors[2]}, live.supervisor))
    return out


async def _round(
    live: Live, requests: list[tuple[str, str, dict, str]], sending: threading.Event | None = None
) -> list[tuple[str, dict, float, httpx.Response]]:
    async with httpx.AsyncClient(base_url=live.base, timeout=60) as c:

        async def one(kind: str, query: str, variables: dict, key: str):
            if sending is not None:
                sending.set()  # the first request is on its way (not merely the thread started)
            started = time.monotonic()
            r = await c.post(
                "/graphql", json={"query": query, "variables": variables}, headers=live.headers(key)
            )
            return kind, variables, time.monotonic() - started, r

        reads = [("card", CARD, {"id": d}, live.supervisor) for d in live.debtors[3:]]
        return await asyncio.gather(*(one(*r) for r in [*requests, *reads]))


def test_slow_database_waits_or_refuses_typed_and_recovers(engine, settings, clock):
    with live_service(database_url(engine), settings, clock, wait_seconds=WAIT) as live:
        with httpx.Client(base_url=live.base, timeout=30) as c:
            shown = [
                c.post(
                    "/graphql",
                    json={"query": PERMISSION, "variables": {"d": d}},
                    headers=live.headers(live.supervisor),
                ).json()["data"]["contactPermission"]["auditId"]
                for d in live.debtors
            ]
        acked: dict[str, tuple[str, Decimal]] = {}
        before = ledger_counts(live)

        # 1. the lock is held for less than the wait: everything waits, then answers
        with writes_held(live):
            results = []
            sending = threading.Event()

            def go() -> None:
                results.extend(asyncio.run(_round(live, _writes(live, "short", shown), sending)))

            runner = threading.Thread(target=go)
            runner.start()
            assert sending.wait(10)
            time.sleep(WAIT * 0.6)  # then the holder lets go
        runner.join(timeout=60)
        for kind, variables, _, r in results:
            body = r.json()
            assert r.status_code == 200 and not body.get("errors"), (kind, r.status_code, body)
            if kind == "payment":
                acked[variables["i"]["reference"]] = (variables["i"]["accountId"], Decimal("25.00"))
        assert max(t for k, _, t, _ in results if k != "card") > WAIT * 0.3  # they did wait for the lock
        assert_stored_exactly(live, acked)

        # 2. the lock is held for longer than the wait: writes are refused, typed, and nothing is kept
        refused = _writes(live, "long", shown)
        with writes_held(live):
            started = time.monotonic()
            results = asyncio.run(_round(live, refused))
            answered_in = time.monotonic() - started
        for kind, _, _, r in results:
            body = r.json()
            if kind == "card":
                assert r.status_code == 200 and not body.get("errors"), body
                continue
            assert codes(body) == {"RATE_LIMITED"}, (kind, body)
            assert r.status_code == 429 and r.headers["retry-after"] == "1", (kind, r.status_code, r.headers)
            assert body["errors"][0]["extensions"]["retryAfter"] == 1
        # each write gave up after its wait (a recorded one may first wait for the ledger batch ahead of it
        # in its tenant's queue to give up), and reads never waited behind the held lock
        writes = [t for k, _, t, _ in results if k != "card"]
        reads = [t for k, _, t, _ in results if k == "card"]
        assert all(WAIT * 0.9 <= t < 2 * WAIT + 1.5 for t in writes), writes
        assert max(reads) < min(writes), (reads, writes)
        assert answered_in < 2 * WAIT + 2, answered_in
        assert_stored_exactly(live, acked)  # nothing of a refused payment
        with live.factory() as s:
            its = set(s.scalars(select(Interaction.external_id)).all())
            assert not {i for i in its if i and i.startswith("long-")}
        grown = {k: v - before.get(k, 0) for k, v in ledger_counts(live).items()}
        assert grown.get("FEEDBACK", 0) == grown["feedback rows"] == 1  # the first round's only
        assert grown.get("CONTACT_CHECK", 0) == 1

        # 3. the lock is gone: the same writes succeed, the service is whole
        assert checked_out_settles(live.engine) == 0
        results = asyncio.run(_round(live, refused))
        for kind, variables, _, r in results:
            body = r.json()
            assert r.status_code == 200 and not body.get("errors"), (kind, body)
            if kind == "payment":
                acked[variables["i"]["reference"]] = (variables["i"]["accountId"], Decimal("25.00"))
        assert_stored_exactly(live, acked)
        with live.factory() as s:
            assert s.scalar(select(func.count()).select_from(Interaction)) == 4
        assert_ledger_intact(live)
        assert httpx.get(f"{live.base}/healthz").json() == {"status": "ok"}
        assert checked_out_settles(live.engine) == 0


class _DelayProxy:
    """A TCP proxy in front of PostgreSQL that holds every chunk of bytes, both ways, for `delay` seconds:
    every statement's round trip gets slower (a slow network, a loaded server), no lock involved."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.delay = 0.0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                if self.delay:
                    time.sleep(self.delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


def test_slow_postgres_statements_answer_correctly_and_recover(engine, settings, clock):
    if engine.dialect.name != "postgresql":
        pytest.skip(
            "statement latency is injected between the service and PostgreSQL (SQLite has no network)"
        )
    url = make_url(database_url(engine))
    proxy = _DelayProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        slow_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with live_service(slow_url, settings, clock, wait_seconds=WAIT) as live:
            with httpx.Client(base_url=live.base, timeout=30) as c:
                shown = [
                    c.post(
                        "/graphql",
                        json={"query": PERMISSION, "variables": {"d": d}},
                        headers=live.headers(live.supervisor),
                    ).json()["data"]["contactPermission"]["auditId"]
                    for d in live.debtors
                ]
            before = ledger_counts(live)
            acked: dict[str, tuple[str, Decimal]] = {}
            timings = {}
            for phase, delay in (("slow", 0.008), ("fast", 0.0)):
                proxy.delay = delay  # every round trip to the database 2 x delay slower, then normal again
                started = time.monotonic()
                results = asyncio.run(_round(live, _writes(live, phase, shown)))
                timings[phase] = time.monotonic() - started
                for kind, variables, _, r in results:
                    body = r.json()
                    assert r.status_code == 200 and not body.get("errors"), (phase, kind, body)
                    if kind == "payment":
                        acked[variables["i"]["reference"]] = (variables["i"]["accountId"], Decimal("25.00"))
                    if kind == "card":
                        assert body["data"]["debtor"]["id"] in live.debtors
                assert_stored_exactly(live, acked)
            assert timings["slow"] > timings["fast"], timings  # the latency was there, and then gone
            grown = {k: v - before.get(k, 0) for k, v in ledger_counts(live).items()}
            assert grown.get("FEEDBACK", 0) == grown["feedback rows"] == 2
            assert grown.get("CONTACT_CHECK", 0) == 2
            with live.factory() as s:
                assert s.scalar(select(func.count()).select_from(Interaction)) == 4
            assert_ledger_intact(live)
            assert httpx.get(f"{live.base}/healthz").json() == {"status": "ok"}
            assert checked_out_settles(live.engine) == 0
    finally:
        proxy.close()


def test_no_free_connection_answers_rate_limited_and_recovers(engine, settings, clock):
    """Every pooled connection is taken (a pool of 2 here; in production, requests stuck on a slow
    database): a request that cannot get one within the wait is refused RATE_LIMITED wherever it needed it,
    in a resolver (its key already authenticated and cached) or in the authentication that runs before
    GraphQL (a key not seen yet); the service answers again once connections are free."""
    settings = settings.model_copy(update={"auth_cache_seconds": 30})
    with live_service(
        database_url(engine), settings, clock, wait_seconds=WAIT, pool_size=2, max_overflow=0
    ) as live:
        with transaction(live.factory) as s:
            fresh = create_api_key(s, tenant_slug="acme", role=Role.SUPERVISOR, agent_external_id="s-2")

        def card(key: str) -> tuple[httpx.Response, float]:
            started = time.monotonic()
            r = httpx.post(
                f"{live.base}/graphql",
                json={"query": CARD, "variables": {"id": live.debtors[0]}},
                headers=live.headers(key),
                timeout=30,
            )
            return r, time.monotonic() - started

        assert card(live.supervisor)[0].status_code == 200  # this key is now cached
        held = [live.engine.connect() for _ in range(2)]
        try:
            refused = [card(live.supervisor), card(fresh)]  # in the card resolver; in authentication
        finally:
            for conn in held:
                conn.close()
        for r, waited in refused:
            assert r.status_code == 429 and r.headers["retry-after"] == "1", (r.status_code, r.text[:300])
            assert codes(r.json()) == {"RATE_LIMITED"}, r.text[:300]
            assert WAIT * 0.9 <= waited < WAIT + 2, waited
        for key in (live.supervisor, fresh):
            r, _ = card(key)
            assert r.status_code == 200 and r.json()["data"]["debtor"]["id"] == live.debtors[0], r.text[:300]
        assert httpx.get(f"{live.base}/healthz").json() == {"status": "ok"}
        assert checked_out_settles(live.engine) == 0
