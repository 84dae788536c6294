"""Live calls on two real uvicorn workers (separate processes, two ports, one SQLite database): with Redis,
every subscriber on either worker gets every event of the call once and in order, whichever worker the turns
were pushed to; with Redis down, pushTranscript still answers, /healthz says degraded, and subscribers on
the other worker still get every event (from the database)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent / "asistente"
REDIS_URL = os.environ.get("ASISTENTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
ASSIST = "subscription($c: ID!) { callAssist(callId: $c) { seq kind text } }"
PUSH = """mutation($input: PushTranscriptInput!) { pushTranscript(input: $input) { seq kind
  compliance { compliant } } }"""
END = "mutation($c: ID!) { endCall(callId: $c) { disposition auditId } }"


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping()
    except Exception:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db: Path, port: int, redis_url: str | None, demo: bool, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update({"DATABASE_URL": f"sqlite:///{db}", "ASISTENTE_DEMO_KEY_FILE": str(db.parent / "key")})
    if redis_url:
        env["REDIS_URL"] = redis_url
    args = [str(BIN), "serve", "--port", str(port)] + (["--demo"] if demo else [])
    return subprocess.Popen(args, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=db.parent)


def _wait_healthy(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"worker on port {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as res:
                if res.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"worker on port {port} did not become healthy")


def _stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def workers(tmp_path, request):
    """Two workers on one database; ``request.param`` is the REDIS_URL they get."""
    redis_url = request.param
    db = tmp_path / "calls.db"
    ports = [_free_port(), _free_port()]
    first = _start(db, ports[0], redis_url, True, tmp_path / "w0.log")  # migrates and seeds the demo
    try:
        _wait_healthy(ports[0], first)
        second = _start(db, ports[1], redis_url, False, tmp_path / "w1.log")
        _wait_healthy(ports[1], second)
    except BaseException:
        _stop(first)
        raise
    key = (db.parent / "key").read_text().strip().split()[-1]
    import sqlite3

    with sqlite3.connect(db) as conn:
        debtor = conn.execute("SELECT id FROM debtors WHERE external_id = 'CRM-MX-0001'").fetchone()[0]
    yield ports, key, debtor, [tmp_path / "w0.log", tmp_path / "w1.log"]
    _stop(first, second)


async def _subscriber(port: int, key: str, call_id: str, ready: asyncio.Event, out: list) -> None:
    import websockets

    async with websockets.connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": ASSIST, "variables": {"c": call_id}}}
            )
        )
        ready.set()
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            if msg["type"] == "complete":
                return
            assert msg["type"] == "next", msg
            assert "errors" not in msg["payload"], msg
            out.append({**msg["payload"]["data"]["callAssist"], "received": time.monotonic()})


async def _run_call(ports, key, debtor, call_id, turns_per_worker=12):
    outs: list[list] = [[], [], []]
    readies = [asyncio.Event() for _ in outs]
    subs = [
        asyncio.create_task(_subscriber(ports[i % 2], key, call_id, readies[i], outs[i])) for i in range(3)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 20)
    await asyncio.sleep(0.5)  # the subscriptions are registered on their workers
    headers = {"authorization": f"Bearer {key}"}
    answers = []

    async def pusher(port: int, tag: str, n: int = turns_per_worker) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for i in range(n):
                text = f"Buenas tardes, le habla Laura de Cobranza Integral ({tag}{i})."
                variables = {
                    "input": {"callId": call_id, "debtorId": debtor, "speaker": "AGENT", "text": text}
                }
                res = await client.post(
                    "/graphql", json={"query": PUSH, "variables": variables}, headers=headers
                )
                body = res.json()
                assert res.status_code == 200 and not body.get("errors"), body
                answers.append((body["data"]["pushTranscript"]["seq"], time.monotonic()))

    await asyncio.gather(pusher(ports[0], "a"), pusher(ports[1], "b"))
    await pusher(ports[0], "tail", 3)  # only worker 0: worker 1's subscriber has nothing local to go on
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[1]}", timeout=30) as client:
        res = await client.post("/graphql", json={"query": END, "variables": {"c": call_id}}, headers=headers)
        assert not res.json().get("errors"), res.json()
    await asyncio.wait_for(asyncio.gather(*subs), 30)
    return outs, answers


@pytest.mark.skipif(not BIN.exists(), reason="the asistente console script is not installed")
@pytest.mark.skipif(not _redis_up(), reason=f"Redis not reachable at {REDIS_URL}")
@pytest.mark.parametrize("workers", [REDIS_URL], indirect=True)
async def test_every_subscriber_on_every_worker_gets_every_event_once_in_order(workers):
    ports, key, debtor, _ = workers
    outs, answers = await _run_call(ports, key, debtor, f"call-2w-{time.time_ns()}")
    total = 2 * 12 + 3 + 1
    assert sorted(s for s, _ in answers) == list(range(1, total))  # no seq given twice by the two workers
    answered = dict(answers)
    for out in outs:
        assert [e["seq"] for e in out] == list(range(1, total + 1))
        assert out[-1]["kind"] == "CALL_ENDED"
    # the last three turns went to worker 0 only: worker 1's subscriber (outs[1]) got them through Redis
    # at once, not from its database poll (every 5 s while Redis is up)
    tail = [e for e in outs[1] if total - 3 <= e["seq"] < total]
    assert len(tail) == 3
    assert max(e["received"] - answered[e["seq"]] for e in tail) < 2.0


@pytest.mark.skipif(not BIN.exists(), reason="the asistente console script is not installed")
@pytest.mark.parametrize("workers", ["redis://127.0.0.1:1/7"], indirect=True)
async def test_redis_down_pushes_answer_health_degraded_events_still_arrive(workers):
    ports, key, debtor, logs = workers
    with urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/healthz", timeout=5) as res:
        health = json.loads(res.read())
        assert res.status == 200 and health["status"] == "degraded" and health["redis"] == "down"
    outs, answers = await _run_call(ports, key, debtor, f"call-down-{time.time_ns()}", turns_per_worker=4)
    assert sorted(s for s, _ in answers) == list(range(1, 12))
    for out in outs:
        assert [e["seq"] for e in out] == list(range(1, 13))
    assert any("Redis unavailable" in log.read_text() for log in logs)
