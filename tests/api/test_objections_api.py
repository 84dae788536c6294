"""classifyUtterance over HTTP against the real app: roles, answers, bad input never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import error_codes

CLASSIFY = """query($t: String!, $l: String) { classifyUtterance(text: $t, language: $l) {
  category confidence alternatives { category confidence } language version } }"""


@pytest.mark.parametrize("role", ["AGENT", "SUPERVISOR", "INTEGRATOR", "ADMIN", "COMPLIANCE"])
async def test_every_live_role_classifies(api, role):
    key = api.key(role=role, agent="u1" if role == "AGENT" else None)
    out = (await api.ok(CLASSIFY, {"t": "ando bien corto de lana, no me alcanza para pagarle"}, key=key))[
        "classifyUtterance"
    ]
    assert out["category"] == "NO_MONEY"
    assert 0.5 < out["confidence"] <= 1.0
    assert out["language"] == "es" and out["version"]


async def test_two_intents_show_the_other_among_alternatives(api):
    key = api.key(role="AGENT", agent="u1")
    out = (await api.ok(CLASSIFY, {"t": "i paid it last month, send me a letter saying so"}, key=key))[
        "classifyUtterance"
    ]
    assert out["category"] == "ALREADY_PAID"
    assert out["language"] == "en"
    assert "SEND_IN_WRITING" in [a["category"] for a in out["alternatives"]]
    confs = [a["confidence"] for a in out["alternatives"]]
    assert confs == sorted(confs, reverse=True)


async def test_unauthenticated_is_refused(api):
    body = await api.gql(CLASSIFY, {"t": "ya pagué"})
    assert error_codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("text", "language", "message"),
    [
        ("", None, "must not be empty"),
        ("x" * 10_000, None, "at most 2000 characters"),
        ("ya pagué", "pt", "language"),
    ],
)
async def test_bad_input_names_the_problem(api, text, language, message):
    key = api.key(role="AGENT", agent="u1")
    resp = await api.post(CLASSIFY, {"t": text, "l": language}, key=key)
    assert resp.status_code < 500
    body = resp.json()
    assert error_codes(body) == ["BAD_INPUT"]
    assert message in body["errors"][0]["message"]


@pytest.mark.parametrize("text", ["🤷‍♂️🤷‍♂️", "Je ne peux pas payer maintenant, rappelez-moi", "ок спасибо"])
async def test_emoji_and_other_languages_are_none_with_low_confidence(api, text):
    key = api.key(role="SUPERVISOR")
    resp = await api.post(CLASSIFY, {"t": text}, key=key)
    assert resp.status_code == 200
    out = resp.json()["data"]["classifyUtterance"]
    assert out["category"] == "NONE" and out["confidence"] < 0.1 and out["alternatives"] == []
