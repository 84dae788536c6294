"""Rate limits: per API key, per agent session, per tenant, and on failed authentication per client address.

Fixed one-minute windows counted per bucket ("key:<sha256 prefix>", "session:<...>", "tenant:<id>",
"authfail:<address>"). In process by default (each worker counts on its own); shared by every worker and
host through Redis when REDIS_URL is set (INCR + EXPIRE on `asistente:rl:<bucket>:<window>`). A limited
request is answered by the HTTP middleware from its headers alone, before its body is read or any GraphQL
is parsed: 429, `Retry-After` (seconds to the end of the window) and a RATE_LIMITED error.

If Redis cannot be reached the limiter lets requests through (and logs it at most once a minute): an
outage of the counter must not become an outage of the service.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("asistente.ratelimit")
WINDOW = 60.0


@dataclass(frozen=True)
class Limits:
    """Requests per minute (0: no limit)."""

    per_key: int
    per_session: int
    per_tenant: int
    auth_failures: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    bucket: str = ""


def credential_bucket(credential: str) -> str:
    kind = "key" if credential.startswith("ask_") else "session"
    return f"{kind}:{hashlib.sha256(credential.encode('utf-8', 'surrogatepass')).hexdigest()[:24]}"


class _Counter(ABC):
    """Where the per-window counts live: MemoryCounter (this process) or RedisCounter (every worker)."""

    @abstractmethod
    async def incr(self, bucket: str, window: int, by: int = 1) -> int: ...

    @abstractmethod
    async def peek(self, bucket: str, window: int) -> int: ...


class MemoryCounter(_Counter):
    """This process's counters; windows older than the current one are dropped as time moves on."""

    def __init__(self) -> None:
        self.window = -1
        self.counts: dict[str, int] = {}

    def _roll(self, window: int) -> None:
        if window != self.window:
            self.window, self.counts = window, {}

    async def incr(self, bucket: str, window: int, by: int = 1) -> int:
        self._roll(window)
        n = self.counts.get(bucket, 0) + by
        self.counts[bucket] = n
        return n

    async def peek(self, bucket: str, window: int) -> int:
        self._roll(window)
        return self.counts.get(bucket, 0)


class RedisCounter(_Counter):
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.url = url
        self._clients: dict[int, Any] = {}  # one client per event loop (tests run several loops)
        self._redis = redis
        self._last_warning = 0.0

    def _client(self) -> Any:
        import asyncio

        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            client = self._redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
            self._clients = {loop_id: client}
        return client

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning > 60:
            self._last_warning = now
            log.warning("rate limits not enforced: Redis unavailable (%s)", exc)

    async def incr(self, bucket: str, window: int, by: int = 1) -> int:
        key = f"asistente:rl:{bucket}:{window}"
        try:
            pipe = self._client().pipeline(transaction=False)
            pipe.incrby(key, by)
            pipe.expire(key, int(WINDOW) + 5)
            n, _ = await pipe.execute()
            return int(n)
        except Exception as exc:
            self._warn(exc)
            return 0

    async def peek(self, bucket: str, window: int) -> int:
        try:
            value = await self._client().get(f"asistente:rl:{bucket}:{window}")
            return int(value or 0)
        except Exception as exc:
            self._warn(exc)
            return 0


class RateLimiter:
    def __init__(self, limits: Limits, redis_url: str | None = None, clock: Any = time.time) -> None:
        self.limits = limits
        self.counter: _Counter = RedisCounter(redis_url) if redis_url else MemoryCounter()
        self.clock = clock

    def _window(self) -> tuple[int, int]:
        now = self.clock()
        window = int(now // WINDOW)
        retry = max(1, math.ceil((window + 1) * WINDOW - now))
        return window, retry

    async def hit(self, bucket: str, limit: int) -> Verdict:
        """Count one request against `bucket`; refused once the window's count is over `limit`."""
        if limit <= 0:
            return Verdict(True)
        window, retry = self._window()
        n = await self.counter.incr(bucket, window)
        return Verdict(n <= limit, retry, bucket)

    async def blocked(self, bucket: str, limit: int) -> Verdict:
        """Whether `bucket` is already over `limit` this window, without counting."""
        if limit <= 0:
            return Verdict(True)
        window, retry = self._window()
        n = await self.counter.peek(bucket, window)
        return Verdict(n < limit, retry, bucket)

    async def credential(self, credential: str) -> Verdict:
        bucket = credential_bucket(credential)
        limit = self.limits.per_key if bucket.startswith("key:") else self.limits.per_session
        return await self.hit(bucket, limit)

    async def tenant(self, tenant_id: str) -> Verdict:
        return await self.hit(f"tenant:{tenant_id}", self.limits.per_tenant)

    async def address_blocked(self, address: str) -> Verdict:
        return await self.blocked(f"authfail:{address}", self.limits.auth_failures)

    async def auth_failed(self, address: str) -> None:
        await self.hit(f"authfail:{address}", self.limits.auth_failures)
