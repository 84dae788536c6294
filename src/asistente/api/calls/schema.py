"""Live calls: pushTranscript (a turn in), callAssist (the call's events out, over graphql-transport-ws),
endCall (summary, disposition, promise), and the tenant's disposition codes for its CRM.

A resolver authenticates, loads, calls the calls domain (one turn, or the summary), records the ledger
event, stores the call's events (seq under the call's lock) and commits, then publishes the events
(``asistente.calls.bus``). A turn is prepared outside any lock and written by the process's turn committer
(``asistente.calls.commit``: the turns waiting share one transaction, off the event loop); the debtor's
facts are kept per card revision and the call's binding per process, so a turn reads one revision row. A DEBTOR turn's suggestions are exactly suggestResponses' (the same loading
and domain function: ``asistente.api.objections.suggest.compute_suggestions``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Text, bindparam, cast, select
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente import enums
from asistente.api.compliance.schema import (
    detector_version,
    packs_with_overlays,
    public_urls_of,
    tenant_packs,
    text_model_version,
)
from asistente.api.compliance.types import ComplianceReport, RuleHit, Span
from asistente.api.core.errors import coded
from asistente.api.core.permissions import ADMIN, AGENT, COMPLIANCE, INTEGRATOR, SUPERVISOR, register
from asistente.api.core.scalars import ViolationCode
from asistente.api.core.state import fetch_one_raw
from asistente.api.objections import suggest as objection_api
from asistente.calls import store
from asistente.calls.bus import CallBus
from asistente.calls.commit import PendingTurn, TurnCommitter, TurnPlan
from asistente.calls.crm import load_disposition_codes
from asistente.calls.disclosure import DisclosureState, call_requirements
from asistente.calls.models import Call
from asistente.calls.summary import TurnFact, summarise
from asistente.calls.turns import (
    AgentLine,
    CallFacts,
    advance_call,
    check_agent_line,
    check_turn_text,
    debtor_turn,
    hit_json,
    report_json,
)
from asistente.compliance import PackRegistry
from asistente.drafting.payments import DestinationGuard, tenant_guard
from asistente.enums import InteractionOutcome
from asistente.errors import BadInput, DomainError, FieldError, NotFound, RateLimited
from asistente.geo import candidate_timezones
from asistente.portfolio.models import Debtor
from asistente.portfolio.revisions import RevisionReader
from asistente.tenants.models import Agent, Tenant
from asistente.tenants.service import Principal

log = logging.getLogger("asistente.calls")

LIVE = frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN})
register("Mutation.pushTranscript", LIVE)
register("Mutation.endCall", LIVE)
register("Subscription.callAssist", LIVE)
register("Query.dispositionCodes", frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN, COMPLIANCE}))
register("Mutation.setDispositionCodes", frozenset({ADMIN}))

DISPOSITION_KEY = "dispositionCodes"
POLL_HEALTHY = 5.0  # seconds between credential checks (and database reads) of an idle subscription
POLL_DEGRADED = 1.0  # while Redis is down, subscribers read new events from the database this often
FOLLOW_ANY = frozenset({SUPERVISOR, INTEGRATOR, ADMIN})

Speaker = strawberry.enum(enums.Speaker, name="Speaker")
CallEventKind = strawberry.enum(enums.CallEventKind, name="CallEventKind")
Disposition = strawberry.enum(enums.Disposition, name="Disposition")


@strawberry.input(description="One turn of a live call, from the contact centre's transcription.")
class PushTranscriptInput:
    call_id: strawberry.ID = strawberry.field(
        description="The contact centre's call id (the first turn binds it to the tenant, debtor and agent)."
    )
    debtor_id: strawberry.ID
    speaker: Speaker
    text: str = strawberry.field(description="What was said (one turn, at most 2,000 characters).")
    at: datetime | None = strawberry.field(default=None, description="When it was said (default: now).")
    agent_id: str | None = strawberry.field(
        default=None,
        description="The agent's external id, for an integrator relaying the call (agents are themselves).",
    )


@strawberry.type
class PromiseToPay:
    amount: str = strawberry.field(description="Decimal string.")
    currency: str
    due_date: date = strawberry.field(description="In the debtor's calendar.")
    quote: str = strawberry.field(description="The debtor's words.")


@strawberry.type(description="The end of a call: to confirm with recordInteraction / createAgreement.")
class CallSummary:
    call_id: strawberry.ID
    debtor_id: strawberry.ID
    summary: str = strawberry.field(description="In the agent's language.")
    disposition: Disposition
    crm_code: str | None = strawberry.field(description="The tenant's own code for the disposition.")
    reasons: list[str]
    objections: list[objection_api.ObjectionCategory]
    alerts: list[RuleHit]
    promise: PromiseToPay | None
    language: str
    audit_id: strawberry.ID
    generator: str = strawberry.field(description="RULES, or LLM when a configured model wrote the summary.")


@strawberry.type(description="What the sidebar shows for a moment of a live call.")
class CallEvent:
    call_id: strawberry.ID
    seq: int = strawberry.field(description="1, 2, 3... per call, in order.")
    at: datetime
    kind: CallEventKind
    speaker: Speaker | None
    text: str | None
    suggestions: objection_api.SuggestionSet | None = strawberry.field(
        description="DEBTOR turns: the same answers suggestResponses gives."
    )
    compliance: ComplianceReport | None = strawberry.field(
        description="AGENT turns: the line's check (COMPLIANCE_ALERT, TURN) or what the opening lacks "
        "(DISCLOSURE_REMINDER)."
    )
    summary: CallSummary | None = strawberry.field(description="CALL_ENDED: the call's summary.")
    audit_id: strawberry.ID | None


# ------------------------------------------------------------------------------------- JSON <-> types


def _suggestions_json(result: Any, audit_id: str) -> dict[str, Any]:
    return {
        "category": result.category.value,
        "confidence": result.confidence,
        "alternatives": [{"category": c.value, "confidence": p} for c, p in result.alternatives],
        "suggestions": [
            {
                "id": s.id,
                "text": s.text,
                "rationale": s.rationale,
                "register": s.register.value if s.register else None,
                "technique": s.technique.value,
                "language": s.language,
                "source": s.source,
            }
            for s in result.suggestions
        ],
        "nextSteps": [
            {"kind": s.kind.value, "message": s.message, "at": s.at.isoformat() if s.at else None}
            for s in result.next_steps
        ],
        "auditId": audit_id,
        "language": result.language,
        "register": result.register.value,
        "withheld": len(result.dropped),
        "playbookVersion": result.playbook_version,
    }


def _suggestions_type(d: Mapping[str, Any]) -> objection_api.SuggestionSet:
    """suggestResponses' own shaping (objection_api._shape) of the stored suggestion set."""
    result = SimpleNamespace(
        category=enums.ObjectionCategory(d["category"]),
        confidence=d["confidence"],
        alternatives=[(enums.ObjectionCategory(a["category"]), a["confidence"]) for a in d["alternatives"]],
        suggestions=[
            SimpleNamespace(
                id=s["id"],
                text=s["text"],
                rationale=s["rationale"],
                register=enums.Register(s["register"]) if s["register"] else None,
                technique=enums.Technique(s["technique"]),
                language=s["language"],
                source=s["source"],
            )
            for s in d["suggestions"]
        ],
        next_steps=[
            SimpleNamespace(
                kind=objection_api.domain.NextStepKind(s["kind"]),
                message=s["message"],
                at=datetime.fromisoformat(s["at"]) if s["at"] else None,
            )
            for s in d["nextSteps"]
        ],
        language=d["language"],
        register=enums.Register(d["register"]),
        dropped=[None] * int(d["withheld"]),
        playbook_version=d["playbookVersion"],
    )
    return objection_api._shape(result, d["auditId"])  # type: ignore[arg-type]


def _hit_type(h: Mapping[str, Any]) -> RuleHit:
    span = h.get("span")
    return RuleHit(
        rule_id=h["ruleId"],
        code=ViolationCode(enums.ViolationCode(h["code"])),
        message=h["message"],
        legal_source=h.get("legalSource"),
        span=Span(start=span["start"], end=span["end"]) if span else None,
        verify=h.get("verify"),
    )


def _report_type(d: Mapping[str, Any]) -> ComplianceReport:
    return ComplianceReport(
        compliant=d["compliant"],
        violations=[_hit_type(h) for h in d["violations"]],
        warnings=[_hit_type(h) for h in d["warnings"]],
        pack_version=d["packVersion"],
        audit_id=strawberry.ID(d["auditId"]) if d.get("auditId") else None,
    )


def _summary_type(d: Mapping[str, Any]) -> CallSummary:
    promise = d.get("promise")
    return CallSummary(
        call_id=strawberry.ID(d["callId"]),
        debtor_id=strawberry.ID(d["debtorId"]),
        summary=d["summary"],
        disposition=enums.Disposition(d["disposition"]),
        crm_code=d.get("crmCode"),
        reasons=list(d["reasons"]),
        objections=[enums.ObjectionCategory(o) for o in d["objections"]],
        alerts=[_hit_type(h) for h in d["alerts"]],
        promise=PromiseToPay(
            amount=promise["amount"],
            currency=promise["currency"],
            due_date=datetime.fromisoformat(promise["dueDate"]).date(),
            quote=promise.get("quote", ""),
        )
        if promise
        else None,
        language=d["language"],
        audit_id=strawberry.ID(d["auditId"]),
        generator=d.get("generator", "RULES"),
    )


def event_type(d: Mapping[str, Any]) -> CallEvent:
    return CallEvent(
        call_id=strawberry.ID(d["callId"]),
        seq=d["seq"],
        at=datetime.fromisoformat(d["at"]),
        kind=enums.CallEventKind(d["kind"]),
        speaker=enums.Speaker(d["speaker"]) if d.get("speaker") else None,
        text=d.get("text"),
        suggestions=_suggestions_type(d["suggestions"]) if d.get("suggestions") else None,
        compliance=_report_type(d["compliance"]) if d.get("compliance") else None,
        summary=_summary_type(d["summary"]) if d.get("summary") else None,
        audit_id=strawberry.ID(d["auditId"]) if d.get("auditId") else None,
    )


def _payload(call_id: str, kind: enums.CallEventKind, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "callId": call_id,
        "seq": None,  # assigned under the call's lock
        "at": at.isoformat(),
        "kind": kind.value,
        "speaker": None,
        "text": None,
        "suggestions": None,
        "compliance": None,
        "summary": None,
        "auditId": None,
        **fields,
    }


# ---------------------------------------------------------------------------------------------- helpers


def bus_of(info: Info) -> CallBus:
    return info.context.services.extras["call_bus"]


def _agent_of(p: Principal) -> str:
    return p.agent_id or p.actor_id


def _may_follow(p: Principal, call: Any) -> bool:
    return p.role in FOLLOW_ANY or call.agent_id == _agent_of(p)


def _visible_call(p: Principal, call: Any, call_id: str) -> Any:
    """The call if this principal may see it; another tenant's call, another agent's for an agent, or
    another debtor's for a session bound to one record (a sidebar), reads as not found."""
    if call is None or call.tenant_id != p.tenant_id or not _may_follow(p, call):
        raise NotFound(f"call {call_id} not found")
    if p.debtor_id is not None and call.debtor_id != p.debtor_id:
        raise NotFound(f"call {call_id} not found")
    return call


def _main_currency(accounts: Sequence[Any]) -> str | None:
    open_ = [a for a in accounts if Decimal(a.balance) > 0] or list(accounts)
    if not open_:
        return None
    return max(open_, key=lambda a: (Decimal(a.balance), a.days_past_due or 0)).currency


def _timezone(debtor: Any) -> str | None:
    try:
        zones = candidate_timezones(
            debtor.addresses or [], debtor.phones or [], debtor.timezone, debtor.jurisdiction
        )
    except (DomainError, ValueError, KeyError):
        return None
    return zones[0].tz if zones else None


async def _facts(info: Info, debtor: Any, first_contact: bool) -> CallFacts:
    loaders = info.context.loaders
    accounts = await loaders.accounts_by_debtor_id.load(debtor.id)
    if not debtor.jurisdiction:
        raise BadInput("debtor: no jurisdiction known; set the debtor's jurisdiction or address first")
    return CallFacts(
        jurisdiction=debtor.jurisdiction,
        language=(debtor.language or "es").split("-")[0].lower(),
        timezone=_timezone(debtor),
        currency=_main_currency(accounts),
        addresses=tuple(debtor.addresses or ()),
        is_first_contact=first_contact,
        time_barred=any(a.time_barred for a in accounts),
        own_numbers=tuple(
            n
            for n in (
                debtor.external_id,
                *(a.external_id for a in accounts),
                *(ph.get("number") for ph in debtor.phones or () if isinstance(ph, dict)),
            )
            if n
        ),
    )


async def _first_contact(info: Info, debtor_id: str) -> bool:
    """No conversation with the debtor recorded before the call: the call is the first contact."""
    history = await info.context.loaders.interactions_by_debtor_id.load(debtor_id)
    return not any(i.outcome == InteractionOutcome.CONVERSATION.value for i in history)


def _resolve_agent(info: Info, p: Principal, agent_id: str | None) -> str:
    if agent_id is None or p.role in (AGENT, SUPERVISOR):
        return _agent_of(p)
    if len(agent_id) > 200:
        raise BadInput("agentId: at most 200 characters", [FieldError("agentId", "at most 200 characters")])
    agent = info.context.session.scalar(
        select(Agent).where(Agent.tenant_id == p.tenant_id, Agent.external_id == agent_id)
    )
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    return agent.id


# ------------------------------------------------------------------------------------ per-turn caching


@dataclass(frozen=True)
class _CallBinding:
    """What a call's first turn fixed (tenant, debtor, agent, first contact): kept per process so later
    turns skip reading the call before it is locked. Its status is checked again under the lock."""

    tenant_id: str
    debtor_id: str
    agent_id: str
    status: str
    first_contact: bool

    @classmethod
    def of(cls, call: Call) -> _CallBinding:
        first = bool((call.disclosure or {}).get("firstContact", False))
        return cls(call.tenant_id, call.debtor_id, call.agent_id, call.status, first)


class _Lru:
    """A bounded least-recently-used map (per process)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Any, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)


def _bindings(info: Info) -> _Lru:
    return objection_api._shared(info, "call_bindings", lambda: _Lru(10_000))


def _committer(info: Info) -> TurnCommitter:
    """This process's turn committer (one per event loop)."""
    services = info.context.services
    loop = asyncio.get_running_loop()
    found = services.extras.get("call_committer")
    if found is None or found[0] is not loop:
        delay = services.settings.audit_batch_ms / 1000
        found = services.extras["call_committer"] = (
            loop,
            TurnCommitter(services.session_factory, delay=delay),
        )
    return found[1]


def _debtor_revision(info: Info, p: Principal, debtor_id: str) -> tuple[str, int]:
    """The tenant's debtor and its card revision (one indexed read), else NotFound."""
    services = info.context.services
    reader = objection_api._shared(info, "suggestion_revisions", lambda: RevisionReader(services.engine))
    found = reader.current(p.tenant_id, by="debtor_id", key=debtor_id)
    if found is None:
        raise NotFound(f"debtor {debtor_id} not found")
    return found[0], int(found[1])


class _LineReader:
    """What an AGENT turn reads, in one indexed statement on a pooled driver cursor (compiled once): the
    debtor's id and card revision (its facts) and the tenant's settings as stored and slug (its rule-pack
    overlays), instead of a revision read plus an ORM read of the tenant row on every line."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        stmt = (
            select(Debtor.id, Debtor.card_revision, cast(Tenant.settings, Text), Tenant.slug)
            .join(Tenant, Tenant.id == Debtor.tenant_id)
            .where(Debtor.tenant_id == bindparam("tenant"), Debtor.id == bindparam("key"))
        )
        compiled = stmt.compile(dialect=engine.dialect)
        order = compiled.positiontup
        self._sql, self._order = str(compiled), tuple(order) if order is not None else None

    def read(self, tenant_id: str, debtor_id: str) -> tuple[str, int, str | None, str] | None:
        values = {"tenant": tenant_id, "key": debtor_id}
        params: Any = tuple(values[n] for n in self._order) if self._order is not None else values
        row = fetch_one_raw(self.engine, self._sql, params)
        return None if row is None else (row[0], int(row[1]), row[2], row[3])


def _line_inputs(
    info: Info, p: Principal, debtor_id: str
) -> tuple[str, int, PackRegistry, str, DestinationGuard | None]:
    """For an AGENT turn: the debtor (else NotFound), its card revision, the tenant's packs with its
    overlays and its payment-destination guard (built once per settings as stored: any change to them,
    a newly registered destination included, reads differently), and their key."""
    services = info.context.services
    reader = objection_api._shared(info, "call_line_reader", lambda: _LineReader(services.engine))
    found = reader.read(p.tenant_id, debtor_id)
    if found is None:
        raise NotFound(f"debtor {debtor_id} not found")
    found_id, revision, settings_text, slug = found
    base = services.extras["packs"]
    digest = hashlib.sha256(settings_text.encode()).hexdigest() if settings_text else ""
    packs_key = (p.tenant_id, slug, digest)
    cache = objection_api._shared(info, "call_packs", lambda: _Lru(256))
    built = cache.get(packs_key)
    if built is None or built[0] is not base:
        settings = json.loads(settings_text) if settings_text else {}
        settings = settings if isinstance(settings, dict) else {}
        built = (
            base,
            packs_with_overlays(base, settings, slug),
            tenant_guard(settings, public_urls_of(services.extras.get("drafts"))),
        )
        cache.put(packs_key, built)
    return found_id, revision, built[1], digest, built[2]


def _agent_line(
    info: Info,
    p: Principal,
    text: str,
    facts: CallFacts,
    packs: PackRegistry,
    packs_digest: str,
    guard: DestinationGuard | None,
) -> AgentLine:
    """``check_agent_line`` (a pure function of the line, the debtor's facts, the packs and the tenant's
    payment destinations), remembered for identical inputs: an opening or closing script said on every
    call is checked once per process. The key holds the settings' digest (packs and destinations) and the
    guard's own key."""
    key = (
        guard.key() if guard is not None else None,
        facts.own_numbers,
        p.tenant_id,
        packs_digest,
        text,
        facts.jurisdiction,
        facts.language,
        facts.recipient_role,
        facts.is_first_contact,
        facts.time_barred,
        json.dumps(facts.addresses, sort_keys=True, default=str) if facts.addresses else "",
    )
    cache = objection_api._shared(info, "call_line_checks", lambda: _Lru(4_096))
    found = cache.get(key)
    if found is None or found[0] is not packs:
        found = (packs, check_agent_line(text, facts=facts, packs=packs, guard=guard))
        cache.put(key, found)
    return found[1]


async def _call_facts(
    info: Info, p: Principal, debtor_id: str, revision: int, first_contact: bool
) -> CallFacts:
    """The debtor's facts for a turn, built once per debtor card revision (every write to the debtor or
    its accounts moves it) instead of once per turn."""
    cache = objection_api._shared(info, "call_facts", lambda: _Lru(2_000))
    key = (p.tenant_id, debtor_id, revision, first_contact)
    facts = cache.get(key)
    if facts is None:
        debtor = await info.context.loaders.debtor_by_id.load(debtor_id)
        if debtor is None:
            raise NotFound(f"debtor {debtor_id} not found")
        facts = await _facts(info, debtor, first_contact)
        if debtor.card_revision == revision:  # not moved while we read
            cache.put(key, facts)
    return facts


def _turn_state(call: store.LockedCall, first_contact: bool) -> tuple[int, dict[str, Any]]:
    state = dict(call.disclosure or {})
    state.setdefault("firstContact", first_contact)
    return call.turns + 1, state


def _debtor_plan(
    p: Principal,
    call_id: str,
    debtor_id: str,
    text: str,
    at: datetime,
    now: datetime,
    first_contact: bool,
    suggestion: Any,
    policy_versions: dict[str, Any],
    outcome: Any,
) -> Any:
    """What a DEBTOR turn writes once its call is locked: the SUGGESTION record and the SUGGESTIONS event."""
    promise = outcome.promise.as_json() if outcome.promise else None

    def plan(call: store.LockedCall) -> TurnPlan:
        turn_no, state = _turn_state(call, first_contact)
        record = {
            "kind": "SUGGESTION",
            "actor_id": p.actor_id,
            "actor_role": p.role.value,
            "debtor_id": debtor_id,
            "call_id": call_id,
            "input": {
                "utterance": text,
                "callId": call_id,
                "debtorId": debtor_id,
                "speaker": enums.Speaker.DEBTOR.value,
                "turn": turn_no,
                "at": at.isoformat(),
            },
            "output": {**suggestion.audit_output(), "promise": promise},
            "versions": {
                **suggestion.versions(),
                **({"agreementPolicy": policy_versions} if policy_versions else {}),
            },
            "now": now,
        }

        def drafts(audit_id: str) -> list[dict[str, Any]]:
            payload = _payload(
                call_id,
                enums.CallEventKind.SUGGESTIONS,
                at,
                speaker=enums.Speaker.DEBTOR.value,
                text=text,
                suggestions=_suggestions_json(suggestion, audit_id),
                auditId=audit_id,
            )
            return [{"payload": payload, "facts": {"category": outcome.category, "promise": promise}}]

        return TurnPlan(turn_no, record, drafts, state)

    return plan


def _agent_plan(
    p: Principal,
    call_id: str,
    debtor_id: str,
    text: str,
    at: datetime,
    now: datetime,
    first_contact: bool,
    facts: CallFacts,
    packs: Any,
    line: Any,
    guard: DestinationGuard | None = None,
) -> Any:
    """What an AGENT turn writes once its call is locked: the disclosure tracking moves on, the
    COMPLIANCE_CHECK record and the line's events (COMPLIANCE_ALERT, DISCLOSURE_REMINDER or TURN).
    `guard`: the payment-destination guard the line was checked with; its registry version is recorded
    (versions.paymentDestinations), as checkCompliance records it."""
    requirements_for = {
        first_contact: call_requirements(
            packs,
            facts.jurisdiction,
            recipient_role=facts.recipient_role,
            is_first_contact=first_contact,
            addresses=facts.addresses,
        )
    }

    def plan(call: store.LockedCall) -> TurnPlan:
        turn_no, state = _turn_state(call, first_contact)
        first = bool(state["firstContact"])
        if first not in requirements_for:  # another worker bound the call first, with the other value
            requirements_for[first] = call_requirements(
                packs,
                facts.jurisdiction,
                recipient_role=facts.recipient_role,
                is_first_contact=first,
                addresses=facts.addresses,
            )
        requirements = requirements_for[first]
        outcome = advance_call(line, state=DisclosureState.from_json(state), requirements=requirements)
        report = outcome.report
        state.update(outcome.disclosure.as_json())
        record = {
            "kind": "COMPLIANCE_CHECK",
            "actor_id": p.actor_id,
            "actor_role": p.role.value,
            "debtor_id": debtor_id,
            "call_id": call_id,
            "input": {
                "text": text,
                "channel": "CALL",
                "context": "CALL_TURN",
                "jurisdiction": facts.jurisdiction,
                "isFirstContact": first,
                "speaker": enums.Speaker.AGENT.value,
                "turn": turn_no,
                "at": at.isoformat(),
            },
            "output": {
                "compliant": report.compliant,
                "violations": [{"ruleId": h.rule_id, "code": str(h.code)} for h in report.violations],
                "warnings": [{"ruleId": h.rule_id, "code": str(h.code)} for h in report.warnings],
                "blocked": [{"ruleId": h.rule_id, "code": str(h.code)} for h in report.violations],
                "elements": list(outcome.elements),
                "disclosureReminders": [h.rule_id for h in outcome.reminders],
            },
            "versions": {
                "rulePacks": report.pack_version,
                "lexicon": detector_version(),
                "textModel": text_model_version(),
                **({"paymentDestinations": guard.version} if guard is not None else {}),
            },
            "now": now,
        }
        rules = {r.rule_id: r.rule for r in requirements}

        def drafts(audit_id: str) -> list[dict[str, Any]]:
            out = []
            for kind in outcome.kinds:
                if kind is enums.CallEventKind.DISCLOSURE_REMINDER:
                    hits = outcome.reminders
                    violations = [h for h in hits if rules[h.rule_id].severity == "violation"]
                    warnings = [h for h in hits if rules[h.rule_id].severity != "violation"]
                    compliance = report_json(violations, warnings, report.pack_version, audit_id)
                else:
                    compliance = report_json(
                        report.violations, report.warnings, report.pack_version, audit_id
                    )
                out.append(
                    {
                        "payload": _payload(
                            call_id,
                            kind,
                            at,
                            speaker=enums.Speaker.AGENT.value,
                            text=text,
                            compliance=compliance,
                            auditId=audit_id,
                        ),
                        "facts": {
                            "alerts": [hit_json(h) for h in report.violations]
                            if kind is not enums.CallEventKind.DISCLOSURE_REMINDER
                            else [],
                            "elements": list(outcome.elements),
                        },
                    }
                )
            return out

        return TurnPlan(turn_no, record, drafts, state)

    return plan


def _graphql_error(exc: DomainError) -> GraphQLError:
    return coded(GraphQLError(exc.message, original_error=exc))


# ---------------------------------------------------------------------------------------------- schema


@strawberry.type
class Query:
    @strawberry.field(description="This tenant's CRM codes per disposition (setDispositionCodes).")
    def disposition_codes(self, info: Info) -> JSON:
        p = info.context.require(info)
        tenant = info.context.session.get(Tenant, p.tenant_id)
        return dict(((tenant.settings if tenant else None) or {}).get(DISPOSITION_KEY) or {})


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="One turn of a live call. A DEBTOR turn yields SUGGESTIONS (as suggestResponses); an "
        "AGENT turn is checked as a CALL_TURN (COMPLIANCE_ALERT when it breaks a rule, TURN when clean) and "
        "the call's opening disclosures are tracked (DISCLOSURE_REMINDER). Recorded in the ledger; every "
        "event also goes to the call's callAssist subscribers. Returns the turn's first event."
    )
    async def push_transcript(self, info: Info, input: PushTranscriptInput) -> CallEvent:
        ctx = info.context
        p = ctx.require(info)
        call_id = store.check_call_id(str(input.call_id))
        text = check_turn_text(input.text)
        speaker = enums.Speaker(input.speaker.value)
        now = ctx.now()
        at = input.at or now
        # The revision read takes a pooled connection of its own: done before this operation's session
        # holds one (an operation holds at most one connection at a time, or a full pool freezes the loop).
        if speaker is enums.Speaker.DEBTOR:
            debtor_id, revision = _debtor_revision(info, p, str(input.debtor_id))
        else:
            debtor_id, revision, packs, packs_digest, guard = _line_inputs(info, p, str(input.debtor_id))
        bound = _bindings(info).get(call_id)
        if bound is None:
            existing = ctx.session.get(Call, call_id)
            if existing is not None:
                bound = _CallBinding.of(existing)
                if existing.tenant_id == p.tenant_id:
                    _bindings(info).put(call_id, bound)
        if bound is not None:
            _check_turn_target(p, bound, call_id, debtor_id)  # early; checked again under the call's lock
            first_contact = bound.first_contact
        else:
            first_contact = await _first_contact(info, debtor_id)
        facts = await _call_facts(info, p, debtor_id, revision, first_contact)
        agent_id = _resolve_agent(info, p, input.agent_id)
        # The turn's content does not depend on the call's state: computed before the call is locked.
        if speaker is enums.Speaker.DEBTOR:
            ctx.session.commit()  # the suggestion path reads the card's revision on its own connection
            suggestion, policy_versions, _card = await objection_api.compute_suggestions(
                info, p, debtor_id, text
            )
            outcome = debtor_turn(text, category=suggestion.category.value, facts=facts, now=at)
            plan = _debtor_plan(
                p, call_id, debtor_id, text, at, now, first_contact, suggestion, policy_versions, outcome
            )
        else:
            line = _agent_line(info, p, text, facts, packs, packs_digest, guard)
            plan = _agent_plan(p, call_id, debtor_id, text, at, now, first_contact, facts, packs, line, guard)
        ctx.session.commit()  # only reads so far: the connection goes back while the turn is written
        pending = PendingTurn(
            call_id=call_id,
            binding=None
            if bound is not None
            else store.Binding(p.tenant_id, debtor_id, agent_id, facts.language, facts.jurisdiction),
            check=lambda call: _check_turn_target(p, call, call_id, debtor_id),
            plan=plan,
            now=now,
        )
        payloads = await _committer(info).write(p.tenant_id, pending)
        await bus_of(info).publish_many(p.tenant_id, call_id, payloads)
        return event_type(payloads[0])

    @strawberry.mutation(
        description="End a call: a short summary in the agent's language, a proposed disposition with "
        "reasons (and the tenant's CRM code), the objections, the alerts and the debtor's promise. Recorded "
        "in the ledger with the audit ids of the call's turns; CALL_ENDED goes to subscribers. Ending an "
        "ended call returns the same summary."
    )
    async def end_call(self, info: Info, call_id: strawberry.ID, language: str | None = None) -> CallSummary:
        ctx = info.context
        p = ctx.require(info)
        cid = store.check_call_id(str(call_id))
        if language is not None and language.split("-")[0].lower() not in ("es", "en"):
            raise BadInput('language: "es" or "en"', [FieldError("language", '"es" or "en"')])
        session = ctx.session
        for _attempt in range(END_ATTEMPTS):
            call = _visible_call(p, session.get(Call, cid, populate_existing=True), cid)
            if call.status == store.ENDED:
                return _summary_type(_ended_summary(session, call))
            try:
                pending, first_contact = await _call_end(info, p, call, language)
                payloads = await _committer(info).write(p.tenant_id, pending)
            except _CallMoved:
                session.commit()  # a turn (or another worker's endCall) came in between: read again
                continue
            binding = _CallBinding(call.tenant_id, call.debtor_id, call.agent_id, store.ENDED, first_contact)
            _bindings(info).put(cid, binding)
            await bus_of(info).publish(p.tenant_id, cid, payloads[0])
            return _summary_type(payloads[0]["summary"])
        msg = f"callId: call {cid} is still receiving turns; end it again / la llamada {cid} sigue recibiendo turnos"
        raise BadInput(msg, [FieldError("callId", msg)])

    @strawberry.mutation(
        description='Map dispositions to this tenant\'s CRM codes (ADMIN), e.g. {"PROMISE_TO_PAY": "PTP", '
        '"CALLBACK": "CB"}; validated against schema/disposition-map.schema.json. Replaces the mapping.'
    )
    def set_disposition_codes(self, info: Info, codes: JSON) -> JSON:
        p = info.context.require(info)
        mapping = load_disposition_codes(codes)
        session = info.context.session
        tenant = session.get(Tenant, p.tenant_id)
        if tenant is None:
            raise NotFound("tenant not found")
        settings = dict(tenant.settings or {})
        settings[DISPOSITION_KEY] = mapping
        tenant.settings = settings
        info.context.record(
            "POLICY_CHANGE",
            input={"dispositionCodes": mapping},
            output={"stored": True},
            versions={},
            now=info.context.now(),
        )
        session.commit()
        return mapping


async def _llm_summary(
    info: Info, debtor: Any, turns: Sequence[TurnFact], rules: Any
) -> tuple[str, str, dict[str, Any] | None]:
    """The summary text, who wrote it (RULES or LLM) and the LLM call's ledger record (None without an
    LLM). Personal data is redacted before it leaves; the rule-based text stands on any failure."""
    client = info.context.services.extras.get("llm")
    if client is None or not turns:
        return rules.summary, "RULES", None
    from asistente.calls.llm_summary import parse_summary, summary_prompt
    from asistente.llm import KnownValues

    known = KnownValues.of(
        names=[debtor.full_name],
        phones=[p.get("number") for p in debtor.phones or []],
        emails=[e.get("address") for e in debtor.emails or []],
    )
    messages, mapping = summary_prompt(turns, rules, known)
    budget = info.context.settings.llm_summary_budget_ms / 1000
    answer = await client.complete(
        messages, budget_s=budget, parse=lambda text: parse_summary(text, mapping), max_tokens=300
    )
    record = answer.ledger()
    if answer.ok:
        return answer.parsed, "LLM", record
    log.warning(
        "call summary: LLM %s (%s); the rule-based summary stands", answer.outcome.value, answer.error
    )
    return rules.summary, "RULES", record


class _CallMoved(DomainError):
    """endCall: the call took a turn (or was ended) between its summary's read and its lock."""


END_ATTEMPTS = 5


async def _call_end(info: Info, p: Principal, call: Call, language: str | None) -> tuple[PendingTurn, bool]:
    """endCall's summary, built from the call's events as read (no lock held: an LLM summary may take
    seconds), and its write for the turn committer: the CALL_SUMMARY record and the CALL_ENDED event,
    written only if the locked call is still the one summarised (same last seq, not ended), else
    ``_CallMoved`` and the caller summarises again."""
    ctx = info.context
    session = ctx.session
    cid = call.id
    debtor = await ctx.loaders.debtor_by_id.load(call.debtor_id)
    if debtor is None:
        raise NotFound(f"call {cid} not found")
    first_contact = bool((call.disclosure or {}).get("firstContact", False))
    facts = await _facts(info, debtor, first_contact)
    packs = tenant_packs(info)
    tenant = session.get(Tenant, p.tenant_id)
    crm_codes = ((tenant.settings if tenant else None) or {}).get(DISPOSITION_KEY) or {}
    now = ctx.now()
    events = store.all_events(session, cid)
    seen = call.last_seq
    if any(e.seq > seen for e in events):  # read after a turn committed: the call row first, then events
        raise _CallMoved(f"call {cid} moved")
    turns = _turn_facts(events)
    state = DisclosureState.from_json(call.disclosure)
    agent_spoke = state.agent_turns > 0
    requirements = call_requirements(
        packs, facts.jurisdiction, is_first_contact=first_contact, addresses=facts.addresses
    )
    missing = [hit_json(r.reminder()) for r in state.missing(requirements)] if agent_spoke else []
    result = summarise(
        turns,
        language=(language or call.language or facts.language).split("-")[0].lower(),
        missing_disclosures=missing,
        jurisdiction=facts.jurisdiction,
        crm_codes=crm_codes,
    )
    session.commit()  # only reads: the connection goes back during the LLM summary and the write
    turn_audit_ids = [t.audit_id for t in turns if t.audit_id]
    summary_text, generator, llm_record = await _llm_summary(info, debtor, turns, result)
    record = {
        "kind": "CALL_SUMMARY",
        "actor_id": p.actor_id,
        "actor_role": p.role.value,
        "debtor_id": call.debtor_id,
        "call_id": cid,
        "input": {"callId": cid, "turns": len(turns), "turnAuditIds": turn_audit_ids, "language": language},
        "output": {**result.as_json(), "summary": summary_text, "generator": generator},
        "versions": {
            "rulePacks": "+".join(sorted({r.rule.pack for r in requirements})) or None,
            **({"llm": llm_record} if llm_record else {}),
        },
        "now": now,
    }

    def drafts(audit_id: str) -> list[dict[str, Any]]:
        summary_json = {
            **result.as_json(),
            "summary": summary_text,
            "callId": cid,
            "debtorId": call.debtor_id,
            "auditId": audit_id,
            "generator": generator,
        }
        payload = _payload(cid, enums.CallEventKind.CALL_ENDED, now, summary=summary_json, auditId=audit_id)
        return [{"payload": payload, "facts": {}}]

    def check(locked: store.LockedCall | None) -> None:
        _visible_call(p, locked, cid)
        assert locked is not None
        if locked.status == store.ENDED or locked.last_seq != seen:
            raise _CallMoved(f"call {cid} moved")

    def plan(locked: store.LockedCall) -> TurnPlan:
        return TurnPlan(locked.turns, record, drafts, locked.disclosure, ends=True)

    return PendingTurn(call_id=cid, binding=None, check=check, plan=plan, now=now), first_contact


def _check_turn_target(p: Principal, call: Any, call_id: str, debtor_id: str) -> None:
    """May this principal push a turn of this debtor to this call (a ``Call`` row or a ``_CallBinding``)?"""
    call = _visible_call(p, call, call_id)
    if call.debtor_id != debtor_id:
        msg = "debtorId: this call is bound to another debtor / la llamada es de otro deudor"
        raise BadInput(msg, [FieldError("debtorId", msg)])
    if call.status == store.ENDED:
        msg = f"callId: call {call_id} has ended / la llamada {call_id} ya terminó"
        raise BadInput(msg, [FieldError("callId", msg)])


def _turn_facts(events: Sequence[Any]) -> list[TurnFact]:
    by_turn: dict[int, TurnFact] = {}
    order: list[int] = []
    for e in events:
        if e.turn is None:
            continue
        facts = e.facts or {}
        prior = by_turn.get(e.turn)
        alerts = tuple(facts.get("alerts") or ())
        if prior is None:
            order.append(e.turn)
            by_turn[e.turn] = TurnFact(
                speaker=e.speaker or "",
                text=e.text or "",
                category=facts.get("category"),
                promise=facts.get("promise"),
                alerts=alerts,
                audit_id=e.audit_id,
            )
        elif alerts and not prior.alerts:
            by_turn[e.turn] = TurnFact(
                prior.speaker, prior.text, prior.category, prior.promise, alerts, prior.audit_id
            )
    return [by_turn[t] for t in order]


def _ended_summary(session: Any, call: Call) -> dict[str, Any]:
    for e in reversed(store.all_events(session, call.id)):
        if e.kind == enums.CallEventKind.CALL_ENDED.value:
            return e.payload["summary"]
    raise NotFound(f"call {call.id} not found")  # pragma: no cover (an ended call has its event)


# -------------------------------------------------------------------------------------- subscription


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The events of one call, in order, each once: what was said, suggestions, alerts, "
        "reminders, and CALL_ENDED (then the stream completes). An agent follows their own calls; a "
        "supervisor any call of the tenant. Events after `afterSeq` already stored are sent first (join "
        "late or resume). The stream ends with UNAUTHENTICATED when the credential expires or is revoked, "
        "and with RATE_LIMITED when the client does not read its events."
    )
    async def call_assist(
        self, info: Info, call_id: strawberry.ID, after_seq: int = 0
    ) -> AsyncGenerator[CallEvent, None]:
        ctx = info.context
        try:
            # Errors of a subscription's start are coded like the stream's (a raw DomainError here would
            # reach the client without extensions.code).
            p = ctx.require(info)
            cid = store.check_call_id(str(call_id))
            if after_seq < 0:
                msg = "afterSeq: 0 or more / afterSeq debe ser 0 o más"
                raise BadInput(msg, [FieldError("afterSeq", msg)])
        except DomainError as exc:
            raise _graphql_error(exc) from None
        services = ctx.services
        bus: CallBus = services.extras["call_bus"]
        sub = bus.subscribe(p.tenant_id, cid)  # before reading stored events: nothing falls in between
        last = after_seq
        known = False
        try:
            while True:
                if not known:
                    with services.session_factory() as s:
                        call = s.get(Call, cid)
                        if call is not None:
                            _visible_call(p, call, cid)
                            known = True
                if known:
                    with services.session_factory() as s:
                        stored = store.events_after(s, cid, last)
                    for row in stored:
                        last = row.seq
                        yield event_type(row.payload)
                        if row.kind == enums.CallEventKind.CALL_ENDED.value:
                            return
                # live events, until a gap or a poll is due
                while True:
                    wait = POLL_HEALTHY if bus.healthy and known else POLL_DEGRADED
                    ev = await sub.get(timeout=wait)
                    p = ctx.require_field("Subscription", "callAssist")  # expired or revoked: ends here
                    if sub.dropped:
                        raise RateLimited(
                            "this subscriber did not read its events and was dropped; subscribe again "
                            f"with afterSeq: {last}"
                        )
                    if ev is None:
                        break  # poll the database (Redis down, or the call not started yet)
                    seq = ev.get("seq") or 0
                    if seq <= last:
                        continue
                    if seq != last + 1 or not known:
                        break  # a gap: the missing events are already stored
                    last = seq
                    yield event_type(ev)
                    if ev.get("kind") == enums.CallEventKind.CALL_ENDED.value:
                        return
        except DomainError as exc:
            raise _graphql_error(exc) from None
        finally:
            bus.unsubscribe(sub)
