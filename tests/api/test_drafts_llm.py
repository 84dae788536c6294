"""LLM drafting against a real local OpenAI-compatible server: no personal data reaches it, and nothing it
writes is served unless it passes the same checks as a template draft (else the template draft is)."""

from __future__ import annotations

import json

import pytest

from asistente.settings import Settings
from tests.api.data import debtor_record
from tests.api.test_drafts_api import Tenant, _ok
from tests.llm_fake import FakeLLM, Reply

EVENTS = "{ auditEvents(first: 5, filter: {kind: DRAFT}) { edges { node { id output versions } } } }"


@pytest.fixture
def settings(llm_fake: FakeLLM) -> Settings:
    return Settings(
        demo=False,
        introspection=True,
        auth_cache_seconds=0,
        openai_base_url=llm_fake.base_url,
        openai_api_key="test-key",
        llm_model="fake-drafter",
        llm_draft_budget_seconds=3.0,
    )


def _draft_sent(body: dict) -> str:
    return json.loads(body["messages"][-1]["content"])["draft"]


def rewrite(fn):
    return lambda body: Reply.text(fn(_draft_sent(body)))


PERSONAL = (
    "Ana",
    "Pérez",
    "López",
    "9981234567",
    "MX-1-A0",
    "MX-1-A1",
    "Av. Tulum",
    "77500",
    "Laura",
    "Gómez",
)


async def _setup(api, ext: str = "MX-1", rec: dict | None = None) -> tuple[Tenant, str]:
    t = await Tenant(api).setup()
    return t, await t.debtor(rec or debtor_record(ext))


async def _ledger(api, t: Tenant, audit_id: str) -> dict:
    events = (await api.ok(EVENTS, key=t.compliance))["auditEvents"]["edges"]
    return next(e["node"] for e in events if e["node"]["id"] == audit_id)


async def test_a_compliant_rewrite_is_served_with_personal_data_restored_and_none_sent(api, llm_fake):
    t, debtor = await _setup(api)
    llm_fake.respond_with(rewrite(lambda d: d.replace("Le recordamos que", "Con gusto le recordamos que")))
    for channel, purpose in (
        ("SMS", "REMINDER"),
        ("LETTER", "FIRST_NOTICE"),
        ("EMAIL", "PROMISE_CONFIRMATION"),
    ):
        out = _ok(await t.draft(debtorId=debtor, channel=channel, purpose=purpose))
        assert out["generator"] == "LLM", out["llm"]
        assert out["compliance"]["compliant"] is True and out["llm"]["used"] is True
        assert "Laura Gómez" in out["text"] and "MX-1-A0" in out["text"]  # restored after the request
    sms = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert "Con gusto le recordamos que" in sms["text"]
    sent = llm_fake.sent_text()
    assert len(llm_fake.requests) == 4
    for value in PERSONAL:
        assert value not in sent, value
    assert "[NAME_" in sent  # placeholders went instead
    event = await _ledger(api, t, out["auditId"])
    llm = event["output"]["llm"]
    assert llm["used"] is True and llm["model"] == "fake-drafter" and llm["promptHash"].startswith("sha256:")
    assert llm["raw"] and "Laura" not in llm["raw"]  # the raw output as received (placeholders)
    assert event["output"]["generator"] == "LLM"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (lambda d: d + " Si no paga hoy, mañana embargamos su casa y le avisamos a su jefe.", "compliance"),
        (
            lambda d: d.replace("Responda BAJA para no recibir más mensajes por este medio.", ""),
            "dropped required content",
        ),
        (Reply.garbage(), "GARBAGE"),
        (Reply.huge(100_000), "GARBAGE"),
        (Reply.empty(), "GARBAGE"),
        (Reply.text(""), "GARBAGE"),  # a well-formed completion that says nothing
        (lambda d: (d + "\n") * (100_000 // len(d) + 1), "GARBAGE"),  # 100 KB of the draft's own words
        (lambda d: (d + "\n") * 5, "too long"),  # within the client's cap, over the draft's
        (Reply.error(500), "ERROR"),
        (Reply.delayed(6.0, "tarde"), "TIMEOUT"),
        (Reply.text("Hola [NAME_9], pague ya."), "placeholders"),
        (Reply.text("Hola, pague pronto."), "dropped required content"),
        (lambda d: d + "\x00", "control characters"),  # found trying the demo: served with the NUL
        (lambda d: d.replace(" ", " \x1b[2J", 1), "control characters"),
    ],
)
async def test_bad_answers_fall_back_to_the_template_draft(api, llm_fake, reply, reason):
    t, debtor = await _setup(api)
    template = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER", useLlm=False))
    assert template["generator"] == "TEMPLATE" and template["llm"] is None
    if callable(reply):
        llm_fake.respond_with(rewrite(reply))
    else:
        llm_fake.push(reply)
    out = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert out["generator"] == "TEMPLATE" and out["text"] == template["text"]
    assert out["compliance"]["compliant"] is True
    assert out["llm"]["used"] is False and reason in out["llm"]["fallbackReason"]
    event = await _ledger(api, t, out["auditId"])
    assert event["output"]["llm"]["fallbackReason"] == out["llm"]["fallbackReason"]
    assert event["output"]["llm"]["model"] == "fake-drafter" and event["output"]["llm"]["promptHash"]


async def test_an_unregistered_payment_destination_from_the_llm_is_never_served(api, llm_fake):
    t, debtor = await _setup(api)
    llm_fake.respond_with(rewrite(lambda d: d + " También puede depositar a la CLABE 012180015523419876."))
    out = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert out["generator"] == "TEMPLATE" and "012180015523419876" not in out["text"]
    assert "PAYMENT_DESTINATION" in out["llm"]["fallbackReason"]
    llm_fake.respond_with(rewrite(lambda d: d + " O más fácil: https://mpago.la/abc123"))
    out = _ok(await t.draft(debtorId=debtor, channel="SMS", purpose="REMINDER"))
    assert out["generator"] == "TEMPLATE" and "mpago.la" not in out["text"]


async def test_spain_llm_drafts_say_an_ai_wrote_them(api, llm_fake):
    rec = debtor_record("ES-1", country="ES")
    rec["addresses"][0].update(city="Madrid", region="MD", postalCode="28009")
    rec["phones"] = [{"number": "+34612345678", "kind": "MOBILE"}]
    t, debtor = await _setup(api, rec=rec)
    template = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER", useLlm=False))
    assert "inteligencia artificial" not in template["text"]
    llm_fake.respond_with(rewrite(lambda d: d))
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    assert out["generator"] == "LLM"
    assert "sistema de inteligencia artificial" in out["text"]
    # the country line of the address ("ES") is not personal data: the verb "es" reached the model as is
    sent = llm_fake.sent_text()
    assert " es de " in sent, sent
    mx = await t.debtor(debtor_record("MX-2"))
    other = _ok(await t.draft(debtorId=mx, channel="EMAIL", purpose="REMINDER"))
    assert (
        other["generator"] == "LLM" and "inteligencia artificial" not in other["text"]
    )  # not required there


async def test_the_us_validation_notice_is_never_reworded(api, llm_fake):
    """A model form's wording carries legal weight (12 CFR 1006.34(d)(2) safe harbor): no LLM request."""
    from tests.api.test_validation_notice_api import notice_record, us_tenant

    t = await us_tenant(api)
    debtor = await t.debtor(notice_record("US-LLM"))
    llm_fake.respond_with(rewrite(lambda d: d.replace("debt collector", "friendly collector")))
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="FIRST_NOTICE"))
    assert out["generator"] == "TEMPLATE" and out["llm"] is None
    assert "Delta Recoveries LLC is a debt collector." in out["text"]
    assert llm_fake.requests == []
    # other drafts are still offered to the LLM (and this rewrite, which drops the disclosure, is refused)
    reminder = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    assert len(llm_fake.requests) == 1 and reminder["llm"]["used"] is False
    assert reminder["generator"] == "TEMPLATE" and "from a debt collector" in reminder["text"]
