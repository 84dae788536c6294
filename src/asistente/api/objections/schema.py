"""Objection root fields: what kind of objection a debtor's turn is."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from asistente.api.core.permissions import ADMIN, AGENT, COMPLIANCE, INTEGRATOR, SUPERVISOR, register
from asistente.api.objections.types import UtteranceClassification, classification
from asistente.objections.classifier import MAX_TEXT_CHARS, default_classifier

register("Query.classifyUtterance", frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN, COMPLIANCE}))


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "The objection category of one debtor turn (typed or transcribed), with a calibrated confidence "
            f"and alternatives. At most {MAX_TEXT_CHARS} characters; language es or en (detected when "
            "omitted). Offline: no network call."
        )
    )
    async def classify_utterance(
        self, info: Info, text: str, language: str | None = None
    ) -> UtteranceClassification:
        info.context.require(info)
        return classification(default_classifier().classify(text, language))
