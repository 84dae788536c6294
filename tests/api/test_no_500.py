"""Whatever a client sends, the answer is never a 500 and never a stack trace."""

from __future__ import annotations

import pytest

BODIES = [
    b"",
    b"null",
    b"[]",
    b'"query"',
    b"123",
    b"{}",
    b'{"query": 5}',
    b'{"query": null}',
    b'{"query": "{ me { tenant } }", "variables": "x"}',
    b'{"query": "{ me { tenant } }", "variables": [1]}',
    b'{"query": "{ me { tenant } }", "operationName": 7}',
    b'{"query": "query A { me { tenant } } query B { me { role } }"}',
    b'{"query": "{ me { tenant } }", "extensions": "x"}',
    b'{"query": "\\u0000"}',
    '{"query": "{ debtor(id: \\"\u00f1\u00f1\u00f1\\") { id } }"}'.encode(),
    b'{"query": "{ debtors(first: -5) { edges { cursor } } }"}',
    b'{"query": "{ debtors(first: 100000000000) { edges { cursor } } }"}',
    b'{"query": "{ debtors(after: \\"!!!\\") { edges { cursor } } }"}',
    b'{"query": "mutation { upsertDebtors(input: {}) { created } }"}',
    b'{"query": "subscription { me }"}',
    b"\xff\xfe\x00garbage",
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
async def test_garbage_never_500(api, body):
    key = api.key()
    for content_type in ("application/json", "text/plain", "application/graphql"):
        res = await api.client.post(
            "/graphql", content=body, headers={"authorization": f"Bearer {key}", "content-type": content_type}
        )
        assert res.status_code < 500, (body, content_type, res.status_code, res.text[:300])
        assert "Traceback" not in res.text


async def test_get_and_other_methods(api):
    key = api.key()
    res = await api.client.get("/graphql?query={me{tenant}}", headers={"authorization": f"Bearer {key}"})
    assert res.status_code < 500
    res = await api.client.put("/graphql", content=b"{}", headers={"authorization": f"Bearer {key}"})
    assert res.status_code == 405


async def test_unexpected_errors_are_masked_and_logged(api, monkeypatch, caplog):
    from asistente.portfolio.repository import PortfolioRepository

    def boom(self, *args, **kwargs):
        raise RuntimeError("secret connection string postgres://u:p@db")

    monkeypatch.setattr(PortfolioRepository, "list_debtors", boom)
    key = api.key()
    res = await api.post("{ debtors { edges { cursor } } }", key=key)
    body = res.json()
    assert res.status_code == 200
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in res.text and "postgres://" not in res.text
    assert any("unexpected error" in r.message for r in caplog.records)
