"""The card revision moves with every write that changes what the card shows, and only then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from asistente.db import transaction
from asistente.portfolio.ingest import upsert_records
from asistente.portfolio.models import Account, Debtor, Interaction, Promise
from asistente.tenants.service import get_or_create_tenant
from tests.api.data import debtor_record

NOW = datetime.now(UTC)  # the instant the rows are stamped with (ingest never reads the clock)


def _revision(factory, debtor_id: str) -> int:
    with factory() as s:
        return s.scalar(select(Debtor.card_revision).where(Debtor.id == debtor_id))


def _setup(factory) -> tuple[str, str]:
    with transaction(factory) as s:
        tenant = get_or_create_tenant(s, "acme", "Acme")
        result = upsert_records(s, tenant.id, [debtor_record("R-1", accounts=2)], now=NOW)
        return tenant.id, result.debtor_ids[0]


def test_orm_writes_move_the_revision(session_factory):
    tenant_id, debtor_id = _setup(session_factory)
    start = _revision(session_factory, debtor_id)
    steps = []

    def write(fn) -> None:
        with transaction(session_factory) as s:
            fn(s)
        steps.append(_revision(session_factory, debtor_id))

    at = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    write(
        lambda s: s.add(
            Interaction(
                tenant_id=tenant_id,
                debtor_id=debtor_id,
                channel="CALL",
                direction="OUTBOUND",
                at=at,
                outcome="NO_ANSWER",
            )
        )
    )
    write(
        lambda s: setattr(
            s.scalars(select(Account).where(Account.debtor_id == debtor_id)).first(),
            "balance",
            Decimal("1.00"),
        )
    )
    write(lambda s: setattr(s.get(Debtor, debtor_id), "full_name", "Otra Persona"))
    write(
        lambda s: setattr(
            s.scalars(select(Promise).where(Promise.debtor_id == debtor_id)).first(), "status", "KEPT"
        )
    )
    write(lambda s: s.delete(s.scalars(select(Account).where(Account.debtor_id == debtor_id)).first()))
    assert steps == sorted(steps) and len(set([start, *steps])) == len(steps) + 1, (start, steps)


def test_a_write_that_changes_nothing_keeps_the_revision(session_factory):
    _, debtor_id = _setup(session_factory)
    start = _revision(session_factory, debtor_id)
    with transaction(session_factory) as s:
        d = s.get(Debtor, debtor_id)
        d.full_name = d.full_name  # same value: not modified
        s.scalars(select(Account).where(Account.debtor_id == debtor_id)).first()  # read only
    assert _revision(session_factory, debtor_id) == start


def test_the_import_update_path_moves_the_revision(session_factory):
    tenant_id, debtor_id = _setup(session_factory)
    start = _revision(session_factory, debtor_id)
    with transaction(session_factory) as s:
        upsert_records(
            s, tenant_id, [{**debtor_record("R-1", accounts=2), "fullName": "Renombrada"}], now=NOW
        )
    assert _revision(session_factory, debtor_id) > start


def test_a_stale_loaded_value_cannot_rewind_the_revision(session_factory):
    """The bump is an SQL expression: a session holding an old value still moves the stored one forward."""
    _, debtor_id = _setup(session_factory)
    stale = session_factory()
    try:
        d = stale.get(Debtor, debtor_id)  # loads the current revision
        with transaction(session_factory) as s:  # meanwhile another writer moves it
            s.get(Debtor, debtor_id).cease_contact = True
        moved = _revision(session_factory, debtor_id)
        d.full_name = "Desde una sesión vieja"
        stale.commit()
    finally:
        stale.close()
    assert _revision(session_factory, debtor_id) > moved


def test_an_unchanged_record_reimported_changes_nothing(session_factory):
    tenant_id, debtor_id = _setup(session_factory)
    with session_factory() as s:
        before = s.execute(
            select(Debtor.card_revision, Debtor.updated_at).where(Debtor.id == debtor_id)
        ).one()
    later = NOW + timedelta(hours=1)
    with transaction(session_factory) as s:
        out = upsert_records(s, tenant_id, [debtor_record("R-1", accounts=2)], now=later)
    assert (out.created, out.updated, out.unchanged) == (0, 0, 1) and out.debtor_ids == [debtor_id]
    with session_factory() as s:
        after = s.execute(select(Debtor.card_revision, Debtor.updated_at).where(Debtor.id == debtor_id)).one()
    assert tuple(after) == tuple(before)
    # The same debtor with one value changed is an update, and the card follows.
    with transaction(session_factory) as s:
        out = upsert_records(
            s, tenant_id, [{**debtor_record("R-1", accounts=2), "fullName": "Otra Persona"}], now=later
        )
    assert (out.updated, out.unchanged) == (1, 0)
    assert _revision(session_factory, debtor_id) > before[0]
