"""Read-only operations on their own engine (PostgreSQL: autocommit, writes refused by the server) and the
pool's ping only for connections that sat idle (asistente.db.make_engine).

The byte-for-byte comparisons of the fast paths with normal execution (tests/api/test_prepared_live.py,
test_prepared.py, test_cards.py) run on this engine too: the `services` fixture attaches it on PostgreSQL as
create_app does. Here: which engine each operation's statements reach, that a write through a read-only
session is refused and leaves nothing behind, that a committed write is seen by the very next read-only
operation (never staler), that statements stay prepared across requests, and the ping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from asistente.api.core.context import Context
from asistente.db import make_engine
from asistente.portfolio.models import Interaction
from tests.api.data import debtor_record
from tests.api.test_drafts_api import Tenant
from tests.conftest import PG_URL

PERMISSION = """query($d: ID!) { contactPermission(debtorId: $d, channel: CALL) {
  allowed violations { code } nextAllowedAt auditId } }"""
CARD = "query($d: ID!) { debtor(id: $d) { id fullName accounts { id balance } lastInteractions { id at } } }"
CHECK = """query($i: ComplianceCheckInput!) { checkCompliance(input: $i) { compliant auditId } }"""

pg_only = pytest.mark.skipif(not PG_URL, reason="ASISTENTE_TEST_POSTGRES_URL is not set")


def _statements(engine, listeners: list) -> list[str]:
    seen: list[str] = []

    def _seen(conn, cursor, statement, *args) -> None:
        seen.append(" ".join(statement.split())[:60])

    event.listen(engine, "before_cursor_execute", _seen)
    listeners.append((engine, _seen))
    return seen


async def test_prepared_checks_and_card_snapshots_read_on_the_read_only_engine(api, services, backend):
    if backend != "postgres":
        assert services.read_engine is None and services.reader() is services.engine
        return
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-R1", interactions=3))
    listeners: list = []
    main = _statements(services.engine, listeners)
    reads = _statements(services.read_engine, listeners)
    try:
        out = await api.ok(PERMISSION, {"d": debtor}, key=t.agent)
        assert out["contactPermission"]["auditId"]
        debtor_reads = [s for s in reads if s.startswith("SELECT debtors.")]
        assert debtor_reads, reads
        # the operation's own reads never went to the read-write engine (the ledger's batch did)
        assert not any(s.startswith(("SELECT debtors.", "SELECT interactions.")) for s in main), main
        reads.clear()
        main.clear()
        card = await api.ok(CARD, {"d": debtor}, key=t.agent)
        assert card["debtor"]["id"] == debtor
        assert any(s.startswith("SELECT debtors.") for s in reads), reads
        assert not any(s.startswith("SELECT debtors.") for s in main), main
    finally:
        for engine, fn in listeners:
            event.remove(engine, "before_cursor_execute", fn)


@pg_only
async def test_a_write_through_a_read_only_session_is_refused_and_leaves_nothing(api, services, backend):
    if backend != "postgres":
        pytest.skip("the read-only engine exists on PostgreSQL only")
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-R2", interactions=0))
    ctx = Context(services)
    ctx.reads_only = True
    ctx.begin_operation()
    try:
        session = ctx.session
        assert session.get_bind() is services.read_engine
        tenant_id = session.execute(
            text("SELECT tenant_id FROM debtors WHERE id = :d"), {"d": debtor}
        ).scalar()
        session.add(
            Interaction(
                tenant_id=tenant_id,
                debtor_id=debtor,
                channel="CALL",
                direction="OUTBOUND",
                at=datetime.now(UTC),
                outcome="CONVERSATION",
            )
        )
        with pytest.raises(DBAPIError, match="read-only transaction"):
            session.flush()
    finally:
        ctx.end_operation()
    with services.session_factory() as s:
        assert (
            s.execute(text("SELECT count(*) FROM interactions WHERE debtor_id = :d"), {"d": debtor}).scalar()
            == 0
        )
    # the same context, not read-only, writes through the read-write engine
    ctx.reads_only = False
    ctx.begin_operation()
    try:
        assert ctx.session.get_bind() is services.engine
    finally:
        ctx.end_operation()


async def test_a_committed_write_is_seen_by_the_very_next_read_only_operation(api, services, clock):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-R3", interactions=0))
    considered = []
    for n in range(3):
        await api.ok(PERMISSION, {"d": debtor}, key=t.agent)  # keeps its connections warm and prepared
        with services.session_factory() as s:
            tenant_id = s.execute(text("SELECT tenant_id FROM debtors WHERE id = :d"), {"d": debtor}).scalar()
            s.add(
                Interaction(
                    tenant_id=tenant_id,
                    debtor_id=debtor,
                    channel="CALL",
                    direction="OUTBOUND",
                    at=clock() - timedelta(minutes=30 + n),
                    outcome="NO_ANSWER",
                )
            )
            s.commit()
        card = await api.ok(CARD, {"d": debtor}, key=t.agent)
        considered.append(len(card["debtor"]["lastInteractions"]))
    assert considered == [1, 2, 3]


@pg_only
async def test_statements_stay_prepared_across_requests_on_the_read_only_engine(api, services, backend):
    if backend != "postgres":
        pytest.skip("the read-only engine exists on PostgreSQL only")
    t = await Tenant(api).setup()
    debtors = [await t.debtor(debtor_record(f"MX-P{n}", interactions=1)) for n in range(8)]
    services.read_engine.pool.dispose()  # one connection, so every request reuses it
    for d in debtors:
        await api.ok(PERMISSION, {"d": d}, key=t.agent)
    with services.read_engine.connect() as conn:
        prepared = conn.execute(
            text("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%FROM debtors%'")
        ).all()
    # psycopg prepares a statement run 5 times on one connection; a ROLLBACK would deallocate them all
    assert prepared, "no statement stayed prepared on the read-only connection"


@pg_only
def test_an_idle_connection_is_pinged_and_a_dead_one_replaced():
    engine = make_engine(PG_URL, ping_idle_seconds=0.2, pool_size=1, max_overflow=0)
    pings = []
    real = engine.dialect.do_ping

    def counting(dbapi_conn):
        pings.append(1)
        return real(dbapi_conn)

    engine.dialect.do_ping = counting
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert pings == []  # just connected: alive
        with engine.connect() as conn:  # returned moments ago: no ping
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == first
        assert pings == []
        with make_engine(PG_URL).connect() as other:  # the server drops the pooled connection
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
            other.commit()
        time.sleep(0.3)  # idle past the threshold: pinged, found dead, replaced, no error
        with engine.connect() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert second != first and len(pings) >= 1
    finally:
        engine.dispose()


@pg_only
def test_a_read_only_engine_refuses_writes_and_runs_outside_transactions():
    engine = make_engine(PG_URL, read_only=True, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
            # no transaction is open between statements (autocommit): each is its own
            conn.execute(text("SELECT 1"))
            assert conn.connection.dbapi_connection.info.transaction_status.name == "IDLE"
            with pytest.raises(DBAPIError, match="read-only transaction"):
                conn.execute(text("CREATE TEMPORARY TABLE t_should_fail (x int)"))
    finally:
        engine.dispose()


def test_sqlite_engines_are_unchanged(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", read_only=True, ping_idle_seconds=0)
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (x int)"))  # SQLite: no server, no read-only engine
            conn.commit()
    finally:
        engine.dispose()


async def test_a_draft_reads_its_inputs_on_the_read_only_engine(api, services, backend):
    if backend != "postgres":
        pytest.skip("the read-only engine exists on PostgreSQL only")
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-R4", interactions=2))
    listeners: list = []
    main = _statements(services.engine, listeners)
    reads = _statements(services.read_engine, listeners)
    try:
        body = await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER")
        assert not body.get("errors"), body
        assert body["data"]["draftMessage"]["auditId"]
        assert any(s.startswith("SELECT interactions.") for s in reads), reads
        assert any(s.startswith("SELECT debtors.") for s in reads), reads
        assert not any(s.startswith(("SELECT debtors.", "SELECT interactions.")) for s in main), main
    finally:
        for engine, fn in listeners:
            event.remove(engine, "before_cursor_execute", fn)


@pg_only
def test_the_read_only_engine_keeps_the_urls_own_connection_options():
    """A URL's `options` (here a search_path, as a deployment on its own schema has) stay in force."""
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS ro_options CASCADE"))
        conn.execute(text("CREATE SCHEMA ro_options"))
        conn.execute(text("CREATE TABLE ro_options.marker (x int)"))
        conn.execute(text("INSERT INTO ro_options.marker VALUES (7)"))
    sep = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{sep}options=-csearch_path%3Dro_options", read_only=True)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT x FROM marker")).scalar() == 7
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS ro_options CASCADE"))
        admin.dispose()
