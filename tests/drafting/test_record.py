"""The DRAFT event's output (drafting.record): the prepared output the resolver hands to the ledger equals
``audit.chain.prepare`` of the plain output, value and key order, for template drafts served again (memo
hits), at other instants (other contact warnings), with a different report or destinations for the same
text, with links and with an LLM text."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from asistente.audit.chain import prepare
from asistente.compliance import DebtorFacts, InteractionFact, RuleHit, load_packs
from asistente.drafting import record
from asistente.drafting.catalog import _samples, load_catalog
from asistente.drafting.compose import DraftRequest, draft_message
from asistente.drafting.links import CreatedLink
from asistente.drafting.llm import LLMDraft
from asistente.drafting.payments import parse_destinations
from asistente.drafting.service import Produced
from asistente.enums import (
    Channel,
    Direction,
    DraftPurpose,
    Generator,
    InteractionOutcome,
    RecipientRole,
    Register,
    ViolationCode,
)
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


@pytest.fixture(scope="module")
def packs():
    return load_packs(None)


@pytest.fixture(scope="module")
def catalog(packs):
    return load_catalog(packs)


def _draft(catalog, packs, country, channel, purpose, language, register, at, history=()):
    sample = copy.deepcopy(_samples()["debtors"][country])
    destinations = list(parse_destinations(sample["paymentDestinations"]).destinations)
    facts = DebtorFacts(jurisdiction=sample["jurisdiction"], addresses=tuple(sample["addresses"]))
    return draft_message(
        DraftRequest(channel, purpose, language, register),
        sample,
        facts=facts,
        interactions=list(history),
        destinations=destinations,
        catalog=catalog,
        packs=packs,
        now=at,
        allowed_urls=[sample["agency"]["website"]],
        allowed_numbers=[sample["agency"]["phone"], *(a["reference"] for a in sample["accounts"])],
    )


def _same(produced: Produced) -> dict:
    """prepared_output equals prepare(draft_output), as values and as stored JSON (key order included)."""
    plain = prepare(record.draft_output(produced))
    fast = record.prepared_output(produced)
    assert fast == plain
    assert orjson.dumps(fast) == orjson.dumps(plain)
    return fast


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    country=st.sampled_from(["MX", "CO", "CL", "PE", "ES", "AR", "US"]),
    combo=st.sampled_from(COMBOS),
    language=st.sampled_from(["es", "en"]),
    register=st.sampled_from(list(Register)),
    hours=st.lists(st.integers(0, 24 * 9), min_size=1, max_size=4),
    contacts=st.integers(0, 3),
)
def test_the_prepared_output_is_the_plain_one(
    catalog, packs, country, combo, language, register, hours, contacts
):
    channel, purpose = combo
    history = [
        InteractionFact(
            at=NOW - timedelta(hours=5 + 7 * n),
            channel=channel,
            direction=Direction.OUTBOUND,
            outcome=InteractionOutcome.DELIVERED,
            recipient_role=RecipientRole.DEBTOR,
        )
        for n in range(contacts)
    ]
    served = []
    for h in hours:  # the same draft at other instants: same text, other contact warnings
        try:
            d = _draft(
                catalog,
                packs,
                country,
                channel,
                purpose,
                language,
                register,
                NOW + timedelta(hours=h),
                history,
            )
        except DomainError:  # refused, or data the purpose needs is missing
            continue
        served.append(d)
        _same(Produced(d, Generator.TEMPLATE))
        _same(Produced(d, Generator.TEMPLATE))  # a hit now
    assume(served)


def test_same_text_with_another_report_or_destinations_is_prepared_again(catalog, packs):
    d = _draft(catalog, packs, "MX", Channel.EMAIL, DraftPurpose.REMINDER, "es", Register.USTED, NOW)
    first = _same(Produced(d, Generator.TEMPLATE))
    extra = RuleHit(rule_id="X-1", code=ViolationCode.MISSING_DISCLOSURE, message="m", legal_source=None)
    other_report = dataclasses.replace(d.compliance, warnings=[*d.compliance.warnings, extra])
    again = _same(Produced(dataclasses.replace(d, compliance=other_report), Generator.TEMPLATE))
    assert again["warnings"] != first["warnings"]
    other_dest = [dataclasses.replace(d.destinations[0], reference="OTRA-REF"), *d.destinations[1:]]
    moved = _same(Produced(dataclasses.replace(d, destinations=other_dest), Generator.TEMPLATE))
    assert moved["paymentDestinations"] != first["paymentDestinations"]
    sms = _draft(catalog, packs, "MX", Channel.SMS, DraftPurpose.REMINDER, "es", Register.USTED, NOW)
    _same(Produced(sms, Generator.TEMPLATE))
    longer = dataclasses.replace(sms.sms, segments=sms.sms.segments + 1)
    assert (
        _same(Produced(dataclasses.replace(sms, sms=longer), Generator.TEMPLATE))["segments"]
        == longer.segments
    )


def test_links_and_an_llm_text_are_recorded_as_given(catalog, packs):
    d = _draft(catalog, packs, "MX", Channel.EMAIL, DraftPurpose.REMINDER, "es", Register.USTED, NOW)
    link = CreatedLink(
        url="https://checkout.stripe.example/c/1", id="cs_1", expires_at=NOW + timedelta(hours=1)
    )
    _same(Produced(d, Generator.TEMPLATE, None, {"usd-stripe": link}))
    reworded = dataclasses.replace(
        d, text=d.text.replace("Le", "Te", 1) + " Bearer abcdefghijklmnopqrstuvwxyz"
    )
    attempt = LLMDraft(used=True, text=reworded.text, report=d.compliance, reason=None, result=None)
    size = len(record._OUTPUTS)
    out = _same(Produced(reworded, Generator.LLM, attempt))
    assert "[REDACTED]" in out["text"]  # scrubbed exactly as the ledger scrubs
    assert len(record._OUTPUTS) == size  # an LLM text is new every time: not kept


def test_each_event_gets_its_own_top_level(catalog, packs):
    """The nested values are shared between events and never changed (the ledger only reads them); the top
    level is each event's own."""
    d = _draft(catalog, packs, "PE", Channel.SMS, DraftPurpose.REMINDER, "es", Register.USTED, NOW)
    first = _same(Produced(d, Generator.TEMPLATE))
    kept = copy.deepcopy(first)
    first["text"] = "changed"
    first["contactWarnings"] = []
    assert _same(Produced(d, Generator.TEMPLATE)) == kept
