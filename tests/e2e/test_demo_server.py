"""The README's demo command for real: `asistente serve --demo` under uvicorn, used by the example client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "asistente"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path, port: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    proc = subprocess.Popen(
        [str(BIN), "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=db.parent,
    )
    key = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("Authorization: Bearer "):
            key = line.split()[-1]
        if "Uvicorn running" in line or "Application startup complete" in line:
            break
    assert key, "the demo did not print a key"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as res:
                if res.status == 200:
                    return proc, key
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    pytest.fail("server did not become healthy")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.skipif(not BIN.exists(), reason="the asistente console script is not installed")
def test_demo_server_with_example_client(tmp_path):
    port = _free_port()
    db = tmp_path / "demo.db"
    proc, key = _serve(db, port)
    try:
        out = subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "client.py"),
                "--url",
                f"http://127.0.0.1:{port}/graphql",
                "--key",
                key,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert "segment" in out.stdout and "owes" in out.stdout and "call now:" in out.stdout
        assert "text compliant: False" in out.stdout and "THREAT_OF_ARREST" in out.stdout
    finally:
        _stop(proc)
    # a second start seeds nothing more and prints the same working key (kept beside the database)
    proc, key2 = _serve(db, port)
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            method="POST",
            data=b'{"query":"{ debtors(first: 100) { edges { node { id } } } }"}',
            headers={"authorization": f"Bearer {key2}", "content-type": "application/json"},
        )
        import json

        with urllib.request.urlopen(req, timeout=10) as res:
            edges = json.load(res)["data"]["debtors"]["edges"]
        assert len(edges) == 66
        assert key2 == key
    finally:
        _stop(proc)
