"""One listening socket per worker (asistente/serving.py): each worker unpickles a socket of its own bound to
the same address with SO_REUSEPORT, and the kernel spreads connections over them."""

from __future__ import annotations

import pickle
import socket
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest

from asistente.serving import PerWorkerSockets, reuse_port_available

pytestmark = pytest.mark.skipif(not reuse_port_available(), reason="SO_REUSEPORT is Linux's")


def test_each_process_that_unpickles_the_list_gets_a_socket_of_its_own_on_the_same_address():
    parent = PerWorkerSockets.bind("127.0.0.1", 0)
    port = parent[0].getsockname()[1]
    workers = [pickle.loads(pickle.dumps(parent)) for _ in range(2)]
    try:
        socks = [w[0] for w in workers]
        assert len({s.fileno() for s in [parent[0], *socks]}) == 3
        for s in socks:
            assert s.getsockname() == ("127.0.0.1", port)
            assert s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            s.listen(64)
        # the parent's socket never listens: every connection lands on one of the workers' sockets
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
        accepted = Counter()
        for i, s in enumerate(socks):
            s.setblocking(False)
            while True:
                try:
                    conn, _ = s.accept()
                except BlockingIOError:
                    break
                conn.close()
                accepted[i] += 1
        assert sum(accepted.values()) == 64
        assert accepted[0] > 0 and accepted[1] > 0  # P(all 64 on one socket) = 2**-63
        for c in clients:
            c.close()
    finally:
        for s in [parent[0], *[w[0] for w in workers]]:
            s.close()


def test_serve_with_two_workers_listens_once_per_worker(tmp_path):
    from tests.api.test_ledger_workers import _free_port

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "asistente.cli", "serve", "--port", str(port), "--workers", "2"],
        env={
            **__import__("os").environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
            "ASISTENTE_LOG_LEVEL": "WARNING",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        owners: set[str] = set()
        while len(owners) < 2:
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.5)
            out = subprocess.run(
                ["ss", "-Hltnp", f"( sport = :{port} )"], capture_output=True, text=True
            ).stdout
            owners = {part.split(",")[0] for part in out.split("pid=")[1:]}
        assert len(out.strip().splitlines()) == 2  # two listening sockets, one per worker
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=60)


async def _serve_once(app, requests: bytes, close_after: bool = True) -> bytes:
    """Run uvicorn with the one-write protocol on a free port, send `requests` on one connection, return
    the bytes of the first read and then everything until the server closes."""
    import asyncio

    import uvicorn

    from asistente.serving import OneWriteHttpToolsProtocol

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, http=OneWriteHttpToolsProtocol, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(requests)
        first = await reader.read(65536)
        rest = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        return first, rest
    finally:
        server.should_exit = True
        await task


async def _hello(scope, receive, send) -> None:
    await receive()
    body = f"hola {scope['path']}".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def test_a_response_reaches_the_client_as_one_write_and_keep_alive_keeps_its_order():
    one = b"GET /a HTTP/1.1\r\nhost: x\r\n\r\n"
    last = b"GET /b HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    first, rest = await _serve_once(_hello, one)  # the server closes the idle connection only on exit
    assert first.startswith(b"HTTP/1.1 200 OK\r\n") and first.endswith(b"\r\n\r\nhola /a")  # one read: all
    first, rest = await _serve_once(_hello, one + last)  # pipelined: answered in order, then closed
    both = first + rest
    assert both.count(b"HTTP/1.1 200 OK") == 2 and both.index(b"hola /a") < both.index(b"hola /b")
    assert both.endswith(b"hola /b")


async def test_a_streamed_response_is_written_chunk_by_chunk_in_order():
    import asyncio

    async def stream(scope, receive, send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(3):
            await send({"type": "http.response.body", "body": f"parte {i};".encode(), "more_body": True})
            await asyncio.sleep(0.01)
        await send({"type": "http.response.body", "body": b"fin"})

    first, rest = await _serve_once(stream, b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    text = (first + rest).decode()
    assert "transfer-encoding: chunked" in text
    positions = [text.index(p) for p in ("parte 0;", "parte 1;", "parte 2;", "fin")]
    assert positions == sorted(positions) and text.endswith("0\r\n\r\n")


async def test_the_writes_of_one_loop_iteration_leave_as_one_and_close_flushes_first():
    import asyncio

    from asistente.serving import _OneWrite

    class Transport:
        def __init__(self) -> None:
            self.calls: list[bytes] = []
            self.closed = False

        def write(self, data: bytes) -> None:
            assert not self.closed
            self.calls.append(data)

        def is_closing(self) -> bool:
            return self.closed

        def close(self) -> None:
            self.closed = True

        def get_write_buffer_size(self) -> int:
            return 0

        def get_extra_info(self, name: str) -> str:
            return f"info {name}"

    raw = Transport()
    t = _OneWrite(raw, asyncio.get_running_loop())
    t.write(b"HTTP/1.1 200 OK\r\n\r\n")
    t.write(b"hola")
    assert raw.calls == [] and t.get_write_buffer_size() == 23
    await asyncio.sleep(0)
    assert raw.calls == [b"HTTP/1.1 200 OK\r\n\r\nhola"]  # one system call for headers and body
    t.write(b"adios")
    t.close()  # connection: close right after the last body
    assert raw.calls[-1] == b"adios" and raw.closed
    await asyncio.sleep(0)  # the scheduled flush finds nothing left
    assert len(raw.calls) == 2
    assert t.get_extra_info("peername") == "info peername"  # everything else is the transport's
