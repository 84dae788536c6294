"""Rate limits (issue 13, item 4): per API key, per agent session, per tenant, and on failed authentication
per client address; 429 + Retry-After + RATE_LIMITED, decided before the body is read; shared across
workers through Redis when REDIS_URL is set."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import error_codes

ME = "{ me { tenant } }"


def clear_of_window_edge(margin: float = 8.0) -> None:
    """Counts are per fixed minute: start a burst well inside one, so it is not split across two."""
    into = time.time() % 60
    if into > 60 - margin:
        time.sleep(60 - into + 0.2)


def assert_limited(res: httpx.Response) -> None:
    assert res.status_code == 429, res.text[:300]
    assert error_codes(res.json()) == ["RATE_LIMITED"]
    retry = int(res.headers["retry-after"])
    assert 1 <= retry <= 60
    assert res.json()["errors"][0]["extensions"]["retryAfter"] == retry


async def test_per_key_limit_answers_before_reading_the_body(api, services):
    services.extras["limiter"].limits = services.extras["limiter"].limits.__class__(5, 3, 0, 30)
    clear_of_window_edge()
    key, other = api.key(), api.key()
    for _ in range(5):
        await api.ok(ME, key=key)
    assert_limited(await api.post(ME, key=key))
    # a limited request is refused from its headers: its (invalid) body is never parsed
    res = await api.client.post(
        "/graphql",
        content=b"\xff not json",
        headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
    )
    assert_limited(res)
    res = await api.client.get("/graphql", params={"query": ME}, headers={"authorization": f"Bearer {key}"})
    assert_limited(res)
    await api.ok(ME, key=other)  # another key has its own count


async def test_per_session_limit(api, services):
    services.extras["limiter"].limits = services.extras["limiter"].limits.__class__(100, 3, 0, 30)
    clear_of_window_edge()
    integrator = api.key(role="INTEGRATOR")
    mint = 'mutation { createAgentSession(agentId: "u-1") { token } }'
    token = (await api.ok(mint, key=integrator))["createAgentSession"]["token"]
    for _ in range(3):
        await api.ok(ME, key=token)
    assert_limited(await api.post(ME, key=token))
    fresh = (await api.ok(mint, key=integrator))["createAgentSession"]["token"]
    if fresh != token:  # same second, same claims: the same token
        await api.ok(ME, key=fresh)


async def test_per_tenant_limit(api, services):
    services.extras["limiter"].limits = services.extras["limiter"].limits.__class__(100, 100, 4, 30)
    clear_of_window_edge()
    a1, a2, b = api.key("acme"), api.key("acme"), api.key("beta")
    for key in (a1, a2, a1, a2):
        await api.ok(ME, key=key)
    assert_limited(await api.post(ME, key=a2))
    assert_limited(await api.post(ME, key=a1))
    await api.ok(ME, key=b)


async def test_failed_authentication_per_address(api, services):
    services.extras["limiter"].limits = services.extras["limiter"].limits.__class__(100, 100, 0, 3)
    clear_of_window_edge()
    key = api.key()
    for i in range(3):
        res = await api.post(ME, key=f"ask_forged{i}")
        assert res.status_code == 401
    assert_limited(await api.post(ME, key="ask_forged9"))
    # the address is blocked for the rest of the window, even with a good key
    assert_limited(await api.post(ME, key=key))


async def test_limits_off(api, services):
    services.extras["limiter"].limits = services.extras["limiter"].limits.__class__(0, 0, 0, 0)
    key = api.key()
    for _ in range(30):
        await api.ok(ME, key=key)


# ----------------------------------------------------------------------- Redis, two uvicorn workers

REDIS_URL = os.environ.get("ASISTENTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_limits_are_shared_by_two_workers_through_redis(tmp_path):
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rl.db'}",
        "REDIS_URL": REDIS_URL,
        "ASISTENTE_RATE_LIMIT_KEY": "20",
    }
    cli = [sys.executable, "-m", "asistente.cli"]
    out = subprocess.run(
        [*cli, "keys", "create", "--tenant", "acme", "--role", "ADMIN"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = out.stdout.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        time.sleep(2)  # both workers up
        clear_of_window_edge(20)
        statuses = []
        for _ in range(40):  # a new connection each time: the kernel spreads them over both workers
            with httpx.Client(base_url=url) as client:
                res = client.post("/graphql", json={"query": ME}, headers={"authorization": f"Bearer {key}"})
                statuses.append(res.status_code)
                if res.status_code == 429:
                    assert_limited(res)
        assert statuses.count(200) == 20 and statuses.count(429) == 20, statuses
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_websocket_operations_count_against_the_key(app, services, session_factory):
    from starlette.testclient import TestClient

    from asistente.db import transaction
    from asistente.enums import Role
    from asistente.tenants.service import create_api_key

    services.extras["limiter"].limits = services.extras["limiter"].limits.__class__(2, 2, 0, 30)
    clear_of_window_edge()
    with transaction(session_factory) as s:
        key = create_api_key(s, tenant_slug="acme", role=Role.ADMIN)
    with TestClient(app).websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        for i in range(3):
            ws.send_json({"id": str(i), "type": "subscribe", "payload": {"query": ME}})
            msg = ws.receive_json()
            if i < 2:
                assert msg["payload"]["data"]["me"] == {"tenant": "acme"}, msg
            else:
                assert msg["payload"]["errors"][0]["extensions"]["code"] == "RATE_LIMITED", msg
            assert ws.receive_json()["type"] == "complete"
