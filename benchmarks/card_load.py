"""Debtor-card load: the full card over GraphQL against a plain Starlette floor, 50 concurrent clients.

Usage:
    .venv/bin/python benchmarks/card_load.py [--seconds 20] [--clients 50] [--workers 1[,2]]
                                             [--client auto|httpx|wrk|both] [--profile FILE] [--uncached]

For each worker count it starts two servers as subprocesses on 127.0.0.1, one at a time:
1. `asistente serve --demo --port P --workers W` on a fresh temporary SQLite database (the demo portfolio,
   60+ debtors); the agent key is read from its stdout. The debtor ids come from `debtors(first: 60)`.
2. the floor: a plain Starlette app (below) under uvicorn with the same worker count and log level, whose
   POST /graphql returns the exact bytes of one real card response.

The same clients then post the full card query (tests/api/data.py FULL_CARD) round-robin over the ids for
`--seconds` against each, after a short warm-up. Clients:
- httpx: asyncio, one task per client, each with its own keep-alive connection (an AsyncClient with a pool
  of one; `--httpx-pool shared` uses one AsyncClient with a pool of `--clients` connections instead, which
  httpx itself cannot drive faster than ~150 req/s at 50 tasks, encode/httpx#3215). The Python client
  needs ~1 ms of CPU per request, so it saturates near 1,000 req/s on this machine: fine for the GraphQL
  server, a ceiling for the floor;
- wrk (if installed): the C load generator, 1 thread, `--clients` connections, a Lua script for the same
  round-robin bodies and for counting GraphQL errors.
`auto` runs both when wrk is on PATH, else httpx only. Client, server and floor share the machine's cores.

An error is any non-200 status, any transport error or timeout, or a body with a top-level "errors".
Every load loop is bounded: by `--seconds` and by `--max-requests` per run, each request by a 10 s timeout.

The GraphQL server answers the card from its cached card path (api/portfolio/cards.py: a snapshot per
debtor and card revision, checked on every request); the warm-up builds the 60 snapshots. `--uncached` also
runs a third server with that path off (ASISTENTE_CARD_CACHE_SIZE=0): every card executed field by field.

`--profile FILE` samples the GraphQL server with py-spy (if installed) during its first run and prints the
functions with the most samples (own and inclusive); the raw collapsed stacks are written to FILE.

Results and targets: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

# A load test drives one key far past the default rate limits (1,200/min per key): the servers this script
# starts inherit these, so the figures measure the operation, not 429s. Set them yourself to measure limits.
for _name in ("ASISTENTE_RATE_LIMIT_KEY", "ASISTENTE_RATE_LIMIT_SESSION", "ASISTENTE_RATE_LIMIT_TENANT"):
    os.environ.setdefault(_name, "0")

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
IDS_QUERY = "{ debtors(first: 60) { edges { node { id } } } }"


def full_card_query() -> str:
    sys.path.insert(0, str(ROOT))
    from tests.api.data import FULL_CARD

    return FULL_CARD


# ------------------------------------------------------------------ the floor server


def floor_app() -> Any:
    """uvicorn factory: POST /graphql returns the recorded card body (path in CARD_LOAD_PAYLOAD)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    body = Path(os.environ["CARD_LOAD_PAYLOAD"]).read_bytes()

    async def card(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(routes=[Route("/graphql", card, methods=["POST"]), Route("/healthz", healthz)])


def serve_floor(port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "card_load:floor_app",
        app_dir=str(Path(__file__).parent),
        factory=True,
        host=HOST,
        port=port,
        workers=workers,
        log_level="info",
    )


# ------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float | None = None) -> None:
    """Wait for /healthz (ASISTENTE_BENCH_START_SECONDS, default 180: two workers start slowly on a loaded
    machine); a server that never gets there is stopped, not left behind."""
    if timeout is None:
        timeout = float(os.environ.get("ASISTENTE_BENCH_START_SECONDS", "180"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"server not healthy after {timeout} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def start_graphql(
    workdir: Path, workers: int, cache: bool = True, database_url: str | None = None
) -> tuple[subprocess.Popen[bytes], str, str, Path]:
    """`asistente serve --demo` on a new SQLite file in `workdir`, or on `database_url` (an empty database)."""
    port = free_port()
    tag = f"{workers}{'' if cache else '-nocache'}"
    log = workdir / f"graphql-{tag}.log"
    env = {**os.environ, "DATABASE_URL": database_url or f"sqlite:///{workdir / f'card-{tag}.db'}"}
    if not cache:
        env["ASISTENTE_CARD_CACHE_SIZE"] = "0"
    exe = Path(sys.executable).with_name("asistente")
    cmd = [str(exe), "serve", "--demo", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    wait_healthy(base, proc, log)
    match = re.search(r"Authorization: Bearer (ask_\S+)", log.read_text())
    if not match:
        stop(proc)
        raise SystemExit(f"no agent key in the server output:\n{log.read_text()[-3000:]}")
    return proc, base, match.group(1), log


def start_floor(workdir: Path, workers: int, payload: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = workdir / f"floor-{workers}.log"
    env = {**os.environ, "CARD_LOAD_PAYLOAD": str(payload)}
    cmd = [sys.executable, __file__, "--serve-floor", str(port), "--workers", str(workers)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    wait_healthy(base, proc, log)
    return proc, base


# ------------------------------------------------------------------ load generators


@dataclass
class Run:
    label: str
    client: str
    requests: int
    errors: int
    seconds: float
    p50: float  # milliseconds
    p90: float
    p99: float
    error_kinds: Counter[str]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def is_error(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if b'"errors":' in body[:64] or body.startswith(b'{"errors"') or b',"errors":' in body[-4096:]:
        return "GraphQL errors"
    return None


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


async def _httpx_load(
    url: str,
    headers: dict[str, str],
    bodies: list[bytes],
    clients: int,
    seconds: float,
    max_requests: int,
    shared_pool: bool = False,
) -> tuple[list[float], Counter[str], float]:
    """`clients` tasks, each posting in a loop over its own keep-alive connection.

    By default each task has its own AsyncClient (a pool of one connection): one AsyncClient whose pool
    is shared by 50 tasks collapses on its own (encode/httpx#3215: here ~1,000 req/s at 10 tasks, ~150
    at 50, against a trivial endpoint), which would measure httpx rather than the server.
    """
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    counter = 0
    n_pools = 1 if shared_pool else clients
    per_pool = clients if shared_pool else 1
    limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
    pools = [httpx.AsyncClient(limits=limits, timeout=10.0, headers=headers) for _ in range(n_pools)]
    started = time.perf_counter()
    deadline = started + seconds

    async def worker(offset: int, client: httpx.AsyncClient) -> None:
        nonlocal counter
        i = offset
        while time.perf_counter() < deadline and counter < max_requests:
            counter += 1
            body = bodies[i % len(bodies)]
            i += 1
            t0 = time.perf_counter()
            try:
                resp = await client.post(url, content=body)
                kind = is_error(resp.status_code, resp.content)
            except httpx.HTTPError as exc:
                kind = type(exc).__name__
            latencies.append(time.perf_counter() - t0)
            if kind:
                errors[kind] += 1

    try:
        await asyncio.gather(*(worker(n, pools[n % n_pools]) for n in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        for pool in pools:
            await pool.aclose()
    return latencies, errors, elapsed


def httpx_run(
    label: str, url: str, headers: dict[str, str], bodies: list[bytes], args: argparse.Namespace
) -> Run:
    shared = args.httpx_pool == "shared"
    asyncio.run(_httpx_load(url, headers, bodies, args.clients, 2.0, 2_000, shared))  # warm-up
    lat, errors, elapsed = asyncio.run(
        _httpx_load(url, headers, bodies, args.clients, args.seconds, args.max_requests, shared)
    )
    lat_ms = sorted(x * 1000 for x in lat)
    return Run(
        label,
        "httpx",
        len(lat),
        sum(errors.values()),
        elapsed,
        percentile(lat_ms, 50),
        percentile(lat_ms, 90),
        percentile(lat_ms, 99),
        errors,
    )


WRK_LUA = r"""
local bodies = {}
local headers = {}
local threads = {}
local n = 0
gql_errors = 0

function setup(thread) table.insert(threads, thread) end

function init(args)
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = args[1]
  local f = io.open(args[2], "r")
  for line in f:lines() do table.insert(bodies, line) end
  f:close()
end

function request()
  n = n + 1
  return wrk.format("POST", "/graphql", headers, bodies[(n % #bodies) + 1])
end

function response(status, hdrs, body)
  if status == 200 and (string.sub(body, 1, 10) == '{"errors":' or string.find(body, ',"errors":', 1, true)) then
    gql_errors = gql_errors + 1
  end
end

function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("gql_errors") end
  local s = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,"status":%d,"connect":%d,' ..
    '"read":%d,"write":%d,"timeout":%d,"gql":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), s.status, s.connect, s.read, s.write, s.timeout, e))
end
"""


def wrk_run(
    label: str,
    base: str,
    auth: str,
    bodies: list[bytes],
    workdir: Path,
    args: argparse.Namespace,
    after_warmup: Callable[[], None] | None = None,
    measured: Any = None,
) -> Run:
    """wrk: 2 s of warm-up, then `args.seconds` measured; `after_warmup` is called between the two (e.g. to
    read the server's CPU counters); `measured`, if given, is called (no arguments) right before and right
    after the measured run (not the warm-up): e.g. to read the server's CPU time."""
    script = workdir / "card.lua"
    script.write_text(WRK_LUA)
    bodies_file = workdir / "bodies.txt"
    bodies_file.write_bytes(b"\n".join(bodies) + b"\n")

    def wrk(seconds: float) -> dict[str, Any]:
        cmd = ["wrk", "-t1", f"-c{args.clients}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script)]
        cmd += [f"{base}/graphql", "--", auth, str(bodies_file)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
        match = re.search(r"WRKJSON (\{.*\})", out)
        if not match:
            raise SystemExit(f"wrk gave no summary:\n{out}")
        return json.loads(match.group(1))

    wrk(2)  # warm-up
    if after_warmup is not None:
        after_warmup()
    if measured is not None:
        measured()
    r = wrk(args.seconds)
    if measured is not None:
        measured()
    kinds = Counter({k: r[k] for k in ("status", "connect", "read", "write", "timeout", "gql") if r[k]})
    if r["requests"] == 0:  # nothing came back: every connection is stuck
        kinds["no response"] = args.clients
        r["p50"] = r["p90"] = r["p99"] = float("nan")
    return Run(
        label,
        "wrk",
        r["requests"],
        sum(kinds.values()),
        r["duration_us"] / 1e6,
        r["p50"] / 1000,
        r["p90"] / 1000,
        r["p99"] / 1000,
        kinds,
    )


# ------------------------------------------------------------------ profiling


def start_profiler(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy not installed: no profile", file=sys.stderr)
        return None
    cmd = [spy, "record", "--pid", str(pid), "--subprocesses", "--format", "raw", "--rate", "200"]
    cmd += ["--duration", str(int(seconds)), "--output", str(out), "--nonblocking"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarize_profile(path: Path, top: int = 30) -> None:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = [
            re.sub(r" \(/.*?(site-packages/|src/|lib/python3\.\d+/)", " (", f) for f in stack.split(";")
        ]
        frames = [f for f in frames if not f.startswith("process ")]
        total += n
        if frames:
            own[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
    print(f"\nprofile: {total} samples ({path})")
    print("own time:")
    for f, n in own.most_common(top):
        print(f"  {100 * n / total:5.1f}%  {f}")
    print("inclusive time:")
    for f, n in inclusive.most_common(top + 20):
        print(f"  {100 * n / total:5.1f}%  {f}")


# ------------------------------------------------------------------ main


def print_run(r: Run) -> None:
    extra = f"  ({', '.join(f'{k} {v}' for k, v in r.error_kinds.items())})" if r.errors else ""
    print(
        f"{r.label:<22} {r.client:<6} {r.requests:>8,} req in {r.seconds:5.1f} s  {r.rps:8,.0f} req/s"
        f"  p50 {r.p50:6.1f} ms  p90 {r.p90:6.1f} ms  p99 {r.p99:6.1f} ms  errors {r.errors}{extra}",
        flush=True,
    )


def bench(workers: int, workdir: Path, clients: list[str], args: argparse.Namespace) -> list[Run]:
    proc, base, key, _ = start_graphql(workdir, workers)
    runs: list[Run] = []
    floor = None
    try:
        auth = f"Bearer {key}"
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        resp = httpx.post(f"{base}/graphql", json={"query": IDS_QUERY}, headers=headers, timeout=30)
        ids = [e["node"]["id"] for e in resp.json()["data"]["debtors"]["edges"]]
        if not ids:
            raise SystemExit(f"no debtors: {resp.text[:500]}")
        query = full_card_query()
        bodies = [json.dumps({"query": query, "variables": {"id": i}}).encode() for i in ids]
        card = httpx.post(f"{base}/graphql", content=bodies[0], headers=headers, timeout=30)
        if is_error(card.status_code, card.content):
            raise SystemExit(f"the card query fails: {card.status_code} {card.text[:1000]}")
        sizes = [
            len(httpx.post(f"{base}/graphql", content=b, headers=headers, timeout=30).content) for b in bodies
        ]
        payload = workdir / "card.json"
        payload.write_bytes(card.content)
        print(
            f"\nworkers={workers}: {len(ids)} debtors; card responses {min(sizes):,}-{max(sizes):,} bytes "
            f"(median {statistics.median(sizes):,.0f}); the floor serves the first one ({len(card.content):,} bytes)",
            flush=True,
        )
        url = f"{base}/graphql"
        for client in clients:
            prof = None
            if args.profile and client == clients[0] and workers == args.workers[0]:
                prof = start_profiler(proc.pid, Path(args.profile), args.seconds + 2)
            if client == "httpx":
                runs.append(httpx_run(f"graphql card w={workers}", url, headers, bodies, args))
            else:
                runs.append(wrk_run(f"graphql card w={workers}", base, auth, bodies, workdir, args))
            print_run(runs[-1])
            if prof is not None:
                prof.wait(timeout=args.seconds + 120)
        stop(proc)

        if args.uncached:  # the same card executed field by field (cached card path off): for reference
            proc, base, key, _ = start_graphql(workdir, workers, cache=False)
            auth = f"Bearer {key}"
            headers = {"Authorization": auth, "Content-Type": "application/json"}
            resp = httpx.post(f"{base}/graphql", json={"query": IDS_QUERY}, headers=headers, timeout=30)
            ids = [e["node"]["id"] for e in resp.json()["data"]["debtors"]["edges"]]
            plain = [json.dumps({"query": query, "variables": {"id": i}}).encode() for i in ids]
            for client in clients:
                label = f"graphql uncached w={workers}"
                if client == "httpx":
                    runs.append(httpx_run(label, f"{base}/graphql", headers, plain, args))
                else:
                    runs.append(wrk_run(label, base, auth, plain, workdir, args))
                print_run(runs[-1])
            stop(proc)

        floor, fbase = start_floor(workdir, workers, payload)
        for client in clients:
            fheaders = {"Authorization": auth, "Content-Type": "application/json"}
            if client == "httpx":
                runs.append(
                    httpx_run(f"starlette floor w={workers}", f"{fbase}/graphql", fheaders, bodies, args)
                )
            else:
                runs.append(wrk_run(f"starlette floor w={workers}", fbase, auth, bodies, workdir, args))
            print_run(runs[-1])
    finally:
        stop(proc)
        if floor is not None:
            stop(floor)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", default="1", help="comma-separated uvicorn worker counts, e.g. 1,2")
    parser.add_argument("--client", choices=["auto", "httpx", "wrk", "both"], default="auto")
    parser.add_argument(
        "--httpx-pool",
        choices=["per-client", "shared"],
        default="per-client",
        help="one AsyncClient per client task (default) or one shared pool of --clients connections",
    )
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="cap per run")
    parser.add_argument("--profile", metavar="FILE", help="py-spy the GraphQL server (first run)")
    parser.add_argument(
        "--uncached", action="store_true", help="also run the card with the cached card path off"
    )
    parser.add_argument("--serve-floor", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workers = [int(w) for w in str(args.workers).split(",")]
    if args.serve_floor:
        serve_floor(args.serve_floor, args.workers[0])
        return 0

    have_wrk = shutil.which("wrk") is not None
    if args.client in ("auto", "both"):
        clients = ["httpx", "wrk"] if have_wrk else ["httpx"]
    elif args.client == "wrk" and not have_wrk:
        print("wrk not found: falling back to the httpx client", file=sys.stderr)
        clients = ["httpx"]
    else:
        clients = [args.client]

    print(
        f"{os.cpu_count()} CPU(s); {args.clients} clients, {args.seconds:g} s per run; clients: {', '.join(clients)}"
    )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="asistente-card-") as tmp:
        for workers in args.workers:
            runs += bench(workers, Path(tmp), clients, args)
    if args.profile and Path(args.profile).exists():
        summarize_profile(Path(args.profile))

    print("\nsummary (target: GraphQL >= 20% of the floor's req/s, p99 < 50 ms)")
    ok = True
    for workers in args.workers:
        for client in clients:
            gql = next(r for r in runs if r.client == client and r.label == f"graphql card w={workers}")
            flo = next(r for r in runs if r.client == client and r.label == f"starlette floor w={workers}")
            ratio = gql.rps / flo.rps if flo.rps else 0.0
            met = ratio >= 0.20 and gql.p99 < 50 and gql.errors == 0
            ok = ok and met
            print(
                f"  workers={workers} client={client:<6} graphql {gql.rps:7,.0f} req/s (p99 {gql.p99:.1f} ms, "
                f"errors {gql.errors}) / floor {flo.rps:7,.0f} req/s = {100 * ratio:.1f}%  "
                f"{'MET' if met else 'NOT MET'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
