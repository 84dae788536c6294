"""Per-request context: services, the authenticated principal, a per-operation session and loaders."""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from strawberry.types import Info

from asistente.api.core.permissions import PERMISSIONS
from asistente.db import utcnow
from asistente.errors import DomainError, Forbidden, RateLimited, Unauthenticated
from asistente.settings import Settings
from asistente.tenants.service import (
    EXPIRED,
    KEY_PREFIX,
    Principal,
    authenticate_key,
    authenticate_token,
    token_expired,
)

T = TypeVar("T")

if TYPE_CHECKING:
    from asistente.api.loaders import Loaders


@dataclass
class Services:
    """What every request shares; built once by create_app."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime] = utcnow
    extras: dict[str, Any] = field(default_factory=dict)  # domain engines (rule packs, policies...)
    # Read-only operations' engine and sessions (PostgreSQL: autocommit, writes refused by the server);
    # None: they use `engine` / `session_factory` like every other operation.
    read_engine: Engine | None = None
    read_session_factory: sessionmaker[Session] | None = None
    _auth_cache: dict[str, tuple[float, Principal]] = field(default_factory=dict)
    _slots: dict[int, asyncio.Semaphore] = field(default_factory=dict)

    def db_slots(self) -> asyncio.Semaphore:
        """How many operations of this process may hold a database connection at once (per event loop)."""
        loop_id = id(asyncio.get_running_loop())
        sem = self._slots.get(loop_id)
        if sem is None:
            pool = self.engine.pool
            size = getattr(pool, "size", lambda: 5)()
            overflow = getattr(pool, "_max_overflow", 0)
            capacity = size + overflow if overflow >= 0 else 1000
            sem = asyncio.Semaphore(max(1, capacity - 1))
            self._slots = {loop_id: sem}
        return sem

    def write_executor(self) -> Any:
        """The threads that run writes which may wait for the database's locks (Context.in_thread): a pool
        of their own, so writes that wait never hold up the ledger's committers (default executor)."""
        pool = self.extras.get("write_executor")
        if pool is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="asistente-write")
            self.extras["write_executor"] = pool
        return pool

    def read_session(self) -> Session:
        """A session for reads only (PostgreSQL: the read-only engine; a write through it is refused)."""
        return (self.read_session_factory or self.session_factory)()

    def reader(self) -> Engine:
        """The engine of statements that only read (cursor-level readers: card revisions, debtor state)."""
        return self.read_engine if self.read_engine is not None else self.engine

    def authenticate(self, credential: str) -> Principal:
        """The caller behind a key or token. Verified lookups are cached for `auth_cache_seconds` (the delay
        before a revoked key stops working on this worker); an agent token's expiry is checked against the
        service clock on every use, cached or not, so an expired session is refused at once."""
        hit = self._auth_cache.get(credential)
        mono = time.monotonic()
        if hit is not None and hit[0] > mono:
            principal = hit[1]
            if principal.expires_at is not None and token_expired(principal.expires_at, self.clock()):
                self._auth_cache.pop(credential, None)
                raise Unauthenticated(EXPIRED)
            return principal
        with self.session_factory() as s:
            if credential.startswith(KEY_PREFIX):
                principal = authenticate_key(s, credential)
            else:
                principal = authenticate_token(s, credential, now=self.clock())
        if len(self._auth_cache) > 10_000:
            self._auth_cache.clear()
        self._auth_cache[credential] = (mono + self.settings.auth_cache_seconds, principal)
        return principal

    def ledger_writer(self) -> Any:
        """This process's audit group committer (one per event loop, like the database slots)."""
        from asistente.audit.group import GroupCommitter

        loop_id = id(asyncio.get_running_loop())
        writer = self.extras.get("ledger_writer")
        if writer is None or writer[0] != loop_id:
            delay = self.settings.audit_batch_ms / 1000
            wait = self.settings.database_wait_seconds
            writer = (loop_id, GroupCommitter(self.session_factory, delay=delay, wait_seconds=wait))
            self.extras["ledger_writer"] = writer
        return writer[1]

    async def close_ledger_writer(self) -> None:
        """Wait until this event loop's queued audit events are written (application shutdown)."""
        writer = self.extras.get("ledger_writer")
        if writer is not None and writer[0] == id(asyncio.get_running_loop()):
            await writer[1].close()

    def forget_credentials(self) -> None:
        self._auth_cache.clear()


class Context:
    def __init__(self, services: Services, request: Any = None, response: Any = None) -> None:
        self.services = services
        self.settings = services.settings
        self.request = request
        self.response = response
        self.principal: Principal | None = None
        self.auth_error: DomainError | None = Unauthenticated(
            "missing credentials: send Authorization: Bearer <API key or agent token>"
        )
        self.connection_params: Any = None  # set by the WebSocket handler from connection_init
        self._credential: str | None = None
        self.websocket = False  # set by the WebSocket handler
        self.limited: int | None = None  # seconds to wait when this WebSocket operation is over a rate limit
        self.origin: str | None = None
        self.same_origin = True
        self._session: Session | None = None
        # Set by a path that runs an operation known to write nothing through its session (it records
        # through the ledger's group committer, which has sessions of its own): the session then comes
        # from the read-only factory. A write attempted through it fails (the server refuses it).
        self.reads_only = False
        self._loaders: Loaders | None = None
        self._now: datetime | None = None
        # Whatever a module keeps for the rest of one operation (a tenant's rule packs, a store bound to the
        # session): explicit, and emptied when the operation ends. A WebSocket's context lives for the whole
        # connection, so nothing may be stashed on it as an attribute.
        self._memo: dict[str, Any] = {}
        # Rows this context's owner already read, handed to each operation's new loaders (the card
        # snapshot's sub-operation, so its first view does not read the same rows twice).
        self.seed_loaders: Callable[[Loaders], None] | None = None

    # -- authentication
    def authenticate_header(self, header: str | None, done: tuple | None = None) -> None:
        """`done`: (credential, principal, error) when the HTTP middleware already authenticated it."""
        if not header:
            return
        scheme, _, credential = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            self.auth_error = Unauthenticated("Authorization must be 'Bearer <API key or agent token>'")
            return
        self._credential = credential.strip()
        if done is not None and done[0] == self._credential:
            self.principal, self.auth_error = done[1], done[2]
            return
        try:
            self.principal = self.services.authenticate(self._credential)
            self.auth_error = None
        except DomainError as exc:
            self.principal = None
            self.auth_error = exc

    def require(self, info: Info) -> Principal:
        """Authenticate and authorise the root field being resolved; return the principal."""
        return self.require_field(info.path.typename, info.field_name)

    def require_field(self, typename: str, field_name: str) -> Principal:
        if self.principal is not None and self.websocket and self._credential:
            # A WebSocket keeps its context for the whole connection: check the credential again on every
            # operation (through the same cache as HTTP), so a revoked key or an expired agent token stops
            # working on open sockets too.
            try:
                self.principal = self.services.authenticate(self._credential)
            except DomainError as exc:
                self.principal, self.auth_error = None, exc
        if self.principal is None:
            raise self.auth_error or Unauthenticated("missing credentials")
        if self.limited is not None:
            raise RateLimited(f"rate limit: too many requests for this credential; retry in {self.limited} s")
        allowed = PERMISSIONS.get(f"{typename}.{field_name}")
        if allowed is None:  # a field nobody listed is nobody's
            raise Forbidden(f"{field_name} is not available")
        if self.principal.role not in allowed:
            raise Forbidden(f"role {self.principal.role.value} may not use {field_name}")
        if self.origin and not self.same_origin and self.origin not in self.principal.cors_origins:
            raise Forbidden(f"origin {self.origin} is not allowed for this tenant")
        return self.principal

    # -- the audit ledger
    def record(self, kind: str, *, now: datetime | None = None, **fields: Any) -> Any:
        """Append one event for the caller to the tenant's ledger in this operation's session (the caller
        commits). No advice without a record: a failure raises and the resolver returns nothing."""
        from asistente.audit import ledger

        p = self.principal
        if p is None:
            raise self.auth_error or Unauthenticated("missing credentials")
        return ledger.record(
            self.session,
            tenant_id=p.tenant_id,
            kind=kind,
            actor_id=p.actor_id,
            actor_role=p.role.value,
            now=now or self.now(),
            **fields,
        )

    async def record_committed(
        self,
        kind: str,
        *,
        now: datetime | None = None,
        prepared: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Any:
        """Append one event through the process's group committer and return once it is committed (its
        `id`, `seq`, `hash`); raises `LedgerWriteFailed` when its batch could not be committed. This is how
        advice whose only write is its record (checks, suggestions, drafts) is recorded; a resolver that
        also changes state under the tenant's lock uses `record` and commits both in its own transaction.
        This operation's session is ended first (it holds only reads), so no connection is held while the
        batch is written. `prepared`: stored fields (`input`, `output`, `versions`) the caller has already
        passed through `audit.chain.prepare` (e.g. remembered with an answer it serves again); they replace
        those fields (give them as None), and the writer never changes them."""
        from asistente.audit.group import event_fields

        p = self._recording_principal()
        fields = event_fields(
            kind=kind, actor_id=p.actor_id, actor_role=p.role.value, now=now or self.now(), **fields
        )
        if prepared:
            for name, value in prepared.items():
                if name not in ("input", "output", "versions"):
                    raise ValueError(f"prepared {name}: only input, output and versions")
                fields[name] = value
        return await self._submit(p.tenant_id, fields)

    async def record_feedback_committed(self, event: dict[str, Any], row: dict[str, Any]) -> Any:
        """Write feedback (``ledger.feedback_parts``: the FEEDBACK event and its ``audit_feedback`` row)
        through the group committer, both in the batch's transaction; returns once committed."""
        from asistente.audit.group import event_fields
        from asistente.audit.models import AuditFeedback

        p = self._recording_principal()
        fields = event_fields(**event, feedback=True)
        return await self._submit(p.tenant_id, fields, [(AuditFeedback.__table__, row)])

    def _recording_principal(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated("missing credentials")
        return self.principal

    async def _submit(self, tenant_id: str, fields: dict[str, Any], extra: Any = ()) -> Any:
        if self._session is not None and self._session.in_transaction():
            self._session.rollback()
        return await self.services.ledger_writer().submit(tenant_id, fields, extra)

    async def in_thread(self, write: Callable[[], T]) -> T:
        """Run a synchronous write (it locks the tenant, updates rows, commits) in a worker thread. On the
        event loop its wait for a lock another client holds (up to Settings.database_wait_seconds) would
        stop every other request of this worker, reads included, for as long as it waits. The operation's
        session is only ever used by one thread at a time: if this coroutine is cancelled, it still waits
        for the thread before the operation ends (and closes the session)."""
        run = contextvars.copy_context().run  # the request id of log lines
        future = asyncio.get_running_loop().run_in_executor(self.services.write_executor(), run, write)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            while not future.done():
                try:
                    await asyncio.wait([future])
                except asyncio.CancelledError:
                    continue
            raise

    def lock_tenant(self) -> None:
        """Take the tenant's write lock for this operation's transaction: decisions that read state and then
        change it (agreements) must not interleave with another worker doing the same."""
        from asistente.audit import ledger

        if self.principal is None:
            raise self.auth_error or Unauthenticated("missing credentials")
        ledger.lock_tenant(self.session, self.principal.tenant_id)

    # -- per-operation resources
    @property
    def session(self) -> Session:
        if self._session is None:
            factory = self.services.read_session_factory if self.reads_only else None
            self._session = (factory or self.services.session_factory)()
        return self._session

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from asistente.api.loaders import Loaders

            if self.principal is None:
                raise self.auth_error or Unauthenticated("missing credentials")
            self._loaders = Loaders(self)
            if self.seed_loaders is not None:
                self.seed_loaders(self._loaders)
        return self._loaders

    def now(self) -> datetime:
        """One instant per operation, so every part of a card agrees on 'now'."""
        if self._now is None:
            self._now = self.services.clock()
        return self._now

    def per_operation(self, key: str, build: Callable[[], T]) -> T:
        """The value `build()` made for this operation under `key` (built at most once per operation)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def memoized(self, key: str) -> bool:
        """Whether this operation already holds a value under `key`."""
        return key in self._memo

    def forget(self, key: str) -> None:
        """Drop one per-operation value (e.g. after the operation changed what it was built from)."""
        self._memo.pop(key, None)

    def begin_operation(self) -> None:
        self.end_operation()

    def end_operation(self) -> None:
        if self._session is not None:
            try:
                self._session.rollback()
            finally:
                self._session.close()
                self._session = None
        self._loaders = None
        self._now = None
        self._memo.clear()
