"""CPU per live-call operation on a distinct debtor, in process: the figure a loaded machine cannot blur.

Usage (after `contact_centre.py --workdir DIR` has imported a portfolio):
    .venv/bin/python benchmarks/live_ops_cpu.py --workdir DIR --db sqlite|postgres [--database-url URL]
        [--requests 300] [--ops card,contactPermission,validateAgreement] [--count-sql]

The real ASGI app (`create_app`, the settings from the environment, rate limits off) is called through
httpx's ASGI transport, one request at a time, each on a debtor not used before; for each request it
records the process CPU time (`time.process_time`: the app, the driver, SQLite itself; PostgreSQL's own work
runs in the server process and is not counted) and the wall time. On a shared machine the wall time moves
with the others' load; the CPU time much less. Prints median / p90 / p99 per operation; on PostgreSQL on this
machine also the database server processes' CPU per request (from /proc). `--count-sql`: statements and
connection checkouts per request with their driver time, the most frequent statements first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from card_load import is_error, percentile
from contact_centre import (
    KEYS,
    LIVE,
    SEED,
    Bodies,
    DebtorStream,
    database_cpu,
    database_cpu_used,
    read_portfolio,
)

for _name in ("ASISTENTE_RATE_LIMIT_KEY", "ASISTENTE_RATE_LIMIT_SESSION", "ASISTENTE_RATE_LIMIT_TENANT"):
    os.environ.setdefault(_name, "0")


class SqlCounter:
    """Statements sent to the database (and connection checkouts) per request, with the time each took
    from the driver's call to its return (round trip plus the server's work)."""

    def __init__(self, engine: Any) -> None:
        self.statements = 0
        self.checkouts = 0
        self.seconds = 0.0
        self.by_text: Counter[str] = Counter()
        self.time_by_text: Counter[str] = Counter()
        self._t0 = 0.0
        self.watch(engine)

    def watch(self, engine: Any) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self._t0 = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            took = time.perf_counter() - self._t0
            self.statements += 1
            self.seconds += took
            head = " ".join(statement.split())[:110]
            self.by_text[head] += 1
            self.time_by_text[head] += took

        @event.listens_for(engine, "checkout")
        def checkout(*args: Any) -> None:
            self.checkouts += 1

    def reset(self) -> None:
        self.statements = self.checkouts = 0
        self.seconds = 0.0
        self.by_text.clear()
        self.time_by_text.clear()


async def measure(
    url: str,
    key: str,
    ops: list[str],
    requests: int,
    profile: str | None = None,
    count_sql: bool = False,
    cprofile: str | None = None,
) -> None:
    from asistente.app import create_app
    from asistente.settings import Settings

    os.environ["DATABASE_URL"] = url
    app = create_app(Settings())
    counter = None
    if count_sql:
        services = _services_of(app)
        counter = SqlCounter(services.engine)
        if getattr(services, "read_engine", None) is not None:
            counter.watch(services.read_engine)
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
            cprof = None
            if cprofile:
                import cProfile

                cprof = cProfile.Profile(time.process_time)  # CPU clock: waits on the database not counted
                cprof.enable()
            cpu: list[float] = []
            wall: list[float] = []
            errors = 0
            if counter is not None:
                counter.reset()
            db0 = database_cpu(url)
            for d in stream.take(requests, portfolio.skip_for(op)):
                body = maker.body(op, d)
                c0, w0 = time.process_time(), time.perf_counter()
                resp = await client.post("/graphql", content=body, headers=headers)
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
                errors += is_error(resp.status_code, resp.content) is not None
            db = database_cpu_used(db0, database_cpu(url))
            if prof is not None:
                prof.stop()
                Path(f"{profile}.{op}.txt").write_text(prof.output_text(show_all=False))
            if cprof is not None:
                cprof.disable()
                write_cprofile(cprof, f"{cprofile}.{op}")
            cpu.sort()
            wall.sort()
            print(
                f"{op:<20} {requests} distinct debtors  CPU median {statistics.median(cpu):6.2f} ms  "
                f"p90 {percentile(cpu, 90):6.2f}  p99 {percentile(cpu, 99):6.2f}   wall median "
                f"{statistics.median(wall):6.2f} ms  p99 {percentile(wall, 99):7.2f}  errors {errors}"
                + (f"  database CPU {1000 * db / requests:5.2f} ms per request" if db0 else ""),
                flush=True,
            )
            if counter is not None:
                print(
                    f"    SQL: {counter.statements / requests:.2f} statements and {counter.checkouts / requests:.2f} "
                    f"connection checkouts per request, {1000 * counter.seconds / requests:.2f} ms in the driver "
                    "(pings, BEGIN/ROLLBACK and cursor-level reads not shown)",
                    flush=True,
                )
                for head, n in counter.by_text.most_common(12):
                    print(
                        f"      {n / requests:5.2f}x {1000 * counter.time_by_text[head] / n:6.3f} ms  {head}",
                        flush=True,
                    )


def write_cprofile(prof: Any, prefix: str) -> None:
    """PREFIX.prof (pstats) and PREFIX.txt: the 60 heaviest functions by cumulative and by own CPU time."""
    import io
    import pstats

    prof.dump_stats(f"{prefix}.prof")
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(60)
    Path(f"{prefix}.txt").write_text(out.getvalue())


def _services_of(app: Any) -> Any:
    """The services behind the app (create_app keeps them on the GraphQL view)."""
    seen: set[int] = set()
    todo = [app]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        services = getattr(obj, "services", None)
        if services is not None and hasattr(services, "engine"):
            return services
        for attr in ("app", "middleware_stack", "routes", "endpoint"):
            sub = getattr(obj, attr, None)
            if isinstance(sub, list):
                todo.extend(sub)
            elif sub is not None:
                todo.append(sub)
    raise SystemExit("no engine found behind the app")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--debtors", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--ops", default="card,contactPermission,checkCompliance,validateAgreement")
    parser.add_argument("--profile", help="pyinstrument each operation's requests into PREFIX.<op>.txt")
    parser.add_argument(
        "--cprofile", help="cProfile (CPU clock) each operation's requests into PREFIX.<op>.prof and .txt"
    )
    parser.add_argument(
        "--count-sql", action="store_true", help="statements, checkouts and driver time per request"
    )
    args = parser.parse_args()
    workdir = Path(args.workdir)
    keys = json.loads((workdir / f"keys-{args.db}-{args.debtors}.json").read_text())
    KEYS["integrator"] = keys["integrator"]
    url = args.database_url if args.db == "postgres" else f"sqlite:///{workdir / 'centro.db'}"
    ops = [op for op in args.ops.split(",") if op in LIVE]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.db}", flush=True)
    asyncio.run(measure(url, keys["agent"], ops, args.requests, args.profile, args.count_sql, args.cprofile))
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
