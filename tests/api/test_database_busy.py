"""Which database errors say "busy, retry" (asistente.db.database_busy) and what the client sees for them
(api/core/errors.coded): RATE_LIMITED with retryAfter and a fixed message, never the driver's text; every
other database error stays a masked INTERNAL_SERVER_ERROR."""

from __future__ import annotations

import sqlite3

import pytest
from graphql import GraphQLError
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from asistente.api.core.errors import BUSY, coded, expected_code
from asistente.audit.group import LedgerWriteFailed
from asistente.db import database_busy, make_engine
from tests.conftest import PG_URL


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"pg error {sqlstate}")
        self.sqlstate = sqlstate


def _locked_sqlite(tmp_path) -> sa_exc.OperationalError:
    """The real error of a write that waited its whole wait for another connection's write lock."""
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    engine = make_engine(f"sqlite:///{path}", wait_seconds=0.05)
    try:
        with pytest.raises(sa_exc.OperationalError) as caught, engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        return caught.value
    finally:
        holder.close()
        engine.dispose()


def _ledger_failed(cause: BaseException) -> LedgerWriteFailed:
    try:
        raise LedgerWriteFailed("audit ledger: the batch was not committed") from cause
    except LedgerWriteFailed as e:
        return e


def test_busy_errors_are_recognised(tmp_path):
    locked = _locked_sqlite(tmp_path)
    assert database_busy(locked)
    assert database_busy(_ledger_failed(locked))  # a recorded request whose ledger batch gave up
    assert database_busy(sa_exc.TimeoutError("QueuePool limit reached"))  # no connection within the wait
    for sqlstate in ("55P03", "57014", "40001", "40P01"):
        assert database_busy(sa_exc.OperationalError("SELECT 1", {}, _PgError(sqlstate)))
    assert not database_busy(sa_exc.IntegrityError("INSERT", {}, _PgError("23505")))
    assert not database_busy(sa_exc.OperationalError("SELECT 1", {}, _PgError("08006")))  # connection lost
    assert not database_busy(ValueError("database is locked"))  # words alone are not the driver's error
    assert not database_busy(None)


def test_busy_errors_raised_by_psycopg_itself_are_recognised():
    """The ledger's committer on PostgreSQL runs on a kept psycopg connection, outside SQLAlchemy: its
    errors reach the request as LedgerWriteFailed from the driver's own exception classes."""
    from psycopg import errors as pg

    assert database_busy(_ledger_failed(pg.LockNotAvailable("canceling statement due to lock timeout")))
    assert database_busy(_ledger_failed(pg.QueryCanceled("canceling statement due to statement timeout")))
    assert database_busy(_ledger_failed(pg.DeadlockDetected("deadlock detected")))
    assert not database_busy(_ledger_failed(pg.UniqueViolation("duplicate key")))
    assert not database_busy(_ledger_failed(pg.AdminShutdown("terminating connection")))


def test_a_busy_database_reaches_the_client_as_rate_limited(tmp_path):
    locked = _locked_sqlite(tmp_path)
    error = GraphQLError("x", path=["recordPayment"], original_error=locked)
    out = coded(error)
    assert out.message == BUSY and "locked" not in out.message and "INSERT" not in out.message
    assert out.extensions == {"code": "RATE_LIMITED", "retryAfter": 1}
    assert out.path == ["recordPayment"]
    assert expected_code(error) == "RATE_LIMITED"
    other = GraphQLError(
        "x", path=["recordPayment"], original_error=sa_exc.IntegrityError("I", {}, _PgError("23505"))
    )
    assert coded(other).extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert expected_code(other) is None


def test_the_database_wait_is_applied_to_every_engine(tmp_path):
    file = make_engine(f"sqlite:///{tmp_path / 'w.db'}", wait_seconds=1.5)
    with file.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    assert file.pool.timeout() == 1.5
    file.dispose()
    memory = make_engine("sqlite:///:memory:", wait_seconds=1.5)  # no pool to wait for: accepted all the same
    with memory.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    memory.dispose()
    tools = make_engine(f"sqlite:///{tmp_path / 't.db'}")  # tools and migrations: the drivers' defaults
    with tools.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    tools.dispose()
    if PG_URL:
        pg = make_engine(PG_URL, wait_seconds=1.5)
        with pg.connect() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "1500ms"
        assert pg.pool.timeout() == 1.5
        pg.dispose()
        pg = make_engine(PG_URL)
        with pg.connect() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
        pg.dispose()
