"""Shared fixtures: every database test runs on SQLite, and again on PostgreSQL when
ASISTENTE_TEST_POSTGRES_URL is set (the second run is skipped otherwise)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente import models  # noqa: F401
from asistente.db import Base, make_engine, make_session_factory

pytest_plugins = ["tests.llm_fake"]  # the fake OpenAI-compatible server (fixture llm_fake)

PG_URL = os.environ.get("ASISTENTE_TEST_POSTGRES_URL")

_engines: dict[str, Engine] = {}


def _engine_for(backend: str, tmp_root: Path) -> Engine:
    if backend not in _engines:
        if backend == "sqlite":
            engine = make_engine(f"sqlite:///{tmp_root / 'test.db'}")
        else:
            engine = make_engine(PG_URL)
            with engine.begin() as conn:
                # Start from an empty schema: drop what an earlier run left (its tables may be older).
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        Base.metadata.create_all(engine)
        _engines[backend] = engine
    return _engines[backend]


def _wipe(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not PG_URL:
        pytest.skip("ASISTENTE_TEST_POSTGRES_URL is not set")
    return request.param


@pytest.fixture
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = _engine_for(backend, tmp_path_factory.getbasetemp())
    _wipe(eng)
    yield eng


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    s = session_factory()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for eng in _engines.values():
        eng.dispose()


# ---------------------------------------------------------------- API over HTTP (httpx ASGI transport)

from datetime import UTC, datetime  # noqa: E402

import httpx  # noqa: E402

from asistente.api.core.context import Services  # noqa: E402
from asistente.api.core.fresh import close_shared_reads  # noqa: E402
from asistente.app import attach_reader, create_app  # noqa: E402
from asistente.db import transaction  # noqa: E402
from asistente.enums import Role  # noqa: E402
from asistente.settings import Settings  # noqa: E402
from asistente.tenants.service import create_api_key  # noqa: E402


class Clock:
    """A settable clock for the app (decisions take `now` from the services' clock)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.value = now or datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> Settings:
    # No LLM unless a test configures one (tests/llm_fake.py), whatever the environment says.
    # Rate limits off: tests that hammer one key measure something else (tests/api/test_rate_limits.py
    # sets its own limits).
    return Settings(
        demo=False,
        introspection=True,
        auth_cache_seconds=0,
        openai_base_url=None,
        openai_api_key=None,
        llm_model=None,
        rate_limit_key=0,
        rate_limit_session=0,
        rate_limit_tenant=0,
        rate_limit_auth_failures=0,
    )


@pytest.fixture
def services(
    engine: Engine, session_factory: sessionmaker[Session], settings: Settings, clock: Clock
) -> Services:
    services = Services(settings=settings, engine=engine, session_factory=session_factory, clock=clock)
    if engine.dialect.name == "postgresql":
        # as create_app does on PostgreSQL: read-only operations on their own autocommit engine
        if "postgres-read" not in _engines:
            _engines["postgres-read"] = make_engine(PG_URL, read_only=True)
        attach_reader(services, PG_URL, _engines["postgres-read"])
    return services


@pytest.fixture
def app(services: Services):
    return create_app(services.settings, services=services)


class Api:
    """A small GraphQL client over the real ASGI app."""

    def __init__(self, client: httpx.AsyncClient, factory: sessionmaker[Session]) -> None:
        self.client = client
        self.factory = factory

    def key(self, tenant: str = "acme", role: Role | str = Role.ADMIN, agent: str | None = None) -> str:
        with transaction(self.factory) as s:
            return create_api_key(s, tenant_slug=tenant, role=Role(role), agent_external_id=agent)

    async def post(
        self,
        query: str,
        variables: dict | None = None,
        *,
        key: str | None = None,
        headers: dict | None = None,
    ) -> httpx.Response:
        h = {"content-type": "application/json"}
        if key:
            h["authorization"] = f"Bearer {key}"
        h.update(headers or {})
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=h
        )

    async def gql(self, query: str, variables: dict | None = None, *, key: str | None = None) -> dict:
        """Execute and return the whole JSON body (data and errors)."""
        res = await self.post(query, variables, key=key)
        assert res.status_code in (200, 400, 401), res.text
        return res.json()

    async def ok(self, query: str, variables: dict | None = None, *, key: str | None = None) -> dict:
        body = await self.gql(query, variables, key=key)
        assert not body.get("errors"), body.get("errors")
        return body["data"]


def error_codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


@pytest.fixture
async def api(app, services: Services, session_factory: sessionmaker[Session]):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, session_factory)
    # what the app's lifespan does at shutdown (ASGITransport runs no lifespan): close the connections
    # of this event loop's shared reads (api/core/fresh.py)
    await close_shared_reads(services)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Say why tests were skipped, once per reason (PostgreSQL not configured, no Chromium...)."""
    from collections import Counter

    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.write_sep("-", "skipped tests, by reason")
        for reason, n in reasons.most_common():
            terminalreporter.write_line(f"{n:5d} skipped: {reason}")
