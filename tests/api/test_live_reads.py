"""The prepared path's plain-row reads of one debtor (api/portfolio/live_reads.py) against the loaders they
replace there: every column of the same rows in the same order (debtor, accounts, the contact rules'
interaction window at the operation's clock), the tenant row the packs are built from, and the same
scoping (other tenants, unknown ids, ids that are not UUIDs, record-bound sessions). Generated debtors
(hypothesis: accounts with tied delinquency, interactions at tied instants, clocks before, inside and after
the window), on SQLite and PostgreSQL. Answers over HTTP are compared with normal execution, byte for byte,
in tests/api/test_prepared_live.py."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asistente.api.compliance.schema import _PACK_SOURCE
from asistente.api.portfolio.live_reads import ACCOUNT_FACT_COLUMNS, FACT_COLUMNS, live_rows
from asistente.portfolio.facts import debtor_facts, interaction_facts
from asistente.portfolio.ingest import upsert_records
from asistente.portfolio.models import Debtor
from asistente.portfolio.repository import PortfolioRepository
from asistente.tenants.service import get_or_create_tenant
from tests.api.data import debtor_record

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
_SEQ = itertools.count()


def _columns(rows):
    """Every column of each row (ORM objects or plain result rows), in the ORM table's column order."""
    names = [c.key for c in Debtor.__table__.columns]
    out = []
    for r in rows:
        table = r.__table__ if hasattr(r, "__table__") else None
        keys = [c.key for c in table.columns] if table is not None else list(r._fields)
        if table is None and "tenant_slug" in keys:  # the debtor's row: its columns, then the tenant's two
            assert keys[: len(names)] == names
            keys = names
        out.append({k: getattr(r, k) for k in keys})
    return out


def _ctx(services, tenant_id, bound=None):
    principal = SimpleNamespace(tenant_id=tenant_id, debtor_id=bound)
    return SimpleNamespace(principal=principal, services=services)


def _check(session, services, tenant_id, debtor_id, now, bound=None):
    repo = PortfolioRepository(session, tenant_id, only_debtor_id=bound)
    want = repo.debtors_by_ids([debtor_id]).get(debtor_id)
    for interactions_at, facts_only in itertools.product((None, now), (False, True)):
        ctx = _ctx(services, tenant_id, bound)
        rows = live_rows(ctx, debtor_id, interactions_at=interactions_at, facts_only=facts_only)
        if want is None:
            assert rows is None
            continue
        assert rows is not None
        accounts = repo.accounts_by_debtor_ids([debtor_id]).get(debtor_id, [])
        if facts_only:  # the named columns only, each the loader's value, the same accounts in order
            names = [c.key for c in FACT_COLUMNS]
            assert list(rows.debtor._fields) == [*names, "tenant_settings_text", "tenant_slug"]
            assert {n: getattr(rows.debtor, n) for n in names} == {n: getattr(want, n) for n in names}
            names = [c.key for c in ACCOUNT_FACT_COLUMNS]
            assert [tuple(a) for a in rows.accounts] == [
                tuple(getattr(a, n) for n in names) for a in accounts
            ]
        else:
            assert _columns([rows.debtor]) == _columns([want])
            assert _columns(rows.accounts) == _columns(accounts)
        assert debtor_facts(rows.debtor, rows.accounts) == debtor_facts(want, accounts)
        assert rows.tenant_row == tuple(session.execute(_PACK_SOURCE, {"tenant": tenant_id}).one())
        if interactions_at is None:
            assert rows.interactions is None
        else:
            window = repo.interaction_facts_by_debtor_ids([debtor_id], now=now).get(debtor_id, [])
            assert [tuple(r) for r in rows.interactions] == [tuple(r) for r in window]
            assert interaction_facts(rows.interactions) == interaction_facts(window)
    session.rollback()
    return want is not None


_account = st.fixed_dictionaries(
    {
        "days": st.sampled_from([0, 30, 30, 90]),  # ties: the loader's order then falls to the external id
        "balance": st.sampled_from(["0.00", "12000.50", "1.00"]),
        "flags": st.sets(st.sampled_from(["inLitigation", "disputed", "timeBarred"])),
    }
)
_interaction = st.fixed_dictionaries(
    {
        "hours": st.integers(0, 24 * 40),  # reaching back past the 35-day window
        "outcome": st.sampled_from(["NO_ANSWER", "CONVERSATION", "VOICEMAIL"]),
        "channel": st.sampled_from(["CALL", "SMS", "WHATSAPP"]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    accounts=st.lists(_account, max_size=4),
    interactions=st.lists(_interaction, max_size=60),
    tied=st.integers(1, 4),
    shift_days=st.sampled_from([-2, 0, 3, 40]),
)
def test_the_rows_are_the_loaders(session, services, accounts, interactions, tied, shift_days):
    tenant = get_or_create_tenant(session, "acme")
    ext = f"G-{next(_SEQ)}"
    rec = debtor_record(ext, accounts=len(accounts), interactions=len(interactions), payments=0)
    rec["promises"] = []
    for a, spec in zip(rec["accounts"], accounts, strict=True):
        a.update({"daysPastDue": spec["days"], "balance": spec["balance"]})
        a.update({flag: True for flag in spec["flags"]})
    for i, (it, spec) in enumerate(zip(rec["interactions"], interactions, strict=True)):
        hours = spec["hours"] - spec["hours"] % tied if i % 2 else spec["hours"]  # instants shared
        it.update({"at": (NOW - timedelta(hours=hours)).isoformat(), "outcome": spec["outcome"]})
        it["channel"] = spec["channel"]
    assert not upsert_records(session, tenant.id, [rec], now=NOW).rejections
    session.commit()
    debtor_id = PortfolioRepository(session, tenant.id).debtors_by_external_ids([ext])[ext].id
    assert _check(session, services, tenant.id, debtor_id, NOW + timedelta(days=shift_days))


def test_the_same_debtors_are_found(session, services):
    tenant = get_or_create_tenant(session, "acme")
    other = get_or_create_tenant(session, "other")
    assert not upsert_records(
        session, tenant.id, [debtor_record("S-1"), debtor_record("S-2")], now=NOW
    ).rejections
    assert not upsert_records(session, other.id, [debtor_record("S-1")], now=NOW).rejections
    session.commit()
    mine = PortfolioRepository(session, tenant.id).debtors_by_external_ids(["S-1", "S-2"])
    first, second = mine["S-1"].id, mine["S-2"].id
    theirs = PortfolioRepository(session, other.id).debtors_by_external_ids(["S-1"])["S-1"].id
    assert _check(session, services, tenant.id, first, NOW)
    assert _check(session, services, other.id, theirs, NOW)
    for tenant_id, debtor_id, bound in (
        (tenant.id, theirs, None),  # another tenant's debtor
        (other.id, first, None),
        (tenant.id, "00000000-0000-4000-8000-000000000000", None),  # unknown
        (tenant.id, "not-a-uuid", None),
        (tenant.id, "", None),
        (tenant.id, second, first),  # a session bound to another debtor
    ):
        assert not _check(session, services, tenant_id, debtor_id, NOW, bound)
    assert _check(session, services, tenant.id, first, NOW, first)  # bound to its own debtor


def test_a_dialer_worked_debtor_at_the_window_s_edge(session, services):
    """60 attempts, three at each instant, every 42 hours back to 80 days: more than the last 20 inside the
    35-day window, at clocks that put its edge between two instants and on one."""
    tenant = get_or_create_tenant(session, "acme")
    rec = debtor_record("DIALER", accounts=3, interactions=60, payments=0)
    for i, it in enumerate(rec["interactions"]):
        it["at"] = (NOW - timedelta(hours=14 * (i - i % 3))).isoformat()
        it["outcome"] = ["NO_ANSWER", "VOICEMAIL", "CONVERSATION"][i % 3]
    assert not upsert_records(session, tenant.id, [rec], now=NOW).rejections
    session.commit()
    debtor_id = PortfolioRepository(session, tenant.id).debtors_by_external_ids(["DIALER"])["DIALER"].id
    for now in (NOW, NOW - timedelta(days=3), NOW - timedelta(hours=9), NOW + timedelta(hours=7)):
        assert _check(session, services, tenant.id, debtor_id, now)
