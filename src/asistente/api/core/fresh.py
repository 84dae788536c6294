"""Fresh reads shared by the requests waiting for them.

A recorded checkCompliance without a debtor reads one row before it can decide: the tenant's settings (its
rule-pack overlays and payment destinations) and slug. Read per request, that is a pool checkout with its
liveness ping, the statement and the rollback that returns the connection: three round trips and a worker
thread hop for one indexed row, about a seventh of a recorded check's CPU under load.

`SharedReads.read(params)` gives each caller the row as read by a statement that was sent AFTER the
caller asked: callers queue per parameter set; one task per parameter set takes every caller queued so far,
runs the statement once for them (in a worker thread, on an autocommit connection it keeps while its queue
is busy) and hands them the row; callers that arrive meanwhile wait for the next read. So no caller gets a
row older than its own request, exactly as when it read for itself (a change committed before the request
arrived is always seen), while under load one read serves every request that arrived during the previous
one. Parameter sets never share a queue, so one tenant never receives another's row.

One object per process and event loop (``shared_reads``). A failed read fails every caller that waited for
it (as their own read would have) and discards its connection; the next caller starts a new read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Executable


class SharedReads:
    """Reads of one statement (returning at most one row) shared by concurrent callers with equal parameters."""

    def __init__(self, engine: Engine, statement: Executable) -> None:
        self.engine = engine
        self.statement = statement
        self._waiting: dict[Hashable, tuple[dict[str, Any], list[asyncio.Future[Any]]]] = {}
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}
        self.reads = 0  # statements run, and callers served: for tests and benchmarks
        self.served = 0

    async def read(self, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The statement's row (as a tuple) for `params`, read after this call began; None: no row."""
        key = tuple(sorted(params.items()))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, (params, []))[1].append(future)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._drain(key))
        return await future

    async def _drain(self, key: Hashable) -> None:
        conn: Connection | None = None
        try:
            while key in self._waiting:
                params, callers = self._waiting.pop(key)  # every caller queued before the statement is sent
                try:
                    conn, row = await asyncio.to_thread(self._fetch, conn, params)
                except Exception as exc:
                    conn = None
                    for f in callers:
                        if not f.done():
                            f.set_exception(exc)
                    continue
                self.reads += 1
                self.served += len(callers)
                for f in callers:
                    if not f.done():
                        f.set_result(row)
        finally:
            if conn is not None:
                conn.close()  # back to the pool once nobody waits
            self._tasks.pop(key, None)
            if key in self._waiting:  # queued after the loop's last look
                self._tasks[key] = asyncio.create_task(self._drain(key))

    def _fetch(self, conn: Connection | None, params: dict[str, Any]) -> tuple[Connection, Any]:
        if conn is None:
            conn = self.engine.connect()  # the pool's liveness check runs here, once per busy spell
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            row = conn.execute(self.statement, params).first()
            if conn.in_transaction():
                conn.rollback()  # SQLite (no autocommit here): end the read's transaction at once
        except BaseException:
            conn.invalidate()  # a connection that failed is not reused
            conn.close()
            raise
        return conn, None if row is None else tuple(row)


def shared_reads(services: Any, name: str, statement: Executable) -> SharedReads:
    """This process's SharedReads for `statement` under `name` (one per event loop, like the ledger
    writer: its futures belong to one loop)."""
    loop_id = id(asyncio.get_running_loop())
    slot = f"shared_reads:{name}"
    found = services.extras.get(slot)
    if found is None or found[0] != loop_id:
        found = services.extras[slot] = (loop_id, SharedReads(services.engine, statement))
    return found[1]
