"""The optional LLM step against a real local OpenAI-compatible server (tests/llm_fake.py): used only when
the classifier is unsure and the answer is a category in time; personal data never reaches it."""

from __future__ import annotations

import pytest

from asistente.enums import ObjectionCategory as C
from asistente.llm import KnownValues, LLMClient, LLMConfig, LLMOutcome
from asistente.objections.classifier import default_classifier
from asistente.objections.llm_step import classify_with_llm, parse_category
from tests.llm_fake import FakeLLM, Reply

UNSURE = 1.01  # ask whatever the classifier's confidence (the mechanism, not the threshold, is tested)
TURN = "soy Ana Pérez, mi cel es 55 1234 5678, ya pagué en el oxxo, escríbame a ana.perez@example.com"


@pytest.fixture
async def client(llm_fake: FakeLLM):
    c = LLMClient(LLMConfig(base_url=llm_fake.base_url, model="fake-model"))
    yield c
    await c.aclose()


async def test_llm_answer_is_used_when_unsure_and_personal_data_never_leaves(client, llm_fake):
    llm_fake.push(Reply.json({"category": "SEND_IN_WRITING"}))
    known = KnownValues.of(names=["Ana Pérez"], phones=["+525512345678"], emails=["ana.perez@example.com"])
    local = default_classifier().classify(TURN)
    result, call = await classify_with_llm(
        default_classifier(), TURN, None, client, known=known, below=UNSURE, budget_s=20.0
    )  # a generous budget: this test is about using the answer, on a loaded machine
    assert call is not None and call.outcome is LLMOutcome.OK
    assert result.category == C.SEND_IN_WRITING
    assert result.version == f"{local.version}+llm:fake-model"
    expected = default_classifier().distribution(TURN)[C.SEND_IN_WRITING]
    assert result.confidence == pytest.approx(expected, abs=1e-4)
    assert C.SEND_IN_WRITING not in {c for c, _ in result.alternatives}
    sent = llm_fake.sent_text()
    for secret in ("Ana", "Pérez", "1234", "5678", "ana.perez", "example.com"):
        assert secret not in sent
    assert "oxxo" in sent and "ALREADY_PAID" in sent  # the turn (redacted) and the definitions went


async def test_a_confident_turn_never_asks(client, llm_fake):
    result, call = await classify_with_llm(
        default_classifier(), "ya pagué todo en el banco ayer", None, client
    )
    assert call is None and llm_fake.requests == []
    assert result.category == C.ALREADY_PAID


async def test_out_of_scope_text_never_asks(client, llm_fake):
    result, call = await classify_with_llm(default_classifier(), "🙂🙂", None, client, below=UNSURE)
    assert call is None and llm_fake.requests == []
    assert result.category == C.NONE


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (Reply.delayed(3.0, '{"category": "REFUSAL"}'), LLMOutcome.TIMEOUT),
        (Reply.error(500), LLMOutcome.ERROR),
        (Reply.garbage(), LLMOutcome.GARBAGE),
        (Reply.json({"category": "ANGRY"}), LLMOutcome.GARBAGE),
        (Reply.text("REFUSAL, clearly"), LLMOutcome.GARBAGE),
    ],
)
async def test_timeout_error_or_unusable_answer_keeps_the_local_answer(client, llm_fake, reply, outcome):
    llm_fake.push(reply)
    local = default_classifier().classify(TURN)
    result, call = await classify_with_llm(
        default_classifier(), TURN, None, client, below=UNSURE, budget_s=0.5
    )
    assert call is not None and call.outcome is outcome
    assert result == local


async def test_no_client_is_offline():
    local = default_classifier().classify(TURN)
    assert await classify_with_llm(default_classifier(), TURN, None, None, below=UNSURE) == (local, None)


def test_parse_category():
    assert parse_category('{"category": " already_paid "}') == C.ALREADY_PAID
    for bad in ('{"category": 3}', "[]", '{"cat": "NONE"}', '{"category": "MAYBE"}', "nope"):
        with pytest.raises(ValueError):
            parse_category(bad)
