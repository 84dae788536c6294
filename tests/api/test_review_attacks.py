"""Adversarial checks of the fast paths (lean execution, prepared and cached-card paths, their memos),
written as a client or an attacker would use the service: over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api.data import UPSERT, debtor_record

ME = "{ me { tenant role } }"


@pytest.fixture
async def keys(api):
    admin = api.key("acme")
    await api.ok(UPSERT, {"input": [debtor_record("CRM-1")]}, key=admin)
    return {"admin": admin, "agent": api.key("acme", "AGENT", agent="ag-7")}


def _remembered_texts(app_services, schema) -> list[str]:
    """Every query text the per-process plan memos hold (lean, prepared, cached card)."""
    texts = [q for q, _ in schema.__dict__.get("_asistente_plans", {})]
    texts += [q for q, _ in app_services.extras["prepared"]._plans]
    texts += [q for q, _ in app_services.extras["cards"]._plans]
    return texts


async def test_huge_texts_are_not_remembered_by_the_plan_memos(api, keys, services):
    """An attacker sends many distinct large texts (up to the 8 MB body limit; whitespace and comments are
    not tokens, so even valid documents can be that large). The plan memos keep hundreds of entries each: if
    they kept such texts, a few hundred requests would hold gigabytes. A text too large to be a real client's
    document is answered by normal execution, every time alike, and never remembered."""
    pad = " " * 300_000
    valid = "{ me { tenant role } }" + pad
    invalid = "{ me { nope } }" + pad
    prepared = "query { checkCompliance(input: {text: 1}) { compliant } }" + pad
    answers: dict[str, list] = {}
    for text in (valid, invalid, prepared):
        for i in range(3):
            for who in ("agent", "admin"):
                res = await api.client.post(
                    "/graphql",
                    json={"query": f"{text}# {i}\n" if i == 2 else text},
                    headers={"authorization": f"Bearer {keys[who]}"},
                )
                answers.setdefault(text + who, []).append((res.status_code, res.text))
    for seen in answers.values():
        assert len({a for a in seen}) == 1, seen  # same answer on every sight
    assert answers[valid + "agent"][0] == (200, '{"data":{"me":{"tenant":"acme","role":"AGENT"}}}')
    assert "nope" in answers[invalid + "agent"][0][1]
    assert "BAD_INPUT" in answers[prepared + "agent"][0][1]
    schema = services.extras["prepared"].schema
    assert max(len(t) for t in _remembered_texts(services, schema)) < 100_000
