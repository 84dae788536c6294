"""The agreement use cases the resolvers call (one each), with the clock passed in, against the database;
and the authority tiers as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from asistente.agreements import AgreementProposal, Frequency, PlanKind, usecases
from asistente.agreements.authority import acting_role, proposal_authority, require_decision_authority
from asistente.agreements.store import AgreementStore
from asistente.enums import Role
from asistente.errors import BadInput, Forbidden, NotFound
from asistente.portfolio.models import Promise
from asistente.portfolio.repository import PortfolioRepository
from asistente.tenants.service import Principal, get_or_create_tenant
from tests.agreements.helpers import policy_doc
from tests.agreements.test_store import _debtor

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _principal(
    tenant_id: str, role: Role, agent_role: str | None = None, actor: str = "actor-1"
) -> Principal:
    return Principal(
        tenant_id=tenant_id, tenant_slug="acme", role=role, actor_id=actor, agent_role=agent_role
    )


@pytest.mark.parametrize(
    ("role", "agent_role", "tier"),
    [
        (Role.ADMIN, None, Role.ADMIN),
        (Role.ADMIN, "AGENT", Role.ADMIN),
        (Role.AGENT, "SUPERVISOR", Role.SUPERVISOR),
        (Role.AGENT, None, Role.AGENT),
        (Role.SUPERVISOR, None, Role.SUPERVISOR),
        (Role.SUPERVISOR, "AGENT", Role.AGENT),
    ],
)
def test_acting_role_is_the_agents_tier_or_the_keys(role, agent_role, tier):
    assert acting_role(role, agent_role) is tier


@pytest.mark.parametrize("role", [Role.COMPLIANCE, Role.INTEGRATOR])
def test_readers_have_no_authority_over_agreements(role):
    with pytest.raises(Forbidden, match="no authority"):
        acting_role(role, None)


def test_proposal_authority_never_refuses_and_is_conservative_for_relays():
    assert proposal_authority(Role.INTEGRATOR, None) is Role.AGENT
    assert proposal_authority(Role.INTEGRATOR, "SUPERVISOR") is Role.SUPERVISOR
    assert proposal_authority(Role.SUPERVISOR, None) is Role.SUPERVISOR
    assert proposal_authority(Role.ADMIN, "AGENT") is Role.ADMIN


def test_decision_authority_needs_the_approval_tier_and_another_person():
    require_decision_authority(Role.SUPERVISOR, approval_role=None, actor_id="s", created_by="a")
    require_decision_authority(Role.ADMIN, approval_role="ADMIN", actor_id="s", created_by="a")
    with pytest.raises(Forbidden, match="needs SUPERVISOR"):
        require_decision_authority(Role.AGENT, approval_role=None, actor_id="s", created_by="a")
    with pytest.raises(Forbidden, match="needs ADMIN"):
        require_decision_authority(Role.SUPERVISOR, approval_role="ADMIN", actor_id="s", created_by="a")
    with pytest.raises(Forbidden, match="they made"):
        require_decision_authority(Role.ADMIN, approval_role="SUPERVISOR", actor_id="a", created_by="a")


def test_policy_listing_puts_defaults_after_the_tenants_and_drops_overridden_currencies(session):
    tenant = get_or_create_tenant(session, "acme")
    store = AgreementStore(session, tenant.id)
    everything = usecases.policy_listing(store)
    assert all(e.record is None for e in everything) and "MXN" in {e.default.currency for e in everything}
    store.set_policy(policy_doc(), actor_id="admin", now=NOW)
    store.set_policy(policy_doc(version="test-2"), actor_id="admin", now=NOW)
    listed = usecases.policy_listing(store)
    assert listed[0].record is not None and listed[0].record.version == "test-2"
    assert "MXN" not in {e.default.currency for e in listed[1:]}
    assert len(listed) == len(everything)  # one tenant MXN replaces the default MXN
    history = usecases.policy_listing(store, include_history=True, include_defaults=False)
    assert [e.record.revision for e in history] == [2, 1]
    only_cop = usecases.policy_listing(store, currency="COP")
    assert [(e.record, e.default.currency) for e in only_cop] == [(None, "COP")]
    # a scoped tenant policy does not replace the default for its currency
    store.set_policy(
        policy_doc(version="cop-card", currency="COP", scope={"product": "Tarjeta"}), actor_id="a", now=NOW
    )
    scoped = usecases.policy_listing(store, currency="COP")
    assert [(e.record is not None, e.default is not None) for e in scoped] == [(True, False), (False, True)]


def _plan(account_id: str, **fields) -> AgreementProposal:
    fields.setdefault("first_payment_date", date(2026, 12, 15))
    return AgreementProposal(kind=PlanKind.INSTALLMENTS, account_ids=[account_id], **fields)


def test_create_decide_and_refresh_plans_with_the_clock_passed_in(session):
    tenant = get_or_create_tenant(session, "acme")
    store, portfolio = AgreementStore(session, tenant.id), PortfolioRepository(session, tenant.id)
    store.set_policy(policy_doc(), actor_id="admin", now=NOW)
    debtor, account = _debtor(session, tenant.id)
    agent = _principal(tenant.id, Role.AGENT, "AGENT", actor="agent-1")
    with pytest.raises(Forbidden):
        usecases.validate_plan(
            store,
            principal=_principal(tenant.id, Role.COMPLIANCE),
            debtor=debtor,
            accounts=[account],
            proposal=_plan(account.id, installments=3, frequency=Frequency.MONTHLY),
            now=NOW,
        )
    settlement = AgreementProposal(
        kind=PlanKind.SETTLEMENT,
        account_ids=[account.id],
        first_payment_date=date(2026, 11, 27),
        settlement_amount=Decimal("9600.00"),
    )
    ev, agreement = usecases.create_plan(
        store, portfolio, principal=agent, debtor=debtor, accounts=[account], proposal=settlement, now=NOW
    )
    assert (ev.caller_role, agreement.status, agreement.created_by) == (
        Role.AGENT,
        "PENDING_APPROVAL",
        "agent-1",
    )
    session.expire(debtor)
    assert debtor.segment_code is not None  # the segment follows the change
    with pytest.raises(Forbidden):
        usecases.decide_plan(
            store, portfolio, agreement.id, principal=agent, approve=True, note=None, now=NOW
        )
    supervisor = _principal(tenant.id, Role.AGENT, "SUPERVISOR", actor="sup-1")
    decided, role = usecases.decide_plan(
        store, portfolio, agreement.id, principal=supervisor, approve=True, note="ok", now=NOW
    )
    assert (decided.status, role, decided.decided_by) == ("ACTIVE", Role.SUPERVISOR, "sup-1")
    with pytest.raises(NotFound):
        usecases.refresh_plans(store, portfolio, debtor_id="no-such-debtor", now=NOW)
    assert usecases.refresh_plans(store, portfolio, debtor_id=debtor.id, now=NOW) == (1, [])
    evaluated, changes = usecases.refresh_plans(
        store, portfolio, debtor_id=None, now=datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    )
    assert evaluated == 1 and [(c.before, c.after) for c in changes] == [("ACTIVE", "BROKEN")]


def test_record_payment_applies_a_new_payment_once(session):
    tenant = get_or_create_tenant(session, "acme")
    store, portfolio = AgreementStore(session, tenant.id), PortfolioRepository(session, tenant.id)
    store.set_policy(policy_doc(), actor_id="admin", now=NOW)
    debtor, account = _debtor(session, tenant.id, balance="3000.00")
    _, agreement = usecases.create_plan(
        store,
        portfolio,
        principal=_principal(tenant.id, Role.AGENT, "AGENT"),
        debtor=debtor,
        accounts=[account],
        proposal=_plan(account.id, installments=3, frequency=Frequency.MONTHLY),
        now=NOW,
    )
    assert agreement.status == "ACTIVE"
    paid_at = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    later = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    first = usecases.record_payment(
        store,
        portfolio,
        account_id=account.id,
        amount="5000.00",
        currency="MXN",
        paid_at=paid_at,
        reference="R-1",
        now=later,
    )
    assert first.created and first.agreement is agreement and agreement.status == "COMPLETED"
    assert first.account.balance == Decimal("0")
    promises = session.scalars(select(Promise).where(Promise.agreement_id == agreement.id)).all()
    assert {p.status for p in promises} == {"KEPT"}
    again = usecases.record_payment(
        store,
        portfolio,
        account_id=account.id,
        amount="5000.00",
        currency="MXN",
        paid_at=paid_at,
        reference="R-1",
        now=later,
    )
    assert (again.created, again.agreement, again.payment.id) == (False, None, first.payment.id)
    with pytest.raises(BadInput):
        usecases.record_payment(
            store,
            portfolio,
            account_id=account.id,
            amount="10.00",
            currency="USD",
            paid_at=paid_at,
            reference=None,
            now=later,
        )
