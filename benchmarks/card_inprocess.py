"""CPU cost of one debtor card in-process (no network, no load generator): the ASGI app called directly.

Prints, for the demo portfolio on a fresh SQLite file, the cost of the full card (tests/api/data.py
FULL_CARD) when its snapshot must be built (the first view after a change: "cold"), when it comes from the
cached card path ("warm"), and with the cached path off (every card executed field by field).

    .venv/bin/python benchmarks/card_inprocess.py [--cards 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.api.data import FULL_CARD  # noqa: E402

from asistente.app import create_app  # noqa: E402
from asistente.db import make_engine, make_session_factory  # noqa: E402
from asistente.demo import seed_demo  # noqa: E402
from asistente.migrate import upgrade  # noqa: E402
from asistente.settings import Settings  # noqa: E402


def caller(app, key: str):
    async def call(body: bytes) -> bytes:
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        headers = [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {key}".encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "server": ("bench", 80),
            "client": ("bench", 1),
        }
        await app(scope, receive, send)
        assert sent[0]["status"] == 200, sent
        return b"".join(m.get("body", b"") for m in sent[1:])

    return call


async def run(cards: int) -> None:
    with tempfile.TemporaryDirectory(prefix="asistente-card-") as tmp:
        url = f"sqlite:///{tmp}/card.db"
        engine = make_engine(url)
        upgrade(engine)
        key = seed_demo(make_session_factory(engine))
        for label, size in (("cached card path", 5000), ("cache off (field by field)", 0)):
            app = create_app(Settings(database_url=url, demo=True, card_cache_size=size))
            call = caller(app, key)
            listing = json.loads(
                await call(json.dumps({"query": "{ debtors(first: 60) { edges { node { id } } } }"}).encode())
            )
            ids = [e["node"]["id"] for e in listing["data"]["debtors"]["edges"]]
            bodies = [json.dumps({"query": FULL_CARD, "variables": {"id": i}}).encode() for i in ids]
            for body in bodies[:1]:
                await call(body)
            cold = []
            for body in bodies[1:]:
                t = time.perf_counter()
                await call(body)
                cold.append(time.perf_counter() - t)
            warm = []
            for i in range(cards):
                t = time.perf_counter()
                out = await call(bodies[i % len(bodies)])
                warm.append(time.perf_counter() - t)
            assert b'"errors"' not in out
            print(
                f"{label:28} first view: median {statistics.median(cold) * 1000:6.2f} ms   "
                f"repeat views ({cards}): median {statistics.median(warm) * 1000:6.3f} ms, "
                f"p99 {sorted(warm)[int(len(warm) * 0.99)] * 1000:6.3f} ms"
            )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=3000)
    args = parser.parse_args()
    asyncio.run(run(args.cards))


if __name__ == "__main__":
    main()
