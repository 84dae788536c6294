"""The optional LLM step: a second opinion on a turn the classifier is unsure about.

With an LLM configured (OPENAI_BASE_URL and ASISTENTE_LLM_MODEL) and the classifier's confidence under
LLM_BELOW, the turn is sent, personal data redacted (asistente.llm.redact), with the category definitions,
and the model must answer {"category": "<one of ObjectionCategory>"} within the time budget. Its answer is
used only when it arrives in time and names a category: on timeout, error, garbage or a name outside the
enum the classifier's own answer stands. The category the LLM names is shown with the classifier's
calibrated probability for it (the LLM gives no calibrated figure), the other categories stay as
alternatives, and `version` says an LLM decided ("2026.12.2+llm:<model>"). Offline by default: without a
client nothing here runs.
"""

from __future__ import annotations

import json
from dataclasses import replace

from asistente.enums import ObjectionCategory
from asistente.llm import KnownValues, LLMClient, LLMResult, redact
from asistente.objections.classifier import ALTERNATIVE_MIN, ALTERNATIVES_MAX, Classification, Classifier

LLM_BELOW = 0.6  # ask when the classifier's confidence is under this
LLM_BUDGET_S = 1.5  # the whole answer must arrive within this

DEFINITIONS = {
    "NO_MONEY": "no money or income now (no job, salary not paid, cannot afford)",
    "HARDSHIP": "a life event: illness, hospital, death, accident, disaster, divorce, disability",
    "ALREADY_PAID": "says it is already paid",
    "DISPUTE": "the debt, amount or charges are not theirs or are wrong (fraud, identity theft)",
    "REQUEST_VALIDATION": "asks what the debt is, who the creditor is, for proof or the contract",
    "SEND_IN_WRITING": "wants it by letter, e-mail, WhatsApp or text instead of the phone",
    "CALL_LATER": "cannot talk now, asks to be called another time",
    "PROMISE_TO_PAY": "commits to pay on a date or event",
    "DISCOUNT_OR_PLAN": "asks for a discount, settlement, instalments, more time or the minimum",
    "INTEREST_FEES": "objects to interest, late fees or collection fees",
    "CONSEQUENCES": "asks what happens if they do not pay (jail, seizure, credit bureau, lawsuit)",
    "BANKRUPTCY_OR_LAWYER": "has a lawyer, or is in bankruptcy or insolvency proceedings",
    "WRONG_PARTY": "is not the debtor (wrong number, does not live here, a relative)",
    "REFUSAL": "will not pay, or tells the caller to stop calling",
    "NONE": "greeting, small talk, identity check, unrelated question",
}
SYSTEM = (
    "You label one turn a debtor said in a debt-collection call (Spanish or English, often a transcript "
    "without punctuation). Personal data is replaced by placeholders like [NAME_1]. Categories:\n"
    + "\n".join(f"- {name}: {meaning}" for name, meaning in DEFINITIONS.items())
    + "\nIf the turn has two intents, choose the one the agent must handle first. Answer only JSON: "
    '{"category": "<NAME>"}.'
)


def parse_category(content: str) -> ObjectionCategory:
    """The category named in the LLM's JSON answer; ValueError for anything else (GARBAGE)."""
    data = json.loads(content)
    if not isinstance(data, dict) or not isinstance(data.get("category"), str):
        raise ValueError("no category in the answer")
    name = data["category"].strip().upper()
    if name not in ObjectionCategory.__members__:
        raise ValueError(f"{name[:40]!r} is not an ObjectionCategory")
    return ObjectionCategory(name)


async def classify_with_llm(
    classifier: Classifier,
    text: str,
    language: str | None,
    client: LLMClient | None,
    *,
    known: KnownValues | None = None,
    below: float | None = None,
    budget_s: float | None = None,
) -> tuple[Classification, LLMResult | None]:
    """The classifier's answer, or the LLM's when the classifier is unsure and the LLM answers usefully in
    time; and what the LLM call did (None when it was not asked)."""
    local = classifier.classify(text, language)
    if client is None or local.confidence >= (LLM_BELOW if below is None else below):
        return local, None
    probs = classifier.distribution(text)
    if not probs:  # out of scope (emoji, another language): NONE stands
        return local, None
    redacted, _ = redact(text, known)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": redacted}]
    result = await client.complete(
        messages, budget_s=budget_s or LLM_BUDGET_S, parse=parse_category, json_object=True, max_tokens=30
    )
    if not result.ok or result.parsed == local.category:
        return local, result
    chosen: ObjectionCategory = result.parsed
    others = sorted(((c, p) for c, p in probs.items() if c != chosen), key=lambda cp: -cp[1])
    return (
        replace(
            local,
            category=chosen,
            confidence=round(probs[chosen], 4),
            alternatives=tuple((c, round(p, 4)) for c, p in others[:ALTERNATIVES_MAX] if p > ALTERNATIVE_MIN),
            version=f"{local.version}+llm:{result.model}",
        ),
        result,
    )
