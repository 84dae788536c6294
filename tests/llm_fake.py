"""A real OpenAI-compatible HTTP server for tests: POST /v1/chat/completions on 127.0.0.1, a free port,
served by uvicorn in a thread (one per test session), scripted per test.

    def test_x(llm_fake):
        llm_fake.push(Reply.json({"codes": ["THREAT"]}), Reply.delayed(2.0, "late"))
        llm_fake.respond_with(lambda body: Reply.text("..."))   # or a function of the request body
        ... LLMConfig(base_url=llm_fake.base_url, model="fake-model") ...
        assert llm_fake.requests[0]["messages"] ...

Every request body is recorded (parsed JSON, or {"_raw": text}) so a test can assert what reached the
model, e.g. that no personal data did. With nothing scripted the server answers HTTP 500 (a test that
forgot to script a reply fails loudly instead of passing on a default)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass(frozen=True)
class Reply:
    content: str | None = None  # the assistant message content (a normal completion)
    status: int = 200
    body: str | bytes | None = None  # a raw body instead of a completion (garbage, empty, huge)
    delay: float = 0.0  # seconds to wait before answering

    @classmethod
    def text(cls, content: str, delay: float = 0.0) -> Reply:
        return cls(content=content, delay=delay)

    @classmethod
    def json(cls, value: Any, delay: float = 0.0) -> Reply:
        return cls(content=json.dumps(value, ensure_ascii=False), delay=delay)

    @classmethod
    def delayed(cls, delay: float, content: str = '{"codes": []}') -> Reply:
        return cls(content=content, delay=delay)

    @classmethod
    def error(cls, status: int = 500) -> Reply:
        return cls(status=status, body='{"error": {"message": "scripted failure", "type": "server_error"}}')

    @classmethod
    def garbage(cls) -> Reply:
        return cls(body='{"choices": [ this is not json')

    @classmethod
    def empty(cls) -> Reply:
        return cls(body="")

    @classmethod
    def huge(cls, size: int = 100_000) -> Reply:
        return cls(content="x" * size)


class FakeLLM:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._fn: Callable[[dict[str, Any]], Reply] | None = None
        self.requests: list[dict[str, Any]] = []
        self.base_url = ""

    # scripting ------------------------------------------------------------------------------------------
    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def respond_with(self, fn: Callable[[dict[str, Any]], Reply] | None) -> None:
        with self._lock:
            self._fn = fn

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._fn = None
            self.requests.clear()

    def sent_text(self) -> str:
        """Everything the server received, as one string (to assert what never reached it)."""
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in self.requests)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self._queue:
                return self._queue.popleft()
            fn = self._fn
        if fn is not None:
            return fn(body)
        return Reply.error(500)

    # the endpoint ---------------------------------------------------------------------------------------
    async def _chat(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        reply = self._next(body)
        if reply.delay:
            # wait, but stop as soon as the client gave up (a timed-out caller disconnects)
            until = time.monotonic() + reply.delay
            while time.monotonic() < until:
                if await request.is_disconnected():
                    return Response(status_code=499)
                await asyncio.sleep(min(0.02, max(0.0, until - time.monotonic())))
        if reply.body is not None:
            return Response(reply.body, status_code=reply.status, media_type="application/json")
        return JSONResponse(
            {
                "id": f"chatcmpl-fake-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            },
            status_code=reply.status,
        )

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_fake_llm() -> Iterator[FakeLLM]:
    """Start a FakeLLM on 127.0.0.1 (free port) in a thread; stop it on exit (also usable outside pytest,
    e.g. benchmarks/compliance_llm_eval.py)."""
    fake = FakeLLM()
    port = _free_port()
    config = uvicorn.Config(
        fake.app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="llm-fake", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake LLM server did not start")
        time.sleep(0.01)
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def _llm_fake_server() -> Iterator[FakeLLM]:
    with serve_fake_llm() as fake:
        yield fake


@pytest.fixture
def llm_fake(_llm_fake_server: FakeLLM) -> Iterator[FakeLLM]:
    """The session's fake LLM server, with an empty script and request log for this test."""
    _llm_fake_server.reset()
    yield _llm_fake_server
    _llm_fake_server.reset()
