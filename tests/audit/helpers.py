"""Helpers shared by the audit tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente.audit import AuditEvent, record
from asistente.db import transaction
from asistente.tenants.models import Tenant

T0 = datetime(2024, 3, 1, 15, 30, 0, 123456, tzinfo=UTC)


def make_tenant(factory: sessionmaker[Session], slug: str) -> str:
    with transaction(factory) as s:
        t = Tenant(slug=slug, name=slug.title(), signing_secret="not-used")
        s.add(t)
        s.flush()
        return t.id


def write(
    factory: sessionmaker[Session],
    tenant_id: str,
    *,
    n: int = 1,
    start: datetime = T0,
    step=timedelta(minutes=1),
    **overrides: Any,
) -> list[AuditEvent]:
    """n events committed one transaction each; times start at `start` and advance by `step`."""
    out = []
    for i in range(n):
        args: dict[str, Any] = {
            "tenant_id": tenant_id,
            "kind": "SUGGESTION",
            "actor_id": "agent-1",
            "actor_role": "AGENT",
            "debtor_id": "debtor-1",
            "call_id": "call-1",
            "input": {"utterance": f"no tengo dinero {i}"},
            "output": {"category": "NO_MONEY", "suggestions": [{"id": "s1", "text": "Entiendo."}]},
            "versions": {"playbook": "mx@3", "rulePack": "mx@7"},
            "now": start + step * i,
        }
        args.update(overrides)
        with transaction(factory) as s:
            out.append(record(s, **args))
    return out


@contextlib.contextmanager
def database_refuses_ledger_inserts(engine: Engine, message: str = "disk full") -> Iterator[None]:
    """While inside, the DATABASE itself refuses every insert into audit_events (a trigger raising
    `message`), whichever connection, driver or thread writes it: the group committer's kept psycopg
    connection on the event loop as well as SQLAlchemy's pooled ones. Removed on the way out."""
    if engine.dialect.name == "postgresql":
        create = [
            "CREATE OR REPLACE FUNCTION test_refuse_ledger() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
            "CREATE TRIGGER test_refuse_ledger BEFORE INSERT ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION test_refuse_ledger()",
        ]
        drop = ["DROP TRIGGER test_refuse_ledger ON audit_events", "DROP FUNCTION test_refuse_ledger()"]
    else:
        create = [
            "CREATE TRIGGER test_refuse_ledger BEFORE INSERT ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ]
        drop = ["DROP TRIGGER test_refuse_ledger"]
    with engine.begin() as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for statement in drop:
                conn.execute(text(statement))
