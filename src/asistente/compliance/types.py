"""Plain dataclasses in and out of the compliance engine (no ORM, no GraphQL)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from asistente.enums import (
    Channel,
    Direction,
    InteractionOutcome,
    RecipientRole,
    ViolationCode,
)

__all__ = [
    "ComplianceReport",
    "ConsentWindow",
    "ContactDecision",
    "ContactRequest",
    "DebtorFacts",
    "InteractionFact",
    "Rule",
    "RuleHit",
    "RulePack",
    "Span",
]


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    code: ViolationCode
    message: str  # "<español> / <English>"
    legal_source: str | None
    span: Span | None = None
    verify: str | None = None  # what is legally uncertain about the rule, from the pack


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    code: ViolationCode
    source: str
    parameters: Mapping[str, Any]
    channels: frozenset[Channel] | None = None  # None: every channel
    recipient_roles: frozenset[RecipientRole] | None = None  # None: every role
    severity: str = "violation"  # "violation" | "warning"
    verify: str | None = None
    message_es: str | None = None
    message_en: str | None = None
    pack: str = ""  # jurisdiction of the pack it came from, or "tenant:<jurisdiction>"
    # "communication": about what a whole communication must contain (left to the call in CALL_TURN);
    # "line": what any line must not say (applies to every line).
    scope: str = "line"

    def applies_to(self, channel: Channel, role: RecipientRole) -> bool:
        if self.channels is not None and channel not in self.channels:
            return False
        return self.recipient_roles is None or role in self.recipient_roles


@dataclass(frozen=True)
class RulePack:
    jurisdiction: str
    version: str
    name: str
    rules: tuple[Rule, ...]
    extends: str | None = None
    applies_to_cities: frozenset[str] = frozenset()  # normalized names
    applies_to_regions: frozenset[str] = frozenset()
    origin: str = ""  # file name or "tenant overlay"
    is_overlay: bool = False  # a tenant's stricter policy, not law
    label: str | None = None  # key in pack_versions when not the default

    @property
    def key(self) -> str:
        if self.label:
            return self.label
        return f"tenant:{self.jurisdiction}" if self.is_overlay else self.jurisdiction


@dataclass(frozen=True)
class ContactRequest:
    channel: Channel
    at: datetime  # aware
    recipient_role: RecipientRole = RecipientRole.DEBTOR
    destination: str | None = None  # phone number or e-mail address the contact goes to


@dataclass(frozen=True)
class ConsentWindow:
    """The debtor's own consent to be contacted at times a window rule would otherwise forbid
    (Reg F 1006.6(b)(1); Ley 2300 art. 3 "solicitud en documento separado")."""

    start: datetime
    end: datetime
    channels: frozenset[Channel] | None = None  # None: every channel


@dataclass(frozen=True)
class DebtorFacts:
    jurisdiction: str | None = None
    timezone: str | None = None  # IANA override
    addresses: tuple[Mapping[str, Any], ...] = ()
    phones: tuple[Mapping[str, Any], ...] = ()
    emails: tuple[Mapping[str, Any], ...] = ()  # {"address", "kind": PERSONAL|WORK}
    birth_date: date | None = None
    authorized_channels: frozenset[Channel] = frozenset()
    opted_out_channels: frozenset[Channel] = frozenset()
    cease_contact: bool = False
    represented_by_attorney: bool = False
    in_litigation: bool = False
    disputed: bool = False
    time_barred: bool = False
    consent_windows: tuple[ConsentWindow, ...] = ()
    employer_domains: frozenset[str] = frozenset()  # e-mail domains known to be the debtor's employer's


@dataclass(frozen=True)
class InteractionFact:
    channel: Channel
    direction: Direction
    at: datetime  # aware
    outcome: InteractionOutcome
    recipient_role: RecipientRole = RecipientRole.DEBTOR


@dataclass
class ContactDecision:
    allowed: bool
    violations: list[RuleHit] = field(default_factory=list)
    warnings: list[RuleHit] = field(default_factory=list)
    next_allowed_at: datetime | None = None
    local_times: list[datetime] = field(default_factory=list)
    timezones: list[str] = field(default_factory=list)
    missing_data: list[str] = field(default_factory=list)
    pack_versions: dict[str, str] = field(default_factory=dict)


@dataclass
class ComplianceReport:
    compliant: bool
    violations: list[RuleHit] = field(default_factory=list)
    warnings: list[RuleHit] = field(default_factory=list)
    pack_version: str = ""
