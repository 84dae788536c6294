"""The ledger keeps up (issue 13, item 5): recorded checks are group-committed, each answer still waits for
its own committed record, the chain verifies, and a failed batch stores nothing and answers no advice."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from asistente.audit.integrity import verify
from asistente.audit.models import AuditEvent
from tests.api.test_agreements_api import VALIDATE, World
from tests.audit.helpers import database_refuses_ledger_inserts
from tests.conftest import error_codes

CHECK = """query($t: String!) { checkCompliance(input: {text: $t, channel: CALL, jurisdiction: "MX"})
  { compliant auditId } }"""
EVENT = "query($id: ID!) { auditEvent(id: $id) { id kind input } }"


def count(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


async def test_concurrent_checks_share_transactions_and_the_chain_verifies(api, services, session_factory):
    w = await World(api).setup()
    texts = [f"Hola, le llamo de Cobranzas Acme, mensaje {i}." for i in range(120)]

    async def check(text: str) -> str:
        data = await api.ok(CHECK, {"t": text}, key=w.agent)
        return data["checkCompliance"]["auditId"]

    async def validation() -> None:  # plan validations are recorded through the same committer
        await api.ok(VALIDATE, {"i": w.plan()}, key=w.agent)

    before = count(session_factory)
    results = await asyncio.gather(*[check(t) for t in texts], *[validation() for _ in range(10)])
    ids = [r for r in results if r]
    assert len(set(ids)) == 120
    assert count(session_factory) == before + 130
    writer = services.ledger_writer()
    assert writer.events == 130 and writer.batches < 130  # grouped, checks and validations together
    with session_factory() as s:
        assert verify(s).ok
    # each answer's record is committed and readable at once, with the checked text
    event = (await api.ok(EVENT, {"id": ids[-1]}, key=w.compliance))["auditEvent"]
    assert event["kind"] == "COMPLIANCE_CHECK" and event["input"]["text"] in texts


async def test_a_failed_batch_answers_no_advice_and_stores_nothing(api, engine, session_factory):
    """The batch's write fails (the database refuses it): every request waiting on that batch answers
    INTERNAL_SERVER_ERROR with no data (the committer raised LedgerWriteFailed), nothing is stored, and the
    next batch goes through."""
    w = await World(api).setup()
    before = count(session_factory)
    # The database itself refuses the insert (a trigger), whichever connection the committer writes on.
    with database_refuses_ledger_inserts(engine, "could not write to file: No space left on device"):
        bodies = await asyncio.gather(*[api.gql(CHECK, {"t": f"Hola {i}"}, key=w.agent) for i in range(5)])
    for body in bodies:
        assert body["data"] is None and error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert count(session_factory) == before
    data = await api.ok(CHECK, {"t": "Hola otra vez"}, key=w.agent)
    assert data["checkCompliance"]["auditId"]
    assert count(session_factory) == before + 1
    with session_factory() as s:
        assert verify(s).ok
