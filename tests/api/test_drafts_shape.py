"""draftMessage's result (api.drafting.schema._shape): the report's hits and the filled destinations made once
per (report, destinations) give the same DraftResult as building every part per request (the code before
the memo, kept here as the reference), for template drafts asked again (memo hits), other audit ids and
instants, links made for a draft, and an LLM draft's own report."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asistente import enums
from asistente.api.compliance.types import hit, report
from asistente.api.drafting import schema
from asistente.api.drafting.schema import (
    DestinationKind,
    DraftPaymentDestination,
    DraftResult,
    Generator,
    LlmAttempt,
    Register,
    WhatsappTemplate,
)
from asistente.compliance import DebtorFacts, load_packs
from asistente.drafting.catalog import _samples, load_catalog
from asistente.drafting.compose import DraftRequest, draft_message
from asistente.drafting.links import CreatedLink
from asistente.drafting.payments import parse_destinations
from asistente.drafting.service import Produced
from asistente.enums import Channel, DraftPurpose
from asistente.errors import DomainError

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
COMBOS = [
    (Channel.SMS, DraftPurpose.REMINDER),
    (Channel.EMAIL, DraftPurpose.REMINDER),
    (Channel.WHATSAPP, DraftPurpose.PROMISE_CONFIRMATION),
    (Channel.LETTER, DraftPurpose.FIRST_NOTICE),
    (Channel.CALL, DraftPurpose.CALL_SCRIPT_OPENING),
    (Channel.VOICEMAIL, DraftPurpose.VOICEMAIL),
    (Channel.EMAIL, DraftPurpose.PAYMENT_RECEIVED),
]


def reference(produced: Produced, audit_id: str, now: datetime) -> DraftResult:
    """``_shape`` as it was before its parts were remembered (every part built per request)."""
    d = produced.draft
    wa = d.whatsapp
    pdf = None
    if d.channel is enums.Channel.LETTER:
        pdf = (d.text, d.subject or d.template.id, now)
    links = produced.links
    return DraftResult(
        text=d.text,
        subject=d.subject,
        segments=d.sms.segments if d.sms else None,
        sms_encoding=d.sms.encoding if d.sms else None,
        compliance=report(d.compliance, audit_id),
        generator=Generator(produced.generator.value),
        audit_id=strawberry.ID(audit_id),
        template_id=d.template.id,
        template_version=f"{d.template.file}@{d.template.version}",
        language=d.language,
        register=Register(d.register.value),
        locale=d.locale,
        first_contact=d.first_contact,
        jurisdiction=d.jurisdiction,
        whatsapp_template=WhatsappTemplate(name=wa["name"], category=wa["category"], language=d.language)
        if wa
        else None,
        payment_destinations=[
            DraftPaymentDestination(
                id=f.destination.id,
                kind=DestinationKind(f.destination.kind),
                currency=f.destination.currency,
                reference=f.reference,
                bank=f.destination.bank,
                holder=f.destination.holder,
                scheme=f.destination.scheme,
                account=f.destination.account,
                provider=f.destination.provider,
                url=f.url,
                single_use=bool(links.get(f.destination.id) and links[f.destination.id].url == f.url),
            )
            for f in d.destinations
        ]
        if d.channel not in (enums.Channel.VOICEMAIL, enums.Channel.CALL, enums.Channel.VISIT)
        else [],
        contact_warnings=[hit(h) for h in d.contact_warnings],
        next_allowed_at=d.contact.next_allowed_at,
        llm=LlmAttempt(
            used=produced.llm.used,
            model=produced.llm.result.model if produced.llm.result else None,
            outcome=produced.llm.result.outcome.value if produced.llm.result else None,
            fallback_reason=produced.llm.reason,
        )
        if produced.llm
        else None,
        _pdf=pdf,
    )


def same(a: DraftResult, b: DraftResult) -> None:
    assert a == b
    assert a._pdf == b._pdf
    assert a.compliance.audit_id == b.compliance.audit_id


@pytest.fixture(scope="module")
def packs():
    return load_packs(None)


@pytest.fixture(scope="module")
def catalog(packs):
    return load_catalog(packs)


def _draft(catalog, packs, country, channel, purpose, language, at):
    sample = copy.deepcopy(_samples()["debtors"][country])
    destinations = list(parse_destinations(sample["paymentDestinations"]).destinations)
    facts = DebtorFacts(jurisdiction=sample["jurisdiction"], addresses=tuple(sample["addresses"]))
    return draft_message(
        DraftRequest(channel, purpose, language, enums.Register.USTED),
        sample,
        facts=facts,
        interactions=[],
        destinations=destinations,
        catalog=catalog,
        packs=packs,
        now=at,
        allowed_urls=[sample["agency"]["website"]],
        allowed_numbers=[sample["agency"]["phone"], *(a["reference"] for a in sample["accounts"])],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    country=st.sampled_from(sorted(_samples()["debtors"])),
    combo=st.sampled_from(COMBOS),
    language=st.sampled_from(["es", "en"]),
    hours=st.integers(min_value=0, max_value=24 * 9),
    ids=st.lists(st.uuids().map(str), min_size=2, max_size=3),
)
def test_the_shaped_result_is_the_plain_one(catalog, packs, country, combo, language, hours, ids):
    at = NOW + timedelta(hours=hours)
    try:
        draft = _draft(catalog, packs, country, *combo, language, at)
    except DomainError:
        return  # refused or missing data: nothing to shape
    produced = Produced(draft, enums.Generator.TEMPLATE)
    for audit_id in ids:  # the first may fill the memo, the others hit it
        same(schema._shape(produced, audit_id, at), reference(produced, audit_id, at))
    again = Produced(_draft(catalog, packs, country, *combo, language, at), enums.Generator.TEMPLATE)
    same(schema._shape(again, ids[0], at), reference(again, ids[0], at))


def test_another_report_or_destinations_are_shaped_again(catalog, packs):
    draft = _draft(catalog, packs, "MX", Channel.EMAIL, DraftPurpose.REMINDER, "es", NOW)
    produced = Produced(draft, enums.Generator.TEMPLATE)
    same(schema._shape(produced, "a", NOW), reference(produced, "a", NOW))
    changed = dataclasses.replace(
        draft, compliance=dataclasses.replace(draft.compliance, warnings=[], pack_version="other")
    )
    moved = Produced(changed, enums.Generator.TEMPLATE)
    same(schema._shape(moved, "b", NOW), reference(moved, "b", NOW))
    fewer = Produced(
        dataclasses.replace(draft, destinations=draft.destinations[:1]), enums.Generator.TEMPLATE
    )
    same(schema._shape(fewer, "c", NOW), reference(fewer, "c", NOW))
    assert len(schema._shape(fewer, "c", NOW).payment_destinations) == min(1, len(draft.destinations))


def test_links_and_an_llm_report_are_shaped_per_request(catalog, packs):
    draft = _draft(catalog, packs, "US", Channel.EMAIL, DraftPurpose.REMINDER, "en", NOW)
    plain = Produced(draft, enums.Generator.TEMPLATE)
    schema._shape(plain, "x", NOW)  # remembered without links
    assert draft.destinations, "the US sample has destinations"
    f = draft.destinations[0]
    linked = Produced(
        draft,
        enums.Generator.TEMPLATE,
        links={f.destination.id: CreatedLink(url=f.url, id="cs_1", expires_at=None)},
    )
    shaped = schema._shape(linked, "y", NOW)
    same(shaped, reference(linked, "y", NOW))
    assert shaped.payment_destinations[0].single_use is bool(f.url)
    llm = Produced(
        dataclasses.replace(draft, compliance=copy.deepcopy(draft.compliance)), enums.Generator.LLM
    )
    size = len(schema._SHAPED)
    same(schema._shape(llm, "z", NOW), reference(llm, "z", NOW))
    assert len(schema._SHAPED) == size  # an LLM draft's report is not kept
