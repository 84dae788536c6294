"""Objection root fields: what kind of objection a debtor's turn is."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from asistente.api.core.context import Services
from asistente.api.core.permissions import ADMIN, AGENT, COMPLIANCE, INTEGRATOR, SUPERVISOR, register
from asistente.api.objections.types import UtteranceClassification, classification
from asistente.llm import LLMClient, LLMConfig
from asistente.objections.classifier import MAX_TEXT_CHARS, default_classifier
from asistente.objections.llm_step import LLM_BELOW, classify_with_llm

register("Query.classifyUtterance", frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN, COMPLIANCE}))


def llm_client(services: Services) -> LLMClient | None:
    """The process's LLM client (one per Services, it pools connections), or None when no LLM is
    configured."""
    if "llm" not in services.extras:  # normally built at start-up (app._load_domain_engines)
        config = LLMConfig.from_settings(services.settings)
        services.extras["llm"] = LLMClient(config).warm() if config else None
    return services.extras["llm"]


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "The objection category of one debtor turn (typed or transcribed), with a calibrated confidence "
            f"and alternatives. At most {MAX_TEXT_CHARS} characters; language es or en (detected when "
            "omitted). Offline by default; with an LLM configured, a turn classified under "
            f"{LLM_BELOW} confidence is also put to the LLM (personal data redacted, within a time budget)."
        )
    )
    async def classify_utterance(
        self, info: Info, text: str, language: str | None = None
    ) -> UtteranceClassification:
        info.context.require(info)
        client = llm_client(info.context.services)
        result, _ = await classify_with_llm(default_classifier(), text, language, client)
        return classification(result)
