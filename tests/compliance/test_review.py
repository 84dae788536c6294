"""The second reader (compliance.review) against a real local OpenAI-compatible server (tests/llm_fake.py).

The server is scripted: these tests measure the plumbing (when the reader is asked, what it is sent, how
its finding is mapped by the packs, what happens when it is slow, failing or confused), not a model."""

from __future__ import annotations

import json
import time

import pytest

from asistente.compliance import load_packs
from asistente.compliance.packs import PackRegistry
from asistente.compliance.review import (
    CODE_DEFINITIONS,
    SecondReaderConfig,
    build_messages,
    parse_finding,
    review_text,
)
from asistente.compliance.textmodel import CODE_SIGNAL
from asistente.llm import KnownValues, LLMClient, LLMConfig, LLMOutcome
from tests.llm_fake import FakeLLM, Reply

REMINDER = "Hola, le escribo para recordarle su pago pendiente de 500 pesos con vencimiento el viernes."
ALWAYS = SecondReaderConfig(budget_s=5, margin=1.0)  # every locally compliant text is read again


@pytest.fixture(scope="module")
def reg() -> PackRegistry:
    return load_packs()


@pytest.fixture
async def reader(llm_fake: FakeLLM):
    client = LLMClient(LLMConfig(base_url=llm_fake.base_url, model="fake-reader"))
    yield client
    await client.aclose()


def codes(report) -> set[str]:
    return {v.code.value for v in report.violations}


def test_the_prompt_lists_exactly_the_codes_the_packs_can_map() -> None:
    assert set(CODE_DEFINITIONS) == set(CODE_SIGNAL)
    system = build_messages(
        "x", jurisdiction="MX", channel="SMS", recipient_role="DEBTOR", context="MESSAGE"
    )[0]
    for code in CODE_SIGNAL:
        assert code in system["content"]


def test_parse_finding() -> None:
    assert parse_finding('{"codes": ["harassment", "HARASSMENT", "NOPE"]}') == (["HARASSMENT"], ["NOPE"], {})
    assert parse_finding('```json\n{"codes": [], "quotes": {}}\n```') == ([], [], {})
    assert parse_finding('{"codes": ["INSULT"], "quotes": {"insult": "x"}}')[2] == {"INSULT": "x"}
    for bad in ('{"code": []}', "[]", '{"codes": "HARASSMENT"}', '{"codes": [1]}', "nope"):
        with pytest.raises(ValueError):
            parse_finding(bad)


async def test_not_configured_is_the_local_verdict(reg: PackRegistry) -> None:
    out = await review_text(REMINDER, channel="SMS", jurisdiction="MX", packs=reg)
    assert out.report.compliant and not out.second.asked and out.second.reason == "NOT_CONFIGURED"


async def test_finding_is_added_as_the_jurisdictions_violation(reg, reader, llm_fake: FakeLLM) -> None:
    llm_fake.push(
        Reply.json({"codes": ["THREAT_OF_ARREST"], "quotes": {"THREAT_OF_ARREST": "pago pendiente"}})
    )
    out = await review_text(
        REMINDER, channel="SMS", jurisdiction="MX", packs=reg, reader=reader, config=ALWAYS
    )
    assert out.local.compliant and not out.report.compliant
    [hit] = out.report.violations
    assert (hit.rule_id, hit.code.value) == ("MX-04.1", "THREAT_OF_ARREST")
    assert REMINDER[hit.span.start : hit.span.end] == "pago pendiente"
    assert "second reader" in hit.message and "segundo lector" in hit.message
    ledger = out.second.ledger()
    assert ledger["asked"] and ledger["reason"] == "LOW_MARGIN" and ledger["outcome"] == "OK"
    assert ledger["model"] == "fake-reader" and ledger["promptHash"].startswith("sha256:")
    assert ledger["codes"] == ["THREAT_OF_ARREST"] and ledger["added"] == ["MX-04.1"]
    assert json.loads(ledger["raw"])["codes"] == ["THREAT_OF_ARREST"]
    sent = llm_fake.requests[0]
    assert sent["model"] == "fake-reader" and sent["response_format"] == {"type": "json_object"}
    assert REMINDER in sent["messages"][1]["content"]  # nothing personal in it: sent as is


async def test_only_codes_the_jurisdiction_forbids_become_violations(reg, reader, llm_fake: FakeLLM) -> None:
    text = (
        "Hola, le escribo de Cobranzas Andinas para recordarle el saldo pendiente de su tarjeta de crédito."
    )
    answer = Reply.json({"codes": ["ASKING_REASON"]})
    llm_fake.push(answer, answer)
    colombia = await review_text(
        text, channel="SMS", jurisdiction="CO", packs=reg, reader=reader, config=ALWAYS
    )
    mexico = await review_text(
        text, channel="SMS", jurisdiction="MX", packs=reg, reader=reader, config=ALWAYS
    )
    assert codes(colombia.report) == {"ASKING_REASON"} and colombia.second.added == ("CO-07",)
    assert mexico.report.compliant and mexico.second.codes == ("ASKING_REASON",) and mexico.second.added == ()


async def test_time_barred_mapping_follows_the_pack(reg, reader, llm_fake: FakeLLM) -> None:
    answer = Reply.json({"codes": ["TIME_BARRED_THREAT"]})
    llm_fake.push(answer, answer)
    kw = dict(channel="SMS", jurisdiction="US", packs=reg, reader=reader, config=ALWAYS)
    text = "This is Acme Collections, a debt collector. Reply STOP to opt out. Please call us about your account."
    fresh = await review_text(text, **kw)
    barred = await review_text(text, time_barred=True, **kw)
    assert fresh.local.compliant, fresh.local.violations
    assert fresh.report.compliant and "TIME_BARRED_THREAT" in codes(barred.report)


async def test_timeout_keeps_the_local_verdict_within_the_budget(reg, reader, llm_fake: FakeLLM) -> None:
    llm_fake.push(Reply.json({"codes": ["THREAT_OF_ARREST"]}, delay=3.0))
    started = time.perf_counter()
    out = await review_text(
        REMINDER,
        channel="SMS",
        jurisdiction="MX",
        packs=reg,
        reader=reader,
        config=SecondReaderConfig(budget_s=0.3, margin=1.0),
    )
    assert time.perf_counter() - started < 1.5
    assert out.report.compliant and out.second.asked and out.second.llm.outcome is LLMOutcome.TIMEOUT
    assert out.second.ledger()["outcome"] == "TIMEOUT" and out.second.added == ()


@pytest.mark.parametrize(
    "reply",
    [Reply.garbage(), Reply.empty(), Reply.huge(), Reply.text("Yes, that is a threat."), Reply.error(500)],
    ids=["garbage-json", "empty", "100KB", "prose", "http-500"],
)
async def test_unusable_answers_keep_the_local_verdict(reg, reader, llm_fake: FakeLLM, reply: Reply) -> None:
    llm_fake.push(reply)
    out = await review_text(
        REMINDER, channel="SMS", jurisdiction="MX", packs=reg, reader=reader, config=ALWAYS
    )
    assert out.report is out.local and out.report.compliant
    assert out.second.asked and out.second.llm.outcome in (LLMOutcome.GARBAGE, LLMOutcome.ERROR)


async def test_no_personal_data_reaches_the_reader(reg, reader, llm_fake: FakeLLM) -> None:
    text = (
        "Sra. María José Pérez Gómez, CURP PEGM800101MDFRRR09: su cuenta CR-99812 tiene saldo. "
        "Llámenos al 55 1234 5678 o escriba a maria.perez@correo.mx; domicilio Av. Tulum 12, Cancún."
    )
    known = KnownValues.of_record(
        names=["María José Pérez Gómez"],
        addresses=[{"line1": "Av. Tulum 12", "city": "Cancún"}],
        phones=[{"number": "+525512345678"}],
        emails=[{"address": "maria.perez@correo.mx"}],
        accounts=["CR-99812"],
    )
    llm_fake.push(Reply.json({"codes": ["PUBLIC_SHAMING"], "quotes": {"PUBLIC_SHAMING": "[NAME_1], CURP"}}))
    out = await review_text(
        text, channel="SMS", jurisdiction="MX", packs=reg, reader=reader, config=ALWAYS, known=known
    )
    sent = llm_fake.sent_text()
    for secret in ("María", "Pérez", "PEGM800101MDFRRR09", "CR-99812", "1234 5678", "maria.perez", "Tulum"):
        assert secret not in sent, secret
    assert "[NAME_1]" in sent and "[CURP_1]" in sent
    assert out.second.redacted >= 6
    # the reader's quote, written with placeholders, is located in the original text
    [hit] = [v for v in out.report.violations if v.code.value == "PUBLIC_SHAMING"]
    assert text[hit.span.start : hit.span.end] == "María José Pérez Gómez, CURP"


async def test_a_local_violation_is_not_read_again(reg, reader, llm_fake: FakeLLM) -> None:
    text = "Si no paga hoy, mañana lo van a meter a la cárcel."
    out = await review_text(text, channel="SMS", jurisdiction="MX", packs=reg, reader=reader, config=ALWAYS)
    assert not out.report.compliant and out.second.reason == "LOCAL_VIOLATION" and not out.second.asked
    assert llm_fake.requests == []


async def test_margin_decides_who_is_read_again(reg, reader, llm_fake: FakeLLM) -> None:
    never = SecondReaderConfig(budget_s=5, margin=0.0, short_texts=False)
    out = await review_text(
        REMINDER, channel="SMS", jurisdiction="MX", packs=reg, reader=reader, config=never
    )
    assert not out.second.asked and out.second.reason == "HIGH_MARGIN" and out.second.margin is not None
    # a short line (out of the text model's range) is read again when short_texts is on
    llm_fake.push(Reply.json({"codes": []}))
    line = "¿Cuándo puede pagar?"
    short = SecondReaderConfig(budget_s=5, margin=0.0, short_texts=True)
    out = await review_text(
        line, channel="CALL", jurisdiction="MX", packs=reg, reader=reader, config=short, context="CALL_TURN"
    )
    assert out.second.asked and out.second.reason == "SHORT_TEXT" and out.report.compliant
    assert "one line inside a call" in llm_fake.requests[0]["messages"][1]["content"]
    assert len(llm_fake.requests) == 1


async def test_check_required_is_passed_to_the_local_check(reg, reader, llm_fake: FakeLLM) -> None:
    text = "Le recordamos que su saldo de 2,300 pesos sigue pendiente; podemos ofrecerle un plan de pagos."
    kw = dict(channel="SMS", jurisdiction="MX", packs=reg, is_first_contact=True)
    whole = await review_text(text, **kw)
    assert "MISSING_IDENTIFICATION" in codes(whole.report)
    llm_fake.push(Reply.json({"codes": []}))
    part = await review_text(text, check_required=False, reader=reader, config=ALWAYS, **kw)
    assert part.report.compliant and part.second.asked and part.second.llm.ok
