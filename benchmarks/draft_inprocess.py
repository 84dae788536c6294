"""CPU per template draftMessage request, in process (no network), with an optional profile.

Usage:
    .venv/bin/python benchmarks/draft_inprocess.py [--rounds 2] [--clients 10] [--profile] [--asgi]
    valgrind --tool=callgrind --instr-atstart=no .venv/bin/python benchmarks/draft_inprocess.py --asgi --callgrind

Builds the real app on a temporary SQLite database with the demo portfolio, sets the drafting profile and
payment destinations of benchmarks/draft_load.py, keeps every (debtor, channel, purpose) of draft_load.py
that drafts (the same 284 bodies), and posts them through the ASGI transport from `--clients` concurrent
clients, `--rounds` times warm. Reports process CPU milliseconds per request (time.process_time, far less
sensitive to a busy machine than wall-clock figures). `--profile` prints a pyinstrument profile of one more
round: where a draft's time goes.

`--asgi` calls the ASGI app directly (no httpx client in the process: only the server's work is counted).
`--callgrind` (run under `valgrind --tool=callgrind --instr-atstart=no`) turns instrumentation on for one
round after the warm rounds (`callgrind_control -i on/off`) and prints nothing else of it: the instruction
count of that round, divided by the drafts, is a figure a busy machine does not move.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
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


def census() -> None:
    """What a full collection walks after the warm rounds (frozen start-up objects excluded, as in a serving
    process after ``app.freeze_startup_objects``) and what it costs in thread CPU."""
    import gc
    from collections import Counter

    old = gc.get_objects(generation=2)
    by_type = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in old)
    print(f"gc: {len(old):,} objects in the oldest generation, {gc.get_freeze_count():,} frozen; top types:")
    for name, n in by_type.most_common(12):
        print(f"  {n:8,}  {name}")
    del old
    t0 = time.thread_time()
    gc.collect()
    print(f"gc: a full collection took {(time.thread_time() - t0) * 1000:.1f} ms of thread CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--gc-stats", action="store_true", help="collections and their pauses per round")
    parser.add_argument(
        "--gc-census",
        action="store_true",
        help="after the rounds: what the oldest generation holds (by type) and what a full collection costs",
    )
    parser.add_argument("--cprofile", metavar="FILE", help="cProfile one more round into FILE (pstats)")
    parser.add_argument("--asgi", action="store_true", help="call the ASGI app directly (no httpx client)")
    parser.add_argument("--callgrind", action="store_true", help="instrument one round (under valgrind)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="asistente-draft-cpu-")
    engine = make_engine(f"sqlite:///{tmp}/bench.db")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    settings = Settings(demo=False)
    app = create_app(settings, services=Services(settings=settings, engine=engine, session_factory=factory))
    if args.gc_census:  # as a serving worker: frozen right after the app is made, before any request
        import gc

        gc.collect()
        gc.freeze()
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

    async def run_asgi(batch: list[str]) -> float:
        raw_headers = [(k.encode(), v.encode()) for k, v in headers.items()]

        async def post(body: bytes) -> tuple[int, bytes]:
            sent = False
            status = 0
            out: list[bytes] = []

            async def receive() -> dict:
                nonlocal sent
                if sent:
                    await asyncio.sleep(3600)
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                elif message["type"] == "http.response.body":
                    out.append(message.get("body", b""))

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
                "headers": [*raw_headers, (b"content-length", str(len(body)).encode())],
                "client": ("127.0.0.1", 40000),
                "server": ("127.0.0.1", 8000),
                "state": {},
            }
            await app(scope, receive, send)
            return status, b"".join(out)

        encoded = [b.encode() for b in batch]

        async def one(chunk: list[bytes]) -> None:
            for body in chunk:
                status, content = await post(body)
                if status != 200 or b'"errors"' in content:
                    raise SystemExit(f"request failed: {content[:500]!r}")

        t0 = time.process_time()
        await asyncio.gather(*(one(encoded[i :: args.clients]) for i in range(args.clients)))
        return (time.process_time() - t0) / len(batch) * 1000

    async def run(batch: list[str]) -> float:
        if args.asgi:
            return await run_asgi(batch)
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
    pauses: list[tuple[int, float]] = []
    if args.gc_stats:
        import gc

        if not args.gc_census:
            gc.collect()
            gc.freeze()  # as a serving process does after start-up (app.freeze_startup_objects)
        started: list[float] = []

        def watch(phase: str, info: dict) -> None:
            if phase == "start":
                started[:] = [time.thread_time()]
            elif started:
                pauses.append((info["generation"], (time.thread_time() - started[0]) * 1000))

        gc.callbacks.append(watch)
    for n in range(args.rounds):
        pauses.clear()
        print(f"draftMessage warm {n + 1}: {asyncio.run(run(bodies)):6.2f} ms CPU per request")
        if args.gc_stats:
            for gen in (0, 1, 2):
                ms = [p for g, p in pauses if g == gen]
                if ms:
                    print(
                        f"  gc generation {gen}: {len(ms)} collections, max {max(ms):.2f} ms, total {sum(ms):.1f} ms"
                    )
    if args.gc_census:
        census()
    if args.callgrind:
        pid = str(os.getpid())
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
        ms = asyncio.run(run(bodies))
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
        print(
            f"draftMessage instrumented round: {len(bodies)} drafts ({ms:6.2f} ms CPU per request under valgrind)"
        )
    if args.cprofile:
        import cProfile

        prof = (
            cProfile.Profile(time.thread_time_ns, 1e-9)
            if os.environ.get("DRAFT_THREAD_TIMER")
            else cProfile.Profile()
        )
        prof.enable()
        asyncio.run(run(bodies))
        prof.disable()
        prof.dump_stats(args.cprofile)
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
