"""draftMessage over HTTP: contact permission first, template per purpose/channel/country, payment
destinations, the compliance check as a whole MESSAGE, the DRAFT audit record; bad input never a 500."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime

import pytest

from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes

DRAFT = """query($i: DraftInput!) { draftMessage(input: $i) {
  text subject segments smsEncoding generator auditId templateId templateVersion language register locale
  firstContact jurisdiction nextAllowedAt
  compliance { compliant packVersion auditId violations { ruleId code } warnings { ruleId code } }
  whatsappTemplate { name category language }
  paymentDestinations { id kind currency reference scheme account provider url singleUse }
  contactWarnings { ruleId code }
  llm { used model outcome fallbackReason } } }"""
PDF = """query($i: DraftInput!) { draftMessage(input: $i) { text pdfBase64 } }"""
SET_DEST = "mutation($d: JSON!) { setPaymentDestinations(destinations: $d) { version destinations } }"
SET_PROFILE = "mutation($p: JSON!) { setDraftingProfile(profile: $p) }"
EVENTS = "{ auditEvents(first: 20, filter: {kind: DRAFT}) { edges { node { id kind debtorId input output versions } } } }"
SESSION = 'mutation { createAgentSession(agentId: "u-laura", name: "Laura Gómez") { token } }'

CLABE = "032180000118359719"
PROFILE = {
    "version": "2026-12-01",
    "agencyName": "Cobranzas Delta S.C.",
    "neutralName": "DR Services",
    "creditorName": "Financiera Andina S.A. de C.V.",
    "phone": "+52 55 5123 4567",
    "email": "atencion@cobranzas-delta.example",
    "website": "https://cobranzas-delta.example",
    "address": "Av. Reforma 250, Ciudad de México",
    "city": "Ciudad de México",
    "hours": {"es": "de lunes a viernes de 9:00 a 18:00", "en": "Monday to Friday, 9 a.m. to 6 p.m."},
}
DESTINATIONS = {
    "version": "2026-12-01",
    "destinations": [
        {
            "id": "bbva",
            "currency": "MXN",
            "kind": "BANK_TRANSFER",
            "bank": "BBVA México",
            "holder": "Financiera Andina S.A. de C.V.",
            "scheme": "CLABE",
            "account": CLABE,
            "reference": "{reference}",
        },
        {
            "id": "mp",
            "currency": "MXN",
            "kind": "PAYMENT_LINK",
            "provider": "MERCADO_PAGO",
            "url": "https://pagos.andina.example/mp?ref={reference}&monto={amount}",
        },
        {
            "id": "stripe-us",
            "currency": "USD",
            "kind": "PAYMENT_LINK",
            "provider": "STRIPE",
            "url": "https://pay.andina.example/us?ref={reference}&amount={amount}",
        },
    ],
}


def us_record(ext: str = "US-1") -> dict:
    rec = debtor_record(ext, accounts=1, interactions=0, payments=0, country="US")
    rec["fullName"] = "John Smith"
    rec["language"] = "en"
    rec["addresses"] = [
        {"line1": "1200 Main St", "city": "Houston", "region": "TX", "postalCode": "77002", "country": "US"}
    ]
    rec["phones"] = [{"number": "+17135550123", "kind": "MOBILE"}]
    rec["accounts"][0]["currency"] = "USD"
    rec["accounts"][0]["creditor"] = "Andina Bank N.A."
    rec["promises"] = []
    return rec


class Tenant:
    def __init__(self, api, slug: str = "acme") -> None:
        self.api = api
        self.slug = slug

    async def setup(self, profile: bool = True, destinations: bool = True) -> Tenant:
        self.admin = self.api.key(self.slug, "ADMIN")
        self.compliance = self.api.key(self.slug, "COMPLIANCE")
        if profile:
            await self.api.ok(SET_PROFILE, {"p": PROFILE}, key=self.admin)
        if destinations:
            await self.api.ok(SET_DEST, {"d": DESTINATIONS}, key=self.admin)
        self.agent = (await self.api.ok(SESSION, key=self.admin))["createAgentSession"]["token"]
        return self

    async def debtor(self, rec: dict) -> str:
        data = await self.api.ok(UPSERT, {"input": [rec]}, key=self.admin)
        assert not data["upsertDebtors"]["rejected"], data
        return data["upsertDebtors"]["ids"][0]

    async def draft(self, key: str | None = None, query: str = DRAFT, **fields) -> dict:
        return await self.api.gql(query, {"i": fields}, key=key or self.agent)


def _ok(body: dict) -> dict:
    assert not body.get("errors"), body.get("errors")
    return body["data"]["draftMessage"]


async def test_sms_reminder_for_mexico_identifies_everyone_and_says_where_to_pay(api):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-1"))
    out = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    text = out["text"]
    assert out["generator"] == "TEMPLATE" and out["compliance"]["compliant"] is True
    assert out["compliance"]["auditId"] == out["auditId"]
    assert "Le escribe Laura Gómez, de parte de Cobranzas Delta S.C., en representación de" in text
    assert "$24,001.00" in text  # two accounts of 12,000.50 MXN, es_MX format
    assert CLABE in text and "https://pagos.andina.example/mp?ref=MX-1-A0&monto=24001.00" in text
    assert "Responda BAJA" in text  # how to stop messages
    assert out["smsEncoding"] == "UCS-2" and out["segments"] >= 3
    assert out["language"] == "es" and out["register"] == "USTED" and out["locale"] == "es_MX"
    assert {d["id"] for d in out["paymentDestinations"]} == {"bbva", "mp"}  # MXN only
    assert out["templateVersion"].startswith("messages.json@")
    assert out["whatsappTemplate"] is None and out["llm"] is None
    events = (await api.ok(EVENTS, key=t.compliance))["auditEvents"]["edges"]
    event = next(e["node"] for e in events if e["node"]["id"] == out["auditId"])
    assert event["debtorId"] == debtor
    assert event["input"]["templateId"] == out["templateId"] and event["input"]["purpose"] == "REMINDER"
    assert event["output"]["text"] == text and event["output"]["compliant"] is True
    assert event["versions"]["templates"].startswith("messages.json@") and event["versions"]["rulePacks"]


async def test_register_and_whatsapp_template(api):
    t = await Tenant(api).setup()
    rec = debtor_record("MX-2")
    rec["authorizedChannels"] = ["WHATSAPP", "SMS", "CALL", "EMAIL"]
    debtor = await t.debtor(rec)
    out = _ok(await t.draft(debtorId=debtor, channel="WHATSAPP", purpose="REMINDER", register="TU"))
    assert "Te recordamos" in out["text"] and "Responde BAJA" in out["text"]
    assert out["whatsappTemplate"] == {"name": "payment_reminder_v1", "category": "UTILITY", "language": "es"}
    assert out["segments"] is None
    en = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER", language="en-US"))
    assert en["language"] == "en" and en["subject"].startswith("Payment reminder")
    assert "This is Laura Gómez from Cobranzas Delta S.C." in en["text"]


async def test_letter_comes_with_a_pdf_and_needs_an_address(api):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-3"))
    out = _ok(await t.draft(query=PDF, debtorId=debtor, channel="LETTER", purpose="FIRST_NOTICE"))
    assert out["text"].startswith("Cobranzas Delta S.C.")
    assert "Av. Tulum 12" in out["text"]  # the debtor's address block
    assert base64.b64decode(out["pdfBase64"]).startswith(b"%PDF-")
    sms = _ok(await t.draft(query=PDF, debtorId=debtor, channel="SMS", purpose="FIRST_NOTICE"))
    assert sms["pdfBase64"] is None
    rec = debtor_record("MX-4")
    rec["addresses"] = []
    rec["jurisdiction"] = "MX"
    no_address = await t.debtor(rec)
    body = await t.draft(debtorId=no_address, channel="LETTER", purpose="REMINDER")
    assert error_codes(body) == ["BAD_INPUT"] and "address" in body["errors"][0]["message"]


async def test_refused_channels_give_the_reason_and_are_recorded(api):
    t = await Tenant(api).setup()
    rec = debtor_record("MX-5")
    rec["optedOutChannels"] = ["SMS"]
    debtor = await t.debtor(rec)
    body = await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER")
    assert error_codes(body) == ["FORBIDDEN"]
    assert "CHANNEL_OPTED_OUT" in body["errors"][0]["message"]
    assert {f["code"] for f in body["errors"][0]["extensions"]["fields"]} == {"CHANNEL_OPTED_OUT"}
    events = (await api.ok(EVENTS, key=t.compliance))["auditEvents"]["edges"]
    assert events[0]["node"]["output"]["refused"] is True and events[0]["node"]["debtorId"] == debtor
    # other channels are still fine
    assert _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))["text"]
    cease = debtor_record("MX-6")
    cease["ceaseContact"] = True
    body = await t.draft(debtorId=await t.debtor(cease), channel="EMAIL", purpose="REMINDER")
    assert error_codes(body) == ["FORBIDDEN"] and "CEASE_CONTACT" in body["errors"][0]["message"]
    lawyer = us_record("US-L")
    lawyer["representedByAttorney"] = True
    body = await t.draft(debtorId=await t.debtor(lawyer), channel="EMAIL", purpose="REMINDER")
    assert error_codes(body) == ["FORBIDDEN"] and "ATTORNEY_REPRESENTED" in body["errors"][0]["message"]
    co = debtor_record("CO-1", country="CO")
    co["addresses"][0].update(city="Bogotá", region="DC", postalCode="110311")
    co["phones"] = [{"number": "+573001234567", "kind": "MOBILE"}]
    co["authorizedChannels"] = ["CALL"]
    body = await t.draft(debtorId=await t.debtor(co), channel="WHATSAPP", purpose="REMINDER")
    assert error_codes(body) == ["FORBIDDEN"] and "CHANNEL_NOT_AUTHORIZED" in body["errors"][0]["message"]


async def test_time_limits_do_not_stop_a_draft_but_are_shown(api, clock):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-7"))
    clock.value = datetime(2026, 11, 21, 6, 30, tzinfo=UTC)  # 01:30 in Cancún: outside the window
    out = _ok(await t.draft(key=t.admin, debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert "CONTACT_HOURS" in {w["code"] for w in out["contactWarnings"]}
    assert out["nextAllowedAt"] is not None


async def test_us_disclosures_first_contact_then_short_form_and_limited_voicemail(api):
    t = await Tenant(api).setup()
    debtor = await t.debtor(us_record())
    first = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    assert first["firstContact"] is True and first["locale"] == "en_US"
    assert (
        "This is an attempt to collect a debt and any information obtained will be used for that purpose."
        in first["text"]
    )
    assert "UNSUBSCRIBE" in first["text"]
    assert [d["id"] for d in first["paymentDestinations"]] == ["stripe-us"]
    record = (
        """mutation($i: RecordInteractionInput!) { recordInteraction(input: $i) { interaction { id } } }"""
    )
    await api.ok(
        record,
        {
            "i": {
                "debtorId": debtor,
                "channel": "CALL",
                "direction": "OUTBOUND",
                "at": "2026-11-19T16:00:00Z",
                "outcome": "CONVERSATION",
            }
        },
        key=t.admin,
    )
    later = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert later["firstContact"] is False
    assert (
        "This communication is from a debt collector." in later["text"]
        and "attempt to collect" not in later["text"]
    )
    assert "Reply STOP" in later["text"]
    vm = _ok(await t.draft(debtorId=debtor, channel="VOICEMAIL", purpose="VOICEMAIL"))
    assert "DR Services" in vm["text"] and "$" not in vm["text"] and "debt" not in vm["text"].lower()
    assert vm["paymentDestinations"] == []
    call = _ok(await t.draft(debtorId=debtor, channel="CALL", purpose="CALL_SCRIPT_OPENING"))
    assert "may I speak with John Smith" in call["text"] and "debt collector" in call["text"]
    # an API key without a person's name cannot leave a voicemail (the agency's name may reveal collection)
    body = await t.draft(key=t.admin, debtorId=debtor, channel="VOICEMAIL", purpose="VOICEMAIL")
    assert error_codes(body) == ["BAD_INPUT"] and "createAgentSession" in body["errors"][0]["message"]
    # a letter's address block is addressing data, not message content ("Apt 4C 10027" is no case number)
    ny = us_record("US-NY")
    ny["addresses"] = [
        {
            "line1": "245 W 125th St, Apt 4C",
            "city": "New York",
            "region": "NY",
            "postalCode": "10027",
            "country": "US",
        }
    ]
    ny["attributes"] = {  # a US first notice is a validation notice (tests/api/test_validation_notice_api.py)
        "itemization": {
            "US-NY-A0": {
                "date": "2026-10-31",
                "basis": "LAST_STATEMENT",
                "creditor": "Andina Bank N.A.",
                "amount": "12000.50",
                "interest": "0.00",
                "fees": "0.00",
                "credits": "0.00",
            }
        }
    }
    letter = _ok(await t.draft(debtorId=await t.debtor(ny), channel="LETTER", purpose="FIRST_NOTICE"))
    assert "245 W 125th St, Apt 4C" in letter["text"] and letter["compliance"]["compliant"] is True


async def test_purpose_and_agreement_errors(api):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-8"))
    other = await t.debtor(debtor_record("MX-9"))
    body = await t.draft(debtorId=debtor, channel="VOICEMAIL", purpose="REMINDER")
    assert (
        error_codes(body) == ["BAD_INPUT"] and "cannot be sent by VOICEMAIL" in body["errors"][0]["message"]
    )
    body = await t.draft(debtorId=debtor, channel="SMS", purpose="PAYMENT_PLAN_CONFIRMATION")
    assert error_codes(body) == ["BAD_INPUT"] and "agreementId" in body["errors"][0]["message"]
    body = await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER", language="fr")
    assert error_codes(body) == ["BAD_INPUT"]
    body = await t.draft(debtorId="00000000-0000-0000-0000-000000000000", channel="SMS", purpose="REMINDER")
    assert error_codes(body) == ["NOT_FOUND"]
    # an agreement of another debtor, and one of another tenant, read as not found
    q = "query($d: ID!){ debtor(id: $d) { accounts { id } } }"
    account = (await api.ok(q, {"d": other}, key=t.admin))["debtor"]["accounts"][0]["id"]
    create = "mutation($i: AgreementInput!) { createAgreement(input: $i) { agreement { id status } } }"
    plan = {
        "debtorId": other,
        "accountIds": [account],
        "kind": "INSTALLMENTS",
        "installments": 6,
        "downPayment": "1300.00",
        "frequency": "MONTHLY",
        "firstPaymentDate": "2026-12-15",
    }
    agreement = (await api.ok(create, {"i": plan}, key=t.admin))["createAgreement"]["agreement"]["id"]
    body = await t.draft(
        debtorId=debtor, channel="SMS", purpose="PAYMENT_PLAN_CONFIRMATION", agreementId=agreement
    )
    assert error_codes(body) == ["NOT_FOUND"]
    mine = _ok(
        await t.draft(
            debtorId=other, channel="EMAIL", purpose="PAYMENT_PLAN_CONFIRMATION", agreementId=agreement
        )
    )
    assert (
        "7 pago(s)" in mine["text"] and "\n1. " in mine["text"] and "\n7. " in mine["text"]
    )  # down payment + 6
    beta = await Tenant(api, "beta").setup()
    beta_debtor = await beta.debtor(debtor_record("MX-8"))
    body = await beta.draft(
        debtorId=beta_debtor, channel="SMS", purpose="PAYMENT_PLAN_CONFIRMATION", agreementId=agreement
    )
    assert error_codes(body) == ["NOT_FOUND"]
    body = await beta.draft(debtorId=other, channel="SMS", purpose="REMINDER")
    assert error_codes(body) == ["NOT_FOUND"]


async def test_promise_and_payment_received(api):
    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-10"))
    promise = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="PROMISE_CONFIRMATION"))
    assert "$500.00" in promise["text"] and "30 de noviembre de 2026" in promise["text"]
    paid = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="PAYMENT_RECEIVED"))
    assert "$100.00" in paid["text"]
    rec = debtor_record("MX-11", payments=0)
    rec["promises"] = []
    none = await t.debtor(rec)
    for purpose in ("PROMISE_CONFIRMATION", "PAYMENT_RECEIVED", "SETTLEMENT_OFFER"):
        body = await t.draft(debtorId=none, channel="EMAIL", purpose=purpose)
        assert error_codes(body) == ["BAD_INPUT"], purpose


async def test_destinations_and_profile_are_admin_only_and_validated(api):
    t = await Tenant(api).setup(profile=False, destinations=False)
    debtor = await t.debtor(debtor_record("MX-12"))
    body = await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER")
    assert error_codes(body) == ["BAD_INPUT"] and "setDraftingProfile" in body["errors"][0]["message"]
    bad = copy.deepcopy(DESTINATIONS)
    bad["destinations"][1]["url"] = "https://pagos.andina.example/mp?monto={amount}"
    body = await api.gql(SET_DEST, {"d": bad}, key=t.admin)
    assert error_codes(body) == ["BAD_INPUT"] and "{reference}" in body["errors"][0]["message"]
    bad = copy.deepcopy(DESTINATIONS)
    bad["destinations"][0]["account"] = CLABE[:-1] + "0"
    body = await api.gql(SET_DEST, {"d": bad}, key=t.admin)
    assert error_codes(body) == ["BAD_INPUT"] and "CLABE" in body["errors"][0]["message"]
    agent = api.key("acme", "AGENT", agent="a-1")
    assert error_codes(await api.gql(SET_DEST, {"d": DESTINATIONS}, key=agent)) == ["FORBIDDEN"]
    assert error_codes(await api.gql(SET_PROFILE, {"p": PROFILE}, key=agent)) == ["FORBIDDEN"]
    body = await api.gql(SET_PROFILE, {"p": {**PROFILE, "phone": "call me"}}, key=t.admin)
    assert error_codes(body) == ["BAD_INPUT"] and "phone" in body["errors"][0]["message"]
    secret = {**PROFILE, "stripe": {"secretKey": "sk_test_abcdefgh12345678"}}
    shown = (await api.ok(SET_PROFILE, {"p": secret}, key=t.admin))["setDraftingProfile"]
    assert "abcdefgh" not in str(shown) and shown["stripe"]["configured"] is True
    read = (await api.ok("{ draftingProfile }", key=agent))["draftingProfile"]
    assert "abcdefgh" not in str(read)
    # without destinations a draft still identifies everyone and says how to reach the agency
    out = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert out["paymentDestinations"] == [] and "+52 55 5123 4567" in out["text"]


@pytest.mark.parametrize(
    ("channel", "purpose"),
    [
        ("SMS", "FIRST_NOTICE"),
        ("EMAIL", "FIRST_NOTICE"),
        ("LETTER", "REMINDER"),
        ("WHATSAPP", "PAYMENT_RECEIVED"),
        ("CALL", "CALL_SCRIPT_OPENING"),
        ("VOICEMAIL", "VOICEMAIL"),
        ("EMAIL", "PROMISE_CONFIRMATION"),
    ],
)
async def test_every_country_and_register_drafts_compliantly(api, channel, purpose):
    t = await Tenant(api).setup()
    countries = {
        "MX": ("Cancún", "ROO", "77500", "+529981234567"),
        "ES": ("Madrid", "MD", "28009", "+34612345678"),
        "AR": ("Buenos Aires", "C", "C1043", "+5491155550101"),
        "CL": ("Santiago", "RM", "7500000", "+56961234567"),
        "PE": ("Lima", "LIM", "15046", "+51987654321"),
    }
    for country, (city, region, postal, phone) in countries.items():
        rec = debtor_record(f"{country}-{channel}", country=country)
        rec["addresses"][0].update(city=city, region=region, postalCode=postal)
        rec["phones"] = [{"number": phone, "kind": "MOBILE"}]
        debtor = await t.debtor(rec)
        for reg in ("USTED", "TU", "VOS"):
            out = _ok(await t.draft(debtorId=debtor, channel=channel, purpose=purpose, register=reg))
            assert out["compliance"]["compliant"] is True and out["jurisdiction"] == country
