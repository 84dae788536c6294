"""A single-use Stripe link charges what the draft asks for: the same amount as its text and its template
link (every open account in the currency, or the one debt of a US validation notice)."""

from __future__ import annotations

import copy

import pytest

from tests.api.test_drafts_api import DESTINATIONS, SET_DEST, SET_PROFILE, Tenant, _ok, us_record
from tests.api.test_validation_notice_api import US_PROFILE, notice_record
from tests.conftest import error_codes

pytest.importorskip("stripe", reason="the stripe SDK (extra 'payments') is not installed")

from tests.api.test_drafts_stripe import fake_stripe  # noqa: F401  (the fixture: a local fake Stripe)


async def _stripe_tenant(api, fake) -> Tenant:
    t = await Tenant(api).setup()
    profile = {**US_PROFILE, "stripe": {"secretKey": "sk_test_fakekey12345678", "apiBase": fake.base_url}}
    await api.ok(SET_PROFILE, {"p": profile}, key=t.admin)
    dests = {
        **DESTINATIONS,
        "destinations": [
            {**d, "dynamic": True} if d["id"] == "stripe-us" else d for d in DESTINATIONS["destinations"]
        ],
    }
    await api.ok(SET_DEST, {"d": dests}, key=t.admin)
    return t


async def test_the_link_charges_every_open_account_in_the_currency_as_the_text_says(api, fake_stripe):  # noqa: F811
    fake_stripe.requests.clear()
    fake_stripe.fail = False
    t = await _stripe_tenant(api, fake_stripe)
    rec = us_record("US-2S")
    second = copy.deepcopy(rec["accounts"][0])
    second.update(externalId="US-2S-A1", balance="500.25", principal="500.25")
    rec["accounts"].append(second)
    debtor = await t.debtor(rec)
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    assert "$12,500.75" in out["text"]  # 12,000.50 + 500.25
    [link] = out["paymentDestinations"]
    assert link["singleUse"] is True
    [req] = fake_stripe.requests
    assert req["form"]["line_items[0][price_data][unit_amount]"] == "1250075", req["form"]
    # the template link (provider down) carries the very same amount
    fake_stripe.fail = True
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    assert (
        out["paymentDestinations"][0]["url"] == "https://pay.andina.example/us?ref=US-2S-A0&amount=12500.75"
    )


async def test_a_validation_notice_link_charges_its_one_debt(api, fake_stripe):  # noqa: F811
    fake_stripe.requests.clear()
    fake_stripe.fail = False
    t = await _stripe_tenant(api, fake_stripe)
    rec = notice_record("US-2N")
    small = copy.deepcopy(rec["accounts"][0])
    small.update(externalId="US-2N-A1", balance="200.00", principal="200.00", payments=[])
    rec["accounts"].append(small)
    debtor = await t.debtor(rec)
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    assert "Total amount of the debt now: $898.14" in out["text"]
    [req] = fake_stripe.requests
    assert req["form"]["line_items[0][price_data][unit_amount]"] == "89814", req["form"]
    assert req["form"]["client_reference_id"] == "US-2N-A0"


async def test_a_refused_or_impossible_draft_creates_no_payment_link(api, fake_stripe):  # noqa: F811
    """The contact rules and the data come first: no Checkout Session for a draft that is never served."""
    fake_stripe.requests.clear()
    fake_stripe.fail = False
    t = await _stripe_tenant(api, fake_stripe)
    rec = us_record("US-OPT")
    rec["optedOutChannels"] = ["EMAIL"]
    body = await t.draft(debtorId=await t.debtor(rec), channel="EMAIL", purpose="REMINDER")
    assert error_codes(body) == ["FORBIDDEN"], body
    no_promise = await t.debtor(us_record("US-NOP"))
    body = await t.draft(debtorId=no_promise, channel="EMAIL", purpose="PROMISE_CONFIRMATION")
    assert error_codes(body) == ["BAD_INPUT"], body
    assert fake_stripe.requests == []
    # an allowed draft still gets its link
    out = _ok(await t.draft(debtorId=no_promise, channel="EMAIL", purpose="REMINDER"))
    assert out["paymentDestinations"][0]["singleUse"] is True and len(fake_stripe.requests) == 1
