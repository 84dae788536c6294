"""verify detects tampering done through raw SQL; purge keeps chains verifiable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente.audit import AuditCheckpoint, AuditEvent, AuditFeedback, purge, record_feedback, verify
from asistente.db import transaction
from asistente.errors import BadInput
from tests.audit.helpers import T0, make_tenant, write


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def test_intact_ledger_verifies(
    engine: Engine, session_factory: sessionmaker[Session], tenant: str, other_tenant: str
) -> None:
    write(session_factory, tenant, n=4)
    write(session_factory, other_tenant, n=3)
    result = verify(engine)
    assert (result.ok, result.checked, result.first_bad, result.tenants) == (True, 7, None, 2)
    assert verify(engine, tenant_id=other_tenant).checked == 3


def test_empty_ledger_verifies(engine: Engine) -> None:
    assert verify(engine).ok


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_id", "'agent-9'"),
        ("debtor_id", "NULL"),
        ("kind", "'DRAFT'"),
        ("output", '\'{"category":"NONE"}\''),
        ("hash", "'" + "a" * 64 + "'"),
        ("versions", "'{}'"),
    ],
)
def test_modified_field_is_named(
    engine: Engine, session_factory, tenant: str, column: str, value: str
) -> None:
    events = write(session_factory, tenant, n=5)
    sql(engine, f"UPDATE audit_events SET {column} = {value} WHERE id = :id", id=events[2].id)
    result = verify(engine)
    assert not result.ok
    bad = result.first_bad
    assert bad is not None and (bad.tenant, bad.seq, bad.id) == (tenant, 3, events[2].id)
    assert "modified" in bad.reason
    assert result.checked == 2


def test_modified_time_is_detected(engine: Engine, session_factory, tenant: str) -> None:
    events = write(session_factory, tenant, n=3)
    with engine.begin() as conn:
        conn.execute(
            AuditEvent.__table__.update()
            .where(AuditEvent.id == events[1].id)
            .values(at=T0 + timedelta(days=1))
        )
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (2, events[1].id)


def test_deleted_record_is_named(engine: Engine, session_factory, tenant: str) -> None:
    events = write(session_factory, tenant, n=5)
    sql(engine, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (3, events[2].id)
    assert "seq 2 missing" in bad.reason


def test_deleted_first_record_is_detected(engine: Engine, session_factory, tenant: str) -> None:
    events = write(session_factory, tenant, n=3)
    sql(engine, "DELETE FROM audit_events WHERE id = :id", id=events[0].id)
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (2, events[1].id)
    assert "no purge checkpoint" in bad.reason


def test_deleted_tail_is_detected(engine: Engine, session_factory, tenant: str) -> None:
    events = write(session_factory, tenant, n=4)
    sql(engine, "DELETE FROM audit_events WHERE seq >= 3 AND tenant_id = :t", t=tenant)
    result = verify(engine)
    assert result.first_bad is not None
    assert (result.first_bad.seq, result.first_bad.id) == (3, None)
    assert "after seq 2 are missing" in result.first_bad.reason
    assert events  # the ids of the deleted tail are unknown to the verifier


def test_deleted_record_relinked_is_still_detected(engine: Engine, session_factory, tenant: str) -> None:
    """Deleting seq 2 and renumbering seq 3 into its place breaks the prev_hash link."""
    events = write(session_factory, tenant, n=3)
    sql(engine, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    sql(engine, "UPDATE audit_events SET seq = 2 WHERE id = :id", id=events[2].id)
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (2, events[2].id)
    assert "prev_hash" in bad.reason


def test_swapped_records_are_named(engine: Engine, session_factory, tenant: str) -> None:
    events = write(session_factory, tenant, n=5)
    sql(engine, "UPDATE audit_events SET seq = -1 WHERE id = :id", id=events[2].id)
    sql(engine, "UPDATE audit_events SET seq = 3 WHERE id = :id", id=events[3].id)
    sql(engine, "UPDATE audit_events SET seq = 4 WHERE id = :id", id=events[2].id)
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (3, events[3].id)
    assert "reordered" in bad.reason


def test_first_bad_record_names_the_tenant(engine: Engine, session_factory) -> None:
    a = make_tenant(session_factory, "alpha")
    z = make_tenant(session_factory, "zulu")
    write(session_factory, a, n=2)
    bad_events = write(session_factory, z, n=2)
    sql(engine, "UPDATE audit_events SET actor_id = 'x' WHERE id = :id", id=bad_events[1].id)
    result = verify(engine)
    assert result.first_bad is not None
    assert (result.first_bad.tenant_slug, result.first_bad.seq) == ("zulu", 2)
    assert verify(engine, tenant_id=a).ok


def test_tampered_feedback_row_is_detected(engine: Engine, session_factory, tenant: str) -> None:
    (ev,) = write(session_factory, tenant)
    with transaction(session_factory) as s:
        fb = record_feedback(
            s,
            tenant_id=tenant,
            event_id=ev.id,
            actor_id="a",
            actor_role="AGENT",
            action="DISCARDED",
            final_text=None,
            now=T0,
        )
    assert verify(engine).ok
    sql(engine, "UPDATE audit_feedback SET action = 'USED' WHERE id = :id", id=fb.id)
    bad = verify(engine).first_bad
    assert bad is not None and bad.id == fb.ledger_event_id and fb.id in bad.reason


def test_purge_keeps_the_chain_verifiable(
    engine: Engine, session_factory, tenant: str, other_tenant: str
) -> None:
    old = write(session_factory, tenant, n=4, start=T0 - timedelta(days=4 * 365))
    with transaction(session_factory) as s:  # feedback on a purged event goes with it
        record_feedback(
            s,
            tenant_id=tenant,
            event_id=old[0].id,
            actor_id="a",
            actor_role="AGENT",
            action="USED",
            final_text=None,
            now=old[0].at,
        )
    recent = write(session_factory, tenant, n=3)
    write(session_factory, other_tenant, n=2)
    cutoff = T0 - timedelta(days=3 * 365)
    with transaction(session_factory) as s:
        dry = purge(s, older_than=cutoff, now=T0, dry_run=True)
    assert [(r.tenant_id, r.purged, r.up_to_seq) for r in dry] == [(tenant, 5, 5)]
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent)).scalar() == 10
        assert s.execute(select(func.count()).select_from(AuditCheckpoint)).scalar() == 0
    with transaction(session_factory) as s:
        (res,) = purge(s, older_than=cutoff, now=T0)
    assert (res.purged, res.up_to_seq) == (5, 5)
    with session_factory() as s:
        cp = s.execute(select(AuditCheckpoint)).scalar_one()
        assert (cp.tenant_id, cp.seq, cp.purged_count, cp.hash) == (tenant, 5, 5, recent[0].prev_hash)
        assert s.execute(select(func.count()).select_from(AuditFeedback)).scalar() == 0
    result = verify(engine)
    assert (result.ok, result.checked) == (True, 5)
    # The chain goes on after a purge, and a second purge stacks a checkpoint on the first.
    write(session_factory, tenant, n=2, start=T0 + timedelta(days=1))
    with transaction(session_factory) as s:
        (res2,) = purge(s, tenant_id=tenant, older_than=T0 + timedelta(hours=1), now=T0)
    assert (res2.purged, res2.up_to_seq) == (3, 8)
    assert verify(engine).ok


def test_purge_everything_then_continue(engine: Engine, session_factory, tenant: str) -> None:
    write(session_factory, tenant, n=3)
    with transaction(session_factory) as s:
        purge(s, older_than=T0 + timedelta(days=1), now=T0)
    assert verify(engine).ok
    (ev,) = write(session_factory, tenant, start=T0 + timedelta(days=2))
    assert ev.seq == 4
    assert verify(engine).ok


def test_tampering_after_a_purge_is_detected(engine: Engine, session_factory, tenant: str) -> None:
    write(session_factory, tenant, n=3, start=T0 - timedelta(days=2000))
    recent = write(session_factory, tenant, n=3)
    with transaction(session_factory) as s:
        purge(s, older_than=T0 - timedelta(days=1), now=T0)
    sql(engine, "UPDATE audit_events SET actor_id = 'x' WHERE id = :id", id=recent[1].id)
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (5, recent[1].id)


def test_deleting_the_first_record_after_a_purge_is_detected(
    engine: Engine, session_factory, tenant: str
) -> None:
    write(session_factory, tenant, n=2, start=T0 - timedelta(days=2000))
    recent = write(session_factory, tenant, n=3)
    with transaction(session_factory) as s:
        purge(s, older_than=T0 - timedelta(days=1), now=T0)
    sql(engine, "DELETE FROM audit_events WHERE id = :id", id=recent[0].id)
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (4, recent[1].id)


def test_tampered_checkpoint_is_detected(engine: Engine, session_factory, tenant: str) -> None:
    write(session_factory, tenant, n=2, start=T0 - timedelta(days=2000))
    recent = write(session_factory, tenant, n=2)
    with transaction(session_factory) as s:
        purge(s, older_than=T0 - timedelta(days=1), now=T0)
    sql(engine, "UPDATE audit_checkpoints SET hash = :h", h="b" * 64)
    bad = verify(engine).first_bad
    assert bad is not None and (bad.seq, bad.id) == (3, recent[0].id)


def test_purge_cuts_only_a_prefix(engine: Engine, session_factory, tenant: str) -> None:
    """Events are chained in lock order, so `at` may go back a little; purge never cuts a hole."""
    write(session_factory, tenant, n=2, start=T0 - timedelta(days=10))
    write(session_factory, tenant, n=1, start=T0)
    write(session_factory, tenant, n=2, start=T0 - timedelta(days=9))  # older than seq 3
    with transaction(session_factory) as s:
        (res,) = purge(s, older_than=T0 - timedelta(days=1), now=T0)
    assert (res.purged, res.up_to_seq) == (2, 2)
    assert verify(engine).checked == 3


def test_purge_refuses_a_tampered_prefix(engine: Engine, session_factory, tenant: str) -> None:
    old = write(session_factory, tenant, n=3, start=T0 - timedelta(days=2000))
    write(session_factory, tenant, n=1)
    sql(engine, "UPDATE audit_events SET actor_id = 'x' WHERE id = :id", id=old[1].id)
    with pytest.raises(BadInput, match="fails verification"), transaction(session_factory) as s:
        purge(s, older_than=T0 - timedelta(days=1), now=T0)
    with session_factory() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent)).scalar() == 4
