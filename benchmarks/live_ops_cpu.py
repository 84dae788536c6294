"""CPU per live-call operation on a distinct debtor, in process: the figure a loaded machine cannot blur.

Usage (after `contact_centre.py --workdir DIR` has imported a portfolio):
    .venv/bin/python benchmarks/live_ops_cpu.py --workdir DIR --db sqlite|postgres [--database-url URL]
        [--requests 300] [--ops card,contactPermission,validateAgreement]

The real ASGI app (`create_app`, the settings from the environment, rate limits off) is called through
httpx's ASGI transport, one request at a time, each on a debtor not used before; for each request it
records the process CPU time (`time.process_time`: the app, the driver, SQLite itself; PostgreSQL's own work
runs in the server process and is not counted) and the wall time. On a shared machine the wall time moves
with the others' load; the CPU time much less. Prints median / p90 / p99 per operation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from card_load import is_error, percentile
from contact_centre import KEYS, LIVE, SEED, Bodies, DebtorStream, read_portfolio

for _name in ("ASISTENTE_RATE_LIMIT_KEY", "ASISTENTE_RATE_LIMIT_SESSION", "ASISTENTE_RATE_LIMIT_TENANT"):
    os.environ.setdefault(_name, "0")


async def measure(url: str, key: str, ops: list[str], requests: int, profile: str | None = None) -> None:
    from asistente.app import create_app
    from asistente.settings import Settings

    os.environ["DATABASE_URL"] = url
    app = create_app(Settings())
    portfolio = read_portfolio(url)
    stream = DebtorStream(portfolio.debtors, SEED + 7)
    maker = Bodies(portfolio, SEED + 7)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for d in stream.take(5):  # warm-up: imports, packs, caches of the process (not of the debtors)
            for op in ops:
                await client.post("/graphql", content=maker.body(op, d), headers=headers)
        for op in ops:
            prof = None
            if profile:
                from pyinstrument import Profiler

                prof = Profiler(interval=0.0005, async_mode="disabled")
                prof.start()
            cpu: list[float] = []
            wall: list[float] = []
            errors = 0
            for d in stream.take(requests):
                body = maker.body(op, d)
                c0, w0 = time.process_time(), time.perf_counter()
                resp = await client.post("/graphql", content=body, headers=headers)
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
                errors += is_error(resp.status_code, resp.content) is not None
            if prof is not None:
                prof.stop()
                Path(f"{profile}.{op}.txt").write_text(prof.output_text(show_all=False))
            cpu.sort()
            wall.sort()
            print(
                f"{op:<20} {requests} distinct debtors  CPU median {statistics.median(cpu):6.2f} ms  "
                f"p90 {percentile(cpu, 90):6.2f}  p99 {percentile(cpu, 99):6.2f}   wall median "
                f"{statistics.median(wall):6.2f} ms  p99 {percentile(wall, 99):7.2f}  errors {errors}",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--debtors", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--ops", default="card,contactPermission,checkCompliance,validateAgreement")
    parser.add_argument("--profile", help="pyinstrument each operation's requests into PREFIX.<op>.txt")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    keys = json.loads((workdir / f"keys-{args.db}-{args.debtors}.json").read_text())
    KEYS["integrator"] = keys["integrator"]
    url = args.database_url if args.db == "postgres" else f"sqlite:///{workdir / 'centro.db'}"
    ops = [op for op in args.ops.split(",") if op in LIVE]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.db}", flush=True)
    asyncio.run(measure(url, keys["agent"], ops, args.requests, args.profile))
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
