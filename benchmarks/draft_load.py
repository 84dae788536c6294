"""Template draftMessage over HTTP at 20 concurrent clients (target p99 < 30 ms), against a Starlette floor.

Usage:
    .venv/bin/python benchmarks/draft_load.py [--seconds 20] [--clients 20] [--workers 1]
                                              [--client auto|httpx|wrk|both]

The machinery is card_load.py's (same servers, clients, error rule and percentiles):
1. `asistente serve --demo` on a fresh temporary SQLite database (the demo portfolio: MX, CO, CL, PE, ES, AR
   and US debtors); an ADMIN key made with `asistente keys create` on the same database sets a drafting
   profile and MXN/COP/CLP/PEN/EUR/ARS/USD payment destinations; the demo's agent key drafts.
2. Bodies: every debtor x (SMS REMINDER, EMAIL REMINDER, WHATSAPP PROMISE_CONFIRMATION, LETTER FIRST_NOTICE,
   CALL CALL_SCRIPT_OPENING, VOICEMAIL VOICEMAIL), `useLlm: false` (the template path). Each pair is drafted
   once first; pairs the contact rules refuse (a Colombian debtor who authorised no SMS, an opted-out channel)
   or that miss data (no promise) are left out and counted, so every request of the run is a real draft:
   contact permission, render, the whole-MESSAGE compliance check and the payment-destination check, and a
   DRAFT record appended to the tenant's audit ledger (one write per request).
3. The floor: card_load's plain Starlette app returning the bytes of one recorded draft response.

Warm-up: wrk's own 2 s, plus `--warmup` seconds of the same rotation first (default 6): each worker keeps its
own memos (rendered text, the compliance verdict per text), and a body a worker has not drafted yet costs a
cold check (3-5 ms, blocking that worker's loop); with 2 workers a 2 s warm-up at a few hundred requests a
second leaves about a quarter of the bodies cold on each worker, so the measured run then pays for warm-up.
`--warmup 0` measures as before. The script prints how the measured run's wrk connections split over the
workers (`ss`): with 20 connections on 2 workers an uneven split is a queue on the busier one.

With wrk, the server's CPU per request is printed too: user + system CPU of the uvicorn workers over the
measured run (after the warm-up) divided by the requests served, a figure a busy machine moves far less than
the latencies. `--profile FILE` samples the workers with py-spy during the measured run and prints where
the time goes.

Results and targets: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from card_load import (
    HOST,
    Run,
    httpx_run,
    is_error,
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

IDS_QUERY = "{ debtors(first: 100) { edges { node { id jurisdiction } } } }"
DRAFT = (
    "query($i: DraftInput!) { draftMessage(input: $i) { text subject segments generator auditId "
    "compliance { compliant violations { ruleId code } } paymentDestinations { id url } } }"
)
COMBOS = [
    ("SMS", "REMINDER"),
    ("EMAIL", "REMINDER"),
    ("WHATSAPP", "PROMISE_CONFIRMATION"),
    ("LETTER", "FIRST_NOTICE"),
    ("CALL", "CALL_SCRIPT_OPENING"),
    ("VOICEMAIL", "VOICEMAIL"),
]
PROFILE = {
    "version": "bench",
    "agencyName": "Cobranzas Delta S.C.",
    "neutralName": "DR Services",
    "creditorName": "Financiera Andina S.A.",
    "senderName": "Laura Gómez",
    "phone": "+52 55 5123 4567",
    "email": "atencion@cobranzas-delta.example",
    "website": "https://cobranzas-delta.example",
    "city": "Ciudad de México",
    "hours": {"es": "de lunes a viernes de 9:00 a 18:00", "en": "Monday to Friday, 9 a.m. to 6 p.m."},
}


def destinations() -> dict:
    def link(cur: str, provider: str) -> dict:
        return {
            "id": f"{cur.lower()}-link",
            "currency": cur,
            "kind": "PAYMENT_LINK",
            "provider": provider,
            "url": f"https://pagos.andina.example/{cur.lower()}?ref={{reference}}&amount={{amount}}",
        }

    return {
        "version": "bench",
        "destinations": [
            {
                "id": "mxn-clabe",
                "currency": "MXN",
                "kind": "BANK_TRANSFER",
                "bank": "BBVA México",
                "holder": "Financiera Andina S.A. de C.V.",
                "scheme": "CLABE",
                "account": "032180000118359719",
                "reference": "{reference}",
            },
            link("MXN", "MERCADO_PAGO"),
            link("COP", "WOMPI_PSE"),
            link("CLP", "KHIPU"),
            link("PEN", "OTHER"),
            {
                "id": "eur-iban",
                "currency": "EUR",
                "kind": "BANK_TRANSFER",
                "bank": "CaixaBank",
                "holder": "Finanzas Ibéricas S.A.",
                "scheme": "IBAN",
                "account": "ES9121000418450200051332",
                "reference": "Ref. {reference}",
            },
            link("ARS", "MERCADO_PAGO"),
            link("USD", "STRIPE"),
        ],
    }


def admin_key(workdir: Path, workers: int, database_url: str | None = None) -> str:
    exe = Path(sys.executable).with_name("asistente")
    env = {**os.environ, "DATABASE_URL": database_url or f"sqlite:///{workdir / f'card-{workers}.db'}"}
    out = subprocess.run(
        [str(exe), "keys", "create", "--tenant", "demo", "--role", "ADMIN"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1].strip()


def worker_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process and its children (uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for who in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{who}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def connection_split(base: str) -> str:
    """How many established connections to the server's port each process holds (`ss -tnp`), e.g. "12/8"."""
    port = base.rsplit(":", 1)[1]
    try:
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    per: Counter[str] = Counter()
    for line in out.splitlines():
        for pid in set(re.findall(r"pid=(\d+)", line)):
            per[pid] += 1
    return "/".join(str(n) for _, n in per.most_common())


def trace_report(base: str, directory: Path, workers: int, since_ns: int) -> str:
    """Ask every worker for its trace (a new connection per ask: the kernel spreads them) and analyze it."""
    until_ns = time.perf_counter_ns()
    import draft_trace

    for _ in range(200):
        if len(list(directory.glob("trace-*.json"))) >= workers:
            break
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{base}/__trace_dump", timeout=10)
    return draft_trace.analyze(directory, since_ns, until_ns)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--client", choices=["auto", "httpx", "wrk", "both"], default="auto")
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--httpx-pool", choices=["per-client", "shared"], default="per-client")
    ap.add_argument("--profile", metavar="FILE", help="py-spy the workers during the measured wrk run")
    ap.add_argument(
        "--warmup", type=float, default=6.0, help="seconds of extra wrk warm-up before the measured run"
    )
    ap.add_argument(
        "--database-url",
        help="serve on this (empty) database instead of a new SQLite file, e.g. postgresql+psycopg://.../db",
    )
    ap.add_argument(
        "--trace",
        action="store_true",
        help="trace every request inside the workers (benchmarks/draft_trace.py) and say what the slowest 1%% "
        "of the measured run overlapped",
    )
    ap.add_argument(
        "--gc-freeze",
        action="store_true",
        help="with --trace: after the warm-up, every worker collects and gc.freeze()s (an experiment)",
    )
    args = ap.parse_args()
    has_wrk = shutil.which("wrk") is not None
    clients = {
        "auto": ["wrk"] if has_wrk else ["httpx"],
        "both": ["httpx", "wrk"],
        "httpx": ["httpx"],
        "wrk": ["wrk"],
    }[args.client]
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min)")
    workdir = Path(tempfile.mkdtemp(prefix="draft-load-"))
    saved_env = {k: os.environ.get(k) for k in ("PYTHONPATH", "DRAFT_TRACE_DIR")}
    if args.trace:  # the servers started now import draft_trace through a sitecustomize.py
        (workdir / "trace").mkdir()
        (workdir / "sitecustomize.py").write_text(
            f"import sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            "import draft_trace\ndraft_trace.install()\n"
        )
        os.environ["PYTHONPATH"] = os.pathsep.join(
            x for x in (str(workdir), os.environ.get("PYTHONPATH")) if x
        )
        os.environ["DRAFT_TRACE_DIR"] = str(workdir / "trace")
    try:
        proc, base, key, _ = start_graphql(workdir, args.workers, database_url=args.database_url)
    finally:
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    traced = ""
    floor = None
    runs: list[Run] = []
    try:
        admin = {
            "Authorization": f"Bearer {admin_key(workdir, args.workers, args.database_url)}",
            "Content-Type": "application/json",
        }
        for query, var, value in (
            ("mutation($p: JSON!) { setDraftingProfile(profile: $p) }", "p", PROFILE),
            (
                "mutation($d: JSON!) { setPaymentDestinations(destinations: $d) { version } }",
                "d",
                destinations(),
            ),
        ):
            r = httpx.post(f"{base}/graphql", json={"query": query, "variables": {var: value}}, headers=admin)
            if is_error(r.status_code, r.content):
                raise SystemExit(f"set-up failed: {r.text[:1000]}")
        auth = f"Bearer {key}"
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        resp = httpx.post(f"{base}/graphql", json={"query": IDS_QUERY}, headers=headers, timeout=30)
        debtors = [e["node"] for e in resp.json()["data"]["debtors"]["edges"]]
        bodies: list[bytes] = []
        left_out: Counter[str] = Counter()
        sample = b""
        for d in debtors:
            for channel, purpose in COMBOS:
                body = json.dumps(
                    {
                        "query": DRAFT,
                        "variables": {
                            "i": {
                                "debtorId": d["id"],
                                "channel": channel,
                                "purpose": purpose,
                                "useLlm": False,
                            }
                        },
                    }
                ).encode()
                r = httpx.post(f"{base}/graphql", content=body, headers=headers, timeout=30)
                err = is_error(r.status_code, r.content)
                if err:
                    first = (r.json().get("errors") or [{}])[0]
                    code = first.get("extensions", {}).get("code", err)
                    why = first.get("message", "").split(":", 1)[0][:40]
                    left_out[f"{channel} {purpose}: {code} ({why})"] += 1
                    continue
                if not r.json()["data"]["draftMessage"]["compliance"]["compliant"]:
                    raise SystemExit(f"a non-compliant draft was served: {r.text[:2000]}")
                bodies.append(body)
                if channel == "EMAIL" and not sample:
                    sample = r.content
        countries = Counter(d["jurisdiction"] for d in debtors)
        print(
            f"{len(debtors)} debtors ({', '.join(f'{k} {v}' for k, v in sorted(countries.items()))}); "
            f"{len(bodies)} drafts in rotation; left out: "
            + (", ".join(f"{k} x{v}" for k, v in sorted(left_out.items())) or "none"),
            flush=True,
        )
        url = f"{base}/graphql"
        for client in clients:
            label = f"draftMessage w={args.workers}"
            if client == "httpx":
                runs.append(httpx_run(label, url, headers, bodies, args))
            else:
                marks: dict[str, Any] = {}

                if args.warmup > 0:
                    wrk_run(
                        label,
                        base,
                        auth,
                        bodies,
                        workdir,
                        argparse.Namespace(**{**vars(args), "seconds": args.warmup}),
                    )

                if args.trace and args.gc_freeze:
                    frozen: set[str] = set()
                    for _ in range(200):
                        if len(frozen) >= args.workers:
                            break
                        with contextlib.suppress(httpx.HTTPError):
                            frozen.add(httpx.post(f"{base}/__trace_freeze", timeout=10).text)
                    print(f"gc.freeze() after the warm-up in workers {', '.join(sorted(frozen))}", flush=True)

                def after_warmup(marks: dict[str, Any] = marks) -> None:
                    def sample(marks: dict[str, Any] = marks) -> None:
                        marks["split"] = connection_split(base)

                    threading.Timer(min(2.0, args.seconds / 2), sample).start()  # during the measured run
                    marks["cpu"] = worker_cpu(proc.pid)
                    marks["t0"] = time.perf_counter_ns()  # CLOCK_MONOTONIC: the workers' clock too
                    if args.profile:
                        marks["spy"] = start_profiler(proc.pid, Path(args.profile), args.seconds)

                runs.append(wrk_run(label, base, auth, bodies, workdir, args, after_warmup))
                cpu = worker_cpu(proc.pid) - marks["cpu"]
                if args.trace:
                    traced = trace_report(base, workdir / "trace", args.workers, marks["t0"])
                if marks.get("spy") is not None:
                    marks["spy"].wait(timeout=args.seconds + 60)
            print_run(runs[-1])
            if client == "wrk":
                print(
                    f"server CPU {1000 * cpu / max(runs[-1].requests, 1):.2f} ms per request "
                    f"({cpu:.1f} s over {runs[-1].requests:,} requests; load {os.getloadavg()[0]:.2f}); "
                    f"wrk connections per worker: {marks.get('split') or 'unknown'}",
                    flush=True,
                )
                if traced:
                    print(traced, flush=True)
        stop(proc)
        payload = workdir / "draft.json"
        payload.write_bytes(sample)
        floor, fbase = start_floor(workdir, args.workers, payload)
        for client in clients:
            label = f"starlette floor w={args.workers}"
            if client == "httpx":
                runs.append(httpx_run(label, f"{fbase}/graphql", headers, bodies, args))
            else:
                runs.append(wrk_run(label, fbase, auth, bodies, workdir, args))
            print_run(runs[-1])
    finally:
        stop(proc)
        if floor is not None:
            stop(floor)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min); host {HOST}")
    if args.profile and Path(args.profile).exists():
        summarize_profile(Path(args.profile))
    return 0 if all(r.errors == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
