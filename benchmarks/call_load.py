"""Live-call load: N concurrent calls on 2 workers with Redis, each pushing a turn every P seconds.

Starts two `asistente serve` processes (ports chosen at random) on one database (a fresh SQLite file by
default, or --database-url) with REDIS_URL; the first seeds the demo portfolio. Every call has one
callAssist subscriber on one worker and pushes its turns to the OTHER worker, so every event crosses Redis.
Turns alternate AGENT lines (compliance check, disclosure tracking) and DEBTOR lines (classifier +
suggestResponses' answers + promise capture) from a short Spanish/English script; calls start staggered
over the first period.

Measured per turn:
- push-to-event: from just before pushTranscript is sent to the subscriber receiving that event (what the
  agent waits for: the turn's processing, the commit, Redis, the other worker, the WebSocket);
- push (HTTP answer) and answer-to-event (the fan-out alone);
- a floor in the same run: `{ __typename }` over HTTP, with no event;
- the workers' CPU (user + system, from /proc) per turn pushed: the figure a busy machine distorts least.
Checks: every subscriber got events 1..n of its call exactly once, in order (no loss, duplicate or reorder).

    .venv/bin/python benchmarks/call_load.py [--calls 100] [--period 2] [--duration 60]
        [--redis-url redis://127.0.0.1:6379/7] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx
import websockets

# A load test drives one key far past the default rate limits (1,200/min per key): the servers this script
# starts inherit these, so the figures measure the operation, not 429s. Set them yourself to measure limits.
for _name in ("ASISTENTE_RATE_LIMIT_KEY", "ASISTENTE_RATE_LIMIT_SESSION", "ASISTENTE_RATE_LIMIT_TENANT"):
    os.environ.setdefault(_name, "0")

BIN = Path(sys.executable).parent / "asistente"
PUSH = "mutation($input: PushTranscriptInput!) { pushTranscript(input: $input) { seq kind } }"
ASSIST = "subscription($c: ID!) { callAssist(callId: $c) { seq kind } }"
LINES = {
    "es": [
        ("AGENT", "Buenas tardes, le habla Laura Méndez de Cobranza Integral del Bajío."),
        ("DEBTOR", "Ahorita no tengo dinero, me quedé sin trabajo."),
        ("AGENT", "Lo entiendo. Podemos ver un plan de pagos que se ajuste a lo que usted pueda."),
        ("DEBTOR", "El viernes le deposito 500 y luego vemos lo demás."),
        ("AGENT", "Perfecto, queda anotado para el viernes."),
        ("DEBTOR", "Está bien, gracias."),
    ],
    "en": [
        ("AGENT", "Hi, this is Mark from Desert Recovery Services, a debt collector."),
        ("DEBTOR", "I lost my job, I can't afford anything right now."),
        ("AGENT", "I understand. We can look at a payment plan that fits your budget."),
        ("DEBTOR", "I can do 200 on the 15th."),
        ("AGENT", "Thank you, I have noted 200 on the 15th."),
        ("DEBTOR", "Okay, thanks."),
    ],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env: dict, port: int, demo: bool, cwd: Path, log: Path) -> subprocess.Popen:
    args = [str(BIN), "serve", "--port", str(port)] + (["--demo"] if demo else [])
    return subprocess.Popen(args, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=cwd)


def wait_healthy(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"worker on port {port} exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as res:
                if res.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"worker on port {port} did not start")


def cpu_seconds(procs: list[subprocess.Popen]) -> float:
    """User + system CPU of the worker processes so far (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for proc in procs:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def subscriber(port: int, key: str, call_id: str, ready: asyncio.Event, got: list, arrivals: dict):
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"], max_queue=None
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": ASSIST, "variables": {"c": call_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        ready.set()
        async for raw in ws:
            msg = json.loads(raw)
            if msg["type"] == "complete":
                return
            if msg["type"] != "next" or msg["payload"].get("errors"):
                got.append(("error", msg))
                continue
            seq = msg["payload"]["data"]["callAssist"]["seq"]
            arrivals[(call_id, seq)] = time.monotonic()
            got.append(seq)


async def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="call-load-"))
    db_url = args.database_url or f"sqlite:///{tmp / 'calls.db'}"
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": args.redis_url,
           "ASISTENTE_DEMO_KEY_FILE": str(tmp / "key")}  # fmt: skip
    ports = [free_port(), free_port()]
    procs = [start(env, ports[0], True, tmp, tmp / "w0.log")]
    try:
        wait_healthy(ports[0], procs[0])
        procs.append(start(env, ports[1], False, tmp, tmp / "w1.log"))
        wait_healthy(ports[1], procs[1])
        key = (tmp / "key").read_text().strip().split()[-1]
        headers = {"authorization": f"Bearer {key}"}
        # Idle connections are dropped by the client before uvicorn's 5 s keep-alive closes them: at equal
        # timeouts a request sent on a connection the server is closing fails with ReadError.
        limits = httpx.Limits(
            max_connections=args.calls, max_keepalive_connections=args.calls, keepalive_expiry=2.5
        )
        clients = [
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", timeout=180, limits=limits, headers=headers)
            for p in ports
        ]
        res = await clients[0].post(
            "/graphql",
            json={"query": "{ debtors(first: 100) { edges { node { id language jurisdiction } } } }"},
        )
        debtors = [e["node"] for e in res.json()["data"]["debtors"]["edges"]]
        stamp = time.time_ns()
        calls = [f"load-{stamp}-{i}" for i in range(args.calls)]
        got: dict[str, list] = {c: [] for c in calls}
        arrivals: dict[tuple[str, int], float] = {}
        sent: dict[tuple[str, int], tuple[float, float]] = {}
        readies = [asyncio.Event() for _ in calls]
        subs = [
            asyncio.create_task(subscriber(ports[i % 2], key, c, readies[i], got[c], arrivals))
            for i, c in enumerate(calls)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
        await asyncio.sleep(1.0)
        errors: list[str] = []
        floor: list[float] = []
        turns_per_call = max(1, int(args.duration / args.period))
        load_before = os.getloadavg()
        cpu_before = cpu_seconds(procs)

        async def caller(i: int) -> None:
            call_id = calls[i]
            debtor = debtors[i % len(debtors)]
            lines = LINES["en" if debtor["language"].startswith("en") else "es"]
            client = clients[(i + 1) % 2]  # the other worker than the subscriber's
            await asyncio.sleep(random.Random(i).uniform(0, args.period))
            start_at = time.monotonic()
            for n in range(turns_per_call):
                speaker, text = lines[n % len(lines)]
                variables = {
                    "input": {"callId": call_id, "debtorId": debtor["id"], "speaker": speaker, "text": text}
                }
                t0 = time.monotonic()
                r = await client.post("/graphql", json={"query": PUSH, "variables": variables})
                t1 = time.monotonic()
                body = r.json()
                if body.get("errors"):
                    errors.append(str(body["errors"])[:300])
                else:
                    sent[(call_id, body["data"]["pushTranscript"]["seq"])] = (t0, t1)
                if i % 10 == 0:
                    f0 = time.monotonic()
                    await client.post("/graphql", json={"query": "{ __typename }"})
                    floor.append(time.monotonic() - f0)
                next_at = start_at + (n + 1) * args.period
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            r = await client.post(
                "/graphql", json={"query": "mutation($c: ID!) { endCall(callId: $c) { disposition } }",
                                  "variables": {"c": call_id}}
            )  # fmt: skip
            if r.json().get("errors"):
                errors.append(str(r.json()["errors"])[:300])

        t_start = time.monotonic()
        await asyncio.gather(*(caller(i) for i in range(args.calls)))
        elapsed = time.monotonic() - t_start
        await asyncio.wait_for(asyncio.gather(*subs, return_exceptions=True), 60)
        server_cpu = cpu_seconds(procs) - cpu_before
        load_after = os.getloadavg()
        for c in clients:
            await c.aclose()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

    push_to_event, push, fanout = [], [], []
    for key_, (t0, t1) in sent.items():
        arrived = arrivals.get(key_)
        push.append(t1 - t0)
        if arrived is not None:
            push_to_event.append(arrived - t0)
            fanout.append(arrived - t1)
    bad_order = 0
    for c in calls:
        seqs = [s for s in got[c] if isinstance(s, int)]
        if seqs != list(range(1, len(seqs) + 1)) or len(seqs) != turns_per_call + 1:
            bad_order += 1
    stream_errors = sum(1 for c in calls for s in got[c] if not isinstance(s, int))
    turns = len(sent)

    def ms(values: list[float], p: float) -> str:
        return f"{pct(values, p) * 1000:.1f}"

    print(
        f"calls {args.calls}, a turn every {args.period}s per call, {turns_per_call} turns each, 2 workers + Redis"
    )
    print(
        f"database {db_url.split('://')[0]}, {turns} turns pushed in {elapsed:.1f}s ({turns / elapsed:.1f}/s)"
    )
    print(
        f"server CPU (both workers, turns + endCall + floor + fan-out) {server_cpu:.1f} s: "
        f"{server_cpu / max(turns, 1) * 1000:.1f} ms per turn"
    )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (nproc {os.cpu_count()})")
    print(
        f"push-to-event  p50 {ms(push_to_event, 50)} ms  p99 {ms(push_to_event, 99)} ms  max {ms(push_to_event, 100)} ms"
    )
    print(f"push answer    p50 {ms(push, 50)} ms  p99 {ms(push, 99)} ms")
    print(f"answer-to-event p50 {ms(fanout, 50)} ms  p99 {ms(fanout, 99)} ms")
    print(f"floor ({{ __typename }}) p50 {ms(floor, 50)} ms  p99 {ms(floor, 99)} ms")
    print(f"events received {len(push_to_event)}/{turns}; calls with a lost, duplicated or reordered event: "
          f"{bad_order}; stream errors {stream_errors}; push errors {len(errors)}")  # fmt: skip
    if push_to_event:
        print(f"mean push-to-event {statistics.mean(push_to_event) * 1000:.1f} ms")
    for e in errors[:3]:
        print("error:", e)
    ok = not errors and not bad_order and not stream_errors and len(push_to_event) == turns
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--period", type=float, default=2.0)
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    p.add_argument("--database-url")
    return asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
