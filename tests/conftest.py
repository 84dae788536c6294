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
