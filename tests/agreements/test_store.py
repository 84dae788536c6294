"""AgreementStore against the database: policy revisions, tenant scoping, the debtor's local date and
status evaluation with the clock passed in (never the wall clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from asistente.agreements import AgreementProposal, Frequency, PlanKind, PolicyError
from asistente.agreements.store import (
    AgreementPolicyRecord,
    AgreementStatus,
    AgreementStore,
    local_today,
)
from asistente.enums import Role
from asistente.errors import BadInput, Forbidden, NotFound
from asistente.portfolio.models import Account, Debtor, Promise
from asistente.tenants.service import get_or_create_tenant
from tests.agreements.helpers import policy_doc

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _debtor(session, tenant_id: str, ext: str = "D-1", balance: str = "12000.00") -> tuple[Debtor, Account]:
    debtor = Debtor(
        tenant_id=tenant_id,
        external_id=ext,
        full_name="Ana",
        jurisdiction="MX-ROO",
        addresses=[{"line1": "Av. Tulum 12", "city": "Cancún", "region": "ROO", "country": "MX"}],
        phones=[],
    )
    session.add(debtor)
    session.flush()
    account = Account(
        tenant_id=tenant_id,
        debtor_id=debtor.id,
        external_id=f"{ext}-A",
        product="Tarjeta",
        currency="MXN",
        principal=Decimal(balance),
        balance=Decimal(balance),
    )
    session.add(account)
    session.flush()
    return debtor, account


def test_policy_revisions_keep_history_and_bad_documents_store_nothing(session):
    tenant = get_or_create_tenant(session, "acme")
    store = AgreementStore(session, tenant.id)
    first = store.set_policy(policy_doc(), actor_id="admin", now=NOW)
    second = store.set_policy(policy_doc(version="test-2"), actor_id="admin", now=NOW)
    assert (first.revision, second.revision, first.active, second.active) == (1, 2, False, True)
    with pytest.raises(PolicyError) as err:
        store.set_policy(policy_doc(maxInstalments=3), actor_id="admin", now=NOW)
    assert [e.field for e in err.value.errors] == ["$.maxInstalments"]
    assert [r.version for r in store.policy_records()] == ["test-2"]
    assert len(store.policy_records(include_history=True)) == 2
    assert len(session.scalars(select(AgreementPolicyRecord)).all()) == 2
    in_force = store.policy_for("MXN", "Tarjeta", None)
    assert (in_force.policy.version, in_force.revision, in_force.source) == ("test-2", 2, "TENANT")
    # another tenant falls back to the shipped default
    other = AgreementStore(session, get_or_create_tenant(session, "globex").id)
    assert other.policy_for("MXN", None, None).source == "DEFAULT"
    with pytest.raises(BadInput):
        other.policy_for("BRL", None, None)


def test_local_today_uses_the_debtors_zone_and_falls_back_to_utc(session):
    tenant = get_or_create_tenant(session, "acme")
    debtor, _ = _debtor(session, tenant.id)
    late_evening = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 22:00 on the 20th in Cancún (UTC-5)
    assert local_today(debtor, late_evening) == date(2026, 11, 20)
    debtor.addresses, debtor.jurisdiction = [], None
    assert local_today(debtor, late_evening) == date(2026, 11, 21)


def test_lifecycle_with_the_clock_passed_in(session):
    tenant = get_or_create_tenant(session, "acme")
    store = AgreementStore(session, tenant.id)
    store.set_policy(policy_doc(), actor_id="admin", now=NOW)
    debtor, account = _debtor(session, tenant.id)
    proposal = AgreementProposal(
        kind=PlanKind.INSTALLMENTS,
        account_ids=[account.id],
        first_payment_date=date(2026, 12, 15),
        installments=3,
        frequency=Frequency.MONTHLY,
    )
    ev = store.evaluate(
        debtor=debtor, debtor_accounts=[account], proposal=proposal, caller_role=Role.AGENT, now=NOW
    )
    agreement = store.create(ev, actor_id="agent-1", now=NOW)
    assert agreement.status == AgreementStatus.ACTIVE.value
    promises = session.scalars(select(Promise).where(Promise.agreement_id == agreement.id)).all()
    assert len(promises) == 3 and {p.status for p in promises} == {"PENDING"}
    # another tenant cannot see it
    with pytest.raises(NotFound):
        AgreementStore(session, get_or_create_tenant(session, "globex").id).get(agreement.id)
    # nothing is decided on an ACTIVE agreement
    with pytest.raises(BadInput):
        store.decide(
            agreement.id, approve=True, actor_id="sup", acting_role=Role.SUPERVISOR, note=None, now=NOW
        )
    # within grace (due 12-15 + 3 days), nothing changes; the day after, it is broken
    assert store.refresh(now=datetime(2026, 12, 18, 20, 0, tzinfo=UTC)) == (1, [])
    evaluated, changes = store.refresh(now=datetime(2026, 12, 19, 20, 0, tzinfo=UTC))
    assert evaluated == 1 and [(c.before, c.after) for c in changes] == [("ACTIVE", "BROKEN")]
    statuses = sorted((p.due_date.isoformat(), p.status) for p in promises)
    assert statuses == [("2026-12-15", "BROKEN"), ("2027-01-15", "CANCELLED"), ("2027-02-15", "CANCELLED")]
    assert store.refresh(now=datetime(2027, 3, 1, tzinfo=UTC)) == (0, [])


def test_only_a_higher_tier_other_than_the_maker_decides(session):
    tenant = get_or_create_tenant(session, "acme")
    store = AgreementStore(session, tenant.id)
    store.set_policy(policy_doc(), actor_id="admin", now=NOW)
    debtor, account = _debtor(session, tenant.id)
    proposal = AgreementProposal(
        kind=PlanKind.SETTLEMENT,
        account_ids=[account.id],
        first_payment_date=date(2026, 11, 27),
        settlement_amount=Decimal("9600.00"),
    )
    ev = store.evaluate(
        debtor=debtor, debtor_accounts=[account], proposal=proposal, caller_role=Role.AGENT, now=NOW
    )
    agreement = store.create(ev, actor_id="agent-1", now=NOW)
    assert (agreement.status, agreement.approval_role) == ("PENDING_APPROVAL", "SUPERVISOR")
    assert session.scalars(select(Promise).where(Promise.agreement_id == agreement.id)).all() == []
    with pytest.raises(Forbidden):
        store.decide(
            agreement.id, approve=True, actor_id="agent-2", acting_role=Role.AGENT, note=None, now=NOW
        )
    with pytest.raises(Forbidden):
        store.decide(
            agreement.id, approve=True, actor_id="agent-1", acting_role=Role.SUPERVISOR, note=None, now=NOW
        )
    # a plan whose first payment date has passed is stale: it cannot be approved any more
    later = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    with pytest.raises(BadInput, match="has passed"):
        store.decide(
            agreement.id, approve=True, actor_id="sup-1", acting_role=Role.SUPERVISOR, note=None, now=later
        )
    store.decide(
        agreement.id, approve=True, actor_id="sup-1", acting_role=Role.SUPERVISOR, note="ok", now=NOW
    )
    assert agreement.status == "ACTIVE"
    assert len(session.scalars(select(Promise).where(Promise.agreement_id == agreement.id)).all()) == 1
