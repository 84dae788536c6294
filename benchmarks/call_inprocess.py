"""CPU per live-call turn (pushTranscript), in process: where one turn's milliseconds go.

Usage:
    .venv/bin/python benchmarks/call_inprocess.py [--calls 20] [--turns 12] [--concurrency 1]
        [--database-url URL] [--profile] [--pyinstrument]

Builds the real app on a fresh database (a temporary SQLite file, or --database-url, which must be empty or
hold only the schema) with the demo portfolio, and pushes `--turns` turns to each of `--calls` calls through
the ASGI transport, alternating the AGENT and DEBTOR lines of benchmarks/call_load.py (Spanish or English
by the debtor's language). With `--concurrency N` the calls run N at a time (the ledger batches concurrent
records). Reports process CPU milliseconds per AGENT and per DEBTOR turn (time.process_time: far less
sensitive to a busy machine than wall time) and the wall median. `--profile` prints a cProfile breakdown by
stage of one more run; `--pyinstrument` prints pyinstrument's tree of it. Both see the event loop's thread
only: the turn committer's transaction runs in a worker thread, so sample the whole process with py-spy
(`py-spy record -f raw -- python benchmarks/call_inprocess.py ...`) to see it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))

from call_load import LINES, PUSH

from asistente.api.core.context import Services
from asistente.app import create_app
from asistente.db import Base, make_engine, make_session_factory
from asistente.demo import seed_demo
from asistente.portfolio.models import Debtor
from asistente.settings import Settings

# Stages of a turn, by the functions that do them (cumulative time of the outermost matching frame).
STAGES = [
    (
        "suggestions (card, classifier, playbook, answers' checks, plan)",
        "api/objections/suggest.py",
        "compute_suggestions",
    ),
    ("  of which classifier", "objections/classifier.py", "classify"),
    ("  of which answers' compliance checks", "compliance/content.py", "check_text"),
    ("agent line check (check_text CALL_TURN + elements)", "calls/turns.py", "check_agent_line"),
    ("promise capture", "calls/promise.py", "find_promise"),
    ("call facts (debtor, accounts, time zone)", "api/calls/schema.py", "_facts"),
    ("first-contact read", "api/calls/schema.py", "_first_contact"),
    ("disclosure requirements", "calls/disclosure.py", "call_requirements"),
    ("tenant packs", "api/compliance/schema.py", "tenant_packs"),
    ("ledger record (in the turn's transaction)", "audit/ledger.py", "record"),
    ("ledger record (group committer)", "audit/group.py", "append"),
    ("turn committer: whole batch transaction (per turn)", "calls/commit.py", "write_turns"),
    ("turn committer: ledger record_many", "audit/ledger.py", "record_many"),
    ("turn committer: call row locks", "calls/store.py", "lock_calls"),
    ("turn committer: event rows insert", "calls/store.py", "insert_events"),
    ("call row lock", "calls/store.py", "lock_call"),
    ("call bind", "calls/store.py", "bind_call"),
    ("event rows", "calls/store.py", "add_events"),
    ("commit", "orm/session.py", "commit"),
    ("publish", "calls/bus.py", "publish"),
    ("event shaping (JSON -> GraphQL type)", "api/calls/schema.py", "event_type"),
    ("authentication", "api/core/context.py", "authenticate"),
    ("GraphQL execution (whole resolver + strawberry)", "graphql/execution/execute.py", "execute"),
]


def stage_table(stats: pstats.Stats, total_turns: int) -> list[tuple[str, float]]:
    raw = stats.stats  # type: ignore[attr-defined]
    out = []
    for label, path, name in STAGES:
        best = 0.0
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in raw.items():
            if func == name and path in filename.replace("\\", "/"):
                best = max(best, ct)
        out.append((label, best * 1000 / total_turns))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='asistente-call-cpu-')}/bench.db"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    settings = Settings(demo=False)
    app = create_app(settings, services=Services(settings=settings, engine=engine, session_factory=factory))
    key = seed_demo(factory)
    with factory() as s:
        debtors = [(d.id, d.language or "es") for d in s.scalars(select(Debtor))]
    stamp = time.time_ns()
    run_no = 0

    async def run() -> dict[str, list[tuple[float, float]]]:
        nonlocal run_no
        run_no += 1
        out: dict[str, list[tuple[float, float]]] = {"AGENT": [], "DEBTOR": []}
        headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
        sem = asyncio.Semaphore(args.concurrency)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:

            async def call(i: int) -> None:
                debtor, language = debtors[i % len(debtors)]
                lines = LINES["en" if language.startswith("en") else "es"]
                call_id = f"cpu-{stamp}-{run_no}-{i}"
                async with sem:
                    for n in range(args.turns):
                        speaker, text = lines[n % len(lines)]
                        body = json.dumps(
                            {"query": PUSH, "variables": {"input": {
                                "callId": call_id, "debtorId": debtor, "speaker": speaker, "text": text}}}
                        )  # fmt: skip
                        c0, w0 = time.process_time(), time.perf_counter()
                        r = await c.post("/graphql", content=body, headers=headers)
                        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                        if r.status_code != 200 or "errors" in r.json():
                            raise SystemExit(f"push failed: {r.text[:500]}")
                        out[speaker].append((cpu * 1000, wall * 1000))

            t0 = time.process_time()
            await asyncio.gather(*(call(i) for i in range(args.calls)))
            out["_total"] = [((time.process_time() - t0) * 1000, 0.0)]
        return out

    load = os.getloadavg()
    print(
        f"load average {load[0]:.2f}; {args.calls} calls x {args.turns} turns, concurrency {args.concurrency}"
    )
    for label in ("cold", "warm"):
        res = asyncio.run(run())
        turns = len(res["AGENT"]) + len(res["DEBTOR"])
        line = [f"{label}:"]
        for speaker in ("AGENT", "DEBTOR"):
            cpu = [c for c, _ in res[speaker]]
            wall = [w for _, w in res[speaker]]
            if args.concurrency == 1:
                line.append(
                    f"{speaker} CPU p50 {statistics.median(cpu):.1f} ms (wall p50 {statistics.median(wall):.1f})"
                )
            else:
                line.append(f"{speaker} wall p50 {statistics.median(wall):.1f} ms")
        line.append(f"process CPU per turn {res['_total'][0][0] / turns:.1f} ms")
        print("  ".join(line))
    if args.profile:
        prof = cProfile.Profile(time.process_time)  # CPU, not wall: waits are not counted
        prof.enable()
        res = asyncio.run(run())
        prof.disable()
        turns = len(res["AGENT"]) + len(res["DEBTOR"])
        total = res["_total"][0][0] / turns
        print(
            f"\nprofiled run: {total:.1f} ms CPU per turn (cProfile overhead included); per turn, by stage:"
        )
        for label, ms in stage_table(pstats.Stats(prof), turns):
            print(f"  {ms:7.2f} ms  {label}")
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        asyncio.run(run())
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
