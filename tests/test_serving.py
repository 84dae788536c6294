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
