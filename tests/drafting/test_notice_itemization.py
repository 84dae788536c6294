"""The US validation notice itemizes every payment since the itemization date, however old, through
draftMessage over HTTP; figures that do not add up to the cent are BAD_INPUT naming the field; a notice
follows a payment recorded after it was first drafted (no cached inputs staler than the database)."""

from __future__ import annotations

import copy
from decimal import Decimal

from tests.api.test_drafts_api import EVENTS, _ok
from tests.api.test_validation_notice_api import ITEMIZATION, notice_record, us_tenant
from tests.conftest import error_codes

RECORD_PAYMENT = """mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { __typename } }"""


def old_payments_record(ext: str, *, balance_offset: str = "0.00") -> dict:
    """An itemization dated 2025-06-30 and twelve monthly payments of 10.00 since: with the clock at
    2026-11-20, the first ones are older than the payment window of the debtor card (180 days) and
    beyond its ten most recent."""
    rec = notice_record(ext, date="2025-06-30")
    acc = rec["accounts"][0]
    acc["payments"] = [
        {"amount": "99.00", "paidAt": "2025-06-30T15:00:00Z", "reference": f"{ext}-P-ON"},  # on the date
        {"amount": "75.00", "paidAt": "2025-05-01T15:00:00Z", "reference": f"{ext}-P-BEFORE"},
    ]
    for n in range(12):
        year, month = (2025, 7 + n) if n < 6 else (2026, n - 5)
        acc["payments"].append(
            {"amount": "10.00", "paidAt": f"{year}-{month:02d}-10T15:00:00Z", "reference": f"{ext}-P{n}"}
        )
    it = ITEMIZATION
    balance = (
        Decimal(it["amount"])
        + Decimal(it["interest"])
        + Decimal(it["fees"])
        - Decimal("120.00")
        - Decimal(it["credits"])
        + Decimal(balance_offset)
    )
    acc["balance"] = str(balance)  # 1000.10 + 33.33 + 25.01 - 120.00 - 10.05 = 928.39
    return rec


async def test_every_payment_since_the_itemization_date_is_itemized_whatever_its_age(api):
    t = await us_tenant(api)
    debtor = await t.debtor(old_payments_record("US-OLD"))
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    text = out["text"]
    assert "As of June 30, 2025, you owed: $1,000.10" in text
    # 120.00 paid in twelve payments (the oldest ones outside the card's window) + 10.05 credits
    assert "You paid or were credited this amount toward the debt: - $130.05" in text, text
    assert "Total amount of the debt now: $928.39" in text
    assert "$99.00" not in text and "$75.00" not in text  # on and before the itemization date: not since
    # the same facts in the ledger record as in the text
    events = (await api.ok(EVENTS, key=t.compliance))["auditEvents"]["edges"]
    drafts = [e["node"] for e in events if e["node"]["debtorId"] == debtor]
    assert drafts and drafts[0]["output"]["text"] == text


async def test_a_cent_off_with_every_payment_counted_is_bad_input_naming_the_itemization(api):
    t = await us_tenant(api)
    debtor = await t.debtor(old_payments_record("US-CENT", balance_offset="0.01"))
    body = await t.draft(debtorId=debtor, channel="LETTER", purpose="FIRST_NOTICE")
    assert error_codes(body) == ["BAD_INPUT"], body
    error = body["errors"][0]
    assert error["message"].startswith("attributes.itemization.US-CENT-A0: "), error["message"]
    assert "120.00 payments" in error["message"]  # every payment since the date was counted
    fields = error["extensions"].get("fields") or []
    assert [f["field"] for f in fields] == ["attributes.itemization.US-CENT-A0"], error
    assert "Total amount of the debt" not in str(body)


async def test_a_payment_recorded_after_a_notice_moves_the_next_notice(api):
    t = await us_tenant(api)
    rec = old_payments_record("US-MOVE")
    debtor = await t.debtor(rec)
    first = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    assert "Total amount of the debt now: $928.39" in first["text"]
    # a payment arrives (recordPayment lowers the balance): the next notice follows both at once
    q = "query($d: ID!){ debtor(id: $d) { accounts { id } } }"
    account = (await api.ok(q, {"d": debtor}, key=t.admin))["debtor"]["accounts"][0]["id"]
    payment = {
        "accountId": account,
        "amount": "28.39",
        "currency": "USD",
        "paidAt": "2026-11-19T15:00:00Z",
        "reference": "US-MOVE-P-NEW",
    }
    await api.ok(RECORD_PAYMENT, {"i": payment}, key=t.admin)
    # recordPayment lowered the balance: the itemization counts the new payment too
    after = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    assert "You paid or were credited this amount toward the debt: - $158.44" in after["text"]
    assert "Total amount of the debt now: $900.00" in after["text"]


async def test_a_notice_covers_the_largest_account_or_the_largest_of_the_agreements(api):
    """draftMessage's input (API.md) names no account: a notice covers the largest open account; the only
    way the contract lets a caller point at another debt is an agreement (agreementId), whose largest
    account the notice then covers, itemized with that account's own payments."""
    t = await us_tenant(api)
    rec = notice_record("US-ACC")
    small = copy.deepcopy(rec["accounts"][0])
    small.update(
        externalId="US-ACC-A1",
        balance="190.00",
        principal="200.00",
        payments=[{"amount": "10.00", "paidAt": "2026-08-01T15:00:00Z", "reference": "US-ACC-A1-P1"}],
    )
    rec["accounts"].append(small)
    rec["attributes"]["itemization"]["US-ACC-A1"] = {
        **ITEMIZATION,
        "amount": "200.00",
        "interest": "0.00",
        "fees": "0.00",
        "credits": "0.00",
    }
    debtor = await t.debtor(rec)
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    assert "account number US-ACC-A0" in out["text"] and "US-ACC-A1" not in out["text"]
    q = "query($d: ID!){ debtor(id: $d) { accounts { id externalId } } }"
    accounts = {
        a["externalId"]: a["id"] for a in (await api.ok(q, {"d": debtor}, key=t.admin))["debtor"]["accounts"]
    }
    create = "mutation($i: AgreementInput!) { createAgreement(input: $i) { agreement { id accountIds } } }"
    plan = {
        "debtorId": debtor,
        "accountIds": [accounts["US-ACC-A1"]],
        "kind": "SINGLE_PAYMENT",
        "firstPaymentDate": "2026-12-01",
    }
    agreement = (await api.ok(create, {"i": plan}, key=t.admin))["createAgreement"]["agreement"]
    notice = _ok(
        await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE", agreementId=agreement["id"])
    )
    text = notice["text"]
    assert "account number US-ACC-A1" in text and "US-ACC-A0" not in text
    assert "You paid or were credited this amount toward the debt: - $10.00" in text
    assert "Total amount of the debt now: $190.00" in text
