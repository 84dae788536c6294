"""The group committer (``audit/group.py``): the one path by which requests record events.

Each test runs on SQLite and on PostgreSQL (when ASISTENTE_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import UTC, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Text, cast, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente.audit import AuditEvent, record, verify
from asistente.audit.chain import ChainLink
from asistente.audit.group import GroupCommitter, LedgerWriteFailed, event_fields
from asistente.audit.ledger import feedback_parts
from asistente.audit.models import AuditChainHead, AuditFeedback
from asistente.db import make_engine, make_session_factory, transaction
from asistente.errors import BadInput
from tests.audit.helpers import T0, database_refuses_ledger_inserts


def _append_args(n: int, who: str) -> dict:
    return {
        "kind": "COMPLIANCE_CHECK",
        "actor_id": who,
        "actor_role": "AGENT",
        "input": {"text": f"Hola {n}, ñandú", "n": n},
        "output": {"compliant": True, "violations": []},
        "versions": {"rulePacks": {"MX": "test"}},
        "now": T0 + timedelta(microseconds=n),
    }


def _count(factory: sessionmaker[Session], tenant: str) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.tenant_id == tenant))


@pytest.fixture(params=["loop", "thread"])
def path(request, engine: Engine) -> bool:
    """PostgreSQL's two committer paths: batches chained by the server in one statement sent from the event
    loop (the default with psycopg), and chained in Python and written from a worker thread (other drivers,
    a server whose encoding is not UTF-8). SQLite has the thread path only."""
    if request.param == "thread" and engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one path")
    return request.param == "loop"


async def test_events_are_grouped_and_each_caller_gets_its_own_committed_event(session_factory, tenant, path):
    writer = GroupCommitter(session_factory, delay=0.01, on_loop=path)
    assert writer.on_loop == (path and writer.engine.dialect.name == "postgresql")
    recs = await asyncio.gather(*[writer.append(tenant_id=tenant, **_append_args(i, "a")) for i in range(60)])
    assert len({r.id for r in recs}) == 60 and sorted(r.seq for r in recs) == list(range(1, 61))
    assert writer.events == 60 and writer.batches < 60
    with session_factory() as s:
        stored = {e.id: e for e in s.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant))}
        for i, r in enumerate(recs):  # the answer's id, seq and hash are the stored ones, in call order
            e = stored[r.id]
            assert (e.seq, e.hash, e.input["n"]) == (r.seq, r.hash, i)
        head = s.get(AuditChainHead, tenant)
        assert head.seq == 60 and head.hash == max(stored.values(), key=lambda e: e.seq).hash
        assert verify(s).ok
    await writer.close()


@pytest.mark.parametrize("where", ["write", "commit"])
async def test_a_failed_batch_fails_every_waiter_with_a_typed_error_and_stores_nothing(
    engine: Engine, session_factory, tenant, where
):
    """The database refuses the batch: its insert ("write", a trigger in the database itself, so it fails
    whichever connection writes: the kept psycopg connection on the event loop or a pooled one), or its
    COMMIT (SQLite's transaction; on PostgreSQL the batch is one autocommit statement, the write is the
    commit)."""
    if where == "commit" and engine.dialect.name == "postgresql":
        pytest.skip("on PostgreSQL the batch statement is its own commit: covered by 'write'")
    writer = GroupCommitter(session_factory, delay=0.01)
    await writer.append(tenant_id=tenant, **_append_args(0, "a"))  # the chain exists

    async def eight() -> list:
        return await asyncio.gather(
            *[writer.append(tenant_id=tenant, **_append_args(i, "b")) for i in range(1, 9)],
            return_exceptions=True,
        )

    if where == "write":
        with database_refuses_ledger_inserts(engine, "disk full"):
            results = await eight()
    else:
        failures = {"left": 1}

        def refuse(*args) -> None:
            if failures["left"]:
                failures["left"] -= 1
                raise RuntimeError("disk full")

        event.listen(engine, "commit", refuse)
        try:
            results = await eight()
        finally:
            event.remove(engine, "commit", refuse)
    assert all(isinstance(r, LedgerWriteFailed) for r in results), results
    assert all("disk full" in str(r.__cause__) for r in results)
    assert _count(session_factory, tenant) == 1
    rec = await writer.append(tenant_id=tenant, **_append_args(9, "c"))  # the next batch goes through
    assert rec.seq == 2
    with session_factory() as s:
        assert verify(s).ok
    await writer.close()


async def test_close_drains_the_queue(session_factory, tenant):
    writer = GroupCommitter(session_factory, delay=0.3)  # a long window: nothing written before close
    tasks = [asyncio.create_task(writer.append(tenant_id=tenant, **_append_args(i, "a"))) for i in range(25)]
    await asyncio.sleep(0.05)
    assert _count(session_factory, tenant) == 0 and not any(t.done() for t in tasks)
    await writer.close()
    assert all(t.done() for t in tasks)
    assert _count(session_factory, tenant) == 25
    assert sorted(t.result().seq for t in tasks) == list(range(1, 26))


async def test_feedback_and_its_row_commit_together_in_a_batch(session_factory, tenant):
    writer = GroupCommitter(session_factory, delay=0.01)
    shown = await writer.append(tenant_id=tenant, **_append_args(0, "agent-1"))
    with session_factory() as s:
        ev, row = feedback_parts(
            s,
            tenant_id=tenant,
            event_id=shown.id,
            actor_id="agent-1",
            actor_role="AGENT",
            action="EDITED",
            final_text="Hola, Bearer abcdefghijklmnopqrstuvwxyz",
            now=T0,
            only_own=True,
        )
    rec = await writer.submit(tenant, event_fields(**ev, feedback=True), [(AuditFeedback.__table__, row)])
    with session_factory() as s:
        fb = s.scalars(select(AuditFeedback).where(AuditFeedback.event_id == shown.id)).one()
        assert fb.ledger_event_id == rec.id and fb.final_text == "Hola, Bearer [REDACTED]"
        e = s.get(AuditEvent, rec.id)
        assert e.kind == "FEEDBACK" and e.input["eventId"] == shown.id and e.output["action"] == "EDITED"
        assert verify(s).ok
    with pytest.raises(BadInput, match="record_feedback"):  # FEEDBACK only through feedback_parts
        event_fields(**{**_append_args(1, "a"), "kind": "FEEDBACK"})


def _process_writer(url: str, tenant: str, who: str, n: int, q) -> None:
    engine = make_engine(url)
    writer = GroupCommitter(make_session_factory(engine), delay=0.002)

    async def run() -> list[str]:
        recs = await asyncio.gather(
            *[writer.append(tenant_id=tenant, **_append_args(i, who)) for i in range(n)]
        )
        return [r.id for r in recs]

    try:
        q.put(asyncio.run(run()))
    finally:
        engine.dispose()


def test_two_processes_and_a_direct_writer_share_one_chain(engine: Engine, session_factory, tenant):
    """Two worker processes, each with its own committer, and a third writer using ``ledger.record`` in its
    own transactions (as agreement decisions do), all on the same tenant chain at once."""
    url = engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_process_writer, args=(url, tenant, f"w{i}", 150, q)) for i in range(2)]
    for p in procs:
        p.start()
    direct = []
    for i in range(30):
        with transaction(session_factory) as s:
            direct.append(
                record(s, tenant_id=tenant, **{**_append_args(i, "direct"), "kind": "SUGGESTION"}).id
            )
    ids = [i for _ in procs for i in q.get(timeout=180)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    ids += direct
    assert len(set(ids)) == 330
    with session_factory() as s:
        rows = s.execute(select(AuditEvent.id, AuditEvent.seq).where(AuditEvent.tenant_id == tenant)).all()
        assert sorted(r.id for r in rows) == sorted(ids)  # every event exactly once
        assert sorted(r.seq for r in rows) == list(range(1, 331))
        assert verify(s).ok


_AWKWARD = [
    # text that the old per-column arrays had to escape, numbers orjson refuses (> 64 bits), null JSON
    # values, an instant with no microseconds and one with a non-UTC offset, keys that sort oddly.
    {
        "input": {"text": 'comillas " y \\ barra, {llaves}, ñandú 🦤, NULL, tab\tfin', "n": 2**70},
        "output": None,
        "versions": {"b": [1.5, -0.0, 1e300], "a": {"z": None, "": True}},
        "call_id": 'call "1", {x}\\',
        "debtor_id": None,
        "now": T0.replace(microsecond=0),
    },
    {
        "input": [],
        "output": {"compliant": False, "violations": [{"ruleId": "MX-1", "span": [0, 4]}]},
        "versions": {},
        "call_id": None,
        "debtor_id": None,
        "now": T0.astimezone(timezone(timedelta(hours=-6))) + timedelta(microseconds=7),
    },
    {
        "input": {"text": "x" * 5000},
        "output": {"ok": "sí"},
        "versions": {"rulePacks": {"MX": "1.0.0"}},
        "call_id": "",
        "debtor_id": None,
        "now": T0 + timedelta(days=400, microseconds=999999),
    },
]


async def test_batched_rows_are_stored_exactly_as_a_direct_record_stores_them(
    session_factory, tenant, other_tenant, path
):
    """Every column of a committed batch (JSON columns compared as the text the database holds, and the
    hashes: the server's sha256 over the same text) equals what ``ledger.record`` stores for the same event:
    on PostgreSQL the first batch takes the locking path and the later ones the server-chained (or, on the
    thread path, the optimistic) one, so all are compared."""
    writer = GroupCommitter(session_factory, delay=0, on_loop=path)
    batched = []
    for i, case in enumerate(_AWKWARD * 2):  # one at a time: a batch each
        args = {"kind": "COMPLIANCE_CHECK", "actor_id": f"agent {i}", "actor_role": "AGENT", **case}
        batched.append(await writer.append(tenant_id=tenant, **args))
    # and all at once: one batch of several
    args_all = [
        {"kind": "DRAFT", "actor_id": "many", "actor_role": "SUPERVISOR", **case} for case in _AWKWARD
    ]
    batched += await asyncio.gather(*[writer.append(tenant_id=tenant, **a) for a in args_all])
    direct_args = [
        {"kind": "COMPLIANCE_CHECK", "actor_id": f"agent {i}", "actor_role": "AGENT", **case}
        for i, case in enumerate(_AWKWARD * 2)
    ] + args_all
    with transaction(session_factory) as s:
        for a in direct_args:
            record(s, tenant_id=other_tenant, **a)
    columns = [
        AuditEvent.seq,
        AuditEvent.kind,
        AuditEvent.actor_id,
        AuditEvent.actor_role,
        AuditEvent.debtor_id,
        AuditEvent.call_id,
        cast(AuditEvent.input, Text),
        cast(AuditEvent.output, Text),
        cast(AuditEvent.versions, Text),
        AuditEvent.at,
        AuditEvent.prev_hash,
    ]
    with session_factory() as s:

        def stored(t: str) -> list[tuple]:
            q = select(*columns).where(AuditEvent.tenant_id == t).order_by(AuditEvent.seq)
            return [tuple(r) for r in s.execute(q)]

        mine, theirs = stored(tenant), stored(other_tenant)
        assert len(mine) == len(direct_args) == 9
        assert [r[:-1] for r in mine] == [r[:-1] for r in theirs]  # prev_hash differs: another tenant
        assert sorted(r[0] for r in mine) == sorted(b.seq for b in batched)
        hashes = dict(
            s.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.tenant_id == tenant)).all()
        )
        assert {b.id: b.hash for b in batched} == hashes  # each answer carries its stored hash
        assert verify(s).ok
    await writer.close()


def _pg_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the server-chained batch is PostgreSQL's")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # any text a request can carry
# A PostgreSQL text column cannot hold NUL on any path (the API refuses it in every request before anything
# runs); inside JSON values it is the escape \u0000 and stays in the generated values above.
_COLUMN_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


def test_the_server_hashes_exactly_the_text_python_hashes(engine: Engine, session_factory, tenant):
    """``PG_CHAIN_SQL`` chains in the database with sha256 over the text ``ChainLink.hash`` hashes: for any
    values (escapes, non-BMP characters, NUL, keys sorting by code point), every stored hash equals
    Python's chaining of the same fields after the stored previous hash."""
    _pg_only(engine)

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        st.lists(st.tuples(_COLUMN_TEXT, _VALUE, _VALUE, st.none() | _COLUMN_TEXT), min_size=1, max_size=4)
    )
    def check(cases) -> None:
        async def run() -> list:
            writer = GroupCommitter(session_factory, delay=0.005)
            try:
                await writer.append(tenant_id=tenant, **_append_args(0, "first"))  # the chain exists
                assert writer.on_loop
                return await asyncio.gather(
                    *[
                        writer.append(
                            tenant_id=tenant,
                            kind="DRAFT",
                            actor_id=actor,
                            actor_role="AGENT",
                            call_id=call,
                            input={"v": value},
                            output=out,
                            versions={"k": actor},
                            now=T0 + timedelta(microseconds=i),
                        )
                        for i, (actor, value, out, call) in enumerate(cases)
                    ]
                )
            finally:
                await writer.close()

        recs = asyncio.run(run())
        with session_factory() as s:
            for rec in recs:
                e = s.get(AuditEvent, rec.id)
                link = ChainLink(
                    id=e.id,
                    tenant_id=tenant,
                    kind=e.kind,
                    actor_id=e.actor_id,
                    actor_role=e.actor_role,
                    debtor_id=e.debtor_id,
                    call_id=e.call_id,
                    input=e.input,
                    output=e.output,
                    versions=e.versions,
                    at=e.at,
                )
                assert (e.seq, e.hash) == (rec.seq, rec.hash)
                assert e.hash == link.hash(e.prev_hash, e.seq)
            assert verify(s).ok

    check()


async def test_two_committers_on_one_chain_queue_on_the_head_lock(engine: Engine, session_factory, tenant):
    """Two committers (as two worker processes) write batches to one chain at the same moment: the second
    statement waits for the first one's commit on the head row's lock and chains after it; no gap, no
    duplicate, nothing chained twice."""
    _pg_only(engine)
    a = GroupCommitter(session_factory, delay=0.002)
    b = GroupCommitter(session_factory, delay=0.002)
    await a.append(tenant_id=tenant, **_append_args(0, "first"))
    try:
        recs = await asyncio.gather(
            *[(a if i % 2 else b).append(tenant_id=tenant, **_append_args(i, "ab")) for i in range(1, 201)]
        )
    finally:
        await a.close()
        await b.close()
    assert sorted(r.seq for r in recs) == list(range(2, 202))
    assert a.batches + b.batches < 201
    with session_factory() as s:
        assert _count(session_factory, tenant) == 201
        assert verify(s).ok


async def test_a_kept_connection_found_broken_is_replaced_once(engine: Engine, session_factory, tenant):
    """The server ends the committer's kept connection while it is idle (a restart): the next batch is
    written on a new connection, once; a batch whose statement fails on a fresh connection fails."""
    _pg_only(engine)
    writer = GroupCommitter(session_factory, delay=0)
    try:
        await writer.append(tenant_id=tenant, **_append_args(0, "a"))
        await writer.append(tenant_id=tenant, **_append_args(1, "a"))
        kept = writer._aconn
        assert kept is not None
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": kept.info.backend_pid})
        rec = await writer.append(tenant_id=tenant, **_append_args(2, "a"))
        assert rec.seq == 3 and writer._aconn is not kept
    finally:
        await writer.close()
    with session_factory() as s:
        assert _count(session_factory, tenant) == 3 and verify(s).ok


async def test_the_kept_connection_waits_for_the_lock_no_longer_than_the_engine(
    engine: Engine, session_factory, tenant
):
    """``wait_seconds`` is the kept connection's lock_timeout, as for the engine's connections: a batch
    that cannot get the head row's lock in time fails (LedgerWriteFailed) and stores nothing."""
    _pg_only(engine)
    writer = GroupCommitter(session_factory, delay=0, wait_seconds=0.2)
    try:
        await writer.append(tenant_id=tenant, **_append_args(0, "a"))
        with engine.connect() as holder:
            holder.execute(
                text("SELECT seq FROM audit_chain_heads WHERE tenant_id = :t FOR UPDATE"), {"t": tenant}
            )
            with pytest.raises(LedgerWriteFailed, match="lock"):
                await writer.append(tenant_id=tenant, **_append_args(1, "a"))
            holder.rollback()
        assert (await writer.append(tenant_id=tenant, **_append_args(2, "a"))).seq == 2
    finally:
        await writer.close()
    assert _count(session_factory, tenant) == 2


def test_sqlite_cursor_batches_store_exactly_what_the_sqlalchemy_statements_store(
    engine: Engine, session_factory, monkeypatch
):
    """SQLite: ``write_batch`` sends its statements on the DBAPI cursor with each value passed through the
    column's own bind processor. For generated values (escapes, non-BMP text, NUL inside JSON, floats, nested
    keys), instants in other offsets, absent and present ids, and batches of 1-4 events, every stored column
    (JSON as the text the database holds, the instant as stored) and the chain head equal what the Core
    insert/update path stores for the same events on another tenant."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the cursor path is SQLite's")
    from asistente.audit import group
    from tests.audit.helpers import make_tenant

    offsets = st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))])
    counter = iter(range(10**6))

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        st.lists(
            st.tuples(_COLUMN_TEXT, _VALUE, _VALUE, st.none() | _COLUMN_TEXT, offsets, st.integers(0, 10**9)),
            min_size=1,
            max_size=4,
        ),
        st.sampled_from(["DRAFT", "SUGGESTION", "COMPLIANCE_CHECK"]),
    )
    def check(cases, kind) -> None:
        n = next(counter)
        fast, plain = make_tenant(session_factory, f"fast{n}"), make_tenant(session_factory, f"plain{n}")
        events = [
            event_fields(
                kind=kind,
                actor_id=actor,
                actor_role="AGENT",
                debtor_id=None if call is None else f"d{i}",
                call_id=call,
                input={"v": value, "i": i},
                output={"o": out},  # a bare number would meet the JSON column's NUMERIC affinity
                versions={"k": actor},
                now=(T0 + timedelta(microseconds=micro)).astimezone(offset),
            )
            for i, (actor, value, out, call, offset, micro) in enumerate(cases)
        ]
        results = {}
        for tenant_id, raw in ((fast, True), (plain, False)):
            monkeypatch.setattr(group, "_raw_sqlite", lambda conn, raw=raw: raw)
            rows = [{**e, "id": f"{tenant_id[:8]}-{e['id']}"} for e in events]
            with engine.connect() as conn:
                results[tenant_id] = group.write_batch(conn, tenant_id, rows)
        monkeypatch.undo()
        columns = [
            AuditEvent.seq,
            AuditEvent.kind,
            AuditEvent.actor_id,
            AuditEvent.actor_role,
            AuditEvent.debtor_id,
            AuditEvent.call_id,
            cast(AuditEvent.input, Text),
            cast(AuditEvent.output, Text),
            cast(AuditEvent.versions, Text),
            cast(AuditEvent.at, Text),
        ]
        with session_factory() as s:

            def stored(t: str) -> list[tuple]:
                q = select(*columns).where(AuditEvent.tenant_id == t).order_by(AuditEvent.seq)
                return [tuple(r) for r in s.execute(q)]

            assert stored(fast) == stored(plain) and len(stored(fast)) == len(events)
            for t in (fast, plain):
                head = s.get(AuditChainHead, t)
                assert (head.seq, head.hash) == (results[t][-1].seq, results[t][-1].hash)
                hashes = dict(
                    s.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.tenant_id == t)).all()
                )
                assert {r.id: r.hash for r in results[t]} == hashes
            assert verify(s, fast).ok and verify(s, plain).ok, (verify(s, fast), verify(s, plain))

    check()


def test_sqlite_cursor_batches_raise_a_busy_database_as_sqlalchemy_does(engine: Engine, tenant, monkeypatch):
    """Another connection holds SQLite's write lock past the busy timeout: the cursor path raises the same
    SQLAlchemy OperationalError as the Core statements (``database_busy``: RATE_LIMITED, retry), and
    nothing is stored."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the cursor path is SQLite's")
    from sqlalchemy import exc as sa_exc

    from asistente.audit import group
    from asistente.db import database_busy

    impatient = make_engine(str(engine.url), wait_seconds=0.05)
    holder = engine.raw_connection()
    try:
        holder.execute("BEGIN IMMEDIATE")
        for raw in (True, False):
            monkeypatch.setattr(group, "_raw_sqlite", lambda conn, raw=raw: raw)
            fields = event_fields(**{k: v for k, v in _append_args(1, "busy").items()})
            with impatient.connect() as conn, pytest.raises(sa_exc.OperationalError) as caught:
                group.write_batch(conn, tenant, [fields])
            assert database_busy(caught.value), (raw, caught.value)
    finally:
        holder.rollback()
        holder.close()
        impatient.dispose()
    with engine.connect() as conn:
        assert (
            conn.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.tenant_id == tenant))
            == 0
        )
