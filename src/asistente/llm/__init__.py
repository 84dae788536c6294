"""Optional LLM access shared by the domains: an OpenAI-compatible client with a time budget and an
outcome for the ledger (client), and personal-data redaction before a text leaves (redact).

Domain-level: no strawberry, no API import. Without OPENAI_BASE_URL and ASISTENTE_LLM_MODEL nothing here is
used and everything works offline."""

from asistente.llm.client import LLMClient, LLMConfig, LLMOutcome, LLMResult, prompt_hash
from asistente.llm.redact import KnownValues, redact, restore

__all__ = [
    "KnownValues",
    "LLMClient",
    "LLMConfig",
    "LLMOutcome",
    "LLMResult",
    "prompt_hash",
    "redact",
    "restore",
]
