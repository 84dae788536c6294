"""GraphQL shapes of compliance results."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from asistente.api.core.scalars import Channel, ViolationCode
from asistente.compliance import ComplianceReport as DomainReport
from asistente.compliance import ContactDecision
from asistente.compliance import RuleHit as DomainHit
from asistente.enums import ViolationCode as DomainCode


@strawberry.type
class Span:
    start: int
    end: int


@strawberry.type(
    description="One rule that the contact or text breaks (or warns about), with its legal source."
)
class RuleHit:
    rule_id: str
    code: ViolationCode
    message: str
    legal_source: str | None
    span: Span | None
    verify: str | None = strawberry.field(
        description="What is legally uncertain about this rule, if anything."
    )


def hit(h: DomainHit) -> RuleHit:
    return RuleHit(
        rule_id=h.rule_id,
        code=ViolationCode(DomainCode(h.code)),
        message=h.message,
        legal_source=h.legal_source,
        span=Span(start=h.span.start, end=h.span.end) if h.span else None,
        verify=getattr(h, "verify", None),
    )


@strawberry.type
class ContactPermission:
    allowed: bool
    violations: list[RuleHit]
    warnings: list[RuleHit]
    next_allowed_at: datetime | None = strawberry.field(
        description="First instant at which every rule allows this contact; null if none within 60 days."
    )
    debtor_local_times: list[datetime]
    timezones: list[str]
    missing_data: list[str]
    pack_versions: JSON
    audit_id: strawberry.ID | None = strawberry.field(
        description="Ledger record of this check (explicit checks)."
    )


def contact_permission(d: ContactDecision, audit_id: str | None = None) -> ContactPermission:
    return ContactPermission(
        allowed=d.allowed,
        violations=[hit(h) for h in d.violations],
        warnings=[hit(h) for h in d.warnings],
        next_allowed_at=d.next_allowed_at,
        debtor_local_times=list(d.local_times),
        timezones=list(d.timezones),
        missing_data=list(d.missing_data),
        pack_versions=dict(d.pack_versions),
        audit_id=strawberry.ID(audit_id) if audit_id else None,
    )


@strawberry.type(description="Whether a channel may be used now, as shown on the card.")
class ChannelStatus:
    channel: Channel
    allowed: bool
    codes: list[ViolationCode]
    next_allowed_at: datetime | None


@strawberry.type
class ComplianceReport:
    compliant: bool
    violations: list[RuleHit]
    warnings: list[RuleHit]
    pack_version: str
    audit_id: strawberry.ID | None


def report(r: DomainReport, audit_id: str | None = None) -> ComplianceReport:
    return ComplianceReport(
        compliant=r.compliant,
        violations=[hit(h) for h in r.violations],
        warnings=[hit(h) for h in r.warnings],
        pack_version=r.pack_version,
        audit_id=strawberry.ID(audit_id) if audit_id else None,
    )
