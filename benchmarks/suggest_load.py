"""suggestResponses load: live objection answers over GraphQL against a plain Starlette floor, 50 clients.

Usage:
    .venv/bin/python benchmarks/suggest_load.py [--seconds 20] [--clients 50] [--workers 2]
                                                [--client auto|httpx|wrk|both] [--profile FILE]

Reuses the machinery of benchmarks/card_load.py: for each worker count it starts `asistente serve --demo`
on a fresh temporary SQLite database (the demo portfolio: 66 debtors in MX, CO, CL, PE, ES, AR and the US),
then the plain Starlette floor with the same worker count, whose POST /graphql returns the exact bytes of
one real suggestResponses answer. The same clients post suggestResponses round-robin over every demo debtor
times the utterances below (distinct debtors, ten objection categories, Spanish from several countries and
English: 660 different requests), after a short warm-up.

What one request does (the real use, nothing skipped): authenticate, load the debtor, accounts, payments,
promises, interactions and agreements, the tenant's packs and feedback revision, classify the utterance,
render and rank the playbook's answers, check each shown answer against the debtor's jurisdiction as a
CALL_TURN (verdicts are cached per process by rendered text and pack version: the warm-up fills that cache
for these 660 requests, as a live call asking about the same debtor would), propose a plan through the
agreements validation, and append one SUGGESTION event to the tenant's hash-chained audit ledger (a write
and a commit per request, serialised per tenant). `--cold` posts each request with a unique call id and a
new debtor order but cannot defeat the verdict cache; see benchmarks/README.md for the cold figures
measured in process.

Target: p99 < 50 ms and >= 25% of the floor's req/s at 50 clients on 2 workers. Results: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from card_load import (
    IDS_QUERY,
    Run,
    _httpx_load,
    httpx_run,
    is_error,
    percentile,
    print_run,
    start_floor,
    start_graphql,
    start_profiler,
    stop,
    summarize_profile,
    wrk_run,
)

# A load test drives one key far past the default rate limits (1,200/min per key): the servers this script
# starts inherit these, so the figures measure the operation, not 429s. Set them yourself to measure limits.
for _name in ("ASISTENTE_RATE_LIMIT_KEY", "ASISTENTE_RATE_LIMIT_SESSION", "ASISTENTE_RATE_LIMIT_TENANT"):
    os.environ.setdefault(_name, "0")

SUGGEST = """query S($input: SuggestInput!) { suggestResponses(input: $input) {
  category confidence alternatives { category confidence }
  suggestions { id text rationale register technique }
  nextSteps { kind message at } auditId } }"""

UTTERANCES = [
    "ahorita no tengo dinero, me quedé sin chamba",
    "yo ya pagué eso el mes pasado, tengo el comprobante",
    "esa deuda no es mía, yo nunca saqué esa tarjeta",
    "estoy ocupado, llámeme más tarde por favor",
    "¿me pueden hacer un descuento o un plan de pagos?",
    "mirá, no tengo un mango, ¿me podés llamar la semana que viene?",
    "¿y si no pago me pueden meter a la cárcel?",
    "mándeme todo por escrito, no voy a hablar por teléfono",
    "I already paid that, I have the receipt",
    "I don't owe this, that's not my debt",
]
IDS_QUERY_ALL = IDS_QUERY.replace("first: 60", "first: 100")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (the uvicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def httpx_cold(
    label: str, url: str, headers: dict[str, str], bodies: list[bytes], args: argparse.Namespace
) -> Run:
    """Each distinct request once, by `--clients` concurrent clients: the cold figure."""
    lat, errors, elapsed = asyncio.run(_httpx_load(url, headers, bodies, args.clients, 600.0, len(bodies)))
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


def bench(workers: int, workdir: Path, clients: list[str], args: argparse.Namespace) -> list[Run]:
    proc, base, key, _ = start_graphql(workdir, workers)
    runs: list[Run] = []
    floor = None
    try:
        auth = f"Bearer {key}"
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        resp = httpx.post(f"{base}/graphql", json={"query": IDS_QUERY_ALL}, headers=headers, timeout=30)
        ids = [e["node"]["id"] for e in resp.json()["data"]["debtors"]["edges"]]
        bodies = [
            json.dumps({"query": SUGGEST, "variables": {"input": {"debtorId": i, "utterance": u}}}).encode()
            for u in UTTERANCES
            for i in ids
        ]
        first = httpx.post(f"{base}/graphql", content=bodies[0], headers=headers, timeout=30)
        if is_error(first.status_code, first.content):
            raise SystemExit(f"suggestResponses fails: {first.status_code} {first.text[:1000]}")
        payload = workdir / "card.json"  # card_load's floor serves this file
        payload.write_bytes(first.content)
        print(
            f"\nworkers={workers}: {len(ids)} debtors x {len(UTTERANCES)} utterances = {len(bodies)} requests; "
            f"the floor serves one real answer ({len(first.content):,} bytes)",
            flush=True,
        )
        url = f"{base}/graphql"
        # The first pass over every distinct request: cold caches (cards, compliance verdicts), measured.
        cold = httpx_cold(f"suggestResponses cold w={workers}", url, headers, bodies, args)
        print_run(cold)
        runs.append(cold)
        for client in clients:
            prof = None
            if args.profile and client == clients[0]:
                prof = start_profiler(proc.pid, Path(args.profile), args.seconds + 2)
            label = f"suggestResponses w={workers}"
            if client == "httpx":
                runs.append(httpx_run(label, url, headers, bodies, args))
            else:
                marks: list[float] = []
                runs.append(
                    wrk_run(
                        label,
                        base,
                        auth,
                        bodies,
                        workdir,
                        args,
                        measured=lambda marks=marks: marks.append(tree_cpu_seconds(proc.pid)),
                    )
                )
                if len(marks) == 2 and runs[-1].requests:
                    print(
                        f"server CPU: {(marks[1] - marks[0]) * 1000 / runs[-1].requests:.3f} ms per request "
                        f"(all workers, measured run)",
                        flush=True,
                    )
            print_run(runs[-1])
            if prof is not None:
                prof.wait(timeout=args.seconds + 120)
        stop(proc)
        floor, fbase = start_floor(workdir, workers, payload)
        for client in clients:
            label = f"starlette floor w={workers}"
            if client == "httpx":
                runs.append(httpx_run(label, f"{fbase}/graphql", headers, bodies, args))
            else:
                marks = []
                runs.append(
                    wrk_run(
                        label,
                        fbase,
                        auth,
                        bodies,
                        workdir,
                        args,
                        measured=lambda marks=marks: marks.append(tree_cpu_seconds(floor.pid)),
                    )
                )
                if len(marks) == 2 and runs[-1].requests:
                    print(
                        f"floor CPU: {(marks[1] - marks[0]) * 1000 / runs[-1].requests:.3f} ms per request",
                        flush=True,
                    )
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
    parser.add_argument("--workers", default="2", help="comma-separated uvicorn worker counts, e.g. 1,2")
    parser.add_argument("--client", choices=["auto", "httpx", "wrk", "both"], default="auto")
    parser.add_argument("--httpx-pool", choices=["per-client", "shared"], default="per-client")
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="cap per run")
    parser.add_argument("--profile", metavar="FILE", help="py-spy the GraphQL server (first run)")
    args = parser.parse_args()
    args.workers = [int(w) for w in str(args.workers).split(",")]
    have_wrk = shutil.which("wrk") is not None
    if args.client in ("auto", "both"):
        clients = (
            ["wrk", "httpx"] if (have_wrk and args.client == "both") else (["wrk"] if have_wrk else ["httpx"])
        )
    elif args.client == "wrk" and not have_wrk:
        print("wrk not found (apt-get install -y wrk): falling back to the httpx client", file=sys.stderr)
        clients = ["httpx"]
    else:
        clients = [args.client]
    load = os.getloadavg()
    print(
        f"{os.cpu_count()} CPU(s), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.clients} clients, "
        f"{args.seconds:g} s per run; clients: {', '.join(clients)}"
    )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="asistente-suggest-") as tmp:
        for workers in args.workers:
            runs += bench(workers, Path(tmp), clients, args)
    if args.profile and Path(args.profile).exists():
        summarize_profile(Path(args.profile))
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("summary (target: suggestResponses >= 25% of the floor's req/s, p99 < 50 ms)")
    ok = True
    for workers in args.workers:
        for client in clients:
            gql = next(r for r in runs if r.client == client and r.label == f"suggestResponses w={workers}")
            flo = next(r for r in runs if r.client == client and r.label == f"starlette floor w={workers}")
            ratio = gql.rps / flo.rps if flo.rps else 0.0
            met = ratio >= 0.25 and gql.p99 < 50 and gql.errors == 0
            ok = ok and met
            print(
                f"  workers={workers} client={client:<6} suggest {gql.rps:7,.0f} req/s (p50 {gql.p50:.1f} ms, "
                f"p99 {gql.p99:.1f} ms, errors {gql.errors}) / floor {flo.rps:7,.0f} req/s = {100 * ratio:.1f}%  "
                f"{'MET' if met else 'NOT MET'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
