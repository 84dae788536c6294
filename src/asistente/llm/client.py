"""A small client for any OpenAI-compatible chat endpoint, with a time budget.

The LLM is optional and never required: every caller keeps a local answer and uses the model's only when
`LLMResult.outcome` is OK. Nothing here raises for a slow, failing or confused endpoint; the outcome says
what happened (OK, TIMEOUT, ERROR, GARBAGE) and carries what the ledger needs: the model, a hash of the
prompt exactly as sent (already redacted by the caller), the raw output and the time spent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from asistente.settings import Settings

# A chat answer longer than this is not an answer to any prompt we send: it is treated as garbage and only
# its head is kept for the ledger.
MAX_OUTPUT_CHARS = 20_000
LEDGER_RAW_CHARS = 4_000


class LLMOutcome(StrEnum):
    OK = "OK"
    TIMEOUT = "TIMEOUT"  # no complete answer within the time budget
    ERROR = "ERROR"  # connection refused, HTTP error status, client error
    GARBAGE = "GARBAGE"  # an answer arrived but is not a usable chat completion (or fails the parser)


@dataclass(frozen=True)
class LLMConfig:
    model: str
    base_url: str | None = None  # None: the openai package's default endpoint (needs an API key)
    api_key: str = "unused"  # local OpenAI-compatible servers usually ignore it; the client requires one

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMConfig | None:
        """The configured endpoint, or None when no LLM is configured: ASISTENTE_LLM_MODEL and either
        OPENAI_BASE_URL (any OpenAI-compatible server; the key is optional) or OPENAI_API_KEY (the
        default endpoint)."""
        if not settings.llm_model or not (settings.openai_base_url or settings.openai_api_key):
            return None
        return cls(
            model=settings.llm_model,
            base_url=settings.openai_base_url or None,
            api_key=settings.openai_api_key or "unused",
        )


@dataclass(frozen=True)
class LLMResult:
    outcome: LLMOutcome
    model: str
    prompt_hash: str
    elapsed_ms: float
    raw: str | None = None  # the message content (or, for GARBAGE, the body as received), capped
    parsed: Any = None  # what the caller's parser returned, when OK
    error: str | None = None  # short reason when not OK

    @property
    def ok(self) -> bool:
        return self.outcome is LLMOutcome.OK

    def ledger(self) -> dict[str, Any]:
        """What an audit record keeps of this call."""
        raw = self.raw
        if raw is not None and len(raw) > LEDGER_RAW_CHARS:
            raw = raw[:LEDGER_RAW_CHARS] + f"…[{len(self.raw or '') - LEDGER_RAW_CHARS} more chars]"
        return {
            "model": self.model,
            "promptHash": self.prompt_hash,
            "outcome": self.outcome.value,
            "elapsedMs": round(self.elapsed_ms, 1),
            "raw": raw,
            "error": self.error,
        }


def prompt_hash(
    model: str, messages: Sequence[Mapping[str, str]], extra: Mapping[str, Any] | None = None
) -> str:
    """sha256 over the canonical JSON of what is sent (model, messages, options)."""
    body = {"model": model, "messages": list(messages), **(extra or {})}
    canon = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canon.encode("utf-8")).hexdigest()


@dataclass
class LLMClient:
    """One AsyncOpenAI client per process (it pools connections). Retries are off: the time budget is the
    caller's, and a retry inside it would only hide a failing endpoint."""

    config: LLMConfig
    _client: Any = field(default=None, init=False, repr=False)

    def _openai(self) -> Any:
        if self._client is None:
            from openai import AsyncOpenAI  # optional dependency (extra "llm"), imported when first used

            self._client = AsyncOpenAI(
                base_url=self.config.base_url, api_key=self.config.api_key, max_retries=0, timeout=30.0
            )
        return self._client

    def warm(self) -> LLMClient:
        """Import the openai package and build its client now (start-up), not inside a request's budget:
        the import alone takes a second or more and would block the event loop."""
        self._openai()
        return self

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        budget_s: float,
        parse: Callable[[str], Any] | None = None,
        json_object: bool = False,
        max_tokens: int = 300,
        temperature: float = 0.0,
    ) -> LLMResult:
        """Send `messages` (already redacted) and wait at most `budget_s` seconds for the whole answer.

        `parse` turns the message content into the caller's value; a ValueError/KeyError/TypeError from it
        makes the outcome GARBAGE. `json_object` asks for a JSON answer (`response_format`)."""
        model = self.config.model
        options: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature}
        if json_object:
            options["response_format"] = {"type": "json_object"}
        phash = prompt_hash(model, messages, options)
        client = self._openai()  # outside the budget: a first call imports openai (blocking)
        started = time.perf_counter()

        def result(outcome: LLMOutcome, **kw: Any) -> LLMResult:
            return LLMResult(
                outcome=outcome,
                model=model,
                prompt_hash=phash,
                elapsed_ms=(time.perf_counter() - started) * 1000,
                **kw,
            )

        try:
            async with asyncio.timeout(budget_s):
                response = await client.chat.completions.with_raw_response.create(
                    model=model, messages=list(messages), **options
                )
                body = response.text
        except TimeoutError:
            return result(LLMOutcome.TIMEOUT, error=f"no answer within {budget_s:g} s")
        except Exception as exc:  # any client, connection or HTTP-status failure: the local answer stands
            return result(LLMOutcome.ERROR, error=_describe(exc))

        content, reason = _content_of(body)
        if content is None:
            return result(LLMOutcome.GARBAGE, raw=_cap(body), error=reason)
        if parse is None:
            return result(LLMOutcome.OK, raw=content, parsed=content)
        try:
            parsed = parse(content)
        except (ValueError, KeyError, TypeError) as exc:
            return result(LLMOutcome.GARBAGE, raw=content, error=f"unusable answer: {exc}"[:300])
        return result(LLMOutcome.OK, raw=content, parsed=parsed)


def _cap(text: str) -> str:
    return text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS]


def _content_of(body: str) -> tuple[str | None, str]:
    """The first choice's message content from a chat-completion body, or (None, why not)."""
    if not body.strip():
        return None, "empty body"
    if len(body) > MAX_OUTPUT_CHARS * 2:
        return None, f"body of {len(body)} chars"
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None, "not a chat completion"
    if not isinstance(content, str) or not content.strip():
        return None, "empty content"
    if len(content) > MAX_OUTPUT_CHARS:
        return None, f"content of {len(content)} chars"
    return content, ""


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    return (f"{name} (HTTP {status})" if status else name)[:300]
