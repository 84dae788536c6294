"""The rendered-draft memo (compose._rendered): a hit is exactly what rendering gives, any change in the
inputs renders again, a notice whose facts fail is never kept, and a new catalog starts empty."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from asistente.compliance import DebtorFacts, load_packs
from asistente.drafting import compose
from asistente.drafting.catalog import _samples, load_catalog
from asistente.drafting.compose import DraftRequest, draft_message
from asistente.drafting.payments import parse_destinations
from asistente.drafting.sms import sms_length
from asistente.enums import Channel, DraftPurpose, Register
from asistente.errors import BadInput

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def packs():
    return load_packs(None)


@pytest.fixture(scope="module")
def catalog(packs):
    return load_catalog(packs)


def _draft(catalog, packs, sample, request):
    destinations = list(parse_destinations(sample["paymentDestinations"]).destinations)
    facts = DebtorFacts(jurisdiction=sample["jurisdiction"], addresses=tuple(sample["addresses"]))
    return draft_message(
        request,
        sample,
        facts=facts,
        interactions=[],
        destinations=destinations,
        catalog=catalog,
        packs=packs,
        now=NOW,
        allowed_urls=[sample["agency"]["website"]],
        allowed_numbers=[sample["agency"]["phone"], *(a["reference"] for a in sample["accounts"])],
    )


def _fresh(catalog, packs, sample, request):
    """The same draft rendered with the memo emptied first (what the code does without it)."""
    catalog.memo.clear()
    return _draft(catalog, packs, sample, request)


def _same(a, b) -> None:
    assert (a.text, a.subject, a.body, a.locale, a.required_sentences) == (
        b.text,
        b.subject,
        b.body,
        b.locale,
        b.required_sentences,
    )
    assert a.values == b.values and a.destinations == b.destinations and a.compliance == b.compliance


@pytest.mark.parametrize(
    ("country", "channel", "purpose", "language", "register"),
    [
        ("MX", Channel.SMS, DraftPurpose.REMINDER, "es", Register.TU),
        ("ES", Channel.EMAIL, DraftPurpose.PAYMENT_RECEIVED, "es", Register.USTED),
        ("AR", Channel.WHATSAPP, DraftPurpose.PROMISE_CONFIRMATION, "es", Register.VOS),
        ("US", Channel.LETTER, DraftPurpose.FIRST_NOTICE, "en", Register.USTED),
        ("US", Channel.EMAIL, DraftPurpose.FIRST_NOTICE, "es", Register.USTED),
    ],
)
def test_a_remembered_draft_is_exactly_the_rendered_one(
    catalog, packs, country, channel, purpose, language, register
):
    sample = copy.deepcopy(_samples()["debtors"][country])
    request = DraftRequest(channel, purpose, language, register)
    first = _fresh(catalog, packs, sample, request)
    assert len(catalog.memo) == 1
    again = _draft(catalog, packs, sample, request)
    _same(first, again)
    assert len(catalog.memo) == 1  # a hit
    again.values["amount"] = "changed by a caller"  # a draft's own values: the memo is not touched
    _same(first, _draft(catalog, packs, sample, request))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["accounts"][0].update(balance="12000.51"),
        lambda d: d.update(today="2026-11-21"),
        lambda d: d.update(agentName="Marta Ruiz"),
        lambda d: d["agency"].update(phone="+52 55 5123 4568"),
        lambda d: d["promise"].update(dueDate="2026-12-02"),
        lambda d: d.update(links={"mx-mp": "https://pagos.financiera-andina.example/mp?ref=MX-4411&s=abc"}),
    ],
)
def test_any_change_in_the_inputs_renders_again(catalog, packs, change):
    sample = copy.deepcopy(_samples()["debtors"]["MX"])
    request = DraftRequest(Channel.EMAIL, DraftPurpose.PROMISE_CONFIRMATION, "es", Register.USTED)
    before = _draft(catalog, packs, sample, request)
    change(sample)
    after = _draft(catalog, packs, sample, request)
    assert after.values != before.values  # not the remembered entry (the date may not be in this text)
    _same(after, _fresh(catalog, packs, sample, request))


def test_other_register_language_or_channel_is_another_entry(catalog, packs):
    sample = copy.deepcopy(_samples()["debtors"]["PE"])
    catalog.memo.clear()
    texts = {
        _draft(catalog, packs, sample, DraftRequest(channel, DraftPurpose.REMINDER, language, register)).text
        for channel in (Channel.SMS, Channel.EMAIL)
        for language, register in (("es", Register.USTED), ("es", Register.TU), ("en", Register.USTED))
    }
    assert len(texts) == 6 and len(catalog.memo) == 6


def test_a_notice_whose_facts_fail_is_never_remembered(catalog, packs):
    sample = copy.deepcopy(_samples()["debtors"]["US"])
    ref = sample["accounts"][0]["reference"]
    sample["itemization"][ref]["interest"] = "999.99"
    request = DraftRequest(Channel.EMAIL, DraftPurpose.FIRST_NOTICE, "en", Register.USTED)
    catalog.memo.clear()
    for _ in range(2):
        with pytest.raises(BadInput) as exc:
            _draft(catalog, packs, sample, request)
        assert exc.value.errors[0].field == f"attributes.itemization.{ref}"
    assert len(catalog.memo) == 0


def test_data_that_is_not_plain_json_is_rendered_every_time(catalog, packs):
    from decimal import Decimal

    sample = copy.deepcopy(_samples()["debtors"]["PE"])
    sample["payAmount"] = Decimal("100.00")
    catalog.memo.clear()
    request = DraftRequest(Channel.SMS, DraftPurpose.REMINDER, "es", Register.USTED)
    assert _draft(catalog, packs, sample, request).text
    assert len(catalog.memo) == 0


def test_the_memo_is_bounded_and_a_new_catalog_starts_empty(catalog, packs, monkeypatch):
    monkeypatch.setattr(compose, "RENDER_MEMO_SIZE", 3)
    sample = copy.deepcopy(_samples()["debtors"]["CL"])
    request = DraftRequest(Channel.SMS, DraftPurpose.REMINDER, "es", Register.USTED)
    catalog.memo.clear()
    for n in range(5):
        sample["agentName"] = f"Agente {n}"
        _draft(catalog, packs, sample, request)
    assert len(catalog.memo) == 3
    assert len(load_catalog(packs).memo) == 0


def test_sms_length_is_remembered_per_text():
    assert sms_length("Hola") is sms_length("Hola")
    assert sms_length("Hola").segments == 1 and sms_length("¿Qué tal? " * 20).encoding == "GSM-7"
