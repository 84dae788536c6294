"""The debtor card: contents, a locked number of SQL queries, and time zones."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.api.data import FULL_CARD, UPSERT, debtor_record


@contextmanager
def count_queries(engine):
    """Every statement the app sends, on `engine` and (PostgreSQL) on the read-only operations' engine."""
    from tests.conftest import _engines

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engines = [engine]
    if engine.dialect.name == "postgresql" and "postgres-read" in _engines:
        engines.append(_engines["postgres-read"])
    for e in engines:
        event.listen(e, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        for e in engines:
            event.remove(e, "before_cursor_execute", before)


async def _card_queries(api, engine, key, rec) -> tuple[int, dict]:
    data = await api.ok(UPSERT, {"input": [rec]}, key=key)
    debtor_id = data["upsertDebtors"]["ids"][0]
    await api.ok(FULL_CARD, {"id": debtor_id}, key=key)  # warm the auth cache path equally
    with count_queries(engine) as statements:
        card = await api.ok(FULL_CARD, {"id": debtor_id}, key=key)
    return len(statements), card["debtor"]


async def test_full_card_query_count_does_not_grow(api, engine, services):
    services.settings.auth_cache_seconds = 300  # count the card's own queries, not key lookups
    services.settings.card_cache_size = 0  # executed field by field (the cached path: test_cards.py)
    key = api.key(role="ADMIN")
    small_n, small = await _card_queries(
        api, engine, key, debtor_record("S-1", accounts=1, interactions=1, payments=1)
    )
    big_n, big = await _card_queries(
        api, engine, key, debtor_record("B-1", accounts=12, interactions=40, payments=5)
    )
    assert len(small["accounts"]) == 1 and len(big["accounts"]) == 12
    assert len(big["lastInteractions"]) == 20
    # debtor, accounts, payments, interactions, promises
    assert small_n == big_n == 5, (small_n, big_n)


async def test_debtors_page_query_count_is_constant(api, engine, services):
    services.settings.auth_cache_seconds = 300
    key = api.key(role="ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record(f"P-{i:02d}", accounts=2) for i in range(15)]}, key=key)
    q = "{ debtors(first: 15) { edges { node { fullName totals { currency balance } segment { code } } } } }"
    await api.ok(q, key=key)
    with count_queries(engine) as statements:
        page = await api.ok(q, key=key)
    assert len(page["debtors"]["edges"]) == 15
    assert len(statements) == 4  # list, accounts, promises, payments


async def test_local_time_from_phone_when_no_address(api, clock):
    key = api.key(role="ADMIN")
    rec = debtor_record("T-1")
    rec["addresses"] = []
    rec["phones"] = [{"number": "+526622123456", "kind": "MOBILE"}]  # Hermosillo, Sonora (no DST)
    data = await api.ok(UPSERT, {"input": [rec]}, key=key)
    card = await api.ok(
        "query($id: ID!){ debtor(id: $id) { timezone localTime localTimes { source utcOffset } } }",
        {"id": data["upsertDebtors"]["ids"][0]},
        key=key,
    )
    d = card["debtor"]
    assert d["localTimes"][0]["source"] == "phone"
    assert d["localTimes"][0]["utcOffset"] == "-07:00"
    assert d["localTime"].startswith("2026-11-20T10:00")  # clock is 17:00Z


async def test_address_and_phone_disagree_gives_both_zones(api):
    key = api.key(role="ADMIN")
    rec = debtor_record("T-2", country="US")
    rec["addresses"] = [
        {
            "line1": "1 W Jefferson St",
            "city": "Phoenix",
            "region": "AZ",
            "postalCode": "85003",
            "country": "US",
        }
    ]
    rec["phones"] = [{"number": "+12125550143", "kind": "MOBILE"}]
    for acc in rec["accounts"]:
        acc["currency"] = "USD"
    rec["promises"][0]["currency"] = "USD"
    data = await api.ok(UPSERT, {"input": [rec]}, key=key)
    assert not data["upsertDebtors"]["rejected"], data
    card = await api.ok(
        "query($id: ID!){ debtor(id: $id) { jurisdiction localTimes { timezone source } } }",
        {"id": data["upsertDebtors"]["ids"][0]},
        key=key,
    )
    zones = [(z["timezone"], z["source"]) for z in card["debtor"]["localTimes"]]
    assert zones[0] == ("America/Phoenix", "address")
    assert ("America/New_York", "phone") in zones
    assert card["debtor"]["jurisdiction"] == "US-AZ"


async def test_card_by_external_id_and_segment_filter(api):
    key = api.key(role="ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record("E-1")]}, key=key)
    card = await api.ok(
        '{ debtorByExternalId(externalId: "E-1") { externalId segment { code stage } } }', key=key
    )
    seg = card["debtorByExternalId"]["segment"]
    assert seg["stage"] == "MID" and seg["code"].startswith("MID-")
    hit = await api.ok('{ debtors(filter: {segment: "MID"}) { edges { node { externalId } } } }', key=key)
    miss = await api.ok('{ debtors(filter: {segment: "LATE"}) { edges { node { externalId } } } }', key=key)
    assert [e["node"]["externalId"] for e in hit["debtors"]["edges"]] == ["E-1"]
    assert miss["debtors"]["edges"] == []


async def test_pagination(api):
    key = api.key(role="ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record(f"N-{i:02d}") for i in range(5)]}, key=key)
    q = (
        "query($after: String){ debtors(first: 2, after: $after) { edges { node { externalId } } "
        "pageInfo { hasNextPage endCursor } } }"
    )
    seen, after = [], None
    while True:
        page = (await api.ok(q, {"after": after}, key=key))["debtors"]
        seen += [e["node"]["externalId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"N-{i:02d}" for i in range(5)]
