"""The built wheel works without the source checkout: it carries its JSON Schemas, rule packs, lexicons,
static assets and migrations, and the service starts from it and answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel, built from this checkout and unpacked into a folder of its own (no dependencies: those
    come from the test environment's site-packages, which the folder shadows for `asistente`)."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0 and "No module named" in build.stderr:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip()[-200:]}")
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(out.glob("asistente-*.whl"))
    target = out / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def _env(site: Path, workdir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ASISTENTE_", "DATABASE_URL", "REDIS_URL"))
    }
    env["PYTHONPATH"] = str(site)
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'wheel.db'}"
    return env


def test_the_wheel_carries_its_data_files(installed):
    pkg = installed / "asistente"
    assert (pkg / "schema" / "rule-pack.schema.json").is_file() and not (pkg / "schema").is_symlink()
    assert (pkg / "schema" / "portfolio-record.schema.json").is_file()
    assert list((pkg / "compliance" / "packs").glob("*.json"))
    assert (pkg / "static" / "graphiql" / "graphiql.min.js").is_file()


def test_the_service_starts_from_the_wheel_and_answers(installed, tmp_path):
    env = _env(installed, tmp_path)
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import asistente, asistente.schemas as s; print(asistente.__file__); print(s.schema_dir())",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(p.startswith(str(installed)) for p in where), where  # not the checkout
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "asistente.cli", "serve", "--demo", "--port", str(port)],
        env={**env, "ASISTENTE_DEMO_KEY_FILE": str(tmp_path / "key")},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as res:
                    assert json.load(res) == {"status": "ok"}
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"the service did not start from the wheel: {server.stdout.read()[-3000:]}"
                    ) from None
                time.sleep(0.5)
        key = (tmp_path / "key").read_text().strip()
        body = json.dumps(
            {"query": '{ debtorByExternalId(externalId: "CRM-MX-0001") { fullName segment { code } } }'}
        ).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=body,
            headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
        )
        with urllib.request.urlopen(req, timeout=10) as res:
            data = json.load(res)
        assert data["data"]["debtorByExternalId"]["fullName"] == "Ana Karen Chan Pech", data
        check = json.dumps(
            {
                "query": 'query($t: String!) { checkCompliance(input: {text: $t, channel: SMS, jurisdiction: "MX"}) { compliant } }',
                "variables": {"t": "Si no paga lo vamos a meter a la cárcel"},
            }
        ).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=check,
            headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
        )
        with urllib.request.urlopen(req, timeout=10) as res:
            assert json.load(res)["data"]["checkCompliance"]["compliant"] is False
    finally:
        server.terminate()
        server.wait(timeout=20)
