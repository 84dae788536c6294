"""classifyUtterance with an LLM configured (a real local OpenAI-compatible server, tests/llm_fake.py):
a confident turn never reaches it; an unsure one does, redacted, and a failing LLM never breaks the answer."""

from __future__ import annotations

import pytest

from asistente.objections import llm_step
from asistente.objections.classifier import default_classifier
from asistente.objections.llm_step import LLM_BELOW
from asistente.settings import Settings
from tests.llm_fake import FakeLLM, Reply

CLASSIFY = """query($t: String!) { classifyUtterance(text: $t) {
  category confidence alternatives { category confidence } version } }"""
# A turn the shipped classifier is unsure about (checked below, so the test says why it asks).
UNSURE = "bueno la verdad no sé qué decirle, lo tengo que pensar, mi número es 5512345678"


@pytest.fixture(autouse=True)
def generous_budget(monkeypatch):
    monkeypatch.setattr(llm_step, "LLM_BUDGET_S", 20.0)  # a loaded test machine must not turn OK into TIMEOUT


@pytest.fixture
def settings(llm_fake: FakeLLM) -> Settings:
    return Settings(
        demo=False,
        introspection=True,
        auth_cache_seconds=0,
        OPENAI_BASE_URL=llm_fake.base_url,
        ASISTENTE_LLM_MODEL="fake-model",
    )


async def test_confident_turn_stays_local(api, llm_fake):
    key = api.key(role="AGENT", agent="u1")
    out = (await api.ok(CLASSIFY, {"t": "ya pagué la semana pasada en el banco"}, key=key))[
        "classifyUtterance"
    ]
    assert out["category"] == "ALREADY_PAID" and "+llm" not in out["version"]
    assert llm_fake.requests == []


async def test_unsure_turn_is_asked_redacted(api, llm_fake):
    assert default_classifier().classify(UNSURE).confidence < LLM_BELOW
    llm_fake.push(Reply.json({"category": "CALL_LATER"}))
    key = api.key(role="AGENT", agent="u1")
    out = (await api.ok(CLASSIFY, {"t": UNSURE}, key=key))["classifyUtterance"]
    assert out["category"] == "CALL_LATER" and out["version"].endswith("+llm:fake-model")
    assert len(llm_fake.requests) == 1
    assert "5512345678" not in llm_fake.sent_text() and "pensar" in llm_fake.sent_text()


async def test_failing_llm_keeps_the_classifier_answer(api, llm_fake):
    llm_fake.push(Reply.error(503))
    key = api.key(role="SUPERVISOR")
    resp = await api.post(CLASSIFY, {"t": UNSURE}, key=key)
    assert resp.status_code == 200
    out = resp.json()["data"]["classifyUtterance"]
    local = default_classifier().classify(UNSURE)
    assert out["category"] == local.category.value and out["version"] == local.version
    assert out["confidence"] == pytest.approx(local.confidence)
