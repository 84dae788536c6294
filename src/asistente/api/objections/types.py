"""GraphQL types of the objection classifier (shared with suggestResponses)."""

from __future__ import annotations

import strawberry

from asistente.enums import ObjectionCategory as DomainObjectionCategory
from asistente.objections.classifier import Classification

ObjectionCategory = strawberry.enum(DomainObjectionCategory, name="ObjectionCategory")


@strawberry.type
class CategoryConfidence:
    category: ObjectionCategory
    confidence: float


@strawberry.type
class UtteranceClassification:
    category: ObjectionCategory = strawberry.field(
        description="The dominant objection in the turn (of two intents, the one to handle first: then "
        "an alternative may have a higher confidence)."
    )
    confidence: float = strawberry.field(description="Calibrated probability of `category` (0..1).")
    alternatives: list[CategoryConfidence] = strawberry.field(
        description="Next most likely categories, descending, each over 0.05, at most 3 (a second intent "
        "of the turn shows here)."
    )
    language: str = strawberry.field(description='"es" or "en": as given, or detected.')
    version: str = strawberry.field(description="Classifier model version.")


def classification(c: Classification) -> UtteranceClassification:
    return UtteranceClassification(
        category=c.category,
        confidence=c.confidence,
        alternatives=[CategoryConfidence(category=cat, confidence=p) for cat, p in c.alternatives],
        language=c.language,
        version=c.version,
    )
