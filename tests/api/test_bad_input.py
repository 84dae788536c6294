"""Bad input gets a clear error with a code, nothing is partially stored, and no input produces a 500."""

from __future__ import annotations

import pytest

from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes

COUNT = "{ debtors(first: 100) { edges { node { externalId accounts { externalId balance } } } } }"


async def _count(api, key) -> int:
    return len((await api.ok(COUNT, key=key))["debtors"]["edges"])


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (lambda r: r["phones"].__setitem__(0, {"number": "+5215", "kind": "MOBILE"}), "phones[0].number"),
        (
            lambda r: r["phones"].__setitem__(0, {"number": "+521999000000000", "kind": "MOBILE"}),
            "phones[0].number",
        ),
        (lambda r: r["accounts"][0].__setitem__("currency", "XYZ"), "accounts[0].currency"),
        (lambda r: r["accounts"][0].__setitem__("balance", "-5.00"), "accounts[0].balance"),
        (lambda r: r["accounts"][0].__setitem__("balance", "12.345"), "accounts[0].balance"),
        (lambda r: r["promises"][0].__setitem__("currency", "USD"), "promises[0].currency"),
        (lambda r: r.__setitem__("timezone", "Mars/Olympus"), "timezone"),
        (lambda r: r["accounts"].append(dict(r["accounts"][0])), "accounts[2].externalId"),
    ],
)
async def test_rejected_record_reports_index_and_keeps_nothing(api, mutate, needle):
    key = api.key(role="INTEGRATOR")
    good, bad = debtor_record("G-1"), debtor_record("B-1")
    mutate(bad)
    data = (await api.ok(UPSERT, {"input": [good, bad]}, key=key))["upsertDebtors"]
    assert data["ids"][0] is not None and data["ids"][1] is None
    assert [r["index"] for r in data["rejected"]] == [1]
    assert any(needle in reason for reason in data["rejected"][0]["reasons"]), data["rejected"]
    listing = (await api.ok(COUNT, key=key))["debtors"]["edges"]
    assert [e["node"]["externalId"] for e in listing] == ["G-1"]


async def test_impossible_date_is_bad_input(api):
    key = api.key(role="INTEGRATOR")
    rec = debtor_record("D-1")
    rec["birthDate"] = "1990-02-30"
    body = await api.gql(UPSERT, {"input": [rec]}, key=key)
    assert error_codes(body) == ["BAD_INPUT"]  # GraphQL's Date scalar refuses it
    assert await _count(api, key) == 0


async def test_unknown_enum_value(api):
    key = api.key(role="INTEGRATOR")
    rec = debtor_record("D-2")
    rec["authorizedChannels"] = ["CARRIER_PIGEON"]
    body = await api.gql(UPSERT, {"input": [rec]}, key=key)
    assert error_codes(body) == ["BAD_INPUT"]
    assert "CARRIER_PIGEON" in body["errors"][0]["message"]


async def test_list_over_limit(api):
    key = api.key(role="INTEGRATOR")
    body = await api.gql(
        UPSERT, {"input": [{"externalId": f"L-{i}", "fullName": "X"} for i in range(1001)]}, key=key
    )
    assert error_codes(body) == ["BAD_INPUT"]
    assert "1001" in body["errors"][0]["message"]
    assert await _count(api, key) == 0


async def test_duplicate_external_id_in_one_batch(api):
    key = api.key(role="INTEGRATOR")
    data = (await api.ok(UPSERT, {"input": [debtor_record("Z-1"), debtor_record("Z-1")]}, key=key))[
        "upsertDebtors"
    ]
    assert data["ids"][0] and data["ids"][1] is None
    assert "appears again" in data["rejected"][0]["reasons"][0]


async def test_account_of_another_debtor_is_refused(api):
    key = api.key(role="INTEGRATOR")
    await api.ok(UPSERT, {"input": [debtor_record("O-1")]}, key=key)
    thief = debtor_record("O-2")
    thief["accounts"][0]["externalId"] = "O-1-A0"
    data = (await api.ok(UPSERT, {"input": [thief]}, key=key))["upsertDebtors"]
    assert data["ids"] == [None]
    assert "belongs to another debtor" in data["rejected"][0]["reasons"][0]


async def test_malformed_json_body_is_400_not_500(api):
    key = api.key()
    res = await api.client.post(
        "/graphql",
        content=b'{"query": "{ me { tenant } ',
        headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
    )
    assert res.status_code == 400


async def test_huge_body_is_refused(api, services):
    services.settings.max_body_bytes = 10_000
    key = api.key()
    res = await api.post("{ me { tenant } }", {"pad": "x" * 20_000}, key=key)
    assert res.status_code == 413
    assert error_codes(res.json()) == ["BAD_INPUT"]


async def test_depth_and_alias_limits(api):
    key = api.key()
    aliases = " ".join(f"a{i}: me {{ tenant }}" for i in range(40))
    body = await api.gql(f"{{ {aliases} }}", key=key)
    assert error_codes(body)[0] == "BAD_INPUT"
    deep = "{ debtors { edges { node { accounts { id } } } } }"
    assert not (await api.gql(deep, key=key)).get("errors")


PAY = """mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { duplicate payment { amount }
  account { balance } } }"""


async def test_record_payment_rules(api):
    key = api.key(role="INTEGRATOR")
    data = await api.ok(UPSERT, {"input": [debtor_record("P-1", accounts=1)]}, key=key)
    card = await api.ok(
        "query($id: ID!){ debtor(id: $id){ accounts { id balance } } }",
        {"id": data["upsertDebtors"]["ids"][0]},
        key=key,
    )
    acc = card["debtor"]["accounts"][0]["id"]
    base = {"accountId": acc, "currency": "MXN", "paidAt": "2026-11-19T15:00:00Z", "reference": "R-9"}
    for amount, currency in (
        ("-1.00", "MXN"),
        ("0", "MXN"),
        ("10.001", "MXN"),
        ("10.00", "USD"),
        ("1e3", "MXN"),
    ):
        body = await api.gql(PAY, {"i": {**base, "amount": amount, "currency": currency}}, key=key)
        assert error_codes(body) == ["BAD_INPUT"], (amount, currency, body)
    future = await api.gql(PAY, {"i": {**base, "amount": "1.00", "paidAt": "2030-01-01T00:00:00Z"}}, key=key)
    assert error_codes(future) == ["BAD_INPUT"]
    ok = (await api.ok(PAY, {"i": {**base, "amount": "1000.50"}}, key=key))["recordPayment"]
    assert ok == {"duplicate": False, "payment": {"amount": "1000.50"}, "account": {"balance": "11000.00"}}
    again = (await api.ok(PAY, {"i": {**base, "amount": "1000.50"}}, key=key))["recordPayment"]
    assert again["duplicate"] is True and again["account"]["balance"] == "11000.00"
    conflict = await api.gql(PAY, {"i": {**base, "amount": "5.00"}}, key=key)
    assert error_codes(conflict) == ["BAD_INPUT"]


INTERACT = """mutation($i: RecordInteractionInput!) { recordInteraction(input: $i) {
  interaction { channel outcome agentId } debtor { optedOutChannels lastInteractions(limit: 1) { outcome } } } }"""


async def test_record_interaction_and_opt_out(api):
    admin = api.key(role="INTEGRATOR")
    data = await api.ok(UPSERT, {"input": [debtor_record("I-1")]}, key=admin)
    agent = api.key(role="AGENT", agent="u-7")
    payload = {
        "debtorId": data["upsertDebtors"]["ids"][0],
        "channel": "SMS",
        "direction": "INBOUND",
        "at": "2026-11-20T16:59:00Z",
        "outcome": "DELIVERED",
        "optOutRequested": True,
    }
    out = (await api.ok(INTERACT, {"i": payload}, key=agent))["recordInteraction"]
    assert out["interaction"]["agentId"] is not None
    assert out["debtor"]["optedOutChannels"] == ["SMS"]
    assert out["debtor"]["lastInteractions"][0]["outcome"] == "DELIVERED"
    body = await api.gql(INTERACT, {"i": {**payload, "at": "2026-11-20T16:59:00"}}, key=agent)
    assert error_codes(body) == ["BAD_INPUT"]
    body = await api.gql(INTERACT, {"i": {**payload, "note": "x" * 5000}}, key=agent)
    assert error_codes(body) == ["BAD_INPUT"]


async def test_review_findings_are_bad_input_not_500(api):
    """Inputs an independent review found to produce 500s on PostgreSQL or overflow on both backends."""
    admin = api.key(role="ADMIN")
    data = await api.ok(UPSERT, {"input": [debtor_record("V-1")]}, key=admin)
    debtor = data["upsertDebtors"]["ids"][0]
    cases = [
        (
            'query($d: ID!){ contactPermission(debtorId: $d, channel: CALL, at: "0001-01-01T00:00:00Z") '
            "{ allowed } }",
            {"d": debtor},
        ),
        (
            'query($d: ID!){ contactPermission(debtorId: $d, channel: CALL, at: "9999-12-31T23:00:00-05:00") '
            "{ allowed } }",
            {"d": debtor},
        ),
        ('{ auditEvents(first: 5, filter: {from: "0001-01-01T00:00:00+14:00"}) { edges { cursor } } }', {}),
        (
            '{ auditEvents(first: 5, after: "c2VxOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ") { edges { cursor } } }',
            {},
        ),
        (
            "query($i: ComplianceCheckInput!){ checkCompliance(input: $i) { compliant } }",
            {"i": {"text": "Hola", "channel": "SMS", "jurisdiction": "MX", "callId": "x" * 300}},
        ),
        (
            "query($i: ComplianceCheckInput!){ checkCompliance(input: $i) { compliant } }",
            {"i": {"text": "Hola", "channel": "SMS", "debtorId": debtor, "jurisdiction": "US-NY"}},
        ),
        ('mutation { createAgentSession(agentId: "zz", name: "%s") { token } }' % ("n" * 500), {}),
        (
            "mutation($i: RecordInteractionInput!){ recordInteraction(input: $i) { interaction { id } } }",
            {
                "i": {
                    "debtorId": debtor,
                    "channel": "CALL",
                    "direction": "OUTBOUND",
                    "at": "2026-11-19T16:00:00Z",
                    "outcome": "NO_ANSWER",
                    "externalId": "e" * 300,
                }
            },
        ),
    ]
    for query, variables in cases:
        body = await api.gql(query, variables, key=admin)
        assert error_codes(body) == ["BAD_INPUT"], (query[:60], body)
    rec = debtor_record("V-2")
    rec["interactions"][0]["at"] = "0001-01-01T00:00:00+05:00"
    assert error_codes(await api.gql(UPSERT, {"input": [rec]}, key=admin)) == ["BAD_INPUT"]  # the scalar
    from asistente.portfolio.validation import record_errors

    assert any("outside the years" in r for r in record_errors(rec))  # the JSON Lines import path
    # NUL (PostgreSQL text cannot hold it) is refused at the edge, in variables and in query literals
    rec["interactions"][0]["at"] = "2026-11-19T16:00:00Z"
    rec["fullName"] = "Ana\u0000Pérez"
    res = await api.post(UPSERT, {"input": [rec]}, key=admin)
    assert res.status_code == 400 and "NUL" in res.text
    res = await api.post('{ debtors(filter: {search: "a\\u0000b"}) { edges { cursor } } }', key=admin)
    assert res.status_code == 400
    assert any("NUL" in r for r in record_errors(rec))
