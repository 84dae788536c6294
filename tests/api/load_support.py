"""Shared by the bad-input-under-load tests (issue 15, "Bad input"): the real app served by uvicorn on a real
port (tests/api/live_app.py), on an engine of its own so a test can set the database wait and watch the
connection pool, with a small portfolio seeded through the API; and the checks every one of those tests
makes of what was stored (nothing half-written, the ledger intact)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from asistente.api.core.context import Services
from asistente.app import create_app
from asistente.audit.integrity import verify
from asistente.audit.models import AuditEvent, AuditFeedback
from asistente.db import make_engine, make_session_factory, transaction
from asistente.enums import Role
from asistente.portfolio.models import Account, Payment
from asistente.settings import Settings
from asistente.tenants.service import create_api_key
from tests.api.data import UPSERT, debtor_record
from tests.api.live_app import serve

# The codes API.md lets an error carry ("Errors"): anything else (INTERNAL_SERVER_ERROR) is a bug here.
API_CODES = {"BAD_INPUT", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "RATE_LIMITED"}
BALANCE = Decimal("12000.50")  # every seeded account's balance (tests/api/data.py)

PAY = """mutation($i: RecordPaymentInput!) { recordPayment(input: $i) {
  payment { id reference amount } account { id balance } duplicate agreement { id } } }"""
INTERACT = """mutation($i: RecordInteractionInput!) { recordInteraction(input: $i) { interaction { id } } }"""
FEEDBACK = """mutation($id: ID!) { recordSuggestionFeedback(auditId: $id, action: USED) { auditId } }"""
PERMISSION = "query($d: ID!) { contactPermission(debtorId: $d, channel: CALL) { allowed auditId } }"
CARD = """query($id: ID!) { debtor(id: $id) { id accounts { id balance } lastInteractions(limit: 50) { id }
  payments(limit: 200) { reference } } }"""
CREATE = "mutation($i: AgreementInput!) { createAgreement(input: $i) { agreement { id status } } }"


@dataclass
class Live:
    base: str
    port: int
    engine: Engine
    factory: sessionmaker[Session]
    services: Services
    admin: str  # recordPayment, upsertDebtors
    supervisor: str  # cards, contactPermission, feedback, agreements
    debtors: list[str]
    accounts: list[str]  # one per debtor, same order

    def headers(self, key: str) -> dict[str, str]:
        return {"authorization": f"Bearer {key}"}


def database_url(engine: Engine) -> str:
    """The URL of the test database (conftest's engine: tables created, rows wiped)."""
    return engine.url.render_as_string(hide_password=False)


@contextmanager
def live_service(
    url: str,
    settings: Settings,
    clock: Any,
    *,
    wait_seconds: float | None = None,
    debtors: int = 6,
    **engine_kwargs: Any,
) -> Iterator[Live]:
    if wait_seconds is not None:
        settings = settings.model_copy(update={"database_wait_seconds": wait_seconds})
    engine = make_engine(url, wait_seconds=settings.database_wait_seconds, **engine_kwargs)
    factory = make_session_factory(engine)
    services = Services(settings=settings, engine=engine, session_factory=factory, clock=clock)
    app = create_app(settings, services=services)
    with transaction(factory) as s:
        admin = create_api_key(s, tenant_slug="acme", role=Role.ADMIN)
        supervisor = create_api_key(s, tenant_slug="acme", role=Role.SUPERVISOR, agent_external_id="s-1")
    try:
        with serve(app) as port:
            base = f"http://127.0.0.1:{port}"
            records = [
                debtor_record(f"L-{i}", accounts=1, interactions=0, payments=0) for i in range(debtors)
            ]
            for r in records:
                r["promises"] = []
            res = httpx.post(
                f"{base}/graphql",
                json={"query": UPSERT, "variables": {"input": records}},
                headers={"authorization": f"Bearer {admin}"},
                timeout=60,
            )
            ids = res.json()["data"]["upsertDebtors"]["ids"]
            with factory() as s:
                by_debtor = dict(s.execute(select(Account.debtor_id, Account.id)).all())
            yield Live(
                base, port, engine, factory, services, admin, supervisor, ids, [by_debtor[d] for d in ids]
            )
    finally:
        engine.dispose()


def codes(body: dict) -> set[str]:
    return {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}


def assert_stored_exactly(live: Live, acked_payments: dict[str, tuple[str, Decimal]]) -> None:
    """Every acknowledged payment (reference -> (account, amount)) is stored once, no other payment is
    stored, and every account's balance is its seeded balance minus exactly its stored payments."""
    with live.factory() as s:
        stored = s.execute(select(Payment.reference, Payment.account_id, Payment.amount)).all()
        balances = dict(s.execute(select(Account.id, Account.balance)).all())
    refs = [r.reference for r in stored]
    assert len(refs) == len(set(refs)), "a payment stored twice"
    assert set(refs) == set(acked_payments), set(refs) ^ set(acked_payments)
    for account in live.accounts:
        paid = sum((Decimal(r.amount) for r in stored if r.account_id == account), Decimal(0))
        assert Decimal(balances[account]) == BALANCE - paid, (account, balances[account], paid)


def ledger_counts(live: Live) -> dict[str, int]:
    with live.factory() as s:
        counts = dict(s.execute(select(AuditEvent.kind, func.count()).group_by(AuditEvent.kind)).all())
        counts["feedback rows"] = s.scalar(select(func.count()).select_from(AuditFeedback)) or 0
    return counts


def assert_ledger_intact(live: Live) -> None:
    result = verify(live.engine)
    assert result.ok, result


# ------------------------------------------------------------------ a database another client holds

_SQLITE_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")  # SQLite's write lock: readers go on (WAL), every writer waits
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
conn.execute("ROLLBACK")
"""


@contextmanager
def writes_held(live: Live) -> Iterator[None]:
    """Another client holds the database's write locks until the block ends: on SQLite another process
    holds the file's write lock; on PostgreSQL another connection holds EXCLUSIVE locks on the tables every
    write of this test touches (reads go on, writes and ledger appends wait)."""
    if live.engine.dialect.name == "sqlite":
        path = live.engine.url.database
        proc = subprocess.Popen(
            [sys.executable, "-c", _SQLITE_HOLDER, path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
            yield
        finally:
            proc.communicate(timeout=30)
        assert proc.returncode == 0
        return
    holder = create_engine(database_url(live.engine), poolclass=NullPool)
    try:
        with holder.connect() as conn:
            conn.execute(
                text(
                    "LOCK TABLE audit_chain_heads, audit_events, audit_feedback, accounts, payments, debtors, "
                    "interactions IN EXCLUSIVE MODE"
                )
            )
            yield
            conn.rollback()
    finally:
        holder.dispose()


def checked_out_settles(engine: Engine, seconds: float = 10.0) -> int:
    """The connections still checked out of the pool once idle (0: none leaked); waits a little, since the
    ledger's committer keeps its connection while its queue is busy."""
    deadline = time.monotonic() + seconds
    while engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)
    return engine.pool.checkedout()
