"""Group commit for the audit ledger: the ONE path by which request handlers record events. Events are
queued for a few milliseconds, chained and committed in one transaction per tenant, while each request still
waits for its own record to be committed before it answers ("no advice without a record").

Why: one tenant's chain is a serial section (lock the head, insert, move the head, commit), so one event per
transaction caps a tenant at a few hundred records per second however many workers serve it. Chaining a
batch under one head lock costs about the same as chaining one event.

One committer per process and event loop (``Services.ledger_writer``), one queue and one writer task per
tenant chain. A batch is written in a worker thread on a connection the writer keeps while its queue is
busy (no pool checkout and ping per batch):

- PostgreSQL, two round trips and no lock held across them (``append_optimistic``): read the head, chain
  the batch after it, then one autocommit statement that moves the head by compare-and-set (``UPDATE ...
  WHERE seq = :read_seq AND hash = :read_hash``) and inserts every event of the batch from one JSON
  document (``json_to_recordset``) only if the head moved (a data-modifying CTE). Under READ COMMITTED an
  UPDATE of a row that another transaction holds waits for its commit and re-checks the condition on the
  newest version: when another writer got there first, nothing is written and the batch is chained again
  after the new head. The serial section of the chain is that statement and its commit, inside the server. The
  statement text is the same whatever the batch size, so it is prepared once. A tenant's first batch, and
  a batch carrying rows of other tables (feedback), take the locking path below in one transaction:
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on the head row (creates it, locks it, reads it as
  committed by the previous writer), the same insert with the head update, the commit.
- SQLite: the same upsert is the transaction's first write, so it takes the database write lock (waiting up
  to ``busy_timeout``) before the head is read; the events (one ``executemany``), the head update, the
  commit.
- Both: writers that change other state under the tenant's lock (agreement decisions, live-call turns) use
  ``ledger.record`` in their own transaction and take the same head row lock, so they interleave safely.
  UNIQUE (tenant_id, seq) on ``audit_events`` is the last line of defence.

The chain format is unchanged: every event is hashed exactly as ``ledger.record`` hashes it (``chain.py``;
``ChainLink`` renders the canonical JSON before the lock is taken, byte-identical), in the order of the
batch, so ``asistente audit verify`` and any independent verifier read it as before.

Guarantees: ``append`` returns only after the transaction holding its event has committed; if that
transaction fails, every request of the batch gets ``LedgerWriteFailed`` (no advice without a record) and
nothing of the batch is stored. ``close`` waits until every queued event is written (application
shutdown).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, insert, select, text, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from asistente.audit.chain import GENESIS_HASH, ChainLink, prepare
from asistente.audit.ledger import _as_kind
from asistente.audit.models import AuditChainHead, AuditEvent, AuditKind
from asistente.errors import BadInput, FieldError
from asistente.ids import new_id

EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]
HEADS: Table = AuditChainHead.__table__  # type: ignore[assignment]


class LedgerWriteFailed(Exception):
    """The transaction holding this request's event failed: nothing of its batch is stored, so the request
    must answer no advice. ``__cause__`` is the database error."""


@dataclass(frozen=True)
class Recorded:
    """What a caller learns about its committed event."""

    id: str
    seq: int
    hash: str


@dataclass
class _Item:
    fields: dict[str, Any]
    extra: tuple[tuple[Table, dict[str, Any]], ...]
    future: asyncio.Future[Recorded]
    recorded: Recorded | None = None


def event_fields(
    *,
    kind: str | AuditKind,
    actor_id: str | None,
    actor_role: str | None,
    debtor_id: str | None = None,
    call_id: str | None = None,
    input: Any,
    output: Any,
    versions: Any,
    now: datetime,
    event_id: str | None = None,
    feedback: bool = False,
) -> dict[str, Any]:
    """The stored fields of one event (without tenant, seq and hashes), validated and prepared exactly as
    ``ledger.record`` prepares them. FEEDBACK only with ``feedback=True`` (``ledger.feedback_parts``)."""
    k = _as_kind(kind)
    if (k is AuditKind.FEEDBACK) != feedback:
        raise BadInput(
            "FEEDBACK events are recorded with record_feedback", [FieldError("kind", "use feedback")]
        )
    if now.tzinfo is None:
        raise BadInput("audit: `now` must carry an offset", [FieldError("now", "naive datetime")])
    return {
        "id": event_id or new_id(),
        "kind": k.value,
        "actor_id": actor_id,
        "actor_role": None if actor_role is None else str(actor_role),
        "debtor_id": debtor_id,
        "call_id": call_id,
        "input": prepare(input),
        "output": prepare(output),
        "versions": prepare(versions or {}),
        "at": now,
    }


def _lock_head(conn: Connection, tenant_id: str) -> tuple[int, str]:
    """Create (first time), lock and read the tenant's chain head in one statement."""
    values = {"tenant_id": tenant_id, "seq": 0, "hash": GENESIS_HASH}
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            make(HEADS)
            .values(**values)
            .on_conflict_do_update(index_elements=[HEADS.c.tenant_id], set_={"seq": HEADS.c.seq})
            .returning(HEADS.c.seq, HEADS.c.hash)
        )
        row = conn.execute(stmt).one()
    else:  # other dialects: best effort, UNIQUE (tenant_id, seq) still guards
        where = HEADS.c.tenant_id == tenant_id
        if conn.execute(select(HEADS.c.seq).where(where)).first() is None:
            conn.execute(insert(HEADS).values(**values))
        row = conn.execute(select(HEADS.c.seq, HEADS.c.hash).where(where).with_for_update()).one()
    return int(row.seq), row.hash


_COLUMNS = (
    ("id", "varchar"),
    ("seq", "bigint"),
    ("kind", "varchar"),
    ("actor_id", "varchar"),
    ("actor_role", "varchar"),
    ("debtor_id", "varchar"),
    ("call_id", "varchar"),
    ("input", "json"),
    ("output", "json"),
    ("versions", "json"),
    ("at", "timestamptz"),
    ("prev_hash", "varchar"),
    ("hash", "varchar"),
)
_JSON_COLUMNS = ("input", "output", "versions")
# One statement, compiled and prepared once whatever the batch size: the batch's events as ONE parameter, a
# JSON array of row objects read back by json_to_recordset (each JSON column carried as the text the JSON
# type would store, so the stored text is what a row-by-row insert stores), and the head moved in the same
# statement. One text parameter costs the driver one string copy; an array per column (13 of them) cost it
# a Python loop with a regex escape per element, which under load was a sixth of a worker's CPU.
_NAMES = ", ".join(c for c, _ in _COLUMNS)
_RECORD = ", ".join(f"{c} {'text' if c in _JSON_COLUMNS else t}" for c, t in _COLUMNS)
_SELECTED = ", ".join(f"CAST({c} AS json)" if c in _JSON_COLUMNS else c for c, _ in _COLUMNS)
_FROM_BATCH = f"json_to_recordset(CAST(:batch AS json)) AS b({_RECORD})"
_PG_BATCH = text(
    f"WITH ledger_batch AS (INSERT INTO {EVENTS.name} (tenant_id, {_NAMES}) "
    f"SELECT :tenant_id, {_SELECTED} FROM {_FROM_BATCH}) "
    f"UPDATE {HEADS.name} SET seq = :head_seq, hash = :head_hash WHERE tenant_id = :tenant_id"
)


_CHAINED = ("seq", "prev_hash", "hash")
MAX_ATTEMPTS = 1000  # a batch loses the race to each other writer's commit at most once per attempt
# The same insert, guarded by a compare-and-set of the head, run on an autocommit connection: one statement
# that is its own transaction. It moves the head from (prev_seq, prev_hash) to the batch's last event and
# inserts the batch only if the head was still there; otherwise it changes nothing and counts 0.
_PG_APPEND = text(
    f"WITH moved AS (UPDATE {HEADS.name} SET seq = :head_seq, hash = :head_hash "
    "WHERE tenant_id = :tenant_id AND seq = :read_seq AND hash = :read_hash RETURNING tenant_id), "
    f"ledger_batch AS (INSERT INTO {EVENTS.name} (tenant_id, {_NAMES}) "
    f"SELECT moved.tenant_id, {_SELECTED} FROM moved, {_FROM_BATCH}) "
    "SELECT count(*) FROM moved"
)
_PG_HEAD = text(f"SELECT seq, hash FROM {HEADS.name} WHERE tenant_id = :tenant_id")

# The batch chained INSIDE PostgreSQL, in one autocommit statement (psycopg's %(name)s parameters): lock and
# read the head (``FOR UPDATE``: a concurrent batch of another process waits here for the previous commit and
# then reads the head that commit left), hash each event after the one before it with the server's
# ``sha256`` over exactly the text ``ChainLink.hash`` hashes (the canonical JSON pieces ``ChainLink.parts``
# rendered in Python, joined around the previous hash and the seq, as UTF-8), insert the events, move the
# head, and return each event's seq and hash. One round trip per batch whatever the contention: no head read
# before it, no batch chained again because another writer moved the head meanwhile. The chain format is
# unchanged (``audit verify`` recomputes every hash in Python; tests compare both byte for byte).
_CHAIN_RECORD = ", ".join(
    f"{c} {'text' if c in _JSON_COLUMNS else t}" for c, t in _COLUMNS if c not in ("seq", "prev_hash", "hash")
)
_CHAIN_SELECTED = ", ".join(
    "c.seq"
    if c == "seq"
    else "p.hash"
    if c == "prev_hash"
    else "c.hash"
    if c == "hash"
    else f"CAST(b.{c} AS json)"
    if c in _JSON_COLUMNS
    else f"b.{c}"
    for c, _ in _COLUMNS
)
PG_CHAIN_SQL = (
    "WITH RECURSIVE "
    f"head AS (SELECT seq, hash FROM {HEADS.name} WHERE tenant_id = %(tenant_id)s FOR UPDATE), "
    f"b AS (SELECT * FROM json_to_recordset(%(batch)s::json) AS b(n bigint, {_CHAIN_RECORD}, lh text, lt text)), "
    "chain (n, seq, hash) AS ("
    "SELECT CAST(0 AS bigint), CAST(seq AS bigint), CAST(hash AS text) FROM head "
    "UNION ALL SELECT b.n, c.seq + 1, encode(sha256(convert_to("
    "c.hash || b.lh || '\"' || c.hash || '\",\"seq\":' || CAST(c.seq + 1 AS text) || b.lt, 'UTF8')), 'hex') "
    "FROM chain c JOIN b ON b.n = c.n + 1), "
    f"ins AS (INSERT INTO {EVENTS.name} (tenant_id, {_NAMES}) SELECT %(tenant_id)s, {_CHAIN_SELECTED} "
    "FROM b JOIN chain c ON c.n = b.n JOIN chain p ON p.n = b.n - 1 RETURNING id, seq, hash), "
    f"moved AS (UPDATE {HEADS.name} SET seq = c.seq, hash = c.hash FROM chain c "
    f"WHERE {HEADS.name}.tenant_id = %(tenant_id)s AND c.n = %(size)s) "
    "SELECT id, seq, hash FROM ins"
)


def chain_parameters(
    dialect: Any, tenant_id: str, events: Sequence[dict[str, Any]], links: Sequence[ChainLink]
) -> dict[str, Any]:
    """``PG_CHAIN_SQL``'s parameters for `events` (``event_fields`` dicts) and their links."""
    rows = _pg_rows(dialect, events)
    for n, (row, link) in enumerate(zip(rows, links, strict=True), start=1):
        row["n"] = n
        row["lh"], row["lt"] = link.parts()
    return {"tenant_id": tenant_id, "batch": _batch_document(rows), "size": len(rows)}


def append_optimistic(
    conn: Connection, tenant_id: str, events: Sequence[dict[str, Any]], links: Sequence[ChainLink]
) -> list[Recorded] | None:
    """PostgreSQL, `conn` in autocommit: chain `events` after the head as read, then write them with
    ``_PG_APPEND``; when another writer moved the head meanwhile (the statement waited for its commit, then
    found the head changed and wrote nothing), read the head again and rechain. No lock is held across a
    round trip: the serial section of the chain is one statement and its commit, inside the server.
    Returns None when the tenant has no chain head yet (the caller creates it with ``write_batch``)."""
    rows = _pg_rows(conn.dialect, events)
    for _ in range(MAX_ATTEMPTS):
        row = conn.execute(_PG_HEAD, {"tenant_id": tenant_id}).first()
        if row is None:
            return None
        seq, head = int(row.seq), row.hash
        read_seq, read_hash = seq, head
        out = []
        for fields, link, stored in zip(events, links, rows, strict=True):
            seq += 1
            digest = link.hash(head, seq)
            stored["seq"], stored["prev_hash"], stored["hash"] = seq, head, digest
            out.append(Recorded(fields["id"], seq, digest))
            head = digest
        params = {
            "tenant_id": tenant_id,
            "batch": _batch_document(rows),
            "head_seq": seq,
            "head_hash": head,
            "read_seq": read_seq,
            "read_hash": read_hash,
        }
        if conn.execute(_PG_APPEND, params).scalar() == 1:
            return out
    raise RuntimeError(f"audit ledger: the chain head kept moving; {MAX_ATTEMPTS} attempts failed")


def _pg_rows(dialect: Any, events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The batch's rows as ``_FROM_BATCH`` reads them: each JSON column as the text the JSON type would
    bind (the dialect's serializer), the instant as ISO 8601 text in UTC (microseconds and offset kept)."""
    dumps = getattr(dialect, "_json_serializer", None) or json.dumps  # what the JSON type would do
    out = []
    for fields in events:
        row = {c: fields.get(c) for c, _ in _COLUMNS if c not in _CHAINED}
        for c in _JSON_COLUMNS:
            row[c] = dumps(row[c])
        row["at"] = row["at"].astimezone(UTC).isoformat()
        for c in _CHAINED:
            if c in fields:
                row[c] = fields[c]
        out.append(row)
    return out


def _batch_document(rows: list[dict[str, Any]]) -> str:
    """The ``:batch`` parameter: a JSON array of the rows (orjson; the standard encoder, which escapes
    what orjson refuses such as a lone surrogate, so the database reports it as it did before)."""
    try:
        return orjson.dumps(rows).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(rows)


# SQLite (the pysqlite driver): the batch's three statements as fixed texts sent on the DBAPI cursor of the
# SQLAlchemy connection, inside a transaction begun and committed by that connection (its events, such as a
# "commit" listener, still fire). The same statements SQLAlchemy renders from ``_lock_head`` and the Core
# insert/update, each value converted by the column type's own bind processor (``_sqlite_binders``), so the
# stored rows are the same bytes; what is skipped is building, cache-keying and compiling three statements per
# batch (two thirds of the ledger writer thread's CPU, measured: benchmarks/README.md "Session 6: hotpath").
_SQLITE_HEAD = (
    f"INSERT INTO {HEADS.name} (tenant_id, seq, hash) VALUES (?, ?, ?) "
    f"ON CONFLICT (tenant_id) DO UPDATE SET seq = {HEADS.name}.seq RETURNING seq, hash"
)
_SQLITE_MOVE = f"UPDATE {HEADS.name} SET seq = ?, hash = ? WHERE tenant_id = ?"
_SQLITE_COLUMNS = tuple(c.name for c in EVENTS.columns)
_SQLITE_INSERT = (
    f"INSERT INTO {EVENTS.name} ({', '.join(_SQLITE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _SQLITE_COLUMNS)})"
)
_binders_by_dialect: dict[int, tuple[tuple[str, Callable[[Any], Any] | None], ...]] = {}


def _sqlite_binders(dialect: Any) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each ``audit_events`` column with the bind processor SQLAlchemy applies to its values on `dialect`."""
    binders = _binders_by_dialect.get(id(dialect))
    if binders is None:
        binders = tuple(
            (c.name, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in EVENTS.columns
        )
        _binders_by_dialect[id(dialect)] = binders
    return binders


def _raw_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite" and conn.dialect.driver == "pysqlite"


def _write_sqlite(
    conn: Connection, tenant_id: str, events: Sequence[dict[str, Any]], links: Sequence[ChainLink]
) -> list[Recorded]:
    """``write_batch``'s chaining and writes on SQLite's DBAPI cursor (the caller has begun the transaction
    on `conn` and commits or rolls it back)."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    statement: str = _SQLITE_HEAD
    try:
        return _sqlite_statements(conn, tenant_id, events, links)
    except dbapi_error as exc:
        # Raised as SQLAlchemy raises it (OperationalError "database is locked" and the rest), so that
        # callers and `database_busy` read it as they read the statements' errors before (RATE_LIMITED).
        raise sa_exc.DBAPIError.instance(statement, None, exc, dbapi_error, dialect=conn.dialect) from exc


def _sqlite_statements(
    conn: Connection, tenant_id: str, events: Sequence[dict[str, Any]], links: Sequence[ChainLink]
) -> list[Recorded]:
    cursor = conn.connection.cursor()
    try:
        cursor.execute(_SQLITE_HEAD, (tenant_id, 0, GENESIS_HASH))
        seq, head = cursor.fetchone()
        seq = int(seq)
        binders = _sqlite_binders(conn.dialect)
        rows, out = [], []
        for fields, link in zip(events, links, strict=True):
            seq += 1
            digest = link.hash(head, seq)
            values = {**fields, "tenant_id": tenant_id, "seq": seq, "prev_hash": head, "hash": digest}
            rows.append(tuple(values[c] if bind is None else bind(values[c]) for c, bind in binders))
            out.append(Recorded(fields["id"], seq, digest))
            head = digest
        cursor.executemany(_SQLITE_INSERT, rows)
        cursor.execute(_SQLITE_MOVE, (seq, head, tenant_id))
    finally:
        cursor.close()
    return out


def write_batch(
    conn: Connection,
    tenant_id: str,
    events: Sequence[dict[str, Any]],
    *,
    links: Sequence[ChainLink] | None = None,
    extra: Iterable[tuple[Table, dict[str, Any]]] = (),
) -> list[Recorded]:
    """Chain `events` (``event_fields`` dicts) after the tenant's head, insert them and the `extra` rows
    (written after the events, e.g. feedback rows pointing at them), move the head and commit, all in one
    transaction on `conn`; on any failure roll back and raise. Synchronous: run it in a worker thread."""
    if links is None:
        links = [ChainLink(tenant_id=tenant_id, **fields) for fields in events]
    extra = list(extra)
    if _raw_sqlite(conn):
        try:
            if not conn.in_transaction():
                conn.begin()
            out = _write_sqlite(conn, tenant_id, events, links)
            _write_extra(conn, extra)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        return out
    try:
        seq, head = _lock_head(conn, tenant_id)
        rows, out = [], []
        for fields, link in zip(events, links, strict=True):
            seq += 1
            digest = link.hash(head, seq)
            rows.append({**fields, "tenant_id": tenant_id, "seq": seq, "prev_hash": head, "hash": digest})
            out.append(Recorded(fields["id"], seq, digest))
            head = digest
        if conn.dialect.name == "postgresql":
            params = {"tenant_id": tenant_id, "head_seq": seq, "head_hash": head}
            conn.execute(_PG_BATCH, {**params, "batch": _batch_document(_pg_rows(conn.dialect, rows))})
        else:
            conn.execute(insert(EVENTS), rows)
            conn.execute(update(HEADS).where(HEADS.c.tenant_id == tenant_id).values(seq=seq, hash=head))
        _write_extra(conn, extra)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return out


def _write_extra(conn: Connection, extra: Iterable[tuple[Table, dict[str, Any]]]) -> None:
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for table, row in extra:
        by_table.setdefault(table, []).append(row)
    for table, extra_rows in by_table.items():
        conn.execute(insert(table), extra_rows)


def _engine_of(session_factory: Callable[[], Session]) -> Engine:
    bind = getattr(session_factory, "kw", {}).get("bind")
    if bind is None:
        with session_factory() as s:
            bind = s.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


class GroupCommitter:
    """One per process and event loop. `delay` seconds of queueing before a batch is written when the queue
    was idle; events that arrive while a batch is being written form the next batch (no extra wait), so the
    batches grow with the load."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        delay: float = 0.002,
        max_batch: int = 500,
        wait_seconds: float | None = None,
        on_loop: bool | None = None,
    ) -> None:
        self.engine = _engine_of(session_factory)
        self.delay = delay
        self.max_batch = max_batch
        self.wait_seconds = wait_seconds  # PostgreSQL's lock_timeout on the kept connection (as the engine's)
        self._pending: dict[str, list[_Item]] = {}
        self._writers: dict[str, asyncio.Task[None]] = {}
        self.batches = 0  # committed batches and events, for tests and benchmarks
        self.events = 0
        # PostgreSQL with psycopg: batches are chained and written by the server in one statement sent from
        # the event loop itself on a kept autocommit AsyncConnection (no worker thread, no SQLAlchemy
        # execution layer, no head read, no retry). `on_loop=False`: the thread path (``append_optimistic``),
        # which other drivers and a server whose encoding is not UTF-8 use.
        dialect = self.engine.dialect
        possible = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self.on_loop = possible if on_loop is None else (on_loop and possible)
        self._conninfo = (
            self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            if self.on_loop
            else ""
        )
        self._aconn: Any = None  # psycopg.AsyncConnection, kept between batches

    async def append(
        self,
        *,
        tenant_id: str,
        kind: str | AuditKind,
        actor_id: str | None,
        actor_role: str | None,
        debtor_id: str | None = None,
        call_id: str | None = None,
        input: Any,
        output: Any,
        versions: Any,
        now: datetime,
    ) -> Recorded:
        """Record one event (``ledger.record``'s arguments); returns once it is committed."""
        fields = event_fields(
            kind=kind,
            actor_id=actor_id,
            actor_role=actor_role,
            debtor_id=debtor_id,
            call_id=call_id,
            input=input,
            output=output,
            versions=versions,
            now=now,
        )
        return await self.submit(tenant_id, fields)

    async def submit(
        self, tenant_id: str, fields: dict[str, Any], extra: Iterable[tuple[Table, dict[str, Any]]] = ()
    ) -> Recorded:
        """Queue prepared ``event_fields`` (and rows to write in the same transaction, after the events);
        returns once they are committed, raises ``LedgerWriteFailed`` when their transaction failed."""
        future: asyncio.Future[Recorded] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(tenant_id, []).append(_Item(fields, tuple(extra), future))
        if tenant_id not in self._writers:
            self._writers[tenant_id] = asyncio.create_task(self._drain(tenant_id))
        return await future

    async def close(self) -> None:
        """Wait until every queued event is written (call at shutdown, after the last request)."""
        while self._writers:
            await asyncio.gather(*list(self._writers.values()), return_exceptions=True)
        if self._aconn is not None:
            aconn, self._aconn = self._aconn, None
            await aconn.close()

    async def _connect(self) -> Any:
        import psycopg

        aconn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        try:
            if aconn.info.parameter_status("server_encoding") != "UTF8":
                self.on_loop = False  # convert_to(..., 'UTF8') would not see the bytes Python hashes
            elif self.wait_seconds is not None:
                await aconn.execute(f"SET lock_timeout = {int(self.wait_seconds * 1000)}")
        except BaseException:
            await aconn.close()
            raise
        return aconn

    async def _chain_on_loop(self, tenant_id: str, batch: list[_Item], links: list[ChainLink]) -> bool:
        """Write `batch` with ``PG_CHAIN_SQL`` on the kept connection; False: the tenant has no chain head
        yet, or this server cannot chain (nothing written: the caller takes the locking path)."""
        import psycopg

        params = chain_parameters(self.engine.dialect, tenant_id, [i.fields for i in batch], links)
        kept = self._aconn is not None
        for attempt in (1, 2):
            if self._aconn is None:
                self._aconn = await self._connect()
            if not self.on_loop:
                return False
            aconn = self._aconn
            try:
                cur = await aconn.execute(PG_CHAIN_SQL, params)
                rows = await cur.fetchall()
            except psycopg.OperationalError:
                self._aconn = None
                await aconn.close()
                if attempt == 1 and kept:
                    # A kept connection found broken (the server restarted while it was idle): once more on
                    # a new one. Had the statement committed before the break, the retry's insert of the
                    # same event ids fails (primary key) and the batch answers LedgerWriteFailed: never a
                    # duplicate, never an answer without its record.
                    continue
                raise
            except BaseException:
                self._aconn = None  # a failed connection is not reused
                await aconn.close()
                raise
            if not rows:
                return False  # no head row: nothing was written (the chain is empty)
            if len(rows) != len(batch):  # cannot happen: one statement, one transaction
                raise RuntimeError(f"audit ledger: {len(rows)} of {len(batch)} events written")
            by_id = {row[0]: Recorded(row[0], int(row[1]), row[2]) for row in rows}
            for item in batch:
                item.recorded = by_id[item.fields["id"]]
            return True
        raise AssertionError("unreachable")

    async def _write_async(
        self, conn: Connection | None, tenant_id: str, batch: list[_Item]
    ) -> Connection | None:
        """The on-loop path: one statement for a batch of events alone on an existing chain; the chain's
        first batch and batches carrying rows of other tables take the locking path in a worker thread."""
        links = [ChainLink(tenant_id=tenant_id, **item.fields) for item in batch]
        if not any(item.extra for item in batch) and await self._chain_on_loop(tenant_id, batch, links):
            return conn
        return await asyncio.to_thread(self._write_locked, tenant_id, batch, links)

    def _write_locked(self, tenant_id: str, batch: list[_Item], links: list[ChainLink]) -> None:
        extra = [row for item in batch for row in item.extra]
        with self.engine.connect() as tx:
            recorded = write_batch(tx, tenant_id, [i.fields for i in batch], links=links, extra=extra)
        for item, rec in zip(batch, recorded, strict=True):
            item.recorded = rec

    def _write(self, conn: Connection | None, tenant_id: str, batch: list[_Item]) -> Connection:
        links = [ChainLink(tenant_id=tenant_id, **item.fields) for item in batch]  # before any lock
        events = [item.fields for item in batch]
        extra = [row for item in batch for row in item.extra]
        if conn is None:
            conn = self.engine.connect()
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            recorded = None
            if conn.dialect.name == "postgresql":
                if not extra:
                    recorded = append_optimistic(conn, tenant_id, events, links)
                if recorded is None:  # rows to write with the events, or the chain's first batch
                    with self.engine.connect() as tx:
                        recorded = write_batch(tx, tenant_id, events, links=links, extra=extra)
            else:
                recorded = write_batch(conn, tenant_id, events, links=links, extra=extra)
        except BaseException:
            conn.close()  # a failed connection is not reused; the next batch checks out a fresh one
            raise
        for item, rec in zip(batch, recorded, strict=True):
            item.recorded = rec
        return conn

    async def _drain(self, tenant_id: str) -> None:
        conn: Connection | None = None
        try:
            if self.delay > 0:
                await asyncio.sleep(self.delay)
            while self._pending.get(tenant_id):
                queue = self._pending[tenant_id]
                batch, self._pending[tenant_id] = queue[: self.max_batch], queue[self.max_batch :]
                try:
                    if self.on_loop:
                        conn = await self._write_async(conn, tenant_id, batch)
                    else:
                        conn = await asyncio.to_thread(self._write, conn, tenant_id, batch)
                except Exception as exc:
                    conn = None
                    for item in batch:
                        if not item.future.done():
                            failed = LedgerWriteFailed(
                                f"audit ledger: the batch of {len(batch)} event(s) was not committed: {exc!r}"
                            )
                            failed.__cause__ = exc
                            item.future.set_exception(failed)
                    continue
                self.batches += 1
                self.events += len(batch)
                for item in batch:
                    if not item.future.done():
                        item.future.set_result(item.recorded)
        finally:
            if conn is not None:
                conn.close()  # back to the pool; its transaction has ended, so no round trip is due
            self._writers.pop(tenant_id, None)
            if self._pending.get(tenant_id):  # arrived after the loop's last look
                self._writers[tenant_id] = asyncio.create_task(self._drain(tenant_id))
            elif tenant_id in self._pending:
                del self._pending[tenant_id]
