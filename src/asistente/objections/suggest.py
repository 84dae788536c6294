"""suggest_responses: what the agent can say now to what the debtor just said, and what to do next.

One pure function (no clock, no database): the utterance is classified, the playbook's answers for that
category and the debtor's jurisdiction are filtered by the account's facts, filled from the debtor card in
the debtor's register and language, ranked (base weight, how specific the answer is, the tenant's feedback),
and each one is checked with ``check_text(..., channel=CALL, context=CALL_TURN)`` for the debtor's
jurisdiction (with the tenant's overlay) before it can be shown: one that fails is dropped and reported in
``dropped``. Next steps tie the objection to what the product knows: recorded payments, a plan the
agreements domain accepts for this debtor and the agent's authority, the next time a call is allowed, and
what the law asks for (US validation rights, attorney representation, third parties).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from asistente.agreements import AccountFacts, AgreementPolicy, AgreementProposal, Frequency, PlanKind
from asistente.agreements import validate_agreement as _validate_agreement
from asistente.compliance import (
    ContactRequest,
    InteractionFact,
    PackRegistry,
    RuleHit,
    check_text,
    evaluate_contact,
)
from asistente.enums import (
    Channel,
    ComplianceContext,
    Direction,
    InteractionOutcome,
    ObjectionCategory,
    RecipientRole,
    Register,
    Role,
    Technique,
)
from asistente.errors import BadInput, DomainError
from asistente.money import format_amount, quantum
from asistente.objections.card import DebtorCard
from asistente.objections.playbook import Answer, Playbook, Situation
from asistente.objections.render import PlanTerms, format_money, lazy_values_for, locale_for

__all__ = [
    "MAX_UTTERANCE_CHARS",
    "AnswerStats",
    "ComplianceCache",
    "Dropped",
    "MemoisedClassifier",
    "NextStep",
    "NextStepKind",
    "Preferences",
    "Suggestion",
    "SuggestionSet",
    "choose_register",
    "detect_register",
    "suggest_responses",
]

MAX_UTTERANCE_CHARS = 2_000  # one turn of speech; a transcript chunk longer than this is not one objection
MAX_SUGGESTIONS = 3
PLAN_CATEGORIES = frozenset(
    {
        ObjectionCategory.NO_MONEY,
        ObjectionCategory.HARDSHIP,
        ObjectionCategory.DISCOUNT_OR_PLAN,
        ObjectionCategory.SEND_IN_WRITING,
        ObjectionCategory.INTEREST_FEES,
    }
)
# Where the next step is the plan itself (the other plan categories only quote it in their answers).
OFFER_CATEGORIES = frozenset(
    {ObjectionCategory.NO_MONEY, ObjectionCategory.HARDSHIP, ObjectionCategory.DISCOUNT_OR_PLAN}
)
VOSEO_COUNTRIES = frozenset({"AR", "UY", "PY"})


class NextStepKind(StrEnum):
    CHECK_PAYMENTS = "CHECK_PAYMENTS"
    ASK_PAYMENT_PROOF = "ASK_PAYMENT_PROOF"
    OFFER_PLAN = "OFFER_PLAN"
    OFFER_SETTLEMENT = "OFFER_SETTLEMENT"
    NO_PLAN = "NO_PLAN"
    RECORD_HARDSHIP = "RECORD_HARDSHIP"
    RECORD_DISPUTE = "RECORD_DISPUTE"
    STOP_COLLECTION = "STOP_COLLECTION"
    SEND_VALIDATION = "SEND_VALIDATION"
    SEND_DOCUMENTS = "SEND_DOCUMENTS"
    SEND_IN_WRITING = "SEND_IN_WRITING"
    SCHEDULE_CALLBACK = "SCHEDULE_CALLBACK"
    RECORD_PROMISE = "RECORD_PROMISE"
    EXPLAIN_BALANCE = "EXPLAIN_BALANCE"
    STATE_FACTS = "STATE_FACTS"
    TAKE_ATTORNEY_DETAILS = "TAKE_ATTORNEY_DETAILS"
    STOP_CONTACT = "STOP_CONTACT"
    DO_NOT_DISCLOSE = "DO_NOT_DISCLOSE"
    RECORD_REFUSAL = "RECORD_REFUSAL"
    LITIGATION_HOLD = "LITIGATION_HOLD"
    TIME_BARRED = "TIME_BARRED"


# ----------------------------------------------------------------------------------------- plain values


class ClassificationLike(Protocol):
    category: Any
    confidence: float
    alternatives: Sequence[tuple[Any, float]]
    language: str
    version: str


class ClassifierLike(Protocol):
    version: str

    def classify(self, text: str, language: str | None = None) -> ClassificationLike: ...


class MemoisedClassifier:
    """A classifier whose answers are remembered per exact text (bounded LRU): for the shipped model
    (`objections.classifier.Classifier`) `classify` is a pure function of the text, and its
    `Classification` is immutable, so a repeated turn gets the very answer it got before. The entry names
    the model object it came from: another model (reloaded, retrained) never sees this one's answers."""

    def __init__(self, classifier: ClassifierLike, size: int = 8_192) -> None:
        self.classifier = classifier
        self.version = classifier.version
        self.size = size
        self._items: OrderedDict[str, ClassificationLike] = OrderedDict()
        self.hits = 0

    def classify(self, text: str, language: str | None = None) -> ClassificationLike:
        if language is not None:  # not what suggestions ask: not remembered
            return self.classifier.classify(text, language)
        found = self._items.get(text)
        if found is not None:
            self._items.move_to_end(text)
            self.hits += 1
            return found
        result = self.classifier.classify(text)
        self._items[text] = result
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return result


@dataclass(frozen=True)
class Preferences:
    """A tenant's choices (tenant settings ``objections``): the register by default and per country, and
    whether to mirror how the debtor speaks (voseo -> vos, "usted" -> usted, tuteo -> tú)."""

    register: Register | None = None
    register_by_country: Mapping[str, Register] = field(default_factory=dict)
    mirror_debtor: bool = True
    max_suggestions: int = MAX_SUGGESTIONS

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any] | None) -> Preferences:
        raw = raw or {}
        try:
            return cls(
                register=Register(raw["register"]) if raw.get("register") else None,
                register_by_country={
                    str(k).upper(): Register(v) for k, v in (raw.get("registerByCountry") or {}).items()
                },
                mirror_debtor=bool(raw.get("mirrorDebtor", True)),
                max_suggestions=min(MAX_SUGGESTIONS, max(2, int(raw.get("maxSuggestions", MAX_SUGGESTIONS)))),
            )
        except (ValueError, TypeError) as exc:
            raise BadInput(f"objection settings: {exc}") from None

    def to_settings(self) -> dict[str, Any]:
        return {
            "register": self.register.value if self.register else None,
            "registerByCountry": {k: v.value for k, v in self.register_by_country.items()},
            "mirrorDebtor": self.mirror_debtor,
            "maxSuggestions": self.max_suggestions,
        }


@dataclass(frozen=True)
class AnswerStats:
    """Feedback of a tenant's agents on one answer (feedback.py tallies it from the ledger)."""

    used: int = 0
    edited: int = 0
    discarded: int = 0

    @property
    def adjustment(self) -> float:
        """In (-1, 1): used answers rise, edited ones a little, discarded ones sink (smoothed)."""
        n = self.used + self.edited + self.discarded
        return (self.used + 0.5 * self.edited - self.discarded) / (n + 2)


@dataclass(frozen=True)
class Suggestion:
    id: str
    text: str
    rationale: str
    register: Register | None  # None for English
    technique: Technique
    language: str
    score: float
    source: str | None = None


@dataclass(frozen=True)
class NextStep:
    kind: NextStepKind
    message: str  # Spanish / English
    at: datetime | None = None


@dataclass(frozen=True)
class Dropped:
    answer_id: str
    text: str
    hits: tuple[RuleHit, ...]


@dataclass(frozen=True)
class SuggestionSet:
    category: ObjectionCategory
    confidence: float
    alternatives: tuple[tuple[ObjectionCategory, float], ...]
    language: str
    register: Register
    suggestions: tuple[Suggestion, ...]
    next_steps: tuple[NextStep, ...]
    dropped: tuple[Dropped, ...]
    classifier_version: str
    playbook_version: str
    pack_version: str
    plan: Mapping[str, Any] | None = None

    def audit_output(self) -> dict[str, Any]:
        """The ledger's record of what was shown and withheld (``blocked`` per the ledger's convention)."""
        return {
            "category": self.category.value,
            "confidence": round(self.confidence, 4),
            "alternatives": [{"category": c.value, "confidence": round(p, 4)} for c, p in self.alternatives],
            "language": self.language,
            "register": self.register.value,
            "shown": [
                {"id": s.id, "text": s.text, "technique": s.technique.value, "score": round(s.score, 4)}
                for s in self.suggestions
            ],
            "dropped": [
                {"id": d.answer_id, "text": d.text, "rules": [h.rule_id for h in d.hits]}
                for d in self.dropped
            ],
            "blocked": [
                {"answerId": d.answer_id, "ruleId": h.rule_id, "code": h.code.value}
                for d in self.dropped
                for h in d.hits
            ],
            "nextSteps": [{"kind": s.kind.value, "message": s.message, "at": s.at} for s in self.next_steps],
            "plan": self.plan,
        }

    def versions(self) -> dict[str, Any]:
        return {
            "classifier": self.classifier_version,
            "playbook": self.playbook_version,
            "rulePacks": self.pack_version,
        }


# ----------------------------------------------------------------------------------------- compliance


class ComplianceCache:
    """Verdicts of rendered answers, per pack registry (a tenant's overlay is its own registry) and the
    resolved packs' versions: the same line for the same law is checked once per process. Bounded LRU."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._by_registry: WeakKeyDictionary[PackRegistry, OrderedDict[tuple, tuple[RuleHit, ...]]] = (
            WeakKeyDictionary()
        )
        self.hits = 0
        self.misses = 0
        self._next_calls: OrderedDict[tuple, tuple[DebtorCard, PackRegistry, tuple]] = OrderedDict()
        # Per card object: the plan proposed and the placeholder values (see `plan` and `values`).
        self._per_card: OrderedDict[tuple, tuple[tuple[Any, ...], Any]] = OrderedDict()
        self.memo_hits = 0

    def _remembered(self, key: tuple, objects: tuple[Any, ...], build: Any) -> Any:
        """``build()`` memoised per ``key``, which names ``objects`` by ``id``: an entry counts only while
        those very objects are the ones asked about (identity, never equality), so a card, policy or plan
        rebuilt after a write gets its own entry. Bounded LRU."""
        found = self._per_card.get(key)
        if (
            found is not None
            and len(found[0]) == len(objects)
            and all(a is b for a, b in zip(found[0], objects, strict=True))
        ):
            self._per_card.move_to_end(key)
            self.memo_hits += 1
            return found[1]
        value = build()
        self._per_card[key] = (objects, value)
        if len(self._per_card) > 4_000:
            self._per_card.popitem(last=False)
        return value

    def plan(
        self,
        card: DebtorCard,
        policy: AgreementPolicy | None,
        caller_role: Role,
        today: date,
        *,
        settlement: bool,
    ) -> PlanOutcome:
        """``propose_plan`` memoised per card object, policy object, authority, day and kind (all of its
        inputs: a card and a policy are immutable and rebuilt whenever the database moves)."""
        return self._remembered(
            ("plan", id(card), id(policy), caller_role, today, settlement),
            (card, policy),
            lambda: propose_plan(card, policy, caller_role, today, settlement=settlement),
        )

    def values(
        self,
        card: DebtorCard,
        language: str,
        plan: PlanOutcome | None,
        next_at: datetime | None,
        tz: str | None,
    ) -> Mapping[str, str]:
        """``values_for`` (read-only, each value formatted when first read: render.lazy_values_for) memoised
        per card object, language, plan object and next contact."""
        return self._remembered(
            ("values", id(card), language, id(plan), next_at, tz),
            (card, plan),
            lambda: lazy_values_for(
                card, language, plan=plan.terms if plan else None, next_contact=next_at, timezone=tz
            ),
        )

    def next_call(
        self, card: DebtorCard, packs: PackRegistry, now: datetime
    ) -> tuple[datetime | None, str | None]:
        """``next_call`` memoised per card object, registry and minute (a card is immutable and is rebuilt
        whenever the debtor's data changes, so the same object means the same facts and interactions)."""
        key = (id(card), id(packs), now.replace(second=0, microsecond=0))
        found = self._next_calls.get(key)
        if found is not None and found[0] is card and found[1] is packs:
            return found[2]  # type: ignore[return-value]
        result = next_call(card, packs, now)
        self._next_calls[key] = (card, packs, result)
        if len(self._next_calls) > 2_000:
            self._next_calls.popitem(last=False)
        return result

    def violations(
        self,
        text: str,
        *,
        packs: PackRegistry,
        jurisdiction: str,
        pack_key: str,
        role: RecipientRole,
        language: str,
        time_barred: bool,
        addresses: Sequence[Mapping[str, Any]],
    ) -> tuple[RuleHit, ...]:
        table = self._by_registry.get(packs)
        if table is None:
            table = self._by_registry[packs] = OrderedDict()
        key = (pack_key, jurisdiction, text, role, language, time_barred)
        found = table.get(key)
        if found is not None:
            self.hits += 1
            table.move_to_end(key)
            return found
        self.misses += 1
        report = check_text(
            text,
            channel=Channel.CALL,
            jurisdiction=jurisdiction,
            packs=packs,
            recipient_role=role,
            language=language,
            time_barred=time_barred,
            addresses=addresses,
            context=ComplianceContext.CALL_TURN,
        )
        result = tuple(report.violations)
        table[key] = result
        if len(table) > self.size:
            table.popitem(last=False)
        return result


# ----------------------------------------------------------------------------------------- register


_VOSEO = re.compile(
    r"\b(vos|sos|ten[eé]s|pod[eé]s|quer[eé]s|sab[eé]s|dec[ií]s|hac[eé]s|deb[eé]s|pag[aá]s|entend[eé]s|"
    r"mir[aá]|decime|llamame|escuchame|fijate|and[aá]|ven[ií]|pens[aá]|che)\b",
    re.IGNORECASE,
)
_USTED = re.compile(
    r"\b(usted|oiga|disculpe|perdone|d[ií]game|ll[aá]meme|esc[uú]cheme|f[ií]jese)\b", re.IGNORECASE
)
_TU = re.compile(
    r"\b(t[uú]|te|ti|contigo|tienes|puedes|quieres|sabes|eres|dices|haces|oye|mira|dime|ll[aá]mame|"
    r"esc[uú]chame|f[ií]jate)\b",
    re.IGNORECASE,
)


def detect_register(utterance: str) -> Register | None:
    """How the debtor addresses the agent, from the words they use (None when nothing tells)."""
    if _VOSEO.search(utterance):
        return Register.VOS
    if _USTED.search(utterance):
        return Register.USTED
    if _TU.search(utterance):
        return Register.TU
    return None


def choose_register(jurisdiction: str | None, utterance: str, prefs: Preferences) -> Register:
    """The debtor's own register when the tenant mirrors it, else the tenant's choice for the country, else
    the country's custom: vos in AR, UY and PY, usted elsewhere (respectful by default)."""
    if prefs.mirror_debtor:
        spoken = detect_register(utterance)
        if spoken is not None:
            return spoken
    country = (jurisdiction or "").split("-")[0].upper()
    if country in prefs.register_by_country:
        return prefs.register_by_country[country]
    if prefs.register is not None:
        return prefs.register
    return Register.VOS if country in VOSEO_COUNTRIES else Register.USTED


def choose_language(classified: str | None, card: DebtorCard, utterance: str | None = None) -> str:
    """The answers' language: the turn's, except that a debtor whose record says Spanish (or English) and
    whose turn carries a word only that language uses keeps it. The turn's language is a count of stop
    words, which short Spanish turns lose to English ("me van a meter a la carcel": "a" is an English stop
    word): the record is the better prior when the turn mixes both."""
    own = "en" if card.language == "en" else "es"
    lang = (classified or "").split("-")[0].lower()
    if lang not in ("es", "en"):
        return own
    if lang != own and utterance:
        from asistente.objections.classifier import default_classifier

        normalizer = default_classifier().normalizer
        if normalizer.speaks(normalizer.raw_tokens(utterance), own):
            return own
    return lang


# ----------------------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class PlanOutcome:
    terms: PlanTerms | None
    record: Mapping[str, Any] | None  # for the audit ledger
    reason_es: str | None = None
    reason_en: str | None = None


def propose_plan(
    card: DebtorCard,
    policy: AgreementPolicy | None,
    caller_role: Role,
    today: date,
    *,
    settlement: bool,
) -> PlanOutcome:
    """A plan ``validate_agreement`` accepts for this debtor and the caller's own authority: installments
    over the open accounts of the main currency that are not disputed, in litigation or time-barred (the
    counter-offer when the first proposal is not acceptable), plus, when asked, a single-payment
    settlement within the caller's discount authority."""
    cur = card.main_currency
    eligible = [
        a
        for a in card.open_accounts
        if a.currency == cur and not (a.disputed or a.in_litigation or a.time_barred)
    ]
    if policy is None or cur is None or not card.jurisdiction:
        return PlanOutcome(
            None, None, "no hay política de acuerdos para la moneda", "no agreement policy for the currency"
        )
    if not eligible:
        return PlanOutcome(
            None,
            None,
            "no hay cuentas que admitan un plan (en disputa, en litigio o prescritas)",
            "no account can take a plan (disputed, in litigation or time-barred)",
        )
    facts = [
        AccountFacts(
            id=a.id,
            currency=a.currency,
            balance=a.balance,
            days_past_due=a.days_past_due,
            in_litigation=a.in_litigation,
            disputed=a.disputed,
            time_barred=a.time_barred,
        )
        for a in card.accounts
        if a.balance > 0
    ]
    balance = sum((a.balance for a in eligible), Decimal(0))
    unit = quantum(cur)
    frequencies = policy.allowed_frequencies or frozenset(Frequency)
    frequency = Frequency.MONTHLY if Frequency.MONTHLY in frequencies else sorted(frequencies)[0]
    first = today + timedelta(days=max(0, min(7, policy.max_first_payment_delay_days)))
    down_pct = max(policy.min_down_payment_percent, Decimal(10))
    whole = Decimal(1) if unit < 1 and balance >= 1000 else unit
    down = (balance * down_pct / 100).quantize(whole, rounding=ROUND_CEILING)
    count = max(1, min(policy.max_installments, 6))
    ids = [a.id for a in eligible]
    proposal = AgreementProposal(
        kind=PlanKind.INSTALLMENTS,
        account_ids=ids,
        first_payment_date=first,
        down_payment=down if down < balance else None,
        installments=count,
        frequency=frequency,
    )
    try:
        v = _validate_agreement(
            proposal,
            accounts=facts,
            policy=policy,
            caller_role=caller_role,
            today=today,
            jurisdiction=card.jurisdiction,
        )
    except DomainError as exc:
        return PlanOutcome(
            None,
            None,
            f"el plan no se pudo validar: {exc.message}",
            f"the plan could not be validated: {exc.message}",
        )
    chosen, accepted = v, proposal
    if not (v.valid and not v.requires_approval):
        if v.counter_offer is not None and v.counter_offer_validation is not None:
            chosen, accepted = v.counter_offer_validation, v.counter_offer
        else:
            issues = "; ".join(i.message for i in v.violations) or "requiere aprobación / needs approval"
            return PlanOutcome(
                None, {"proposal": proposal.to_dict(cur), "validation": v.to_dict()}, issues, issues
            )
    rows = chosen.schedule
    regular = [r for r in rows if r.number >= 1]
    if not regular:
        return PlanOutcome(None, None, "el plan no tiene cuotas", "the plan has no installments")
    down_row = next((r for r in rows if r.number == 0), None)
    settlement_amount = None
    settlement_record = None
    if settlement:
        authority = policy.authority(caller_role)
        if authority > 0:
            amount = (balance * (100 - authority) / 100).quantize(whole, rounding=ROUND_CEILING)
            s_prop = AgreementProposal(
                kind=PlanKind.SETTLEMENT, account_ids=ids, first_payment_date=first, settlement_amount=amount
            )
            try:
                sv = _validate_agreement(
                    s_prop,
                    accounts=facts,
                    policy=policy,
                    caller_role=caller_role,
                    today=today,
                    jurisdiction=card.jurisdiction,
                )
            except DomainError:
                sv = None
            if sv is not None and sv.valid and not sv.requires_approval:
                settlement_amount = amount
                settlement_record = {
                    "proposal": s_prop.to_dict(cur),
                    "totalToPay": format_amount(sv.total_to_pay, cur),
                }
    terms = PlanTerms(
        currency=cur,
        down_payment=down_row.amount if down_row else None,
        installment=regular[0].amount,
        installments=len(regular),
        frequency=(accepted.frequency or frequency).value,
        first_date=rows[0].due_date,
        total=chosen.total_to_pay,
        settlement_amount=settlement_amount,
    )
    record = {
        "proposal": accepted.to_dict(cur),
        "valid": chosen.valid,
        "requiresApproval": chosen.requires_approval,
        "totalToPay": format_amount(chosen.total_to_pay, cur),
        "policyVersion": chosen.policy_version,
        "callerRole": caller_role.value,
        "counterOffer": accepted is not proposal,
        "settlement": settlement_record,
    }
    return PlanOutcome(terms, record)


# ----------------------------------------------------------------------------------------- contact


def next_call(card: DebtorCard, packs: PackRegistry, now: datetime) -> tuple[datetime | None, str | None]:
    """When the contact rules allow the next call after this conversation: (instant, time zone), or
    (None, zone) when another call would be allowed right away (then the debtor picks the time)."""
    current = InteractionFact(
        channel=Channel.CALL,
        direction=Direction.OUTBOUND,
        at=now,
        outcome=InteractionOutcome.CONVERSATION,
        recipient_role=RecipientRole.DEBTOR,
    )
    try:
        decision = evaluate_contact(
            ContactRequest(channel=Channel.CALL, at=now + timedelta(minutes=1)),
            card.facts,
            [*card.interactions, current],
            packs,
            now,
        )
    except DomainError:
        return None, None
    tz = decision.timezones[0] if decision.timezones else None
    if decision.allowed:
        return None, tz
    return decision.next_allowed_at, tz


# ----------------------------------------------------------------------------------------- ranking


def _rank(
    answers: Sequence[Answer], situation: Situation, stats: Mapping[str, AnswerStats]
) -> list[tuple[float, Answer]]:
    scored = []
    for a in answers:
        if not a.when.holds(situation):
            continue
        score = a.weight + 0.1 * a.when.specificity + (stats[a.id].adjustment if a.id in stats else 0.0)
        if a.jurisdiction is not None:
            score += 0.05  # the law's own wording first when otherwise equal
        scored.append((score, a))
    scored.sort(key=lambda sa: (-sa[0], sa[1].id))
    return scored


def _order_for_display(ranked: list[tuple[float, Answer]]) -> list[tuple[float, Answer]]:
    """Best first, preferring different techniques for the first picks (three ways to answer, not three
    versions of one)."""
    first, rest, seen = [], [], set()
    for sa in ranked:
        if sa[1].technique in seen:
            rest.append(sa)
        else:
            seen.add(sa[1].technique)
            first.append(sa)
    return first + rest


# ----------------------------------------------------------------------------------------- use case


def suggest_responses(
    utterance: str,
    *,
    classifier: ClassifierLike,
    card: DebtorCard,
    playbook: Playbook,
    packs: PackRegistry,
    now: datetime,
    today: date,
    caller_role: Role,
    policy: AgreementPolicy | None = None,
    preferences: Preferences = Preferences(),
    stats: Mapping[str, AnswerStats] | None = None,
    cache: ComplianceCache | None = None,
) -> SuggestionSet:
    """Classify `utterance` and answer it for this debtor (see the module docstring). BadInput for an empty
    or over-long utterance or a debtor without a jurisdiction."""
    if not isinstance(utterance, str) or not utterance.strip():
        raise BadInput("utterance is empty: send what the debtor said / la frase del deudor está vacía")
    if len(utterance) > MAX_UTTERANCE_CHARS:
        raise BadInput(
            f"utterance has {len(utterance):,} characters; the maximum is {MAX_UTTERANCE_CHARS:,} "
            f"/ la frase tiene {len(utterance):,} caracteres; el máximo es {MAX_UTTERANCE_CHARS:,}"
        )
    if now.tzinfo is None:
        raise BadInput("now must carry an offset")
    if not card.jurisdiction:
        raise BadInput(
            "debtor: no jurisdiction on record; set it (upsertDebtors) to get compliant suggestions"
        )
    cache = cache or ComplianceCache()
    stats = stats or {}
    jurisdiction = card.jurisdiction
    resolved = packs.resolve(jurisdiction, card.facts.addresses)
    pack_version = PackRegistry.version_string(resolved)

    c = classifier.classify(utterance)
    category = ObjectionCategory(c.category)
    alternatives = tuple((ObjectionCategory(k), float(p)) for k, p in c.alternatives)
    language = choose_language(getattr(c, "language", None), card, utterance)
    register = choose_register(jurisdiction, utterance, preferences)

    situation = Situation(
        days_past_due=max((a.days_past_due for a in card.open_accounts), default=0),
        broken_promises=card.broken_promises,
        active_agreement=card.active_agreements > 0,
        disputed=card.facts.disputed,
        time_barred=card.facts.time_barred,
        in_litigation=card.facts.in_litigation,
        has_payments=bool(card.payments),
        balance_band=card.balance_band,
    )
    plan = None
    if category in PLAN_CATEGORIES:
        plan = cache.plan(
            card, policy, caller_role, today, settlement=category is ObjectionCategory.DISCOUNT_OR_PLAN
        )
    next_at, tz = (None, None)
    if category is ObjectionCategory.CALL_LATER:
        next_at, tz = cache.next_call(card, packs, now)
    values = cache.values(card, language, plan, next_at, tz)

    role = RecipientRole.OTHER if category is ObjectionCategory.WRONG_PARTY else RecipientRole.DEBTOR
    candidates = _order_for_display(_rank(playbook.candidates(category, jurisdiction), situation, stats))
    shown: list[Suggestion] = []
    dropped: list[Dropped] = []
    for score, answer in candidates:
        if len(shown) >= preferences.max_suggestions:
            break
        if not answer.placeholders <= values.keys():
            continue  # the card cannot fill it for this debtor
        text = answer.text(language, register).format_map(values)
        hits = cache.violations(
            text,
            packs=packs,
            jurisdiction=jurisdiction,
            pack_key=pack_version,
            role=role,
            language=language,
            time_barred=card.facts.time_barred,
            addresses=card.facts.addresses,
        )
        if hits:
            dropped.append(Dropped(answer.id, text, hits))
            continue
        shown.append(
            Suggestion(
                id=answer.id,
                text=text,
                rationale=answer.rationale,
                register=None if language == "en" else register,
                technique=answer.technique,
                language=language,
                score=score,
                source=answer.source,
            )
        )
    steps = _next_steps(category, card, plan, next_at, tz, language, [a for _, a in candidates])
    return SuggestionSet(
        category=category,
        confidence=float(c.confidence),
        alternatives=alternatives,
        language=language,
        register=register,
        suggestions=tuple(shown),
        next_steps=tuple(steps),
        dropped=tuple(dropped),
        classifier_version=str(getattr(c, "version", None) or classifier.version),
        playbook_version=playbook.version,
        pack_version=pack_version,
        plan=plan.record if plan else None,
    )


# ----------------------------------------------------------------------------------------- next steps


def _is_us(jurisdiction: str) -> bool:
    return jurisdiction.split("-")[0].upper() == "US"


def _money(amount: Decimal, currency: str, language: str, jurisdiction: str) -> str:
    return format_money(amount, currency, locale_for(language, jurisdiction))


def _next_steps(
    category: ObjectionCategory,
    card: DebtorCard,
    plan: PlanOutcome | None,
    next_at: datetime | None,
    tz: str | None,
    language: str,
    candidates: Sequence[Answer],
) -> list[NextStep]:
    j = card.jurisdiction or ""
    us = _is_us(j)
    facts = card.facts
    steps: list[NextStep] = []

    def add(kind: NextStepKind, es: str, en: str, at: datetime | None = None) -> None:
        steps.append(NextStep(kind, f"{es} / {en}", at))

    def m(amount: Decimal, currency: str) -> str:
        return _money(amount, currency, "es", j)

    if category is ObjectionCategory.NONE:
        return steps
    if facts.in_litigation and category is not ObjectionCategory.WRONG_PARTY:
        add(
            NextStepKind.LITIGATION_HOLD,
            "La cuenta está en litigio: no negocie ni presione el pago por teléfono; remita al área jurídica",
            "The account is in litigation: do not negotiate or press for payment on the phone; refer to legal",
        )
    if facts.time_barred and category is not ObjectionCategory.WRONG_PARTY:
        add(
            NextStepKind.TIME_BARRED,
            "Deuda prescrita: no mencione demandas ni acciones judiciales",
            "Time-barred debt: never mention suing or legal action",
        )

    if category is ObjectionCategory.ALREADY_PAID:
        if card.payments:
            listed = "; ".join(
                f"{m(p.amount, p.currency)} el {p.paid_at.date().isoformat()}"
                + (f" (ref. {p.reference})" if p.reference else "")
                for p in card.payments[:3]
            )
            listed_en = "; ".join(
                f"{_money(p.amount, p.currency, 'en', j)} on {p.paid_at.date().isoformat()}"
                + (f" (ref. {p.reference})" if p.reference else "")
                for p in card.payments[:3]
            )
            add(
                NextStepKind.CHECK_PAYMENTS, f"Pagos registrados: {listed}", f"Recorded payments: {listed_en}"
            )
        else:
            add(
                NextStepKind.CHECK_PAYMENTS,
                "No hay pagos registrados recientes en estas cuentas",
                "No recent payments are on record for these accounts",
            )
        add(
            NextStepKind.ASK_PAYMENT_PROOF,
            "Pida la fecha, el monto, el medio de pago y la referencia o folio del comprobante; registre la "
            "aclaración y no insista en el cobro hasta conciliarlo",
            "Ask for the date, amount, payment method and the receipt's reference; record the claim and do "
            "not press for payment until it is reconciled",
        )
    elif category in OFFER_CATEGORIES and plan is not None:
        if category is ObjectionCategory.HARDSHIP:
            add(
                NextStepKind.RECORD_HARDSHIP,
                "Registre la situación de dificultad (sin pedir detalles médicos ni el motivo del atraso)",
                "Record the hardship (without asking for medical details or why the debt is unpaid)",
            )
        t = plan.terms
        if t is not None:
            down_es = (
                f"pago inicial de {m(t.down_payment, t.currency)} el {t.first_date.isoformat()}, "
                if t.down_payment
                else ""
            )
            down_en = (
                f"first payment {_money(t.down_payment, t.currency, 'en', j)} on {t.first_date.isoformat()}, "
                if t.down_payment
                else ""
            )
            freq_es = {"MONTHLY": "mensuales", "BIWEEKLY": "quincenales", "WEEKLY": "semanales"}[t.frequency]
            add(
                NextStepKind.OFFER_PLAN,
                f"Plan dentro de su autoridad y de la política: {down_es}{t.installments} pagos {freq_es} de "
                f"{m(t.installment, t.currency)}; total {m(t.total, t.currency)}. Confírmelo con validateAgreement "
                "antes de formalizarlo",
                f"Plan within your authority and the policy: {down_en}{t.installments} {t.frequency.lower()} "
                f"payments of {_money(t.installment, t.currency, 'en', j)}; total "
                f"{_money(t.total, t.currency, 'en', j)}. Confirm it with validateAgreement before you create it",
            )
            if t.settlement_amount is not None:
                add(
                    NextStepKind.OFFER_SETTLEMENT,
                    f"Liquidación en un pago dentro de su autoridad: {m(t.settlement_amount, t.currency)} "
                    f"(saldo {m(card.balance, t.currency)}) a más tardar el {t.first_date.isoformat()}",
                    f"Single-payment settlement within your authority: "
                    f"{_money(t.settlement_amount, t.currency, 'en', j)} (balance "
                    f"{_money(card.balance, t.currency, 'en', j)}) by {t.first_date.isoformat()}",
                )
        else:
            add(
                NextStepKind.NO_PLAN,
                f"No hay un plan que pueda ofrecer por sí mismo: {plan.reason_es}",
                f"There is no plan you can offer on your own: {plan.reason_en}",
            )
    elif category in (ObjectionCategory.DISPUTE, ObjectionCategory.REQUEST_VALIDATION):
        add(
            NextStepKind.RECORD_DISPUTE,
            "Registre la disputa o la solicitud de información con lo que el deudor no reconoce",
            "Record the dispute or information request with what the debtor does not recognise",
        )
        if us:
            add(
                NextStepKind.STOP_COLLECTION,
                "EE. UU.: si la disputa o la petición del acreedor original llega por escrito dentro del plazo "
                "de validación, suspenda todo cobro de la parte disputada hasta enviar la verificación "
                "(15 U.S.C. 1692g(b); 12 CFR 1006.38)",
                "US: if the dispute or the request for the original creditor arrives in writing within the "
                "validation period, stop collecting the disputed part until verification is mailed "
                "(15 U.S.C. 1692g(b); 12 CFR 1006.38)",
            )
            add(
                NextStepKind.SEND_VALIDATION,
                "Confirme que se envió el aviso de validación (12 CFR 1006.34) y dé la fecha límite de disputa",
                "Confirm the validation notice was sent (12 CFR 1006.34) and give the dispute deadline",
            )
        else:
            add(
                NextStepKind.SEND_DOCUMENTS,
                "Envíe el estado de cuenta y el soporte del saldo por un canal autorizado; no presione el pago "
                "mientras se revisa",
                "Send the statement and what supports the balance through an authorised channel; do not press "
                "for payment while it is reviewed",
            )
    elif category is ObjectionCategory.SEND_IN_WRITING:
        authorized = sorted(
            c.value for c in facts.authorized_channels - facts.opted_out_channels - {Channel.CALL}
        )
        where = ", ".join(authorized) if authorized else None
        add(
            NextStepKind.SEND_IN_WRITING,
            f"Envíe el detalle por escrito por un canal autorizado ({where})"
            if where
            else "Pregunte por qué canal escrito autoriza recibirlo y regístrelo antes de enviar",
            f"Send the detail in writing through an authorised channel ({where})"
            if where
            else "Ask which written channel they authorise and record it before sending",
        )
    elif category is ObjectionCategory.CALL_LATER:
        if next_at is not None:
            add(
                NextStepKind.SCHEDULE_CALLBACK,
                f"Próxima llamada permitida: {next_at.isoformat()} (zona {tz or 'UTC'}); agende a partir de entonces",
                f"Next call allowed: {next_at.isoformat()} ({tz or 'UTC'}); schedule it from then on",
                next_at,
            )
        else:
            add(
                NextStepKind.SCHEDULE_CALLBACK,
                "Las reglas de contacto permiten otra llamada en horario permitido: acuerde la hora con el deudor "
                "y regístrela",
                "The contact rules allow another call within permitted hours: agree the time with the debtor and "
                "record it",
            )
    elif category is ObjectionCategory.PROMISE_TO_PAY:
        main = card.main_account
        hint_es = f" (pago mínimo {m(main.minimum_due, main.currency)})" if main and main.minimum_due else ""
        hint_en = (
            f" (minimum due {_money(main.minimum_due, main.currency, 'en', j)})"
            if main and main.minimum_due
            else ""
        )
        add(
            NextStepKind.RECORD_PROMISE,
            f"Registre la promesa con monto y fecha exactos{hint_es} y confírmela por escrito",
            f"Record the promise with its exact amount and date{hint_en} and confirm it in writing",
        )
    elif category is ObjectionCategory.INTEREST_FEES:
        main = card.main_account
        if main is not None:
            add(
                NextStepKind.EXPLAIN_BALANCE,
                f"Capital original {m(main.principal, main.currency)}, saldo {m(card.balance, main.currency)}: "
                "envíe el desglose de pagos, intereses y cargos",
                f"Original principal {_money(main.principal, main.currency, 'en', j)}, balance "
                f"{_money(card.balance, main.currency, 'en', j)}: send the breakdown of payments, interest and charges",
            )
    elif category is ObjectionCategory.CONSEQUENCES:
        source = next((a.source for a in candidates if a.source), None)
        add(
            NextStepKind.STATE_FACTS,
            "Mencione sólo consecuencias ciertas y legales; nunca cárcel, arresto ni embargos sin orden judicial"
            + (f" ({source})" if source else ""),
            "Mention only true, lawful consequences; never jail, arrest or seizure without a court order"
            + (f" ({source})" if source else ""),
        )
    elif category is ObjectionCategory.BANKRUPTCY_OR_LAWYER:
        add(
            NextStepKind.TAKE_ATTORNEY_DETAILS,
            "Tome nombre, teléfono y correo del abogado (o número de expediente y juzgado del concurso)",
            "Take the attorney's name, phone and e-mail (or the bankruptcy case number and court)",
        )
        add(
            NextStepKind.STOP_CONTACT,
            "Deje de gestionar el cobro con el deudor y marque la cuenta como representada"
            + (
                "; en EE. UU. comuníquese sólo con el abogado (15 U.S.C. 1692c(a)(2)) y respete la suspensión automática de la quiebra (11 U.S.C. 362)"
                if us
                else ""
            ),
            "Stop collecting from the debtor and flag the account as represented"
            + (
                "; in the US talk only to the attorney (15 U.S.C. 1692c(a)(2)) and honour the bankruptcy automatic stay (11 U.S.C. 362)"
                if us
                else ""
            ),
        )
    elif category is ObjectionCategory.WRONG_PARTY:
        add(
            NextStepKind.DO_NOT_DISCLOSE,
            "No mencione la deuda, el acreedor ni montos: discúlpese, termine la llamada y marque el número como equivocado",
            "Do not mention the debt, the creditor or amounts: apologise, end the call and flag the number as wrong",
        )
    elif category is ObjectionCategory.REFUSAL:
        add(
            NextStepKind.RECORD_REFUSAL,
            "Registre la negativa sin discutir"
            + (
                "; si pide por escrito que no le contacten, cese la comunicación (15 U.S.C. 1692c(c))"
                if us
                else ""
            ),
            "Record the refusal without arguing"
            + (
                "; if they ask in writing for contact to stop, cease communication (15 U.S.C. 1692c(c))"
                if us
                else ""
            ),
        )
    return steps
