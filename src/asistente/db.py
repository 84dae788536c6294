"""SQLAlchemy engine, declarative base and session factory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, String, create_engine, event, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must carry an offset")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(
    url: str,
    *,
    wait_seconds: float | None = None,
    read_only: bool = False,
    ping_idle_seconds: float | None = 2.0,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`. `wait_seconds` bounds every wait for the database (Settings.database_wait_seconds):
    for another transaction's lock (SQLite's busy_timeout, PostgreSQL's lock_timeout) and for a connection
    from the pool; past it the statement fails with an error `database_busy` recognises. None keeps the
    drivers' defaults (SQLite 30 s, PostgreSQL no lock limit; the pool 30 s): tools and migrations.
    PostgreSQL: a pool whose connections are checked when they were idle for more than `ping_idle_seconds`
    (None: SQLAlchemy's ping on every checkout); `read_only`: the engine of read-only operations
    (autocommit, writes refused by the server). SQLite ignores both (no server)."""
    if url.startswith("sqlite"):
        busy = 30.0 if wait_seconds is None else wait_seconds
        database = make_url(url).database
        if wait_seconds is not None and database and database != ":memory:":  # a file: a QueuePool
            kwargs.setdefault("pool_timeout", wait_seconds)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": busy})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    if wait_seconds is not None:
        kwargs.setdefault("pool_timeout", wait_seconds)
    if read_only:
        # Statements of read-only operations: no BEGIN/ROLLBACK round trips around them, and the server
        # refuses any write on these connections (default_transaction_read_only). Under PostgreSQL's
        # READ COMMITTED every statement takes its own snapshot inside a transaction too, so running them
        # outside one changes nothing they see. Never rolled back, psycopg's prepared statements survive
        # from one request to the next (a ROLLBACK makes it deallocate them all).
        kwargs["isolation_level"] = "AUTOCOMMIT"
        # added to the connection's own options (the URL's `options=-csearch_path=...`, connect_args),
        # which a connect_args entry would otherwise replace

        connect_args = dict(kwargs.get("connect_args") or {})
        options = connect_args.get("options") or make_url(url).query.get("options") or ""
        if not isinstance(options, str):  # the same key twice in the URL
            options = " ".join(options)
        connect_args["options"] = f"{options} -c default_transaction_read_only=on".strip()
        kwargs["connect_args"] = connect_args
    if ping_idle_seconds is None:
        kwargs.setdefault("pool_pre_ping", True)
    else:
        kwargs["pool_pre_ping"] = False
    engine = create_engine(url, **kwargs)
    if ping_idle_seconds is not None:
        ping_when_idle(engine, ping_idle_seconds)
    if wait_seconds is not None and engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _pg_lock_timeout(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute(f"SET lock_timeout = {int(wait_seconds * 1000)}")
            cur.close()
            dbapi_conn.commit()

    return engine


# SQLSTATEs of a database that could not answer in time, where the same request later would succeed: a lock
# not granted within lock_timeout, a statement cancelled by statement_timeout, a serialization failure, a
# deadlock victim (PostgreSQL appendix A).
_BUSY_SQLSTATES = frozenset({"55P03", "57014", "40001", "40P01"})
_BUSY_SQLITE = frozenset({"SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_RECOVERY", "SQLITE_LOCKED"})


def database_busy(exc: BaseException | None) -> bool:
    """Whether `exc`, or an error it was raised from, says the database was too busy to answer in time
    (a lock wait or a pool checkout past the engine's wait): the operation was rolled back whole and can
    be retried as it is."""
    from sqlalchemy import exc as sa_exc

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sa_exc.TimeoutError):  # no connection free in the pool within pool_timeout
            return True
        if isinstance(exc, sa_exc.DBAPIError):
            orig = exc.orig
            if (
                getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES
                or getattr(orig, "pgcode", None) in _BUSY_SQLSTATES
            ):
                return True
            if getattr(orig, "sqlite_errorname", None) in _BUSY_SQLITE:
                return True
        elif getattr(exc, "sqlstate", None) in _BUSY_SQLSTATES:  # a DBAPI error raised outside SQLAlchemy
            return True  # (the ledger's kept psycopg connection on PostgreSQL)
        exc = exc.__cause__ or exc.__context__
    return False


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat idle in the pool for more than
    `idle_seconds` (or was never used), instead of on every checkout (`pool_pre_ping`): a connection
    returned moments ago by another request is alive, and its ping was one more round trip per request.
    A dead one is replaced as pool_pre_ping would (DisconnectionError: the pool invalidates it and checks
    out another). `idle_seconds=0` pings on every checkout."""
    from time import monotonic

    from sqlalchemy import exc

    @event.listens_for(engine, "connect")
    def _connected(dbapi_conn: Any, record: Any) -> None:
        record.info["asistente_returned"] = monotonic()  # just made: alive

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is not None:
            record.info["asistente_returned"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("asistente_returned")
        if returned is not None and monotonic() - returned <= idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as err:
            raise exc.DisconnectionError(f"pooled connection failed its ping: {err}") from err
        if not alive:
            raise exc.DisconnectionError("pooled connection failed its ping")


def refresh_statistics(conn: Connection) -> None:
    """Bring the query planner's statistics up to date, in `conn`'s transaction (the caller commits).

    Run after a migration and after an import: SQLite never gathers statistics on its own, so without
    them it picks the tenant index over the debtor index and scans the whole tenant for one card; on
    PostgreSQL autovacuum would get there eventually, after the first minutes of traffic on stale plans.
    """
    if conn.dialect.name == "sqlite" or conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class MoneyType(TypeDecorator):
    """Exact decimal storage: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""

    impl = String(40)  # the SQLite form; load_dialect_impl gives NUMERIC(20, 4) elsewhere
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        from sqlalchemy import Numeric, String

        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(20, 4))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        from decimal import Decimal

        value = Decimal(value)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        from decimal import Decimal

        return Decimal(str(value)).normalize() if dialect.name != "sqlite" else Decimal(value)
