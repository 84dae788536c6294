"""The same interaction (same externalId) recorded by two requests at once, as a CRM that retries does: the
second one's check finds nothing (the first has not committed), its insert then waits for the first one's
commit (PostgreSQL's row, SQLite's write lock) and answers with the stored interaction instead of failing on
the unique constraint (a 500 before). One row is stored."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

from asistente.db import transaction
from asistente.portfolio.models import Debtor, Interaction
from asistente.portfolio.repository import PortfolioRepository
from asistente.tenants.service import get_or_create_tenant

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
FIELDS = {"channel": "CALL", "direction": "OUTBOUND", "at": NOW, "outcome": "NO_ANSWER", "now": NOW}


def test_two_requests_record_the_same_external_id_at_once(session_factory):
    with transaction(session_factory) as s:
        tenant = get_or_create_tenant(s, "acme")
        debtor = Debtor(
            tenant_id=tenant.id,
            external_id="RACE-1",
            full_name="Ana Pérez",
            language="es",
            jurisdiction="MX",
            timezone="America/Cancun",
        )
        s.add(debtor)
        s.flush()
        tenant_id, debtor_id = tenant.id, debtor.id

    first = session_factory()
    mine = PortfolioRepository(first, tenant_id).record_interaction(
        debtor_id=debtor_id, external_id="X-1", **FIELDS
    )
    checked = threading.Event()
    answer: list[Interaction] = []

    def second() -> None:
        with session_factory() as s:
            repo = PortfolioRepository(s, tenant_id)
            assert s.scalar(select(Interaction).where(Interaction.external_id == "X-1")) is None  # not yet
            checked.set()
            answer.append(repo.record_interaction(debtor_id=debtor_id, external_id="X-1", **FIELDS))
            s.commit()

    thread = threading.Thread(target=second)
    thread.start()
    assert checked.wait(10)
    thread.join(timeout=0.3)  # its insert now waits for ours
    first.commit()
    thread.join(timeout=30)
    first.close()
    assert not thread.is_alive() and len(answer) == 1
    assert answer[0].id == mine.id
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == 1
