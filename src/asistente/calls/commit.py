"""Group commit of call turns: the turns of one tenant that arrive together share one transaction.

A turn's writes are few but serial: take the call's row (its seq and disclosure state), append the turn's
record to the tenant's ledger (the chain's head is one row per tenant), insert the call's events, commit.
One transaction per turn makes the ledger head and the commit the limit of a whole contact centre (every
call of a tenant waits on the same head row; a commit costs 30-60 ms on a busy shared disk), and written
from the event loop it stalls every other request of the worker meanwhile.

Here a turn is prepared first (suggestions or the line's check, outside any lock) and handed to the
tenant's committer as a ``PendingTurn``: what to bind, what to check once the call is locked, and a pure
``plan`` that, given the locked call, returns the turn's ledger record and events. The committer gathers
the turns that are waiting, and in one transaction run in a worker thread: binds new calls, locks the
batch's call rows (in id order, so two workers never deadlock; then the ledger head, the same order as
every other call writer), plans each turn in arrival order (two turns of one call get consecutive turn
numbers and seqs), appends the records with ``ledger.record_many`` (exactly the chain one-by-one
recording builds), inserts the batch's events (one multi-row insert) and commits. Each turn's caller gets its committed events (or its
own error: an ended call, another debtor) only after the commit: no event without its record, nothing
half-written (a failed transaction fails every turn of the batch and stores none).

State is per process and event loop and lives only while a batch is pending: nothing another worker needs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows): SQLite's own wait only
    fcntl = None  # type: ignore[assignment]

from asistente.audit import ledger
from asistente.calls import store
from asistente.errors import DomainError

__all__ = ["PendingTurn", "TurnCommitter", "TurnPlan", "write_turns"]

MAX_BATCH = 200


@dataclass(frozen=True)
class TurnPlan:
    """What one turn writes, decided from the locked call."""

    turn: int
    record: dict[str, Any]  # ledger.record_many's item (kind, actor, debtor_id, call_id, input, output...)
    drafts: Callable[[str], Sequence[dict[str, Any]]]  # the events, given the record's audit id
    disclosure: dict[str, Any]  # the call's disclosure state after the turn
    ends: bool = False  # the end of the call (endCall): its event belongs to no turn; the call is ENDED


@dataclass(frozen=True)
class PendingTurn:
    call_id: str
    binding: store.Binding | None  # set when the call may be new: bound (if absent) before it is locked
    check: Callable[[store.LockedCall | None], None]  # raises a DomainError when the call may not take it
    plan: Callable[[store.LockedCall], TurnPlan]
    now: datetime


def write_turns(
    session_factory: Callable[[], Session], tenant_id: str, turns: Sequence[PendingTurn]
) -> list[list[dict[str, Any]] | DomainError]:
    """Write a batch of one tenant's turns in one transaction; per turn, its events' payloads (with their
    seqs) or the DomainError its check raised (that turn writes nothing). Synchronous: run it in a thread."""
    with session_factory() as session, _writers_queue(session):
        try:
            for t in turns:
                if t.binding is not None:
                    store.bind_call(session, t.call_id, t.binding, t.now)
            calls = store.lock_calls(session, sorted({t.call_id for t in turns}))
            planned: list[tuple[PendingTurn, TurnPlan] | DomainError] = []
            for t in turns:
                call = calls.get(t.call_id)
                try:
                    t.check(call)
                    assert call is not None
                    plan = t.plan(call)
                except DomainError as exc:
                    planned.append(exc)
                    continue
                call.turns = plan.turn
                call.disclosure = plan.disclosure
                planned.append((t, plan))
            ok = [p for p in planned if not isinstance(p, DomainError)]
            ids = ledger.record_many(session, tenant_id=tenant_id, events=[plan.record for _, plan in ok])
            audit_ids = iter(ids)
            out: list[list[dict[str, Any]] | DomainError] = []
            rows: list[dict[str, Any]] = []
            for p in planned:
                if isinstance(p, DomainError):
                    out.append(p)
                    continue
                t, plan = p
                call = calls[t.call_id]
                audit_id = next(audit_ids)
                turn: int | None = plan.turn
                if plan.ends:
                    turn = None
                    call.status, call.ended_at, call.summary_audit_id = store.ENDED, t.now, audit_id
                turn_rows = store.event_rows(call, plan.drafts(audit_id), turn=turn, now=t.now)
                rows += turn_rows
                out.append([r["payload"] for r in turn_rows])
            store.insert_events(session, rows)  # one multi-row insert for the batch
            store.save_calls(session, [calls[i] for i in sorted({t.call_id for t, _ in ok})])
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return out


@contextlib.contextmanager
def _writers_queue(session: Session) -> Iterator[None]:
    """On a SQLite file, the batch writers of every process queue on an OS file lock before they take the
    database's write lock. SQLite's own wait (busy_timeout) polls with growing sleeps (1, 2, 5, 10... 100
    ms): with two workers each writing batch after batch, a waiter asleep between polls misses the moments
    the lock is free and the other worker takes it again, so its turns wait hundreds of ms (the tail of
    benchmarks/call_load.py). A file lock hands over in arrival order as soon as it is released. Other
    writers do not take it and still meet SQLite's wait; PostgreSQL (row locks) needs none of this."""
    path = _queue_path(session)
    if path is None:
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _queue_path(session: Session) -> str | None:
    if fcntl is None:
        return None
    url = session.get_bind().url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):  # a URI filename: leave it to SQLite
        return None
    return f"{url.database}-turns.lock"


class TurnCommitter:
    """One per process and event loop. Turns that arrive while a batch is written form the next batch;
    ``delay`` seconds of gathering before the first batch of an idle tenant."""

    def __init__(self, session_factory: Callable[[], Session], *, delay: float = 0.002) -> None:
        self.session_factory = session_factory
        self.delay = delay
        self._pending: dict[str, list[tuple[PendingTurn, asyncio.Future[list[dict[str, Any]]]]]] = {}
        self._writers: dict[str, asyncio.Task[None]] = {}
        self.batches = 0
        self.turns = 0

    async def write(self, tenant_id: str, turn: PendingTurn) -> list[dict[str, Any]]:
        """The turn's committed events (payloads with their seqs), or its error."""
        future: asyncio.Future[list[dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(tenant_id, []).append((turn, future))
        if tenant_id not in self._writers:
            self._writers[tenant_id] = asyncio.create_task(self._drain(tenant_id))
        return await future

    async def _drain(self, tenant_id: str) -> None:
        try:
            if self.delay > 0:
                await asyncio.sleep(self.delay)
            while self._pending.get(tenant_id):
                queue = self._pending[tenant_id]
                batch, self._pending[tenant_id] = queue[:MAX_BATCH], queue[MAX_BATCH:]
                try:
                    results = await asyncio.to_thread(
                        write_turns, self.session_factory, tenant_id, [t for t, _ in batch]
                    )
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                self.turns += len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, DomainError):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._writers.pop(tenant_id, None)
            if self._pending.get(tenant_id):  # arrived after the loop's last look
                self._writers[tenant_id] = asyncio.create_task(self._drain(tenant_id))
