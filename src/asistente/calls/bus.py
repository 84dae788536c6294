"""Fan-out of call events to the subscribers of a call: in process, and across workers through Redis.

Every event is first stored (``call_events``, seq assigned under the call's lock) and committed, then
published: delivered at once to this process's subscribers of the call, and sent to Redis (Pub/Sub,
channel ``asistente:call:<tenant>:<call>``) when ``REDIS_URL`` is set. Each process listens to every
call channel with one connection and hands events from other processes to its own subscribers.

Subscribers (``Subscription``) get each event once and in seq order: anything at or below the last seq
delivered is skipped (the origin process sees its own events locally and again from Redis), and a gap
(seq 7 arriving when 5 was the last delivered) is filled from the database, where seq 6 is already
committed (seqs are allocated under the call's lock, so 7 exists only after 6 was committed). When Redis is
down the publisher still answers (the failure is logged, ``status()`` says "down") and subscribers poll the
database instead, so nothing is lost, only later.

Each subscriber has a bounded queue (``queue_size``): a subscriber that does not keep up is dropped
(``Subscription.dropped``) and the others are unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("asistente.calls")

__all__ = ["CallBus", "Subscription"]

PREFIX = "asistente:call:"
RETRY_SECONDS = 1.0


@dataclass(eq=False)
class Subscription:
    tenant_id: str
    call_id: str
    queue: asyncio.Queue[dict[str, Any]]
    dropped: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def get(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None after ``timeout`` seconds or when dropped."""
        if not self.queue.empty():
            return self.queue.get_nowait()
        getter = asyncio.ensure_future(self.queue.get())
        waker = asyncio.ensure_future(self.wake.wait())
        try:
            done, _ = await asyncio.wait(
                {getter, waker}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waker.cancel()
            if not getter.done():
                getter.cancel()
        if getter in done and not getter.cancelled():
            return getter.result()
        return None


class CallBus:
    def __init__(self, redis_url: str | None = None, *, queue_size: int = 256) -> None:
        self.redis_url = redis_url
        self.queue_size = queue_size
        self.origin = uuid.uuid4().hex
        self._subs: dict[tuple[str, str], set[Subscription]] = defaultdict(set)
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._up = redis_url is None
        self._down_since: float | None = None
        self._last_error: str | None = None
        self.published = 0
        self.publish_failures = 0

    # -- state -------------------------------------------------------------------------------------
    @property
    def distributed(self) -> bool:
        return self.redis_url is not None

    @property
    def healthy(self) -> bool:
        return self.redis_url is None or self._up

    def status(self) -> dict[str, Any]:
        if self.redis_url is None:
            return {"redis": "off"}
        out: dict[str, Any] = {"redis": "up" if self._up else "down"}
        if not self._up and self._last_error:
            out["redisError"] = self._last_error
        return out

    def _mark_down(self, exc: BaseException) -> None:
        if self._up or self._down_since is None:
            log.error("call events: Redis unavailable (%s); events reach other workers by polling", exc)
        self._up = False
        self._down_since = self._down_since or time.monotonic()
        self._last_error = type(exc).__name__

    def _mark_up(self) -> None:
        if not self._up:
            log.warning("call events: Redis is back")
        self._up, self._down_since, self._last_error = True, None, None

    async def check(self) -> bool:
        """Ping Redis now (health checks); True when up or not configured."""
        if self.redis_url is None:
            return True
        try:
            await self._client().ping()
        except Exception as exc:
            self._mark_down(exc)
            return False
        self._mark_up()
        return True

    # -- subscribers -------------------------------------------------------------------------------
    def subscribe(self, tenant_id: str, call_id: str) -> Subscription:
        self._ensure_listener()
        sub = Subscription(tenant_id, call_id, asyncio.Queue(maxsize=self.queue_size))
        self._subs[(tenant_id, call_id)].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get((sub.tenant_id, sub.call_id))
        if subs is not None:
            subs.discard(sub)
            if not subs:
                self._subs.pop((sub.tenant_id, sub.call_id), None)

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subs.values())

    def _deliver(self, tenant_id: str, call_id: str, event: Mapping[str, Any]) -> None:
        for sub in list(self._subs.get((tenant_id, call_id), ())):
            try:
                sub.queue.put_nowait(dict(event))
            except asyncio.QueueFull:
                sub.dropped = True
                sub.wake.set()
                self.unsubscribe(sub)
                log.warning(
                    "call %s: a subscriber did not keep up (%d unread events) and was dropped",
                    call_id,
                    sub.queue.qsize(),
                )

    # -- publishing --------------------------------------------------------------------------------
    async def publish(self, tenant_id: str, call_id: str, event: Mapping[str, Any]) -> bool:
        """Deliver to this process's subscribers and send to the other workers. False when Redis failed
        (logged; the event is stored, so remote subscribers get it from the database)."""
        return await self.publish_many(tenant_id, call_id, (event,))

    async def publish_many(self, tenant_id: str, call_id: str, events: Sequence[Mapping[str, Any]]) -> bool:
        """``publish`` for a turn's events, in order: delivered here at once, sent to Redis in one round
        trip (a pipeline keeps their order on the channel)."""
        for event in events:
            self._deliver(tenant_id, call_id, event)
        if self.redis_url is None or not events:
            return True
        if not self._up and self._down_since and time.monotonic() - self._down_since < RETRY_SECONDS:
            self.publish_failures += len(events)
            return False
        channel = f"{PREFIX}{tenant_id}:{call_id}"
        messages = [
            json.dumps({"o": self.origin, "e": e}, separators=(",", ":"), default=str) for e in events
        ]
        try:
            client = self._client()
            if len(messages) == 1:
                await client.publish(channel, messages[0])
            else:
                async with client.pipeline(transaction=False) as pipe:
                    for message in messages:
                        pipe.publish(channel, message)
                    await pipe.execute()
        except Exception as exc:  # any Redis failure: the caller still gets its answer
            self.publish_failures += len(events)
            self._mark_down(exc)
            self._down_since = time.monotonic()
            return False
        self.published += len(events)
        self._mark_up()
        return True

    # -- Redis -------------------------------------------------------------------------------------
    def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._redis is None or self._loop is not loop:
            import redis.asyncio as aioredis

            self._loop = loop
            self._redis = aioredis.Redis.from_url(
                self.redis_url,
                socket_connect_timeout=0.5,
                socket_timeout=0.5,
                health_check_interval=10,
            )
        return self._redis

    def _ensure_listener(self) -> None:
        if self.redis_url is None:
            return
        loop = asyncio.get_running_loop()
        if self._listener is not None and not self._listener.done() and self._loop is loop:
            return
        self._client()
        self._listener = loop.create_task(self._listen())

    async def _listen(self) -> None:
        import redis.asyncio as aioredis

        while True:
            pubsub = conn = None
            try:
                conn = aioredis.Redis.from_url(self.redis_url, socket_connect_timeout=0.5)
                pubsub = conn.pubsub(ignore_subscribe_messages=True)
                await pubsub.psubscribe(f"{PREFIX}*")
                self._mark_up()
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None:
                        await conn.ping()
                        continue
                    self._on_message(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._mark_down(exc)
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.aclose()

    def _on_message(self, message: Mapping[str, Any]) -> None:
        try:
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            body = json.loads(message["data"])
        except (KeyError, ValueError, TypeError):
            log.warning("call events: unreadable message on %r", message.get("channel"))
            return
        if body.get("o") == self.origin:
            return  # delivered locally when published
        tenant_id, _, call_id = channel[len(PREFIX) :].partition(":")
        self._deliver(tenant_id, call_id, body.get("e") or {})

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(BaseException):
                await self._listener
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
