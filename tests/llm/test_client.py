"""The LLM client against a real local OpenAI-compatible server: every outcome, within the budget."""

from __future__ import annotations

import json
import time

import pytest

from asistente.llm import LLMClient, LLMConfig, LLMOutcome, prompt_hash
from asistente.settings import Settings
from tests.llm_fake import FakeLLM, Reply

MESSAGES = [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "hola"}]


@pytest.fixture
async def client(llm_fake: FakeLLM):
    c = LLMClient(LLMConfig(base_url=llm_fake.base_url, model="fake-model"))
    yield c
    await c.aclose()


def _codes(content: str) -> list[str]:
    data = json.loads(content)
    codes = data["codes"]
    if not isinstance(codes, list):
        raise ValueError("codes is not a list")
    return codes


async def test_ok_returns_parsed_answer_model_and_prompt_hash(client: LLMClient, llm_fake: FakeLLM) -> None:
    llm_fake.push(Reply.json({"codes": ["THREAT"]}))
    result = await client.complete(MESSAGES, budget_s=5, parse=_codes, json_object=True)
    assert result.outcome is LLMOutcome.OK and result.ok
    assert result.parsed == ["THREAT"]
    assert result.raw == '{"codes": ["THREAT"]}'
    assert result.model == "fake-model"
    sent = llm_fake.requests[0]
    assert sent["model"] == "fake-model" and sent["messages"] == MESSAGES
    assert sent["response_format"] == {"type": "json_object"}
    assert result.prompt_hash == prompt_hash(
        "fake-model",
        MESSAGES,
        {"max_tokens": 300, "temperature": 0.0, "response_format": {"type": "json_object"}},
    )
    ledger = result.ledger()
    assert ledger["outcome"] == "OK" and ledger["promptHash"].startswith("sha256:") and ledger["raw"]


async def test_prompt_hash_changes_with_the_prompt() -> None:
    other = [*MESSAGES[:1], {"role": "user", "content": "adiós"}]
    assert prompt_hash("m", MESSAGES) != prompt_hash("m", other)
    assert prompt_hash("m", MESSAGES) != prompt_hash("n", MESSAGES)
    assert prompt_hash("m", MESSAGES) == prompt_hash("m", [dict(m) for m in MESSAGES])


async def test_timeout_returns_within_the_budget(client: LLMClient, llm_fake: FakeLLM) -> None:
    llm_fake.push(Reply.delayed(3.0))
    started = time.perf_counter()
    result = await client.complete(MESSAGES, budget_s=0.3, parse=_codes)
    elapsed = time.perf_counter() - started
    assert result.outcome is LLMOutcome.TIMEOUT
    assert elapsed < 1.5, elapsed  # the budget, not the server's 3 s
    assert result.parsed is None and result.raw is None


async def test_http_error_is_error(client: LLMClient, llm_fake: FakeLLM) -> None:
    llm_fake.push(Reply.error(500))
    result = await client.complete(MESSAGES, budget_s=5, parse=_codes)
    assert result.outcome is LLMOutcome.ERROR
    assert "500" in (result.error or "")
    assert len(llm_fake.requests) == 1  # no retry inside the budget


async def test_unreachable_endpoint_is_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = LLMClient(LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m"))
    try:
        result = await c.complete(MESSAGES, budget_s=5)
    finally:
        await c.aclose()
    assert result.outcome is LLMOutcome.ERROR


@pytest.mark.parametrize(
    "reply",
    [
        Reply.garbage(),
        Reply.empty(),
        Reply.huge(100_000),
        Reply.text("no JSON here"),
        Reply.json({"codes": 3}),
    ],
    ids=["invalid-json", "empty-body", "100KB", "prose", "wrong-shape"],
)
async def test_unusable_answers_are_garbage(client: LLMClient, llm_fake: FakeLLM, reply: Reply) -> None:
    llm_fake.push(reply)
    result = await client.complete(MESSAGES, budget_s=5, parse=_codes)
    assert result.outcome is LLMOutcome.GARBAGE, result
    assert result.parsed is None
    assert len(result.ledger()["raw"] or "") <= 4_100  # the ledger keeps a bounded head


async def test_without_parser_content_is_returned(client: LLMClient, llm_fake: FakeLLM) -> None:
    llm_fake.push(Reply.text("Buenos días"))
    result = await client.complete(MESSAGES, budget_s=5)
    assert result.ok and result.parsed == "Buenos días"


async def test_function_of_the_request(client: LLMClient, llm_fake: FakeLLM) -> None:
    llm_fake.respond_with(lambda body: Reply.text(body["messages"][-1]["content"].upper()))
    result = await client.complete(MESSAGES, budget_s=5)
    assert result.parsed == "HOLA"


def test_config_from_settings() -> None:
    def cfg(**kw):
        base = {"OPENAI_BASE_URL": None, "OPENAI_API_KEY": None, "ASISTENTE_LLM_MODEL": None}
        return LLMConfig.from_settings(Settings(**{**base, **kw}))

    assert cfg() is None
    assert cfg(OPENAI_BASE_URL="http://x/v1") is None  # no model
    assert cfg(ASISTENTE_LLM_MODEL="m") is None  # neither an endpoint nor a key
    local = cfg(OPENAI_BASE_URL="http://x/v1", ASISTENTE_LLM_MODEL="m")
    assert local == LLMConfig(model="m", base_url="http://x/v1", api_key="unused")
    hosted = cfg(OPENAI_API_KEY="sk-test", ASISTENTE_LLM_MODEL="m")
    assert hosted == LLMConfig(model="m", base_url=None, api_key="sk-test")
