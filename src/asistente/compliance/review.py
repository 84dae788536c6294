"""The checkCompliance use case: which jurisdiction applies, the local check, and, when an LLM is
configured, a second reader for the texts the local engine passes with a low margin.

`review_text` is async because the second reader is a network call; everything else it does is the pure
`check_text`. The second reader never decides alone and never loosens: it can only add a finding, and
only a finding whose signal a violation rule of the jurisdiction's packs forbids becomes a violation
(the same mapping as the lexicon's signals). Personal data is replaced by placeholders before the text
leaves (asistente.llm.redact). On timeout, error or an unusable answer the local verdict stands. What
happened is returned for the ledger: asked or not and why, the margin, model, prompt hash, raw output,
outcome, codes found and rules added.

Margin: the text model (asistente.compliance.textmodel) scores every content code; the margin is the
model's threshold minus the highest score among the codes whose signal the jurisdiction forbids for this
channel and recipient. A text the local engine passes is read again when that margin is below
`SecondReaderConfig.margin`, or (`short_texts`) when it is shorter than the model's range (one line of a
call, a short SMS), where the model's score says little.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asistente.compliance.content import SECOND_READER_PREFIX, check_text, forbidden_signals
from asistente.compliance.packs import PackRegistry
from asistente.compliance.textmodel import CODE_SIGNAL
from asistente.compliance.types import ComplianceReport
from asistente.enums import Channel, ComplianceContext, RecipientRole
from asistente.errors import BadInput, FieldError
from asistente.llm import KnownValues, LLMClient, LLMResult, redact, restore

__all__ = [
    "PROMPT_VERSION",
    "ReviewOutcome",
    "SecondReaderConfig",
    "SecondReading",
    "build_messages",
    "parse_finding",
    "resolve_jurisdiction",
    "review_text",
]

PROMPT_VERSION = "second-reader/2026.12.1"

# What the reader may answer: the content codes the text model knows, with the signal each raises.
CODE_DEFINITIONS: dict[str, str] = {
    "THREAT_OF_ARREST": "threatens arrest, jail, police or prison over the debt",
    "FALSE_LEGAL_THREAT": "threatens seizure, eviction, garnishment or legal action that is not true or "
    "not possible now, accuses the debtor of a crime, or pushes payment outside a lawsuit already in course",
    "FAKE_LEGAL_DOCUMENT": "presents the message as a court order, summons or official legal document",
    "IMPERSONATION": "the sender presents itself as a court officer, judge, lawyer, police or government "
    "authority, or hides who is collecting",
    "HARASSMENT": "insults, contempt, humiliation, intimidation or pressure meant to frighten",
    "PUBLIC_SHAMING": "threatens to expose the debtor publicly: lists, social networks, the neighbourhood, "
    "the town, boycotts, following the person",
    "THIRD_PARTY_DISCLOSURE": "tells, or threatens to tell, family, friends, employer or others about the "
    "debt, or discusses the debt with someone who is not the debtor",
    "MISREPRESENTATION": "false or misleading statements: amounts, fees or charges higher or earlier than "
    "allowed, multiplying the amount, false deadlines or urgency, permanent credit damage",
    "TIME_BARRED_THREAT": "threatens to sue over a debt that is time-barred",
    "ASKING_REASON": "asks the debtor why they have not paid",
    "PAYMENT_DESTINATION": "asks for payment to a personal account or to anyone but the creditor",
}

SYSTEM_PROMPT = (
    "You are a compliance reviewer for debt collection. You read ONE text an agent wrote or said to a "
    "debtor (or to someone else about a debt) and say which of these problems it contains. Placeholders "
    "such as [NAME_1] or [PHONE_1] stand for personal data that was removed; treat them as ordinary "
    'names and numbers. Truthful explanations of the law are not problems ("there is no jail for '
    'debts", "the creditor may sue"). A line inside a call does not need to identify the caller.\n\n'
    "Codes:\n"
    + "\n".join(f"- {code}: {meaning}" for code, meaning in CODE_DEFINITIONS.items())
    + '\n\nAnswer with JSON only: {"codes": [...], "quotes": {"CODE": "the exact words of the text"}}. '
    'Use only the codes above; {"codes": []} when there is none.'
)


@dataclass(frozen=True)
class SecondReaderConfig:
    budget_s: float = 0.8
    margin: float = 0.4
    short_texts: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> SecondReaderConfig:
        return cls(
            budget_s=settings.llm_review_budget_ms / 1000,
            margin=settings.llm_review_margin,
            short_texts=settings.llm_review_short_texts,
        )


@dataclass(frozen=True)
class SecondReading:
    asked: bool
    reason: str  # NOT_CONFIGURED | LOCAL_VIOLATION | HIGH_MARGIN | LOW_MARGIN | SHORT_TEXT
    margin: float | None = None
    top_code: str | None = None
    llm: LLMResult | None = None
    codes: tuple[str, ...] = ()  # what the reader found (known codes)
    ignored: tuple[str, ...] = ()  # what it answered outside the list
    added: tuple[str, ...] = ()  # rule ids its finding added (violations and warnings)
    redacted: int = 0  # how many personal-data values were replaced before sending

    def ledger(self) -> dict[str, Any]:
        out: dict[str, Any] = {"asked": self.asked, "reason": self.reason}
        if self.margin is not None:
            out["margin"] = round(self.margin, 4)
            out["topCode"] = self.top_code
        if self.llm is not None:
            out.update(self.llm.ledger())
            out.update(
                prompt=PROMPT_VERSION,
                codes=list(self.codes),
                ignored=list(self.ignored),
                added=list(self.added),
                redacted=self.redacted,
            )
        return out


@dataclass(frozen=True)
class ReviewOutcome:
    report: ComplianceReport
    jurisdiction: str
    second: SecondReading
    local: ComplianceReport = field(repr=False)  # the local engine's report, before the second reader


def resolve_jurisdiction(requested: str | None, debtor_jurisdiction: str | None) -> str:
    """The jurisdiction a text for this debtor is checked under.

    Without a debtor, the requested one. With a debtor, the debtor's: a request for the same one or for a
    parent of it ("US" for a debtor in "US-IL") is refined to the debtor's; any other is refused, because
    checking their text under another pack could pass what theirs forbids."""
    requested = (requested or "").strip() or None
    debtor = (debtor_jurisdiction or "").strip() or None
    if debtor is None:
        if requested is None:
            msg = 'jurisdiction: give one (e.g. "MX", "US-NY") or a debtorId'
            raise BadInput(msg, [FieldError("jurisdiction", msg)])
        return requested
    if requested is None:
        return debtor
    want, have = requested.upper(), debtor.upper()
    if want == have or have.startswith(want + "-"):
        return debtor
    msg = f"jurisdiction: this debtor's is {debtor}; leave it out, or send it or a parent of it"
    raise BadInput(msg, [FieldError("jurisdiction", msg)])


def build_messages(
    redacted_text: str, *, jurisdiction: str, channel: str, recipient_role: str, context: str
) -> list[dict[str, str]]:
    """The fixed prompt: system instructions and one user message with the (redacted) text."""
    user = (
        f"Country/jurisdiction: {jurisdiction}. Channel: {channel}. Recipient: {recipient_role}. "
        f"Context: {'one line inside a call' if context == 'CALL_TURN' else 'a whole communication'}.\n"
        f"Text:\n<<<\n{redacted_text}\n>>>"
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def parse_finding(content: str) -> tuple[list[str], list[str], dict[str, str]]:
    """(known codes, unknown codes, quotes) from the reader's JSON; ValueError when it is not that JSON."""
    text = content.strip()
    fence = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.DOTALL)
    if fence:
        text = fence.group(1)
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise ValueError('expected {"codes": [...]}')
    if not all(isinstance(c, str) for c in data["codes"]):
        raise ValueError("codes must be strings")
    codes = list(dict.fromkeys(c.strip().upper() for c in data["codes"]))
    known = [c for c in codes if c in CODE_SIGNAL]
    unknown = [c for c in codes if c not in CODE_SIGNAL]
    raw_quotes = data.get("quotes") or {}
    quotes = (
        {str(k).upper(): v for k, v in raw_quotes.items() if isinstance(v, str)}
        if isinstance(raw_quotes, dict)
        else {}
    )
    return known, unknown, quotes


def _locate(text: str, quote: str | None) -> tuple[int, int]:
    """Where the reader's quote is in the text (case, accents and spacing ignored); the whole text if not."""
    if quote:

        def key(ch: str) -> str:
            return "".join(
                c for c in unicodedata.normalize("NFD", ch.casefold()) if not unicodedata.combining(c)
            )

        folded, index = [], []
        for i, ch in enumerate(text):
            if ch.isspace():
                if folded and folded[-1] == " ":
                    continue
                folded.append(" ")
                index.append(i)
                continue
            for f in key(ch):
                folded.append(f)
                index.append(i)
        needle = " ".join("".join(key(c) for c in quote).split())
        at = "".join(folded).find(needle) if needle else -1
        if at >= 0:
            return index[at], index[at + len(needle) - 1] + 1
    start = len(text) - len(text.lstrip())
    return start, len(text.rstrip())


@dataclass(frozen=True)
class _Detection:
    signal: str
    start: int
    end: int
    pattern_id: str
    excerpt: str


def _margin(
    text: str,
    *,
    forbidden: frozenset[str],
    jurisdiction: str,
    channel: Channel,
    role: RecipientRole,
    is_first_contact: bool,
    time_barred: bool,
) -> tuple[float, str | None, bool]:
    from asistente.compliance.textmodel import default_model

    model = default_model()
    feats = model.features(
        text,
        jurisdiction=jurisdiction,
        channel=channel.value,
        recipient_role=role.value,
        is_first_contact=is_first_contact,
        time_barred=time_barred,
    )
    probs = model.probabilities(feats)
    threshold = model.threshold_for(feats)  # a short line is measured against the model's short threshold
    in_range = threshold is not None
    threshold = model.threshold if threshold is None else threshold
    relevant = {c: p for c, p in probs.items() if CODE_SIGNAL.get(c) in forbidden}
    if not relevant:
        return threshold, None, in_range
    top = max(relevant, key=relevant.__getitem__)
    return threshold - relevant[top], top, in_range


async def review_text(
    text: str,
    *,
    channel: Channel | str,
    jurisdiction: str,
    packs: PackRegistry,
    recipient_role: RecipientRole | str = RecipientRole.DEBTOR,
    language: str | None = None,
    is_first_contact: bool = False,
    time_barred: bool = False,
    tenant_overlay: Mapping[str, Any] | None = None,
    addresses: Sequence[Mapping[str, Any]] = (),
    context: ComplianceContext | str = ComplianceContext.MESSAGE,
    check_required: bool = True,
    reader: LLMClient | None = None,
    config: SecondReaderConfig | None = None,
    known: KnownValues | None = None,
) -> ReviewOutcome:
    """Check `text` locally (check_text) and, when `reader` is given and the local engine passes the text
    with a low margin, ask the reader within `config.budget_s`. Raises BadInput like check_text."""
    common: dict[str, Any] = dict(
        channel=channel,
        jurisdiction=jurisdiction,
        packs=packs,
        recipient_role=recipient_role,
        language=language,
        is_first_contact=is_first_contact,
        time_barred=time_barred,
        tenant_overlay=tenant_overlay,
        addresses=addresses,
        context=context,
        check_required=check_required,
    )
    local = check_text(text, **common)
    if reader is None:
        return ReviewOutcome(local, jurisdiction, SecondReading(False, "NOT_CONFIGURED"), local)
    if not local.compliant:
        return ReviewOutcome(local, jurisdiction, SecondReading(False, "LOCAL_VIOLATION"), local)
    config = config or SecondReaderConfig()
    channel, role, context = Channel(channel), RecipientRole(recipient_role), ComplianceContext(context)
    forbidden = forbidden_signals(
        channel=channel,
        jurisdiction=jurisdiction,
        packs=packs,
        recipient_role=role,
        time_barred=time_barred,
        tenant_overlay=tenant_overlay,
        addresses=addresses,
    )
    margin, top, in_range = _margin(
        text,
        forbidden=forbidden,
        jurisdiction=jurisdiction,
        channel=channel,
        role=role,
        is_first_contact=is_first_contact,
        time_barred=time_barred,
    )
    if margin < config.margin:
        reason = "LOW_MARGIN"
    elif not in_range and config.short_texts:
        reason = "SHORT_TEXT"
    else:
        return ReviewOutcome(local, jurisdiction, SecondReading(False, "HIGH_MARGIN", margin, top), local)

    redacted, mapping = redact(text, known)
    messages = build_messages(
        redacted,
        jurisdiction=jurisdiction,
        channel=channel.value,
        recipient_role=role.value,
        context=context.value,
    )
    result = await reader.complete(
        messages, budget_s=config.budget_s, parse=parse_finding, json_object=True, max_tokens=200
    )
    if not result.ok:
        reading = SecondReading(True, reason, margin, top, result, redacted=len(mapping))
        return ReviewOutcome(local, jurisdiction, reading, local)
    codes, unknown, quotes = result.parsed
    detections = []
    for code in codes:
        start, end = _locate(text, restore(quotes.get(code, ""), mapping))
        detections.append(
            _Detection(
                CODE_SIGNAL[code],
                start,
                end,
                f"{SECOND_READER_PREFIX}{result.model}:{code}",
                text[start:end],
            )
        )
    report = check_text(text, **common, extra_detections=detections) if detections else local
    before = {(h.rule_id, h.span) for h in (*local.violations, *local.warnings)}
    added = tuple(
        dict.fromkeys(
            h.rule_id for h in (*report.violations, *report.warnings) if (h.rule_id, h.span) not in before
        )
    )
    reading = SecondReading(
        True, reason, margin, top, result, tuple(codes), tuple(unknown), added, redacted=len(mapping)
    )
    return ReviewOutcome(report, jurisdiction, reading, local)
