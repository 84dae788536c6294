"""A callAssist subscriber that subscribes and never reads, over a real WebSocket (a TCP socket to the real
app served by uvicorn): its server-side buffer stays bounded, it is dropped, and another subscriber of the
same call still gets every event, in order, while it lasts."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
import websockets
from sqlalchemy import select

from asistente.api.core.context import Services
from asistente.app import create_app
from asistente.demo import seed_demo
from asistente.portfolio.models import Debtor
from tests.api.calls_support import classifier
from tests.api.live_app import serve

QUEUE = 8  # events a subscriber may leave unread (ASISTENTE_CALL_QUEUE_SIZE), small so the test is quick
PUSH = "mutation($input: PushTranscriptInput!) { pushTranscript(input: $input) { seq } }"
ASSIST = """subscription($c: ID!) { callAssist(callId: $c) { seq kind text
  suggestions { category suggestions { id text rationale } } compliance { compliant } } }"""
LINES = [
    ("DEBTOR", "Ahorita no tengo dinero, me quedé sin trabajo y no sé cuándo voy a poder pagarle."),
    ("AGENT", "Lo entiendo. Podemos ver un plan de pagos que se ajuste a lo que usted pueda. " * 24),
]


@pytest.fixture
def served(settings, engine, session_factory, clock) -> Iterator[tuple[int, str, str, Services]]:
    """The real app on a real port, the demo seeded; yields (port, key, debtor, services)."""
    settings = settings.model_copy(update={"call_queue_size": QUEUE})
    services = Services(settings=settings, engine=engine, session_factory=session_factory, clock=clock)
    services.extras["classifier"] = classifier()
    app = create_app(settings, services=services)
    key = seed_demo(session_factory, now=clock())
    with session_factory() as s:
        debtor = s.scalar(select(Debtor.id).where(Debtor.external_id == "CRM-MX-0001"))
    with serve(app, send_buffer=4096) as port:  # the silent client backs the server up within KB
        yield port, key, debtor, services


def _frame(text: str) -> bytes:
    """One masked text frame, as a client sends it (RFC 6455 5.2)."""
    data = text.encode()
    n = len(data)
    head = bytes([0x81]) + (
        bytes([0x80 | n])
        if n < 126
        else bytes([0x80 | 126]) + n.to_bytes(2, "big")
        if n < 65536
        else bytes([0x80 | 127]) + n.to_bytes(8, "big")
    )
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def _silent_subscriber(port: int, key: str, call_id: str) -> socket.socket:
    """A client that opens the WebSocket, subscribes, and from then on never reads: its receive buffer is
    as small as the kernel allows, so the server's writes back up at once."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.connect(("127.0.0.1", port))
    ws_key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {ws_key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
        ).encode()
    )
    sock.settimeout(10)
    got = b""
    while b"connection_ack" not in got:
        if b"\r\n\r\n" not in got:
            got += sock.recv(4096)
            assert got.startswith(b"HTTP/1.1 101"), got[:200]
            if b"\r\n\r\n" in got:
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
                sock.sendall(_frame(json.dumps(init)))
            continue
        got += sock.recv(4096)
    payload = {"query": ASSIST, "variables": {"c": call_id}}
    sock.sendall(_frame(json.dumps({"id": "1", "type": "subscribe", "payload": payload})))
    return sock  # never read again


async def test_a_subscriber_that_never_reads_is_dropped_and_hurts_no_one(served):
    port, key, debtor, services = served
    bus = services.extras["call_bus"]
    call_id = "slow-reader-call"
    silent = _silent_subscriber(port, key, call_id)
    received: list[int] = []
    try:
        async with (
            websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws,
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", headers={"authorization": f"Bearer {key}"}, timeout=30
            ) as http,
        ):
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": ASSIST, "variables": {"c": call_id}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            deadline = time.monotonic() + 10
            while bus.subscriber_count() < 2:  # both subscriptions are live on the server
                assert time.monotonic() < deadline, bus.subscriber_count()
                await asyncio.sleep(0.05)

            async def read() -> None:
                while True:
                    msg = json.loads(await ws.recv())
                    assert msg["type"] == "next" and "errors" not in msg["payload"], msg
                    received.append(msg["payload"]["data"]["callAssist"]["seq"])

            reader = asyncio.create_task(read())
            pushed = 0
            lag: list[float] = []
            # Push until the silent subscriber has been dropped (its socket and the server's buffers fill
            # first: a few hundred KB), then a few more turns.
            for n in range(600):
                speaker, text = LINES[n % 2]
                variables = {
                    "input": {"callId": call_id, "debtorId": debtor, "speaker": speaker, "text": text}
                }
                res = (await http.post("/graphql", json={"query": PUSH, "variables": variables})).json()
                assert not res.get("errors"), res
                pushed = res["data"]["pushTranscript"]["seq"]
                t0 = time.monotonic()
                while not received or received[-1] < pushed:
                    assert time.monotonic() - t0 < 5, f"the reading subscriber is stuck at {received[-1:]}"
                    await asyncio.sleep(0.005)
                lag.append(time.monotonic() - t0)
                if bus.subscriber_count() == 1 and n % 2 == 1:
                    break
            assert bus.subscriber_count() == 1, "the silent subscriber was never dropped"
            print(f"silent subscriber dropped after {pushed} events; slowest delivery {max(lag):.3f} s")
            for n in range(4):  # the call goes on for the one left
                speaker, text = LINES[n % 2]
                variables = {
                    "input": {"callId": call_id, "debtorId": debtor, "speaker": speaker, "text": text}
                }
                res = (await http.post("/graphql", json={"query": PUSH, "variables": variables})).json()
                pushed = res["data"]["pushTranscript"]["seq"]
            t0 = time.monotonic()
            while received[-1] < pushed:
                assert time.monotonic() - t0 < 5
                await asyncio.sleep(0.01)
            reader.cancel()
            assert (await http.get("/healthz")).status_code == 200
    finally:
        silent.close()
    # The reading subscriber got every event once and in order, silent neighbour or not.
    assert received == list(range(1, pushed + 1))
    # Nothing of the silent one is kept: every subscription ends when its socket does.
    deadline = time.monotonic() + 10
    while bus.subscriber_count():
        assert time.monotonic() < deadline, bus.subscriber_count()
        await asyncio.sleep(0.05)
