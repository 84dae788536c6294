"""GET and POST /graphql go from the outer middleware straight to the GraphQL view (``LimitsAndCors._graphql``)
instead of through Starlette's error middleware, exception middleware, router and route. Every answer must be
the one the Starlette path gives: status, headers (but the request id) and body, for queries, mutations,
GET, bad input, CORS, a mutation over GET, and an exception escaping the view."""

from __future__ import annotations

import httpx
import pytest

from asistente.app import LimitsAndCors

GQL = "application/graphql-response+json"


def _outer(app) -> LimitsAndCors:
    assert isinstance(app, LimitsAndCors) and app.graphql is not None
    return app


async def _both(app, method: str, **kwargs) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """The same request through the direct path, then through Starlette (the view unset)."""
    outer = _outer(app)
    view = outer.graphql
    out = []
    for direct in (True, False):
        outer.graphql = view if direct else None
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                res = await c.request(method, "/graphql", **kwargs)
        finally:
            outer.graphql = view
        headers = sorted((k, v) for k, v in res.headers.items() if k != "x-request-id")
        out.append((res.status_code, headers, res.content))
    return out


def _requests(key: str) -> list[tuple[str, dict]]:
    auth = {"authorization": f"Bearer {key}"}
    return [
        ("POST", {"json": {"query": "{ me { tenant role } }"}, "headers": auth}),
        ("POST", {"json": {"query": "{ me { tenant } }"}, "headers": {**auth, "accept": GQL}}),
        ("POST", {"json": {"query": "{ me { nope } }"}, "headers": {**auth, "accept": GQL}}),
        ("POST", {"json": {"query": "{ me { tenant } }"}}),  # no credential
        ("POST", {"content": b"{not json", "headers": {**auth, "content-type": "application/json"}}),
        ("POST", {"content": b"[]", "headers": {**auth, "content-type": "application/json"}}),
        (
            "POST",
            {"json": {"query": "{ me { tenant } }"}, "headers": {**auth, "origin": "https://x.example"}},
        ),
        ("GET", {"params": {"query": "{ me { tenant } }"}, "headers": auth}),
        ("GET", {"params": {"query": 'mutation { revokeApiKey(id: "x") }'}, "headers": auth}),
        ("GET", {"headers": {**auth, "accept": "text/html"}}),
        (
            "POST",
            {
                "json": {
                    "query": "query($x: String!) { debtorByExternalId(externalId: $x) { id } }",
                    "variables": {"x": "none"},
                },
                "headers": auth,
            },
        ),
    ]


async def test_direct_answers_equal_starlette_answers(app, api):
    key = api.key()
    for method, kwargs in _requests(key):
        direct, routed = await _both(app, method, **kwargs)
        assert direct == routed, (method, kwargs)


async def test_the_body_read_by_the_middleware_is_the_body_the_view_reads(app, api):
    """The view's Request starts with the body LimitsAndCors read (``READ_BODY``); the view called alone
    (no middleware: it reads the body through ``receive``) answers every POST the same."""
    view = _outer(app).graphql
    key = api.key()
    for method, kwargs in _requests(key):
        if method != "POST" or "origin" in kwargs.get("headers", {}):
            continue
        (status, _, content), _ = await _both(app, method, **kwargs)

        async def alone_app(scope, receive, send):  # as a server hands it: a state dict, nothing read
            await view({**scope, "state": {}}, receive, send)

        transport = httpx.ASGITransport(app=alone_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            alone = await c.request(method, "/graphql", **kwargs)
        assert (alone.status_code, alone.content) == (status, content), kwargs


async def test_an_exception_escaping_the_view_is_answered_500_as_starlette_does(app, api, monkeypatch):
    view = _outer(app).graphql

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(view, "run", broken)
    monkeypatch.setattr(view, "_cached_card", broken)
    direct, routed = await _both(app, "POST", json={"query": "{ me { tenant } }"})
    assert direct == routed
    assert direct[0] == 500 and direct[2] == b"Internal Server Error"
    # and the exception is still raised to the server (which logs it)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        with pytest.raises(RuntimeError, match="a bug"):
            await c.post("/graphql", json={"query": "{ me { tenant } }"})


async def test_other_methods_and_paths_still_go_through_starlette(app, api):
    res = await api.client.put("/graphql", json={"query": "{ me { tenant } }"})
    assert res.status_code == 405
    res = await api.client.get("/healthz")
    assert res.status_code == 200
