"""Benchmark-only request tracing inside the uvicorn workers of draft_load.py (`--trace`): where the tail is.

Nothing here is imported by the service. draft_load.py `--trace` writes a `sitecustomize.py` that imports this
module into the server processes it starts (PYTHONPATH), and ``install()`` then wraps, in each worker:
- the ASGI app made by ``asistente.app.app_from_env``: per HTTP request the client's port (one wrk
  connection), the instants it entered and left the app (CLOCK_MONOTONIC, comparable across processes),
  a hash of its body (a body this worker has not served before is "cold": render and check memos empty),
  and this thread's CPU while it was in the app;
- ``GroupCommitter.submit``: how long the request waited for its DRAFT event to be committed;
- ``GroupCommitter._write`` (the ledger writer thread's batch on SQLite): start, end, batch size, its CPU;
- ``gc.callbacks``: every collection's generation, start and end.
A POST to ``/__trace_freeze`` (draft_load.py ``--gc-freeze``, an experiment) makes the worker that accepts it
collect and ``gc.freeze()`` what the warm-up left, so later full collections do not walk the memos and caches
the first requests filled. A POST to ``/__trace_dump`` makes the worker that accepts it write its records to
``$DRAFT_TRACE_DIR/trace-<pid>.json``. ``analyze()`` (run by draft_load.py) rebuilds each wrk connection's
request cycle from the server's timeline: in a closed loop the client's latency of request k+1 is, within
wrk's own turnaround, ``end(k+1) - end(k)`` on the same connection; it splits that into the wait before the
app saw the request (kernel socket buffer and the busy loop) and the time inside the app, and says what the
slowest 1% overlapped.
"""

from __future__ import annotations

import gc
import json
import os
import time
import zlib
from pathlib import Path
from typing import Any

_REQ: list[
    tuple[int, int, int, int, int, int]
] = []  # port, start, end, body crc, thread cpu ns, record wait ns
_GC: list[tuple[int, int, int]] = []  # generation, start, end
_WRITES: list[tuple[int, int, int, int]] = []  # start, end, batch size, thread cpu ns
_SEEN: set[int] = set()


def install() -> None:
    out = os.environ.get("DRAFT_TRACE_DIR")
    if not out:
        return
    import contextvars

    import asistente.app as app_module
    from asistente.audit.group import GroupCommitter

    wait: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("draft_trace_wait", default=None)
    plain_submit = GroupCommitter.submit
    plain_write = GroupCommitter._write

    async def submit(self: Any, tenant_id: str, fields: Any, extra: Any = ()) -> Any:
        t0 = time.perf_counter_ns()
        try:
            return await plain_submit(self, tenant_id, fields, extra)
        finally:
            box = wait.get()
            if box is not None:
                box[0] += time.perf_counter_ns() - t0

    def write(self: Any, conn: Any, tenant_id: str, batch: list[Any]) -> Any:
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        try:
            return plain_write(self, conn, tenant_id, batch)
        finally:
            _WRITES.append((t0, time.perf_counter_ns(), len(batch), time.thread_time_ns() - c0))

    GroupCommitter.submit = submit  # type: ignore[method-assign]
    GroupCommitter._write = write  # type: ignore[method-assign]

    started: list[int] = [0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter_ns()
        else:
            _GC.append((info["generation"], started[0], time.perf_counter_ns()))

    gc.callbacks.append(on_gc)
    plain_factory = app_module.app_from_env

    def factory() -> Any:
        app = plain_factory()

        async def traced(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if scope["path"] == "/__trace_freeze":  # an experiment: freeze what the warm-up left (gc)
                gc.collect()
                gc.freeze()
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": str(os.getpid()).encode()})
                return None
            if scope["path"] == "/__trace_dump":
                Path(out, f"trace-{os.getpid()}.json").write_text(
                    json.dumps({"pid": os.getpid(), "requests": _REQ, "gc": _GC, "writes": _WRITES})
                )
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": str(os.getpid()).encode()})
                return None
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            crc = [0]

            async def receive_body() -> Any:
                message = await receive()
                if message.get("type") == "http.request":
                    crc[0] = zlib.crc32(message.get("body", b""), crc[0])
                return message

            box = [0]
            token = wait.set(box)
            try:
                await app(scope, receive_body, send)
            finally:
                wait.reset(token)
                _REQ.append(
                    (
                        (scope.get("client") or ("", 0))[1],
                        t0,
                        time.perf_counter_ns(),
                        crc[0],
                        time.thread_time_ns() - c0,
                        box[0],
                    )
                )
            return None

        return traced

    app_module.app_from_env = factory


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def analyze(directory: Path, since_ns: int, until_ns: int) -> str:
    """What the slowest 1% of request cycles of the measured window overlapped (see the module doc)."""
    lines = []
    cycles: list[dict[str, Any]] = []
    overall_gc: list[tuple[int, int, int, int]] = []
    overall_writes: list[tuple[int, int, int, int, int]] = []
    for path in sorted(directory.glob("trace-*.json")):
        doc = json.loads(path.read_text())
        pid = doc["pid"]
        reqs = sorted(doc["requests"], key=lambda r: r[1])
        seen: set[int] = set()
        last_end: dict[int, int] = {}
        n = 0
        for port, start, end, crc, _cpu, wait in reqs:
            cold = crc not in seen
            seen.add(crc)
            prev = last_end.get(port)
            last_end[port] = end
            if prev is None or not (since_ns <= prev and end <= until_ns):
                continue
            n += 1
            cycles.append(
                {
                    "pid": pid,
                    "port": port,
                    "begin": prev,
                    "start": start,
                    "end": end,
                    "cycle": (end - prev) / 1e6,
                    "before": (start - prev) / 1e6,
                    "inside": (end - start) / 1e6,
                    "record": wait / 1e6,
                    "cold": cold,
                }
            )
        ports = {c["port"] for c in cycles if c["pid"] == pid}
        lines.append(f"  worker {pid}: {n} request cycles in the window on {len(ports)} connections")
        overall_gc += [(pid, *g) for g in doc["gc"] if since_ns <= g[1] <= until_ns]
        overall_writes += [(pid, *w) for w in doc["writes"] if since_ns <= w[0] <= until_ns]
    if not cycles:
        return "trace: no request cycles in the measured window"
    seconds = (until_ns - since_ns) / 1e9
    for pid in sorted({c["pid"] for c in cycles}):
        mine = [c for c in cycles if c["pid"] == pid]
        cyc = [c["cycle"] for c in mine]
        ins = [c["inside"] for c in mine]
        rec = [c["record"] for c in mine]
        gcs = [g for g in overall_gc if g[0] == pid]
        writes = [w for w in overall_writes if w[0] == pid]
        gc_ms = sum((g[3] - g[2]) for g in gcs) / 1e6
        w_ms = sum((w[2] - w[1]) for w in writes) / 1e6
        w_cpu = sum(w[4] for w in writes) / 1e6
        lines.append(
            f"  worker {pid}: cycle p50 {_pct(cyc, 0.5):.1f} p90 {_pct(cyc, 0.9):.1f} p99 {_pct(cyc, 0.99):.1f} "
            f"max {max(cyc):.1f} ms; inside the app p50 {_pct(ins, 0.5):.1f} p99 {_pct(ins, 0.99):.1f} ms; "
            f"record wait p50 {_pct(rec, 0.5):.1f} p99 {_pct(rec, 0.99):.1f} ms; {len(mine) / seconds:.0f} req/s"
        )
        lines.append(
            f"    gc: {len(gcs)} collections (gen2 {sum(1 for g in gcs if g[1] == 2)}), {gc_ms:.0f} ms; "
            f"ledger batches: {len(writes)}, mean {sum(w[3] for w in writes) / max(len(writes), 1):.1f} events, "
            f"{w_ms:.0f} ms wall, {w_cpu:.0f} ms writer-thread CPU ({w_cpu / max(len(mine), 1) * 1000:.0f} us per draft)"
        )
    cut = _pct([c["cycle"] for c in cycles], 0.99)
    slow = [c for c in cycles if c["cycle"] >= cut]
    rest = [c for c in cycles if c["cycle"] < _pct([c["cycle"] for c in cycles], 0.5)]

    def share(group: list[dict[str, Any]], test: Any) -> str:
        return f"{100 * sum(1 for c in group if test(c)) / max(len(group), 1):.0f}%"

    def gc_ms(c: dict[str, Any], gen: int | None = None) -> float:
        """Milliseconds of this worker's collections inside the cycle."""
        return (
            sum(
                max(0, min(g[3], c["end"]) - max(g[2], c["begin"]))
                for g in overall_gc
                if g[0] == c["pid"] and (gen is None or g[1] == gen)
            )
            / 1e6
        )

    def mean(group: list[dict[str, Any]], key: Any) -> float:
        return sum((key(c) if callable(key) else c[key]) for c in group) / max(len(group), 1)

    lines.append(
        f"  slowest 1% (cycle >= {cut:.1f} ms, {len(slow)} cycles) vs the faster half (means): "
        f"before the app {mean(slow, 'before'):.1f} vs {mean(rest, 'before'):.1f} ms, inside "
        f"{mean(slow, 'inside'):.1f} vs {mean(rest, 'inside'):.1f} ms (of which record wait "
        f"{mean(slow, 'record'):.1f} vs {mean(rest, 'record'):.1f}); gc inside the cycle {mean(slow, gc_ms):.2f} vs "
        f"{mean(rest, gc_ms):.2f} ms (gen2 {mean(slow, lambda c: gc_ms(c, 2)):.2f}); cold body "
        f"{share(slow, lambda c: c['cold'])} vs {share(rest, lambda c: c['cold'])}; on worker "
        + ", ".join(
            f"{pid} {share(slow, lambda c, pid=pid: c['pid'] == pid)}"
            for pid in sorted({c["pid"] for c in cycles})
        )
    )
    walls = [(w[2] - w[1]) / 1e6 for w in overall_writes]
    if walls:
        lines.append(
            f"  ledger batch write (writer thread, wall): p50 {_pct(walls, 0.5):.1f} p90 {_pct(walls, 0.9):.1f} "
            f"p99 {_pct(walls, 0.99):.1f} max {max(walls):.1f} ms; slow cycles overlapping a batch of >= "
            f"{_pct(walls, 0.9):.1f} ms: "
            + share(
                slow,
                lambda c: any(
                    w[0] == c["pid"]
                    and w[1] < c["end"]
                    and w[2] > c["begin"]
                    and (w[2] - w[1]) / 1e6 >= _pct(walls, 0.9)
                    for w in overall_writes
                ),
            )
            + " vs "
            + share(
                rest,
                lambda c: any(
                    w[0] == c["pid"]
                    and w[1] < c["end"]
                    and w[2] > c["begin"]
                    and (w[2] - w[1]) / 1e6 >= _pct(walls, 0.9)
                    for w in overall_writes
                ),
            )
        )
    # Are slow cycles clustered in time (a stall of the whole worker) or spread (a slow request)?
    clusters = 0
    last = -1
    for c in sorted(slow, key=lambda c: (c["pid"], c["end"])):
        if last < 0 or c["end"] - last > 20_000_000:
            clusters += 1
        last = c["end"]
    lines.append(
        f"  the slowest 1% fall in {clusters} separate 20 ms windows (1 = one stall, {len(slow)} = spread)"
    )
    return "\n".join(lines)
