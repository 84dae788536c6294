"""Issue 11, "Bad input", item by item, against the real app over HTTP: a clear error (BAD_INPUT, NOT_FOUND,
FORBIDDEN with a reason) or the template fallback, never a 500, never a draft that failed the check.

Where each item is covered:
- a purpose a channel cannot carry: every channel x purpose below (and tests/api/test_drafts_api.py
  ``test_purpose_and_agreement_errors``);
- an agreement id of another debtor or tenant: ``test_purpose_and_agreement_errors`` (NOT_FOUND); an account
  id of another debtor or tenant: tests/drafting/test_notice_itemization.py;
- an LLM that answers garbage, 100 KB or nothing: tests/api/test_drafts_llm.py
  ``test_bad_answers_fall_back_to_the_template_draft`` (a real HTTP server on 127.0.0.1);
- a payment destination template without a reference: below, through setPaymentDestinations and as a
  document already stored;
- a debtor with no address for a letter: below (every letter purpose, a US notice, no jurisdiction either).
"""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from asistente.tenants.models import Tenant as TenantRow
from tests.api.data import debtor_record
from tests.api.test_drafts_api import DESTINATIONS, DRAFT, SET_DEST, Tenant, _ok, us_record
from tests.api.test_validation_notice_api import US_PROFILE, notice_record
from tests.conftest import error_codes

CHANNELS = ["SMS", "WHATSAPP", "EMAIL", "LETTER", "CALL", "VOICEMAIL", "VISIT"]
PURPOSES = [
    "REMINDER",
    "FIRST_NOTICE",
    "PAYMENT_PLAN_CONFIRMATION",
    "PROMISE_CONFIRMATION",
    "SETTLEMENT_OFFER",
    "PAYMENT_RECEIVED",
    "CALL_SCRIPT_OPENING",
    "VOICEMAIL",
]
CLEAR = {"BAD_INPUT", "NOT_FOUND", "FORBIDDEN"}


async def draft_status(api, t: Tenant, **fields) -> tuple[int, dict]:
    res = await api.post(DRAFT, {"i": fields}, key=t.agent)
    return res.status_code, res.json()


@pytest.mark.parametrize("country", ["MX", "US"])
async def test_every_channel_and_purpose_is_a_compliant_draft_or_a_clear_error(api, country):
    t = await Tenant(api).setup()
    if country == "US":
        await api.ok(
            "mutation($p: JSON!) { setDraftingProfile(profile: $p) }", {"p": US_PROFILE}, key=t.admin
        )
    debtor = await t.debtor(notice_record("US-ALL") if country == "US" else debtor_record("MX-ALL"))
    served, refused = 0, {}
    for channel in CHANNELS:
        for purpose in PURPOSES:
            status, body = await draft_status(api, t, debtorId=debtor, channel=channel, purpose=purpose)
            assert status != 500 and status < 500, (channel, purpose, status, body)
            if body.get("errors"):
                codes = error_codes(body)
                assert set(codes) <= CLEAR and codes, (channel, purpose, body)
                assert body.get("data") in (None, {"draftMessage": None}) or not body["data"]
                assert body["errors"][0]["message"], (channel, purpose)
                refused[(channel, purpose)] = codes[0]
                continue
            out = body["data"]["draftMessage"]
            assert out["compliance"]["compliant"] is True and out["text"], (channel, purpose)
            served += 1
    # both outcomes really happen: channels that cannot carry a purpose, and drafts
    assert served >= 10 and refused
    assert refused[("VOICEMAIL", "REMINDER")] == "BAD_INPUT"
    assert refused[("SMS", "CALL_SCRIPT_OPENING")] == "BAD_INPUT"


async def test_a_destination_template_without_a_reference_is_refused_and_changes_nothing(api):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-REF"))
    before = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    for index, change in (
        (0, {"reference": "pago de su cuenta"}),  # a bank transfer whose reference names no account
        (1, {"url": "https://pagos.andina.example/mp?monto={amount}"}),  # a link that names no account
    ):
        bad = copy.deepcopy(DESTINATIONS)
        bad["version"] = "bad"
        bad["destinations"][index].update(change)
        res = await api.post(SET_DEST, {"d": bad}, key=t.admin)
        body = res.json()
        assert res.status_code < 500 and error_codes(body) == ["BAD_INPUT"], body
        assert "{reference}" in body["errors"][0]["message"]
        fields = [f["field"] for f in body["errors"][0]["extensions"]["fields"]]
        assert fields and fields[0].endswith(f"destinations[{index}].{next(iter(change))}"), fields
    after = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert after["paymentDestinations"] == before["paymentDestinations"]  # the registered set still holds
    assert after["text"] == before["text"]


async def test_a_stored_destination_without_a_reference_is_a_clear_error_not_a_draft(api, session_factory):
    """A document stored without going through setPaymentDestinations (an older release, a hand edit):
    drafting refuses with BAD_INPUT naming the field; no draft without a way to match the payment."""
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-OLD"))
    _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    bad = copy.deepcopy(DESTINATIONS)
    bad["version"] = "hand-edited"
    bad["destinations"][0]["reference"] = "pago"
    with session_factory() as s:
        row = s.scalars(select(TenantRow).where(TenantRow.slug == "acme")).one()
        row.settings = {**row.settings, "paymentDestinations": bad}
        s.commit()
    status, body = await draft_status(api, t, debtorId=debtor, channel="SMS", purpose="REMINDER")
    assert status < 500 and error_codes(body) == ["BAD_INPUT"], body
    assert "reference" in body["errors"][0]["message"]
    assert not (body.get("data") or {}).get("draftMessage")


async def test_a_letter_needs_an_address_for_every_purpose(api):
    t = await Tenant(api).setup()
    await api.ok("mutation($p: JSON!) { setDraftingProfile(profile: $p) }", {"p": US_PROFILE}, key=t.admin)
    mx = debtor_record("MX-NOADDR")
    mx["addresses"] = []
    mx["jurisdiction"] = "MX"
    us = us_record("US-NOADDR")
    us["addresses"] = []
    us["jurisdiction"] = "US-TX"
    nowhere = debtor_record("MX-NOWHERE")
    nowhere["addresses"] = []
    nowhere["phones"] = []
    nowhere.pop("jurisdiction", None)
    for rec, purposes in (
        (mx, ["REMINDER", "FIRST_NOTICE"]),
        (us, ["FIRST_NOTICE", "REMINDER"]),
        (nowhere, ["REMINDER"]),  # nor a phone: no jurisdiction either (said before any template look-up)
    ):
        debtor = await t.debtor(rec)
        for purpose in purposes:
            status, body = await draft_status(api, t, debtorId=debtor, channel="LETTER", purpose=purpose)
            assert status < 500 and error_codes(body) == ["BAD_INPUT"], (rec["externalId"], purpose, body)
            message = body["errors"][0]["message"]
            assert "address" in message or "dirección" in message, message
            assert not (body.get("data") or {}).get("draftMessage")
