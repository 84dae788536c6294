"""The US validation notice itemizes every payment since the itemization date, however old, through
draftMessage over HTTP; figures that do not add up to the cent are BAD_INPUT naming the field; a notice
follows a payment recorded after it was first drafted (no cached inputs staler than the database); the
caller may choose the account (`accountId`), which must be the debtor's, one of the agreement's, and open."""

from __future__ import annotations

import copy
from decimal import Decimal

from tests.api.test_drafts_api import EVENTS, SET_PROFILE, Tenant, _ok
from tests.api.test_validation_notice_api import ITEMIZATION, US_PROFILE, notice_record, us_tenant
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


def two_account_record(ext: str) -> dict:
    """A US debtor with two itemized USD accounts: A0 (898.14, the largest) and A1 (190.00, one payment of
    10.00 since its itemization date)."""
    rec = notice_record(ext)
    small = copy.deepcopy(rec["accounts"][0])
    small.update(
        externalId=f"{ext}-A1",
        balance="190.00",
        principal="200.00",
        payments=[{"amount": "10.00", "paidAt": "2026-08-01T15:00:00Z", "reference": f"{ext}-A1-P1"}],
    )
    rec["accounts"].append(small)
    rec["attributes"]["itemization"][f"{ext}-A1"] = {
        **ITEMIZATION,
        "amount": "200.00",
        "interest": "0.00",
        "fees": "0.00",
        "credits": "0.00",
    }
    return rec


async def account_ids(api, t, debtor: str) -> dict[str, str]:
    q = "query($d: ID!){ debtor(id: $d) { accounts { id externalId } } }"
    data = await api.ok(q, {"d": debtor}, key=t.admin)
    return {a["externalId"]: a["id"] for a in data["debtor"]["accounts"]}


async def test_the_caller_chooses_the_account_a_notice_covers(api):
    """accountId: the notice covers that account, itemized with its own payments, and the DRAFT record
    names it; without it, the largest."""
    t = await us_tenant(api)
    debtor = await t.debtor(two_account_record("US-PICK"))
    ids = await account_ids(api, t, debtor)
    default = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    assert "account number US-PICK-A0" in default["text"] and "US-PICK-A1" not in default["text"]
    out = _ok(
        await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE", accountId=ids["US-PICK-A1"])
    )
    text = out["text"]
    assert "account number US-PICK-A1" in text and "US-PICK-A0" not in text
    assert "You paid or were credited this amount toward the debt: - $10.00" in text
    assert "Total amount of the debt now: $190.00" in text
    assert "https://pay.andina.example/us?ref=US-PICK-A1&amount=190.00" in text
    events = (await api.ok(EVENTS, key=t.compliance))["auditEvents"]["edges"]
    event = next(e["node"] for e in events if e["node"]["id"] == out["auditId"])
    assert event["input"]["accountId"] == ids["US-PICK-A1"]
    assert (
        event["input"]["facts"]["reference"] == "US-PICK-A1"
        and event["input"]["facts"]["amount"] == "$190.00"
    )
    # a reminder about one account speaks of that account only
    reminder = _ok(
        await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER", accountId=ids["US-PICK-A1"])
    )
    assert "US-PICK-A1" in reminder["text"] and "US-PICK-A0" not in reminder["text"]
    assert "$190.00" in reminder["text"] and "$1,088.14" not in reminder["text"]


async def test_an_account_of_another_debtor_or_tenant_is_not_found(api):
    t = await us_tenant(api)
    debtor = await t.debtor(two_account_record("US-MINE"))
    other = await t.debtor(two_account_record("US-THEIRS"))
    theirs = await account_ids(api, t, other)
    body = await t.draft(
        debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE", accountId=theirs["US-THEIRS-A0"]
    )
    assert error_codes(body) == ["NOT_FOUND"], body
    fields = body["errors"][0]["extensions"].get("fields") or []
    assert [(f["field"], f["code"]) for f in fields] == [("accountId", "NOT_FOUND")], body
    assert "US-THEIRS" not in str(body)  # nothing about the other debtor's account but the id asked for
    # another tenant's account (same external ids): not found either
    t2 = await Tenant(api, "beta").setup()
    await api.ok(SET_PROFILE, {"p": US_PROFILE}, key=t2.admin)
    their_debtor = await t2.debtor(two_account_record("US-MINE"))
    foreign = (await account_ids(api, t2, their_debtor))["US-MINE-A0"]
    body = await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE", accountId=foreign)
    assert error_codes(body) == ["NOT_FOUND"], body
    body = await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER", accountId="no-such-account")
    assert error_codes(body) == ["NOT_FOUND"], body


async def test_an_account_outside_the_agreement_or_without_balance_is_bad_input(api):
    t = await us_tenant(api)
    rec = two_account_record("US-AGR")
    paid = copy.deepcopy(rec["accounts"][1])
    paid.update(externalId="US-AGR-A2", balance="0.00", payments=[])
    rec["accounts"].append(paid)
    debtor = await t.debtor(rec)
    ids = await account_ids(api, t, debtor)
    create = "mutation($i: AgreementInput!) { createAgreement(input: $i) { agreement { id } } }"
    plan = {
        "debtorId": debtor,
        "accountIds": [ids["US-AGR-A1"]],
        "kind": "SINGLE_PAYMENT",
        "firstPaymentDate": "2026-12-01",
    }
    agreement = (await api.ok(create, {"i": plan}, key=t.admin))["createAgreement"]["agreement"]["id"]
    body = await t.draft(
        debtorId=debtor,
        channel="EMAIL",
        purpose="FIRST_NOTICE",
        agreementId=agreement,
        accountId=ids["US-AGR-A0"],
    )
    assert error_codes(body) == ["BAD_INPUT"], body
    assert [f["field"] for f in body["errors"][0]["extensions"]["fields"]] == ["accountId"]
    inside = _ok(
        await t.draft(
            debtorId=debtor,
            channel="EMAIL",
            purpose="FIRST_NOTICE",
            agreementId=agreement,
            accountId=ids["US-AGR-A1"],
        )
    )
    assert "account number US-AGR-A1" in inside["text"]
    body = await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER", accountId=ids["US-AGR-A2"])
    assert error_codes(body) == ["BAD_INPUT"], body
    assert "no balance" in body["errors"][0]["message"]
