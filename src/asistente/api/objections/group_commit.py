"""Group commit of SUGGESTION events: concurrent requests of one tenant share one ledger transaction.

Every suggestResponses appends one event to the tenant's hash chain, and a tenant's chain is a serial
section (its head row is locked until commit). Written one by one, the lock, the head update and the commit
dominate a request. Here the first request of a tenant to reach its record becomes the leader: it yields to
the event loop a few times so that requests already in flight can reach theirs, then appends every gathered
event with one lock and one multi-row insert (``ledger.record_many``), in its own operation's session, and
commits. Each request still returns only after its event is committed ("no advice without a record"); if the
write fails, every request of the batch fails and no advice is shown.

State is per process and per event loop, and lives only for the duration of a batch: nothing another worker
needs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from asistente.audit import ledger

YIELDS = 3  # event-loop turns the leader gives followers before writing
MAX_BATCH = 200


class GroupCommit:
    def __init__(self) -> None:
        self._open: dict[tuple[int, str], list[tuple[dict[str, Any], asyncio.Future[str]]]] = {}
        self.batches = 0
        self.events = 0

    async def record(self, ctx: Any, kind: str, **fields: Any) -> str:
        """Append one event for the caller (``Context.record``'s arguments); returns its id once committed."""
        p = ctx.principal
        item = {"kind": kind, "actor_id": p.actor_id, "actor_role": p.role.value, **fields}
        loop = asyncio.get_running_loop()
        key = (id(loop), p.tenant_id)
        batch = self._open.get(key)
        if batch is not None and len(batch) < MAX_BATCH:
            fut: asyncio.Future[str] = loop.create_future()
            batch.append((item, fut))
            return await fut
        batch = self._open[key] = [(item, loop.create_future())]
        try:
            for _ in range(YIELDS):
                await asyncio.sleep(0)
        except BaseException as exc:  # the leader was cancelled: its followers get no record, so no advice
            for _, f in batch[1:]:
                if not f.done():
                    f.set_exception(RuntimeError(f"audit batch abandoned: {exc!r}"))
            raise
        finally:
            if self._open.get(key) is batch:
                del self._open[key]
        session = ctx.session
        try:
            ids = ledger.record_many(session, tenant_id=p.tenant_id, events=[i for i, _ in batch])
            session.commit()
        except BaseException as exc:
            session.rollback()
            for _, f in batch[1:]:
                if not f.done():
                    f.set_exception(exc)
            raise
        self.batches += 1
        self.events += len(batch)
        for (_, f), event_id in zip(batch[1:], ids[1:], strict=True):
            if not f.done():
                f.set_result(event_id)
        return ids[0]
