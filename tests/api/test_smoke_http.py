from __future__ import annotations

from tests.conftest import error_codes

CARD = """
query Card($id: ID!) {
  debtor(id: $id) {
    id externalId fullName jurisdiction timezone localTime
    localTimes { timezone source localTime utcOffset }
    accounts { id externalId currency balance daysPastDue }
    totals { currency balance accounts }
    maxDaysPastDue
    segment { code stage balanceBand paymentHistory }
    risk { level score reasons { code message } }
    openPromises { amount currency dueDate status }
    promiseStats { kept broken pending }
    lastInteractions(limit: 5) { channel outcome at }
    payments { amount paidAt }
  }
}
"""

UPSERT = """
mutation Up($input: [DebtorInput!]!) {
  upsertDebtors(input: $input) { ids created updated unchanged rejected { index externalId reasons } }
}
"""

REC = {
    "externalId": "CRM-1",
    "fullName": "Ana Pérez López",
    "addresses": [
        {"line1": "Av. Tulum 12", "city": "Cancún", "region": "ROO", "postalCode": "77500", "country": "MX"}
    ],
    "phones": [{"number": "+529981234567", "kind": "MOBILE"}],
    "accounts": [
        {
            "externalId": "A-1",
            "product": "Tarjeta",
            "currency": "MXN",
            "principal": "15000.00",
            "balance": "12000.50",
            "daysPastDue": 45,
            "payments": [{"amount": "500.00", "paidAt": "2026-10-01T10:00:00-05:00", "reference": "P1"}],
        },
        {
            "externalId": "A-2",
            "product": "Préstamo",
            "currency": "USD",
            "principal": "500",
            "balance": "300.25",
            "daysPastDue": 10,
        },
    ],
    "interactions": [
        {
            "externalId": "I1",
            "channel": "CALL",
            "direction": "OUTBOUND",
            "at": "2026-11-18T16:00:00Z",
            "outcome": "CONVERSATION",
        }
    ],
    "promises": [
        {
            "externalId": "PR1",
            "accountExternalId": "A-1",
            "amount": "500.00",
            "currency": "MXN",
            "dueDate": "2026-11-30",
            "status": "PENDING",
        },
        {
            "externalId": "PR0",
            "accountExternalId": "A-1",
            "amount": "800.00",
            "currency": "MXN",
            "dueDate": "2026-09-30",
            "status": "BROKEN",
        },
    ],
}


async def test_upsert_then_card(api):
    key = api.key(role="INTEGRATOR")
    data = await api.ok(UPSERT, {"input": [REC]}, key=key)
    assert data["upsertDebtors"]["created"] == 1
    debtor_id = data["upsertDebtors"]["ids"][0]
    card = (await api.ok(CARD, {"id": debtor_id}, key=key))["debtor"]
    assert card["fullName"] == "Ana Pérez López"
    assert card["timezone"] == "America/Cancun"
    assert card["localTime"].endswith("-05:00")
    assert {t["currency"]: t["balance"] for t in card["totals"]} == {"MXN": "12000.50", "USD": "300.25"}
    assert card["maxDaysPastDue"] == 45
    assert card["segment"]["stage"] == "MID"
    assert card["promiseStats"] == {"kept": 0, "broken": 1, "pending": 1}
    assert [p["dueDate"] for p in card["openPromises"]] == ["2026-11-30"]
    assert card["lastInteractions"][0]["outcome"] == "CONVERSATION"
    assert card["payments"][0]["amount"] == "500.00"
    # idempotent: the same record again creates and changes nothing
    again = await api.ok(UPSERT, {"input": [REC]}, key=key)
    counts = again["upsertDebtors"]
    assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 0, 1)
    card2 = (await api.ok(CARD, {"id": debtor_id}, key=key))["debtor"]
    assert len(card2["payments"]) == 1 and len(card2["lastInteractions"]) == 1


async def test_no_credentials_is_401(api):
    res = await api.post("{ me { tenant } }")
    assert res.status_code == 401
    assert error_codes(res.json()) == ["UNAUTHENTICATED"]


async def test_malformed_query_has_code(api):
    key = api.key()
    res = await api.post("{ me { tenant ", key=key)
    body = res.json()
    assert error_codes(body) == ["BAD_INPUT"]
    res = await api.post(
        "{ me { tenant } }", key=key, headers={"accept": "application/graphql-response+json"}
    )
    assert res.status_code == 200 and res.headers["content-type"].startswith(
        "application/graphql-response+json"
    )
    res = await api.post("{ nope }", key=key, headers={"accept": "application/graphql-response+json"})
    assert res.status_code == 400
    assert error_codes(res.json()) == ["BAD_INPUT"]
