"""Two processes writing batch after batch to one SQLite file: how long a batch waits for the write lock,
with SQLite's own wait (busy_timeout) and with an OS file lock taken first (asistente.calls.commit).

    .venv/bin/python benchmarks/sqlite_lock_fairness.py [--seconds 5] [--hold-ms 3]

Each batch: BEGIN, an UPDATE (takes the write lock), `--hold-ms` of work, COMMIT; the next batch starts
1 ms later, like a turn committer with turns waiting. SQLite's busy handler polls with growing sleeps
(1, 2, 5, 10 ... 100 ms), so a waiter often sleeps through the moment the lock is free and the other
process takes it again; the file lock wakes the waiter when it is released, in arrival order.
"""

from __future__ import annotations

import argparse
import fcntl
import multiprocessing as mp
import os
import sqlite3
import tempfile
import time


def worker(path: str, queue_first: bool, seconds: float, hold: float, out: mp.Queue) -> None:
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    waits = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        handle = None
        if queue_first:
            handle = open(path + "-queue.lock", "a+b")  # noqa: SIM115 (held across the transaction)
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        con.execute("BEGIN")
        con.execute("UPDATE t SET n = n + 1")
        waits.append((time.perf_counter() - t0) * 1000)
        time.sleep(hold)
        con.execute("COMMIT")
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
        time.sleep(0.001)
    out.put(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--hold-ms", type=float, default=3.0)
    args = parser.parse_args()
    for queue_first in (False, True):
        path = os.path.join(tempfile.mkdtemp(prefix="sqlite-fair-"), "x.db")
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE t (n INTEGER)")
        con.execute("INSERT INTO t VALUES (0)")
        con.commit()
        con.close()
        out: mp.Queue = mp.Queue()
        procs = [
            mp.Process(target=worker, args=(path, queue_first, args.seconds, args.hold_ms / 1000, out))
            for _ in range(2)
        ]
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        waits = sorted(w for r in results for w in r)

        def pct(q: float, waits: list[float] = waits) -> float:
            return waits[min(len(waits) - 1, int(q * len(waits)))]

        label = "file lock first " if queue_first else "SQLite wait only"
        print(
            f"{label}: {len(waits)} batches (per process {[len(r) for r in results]}); lock wait "
            f"p50 {pct(0.5):.1f} p90 {pct(0.9):.1f} p99 {pct(0.99):.1f} max {waits[-1]:.1f} ms; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
