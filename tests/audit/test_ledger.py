"""record, record_feedback and the review queries (run on SQLite, and on PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from asistente.audit import (
    GENESIS_HASH,
    AuditEvent,
    AuditFeedback,
    AuditKind,
    feedback_for_events,
    get_event,
    list_events,
    record,
    record_feedback,
    summary,
    verify,
)
from asistente.db import transaction
from asistente.errors import BadInput, NotFound
from tests.audit.helpers import T0, write


def test_record_chains_events_per_tenant(
    session_factory: sessionmaker[Session], tenant: str, other_tenant: str
) -> None:
    a1, a2 = write(session_factory, tenant, n=2)
    (b1,) = write(session_factory, other_tenant)
    assert (a1.seq, a2.seq, b1.seq) == (1, 2, 1)
    assert a1.prev_hash == GENESIS_HASH and b1.prev_hash == GENESIS_HASH
    assert a2.prev_hash == a1.hash
    assert len(a1.hash) == 64 and a1.hash != b1.hash
    with session_factory() as s:
        assert verify(s).ok
        stored = s.get(AuditEvent, a1.id)
        assert (
            stored is not None
            and stored.at == T0
            and stored.versions == {"playbook": "mx@3", "rulePack": "mx@7"}
        )


def test_record_normalises_and_scrubs(session: Session, tenant: str) -> None:
    ev = record(
        session,
        tenant_id=tenant,
        kind=AuditKind.AGREEMENT_VALIDATION,
        actor_id="agent-1",
        actor_role="AGENT",
        input={
            "downPayment": Decimal("100.00"),
            "firstPaymentDate": datetime(2024, 4, 1, tzinfo=UTC),
            "request": {"headers": {"authorization": "Bearer ask_0123abcd_secretsecretsecret"}},
        },
        output={"valid": True, "totalToPay": Decimal("1200.5")},
        versions={"policy": "acme@2"},
        now=T0,
    )
    session.commit()
    session.expunge_all()
    stored = session.get(AuditEvent, ev.id)
    assert stored is not None
    assert stored.input == {
        "downPayment": "100.00",
        "firstPaymentDate": "2024-04-01T00:00:00.000000Z",
        "request": {"headers": {}},
    }
    assert stored.output == {"valid": True, "totalToPay": "1200.5"}
    assert verify(session).ok


def test_record_refuses_unknown_kind_and_naive_time(session: Session, tenant: str) -> None:
    common = dict(tenant_id=tenant, actor_id="a", actor_role="AGENT", input={}, output={}, versions={})
    with pytest.raises(BadInput):
        record(session, kind="GOSSIP", now=T0, **common)
    with pytest.raises(BadInput):
        record(session, kind="FEEDBACK", now=T0, **common)
    with pytest.raises(BadInput):
        record(session, kind="DRAFT", now=datetime(2024, 1, 1), **common)
    assert session.execute(select(func.count()).select_from(AuditEvent)).scalar() == 0


def test_a_failed_write_raises_so_no_advice_is_returned(session: Session) -> None:
    with pytest.raises(IntegrityError):
        record(
            session,
            tenant_id="no-such-tenant",
            kind="SUGGESTION",
            actor_id="a",
            actor_role="AGENT",
            input={},
            output={},
            versions={},
            now=T0,
        )
    session.rollback()
    assert session.execute(select(func.count()).select_from(AuditEvent)).scalar() == 0


def test_a_rolled_back_caller_leaves_no_trace_and_no_gap(
    session_factory: sessionmaker[Session], tenant: str
) -> None:
    write(session_factory, tenant)
    with pytest.raises(RuntimeError), transaction(session_factory) as s:
        record(
            s,
            tenant_id=tenant,
            kind="DRAFT",
            actor_id="a",
            actor_role="AGENT",
            input={},
            output={},
            versions={},
            now=T0,
        )
        raise RuntimeError("the caller failed after recording")
    (ev,) = write(session_factory, tenant)
    assert ev.seq == 2
    with session_factory() as s:
        assert verify(s).ok


def test_ledger_rows_cannot_be_updated_through_the_orm(
    session_factory: sessionmaker[Session], tenant: str
) -> None:
    (ev,) = write(session_factory, tenant)
    with session_factory() as s:
        stored = s.get(AuditEvent, ev.id)
        assert stored is not None
        stored.actor_id = "someone-else"
        with pytest.raises(RuntimeError, match="append-only"):
            s.flush()


def test_feedback_is_chained_and_kept_twice(session_factory: sessionmaker[Session], tenant: str) -> None:
    (ev,) = write(session_factory, tenant)
    with transaction(session_factory) as s:
        fb1 = record_feedback(
            s,
            tenant_id=tenant,
            event_id=ev.id,
            actor_id="agent-1",
            actor_role="AGENT",
            action="USED",
            final_text=None,
            now=T0 + timedelta(seconds=5),
        )
    with transaction(session_factory) as s:
        fb2 = record_feedback(
            s,
            tenant_id=tenant,
            event_id=ev.id,
            actor_id="agent-1",
            actor_role="AGENT",
            action="EDITED",
            final_text="Entiendo, ¿le parece el viernes?",
            now=T0 + timedelta(seconds=9),
        )
    with session_factory() as s:
        ledger = {e.id: e for e in s.execute(select(AuditEvent)).scalars()}
        assert ledger[fb1.ledger_event_id].kind == "FEEDBACK"
        assert ledger[fb2.ledger_event_id].input["eventId"] == ev.id
        assert ledger[fb2.ledger_event_id].output == {
            "action": "EDITED",
            "finalText": "Entiendo, ¿le parece el viernes?",
        }
        assert ledger[fb2.ledger_event_id].debtor_id == "debtor-1"
        assert [f.action for f in feedback_for_events(s, tenant_id=tenant, event_ids=[ev.id])[ev.id]] == [
            "USED",
            "EDITED",
        ]
        assert s.execute(select(func.count()).select_from(AuditFeedback)).scalar() == 2
        assert verify(s).ok


def test_feedback_bad_input(session: Session, tenant: str, other_tenant: str, session_factory) -> None:
    (ev,) = write(session_factory, tenant)
    (foreign,) = write(session_factory, other_tenant)
    common = dict(tenant_id=tenant, actor_id="agent-1", actor_role="AGENT", now=T0)
    with pytest.raises(NotFound):
        record_feedback(
            session, event_id="00000000-0000-0000-0000-000000000000", action="USED", final_text=None, **common
        )
    with pytest.raises(NotFound):
        record_feedback(session, event_id="not even an id", action="USED", final_text=None, **common)
    with pytest.raises(NotFound):
        record_feedback(session, event_id=foreign.id, action="USED", final_text=None, **common)
    with pytest.raises(BadInput, match="10,000"):
        record_feedback(session, event_id=ev.id, action="EDITED", final_text="x" * 10_001, **common)
    with pytest.raises(BadInput):
        record_feedback(session, event_id=ev.id, action="EDITED", final_text="  ", **common)
    with pytest.raises(BadInput):
        record_feedback(session, event_id=ev.id, action="LIKED", final_text=None, **common)
    ok = record_feedback(session, event_id=ev.id, action="EDITED", final_text="x" * 10_000, **common)
    with pytest.raises(BadInput):
        record_feedback(session, event_id=ok.ledger_event_id, action="USED", final_text=None, **common)


def test_feedback_text_is_scrubbed(session: Session, tenant: str, session_factory) -> None:
    (ev,) = write(session_factory, tenant)
    fb = record_feedback(
        session,
        tenant_id=tenant,
        event_id=ev.id,
        actor_id="a",
        actor_role="AGENT",
        action="EDITED",
        final_text="pegue ask_0a1b2c3d_zzzzzzzzzzzzzzzzzzzz aquí",
        now=T0,
    )
    assert fb.final_text == "pegue [REDACTED] aquí"


def test_get_event_is_tenant_scoped(
    session: Session, tenant: str, other_tenant: str, session_factory
) -> None:
    (ev,) = write(session_factory, tenant)
    assert get_event(session, tenant_id=tenant, event_id=ev.id).id == ev.id
    with pytest.raises(NotFound):
        get_event(session, tenant_id=other_tenant, event_id=ev.id)


def test_list_events_pages_newest_first_with_filters(
    session_factory: sessionmaker[Session], tenant: str, other_tenant: str
) -> None:
    write(session_factory, tenant, n=5)
    write(
        session_factory,
        tenant,
        n=2,
        start=T0 + timedelta(hours=1),
        kind="DRAFT",
        actor_id="agent-2",
        debtor_id="debtor-2",
    )
    write(session_factory, other_tenant, n=3)
    with session_factory() as s:
        seen = []
        cursor = None
        while True:
            page, has_next, cursor = list_events(s, tenant_id=tenant, first=3, after_cursor=cursor)
            seen += [e.seq for e in page]
            if not has_next:
                break
        assert seen == [7, 6, 5, 4, 3, 2, 1]
        drafts, has_next, _ = list_events(s, tenant_id=tenant, kind="DRAFT")
        assert [e.seq for e in drafts] == [7, 6] and not has_next
        assert [e.seq for e in list_events(s, tenant_id=tenant, actor_id="agent-2")[0]] == [7, 6]
        assert [e.seq for e in list_events(s, tenant_id=tenant, debtor_id="debtor-1")[0]] == [5, 4, 3, 2, 1]
        window = list_events(
            s, tenant_id=tenant, since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3)
        )
        assert [e.seq for e in window[0]] == [3, 2]
        assert len(list_events(s, tenant_id=other_tenant)[0]) == 3
        assert list_events(s, tenant_id=tenant, first=0) == ([], True, None)
        with pytest.raises(BadInput):
            list_events(s, tenant_id=tenant, after_cursor="!!not-a-cursor")
        with pytest.raises(BadInput):
            list_events(s, tenant_id=tenant, first=1001)
        with pytest.raises(BadInput):
            list_events(s, tenant_id=tenant, kind="GOSSIP")


def test_summary_counts_shown_feedback_and_blocked(
    session_factory: sessionmaker[Session], tenant: str
) -> None:
    blocked = [
        {"ruleId": "mx.threat", "code": "FALSE_LEGAL_THREAT"},
        {"ruleId": "mx.arrest", "code": "THREAT_OF_ARREST"},
    ]
    a = write(session_factory, tenant, n=3, output={"category": "NO_MONEY", "blocked": blocked})
    b = write(
        session_factory,
        tenant,
        n=2,
        start=T0 + timedelta(hours=1),
        actor_id="agent-2",
        output={"category": "DISPUTE", "blocked": [{"ruleId": "mx.threat", "code": "FALSE_LEGAL_THREAT"}]},
    )
    write(session_factory, tenant, kind="DRAFT", output={"text": "Hola"}, input={"purpose": "REMINDER"})
    write(session_factory, tenant, start=T0 - timedelta(days=40))  # outside the period
    with transaction(session_factory) as s:
        fb = dict(tenant_id=tenant, actor_id="agent-1", actor_role="AGENT", now=T0 + timedelta(hours=2))
        record_feedback(s, event_id=a[0].id, action="USED", final_text=None, **fb)
        record_feedback(s, event_id=a[1].id, action="USED", final_text=None, **fb)
        record_feedback(s, event_id=a[1].id, action="DISCARDED", final_text=None, **fb)  # the latest counts
        record_feedback(s, event_id=b[0].id, action="EDITED", final_text="Revisemos su disputa.", **fb)
    with session_factory() as s:
        rows = summary(s, tenant_id=tenant, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1))
    by_key = {(r.kind, r.category, r.actor_id): r for r in rows}
    assert set(by_key) == {
        ("DRAFT", None, "agent-1"),
        ("SUGGESTION", "DISPUTE", "agent-2"),
        ("SUGGESTION", "NO_MONEY", "agent-1"),
    }
    nm = by_key["SUGGESTION", "NO_MONEY", "agent-1"]
    assert (nm.shown, nm.used, nm.edited, nm.discarded, nm.blocked) == (3, 1, 0, 1, 6)
    assert nm.blocked_by_rule == {"mx.threat": 3, "mx.arrest": 3}
    d = by_key["SUGGESTION", "DISPUTE", "agent-2"]
    assert (d.shown, d.used, d.edited, d.discarded, d.blocked, d.blocked_by_rule) == (
        2,
        0,
        1,
        0,
        2,
        {"mx.threat": 2},
    )
    draft = by_key["DRAFT", None, "agent-1"]
    assert (draft.shown, draft.blocked) == (1, 0)


def test_summary_reads_category_from_input(session_factory: sessionmaker[Session], tenant: str) -> None:
    write(
        session_factory,
        tenant,
        kind="COMPLIANCE_CHECK",
        input={"category": "HARDSHIP"},
        output={"compliant": True},
    )
    with session_factory() as s:
        (row,) = summary(s, tenant_id=tenant, since=T0, until=T0 + timedelta(minutes=1))
    assert (row.kind, row.category, row.shown) == ("COMPLIANCE_CHECK", "HARDSHIP", 1)
