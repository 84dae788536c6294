"""Shared fresh reads (api/core/fresh.py): the tenant row a checkCompliance without a debtor reads.

Concurrent callers share a read, each tenant gets its own row, a caller never gets a row read before it
asked (a change committed before it asked is always seen, even while an older read is in flight), a failed
read fails only its own callers, and the check sees an overlay written through another app at once.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from sqlalchemy import update

from asistente.api.compliance.schema import _PACK_SOURCE
from asistente.api.core.context import Services
from asistente.api.core.fresh import SharedReads, close_shared_reads
from asistente.app import create_app
from asistente.db import transaction
from asistente.tenants.models import Tenant as TenantRow
from tests.api.test_drafts_api import Tenant
from tests.api.test_prepared import _paths
from tests.api.test_prepared_live import MX_OVERLAY, OVERLAY, check_doc
from tests.audit.helpers import make_tenant
from tests.conftest import Api


def _set_slug(session_factory, tenant_id: str, slug: str) -> None:
    with transaction(session_factory) as s:
        s.execute(update(TenantRow).where(TenantRow.id == tenant_id).values(slug=slug))


async def test_concurrent_callers_share_reads_and_each_tenant_gets_its_own_row(engine, session_factory):
    a = make_tenant(session_factory, "fresh-a")
    b = make_tenant(session_factory, "fresh-b")
    reads = SharedReads(engine, _PACK_SOURCE)
    asked = [a, b] * 40
    rows = await asyncio.gather(*[reads.read({"tenant": t}) for t in asked])
    assert [r[1] for r in rows] == ["fresh-a" if t == a else "fresh-b" for t in asked]
    assert reads.served == 80
    assert reads.reads < 80  # shared: a read served every caller queued when it was sent
    assert await reads.read({"tenant": "00000000-0000-4000-8000-000000000000"}) is None
    await reads.close()


class _Paused(SharedReads):
    """Its first read pauses after the statement ran, until `go` is set (on the event loop on PostgreSQL,
    in the worker thread elsewhere)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.ran = threading.Event()
        self.go = threading.Event()
        self.first = True

    def _pause(self) -> None:
        if self.first:
            self.first = False
            self.ran.set()
            assert self.go.wait(30)

    def _fetch(self, conn, params):
        out = super()._fetch(conn, params)
        self._pause()
        return out

    async def _fetch_on_loop(self, conn, params):
        out = await super()._fetch_on_loop(conn, params)
        await asyncio.to_thread(self._pause)
        return out


async def test_a_caller_never_gets_a_row_read_before_it_asked(engine, session_factory):
    t = make_tenant(session_factory, "fresh-old")
    reads = _Paused(engine, _PACK_SOURCE)
    early = asyncio.create_task(reads.read({"tenant": t}))
    await asyncio.to_thread(reads.ran.wait, 30)  # the first read has run its statement and is in flight
    _set_slug(session_factory, t, "fresh-new")  # committed before the next caller asks
    late = asyncio.create_task(reads.read({"tenant": t}))
    await asyncio.sleep(0.05)
    assert not late.done()  # it does not join the read in flight
    reads.go.set()
    assert (await early)[1] == "fresh-old"  # read after it asked, before the change: as its own read
    assert (await late)[1] == "fresh-new"
    assert reads.reads == 2
    await reads.close()


class _FailsOnce(SharedReads):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.failed = False

    def _fetch(self, conn, params):
        if not self.failed:
            self.failed = True
            raise RuntimeError("connection lost")
        return super()._fetch(conn, params)

    async def _fetch_on_loop(self, conn, params):
        if not self.failed:
            self.failed = True
            raise RuntimeError("connection lost")
        return await super()._fetch_on_loop(conn, params)


async def test_a_failed_read_fails_its_callers_and_the_next_read_is_new(engine, session_factory):
    t = make_tenant(session_factory, "fresh-fail")
    reads = _FailsOnce(engine, _PACK_SOURCE)
    results = await asyncio.gather(*[reads.read({"tenant": t}) for _ in range(5)], return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert (await reads.read({"tenant": t}))[1] == "fresh-fail"
    await reads.close()


async def test_a_kept_connection_that_broke_is_replaced_within_the_read(engine, session_factory):
    """PostgreSQL: the reader keeps its own connections between busy spells; one terminated meanwhile (a
    server restart) costs the next read a reconnection, not an error."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the kept connections are PostgreSQL's")
    t = make_tenant(session_factory, "fresh-kept")
    reads = SharedReads(engine, _PACK_SOURCE)
    assert (await reads.read({"tenant": t}))[1] == "fresh-kept"
    assert len(reads._idle) == 1
    pid = reads._idle[0].info.backend_pid
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
    _set_slug(session_factory, t, "fresh-kept-2")
    assert (await reads.read({"tenant": t}))[1] == "fresh-kept-2"
    assert reads._idle[0].info.backend_pid != pid
    await reads.close()


@pytest.mark.parametrize("cache", [True, False])
async def test_a_check_without_a_debtor_sees_an_overlay_written_through_another_app(
    api, services, session_factory, engine, settings, clock, cache
):
    """Two apps on one database (two workers): the second has answered checks for the tenant (its packs
    built, its reads shared); an overlay written through the first changes the second's very next answer.
    With ASISTENTE_CARD_CACHE_SIZE=0 (no shared reads) the same."""
    t = await Tenant(api).setup()
    app_settings = settings if cache else settings.model_copy(update={"card_cache_size": 0})
    other = Services(settings=app_settings, engine=engine, session_factory=session_factory, clock=clock)
    app2 = create_app(app_settings, services=other)
    doc = check_doc(_paths(services).gql)
    check = {
        "i": {"text": "Le confirmo el pago de $500.00 el viernes.", "channel": "CALL", "jurisdiction": "MX"}
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app2), base_url="http://w2") as client:
        api2 = Api(client, session_factory)
        answers = await asyncio.gather(*[api2.ok(doc, check, key=t.agent) for _ in range(6)])
        assert all(a["checkCompliance"]["compliant"] is True for a in answers)
        await api.ok(OVERLAY, {"o": MX_OVERLAY}, key=t.admin)  # written through worker 1
        seen = (await api2.ok(doc, check, key=t.agent))["checkCompliance"]
        assert seen["compliant"] is False and "tenant:MX@2026.12.1" in seen["packVersion"]
    shared = other.extras.get("shared_reads:tenant_row")
    await close_shared_reads(other)
    if cache:
        assert shared is not None and shared[1].served == 7
    else:
        assert shared is None
