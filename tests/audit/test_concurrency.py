"""The chain stays linear under concurrent writers (threads, each with its own session and transaction).

On PostgreSQL: 240 writes from 24 threads over two tenants, all starting together (so the creation of the
chain heads races too). On SQLite (a file database in WAL mode): 64 writes from 8 threads.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente.audit import AuditEvent, record, record_feedback, verify
from asistente.db import transaction
from tests.audit.helpers import T0, make_tenant


def test_concurrent_writers_keep_each_chain_linear(
    backend: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    threads, per_thread = (24, 10) if backend == "postgres" else (8, 8)
    tenants = [make_tenant(session_factory, "north"), make_tenant(session_factory, "south")]
    start = threading.Barrier(threads)

    def worker(n: int) -> list[str]:
        start.wait()
        ids = []
        for i in range(per_thread):
            tenant_id = tenants[(n + i) % 2]
            with transaction(session_factory) as s:
                # Read first, as an API resolver would, then record.
                s.execute(select(AuditEvent.id).where(AuditEvent.tenant_id == tenant_id).limit(1)).all()
                ev = record(
                    s,
                    tenant_id=tenant_id,
                    kind="SUGGESTION",
                    actor_id=f"agent-{n}",
                    actor_role="AGENT",
                    input={"thread": n, "i": i},
                    output={"category": "NO_MONEY"},
                    versions={},
                    now=T0 + timedelta(milliseconds=i),
                )
                ids.append(ev.id)
            if i % 4 == 0:  # feedback is a chained write too
                with transaction(session_factory) as s:
                    fb = record_feedback(
                        s,
                        tenant_id=tenant_id,
                        event_id=ev.id,
                        actor_id=f"agent-{n}",
                        actor_role="AGENT",
                        action="USED",
                        final_text=None,
                        now=T0 + timedelta(milliseconds=i),
                    )
                    ids.append(fb.ledger_event_id)
        return ids

    with ThreadPoolExecutor(max_workers=threads) as pool:
        written = [eid for ids in pool.map(worker, range(threads)) for eid in ids]

    expected = threads * per_thread + threads * len(range(0, per_thread, 4))
    assert len(written) == len(set(written)) == expected
    assert threads * per_thread >= (200 if backend == "postgres" else 50)
    with session_factory() as s:
        for tenant_id in tenants:
            seqs = (
                s.execute(
                    select(AuditEvent.seq).where(AuditEvent.tenant_id == tenant_id).order_by(AuditEvent.seq)
                )
                .scalars()
                .all()
            )
            assert seqs == list(range(1, len(seqs) + 1))
    result = verify(engine)
    assert result.ok, result.first_bad
    assert result.checked == expected
