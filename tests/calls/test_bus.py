"""The call-event bus: in-process delivery, a slow subscriber dropped without affecting others, Redis
fan-out between two buses (two workers), and Redis being down."""

from __future__ import annotations

import asyncio
import os

import pytest

from asistente.calls.bus import CallBus

REDIS_URL = os.environ.get("ASISTENTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping()
    except Exception:
        return False
    return True


needs_redis = pytest.mark.skipif(not _redis_up(), reason=f"Redis not reachable at {REDIS_URL}")


def ev(seq: int) -> dict:
    return {"callId": "c1", "seq": seq, "kind": "TURN"}


async def test_in_process_delivery_is_per_tenant_and_call():
    bus = CallBus(None)
    mine = bus.subscribe("t1", "c1")
    other_tenant = bus.subscribe("t2", "c1")
    other_call = bus.subscribe("t1", "c2")
    for i in range(1, 4):
        assert await bus.publish("t1", "c1", ev(i)) is True
    assert [(await mine.get(0.1))["seq"] for _ in range(3)] == [1, 2, 3]
    assert await other_tenant.get(0.05) is None and await other_call.get(0.05) is None
    assert bus.status() == {"redis": "off"} and bus.healthy


async def test_a_subscriber_that_never_reads_is_dropped_and_others_are_unaffected():
    bus = CallBus(None, queue_size=4)
    lazy = bus.subscribe("t1", "c1")
    busy = bus.subscribe("t1", "c1")
    got = []
    for i in range(1, 11):
        await bus.publish("t1", "c1", ev(i))
        got.append((await busy.get(0.1))["seq"])
    assert got == list(range(1, 11))
    assert lazy.dropped and lazy.queue.qsize() == 4
    assert await lazy.get(1.0) is not None  # what it had is still readable; then it is told it was dropped
    assert bus.subscriber_count() == 1


@needs_redis
async def test_two_buses_fan_out_through_redis_once_each():
    a, b = CallBus(REDIS_URL), CallBus(REDIS_URL)
    try:
        sub_a, sub_b = a.subscribe("t1", "c-redis"), b.subscribe("t1", "c-redis")
        await asyncio.sleep(0.3)  # both listeners subscribed
        for i in range(1, 6):
            assert await (a if i % 2 else b).publish("t1", "c-redis", ev(i))
        got_a = [(await sub_a.get(1.0))["seq"] for _ in range(5)]
        got_b = [(await sub_b.get(1.0))["seq"] for _ in range(5)]
        # each bus delivers its own events locally and the other's from Redis: once each, never its own twice
        assert sorted(got_a) == sorted(got_b) == [1, 2, 3, 4, 5]
        assert await sub_a.get(0.3) is None and await sub_b.get(0.3) is None
        assert await a.check() and a.status() == {"redis": "up"}
    finally:
        await a.aclose()
        await b.aclose()


@needs_redis
async def test_a_turns_events_go_out_in_one_round_trip_and_in_order():
    a, b = CallBus(REDIS_URL), CallBus(REDIS_URL)
    try:
        sub_a, sub_b = a.subscribe("t1", "c-many"), b.subscribe("t1", "c-many")
        await asyncio.sleep(0.3)  # both listeners subscribed
        assert await a.publish_many("t1", "c-many", [ev(1), ev(2), ev(3)])
        assert await a.publish_many("t1", "c-many", [ev(4)])
        assert [(await sub_a.get(1.0))["seq"] for _ in range(4)] == [1, 2, 3, 4]  # local, at once
        assert [(await sub_b.get(1.0))["seq"] for _ in range(4)] == [1, 2, 3, 4]  # through Redis, in order
        assert await sub_a.get(0.3) is None and await sub_b.get(0.3) is None
        assert a.published == 4
    finally:
        await a.aclose()
        await b.aclose()


async def test_redis_down_still_delivers_locally_and_says_so():
    bus = CallBus("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        sub = bus.subscribe("t1", "c1")
        assert await bus.publish("t1", "c1", ev(1)) is False
        assert (await sub.get(0.1))["seq"] == 1
        assert not await bus.check()
        assert bus.status()["redis"] == "down" and not bus.healthy
        assert bus.publish_failures >= 1
        assert await bus.publish_many("t1", "c1", [ev(2), ev(3)]) is False  # still delivered here, in order
        assert [(await sub.get(0.1))["seq"] for _ in range(2)] == [2, 3]
    finally:
        await bus.aclose()
