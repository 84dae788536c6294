"""The US validation notice (12 CFR 1006.34) through draftMessage over HTTP: every required element with
the debtor's real values, the itemization to the cent, the validation period's end across weekends, US
holidays, the debtor's zone and DST, English and Spanish, e-mail and PDF letter; missing data is a
BAD_INPUT naming the field; other countries' first notices and the US voicemail rules."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime

import pytest

from tests.api.data import debtor_record
from tests.api.test_drafts_api import DRAFT, PDF, PROFILE, SET_PROFILE, Tenant, _ok, us_record
from tests.conftest import error_codes

US_PROFILE = {
    **PROFILE,
    "agencyName": "Delta Recoveries LLC",
    "neutralName": "DR Services",
    "phone": "+1 713 555 0101",
    "address": "PO Box 4410, Dallas, TX 75202",
    "city": "Dallas",
    "electronicDisputes": "disputes@deltarecoveries.example",
}
ITEMIZATION = {
    "date": "2026-06-30",
    "basis": "CHARGE_OFF",
    "creditor": "Main Street Stores Inc.",
    "amount": "1000.10",
    "interest": "33.33",
    "fees": "25.01",
    "credits": "10.05",
}
# 1000.10 + 33.33 + 25.01 - (100.00 + 50.25 paid after 2026-06-30) - 10.05 = 898.14
BALANCE = "898.14"


def notice_record(ext: str = "US-V", **itemization) -> dict:
    rec = us_record(ext)
    acc = rec["accounts"][0]
    acc["balance"] = BALANCE
    acc["principal"] = "1000.10"
    acc["payments"] = [
        {
            "amount": "75.00",
            "paidAt": "2026-05-01T15:00:00Z",
            "reference": f"{ext}-P0",
        },  # before: not counted
        {"amount": "100.00", "paidAt": "2026-09-10T15:00:00Z", "reference": f"{ext}-P1"},
        {"amount": "50.25", "paidAt": "2026-10-01T15:00:00Z", "reference": f"{ext}-P2"},
    ]
    rec["attributes"] = {"itemization": {acc["externalId"]: {**ITEMIZATION, **itemization}}}
    return rec


async def us_tenant(api, profile: dict | None = None) -> Tenant:
    t = await Tenant(api).setup()
    await api.ok(SET_PROFILE, {"p": profile or US_PROFILE}, key=t.admin)
    return t


async def test_english_email_notice_carries_every_required_element(api):
    t = await us_tenant(api)
    debtor = await t.debtor(notice_record())
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    text = out["text"]
    assert out["templateId"] == "us.validation_notice" and out["templateVersion"].startswith(
        "us-regulation-f.json@"
    )
    assert (
        out["compliance"]["compliant"] is True
        and out["firstContact"] is True
        and out["generator"] == "TEMPLATE"
    )
    expected = [
        # (c)(1) debt collector communication disclosure
        "Delta Recoveries LLC is a debt collector. We are trying to collect a debt that you owe to Andina Bank N.A. "
        "We will use any information you give us to help collect the debt.",
        # (c)(2)(i) collector name and mailing address; (ii) consumer name and address
        "Delta Recoveries LLC\nPO Box 4410, Dallas, TX 75202\n+1 713 555 0101",
        "To: John Smith\n1200 Main St\nHouston, TX 77002",
        # (iii)-(iv) creditor on the itemization date, account number; (v) current creditor (above)
        "from Main Street Stores Inc. with account number US-V-A0 (product: Tarjeta).",
        # (vi)-(ix) itemization date, amount then, itemization, current amount: to the cent
        "As of June 30, 2026, you owed: $1,000.10",
        "Between June 30, 2026 and today:",
        "You were charged this amount in interest: + $33.33",
        "You were charged this amount in fees: + $25.01",
        "You paid or were credited this amount toward the debt: - $160.30",
        "Total amount of the debt now: $898.14",
        # (c)(3) validation period end (Friday Nov 20 + 5 business days without Thanksgiving = Nov 30; + 30)
        "Call or write to us by December 30, 2026, to dispute all or part of the debt. If you do not, we will "
        "assume that our information is correct.",
        "If you write to us by December 30, 2026, we must stop collection on any amount you dispute",
        "We accept disputes electronically at disputes@deltarecoveries.example.",
        "Write to ask for the name and address of the original creditor, if different from the current creditor. "
        "If you write by December 30, 2026, we must stop collection until we send you that information.",
        "Go to www.cfpb.gov/debt-collection to learn more about your rights under federal law.",
        "Póngase en contacto con nosotros para solicitar una copia de este formulario en español.",
        # (c)(4) consumer-response information
        "HOW DO YOU WANT TO RESPOND?\nMail this form to:\nDelta Recoveries LLC\nPO Box 4410, Dallas, TX 75202",
        "[ ] This is not my debt.\n[ ] The amount is wrong.",
        "[ ] I want you to send me the name and address of the original creditor.",
        "[ ] Quiero este formulario en español.",
        "reply UNSUBSCRIBE",  # 1006.6(e)
        "https://pay.andina.example/us?ref=US-V-A0&amount=898.14",  # the official payment channel
    ]
    for piece in expected:
        assert piece in text, piece
    assert "$75.00" not in text  # the payment before the itemization date is not itemized
    assert out["subject"] == "Important information about your account US-V-A0"  # nothing about a debt


async def test_spanish_letter_notice_and_its_pdf(api):
    t = await us_tenant(api)
    debtor = await t.debtor(notice_record("US-S"))
    body = await t.draft(query=PDF, debtorId=debtor, channel="LETTER", purpose="FIRST_NOTICE", language="es")
    out = _ok(body)
    text = out["text"]
    for piece in [
        "Delta Recoveries LLC es un cobrador de deudas. Estamos tratando de cobrar una deuda que usted tiene con "
        "Andina Bank N.A. Usaremos cualquier información que nos brinde para ayudar a cobrar la deuda.",
        "Hasta el 30 de junio de 2026, usted debía: $1,000.10",
        "Se le cobró esta cantidad en intereses: + $33.33",
        "Se le cobró esta cantidad en cargos: + $25.01",
        "Pagó o se le abonó esta cantidad a la deuda: - $160.30",
        "Monto total de la deuda ahora: $898.14",
        "Llámenos o escríbanos a más tardar el 30 de diciembre de 2026 para disputar la totalidad o parte de la deuda.",
        "Visite www.cfpb.gov/debt-collection",
        "Envíe este formulario a:\nDelta Recoveries LLC\nPO Box 4410, Dallas, TX 75202",
        "[ ] Esta no es mi deuda.",
    ]:
        assert piece in text, piece
    assert text.startswith("Delta Recoveries LLC\nPO Box 4410, Dallas, TX 75202\nTel. +1 713 555 0101")
    assert text.count("John Smith\n1200 Main St\nHouston, TX 77002\n") == 2  # window address and reply form
    pdf = base64.b64decode(out["pdfBase64"])
    assert pdf.startswith(b"%PDF-") and b"/Type /Page" in pdf and len(pdf) > 2000


@pytest.mark.parametrize(
    ("now", "end"),
    [
        # Friday 11:00 in Houston; Thanksgiving (Thu Nov 26) and the weekend are skipped: receipt Mon Nov 30
        (datetime(2026, 11, 20, 17, 0, tzinfo=UTC), "December 30, 2026"),
        # 23:30 Thursday Dec 17 in Houston (already Friday in UTC); Christmas (Fri Dec 25) skipped:
        # receipt Thu Dec 24 -> Jan 23 (from the UTC date it would be Mon Dec 28 -> Jan 27)
        (datetime(2026, 12, 18, 5, 30, tzinfo=UTC), "January 23, 2027"),
        # two days after DST began: 00:30 CDT on Tuesday Mar 10 (23:30 Monday in standard time):
        # receipt Tue Mar 17 -> Apr 16 (Monday's date would give Apr 15)
        (datetime(2026, 3, 10, 5, 30, tzinfo=UTC), "April 16, 2026"),
        # New Year's Day (Fri Jan 1 2027) skipped: Mon Dec 28 -> receipt Tue Jan 5 -> Feb 4
        (datetime(2026, 12, 28, 18, 0, tzinfo=UTC), "February 4, 2027"),
    ],
)
async def test_validation_period_end_in_the_debtors_zone(api, clock, now, end):
    t = await us_tenant(api)
    rec = notice_record("US-D")
    if now < datetime(2026, 7, 1, tzinfo=UTC):  # before the standard itemization date: an earlier one
        rec = notice_record("US-D", date="2026-01-31")
        rec["accounts"][0]["payments"] = [
            p for p in rec["accounts"][0]["payments"] if p["paidAt"] < "2026-03"
        ]
        rec["accounts"][0]["balance"] = "1048.39"  # 1000.10 + 33.33 + 25.01 - 10.05, nothing paid since
    debtor = await t.debtor(rec)
    clock.value = now
    out = _ok(await t.draft(key=t.admin, debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    assert f"Call or write to us by {end}, to dispute" in out["text"]
    assert out["text"].count(end) == 3  # dispute, stop-collection and original-creditor statements


async def test_missing_or_inconsistent_data_is_bad_input_naming_the_field(api):
    t = await us_tenant(api)

    async def fails(rec: dict, field: str, channel: str = "EMAIL") -> None:
        debtor = await t.debtor(rec)
        body = await t.draft(debtorId=debtor, channel=channel, purpose="FIRST_NOTICE")
        assert error_codes(body) == ["BAD_INPUT"], body
        assert field in body["errors"][0]["message"], body["errors"][0]["message"]
        assert "Total amount of the debt" not in str(body)

    none = notice_record("US-M1")
    none["attributes"] = {}
    await fails(none, "attributes.itemization.US-M1-A0")
    partial = notice_record("US-M2")
    del partial["attributes"]["itemization"]["US-M2-A0"]["fees"]
    await fails(partial, "attributes.itemization.US-M2-A0")
    body = await t.draft(debtorId=await t.debtor(partial), channel="EMAIL", purpose="FIRST_NOTICE")
    assert "fees" in body["errors"][0]["message"]
    wrong = notice_record("US-M3", interest="33.34")  # one cent off the balance
    await fails(wrong, "does not add up")
    bad_basis = notice_record("US-M4", basis="WHENEVER")
    await fails(bad_basis, "attributes.itemization.US-M4-A0.basis")
    no_address = notice_record("US-M5")
    no_address["addresses"] = []
    no_address["jurisdiction"] = "US-TX"
    await fails(no_address, "addresses")
    # the collector's mailing address comes from the drafting profile
    profile = {k: v for k, v in US_PROFILE.items() if k != "address"}
    await api.ok(SET_PROFILE, {"p": profile}, key=t.admin)
    await fails(notice_record("US-M6"), "draftingProfile.address")
    await fails(notice_record("US-M7"), "draftingProfile.address", channel="LETTER")
    # a US reminder needs none of it
    out = _ok(await t.draft(debtorId=await t.debtor(none), channel="EMAIL", purpose="REMINDER"))
    assert out["compliance"]["compliant"] is True


async def test_other_countries_first_notices_are_unaffected(api):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-FN"))
    for channel in ("EMAIL", "LETTER"):
        out = _ok(await t.draft(debtorId=debtor, channel=channel, purpose="FIRST_NOTICE"))
        assert out["templateId"] == "first_notice.long" and out["templateVersion"].startswith(
            "messages.json@"
        )
        assert "cfpb" not in out["text"].lower() and "validación" not in out["text"].lower()
    # a US first notice by SMS is the short first notice, not a validation notice
    t2 = await us_tenant(api)
    sms = _ok(
        await t2.draft(
            debtorId=await t2.debtor(notice_record("US-SMS")), channel="SMS", purpose="FIRST_NOTICE"
        )
    )
    assert sms["templateId"] == "first_notice.short"


async def test_us_voicemail_needs_a_neutral_business_name(api):
    t = await us_tenant(api)
    debtor = await t.debtor(notice_record("US-VM"))
    vm = _ok(await t.draft(debtorId=debtor, channel="VOICEMAIL", purpose="VOICEMAIL"))
    assert vm["templateId"] == "us.voicemail.limited_content"
    assert (
        vm["text"]
        == "Hi, this is Laura Gómez with DR Services. Please call me back at +1 713 555 0101, Monday to Friday, 9 a.m. to 6 p.m. Thank you."
    )
    profile = {k: v for k, v in US_PROFILE.items() if k != "neutralName"}
    await api.ok(SET_PROFILE, {"p": profile}, key=t.admin)
    body = await t.draft(debtorId=debtor, channel="VOICEMAIL", purpose="VOICEMAIL")
    assert error_codes(body) == ["BAD_INPUT"]
    assert "draftingProfile.neutralName" in body["errors"][0]["message"]
    assert "Delta Recoveries" not in str(body)
    # elsewhere the voicemail simply leaves the business name out
    mx = await t.debtor(debtor_record("MX-VM"))
    out = _ok(await t.draft(debtorId=mx, channel="VOICEMAIL", purpose="VOICEMAIL"))
    assert out["templateId"] == "voicemail.limited_content" and "Delta" not in out["text"]
    assert out["compliance"]["compliant"] is True


async def test_every_demo_us_debtor_gets_a_validation_notice_or_a_refusal(api, session_factory, clock):
    """The demo portfolio carries itemizations that add up with its recorded payments (make demo works)."""
    import asistente.demo as demo

    key = demo.seed_demo(session_factory, now=clock.value)
    q = '{ debtors(first: 50, filter: {jurisdiction: "US"}) { edges { node { id } } } }'
    ids = [e["node"]["id"] for e in (await api.ok(q, key=key))["debtors"]["edges"]]
    assert len(ids) >= 10
    notices = 0
    for debtor in ids:
        body = await api.gql(
            DRAFT, {"i": {"debtorId": debtor, "channel": "LETTER", "purpose": "FIRST_NOTICE"}}, key=key
        )
        if body.get("errors"):
            message = body["errors"][0]["message"]
            # the contact rules (cease contact, attorney...) or a debtor the CRM has no address for
            assert error_codes(body) == ["FORBIDDEN"] or "no postal address" in message, message
            continue
        out = body["data"]["draftMessage"]
        assert out["templateId"] == "us.validation_notice" and out["compliance"]["compliant"] is True
        notices += 1
    assert notices >= 8


async def test_a_notice_covers_one_debt_the_largest(api):
    t = await us_tenant(api)
    rec = notice_record("US-2A")
    small = copy.deepcopy(rec["accounts"][0])
    small.update(externalId="US-2A-A1", balance="200.00", principal="200.00", payments=[])
    rec["accounts"].append(small)
    out = _ok(await t.draft(debtorId=await t.debtor(rec), channel="EMAIL", purpose="FIRST_NOTICE"))
    assert "Total amount of the debt now: $898.14" in out["text"] and "US-2A-A1" not in out["text"]
    assert [d["url"] for d in out["paymentDestinations"]] == [
        "https://pay.andina.example/us?ref=US-2A-A0&amount=898.14"
    ]


async def test_a_plan_confirmation_says_where_to_pay_the_first_installment(api):
    """API.md's createAgreement returns the agreement, not where to pay; the plan's confirmation
    (draftMessage PAYMENT_PLAN_CONFIRMATION with its agreementId) carries the destinations in its currency."""
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-PLAN"))
    q = "query($d: ID!){ debtor(id: $d) { accounts { id } } }"
    accounts = [a["id"] for a in (await api.ok(q, {"d": debtor}, key=t.admin))["debtor"]["accounts"]]
    create = """mutation($i: AgreementInput!) { createAgreement(input: $i) {
      agreement { id currency installments { number amount } } } }"""
    plan = {
        "debtorId": debtor,
        "accountIds": accounts,
        "kind": "INSTALLMENTS",
        "installments": 6,
        "downPayment": "2401.00",
        "frequency": "MONTHLY",
        "firstPaymentDate": "2026-12-15",
    }
    agreement = (await api.ok(create, {"i": plan}, key=t.admin))["createAgreement"]["agreement"]
    first = agreement["installments"][0]["amount"]
    out = _ok(
        await t.draft(
            debtorId=debtor, channel="EMAIL", purpose="PAYMENT_PLAN_CONFIRMATION", agreementId=agreement["id"]
        )
    )
    links = {d["id"]: d for d in out["paymentDestinations"]}
    assert set(links) == {"bbva", "mp"} and agreement["currency"] == "MXN"
    assert links["mp"]["reference"] in ("MX-PLAN-A0", "MX-PLAN-A1")  # one of the plan's accounts
    assert (
        links["mp"]["url"] == f"https://pagos.andina.example/mp?ref={links['mp']['reference']}&monto={first}"
    )
    assert links["mp"]["url"] in out["text"] and links["bbva"]["account"] in out["text"]


async def test_a_neutral_name_that_reveals_collection_is_named(api):
    t = await us_tenant(api, {**US_PROFILE, "neutralName": "Delta Collections"})
    debtor = await t.debtor(notice_record("US-VM2"))
    body = await t.draft(debtorId=debtor, channel="VOICEMAIL", purpose="VOICEMAIL")
    assert error_codes(body) == ["BAD_INPUT"]
    message = body["errors"][0]["message"]
    assert message.startswith("draftingProfile.neutralName: 'Delta Collections' reveals debt collection"), (
        message
    )
    assert "Delta Collections. Please call" not in str(body)  # no draft comes back
