"""Compliance engine: rule packs (data), contact permission and content checks. Pure functions only."""

from __future__ import annotations

from asistente.compliance.contact import evaluate_contact
from asistente.compliance.content import check_text
from asistente.compliance.packs import PackRegistry, RulePackError, load_packs
from asistente.compliance.types import (
    ComplianceReport,
    ConsentWindow,
    ContactDecision,
    ContactRequest,
    DebtorFacts,
    InteractionFact,
    Rule,
    RuleHit,
    RulePack,
    Span,
)

__all__ = [
    "ComplianceReport",
    "ConsentWindow",
    "ContactDecision",
    "ContactRequest",
    "DebtorFacts",
    "InteractionFact",
    "PackRegistry",
    "Rule",
    "RuleHit",
    "RulePack",
    "RulePackError",
    "Span",
    "check_text",
    "evaluate_contact",
    "load_packs",
]
