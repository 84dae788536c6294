"""CPU per template draftMessage request, in process (no network), with an optional profile.

Usage:
    .venv/bin/python benchmarks/draft_inprocess.py [--rounds 2] [--clients 10] [--profile]

Builds the real app on a temporary SQLite database with the demo portfolio, sets the drafting profile and
payment destinations of benchmarks/draft_load.py, keeps every (debtor, channel, purpose) of draft_load.py
that drafts (the same 284 bodies), and posts them through the ASGI transport from `--clients` concurrent
clients, `--rounds` times warm. Reports process CPU milliseconds per request (time.process_time, far less
sensitive to a busy machine than wall-clock figures). `--profile` prints a pyinstrument profile of one more
round: where a draft's time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))

from draft_load import COMBOS, DRAFT, PROFILE, destinations

from asistente.api.core.context import Services
from asistente.app import create_app
from asistente.db import Base, make_engine, make_session_factory
from asistente.demo import seed_demo
from asistente.enums import Role
from asistente.portfolio.models import Debtor
from asistente.settings import Settings
from asistente.tenants.service import create_api_key

SETUP = (
    ("mutation($p: JSON!) { setDraftingProfile(profile: $p) }", "p", PROFILE),
    ("mutation($d: JSON!) { setPaymentDestinations(destinations: $d) { version } }", "d", destinations()),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="asistente-draft-cpu-")
    engine = make_engine(f"sqlite:///{tmp}/bench.db")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    settings = Settings(demo=False)
    app = create_app(settings, services=Services(settings=settings, engine=engine, session_factory=factory))
    key = seed_demo(factory)
    with factory() as s:
        admin = create_api_key(s, tenant_slug="demo", role=Role.ADMIN)
        s.commit()
        ids = [d.id for d in s.scalars(select(Debtor))]
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}

    async def setup() -> list[str]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:
            for query, name, value in SETUP:
                r = await c.post(
                    "/graphql",
                    json={"query": query, "variables": {name: value}},
                    headers={"authorization": f"Bearer {admin}"},
                )
                if "errors" in r.json():
                    raise SystemExit(f"set-up failed: {r.text[:500]}")
            kept = []
            for debtor_id in ids:
                for channel, purpose in COMBOS:
                    i = {"debtorId": debtor_id, "channel": channel, "purpose": purpose, "useLlm": False}
                    body = json.dumps({"query": DRAFT, "variables": {"i": i}})
                    r = await c.post("/graphql", content=body, headers=headers)
                    if "errors" not in r.json():
                        kept.append(body)
            return kept

    async def run(batch: list[str]) -> float:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:

            async def one(chunk: list[str]) -> None:
                for body in chunk:
                    r = await c.post("/graphql", content=body, headers=headers)
                    if r.status_code != 200 or "errors" in r.json():
                        raise SystemExit(f"request failed: {r.text[:500]}")

            t0 = time.process_time()
            await asyncio.gather(*(one(batch[i :: args.clients]) for i in range(args.clients)))
            return (time.process_time() - t0) / len(batch) * 1000

    bodies = asyncio.run(setup())
    print(f"load average {os.getloadavg()[0]:.2f}; {len(bodies)} drafts, {args.clients} clients")
    for n in range(args.rounds):
        print(f"draftMessage warm {n + 1}: {asyncio.run(run(bodies)):6.2f} ms CPU per request")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        print(f"draftMessage profiled: {asyncio.run(run(bodies)):6.2f} ms CPU per request")
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
