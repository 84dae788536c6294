"""Typed settings read from the environment (one object, passed down; no module globals)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'asistente.db'}",
        validation_alias="DATABASE_URL",
    )
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    llm_model: str | None = Field(default=None, validation_alias="ASISTENTE_LLM_MODEL")
    # The LLM second reader of checkCompliance (compliance.review): its time budget, the text-model margin
    # under which a text the local engine passes is read again, and whether texts too short for the model
    # (one call line, a short SMS) are always read again.
    llm_review_budget_ms: int = Field(
        default=800, ge=50, le=30_000, validation_alias="ASISTENTE_LLM_REVIEW_BUDGET_MS"
    )
    llm_review_margin: float = Field(
        default=0.4, ge=0.0, le=1.0, validation_alias="ASISTENTE_LLM_REVIEW_MARGIN"
    )
    llm_review_short_texts: bool = Field(default=True, validation_alias="ASISTENTE_LLM_REVIEW_SHORT_TEXTS")

    # Exposure of the schema. None means: on in demo mode, off otherwise.
    graphiql: bool | None = Field(default=None, validation_alias="ASISTENTE_GRAPHIQL")
    introspection: bool | None = Field(default=None, validation_alias="ASISTENTE_INTROSPECTION")
    demo: bool = Field(default=False, validation_alias="ASISTENTE_DEMO")
    # Where `serve --demo` keeps the agent key it printed, so the next start shows the same key.
    demo_key_file: str = Field(
        default_factory=lambda: str(Path.cwd() / ".asistente-demo-key"),
        validation_alias="ASISTENTE_DEMO_KEY_FILE",
    )

    # Limits on GraphQL documents and inputs.
    max_query_depth: int = Field(default=12, validation_alias="ASISTENTE_MAX_QUERY_DEPTH")
    max_aliases: int = Field(default=30, validation_alias="ASISTENTE_MAX_ALIASES")
    max_tokens: int = Field(default=3000, validation_alias="ASISTENTE_MAX_TOKENS")
    max_list_items: int = Field(default=1000, validation_alias="ASISTENTE_MAX_LIST_ITEMS")
    max_body_bytes: int = Field(default=8 * 1024 * 1024, validation_alias="ASISTENTE_MAX_BODY_BYTES")

    # Agent session tokens minted by createAgentSession.
    agent_token_ttl_seconds: int = Field(default=8 * 3600, validation_alias="ASISTENTE_AGENT_TOKEN_TTL")
    # Sessions minted for a CRM sidebar after its host's proof was verified (or by the demo CRM).
    host_session_ttl_seconds: int = Field(default=3600, ge=60, validation_alias="ASISTENTE_HOST_SESSION_TTL")
    # Twilio's token validation service (Flex); tests point it at a local fake.
    twilio_iam_url: str = Field(default="https://iam.twilio.com", validation_alias="ASISTENTE_TWILIO_IAM_URL")
    # How long a verified API key stays in the per-process cache (revocation delay).
    auth_cache_seconds: float = Field(default=30.0, validation_alias="ASISTENTE_AUTH_CACHE_SECONDS")
    # Debtor cards kept per process for the cached card path (0 turns the path off); each is checked
    # against the debtor's card revision on every request, so the cache never serves stale data. 0 also
    # turns off the per-debtor inputs of suggestResponses and draftMessage (asistente.api.core.state).
    card_cache_size: int = Field(default=2000, ge=0, validation_alias="ASISTENTE_CARD_CACHE_SIZE")
    # With --workers, how long a worker may take to answer the supervisor's health ping before it is killed
    # and restarted. uvicorn's 5 s default killed workers still starting (or busy) on a loaded host, over
    # and over, so the service never came up (issue 15's benchmark on a shared 2-core machine).
    worker_healthcheck_seconds: int = Field(
        default=60, ge=1, validation_alias="ASISTENTE_WORKER_HEALTHCHECK_SECONDS"
    )

    # The longest a request waits for the database, in seconds: for another transaction's lock (SQLite's
    # busy_timeout, PostgreSQL's lock_timeout) and for a free connection in the pool (pool_timeout). Past
    # it the request is rolled back whole and answers RATE_LIMITED with `retryAfter` (API.md: a busy
    # database is retried like a rate limit), never a 500.
    database_wait_seconds: float = Field(
        default=30.0, gt=0, le=600, validation_alias="ASISTENTE_DB_WAIT_SECONDS"
    )

    # Serving processes only: how long (ms) a thread may hold the GIL while another waits for it
    # (sys.setswitchinterval; Python's default is 5 ms). The turn and audit committers write in worker
    # threads; every statement they run releases the GIL and, at 5 ms, waits up to 5 ms to get it back
    # from the event loop, while holding the database's write lock (benchmarks/README.md, live calls).
    gil_switch_ms: float = Field(default=0.5, gt=0, le=100, validation_alias="ASISTENTE_GIL_SWITCH_MS")
    # Serving processes only: after this many requests (then 10x and 100x as many), a worker collects and
    # freezes what its first requests built (memos, prepared documents, pools) so that Python's full garbage
    # collections stop walking it: each such collection paused every request in flight for 26-109 ms
    # (benchmarks/README.md, session 6: drafttail2). 0: only the start-up freeze.
    gc_refreeze_requests: int = Field(default=2000, ge=0, validation_alias="ASISTENTE_GC_REFREEZE_REQUESTS")
    # `serve --workers N`: each worker listens on a socket of its own (SO_REUSEPORT, Linux), so the kernel
    # spreads connections over the workers (asistente/serving.py); 0: one shared socket, as uvicorn does.
    reuse_port: bool = Field(default=True, validation_alias="ASISTENTE_REUSE_PORT")
    # Audit group commit: how long (ms) a recorded check waits for others to share its transaction.
    audit_batch_ms: float = Field(default=2.0, ge=0, le=100, validation_alias="ASISTENTE_AUDIT_BATCH_MS")
    # Live calls: the time an LLM-written call summary may take before the rule-based one is used.
    llm_summary_budget_ms: int = Field(
        default=2500, ge=100, validation_alias="ASISTENTE_LLM_SUMMARY_BUDGET_MS"
    )
    # Live calls: events a callAssist subscriber may leave unread before it is dropped.
    call_queue_size: int = Field(default=256, ge=1, validation_alias="ASISTENTE_CALL_QUEUE_SIZE")

    # Audit ledger retention in years (US Regulation F 12 CFR 1006.100: three years).
    audit_retention_years: int = Field(default=3, validation_alias="ASISTENTE_AUDIT_RETENTION_YEARS")

    # Rate limits, requests per minute (0: none); shared through Redis when REDIS_URL is set.
    rate_limit_key: int = Field(default=1200, ge=0, validation_alias="ASISTENTE_RATE_LIMIT_KEY")
    rate_limit_session: int = Field(default=600, ge=0, validation_alias="ASISTENTE_RATE_LIMIT_SESSION")
    rate_limit_tenant: int = Field(default=60000, ge=0, validation_alias="ASISTENTE_RATE_LIMIT_TENANT")
    rate_limit_auth_failures: int = Field(
        default=30, ge=0, validation_alias="ASISTENTE_RATE_LIMIT_AUTH_FAILURES"
    )

    # Logs: level of the service's own loggers, and "text" or "json" (one JSON object per line).
    log_level: str = Field(default="INFO", validation_alias="ASISTENTE_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="ASISTENTE_LOG_FORMAT")

    # Extra directory of tenant rule-pack overlays (JSON), optional.
    rule_pack_dir: Path | None = Field(default=None, validation_alias="ASISTENTE_RULE_PACK_DIR")
    # Extra directory of objection playbook files (JSON, schema/playbook.schema.json), optional.
    playbook_dir: Path | None = Field(default=None, validation_alias="ASISTENTE_PLAYBOOK_DIR")
    # Directory of message templates replacing the built-in ones (drafting/templates), optional.
    draft_template_dir: Path | None = Field(default=None, validation_alias="ASISTENTE_DRAFT_TEMPLATE_DIR")
    # Where start-up results are remembered between starts (the template check's verdicts); empty: nowhere.
    cache_dir: Path | None = Field(
        default_factory=lambda: Path.home() / ".cache" / "asistente", validation_alias="ASISTENTE_CACHE_DIR"
    )
    # Time budget of one LLM drafting request, in seconds (the template draft is served past it).
    llm_draft_budget_seconds: float = Field(default=8.0, gt=0, validation_alias="ASISTENTE_LLM_DRAFT_BUDGET")

    @property
    def graphiql_enabled(self) -> bool:
        return self.demo if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.demo if self.introspection is None else self.introspection

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
