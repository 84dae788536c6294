"""Where a recorded check's tail comes from: a probe loaded into each uvicorn worker by `ledger_load.py --probe`.

Benchmark-only (never imported by the service). `ledger_load.py --probe DIR` puts a `sitecustomize.py` on the
server's PYTHONPATH that calls `install(DIR)` in every process; the uvicorn workers then record, per request
and per worker:

- ``read``: when the worker's event loop got the request's bytes (uvicorn's ``data_received``) and when its
  ASGI application was entered, and when the last body message was sent back;
- ``ledger``: when the request queued its event for the group commit and when its commit was known;
- ``batches``: size and write time of each group-commit batch;
- ``lag``: how late a 2 ms ticker on the event loop woke (what any request waiting on the loop waits);
- ``gc``: each collection's generation and pause;
- connections opened (``connection_made``) per worker.

At exit each worker writes ``DIR/probe-<pid>.json``; `summarise(DIR)` prints the breakdown.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

_REQ: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("probe_req", default=None)
DATA: dict[str, Any] = {"requests": [], "batches": [], "lag": [], "gc": [], "connections": 0, "lag_max": []}
_now = time.perf_counter


def install(out_dir: str) -> None:
    out = Path(out_dir)

    def dump() -> None:
        if not DATA["requests"]:
            return
        (out / f"probe-{os.getpid()}.json").write_text(json.dumps(DATA))

    atexit.register(dump)
    _patch_uvicorn()
    _patch_ledger()
    _patch_app(dump)
    _gc_probe()


def _patch_uvicorn() -> None:
    try:
        from uvicorn.protocols.http import h11_impl, httptools_impl
    except ImportError:
        return
    for mod, cls in ((httptools_impl, "HttpToolsProtocol"), (h11_impl, "H11Protocol")):
        proto = getattr(mod, cls)
        original = proto.data_received
        made = proto.connection_made

        def data_received(self: Any, data: bytes, _original: Any = original) -> None:
            _REQ.set({"got": _now()})  # the task created for the request copies this context
            _original(self, data)

        def connection_made(self: Any, transport: Any, _made: Any = made) -> None:
            DATA["connections"] += 1
            _made(self, transport)

        proto.data_received = data_received
        proto.connection_made = connection_made


def _patch_ledger() -> None:
    import asistente.audit.group as group

    cls = group.GroupCommitter
    submit = cls.submit

    async def probed_submit(self: Any, *args: Any, **kwargs: Any) -> Any:
        req = _REQ.get()
        t0 = _now()
        try:
            return await submit(self, *args, **kwargs)
        finally:
            if req is not None:
                req["queued"], req["committed"] = t0, _now()

    cls.submit = probed_submit
    for name in ("_write", "_write_async"):
        write = getattr(cls, name, None)
        if write is None:
            continue
        if asyncio.iscoroutinefunction(write):

            async def probed_write(self: Any, conn: Any, tenant: str, batch: list, _w: Any = write) -> Any:
                t0 = _now()
                try:
                    return await _w(self, conn, tenant, batch)
                finally:
                    DATA["batches"].append((len(batch), t0, _now()))

        else:

            def probed_write(self: Any, conn: Any, tenant: str, batch: list, _w: Any = write) -> Any:  # type: ignore[misc]
                t0 = _now()
                try:
                    return _w(self, conn, tenant, batch)
                finally:
                    DATA["batches"].append((len(batch), t0, _now()))

        setattr(cls, name, probed_write)


def _patch_app(dump: Any) -> None:
    import asistente.app as app_module

    factory = app_module.app_from_env

    def probed_factory() -> Any:
        inner = factory()

        async def app(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":
                await _lifespan(inner, scope, receive, send, dump)
                return
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            req = _REQ.get() or {}
            req["asgi"] = _now()

            async def probed_send(message: dict) -> None:
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    req["sent"] = _now()

            await inner(scope, receive, probed_send)
            if "got" in req and "sent" in req:
                DATA["requests"].append(
                    (req["got"], req["asgi"], req.get("queued", 0.0), req.get("committed", 0.0), req["sent"])
                )

        return app

    app_module.app_from_env = probed_factory


async def _lifespan(inner: Any, scope: dict, receive: Any, send: Any, dump: Any) -> None:
    ticker = asyncio.get_running_loop().create_task(_ticker())

    async def probed_send(message: dict) -> None:
        if message["type"] == "lifespan.shutdown.complete":
            ticker.cancel()
            dump()
        await send(message)

    await inner(scope, receive, probed_send)


async def _ticker() -> None:
    period = 0.002
    while True:
        t0 = _now()
        await asyncio.sleep(period)
        late = _now() - t0 - period
        DATA["lag"].append((t0, late))


def _gc_probe() -> None:
    started: dict[str, float] = {}

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started["t"] = _now()
        elif "t" in started:
            DATA["gc"].append((info["generation"], started["t"], _now() - started.pop("t")))

    gc.callbacks.append(callback)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def summarise(out_dir: str | Path, since: float | None = None, until: float | None = None) -> str:
    """One line per worker and one for all: connections, requests, and where p50/p99 of the server-side time
    goes. Times in ms. ``since``/``until``: perf_counter window (same clock on one host)."""
    lines = []
    every: dict[str, list[float]] = {k: [] for k in ("total", "before", "resolve", "ledger", "after", "lag")}
    tail: dict[str, list[float]] = {k: [] for k in ("before", "resolve", "ledger", "after")}
    for path in sorted(Path(out_dir).glob("probe-*.json")):
        d = json.loads(path.read_text())
        reqs = [r for r in d["requests"] if r[2] and (since is None or since <= r[0] <= (until or 1e18))]
        if not reqs:
            continue
        parts: dict[str, list[float]] = {k: [] for k in every}
        for got, asgi, queued, committed, sent in reqs:
            parts["total"].append(1000 * (sent - got))
            parts["before"].append(1000 * (asgi - got))
            parts["resolve"].append(1000 * (queued - asgi))
            parts["ledger"].append(1000 * (committed - queued))
            parts["after"].append(1000 * (sent - committed))
        t_first, t_last = reqs[0][0], reqs[-1][0]
        lag = [1000 * late for t, late in d["lag"] if t_first <= t <= t_last]
        parts["lag"] = lag
        gcs = [(g, 1000 * dur) for g, t, dur in d["gc"] if t_first <= t <= t_last]
        batches = [(n, 1000 * (t1 - t0)) for n, t0, t1 in d["batches"] if t_first <= t0 <= t_last]
        p99 = _pct(parts["total"], 0.99)
        slow = [i for i, v in enumerate(parts["total"]) if v >= p99]
        for k in tail:
            tail[k] += [parts[k][i] for i in slow]
        for k in every:
            every[k] += parts[k]
        lines.append(
            f"worker {path.stem[6:]}: connections {d['connections']}, {len(reqs)} requests "
            f"({len(reqs) / max(t_last - t_first, 1e-9):.0f}/s); server-side p50 {_pct(parts['total'], 0.5):.1f} "
            f"p99 {p99:.1f} ms; p50/p99 of: before ASGI {_pct(parts['before'], 0.5):.2f}/{_pct(parts['before'], 0.99):.2f}, "
            f"resolver {_pct(parts['resolve'], 0.5):.2f}/{_pct(parts['resolve'], 0.99):.2f}, "
            f"ledger {_pct(parts['ledger'], 0.5):.1f}/{_pct(parts['ledger'], 0.99):.1f}, "
            f"after {_pct(parts['after'], 0.5):.2f}/{_pct(parts['after'], 0.99):.2f}; "
            f"loop lag p50/p99/max {_pct(lag, 0.5):.2f}/{_pct(lag, 0.99):.2f}/{max(lag, default=0):.1f}; "
            f"gc {len(gcs)} ({sum(1 for g, _ in gcs if g == 2)} full), pause max {max((x for _, x in gcs), default=0):.1f} "
            f"sum {sum(x for _, x in gcs):.0f}; batches {len(batches)}, mean size "
            f"{sum(n for n, _ in batches) / max(len(batches), 1):.1f}, write p50/p99 "
            f"{_pct([x for _, x in batches], 0.5):.1f}/{_pct([x for _, x in batches], 0.99):.1f}"
        )
    if every["total"]:
        lines.append(
            "requests at or over their worker's p99, mean ms: "
            + ", ".join(f"{k} {sum(v) / max(len(v), 1):.1f}" for k, v in tail.items())
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(sys.argv[1]))
