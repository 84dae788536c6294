"""What the HTTP + GraphQL layer costs per request: server CPU of `{ me }` and of a recorded checkCompliance.

Usage:
    .venv/bin/python benchmarks/gql_overhead.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/DB]
        [--requests 2000] [--concurrency 50] [--rate-limits] [--profile me|check] [--profile-out FILE]

The real application (`create_app`, rate limits off unless `--rate-limits`) is called directly as an ASGI
app: a minimal driver builds the scope, hands the body over and collects the response, so nearly all the
CPU counted is the server's (no client library, no sockets). An AGENT key bound to an agent, the same
documents as `ledger_load.py` (`{ me { tenant } }`, and a 60-character checkCompliance recorded through the
group committer). `--concurrency` requests are kept in flight on one event loop (as a uvicorn worker does,
so the ledger batches as it does under load). Reported per document: CPU per request (`time.process_time`
of this process, every thread: the app, the driver, the database driver; PostgreSQL's own work is in its
server process) and requests per CPU-second. `--profile` runs the document under cProfile instead and
prints the top functions by cumulative and by own time.

Default database: a temporary SQLite file. Results: benchmarks/README.md, "The HTTP and GraphQL layer".
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import subprocess
import tempfile
import time

for _name in (
    "ASISTENTE_RATE_LIMIT_KEY",
    "ASISTENTE_RATE_LIMIT_SESSION",
    "ASISTENTE_RATE_LIMIT_TENANT",
    "ASISTENTE_RATE_LIMIT_AUTH_FAILURES",
):
    os.environ.setdefault(_name, "0")
os.environ.setdefault("ASISTENTE_LOG_LEVEL", "WARNING")

ME = b'{"query":"{ me { tenant } }"}'
CHECK = (
    b'{"query":"query($t: String!) { checkCompliance(input: {text: $t, channel: CALL, jurisdiction: \\"MX\\"}) '
    b'{ compliant auditId } }","variables":{"t":"Hola, le llamo de Cobranzas Acme para hablar de su cuenta."}}'
)
TYPENAME = b'{"query":"{ __typename }"}'
LOOP_SHARE: list[float] = []  # share of the CPU spent on the event loop's thread (the rest: worker threads)
DOCS = {"typename": TYPENAME, "me": ME, "check": CHECK}


async def call(app, body: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
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
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    status = 0
    chunks: list[bytes] = []

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def run(app, body: bytes, headers, requests: int, concurrency: int) -> float:
    """CPU ms per request over `requests` requests with `concurrency` in flight."""
    left = requests
    bad: list[bytes] = []

    async def client() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            status, out = await call(app, body, headers)
            if status != 200 or b'"errors"' in out:
                bad.append(out[:300])

    t0, m0 = time.process_time(), time.thread_time()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    cpu = time.process_time() - t0
    LOOP_SHARE.append((time.thread_time() - m0) / cpu if cpu else 0.0)
    if bad:
        raise SystemExit(f"{len(bad)} failed requests, e.g. {bad[0]!r}")
    return cpu / requests * 1000


def setup(url: str | None) -> tuple[str, str]:
    from asistente import models  # noqa: F401
    from asistente.db import Base, make_engine, make_session_factory, transaction
    from asistente.enums import Role
    from asistente.tenants.service import create_api_key

    url = url or f"sqlite:///{tempfile.mkdtemp()}/gql_overhead.db"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with transaction(make_session_factory(engine)) as s:
        key = create_api_key(
            s, tenant_slug=f"bench-{int(time.time())}", role=Role.AGENT, agent_external_id="bench-agent"
        )
    engine.dispose()
    return url, key


async def main_async(args) -> None:
    from asistente.app import create_app, freeze_startup_objects
    from asistente.settings import Settings

    url, key = setup(args.url)
    os.environ["DATABASE_URL"] = url
    if args.rate_limits:
        for name in (
            "ASISTENTE_RATE_LIMIT_KEY",
            "ASISTENTE_RATE_LIMIT_SESSION",
            "ASISTENTE_RATE_LIMIT_TENANT",
        ):
            os.environ[name] = "100000000"
    app = freeze_startup_objects(create_app(Settings()))
    headers = [(b"authorization", f"Bearer {key}".encode()), (b"content-type", b"application/json")]
    for body in DOCS.values():  # warm-up: imports, packs, connections, caches
        await run(app, body, headers, 200, args.concurrency)
    if args.profile:
        prof = cProfile.Profile(
            time.thread_time
        )  # the event loop thread's CPU (waits and worker threads do not count)
        prof.enable()
        await run(app, DOCS[args.profile], headers, args.requests, args.concurrency)
        prof.disable()
        stats = pstats.Stats(prof)
        if args.profile_out:
            stats.dump_stats(args.profile_out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(35)
        return
    for name, body in DOCS.items():
        runs = [await run(app, body, headers, args.requests, args.concurrency) for _ in range(args.rounds)]
        shown = " / ".join(f"{r:.3f}" for r in runs)
        loop = 100 * sum(LOOP_SHARE[-args.rounds :]) / args.rounds
        print(
            f"{name:6} CPU per request {shown} ms (best {min(runs):.3f} ms, {1000 / min(runs):,.0f} req per CPU-s; "
            f"{loop:.0f}% on the event loop's thread)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate-limits", action="store_true", help="in-process rate limits on (very high)")
    parser.add_argument("--profile", choices=sorted(DOCS))
    parser.add_argument("--profile-out", default=None)
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    asyncio.run(main_async(args))
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
