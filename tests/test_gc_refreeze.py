"""A serving worker freezes again once warm (app.RefreezeAfterWarmUp): after N requests, then 10N, then 100N,
and never otherwise; requests pass through unchanged; lifespan messages are not requests; 0 turns it off."""

from __future__ import annotations

import asyncio
import gc

import httpx
import pytest

from asistente.app import RefreezeAfterWarmUp, create_app, freeze_startup_objects
from asistente.settings import Settings


@pytest.fixture(autouse=True)
def _unfreeze():
    yield
    gc.unfreeze()


class Echo:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.seen.append(scope["type"])
        if scope["type"] != "http":
            return
        body = f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}".encode()
        await send({"type": "http.response.start", "status": 201, "headers": [(b"x-echo", b"1")]})
        await send({"type": "http.response.body", "body": body})


def _freezes_during(wrapper: RefreezeAfterWarmUp, requests: int) -> list[int]:
    """Request numbers (1-based) after which the frozen generation grew."""
    grew = []

    async def run() -> None:
        transport = httpx.ASGITransport(app=wrapper)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for n in range(1, requests + 1):
                gc.unfreeze()
                before = gc.get_freeze_count()
                assert before == 0
                answer = await client.get(f"/p{n}", params={"q": n})
                assert answer.status_code == 201
                assert answer.headers["x-echo"] == "1"
                assert answer.text == f"GET /p{n}?q={n}"
                if gc.get_freeze_count() > before:
                    grew.append(n)

    asyncio.run(run())
    return grew


def test_freezes_at_n_then_10n_then_100n_and_never_again():
    inner = Echo()
    wrapper = RefreezeAfterWarmUp(inner, 3, factor=4, times=3)
    assert _freezes_during(wrapper, 60) == [3, 12, 48]
    assert inner.seen == ["http"] * 60
    assert wrapper.left == 0


def test_lifespan_is_not_a_request():
    inner = Echo()
    wrapper = RefreezeAfterWarmUp(inner, 2)

    async def lifespan() -> None:
        async def receive():
            return {"type": "lifespan.startup"}

        async def send(message):
            return None

        for _ in range(5):
            await wrapper({"type": "lifespan"}, receive, send)

    asyncio.run(lifespan())
    assert wrapper.count == 0 and inner.seen == ["lifespan"] * 5
    assert _freezes_during(wrapper, 3) == [2]


def test_settings_choose_the_wrapper(monkeypatch):
    app = create_app(Settings())
    assert freeze_startup_objects(app) is app
    assert freeze_startup_objects(app, refreeze_after=0) is app
    wrapped = freeze_startup_objects(app, refreeze_after=2000)
    assert isinstance(wrapped, RefreezeAfterWarmUp) and wrapped.app is app and wrapped.next_at == 2000
    monkeypatch.setenv("ASISTENTE_GC_REFREEZE_REQUESTS", "0")
    assert Settings().gc_refreeze_requests == 0
    monkeypatch.setenv("ASISTENTE_GC_REFREEZE_REQUESTS", "-1")
    with pytest.raises(ValueError, match="ASISTENTE_GC_REFREEZE_REQUESTS"):
        Settings()
    monkeypatch.delenv("ASISTENTE_GC_REFREEZE_REQUESTS")
    assert Settings().gc_refreeze_requests == 2000


def test_the_real_app_answers_the_same_through_the_wrapper():
    app = create_app(Settings())
    wrapped = RefreezeAfterWarmUp(app, 1)

    async def ask(target):
        transport = httpx.ASGITransport(app=target)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            health = await client.get("/healthz")
            query = await client.post("/graphql", json={"query": "{ __typename }"})
            return health.status_code, health.text, query.status_code, query.json()

    assert asyncio.run(ask(wrapped)) == asyncio.run(ask(app))
    assert wrapped.count == 2 and wrapped.left == 2
