"""The debtor card's revision: a counter on the debtor row that changes with anything the card shows.

Cached cards (asistente.api.portfolio.cards) are valid only for the revision they were built from, so every
write that changes a debtor, an account, a payment, an interaction or a promise must move it. ORM writes do
so automatically (a `before_flush` hook on every Session); bulk writes that bypass the ORM (the importer's
driver-level statements) call `bump` themselves. A test mutates through every write path and checks that the
cached card follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise

_CHILDREN = (Account, Payment, Interaction, Promise)
_BUMP = (
    update(Debtor)
    .where(Debtor.id.in_(bindparam("ids", expanding=True)))
    .values(card_revision=Debtor.card_revision + 1)
)
_BY_ID = select(Debtor.id, Debtor.card_revision).where(
    Debtor.tenant_id == bindparam("tenant"), Debtor.id == bindparam("key")
)
_BY_EXTERNAL_ID = select(Debtor.id, Debtor.card_revision).where(
    Debtor.tenant_id == bindparam("tenant"), Debtor.external_id == bindparam("key")
)


def bump(conn: Connection | Session, debtor_ids: Iterable[str]) -> None:
    """Move the card revision of these debtors (in the caller's transaction)."""
    ids = sorted(set(debtor_ids))
    for start in range(0, len(ids), 500):
        conn.execute(_BUMP, {"ids": ids[start : start + 500]})


class RevisionReader:
    """(debtor id, card revision) of a debtor of this tenant, read on the driver: the cached card path asks on
    every request, and a pooled DBAPI cursor costs a fraction of a SQLAlchemy Connection. The statements
    are compiled once for the dialect."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sql = {}
        for by, stmt in (("debtor_id", _BY_ID), ("external_id", _BY_EXTERNAL_ID)):
            compiled = stmt.compile(dialect=engine.dialect)
            order = compiled.positiontup
            self._sql[by] = (str(compiled), tuple(order) if order is not None else None)

    def current(self, tenant_id: str, *, by: str, key: str) -> tuple[str, int] | None:
        sql, order = self._sql[by]
        values = {"tenant": tenant_id, "key": key}
        params: Any = tuple(values[name] for name in order) if order is not None else values
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            try:
                cur.execute(sql, params)
                row = cur.fetchone()
            finally:
                cur.close()
        finally:
            raw.close()
        return (row[0], row[1]) if row is not None else None


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    touched: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Debtor):
            if obj in session.new or obj in session.deleted:
                continue
            if session.is_modified(obj, include_collections=False):
                # An SQL expression, not old + 1 in Python: the loaded value may be stale by now.
                obj.card_revision = Debtor.card_revision + 1
        elif isinstance(obj, _CHILDREN) and obj.debtor_id is not None:
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            touched.add(obj.debtor_id)
    if touched:
        # Core statement on the session's connection: no autoflush, no recursion into this hook.
        bump(session.connection(), touched)
