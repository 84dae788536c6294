"""Fresh reads shared by the requests waiting for them.

A recorded checkCompliance without a debtor reads one row before it can decide: the tenant's settings (its
rule-pack overlays and payment destinations) and slug. Read per request, that is a pool checkout with its
liveness ping, the statement and the rollback that returns the connection: three round trips and a worker
thread hop for one indexed row, about a seventh of a recorded check's CPU under load.

`SharedReads.read(params)` gives each caller the row as read by a statement that was sent AFTER the
caller asked: callers queue per parameter set; one task per parameter set takes every caller queued so far,
runs the statement once for them and hands them the row; callers that arrive meanwhile wait for the next
read. On PostgreSQL with psycopg the statement runs on the event loop itself, on an autocommit
``psycopg.AsyncConnection`` of this object's own (no worker thread, no pool checkout: a read costs the
loop about 0.1 ms of CPU); elsewhere in a worker thread on a pooled connection kept while the queue is
busy. So no caller gets a
row older than its own request, exactly as when it read for itself (a change committed before the request
arrived is always seen), while under load one read serves every request that arrived during the previous
one. Parameter sets never share a queue, so one tenant never receives another's row.

One object per process and event loop (``shared_reads``). A failed read fails every caller that waited for
it (as their own read would have) and discards its connection; the next caller starts a new read. A kept
connection found broken (the server restarted) is replaced once, within the same read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

import psycopg
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Executable

MAX_IDLE = 4  # async connections kept for the next busy spell (one per tenant read at the same moment)


class SharedReads:
    """Reads of one statement (returning at most one row) shared by concurrent callers with equal parameters."""

    def __init__(self, engine: Engine, statement: Executable) -> None:
        self.engine = engine
        self.statement = statement
        self._waiting: dict[Hashable, tuple[dict[str, Any], list[asyncio.Future[Any]]]] = {}
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}
        self._on_loop = engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        if self._on_loop:
            compiled = statement.compile(dialect=engine.dialect)
            self._sql = str(compiled)  # pyformat: %(name)s
            self._constants = dict(compiled.params)
            self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._idle: list[psycopg.AsyncConnection[Any]] = []
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
        if self._on_loop:
            await self._drain_on_loop(key)
            return
        conn: Connection | None = None
        try:
            while key in self._waiting:
                params, callers = self._waiting.pop(key)  # every caller queued before the statement is sent
                try:
                    conn, row = await asyncio.to_thread(self._fetch, conn, params)
                except Exception as exc:
                    conn = None
                    self._fail(callers, exc)
                    continue
                self._serve(callers, row)
        finally:
            if conn is not None:
                conn.close()  # back to the pool once nobody waits
            self._done(key)

    async def _drain_on_loop(self, key: Hashable) -> None:
        conn: psycopg.AsyncConnection[Any] | None = None
        try:
            while key in self._waiting:
                params, callers = self._waiting.pop(key)  # every caller queued before the statement is sent
                try:
                    conn, row = await self._fetch_on_loop(conn, params)
                except Exception as exc:
                    conn = None
                    self._fail(callers, exc)
                    continue
                self._serve(callers, row)
        finally:
            if conn is not None:
                if len(self._idle) < MAX_IDLE and not conn.closed:
                    self._idle.append(conn)
                else:
                    await conn.close()
            self._done(key)

    async def _fetch_on_loop(
        self, conn: psycopg.AsyncConnection[Any] | None, params: dict[str, Any]
    ) -> tuple[psycopg.AsyncConnection[Any], Any]:
        values = {**self._constants, **params}
        kept = conn is not None or bool(self._idle)
        for attempt in (1, 2):
            if conn is None:
                if self._idle and attempt == 1:
                    conn = self._idle.pop()
                else:
                    conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
            try:
                cur = await conn.execute(self._sql, values)
                row = await cur.fetchone()
            except psycopg.OperationalError:
                await conn.close()
                conn = None
                if attempt == 1 and kept:
                    continue  # a kept connection that broke meanwhile: once more on a new one
                raise
            except BaseException:
                await conn.close()
                raise
            return conn, None if row is None else tuple(row)
        raise AssertionError("unreachable")

    def _serve(self, callers: list[asyncio.Future[Any]], row: Any) -> None:
        self.reads += 1
        self.served += len(callers)
        for f in callers:
            if not f.done():
                f.set_result(row)

    def _fail(self, callers: list[asyncio.Future[Any]], exc: Exception) -> None:
        for f in callers:
            if not f.done():
                f.set_exception(exc)

    def _done(self, key: Hashable) -> None:
        self._tasks.pop(key, None)
        if key in self._waiting:  # queued after the loop's last look
            self._tasks[key] = asyncio.create_task(self._drain(key))

    async def close(self) -> None:
        """Close the kept connections (application shutdown, after the last request)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()

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
    writer: its futures and connections belong to one loop)."""
    loop_id = id(asyncio.get_running_loop())
    slot = f"{SLOT}{name}"
    found = services.extras.get(slot)
    if found is None or found[0] != loop_id:
        found = services.extras[slot] = (loop_id, SharedReads(services.engine, statement))
    return found[1]


async def close_shared_reads(services: Any) -> None:
    """Close this event loop's shared readers' connections (application shutdown)."""
    loop_id = id(asyncio.get_running_loop())
    for slot, found in list(services.extras.items()):
        if isinstance(slot, str) and slot.startswith(SLOT) and found[0] == loop_id:
            await found[1].close()


SLOT = "shared_reads:"
