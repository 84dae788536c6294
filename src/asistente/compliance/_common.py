"""Small helpers shared by the contact and content evaluators."""

from __future__ import annotations

from asistente.compliance.types import Rule, RuleHit, Span


def bilingual(es: str, en: str) -> str:
    """The one-string message agents read: Spanish first, then English."""
    return f"{es} / {en}"


def hit(rule: Rule, es: str, en: str, span: Span | None = None) -> RuleHit:
    """A RuleHit for ``rule``; a message written in the pack replaces the generated one (details appended)."""
    if rule.message_es and rule.message_en:
        message = bilingual(rule.message_es, rule.message_en)
    else:
        message = bilingual(es, en)
    return RuleHit(
        rule_id=rule.id,
        code=rule.code,
        message=message,
        legal_source=rule.source,
        span=span,
        verify=rule.verify,
    )
