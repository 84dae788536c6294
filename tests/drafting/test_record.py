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


# ------------------------------------------------------------------ prepared_value (a draft's input, versions)

_TEXT = st.one_of(
    st.sampled_from(["SMS", "es", "MX", "ask_live_abcdefghijklmnop", "Bearer eyJabc.def.ghi", "", "1"]),
    st.text(max_size=12),
)
_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([1.0, 0.0, -0.0, 2.5, float("nan"), float("inf")]),
    _TEXT,
    st.sampled_from([Channel.SMS, RecipientRole.DEBTOR, Register.USTED, NOW]),  # not plain JSON
)
_KEYS = st.one_of(
    st.sampled_from(["channel", "facts", "token", "apiKey", "authorization", "amount", "promise"]),
    st.text(max_size=6),
)
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_KEYS, inner, max_size=4),
    ),
    max_leaves=12,
)


def _stored(value):
    """What the ledger writes of a prepared value (its JSON), NaN and infinities included."""
    return orjson.dumps(value, option=orjson.OPT_PASSTHROUGH_DATETIME, default=str)


@settings(max_examples=400, deadline=None)
@given(st.lists(_VALUE, min_size=1, max_size=6))
def test_a_prepared_value_is_the_plain_prepare(values):
    """Every value, asked once or again (memo hits), and after values that serialize alike (1 / true / 1.0,
    an Enum / its value, a tuple / a list) were remembered: equal to prepare(value), key order included."""
    record._VALUES.clear()
    for value in [*values, *values, *reversed(values)]:
        plain = prepare(value)
        got = record.prepared_value(value)
        assert _stored(got) == _stored(plain)
        assert type(got) is type(plain)
        if isinstance(plain, dict):
            assert list(got) == list(plain)


def test_values_that_serialize_alike_are_not_confused():
    """Each pair writes the same JSON bytes, or compares equal: neither gets the other's prepared value."""
    record._VALUES.clear()
    for first, second in [
        ({"c": Channel.SMS}, {"c": "SMS"}),
        ({"c": "SMS"}, {"c": Channel.SMS}),
        ([1], [True]),
        ([True], [1]),
        ([1], [1.0]),
        ((1, 2), [1, 2]),
        ({"x": float("nan")}, {"x": None}),
        ({"x": None}, {"x": float("nan")}),
    ]:
        record.prepared_value(first)
        got = record.prepared_value(second)
        assert _stored(got) == _stored(prepare(second))
        assert type(got) is type(prepare(second))
        assert [type(v) for v in (got.values() if isinstance(got, dict) else got)] == [
            type(v) for v in (prepare(second).values() if isinstance(second, dict) else prepare(second))
        ]


def test_a_value_changed_after_it_was_prepared_is_prepared_again():
    record._VALUES.clear()
    value = {"facts": {"amount": "1", "note": "plain"}}
    assert record.prepared_value(value) == prepare(value)
    value["facts"]["note"] = "ask_live_0123456789abcdef"  # what the caller may do with its own dict later
    assert prepare(value)["facts"]["note"] != value["facts"]["note"]  # the ledger redacts it
    assert record.prepared_value(value) == prepare(value)


def test_secrets_are_scrubbed_on_a_hit_too():
    record._VALUES.clear()
    value = {"token": "abc", "note": "ask_live_0123456789abcdef", "keep": "x"}
    first = record.prepared_value(value)
    second = record.prepared_value(dict(value))
    assert first == second == prepare(value)
    assert "token" not in second and "ask_live_0123456789abcdef" not in orjson.dumps(second).decode()


def test_the_memo_keeps_its_own_copy():
    """The caller's value changed after it was remembered (NaN, stored as "NaN", written by orjson as null,
    becomes None) must not make the entry answer for None."""
    record._VALUES.clear()
    value = [float("nan")]
    assert record.prepared_value(value) == ["NaN"]
    value[0] = None
    assert record.prepared_value([None]) == [None]
