"""Opening the sidebar as an agent does: headless Chromium loads /sidebar.html for a debtor with a fresh
record-bound session, until the debtor card is on screen; then the plan check (validate a failing plan until
its counter-offer shows). The floor: the same browser loading a static page of the same service (/demo
assets) to first paint, which is what any page costs on this machine.

Usage:
    .venv/bin/python benchmarks/sidebar_open.py [--runs 20] [--chromium /usr/bin/chromium]

Starts `asistente serve --demo` on a free port with a temporary SQLite database, mints one session per run
(a different demo debtor each run, round-robin over 20: distinct records, not the best case of one warm
card), and reports median and p90 in milliseconds. Needs the system Chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# A load test drives one key far past the default rate limits (1,200/min per key): the servers this script
# starts inherit these, so the figures measure the operation, not 429s. Set them yourself to measure limits.
for _name in ("ASISTENTE_RATE_LIMIT_KEY", "ASISTENTE_RATE_LIMIT_SESSION", "ASISTENTE_RATE_LIMIT_TENANT"):
    os.environ.setdefault(_name, "0")

BIN = Path(sys.executable).parent / "asistente"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(db: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    out = subprocess.run(
        [str(BIN), *args], env=env, capture_output=True, text=True, check=True, cwd=db.parent
    )
    return out.stdout.strip().splitlines()[-1]


def _gql(url: str, key: str, query: str, variables: dict) -> dict:
    req = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        integrator = _cli(db, "keys", "create", "--tenant", "demo", "--role", "INTEGRATOR")
        port = _port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
        proc = subprocess.Popen(
            [str(BIN), "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                        break
                except OSError:
                    time.sleep(0.2)
            records = [
                e["node"]["externalId"]
                for e in _gql(
                    url, integrator, "{ debtors(first: 20) { edges { node { externalId } } } }", {}
                )["data"]["debtors"]["edges"]
            ]
            mint = 'mutation($r: String!){ createAgentSession(agentId: "bench", recordId: $r) { token } }'
            opened, checked, floor = [], [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                for i in range(args.runs + 2):  # two warm-up runs, not counted
                    record = records[i % len(records)]
                    token = _gql(url, integrator, mint, {"r": record})["data"]["createAgentSession"]["token"]
                    ctx = browser.new_context()
                    page = ctx.new_page()
                    t0 = time.perf_counter()
                    page.goto(f"{url}/demo/assets/demo.css")
                    t1 = time.perf_counter()
                    page.goto(f"{url}/sidebar.html?recordId={record}&lang=es#token={token}")
                    side = page.locator("asistente-sidebar")
                    expect(side.locator("#card-total")).to_be_visible(timeout=30_000)
                    t2 = time.perf_counter()
                    side.locator("#plan-n").fill("48")
                    side.locator("#plan-validate").click()
                    expect(side.locator("#plan-verdict")).to_be_visible(timeout=30_000)
                    t3 = time.perf_counter()
                    ctx.close()
                    if i >= 2:
                        floor.append((t1 - t0) * 1000)
                        opened.append((t2 - t1) * 1000)
                        checked.append((t3 - t2) * 1000)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    for name, values in (
        ("floor: static asset page", floor),
        ("open: card on screen", opened),
        ("plan check: verdict on screen", checked),
    ):
        print(f"{name:32s} median {statistics.median(values):7.1f} ms  p90 {_pct(values, 0.9):7.1f} ms")
    print(f"runs={args.runs} load={os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
