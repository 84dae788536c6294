"""CPU per suggestResponses request, in process (no network, one client), next to the cached debtor card.

Usage:
    .venv/bin/python benchmarks/suggest_inprocess.py [--rounds 3] [--clients 1] [--profile] [--server-only]

Builds the real app on a temporary SQLite database with the demo portfolio and posts, through the ASGI
transport, every demo debtor x every utterance of benchmarks/suggest_load.py: once cold (empty card and
compliance-verdict caches), then `--rounds` times warm, then the cached debtor card for every debtor as a
yardstick (the card reaches ~37% of the Starlette floor over HTTP). Reports process CPU milliseconds per
request (time.process_time), which is far less sensitive to a busy machine than wall-clock throughput.
One client (the default) means no group commit: every request writes its own ledger transaction. `--profile` prints the
cProfile of one warm round restricted to the suggestion path. `--server-only` calls the ASGI app itself
instead of going through httpx's ASGI transport, so the figures leave out the client's CPU (about half of
a warm request's figure otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))

from suggest_load import SUGGEST, UTTERANCES

from asistente.api.core.context import Services
from asistente.app import create_app
from asistente.db import Base, make_engine, make_session_factory
from asistente.demo import seed_demo
from asistente.portfolio.models import Debtor
from asistente.settings import Settings

CARD = '{"query":"query($id: ID!){ debtor(id: $id) { id fullName totals { currency balance } } }","variables":{"id":"%s"}}'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--clients", type=int, default=1, help="concurrent clients (2+ lets SUGGESTION events share commits)"
    )
    parser.add_argument(
        "--server-only",
        action="store_true",
        help="call the ASGI app directly (no httpx client): the CPU is the server's own (and its ledger thread's)",
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="asistente-suggest-cpu-")
    engine = make_engine(f"sqlite:///{tmp}/bench.db")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    settings = Settings(demo=False)
    app = create_app(settings, services=Services(settings=settings, engine=engine, session_factory=factory))
    key = seed_demo(factory)
    with factory() as s:
        ids = [d.id for d in s.scalars(select(Debtor))]
    bodies = [
        json.dumps({"query": SUGGEST, "variables": {"input": {"debtorId": i, "utterance": u}}})
        for u in UTTERANCES
        for i in ids
    ]
    cards = [CARD % i for i in ids] * 5

    async def run(batch: list[str]) -> float:
        if args.server_only:
            return await run_raw(batch)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:
            headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}

            async def one(chunk: list[str]) -> None:
                for body in chunk:
                    r = await c.post("/graphql", content=body, headers=headers)
                    if r.status_code != 200 or "errors" in r.json():
                        raise SystemExit(f"request failed: {r.text[:500]}")

            t0 = time.process_time()
            await asyncio.gather(*(one(batch[i :: args.clients]) for i in range(args.clients)))
            return (time.process_time() - t0) / len(batch) * 1000

    headers = [(b"authorization", f"Bearer {key}".encode()), (b"content-type", b"application/json")]

    async def call(body: str) -> None:
        """One POST through the whole ASGI app (middleware, routing, GraphQL view), without a client."""
        raw = body.encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": [*headers, (b"content-length", str(len(raw)).encode())],
            "client": ("127.0.0.1", 1),
            "server": ("bench", 80),
        }
        sent = False

        async def receive() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        out: list[dict] = []

        async def send(message: dict) -> None:
            out.append(message)

        await app(scope, receive, send)
        answer = b"".join(m.get("body", b"") for m in out[1:])
        if out[0]["status"] != 200 or b'"errors"' in answer:
            raise SystemExit(f"request failed: {answer[:500]!r}")

    async def run_raw(batch: list[str]) -> float:
        async def one(chunk: list[str]) -> None:
            for body in chunk:
                await call(body)

        t0 = time.process_time()
        await asyncio.gather(*(one(batch[i :: args.clients]) for i in range(args.clients)))
        return (time.process_time() - t0) / len(batch) * 1000

    load = os.getloadavg()
    print(
        f"load average {load[0]:.2f}; {len(ids)} debtors x {len(UTTERANCES)} utterances = {len(bodies)} requests"
    )
    print(f"suggestResponses cold : {asyncio.run(run(bodies)):6.2f} ms CPU per request")
    for n in range(args.rounds):
        print(f"suggestResponses warm {n + 1}: {asyncio.run(run(bodies)):6.2f} ms CPU per request")
    print(f"cached debtor card    : {asyncio.run(run(cards)):6.2f} ms CPU per request")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        asyncio.run(run(bodies))
        prof.disable()
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(
            "objections|ledger|group_commit|agreements/store|classifier|render|revisions", 30
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
