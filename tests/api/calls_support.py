"""Shared pieces of the live-call API tests: the demo tenant, keys per role, GraphQL documents, and the
objection classifier (the real one when its branch is merged, else a small keyword classifier so the call
machinery is tested on its own; suggestions are compared with suggestResponses under the same one)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from asistente.enums import ObjectionCategory

PUSH = """mutation($input: PushTranscriptInput!) { pushTranscript(input: $input) {
  callId seq at kind speaker text auditId
  suggestions { category confidence alternatives { category confidence }
    suggestions { id text rationale register technique language source }
    nextSteps { kind message at } auditId language register withheld playbookVersion }
  compliance { compliant packVersion auditId violations { ruleId code message legalSource span { start end } }
    warnings { ruleId code message } } } }"""
SUGGEST = """query($input: SuggestInput!) { suggestResponses(input: $input) {
  category confidence alternatives { category confidence }
  suggestions { id text rationale register technique language source }
  nextSteps { kind message at } language register withheld playbookVersion } }"""
END = """mutation($c: ID!, $l: String) { endCall(callId: $c, language: $l) {
  callId debtorId summary disposition crmCode reasons objections language auditId generator
  alerts { ruleId code message } promise { amount currency dueDate quote } } }"""
ASSIST = """subscription($c: ID!, $after: Int) { callAssist(callId: $c, afterSeq: $after) {
  callId seq kind speaker text auditId
  suggestions { category suggestions { id text } }
  compliance { compliant violations { ruleId code } warnings { ruleId code } }
  summary { disposition promise { amount currency dueDate } } } }"""


@dataclass
class KeywordClassifier:
    """Test double used only while the real classifier (branch obj-classifier) is not merged."""

    version: str = "test-keywords"
    rules: list[tuple[str, ObjectionCategory]] = field(
        default_factory=lambda: [
            (
                r"no tengo (dinero|lana)|me qued[eé] sin|no money|can't afford|lost my job",
                ObjectionCategory.NO_MONEY,
            ),
            (r"ya pagu[eé]|already paid", ObjectionCategory.ALREADY_PAID),
            (r"no es m[ií]a|no reconozco|not my debt|don't owe", ObjectionCategory.DISPUTE),
            (r"ll[aá]me (despu[eé]s|m[aá]s tarde)|call (me )?(back )?later", ObjectionCategory.CALL_LATER),
            (
                r"le (pago|deposito)|te (pago|deposito)|i can do|i'll pay|i will pay",
                ObjectionCategory.PROMISE_TO_PAY,
            ),
            (r"abogado|lawyer|attorney|bankrupt", ObjectionCategory.BANKRUPTCY_OR_LAWYER),
            (r"n[uú]mero equivocado|wrong number|no vive aqu[ií]", ObjectionCategory.WRONG_PARTY),
            (r"descuento|plan de pagos|payment plan|discount", ObjectionCategory.DISCOUNT_OR_PLAN),
        ]
    )

    def classify(self, text: str, language: str | None = None):
        lowered = text.lower()
        lang = language or ("en" if re.search(r"\b(i|the|my|you)\b", lowered) else "es")
        for pattern, category in self.rules:
            if re.search(pattern, lowered):
                return _Classification(category, 0.9, ((ObjectionCategory.NONE, 0.1),), lang, self.version)
        return _Classification(ObjectionCategory.NONE, 0.6, (), lang, self.version)


@dataclass(frozen=True)
class _Classification:
    category: ObjectionCategory
    confidence: float
    alternatives: tuple
    language: str
    version: str


def classifier():
    try:
        from asistente.objections.classifier import default_classifier
    except ImportError:
        return KeywordClassifier()
    return default_classifier()
