"""One line of a live call, as a pure function: what the sidebar shows for it.

- An AGENT line is checked with ``check_text(..., channel=CALL, context=CALL_TURN)`` for the debtor's
  jurisdiction (with the tenant's overlays): what a line must not say. What the call as a whole must
  contain (identification, the US debt-collector disclosure) is tracked per call
  (:mod:`asistente.calls.disclosure`): a DISCLOSURE_REMINDER comes when the agent's first N lines lack it.
  When the tenant registered payment destinations, any other account or payment link in the line is a
  PAYMENT_DESTINATION violation (``asistente.drafting.payments.guard_report``, as checkCompliance).
  A line that breaks a rule yields a COMPLIANCE_ALERT; a line that passes yields a TURN event (the live
  view still follows the transcript).
- A DEBTOR line yields SUGGESTIONS: exactly the result of ``asistente.objections.suggest.suggest_responses``
  (computed by the caller with the same inputs suggestResponses uses), plus the promise it carries, if any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asistente.calls.disclosure import DisclosureState, Requirement, track
from asistente.calls.promise import Promise, find_promise
from asistente.compliance import ComplianceReport, PackRegistry, RuleHit, check_text
from asistente.compliance.content import Detector
from asistente.drafting.payments import DestinationGuard, guard_report
from asistente.enums import CallEventKind, Channel, ComplianceContext, RecipientRole, Speaker
from asistente.errors import BadInput, FieldError

__all__ = [
    "MAX_TURN_CHARS",
    "AgentLine",
    "AgentTurn",
    "CallFacts",
    "DebtorTurn",
    "advance_call",
    "agent_turn",
    "check_agent_line",
    "debtor_turn",
    "hit_json",
    "report_json",
]

MAX_TURN_CHARS = 2_000  # one turn of speech (the same bound as suggestResponses' utterance)


@dataclass(frozen=True)
class CallFacts:
    """What a turn needs to know about the call's debtor (built once per turn from stored rows)."""

    jurisdiction: str
    language: str
    timezone: str | None
    currency: str | None
    addresses: tuple[Mapping[str, Any], ...] = ()
    recipient_role: RecipientRole = RecipientRole.DEBTOR
    is_first_contact: bool = False
    time_barred: bool = False
    # The debtor's own account references and phone numbers: never taken for payment destinations.
    own_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgentTurn:
    report: ComplianceReport
    elements: tuple[str, ...]
    disclosure: DisclosureState
    reminders: tuple[RuleHit, ...]
    kinds: tuple[CallEventKind, ...]  # one event per kind, in this order

    @property
    def alerts(self) -> tuple[RuleHit, ...]:
        return tuple(self.report.violations)


@dataclass(frozen=True)
class DebtorTurn:
    category: str
    promise: Promise | None
    kinds: tuple[CallEventKind, ...] = field(default=(CallEventKind.SUGGESTIONS,))


def check_turn_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        msg = "text: the turn is empty / el turno está vacío"
        raise BadInput(msg, [FieldError("text", msg)])
    if len(text) > MAX_TURN_CHARS:
        msg = (
            f"text: one turn has at most {MAX_TURN_CHARS:,} characters (got {len(text):,}); send the "
            f"transcript turn by turn / un turno tiene como máximo {MAX_TURN_CHARS:,} caracteres"
        )
        raise BadInput(msg, [FieldError("text", msg)])
    return text


@dataclass(frozen=True)
class AgentLine:
    """What one agent line says, independent of the call's state (computed before the call is locked)."""

    report: ComplianceReport
    elements: tuple[str, ...]


def check_agent_line(
    text: str,
    *,
    facts: CallFacts,
    packs: PackRegistry,
    detector: Detector | None = None,
    guard: DestinationGuard | None = None,
) -> AgentLine:
    """The line checked as a CALL_TURN (plus the tenant's payment destinations when ``guard`` is given),
    and the required-content elements it contains."""
    check_turn_text(text)
    report = check_text(
        text,
        channel=Channel.CALL,
        jurisdiction=facts.jurisdiction,
        packs=packs,
        recipient_role=facts.recipient_role,
        language=facts.language,
        is_first_contact=facts.is_first_contact,
        time_barred=facts.time_barred,
        addresses=facts.addresses,
        detector=detector,
        context=ComplianceContext.CALL_TURN,
    )
    if guard is not None:
        report = guard_report(
            report,
            text,
            guard.allowing(numbers=facts.own_numbers),
            packs=packs,
            jurisdiction=facts.jurisdiction,
            addresses=facts.addresses,
        )
    if detector is None:
        from asistente.compliance.detect import find_elements

        elements = tuple(sorted(find_elements(text, facts.language)))
    else:
        elements = tuple(sorted(detector.find_elements(text, facts.language)))
    return AgentLine(report, elements)


def advance_call(
    line: AgentLine, *, state: DisclosureState, requirements: Sequence[Requirement]
) -> AgentTurn:
    """The agent line in the call: the disclosure tracking moves on and the line's events are chosen."""
    tracked = track(state, requirements, line.elements)
    reminders = tuple(r.reminder() for r in tracked.due)
    kinds: list[CallEventKind] = []
    if line.report.violations:
        kinds.append(CallEventKind.COMPLIANCE_ALERT)
    if reminders:
        kinds.append(CallEventKind.DISCLOSURE_REMINDER)
    if not kinds:
        kinds.append(CallEventKind.TURN)
    return AgentTurn(line.report, line.elements, tracked.state, reminders, tuple(kinds))


def agent_turn(
    text: str,
    *,
    facts: CallFacts,
    packs: PackRegistry,
    state: DisclosureState,
    requirements: Sequence[Requirement],
    detector: Detector | None = None,
    guard: DestinationGuard | None = None,
) -> AgentTurn:
    """Check one agent line and advance the call's disclosure tracking (``check_agent_line`` then
    ``advance_call``; the service runs the first before taking the call's lock)."""
    line = check_agent_line(text, facts=facts, packs=packs, detector=detector, guard=guard)
    return advance_call(line, state=state, requirements=requirements)


def debtor_turn(text: str, *, category: str, facts: CallFacts, now: datetime) -> DebtorTurn:
    """A debtor line: its objection category (from the suggestion set) and the promise it makes, if any."""
    check_turn_text(text)
    promise = find_promise(text, now=now, tz=facts.timezone, currency=facts.currency, language=facts.language)
    return DebtorTurn(category=category, promise=promise)


# ------------------------------------------------------------------------------------ JSON of an event


def hit_json(h: RuleHit) -> dict[str, Any]:
    return {
        "ruleId": h.rule_id,
        "code": str(h.code),
        "message": h.message,
        "legalSource": h.legal_source,
        "span": {"start": h.span.start, "end": h.span.end} if h.span else None,
        "verify": getattr(h, "verify", None),
    }


def report_json(
    violations: Sequence[RuleHit], warnings: Sequence[RuleHit], pack_version: str, audit_id: str | None
) -> dict[str, Any]:
    return {
        "compliant": not violations,
        "violations": [hit_json(h) for h in violations],
        "warnings": [hit_json(h) for h in warnings],
        "packVersion": pack_version,
        "auditId": audit_id,
    }


def speaker_of(value: Any) -> Speaker:
    try:
        return Speaker(value)
    except ValueError:
        msg = f"speaker: AGENT or DEBTOR (got {value!r})"
        raise BadInput(msg, [FieldError("speaker", msg)]) from None
