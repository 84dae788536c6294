"""A card's first view builds its snapshot without executing the snapshot query (api/portfolio/cards.py,
`_direct_values`): the debtor's rows as plain result rows, the selected resolvers called directly, their
values completed as graphql-core completes them. These tests compare that build with executing the query,
value for value and in key order, and check that anything the direct build cannot answer executes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from asistente.compliance import contact as contact_rules
from asistente.demo import seed_demo
from asistente.errors import BadInput
from asistente.geo import candidate_timezones
from asistente.portfolio import card as portfolio_card
from asistente.portfolio.models import Debtor
from tests.api.data import FULL_CARD, UPSERT, debtor_record

CLOCKS = [
    datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
    datetime(2027, 5, 1, 3, 15, tzinfo=UTC),  # months on: payments leave the look-back window
]


async def _build(api, cards, key, debtor_id, *, direct):
    saved = cards.direct
    if not direct:
        cards.direct = None
    try:
        cards._cards.clear()
        await api.ok(FULL_CARD, {"id": debtor_id}, key=key)
    finally:
        cards.direct = saved
    (snap,) = cards._cards.values()
    return snap


async def test_direct_and_executed_snapshots_agree(api, services, session_factory, clock):
    demo = seed_demo(session_factory, now=clock())
    admin = api.key(role="ADMIN")
    # A debtor with many of everything: 12 accounts, 40 interactions (more than the 20 a card keeps).
    big = debtor_record("BIG-1", accounts=12, interactions=40, payments=3)
    await api.ok(UPSERT, {"input": [big]}, key=admin)
    with session_factory() as s:
        big_id = s.scalars(select(Debtor.id).where(Debtor.external_id == "BIG-1")).one()
        debtors = [d.id for d in s.scalars(select(Debtor).order_by(Debtor.external_id))]
    cards = services.extras["cards"]
    assert cards.direct is not None  # the shipped card schema is built directly
    services.settings.card_cache_size = 5000
    compared = 0
    for now in CLOCKS:
        clock.value = now
        for debtor_id in debtors:
            key = admin if debtor_id == big_id else demo
            direct = await _build(api, cards, key, debtor_id, direct=True)
            executed = await _build(api, cards, key, debtor_id, direct=False)
            # the same values, the same types, the same key order
            assert json.dumps(direct.static) == json.dumps(executed.static), debtor_id
            assert direct.static.keys() == executed.static.keys()
            assert direct.zones == executed.zones and direct.birth_date == executed.birth_date
            assert (direct.revision, direct.valid_from) == (executed.revision, executed.valid_from)
            for name in ("accounts", "promises", "payments"):
                assert [r.id for r in getattr(direct, name)] == [r.id for r in getattr(executed, name)]
            compared += 1
    assert compared == len(CLOCKS) * len(debtors) >= 120
    assert cards.stats["executed_builds"] == 0


async def test_a_resolver_asking_for_more_executes_the_query(api, services, monkeypatch):
    """A field whose resolver reads anything the direct build did not read (here a loader it does not hold)
    makes that build execute the snapshot query: the answer is still normal execution's."""
    key = api.key(role="ADMIN")
    debtor_id = (await api.ok(UPSERT, {"input": [debtor_record("X-1")]}, key=key))["upsertDebtors"]["ids"][0]
    cards = services.extras["cards"]

    async def wants_more(source, info):
        return await info.context.loaders.interactions_by_debtor_id.load(source._m.id)

    name, _fn, kwargs, _info, complete = cards.direct[0]
    monkeypatch.setattr(cards, "direct", [(name, wants_more, kwargs, "info", complete), *cards.direct[1:]])
    services.settings.card_cache_size = 0
    slow = await api.gql(FULL_CARD, {"id": debtor_id}, key=key)
    services.settings.card_cache_size = 5000
    fast = await api.gql(FULL_CARD, {"id": debtor_id}, key=key)
    assert json.dumps(fast) == json.dumps(slow)
    assert cards.stats["executed_builds"] == 1 and cards.stats["fallbacks"] == 0


async def test_a_null_in_a_non_null_field_executes_the_query(api, services, monkeypatch):
    key = api.key(role="ADMIN")
    debtor_id = (await api.ok(UPSERT, {"input": [debtor_record("N-1")]}, key=key))["upsertDebtors"]["ids"][0]
    cards = services.extras["cards"]
    entry = next(e for e in cards.direct if e[0] == "fullName")
    monkeypatch.setattr(
        cards,
        "direct",
        [(e[0], lambda source: None, {}, None, e[4]) if e is entry else e for e in cards.direct],
    )
    services.settings.card_cache_size = 5000
    card = await api.ok(FULL_CARD, {"id": debtor_id}, key=key)
    assert card["debtor"]["fullName"] == "Ana Pérez López"  # the executed build's value
    assert cards.stats["executed_builds"] == 1


def test_zones_are_remembered_under_exactly_what_they_read(session_factory, clock):
    seed_demo(session_factory, now=clock())
    with session_factory() as s:
        debtors = list(s.scalars(select(Debtor)))
    for d in debtors:
        fresh = candidate_timezones(d.addresses or [], d.phones or [], d.timezone, d.jurisdiction)
        assert portfolio_card.zones_of(d) == fresh
        assert portfolio_card.zones_of(d) == fresh  # from the memo now

    # A debtor whose phone moves to another zone gets that zone, not the remembered one.
    class Row:
        addresses: list = []
        phones = [{"number": "+525512345678"}]  # Mexico City
        timezone = None
        jurisdiction = "MX"

    first = portfolio_card.zones_of(Row)
    Row.phones = [{"number": "+16025551234"}]  # Arizona
    second = portfolio_card.zones_of(Row)
    assert first != second
    assert second == candidate_timezones([], Row.phones, None, "MX")
    Row.timezone = "Europe/Madrid"  # the override is part of the key
    assert portfolio_card.zones_of(Row) == candidate_timezones([], Row.phones, "Europe/Madrid", "MX")
    # values that are not text are never remembered (computed afresh every time)
    Row.timezone = None
    Row.phones = [{"number": 5255}]
    before = len(contact_rules._ZONE_CANDIDATES)
    portfolio_card.zones_of(Row)
    assert len(contact_rules._ZONE_CANDIDATES) == before
    # an override that does not resolve: the card shows none, the contact rules refuse it, every time
    Row.phones = [{"number": "+525512345678"}]
    Row.timezone = "Mars/Olympus"
    for _ in range(2):
        assert portfolio_card.zones_of(Row) == []
        with pytest.raises(BadInput):
            contact_rules.candidate_zones([], Row.phones, "Mars/Olympus", "MX")


def test_the_card_and_the_contact_rules_share_the_zones(monkeypatch):
    """A card's zones serve the contact decision of the same debtor (and the other way round): one phone
    parse per debtor, the same candidates as computed afresh."""
    from asistente.compliance.types import DebtorFacts

    calls = []
    real = contact_rules.candidate_timezones
    monkeypatch.setattr(
        contact_rules, "candidate_timezones", lambda *a, **k: calls.append(a) or real(*a, **k)
    )

    class Row:
        addresses = [{"city": "Monterrey", "region": "NLE", "country": "MX"}]
        phones = [{"number": "+528112345678"}, {"number": "+13055550100"}]
        timezone = None
        jurisdiction = "MX"

    fresh = real(Row.addresses, Row.phones, None, "MX")
    assert portfolio_card.zones_of(Row) == fresh
    facts = DebtorFacts(jurisdiction="MX", addresses=tuple(Row.addresses), phones=tuple(Row.phones))
    assert list(contact_rules._where(facts).candidates) == fresh
    assert len(calls) == 1
    Row.phones = [{"number": "+34911234567"}]  # another number: parsed again, and right
    facts = DebtorFacts(jurisdiction="MX", addresses=tuple(Row.addresses), phones=tuple(Row.phones))
    assert list(contact_rules._where(facts).candidates) == real(Row.addresses, Row.phones, None, "MX")
    assert portfolio_card.zones_of(Row) == real(Row.addresses, Row.phones, None, "MX")
    assert len(calls) == 2


async def test_a_first_view_reads_no_revision_first(api, services, engine):
    """A debtor this process holds no card of is read once (its rows carry the revision); the next request
    reads the revision and is answered from the snapshot; both equal normal execution."""
    from tests.api.test_card import count_queries

    key = api.key(role="ADMIN")
    debtor_id = (await api.ok(UPSERT, {"input": [debtor_record("R-1", accounts=3)]}, key=key))[
        "upsertDebtors"
    ]["ids"][0]
    cards = services.extras["cards"]
    services.settings.card_cache_size = 0
    slow = await api.gql(FULL_CARD, {"id": debtor_id}, key=key)
    services.settings.card_cache_size = 5000
    with count_queries(engine) as statements:
        first = await api.gql(FULL_CARD, {"id": debtor_id}, key=key)
    assert cards.stats["revision_reads"] == 0 and cards.stats["builds"] == 1
    assert len([s for s in statements if "FROM debtors" in s]) == 1  # the debtor row once, no revision read
    second = await api.gql(FULL_CARD, {"id": debtor_id}, key=key)
    assert cards.stats["revision_reads"] == 1 and cards.stats["hits"] == 1
    assert json.dumps(first) == json.dumps(slow) == json.dumps(second)
    # an unknown id and a malformed one: normal execution's answers (NOT_FOUND), nothing kept
    for unknown in ("00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        services.settings.card_cache_size = 0
        slow = await api.gql(FULL_CARD, {"id": unknown}, key=key)
        services.settings.card_cache_size = 5000
        assert await api.gql(FULL_CARD, {"id": unknown}, key=key) == slow
    assert cards.stats["builds"] == 1
