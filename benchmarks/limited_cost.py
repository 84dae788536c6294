"""What a rate-limited request costs: CPU per request of a 429, of a served `{ me }`, and of a trivial ASGI app.

Usage: .venv/bin/python benchmarks/limited_cost.py [--requests 2000]

In process (httpx ASGI transport, SQLite, one ADMIN key limited to 1 request a minute), sequential, CPU time
of this process: the client is included, so the trivial app's figure is the client's own cost and the
difference is the server's. Results: benchmarks/README.md, "Rate limits".
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time

import httpx

from asistente import models  # noqa: F401
from asistente.app import create_app
from asistente.db import Base, make_engine, make_session_factory, transaction
from asistente.enums import Role
from asistente.settings import Settings
from asistente.tenants.service import create_api_key

ME = '{"query":"{ me { tenant } }"}'


async def trivial(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 429, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def cpu_per_request(app, headers: dict, n: int, status: int) -> float:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for _ in range(20):  # warm-up (and, for the limited app, use up the one allowed request)
            await client.post("/graphql", content=ME, headers=headers)
        t0 = time.process_time()
        for _ in range(n):
            res = await client.post("/graphql", content=ME, headers=headers)
            assert res.status_code == status, res.text[:200]
        return (time.process_time() - t0) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    n = parser.parse_args().requests
    url = f"sqlite:///{tempfile.mkdtemp()}/limited.db"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with transaction(make_session_factory(engine)) as s:
        key = create_api_key(s, tenant_slug="bench", role=Role.ADMIN)
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    limited = create_app(Settings(database_url=url, rate_limit_key=1))
    served = create_app(Settings(database_url=url, rate_limit_key=0))
    base = asyncio.run(cpu_per_request(trivial, headers, n, 429))
    lim = asyncio.run(cpu_per_request(limited, headers, n, 429))
    full = asyncio.run(cpu_per_request(served, headers, n, 200))
    print(f"CPU per request, client included: trivial ASGI app {base:.3f} ms, limited (429) {lim:.3f} ms,")
    print(
        f"served {{ me }} {full:.3f} ms; server's own: limited {lim - base:.3f} ms, served {full - base:.3f} ms"
    )


if __name__ == "__main__":
    main()
