"""What a card reads (issue 15): the last 20 interactions only, each row once on a first view, and planner
statistics kept current after imports and migrations. Same answers as before, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from asistente.db import make_engine
from asistente.migrate import upgrade
from asistente.portfolio.ingest import import_jsonl_file, upsert_records
from asistente.portfolio.models import Interaction
from asistente.portfolio.repository import RECENT_INTERACTIONS, PortfolioRepository
from asistente.tenants.service import get_or_create_tenant
from tests.api.data import FULL_CARD, UPSERT, debtor_record

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
LAST = "query($id: ID!) { debtor(id: $id) { lastInteractions(limit: 50) { id at channel outcome note } } }"


def _dialer_debtor(ext: str, interactions: int) -> dict:
    """A debtor worked by a dialer: many attempts in the last weeks, several at the same instant."""
    rec = debtor_record(ext, accounts=2, interactions=interactions, payments=3)
    for i, it in enumerate(rec["interactions"]):
        it["at"] = (NOW - timedelta(hours=9 * (i // 3))).isoformat()  # three attempts per instant
        it["outcome"] = ["NO_ANSWER", "VOICEMAIL", "CONVERSATION"][i % 3]
    return rec


@pytest.mark.parametrize("now", [NOW, NOW + timedelta(days=3), NOW + timedelta(days=400)])
def test_the_last_interactions_are_the_first_twenty_of_the_windowed_list(session, now):
    tenant = get_or_create_tenant(session, "acme")
    records = [_dialer_debtor("D-60", 60), _dialer_debtor("D-21", 21), debtor_record("D-3", interactions=3)]
    records.append(debtor_record("D-0", interactions=0))
    assert not upsert_records(session, tenant.id, records, now=NOW).rejections
    session.commit()
    repo = PortfolioRepository(session, tenant.id)
    ids = [d.id for d in repo.debtors_by_external_ids(["D-60", "D-21", "D-3", "D-0"]).values()]
    windowed = repo.interactions_by_debtor_ids(ids, now=now)
    last = repo.last_interactions_by_debtor_ids(ids)
    for debtor_id in ids:
        before = [i.id for i in windowed.get(debtor_id, [])][:RECENT_INTERACTIONS]
        assert [i.id for i in last.get(debtor_id, [])] == before  # batched (several debtors at once)
        alone = repo.last_interactions_by_debtor_ids([debtor_id])  # one debtor: its own statement
        assert [i.id for i in alone.get(debtor_id, [])] == before
    by_ext = {d.external_id: d.id for d in repo.debtors_by_external_ids(["D-60", "D-0"]).values()}
    assert len(last[by_ext["D-60"]]) == RECENT_INTERACTIONS  # not the 60 of the window
    assert by_ext["D-0"] not in last
    if now == NOW:
        assert len(windowed[by_ext["D-60"]]) == 60  # what the card used to load to show 20


@pytest.mark.parametrize("cache", [0, 5000])
async def test_the_card_shows_the_twenty_newest_without_the_contact_window(
    api, services, session_factory, monkeypatch, cache
):
    key = api.key(role="ADMIN")
    debtor_id = (await api.ok(UPSERT, {"input": [_dialer_debtor("D-1", 45)]}, key=key))["upsertDebtors"][
        "ids"
    ][0]
    with session_factory() as s:
        rows = s.scalars(select(Interaction).where(Interaction.debtor_id == debtor_id)).all()
    newest = sorted(rows, key=lambda i: (i.at, i.id), reverse=True)[:RECENT_INTERACTIONS]

    def no_window(self, ids, *, now):
        raise AssertionError("a card must not load the contact rules' interaction window")

    monkeypatch.setattr(PortfolioRepository, "interactions_by_debtor_ids", no_window)
    services.settings.card_cache_size = cache
    shown = (await api.ok(LAST, {"id": debtor_id}, key=key))["debtor"]["lastInteractions"]
    assert [i["id"] for i in shown] == [i.id for i in newest]
    card = (await api.ok(FULL_CARD, {"id": debtor_id}, key=key))["debtor"]
    assert [i["id"] for i in card["lastInteractions"]] == [i.id for i in newest]


async def test_a_first_view_reads_each_row_once_and_answers_as_normal_execution(api, services, engine):
    from tests.api.test_card import count_queries

    services.settings.auth_cache_seconds = 300
    key = api.key(role="ADMIN")
    ids = (await api.ok(UPSERT, {"input": [_dialer_debtor("F-1", 30), _dialer_debtor("F-2", 30)]}, key=key))[
        "upsertDebtors"
    ]["ids"]
    services.settings.card_cache_size = 0
    slow = await api.gql(FULL_CARD, {"id": ids[1]}, key=key)
    services.settings.card_cache_size = 5000
    await api.ok("{ me { role } }", key=key)  # the credential is cached before counting
    with count_queries(engine) as statements:
        first = await api.gql(FULL_CARD, {"id": ids[1]}, key=key)
    assert json.dumps(first) == json.dumps(slow)
    assert services.extras["cards"].stats["builds"] == 1
    for table in ("accounts", "promises", "payments", "interactions"):
        reads = [s for s in statements if f"FROM {table}" in s]
        assert len(reads) == 1, (table, reads)


def _write_portfolio(path, debtors: int) -> None:
    lines = []
    for n in range(debtors):
        rec = debtor_record(f"S-{n:04d}", accounts=1 + n % 2, interactions=n % 4, payments=n % 3)
        for acc in rec["accounts"]:
            acc["externalId"] = f"S-{n:04d}-{acc['externalId']}"
        rec["promises"][0]["accountExternalId"] = rec["accounts"][0]["externalId"]
        lines.append(json.dumps(rec))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_import_leaves_the_planner_statistics_current(session_factory, engine, tmp_path):
    started = datetime.now(UTC) - timedelta(seconds=5)
    with session_factory() as s:
        get_or_create_tenant(s, "acme")
        get_or_create_tenant(s, "other")
        s.commit()
    path = tmp_path / "p.jsonl"
    _write_portfolio(path, 300)
    result = import_jsonl_file(session_factory, path, tenant_slug="acme", now=NOW, progress=False)
    assert not result.rejections and result.debtors_created == 300
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            stats = dict(
                conn.execute(text("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'accounts'")).all()
            )
            assert int(stats["ix_accounts_debtor_id"].split()[0]) == 450  # rows counted: 300 + 150
            # and with them the planner finds one debtor's accounts by the debtor index, not the tenant's
            plan = " ".join(
                str(r[-1])
                for r in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT * FROM accounts WHERE tenant_id = :t AND debtor_id IN (:d)"
                    ),
                    {"t": "x", "d": "y"},
                )
            )
            assert "ix_accounts_debtor_id" in plan, plan
        else:
            analyzed = conn.execute(
                text(
                    "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN "
                    "('debtors', 'accounts', 'payments', 'interactions', 'promises')"
                )
            ).all()
            assert len(analyzed) == 5
            assert all(at is not None and at >= started for _, at in analyzed), analyzed


def test_a_migration_leaves_statistics(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    engine.dispose()
    assert "sqlite_stat1" in tables  # ANALYZE ran after the migration


@pytest.mark.parametrize("now", [NOW, NOW + timedelta(days=3), NOW + timedelta(days=400)])
def test_the_contact_facts_columns_are_the_windowed_rows(session, now):
    """contactPermission reads only the columns the contact rules use: the same rows, in the same order,
    giving the same facts as the whole windowed rows (batched, alone, and through a bound session)."""
    from asistente.portfolio.facts import interaction_facts

    tenant = get_or_create_tenant(session, "acme")
    other = get_or_create_tenant(session, "other")
    records = [_dialer_debtor("D-60", 60), _dialer_debtor("D-21", 21), debtor_record("D-3", interactions=3)]
    records.append(debtor_record("D-0", interactions=0))
    assert not upsert_records(session, tenant.id, records, now=NOW).rejections
    assert not upsert_records(session, other.id, [_dialer_debtor("D-60", 30)], now=NOW).rejections
    session.commit()
    repo = PortfolioRepository(session, tenant.id)
    ids = [d.id for d in repo.debtors_by_external_ids(["D-60", "D-21", "D-3", "D-0"]).values()]
    windowed = repo.interactions_by_debtor_ids(ids, now=now)
    facts = repo.interaction_facts_by_debtor_ids(ids, now=now)
    for debtor_id in ids:
        whole = windowed.get(debtor_id, [])
        assert len(facts.get(debtor_id, [])) == len(whole)
        assert interaction_facts(facts.get(debtor_id, [])) == interaction_facts(whole)
        alone = repo.interaction_facts_by_debtor_ids([debtor_id], now=now).get(debtor_id, [])
        assert interaction_facts(alone) == interaction_facts(whole)
        bound = PortfolioRepository(session, tenant.id, only_debtor_id=ids[0])
        seen = bound.interaction_facts_by_debtor_ids([debtor_id], now=now).get(debtor_id, [])
        assert interaction_facts(seen) == (interaction_facts(whole) if debtor_id == ids[0] else [])
    theirs = PortfolioRepository(session, other.id).debtors_by_external_ids(["D-60"])["D-60"].id
    assert repo.interaction_facts_by_debtor_ids([theirs], now=now) == {}


def _columns(rows):
    """Every column of each row (ORM objects or plain result rows), in order."""
    out = []
    for r in rows:
        table = r.__table__ if hasattr(r, "__table__") else None
        names = [c.key for c in table.columns] if table is not None else list(r._fields)
        out.append({n: getattr(r, n) for n in names})
    return out


@pytest.mark.parametrize("now", [NOW, NOW + timedelta(days=400)])
def test_the_single_debtor_statements_read_the_loaders_rows(session, engine, now):
    """card_rows and the suggestion's inputs read one debtor with the single-debtor forms of the loaders'
    statements: every column of the same rows in the same order as the loaders, on plain rows; another
    tenant's debtor is not found."""
    from asistente.api.objections.suggest import _card_rows
    from asistente.portfolio.repository import card_rows

    tenant = get_or_create_tenant(session, "acme")
    other = get_or_create_tenant(session, "other")
    records = [_dialer_debtor("D-60", 60), _dialer_debtor("D-21", 21), debtor_record("D-3", accounts=5)]
    records.append(debtor_record("D-0", accounts=0, interactions=0, payments=0))
    assert not upsert_records(session, tenant.id, records, now=NOW).rejections
    assert not upsert_records(session, other.id, [_dialer_debtor("D-60", 30)], now=NOW).rejections
    session.commit()
    repo = PortfolioRepository(session, tenant.id)
    ids = [d.id for d in repo.debtors_by_external_ids(["D-60", "D-21", "D-3", "D-0"]).values()]
    for debtor_id in ids:
        rows = card_rows(engine, tenant.id, debtor_id, now)
        assert rows is not None
        assert _columns([rows.debtor]) == _columns([repo.debtors_by_ids([debtor_id])[debtor_id]])
        for got, want in (
            (rows.accounts, repo.accounts_by_debtor_ids([debtor_id]).get(debtor_id, [])),
            (rows.promises, repo.promises_by_debtor_ids([debtor_id]).get(debtor_id, [])),
            (rows.payments, repo.payments_by_debtor_ids([debtor_id], now=now).get(debtor_id, [])),
            (rows.last_interactions, repo.last_interactions_by_debtor_ids([debtor_id]).get(debtor_id, [])),
        ):
            assert _columns(got) == _columns(want)
        debtor, accounts, payments, promises, interactions = _card_rows(session, tenant.id, debtor_id, now)
        assert _columns([debtor]) == _columns([rows.debtor])
        assert _columns(accounts) == _columns(rows.accounts)
        assert _columns(promises) == _columns(rows.promises)
        assert _columns(payments) == _columns(rows.payments)
        from asistente.portfolio.facts import interaction_facts

        windowed = repo.interactions_by_debtor_ids([debtor_id], now=now).get(debtor_id, [])
        assert len(interactions) == len(windowed)
        assert interaction_facts(interactions) == interaction_facts(windowed)
        session.rollback()
    assert sum(len(card_rows(engine, tenant.id, i, now).last_interactions) for i in ids) > 0
    theirs = PortfolioRepository(session, other.id).debtors_by_external_ids(["D-60"])["D-60"].id
    assert card_rows(engine, tenant.id, theirs, now) is None
    assert _card_rows(session, tenant.id, theirs, now) is None
