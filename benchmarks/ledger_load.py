"""The ledger keeps up: recorded checks on ONE tenant, PostgreSQL, several uvicorn workers (issue 13, item 5).

Usage:
    createdb -h 127.0.0.1 -U postgres hardening_bench      # a scratch database of your own
    .venv/bin/python benchmarks/ledger_load.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/hardening_bench]
        [--workers 2] [--clients 50] [--seconds 15] [--check-requests 2000] [--batch-ms 2]

Steps (all against one tenant, so every record queues on the same chain head):
1. `asistente migrate`, an AGENT key from `asistente keys create`, then `asistente serve --workers W` with
   rate limits off and ASISTENTE_AUDIT_BATCH_MS as given.
2. floor: wrk (if installed, else httpx) posts `{ me { tenant } }` (authenticated, not recorded) for
   `--seconds` with `--clients` connections: what this machine serves through the same stack.
3. recorded: the same clients post `checkCompliance` (one recorded COMPLIANCE_CHECK each). Reported:
   recorded events/s from the ledger itself (rows added / seconds), wrk's requests/s, p50 and p99.
4. nothing lost: httpx clients send `--check-requests` checks, collect every auditId, then every id must
   be in the ledger, the ledger must have grown by exactly that many, and `asistente audit verify` passes.
5. the ledger alone (`--ledger-only`: this step only): W processes, each with a GroupCommitter and `--clients` concurrent appenders, for
   `--seconds` (no HTTP, no GraphQL): the ledger's own capacity, events/s and p99 append latency.

State the machine's load (`uptime`) next to the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hardening_bench"
FLOOR = '{"query":"{ me { tenant } }"}'
CHECK = (
    '{"query":"query($t: String!) { checkCompliance(input: {text: $t, channel: CALL, jurisdiction: \\"MX\\"}) '
    '{ compliant auditId } }","variables":{"t":"Hola, le llamo de Cobranzas Acme para hablar de su cuenta."}}'
)


def cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "asistente.cli", *args], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ledger_count(url: str, tenant_slug: str) -> int:
    from asistente.audit.models import AuditEvent
    from asistente.db import make_engine
    from asistente.tenants.models import Tenant

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .join(Tenant, Tenant.id == AuditEvent.tenant_id)
                    .where(Tenant.slug == tenant_slug)
                )
            )
    finally:
        engine.dispose()


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server's processes (the parent and its uvicorn workers): divided by the
    requests served, a figure that does not depend on how busy the shared machine is."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def worker_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of each uvicorn worker (the server's child processes)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for p in children.read_text().split() if children.exists() else []:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(p)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def connection_split(port: int) -> dict[int, int]:
    """Established client connections to `port` per owning process (`ss -tnp`): how the clients' keep-alive
    connections spread over the workers."""
    out = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
    ).stdout
    split: dict[int, int] = {}
    for m in re.finditer(r"pid=(\d+)", out):
        split[int(m.group(1))] = split.get(int(m.group(1)), 0) + 1
    return split


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def wrk(base: str, key: str, body: str, clients: int, seconds: int, workdir: Path) -> dict[str, float]:
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [==[{body}]==]\n"
        'wrk.headers["content-type"] = "application/json"\n'
        f'wrk.headers["authorization"] = "Bearer {key}"\n'
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", str(script), f"{base}/graphql"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


async def httpx_load(base: str, key: str, body: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def one() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=10) as c:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                r = await c.post(
                    "/graphql",
                    content=body,
                    headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += r.status_code != 200 or b'"errors"' in r.content

    t0 = time.monotonic()
    await asyncio.gather(*[one() for _ in range(clients)])
    elapsed = time.monotonic() - t0
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "errors": errors,
    }


async def nothing_lost(base: str, key: str, clients: int, total: int) -> tuple[list[str], list[float]]:
    ids: list[str] = []
    latencies: list[float] = []
    queue = list(range(total))

    async def one() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            while queue:
                queue.pop()
                t0 = time.perf_counter()
                r = await c.post(
                    "/graphql",
                    content=CHECK,
                    headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                body = r.json()
                assert r.status_code == 200 and not body.get("errors"), r.text[:300]
                ids.append(body["data"]["checkCompliance"]["auditId"])

    await asyncio.gather(*[one() for _ in range(clients)])
    return ids, latencies


def ids_present(url: str, ids: list[str]) -> int:
    from asistente.audit.models import AuditEvent
    from asistente.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = 0
            for i in range(0, len(ids), 500):
                found += int(conn.scalar(select(func.count()).where(AuditEvent.id.in_(ids[i : i + 500]))))
            return found
    finally:
        engine.dispose()


def _ledger_worker(
    url: str, tenant_id: str, clients: int, seconds: float, batch_ms: float, q: multiprocessing.Queue
) -> None:
    from datetime import UTC, datetime

    from asistente.audit.group import GroupCommitter
    from asistente.db import make_engine, make_session_factory

    engine = make_engine(url)
    writer = GroupCommitter(make_session_factory(engine), delay=batch_ms / 1000)
    latencies: list[float] = []

    async def appender() -> None:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            await writer.append(
                tenant_id=tenant_id,
                kind="COMPLIANCE_CHECK",
                actor_id="bench",
                actor_role="AGENT",
                input={"text": "Hola, le llamo de Cobranzas Acme."},
                output={"compliant": True, "violations": []},
                versions={"rulePacks": {"MX": "bench"}},
                now=datetime.now(UTC),
            )
            latencies.append((time.perf_counter() - t0) * 1000)

    async def run() -> None:
        await asyncio.gather(*[appender() for _ in range(clients)])

    asyncio.run(run())
    engine.dispose()
    q.put((len(latencies), latencies, writer.batches))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--check-requests", type=int, default=2000)
    parser.add_argument("--batch-ms", type=float, default=2.0)
    parser.add_argument("--ledger-only", action="store_true", help="only step 5: the ledger alone, no server")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="load benchmarks/ledger_probe.py into the workers and print where the recorded checks' time went",
    )
    parser.add_argument("--no-ledger-alone", action="store_true", help="skip step 5")
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    workdir = Path(tempfile.mkdtemp(prefix="ledger-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.url,
        "ASISTENTE_RATE_LIMIT_KEY": "0",
        "ASISTENTE_RATE_LIMIT_SESSION": "0",
        "ASISTENTE_RATE_LIMIT_TENANT": "0",
        "ASISTENTE_RATE_LIMIT_AUTH_FAILURES": "0",
        "ASISTENTE_LOG_LEVEL": "WARNING",
        "ASISTENTE_AUDIT_BATCH_MS": str(args.batch_ms),
    }
    cli(env, "migrate")
    tenant = f"bench-{int(time.time())}"
    key = cli(
        env, "keys", "create", "--tenant", tenant, "--role", "AGENT", "--agent-id", "bench-agent"
    ).split()[-1]
    ok = True
    if not args.ledger_only:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (workdir / "server.log").open("wb")
        server_env = env
        if args.probe:
            site = workdir / "site"
            site.mkdir()
            (site / "sitecustomize.py").write_text(
                f"import sys\nsys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
                f"import ledger_probe\nledger_probe.install({str(workdir)!r})\n"
            )
            server_env = {**env, "PYTHONPATH": f"{site}{os.pathsep}{env.get('PYTHONPATH', '')}"}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "asistente.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    print((workdir / "server.log").read_text()[-3000:])
                    return 1
                time.sleep(0.5)
            time.sleep(3)  # every worker up
            use_wrk = shutil.which("wrk") is not None

            def load(body: str, seconds: int) -> dict[str, float]:
                if use_wrk:
                    return wrk(base, key, body, args.clients, seconds, workdir)
                return asyncio.run(httpx_load(base, key, body, args.clients, seconds))

            load(CHECK, 3)  # warm-up (rule packs, lexicons, connections)
            cpu0 = server_cpu(server.pid)
            floor = load(FLOOR, args.seconds)
            cpu1 = server_cpu(server.pid)
            before = ledger_count(args.url, tenant)
            workers0 = worker_cpu(server.pid)
            t0, window0 = time.monotonic(), time.perf_counter()
            split: dict[int, int] = {}
            sampler = threading.Timer(
                min(2.0, args.seconds / 2), lambda: split.update(connection_split(port))
            )
            sampler.start()
            rec = load(CHECK, args.seconds)
            elapsed, window1 = time.monotonic() - t0, time.perf_counter()
            cpu2 = server_cpu(server.pid)
            workers1 = worker_cpu(server.pid)
            time.sleep(1)
            added = ledger_count(args.url, tenant) - before
            client = "wrk" if use_wrk else "httpx"
            print(
                f"workers={args.workers} clients={args.clients} seconds={args.seconds} batch_ms={args.batch_ms} client={client}"
            )
            print(
                f"floor  {{ me }}         : {floor['rps']:8.1f} req/s  p50 {floor['p50']:7.1f} ms  p99 {floor['p99']:7.1f} ms  errors {floor['errors']:.0f}"
            )
            print(
                f"checkCompliance         : {rec['rps']:8.1f} req/s  p50 {rec['p50']:7.1f} ms  p99 {rec['p99']:7.1f} ms  errors {rec['errors']:.0f}"
            )
            print(
                f"recorded events (ledger): {added / elapsed:8.1f} events/s ({added} rows in {elapsed:.1f} s)"
            )
            print(
                "connections per worker  : "
                + ", ".join(f"pid {pid}: {n}" for pid, n in sorted(split.items()))
                + "; CPU s per worker: "
                + ", ".join(
                    f"pid {pid}: {workers1.get(pid, 0) - c:.2f}" for pid, c in sorted(workers0.items())
                )
            )
            print(
                f"server CPU per request  : floor {1000 * (cpu1 - cpu0) / max(1, floor['rps'] * args.seconds):.2f} ms, "
                f"recorded check {1000 * (cpu2 - cpu1) / max(1, added):.2f} ms (all workers, user+system)"
            )

            # wrk stops with requests in flight: let their records land before counting again.
            before, settled = ledger_count(args.url, tenant), time.monotonic() + 60
            while time.monotonic() < settled:
                time.sleep(2)
                now_count = ledger_count(args.url, tenant)
                if now_count == before:
                    break
                before = now_count
            ids, lat = asyncio.run(nothing_lost(base, key, args.clients, args.check_requests))
            added = ledger_count(args.url, tenant) - before
            present = ids_present(args.url, ids)
            verify = subprocess.run(
                [sys.executable, "-m", "asistente.cli", "audit", "verify", "--tenant", tenant],
                env=env,
                capture_output=True,
                text=True,
            )
            print(
                f"nothing lost: {len(ids)} answers, {len(set(ids))} distinct auditIds, {present} in the ledger, "
                f"ledger +{added}; httpx p50 {percentile(lat, 0.5):.1f} ms p99 {percentile(lat, 0.99):.1f} ms; "
                f"audit verify exit {verify.returncode}: {verify.stdout.strip()[-200:]}"
            )
            ok = len(set(ids)) == present == added == args.check_requests and verify.returncode == 0
        finally:
            server.terminate()
            server.wait(timeout=30)
        if args.probe:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            import ledger_probe

            print("probe (wrk checkCompliance window, server side):")
            print(ledger_probe.summarise(workdir, window0, window1))
    if args.no_ledger_alone:
        return 0 if ok else 1

    # The ledger alone, W processes.
    from asistente.db import make_engine
    from asistente.tenants.models import Tenant

    engine = make_engine(args.url)
    with engine.connect() as conn:
        tenant_id = conn.scalar(select(Tenant.id).where(Tenant.slug == tenant))
    engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    q: multiprocessing.Queue = ctx.Queue()
    procs = [
        ctx.Process(
            target=_ledger_worker, args=(args.url, tenant_id, args.clients, args.seconds, args.batch_ms, q)
        )
        for _ in range(args.workers)
    ]
    before = ledger_count(args.url, tenant)
    for p in procs:
        p.start()
    results = [q.get(timeout=args.seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    total = sum(r[0] for r in results)
    batches = sum(r[2] for r in results)
    lat = [x for r in results for x in r[1]]
    added = ledger_count(args.url, tenant) - before
    print(
        f"ledger alone ({args.workers} processes x {args.clients} appenders): {total / args.seconds:8.1f} events/s, "
        f"{total / max(batches, 1):.1f} events per transaction, p50 {statistics.median(lat):.1f} ms "
        f"p99 {percentile(lat, 0.99):.1f} ms, ledger +{added} (appended {total})"
    )
    verify = subprocess.run(
        [sys.executable, "-m", "asistente.cli", "audit", "verify", "--tenant", tenant],
        env=env,
        capture_output=True,
        text=True,
    )
    print(f"audit verify exit {verify.returncode}: {verify.stdout.strip()[-200:]}")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 0 if ok and added == total and verify.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
