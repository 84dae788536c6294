"""Compliance review of the audit ledger, and the agent's feedback on advice."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente.api.core.permissions import ADMIN, AGENT, COMPLIANCE, INTEGRATOR, SUPERVISOR, register
from asistente.api.core.scalars import PageInfo
from asistente.audit import ledger
from asistente.audit.models import AuditKind as DomainAuditKind
from asistente.audit.models import FeedbackAction as DomainFeedbackAction
from asistente.errors import BadInput, FieldError, NotFound

AuditKind = strawberry.enum(DomainAuditKind, name="AuditKind")
FeedbackAction = strawberry.enum(DomainFeedbackAction, name="FeedbackAction")

REVIEWERS = frozenset({COMPLIANCE, ADMIN})
register("Query.auditEvents", REVIEWERS)
register("Query.auditEvent", REVIEWERS)
register("Query.auditSummary", REVIEWERS)
register("Mutation.recordSuggestionFeedback", frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN}))


@strawberry.type
class AuditFeedback:
    id: strawberry.ID
    action: FeedbackAction
    final_text: str | None
    actor_id: str | None
    at: datetime


@strawberry.type(description="One ledger record: what was advised, on what inputs and rule versions.")
class AuditEvent:
    id: strawberry.ID
    seq: int
    at: datetime
    kind: AuditKind
    actor_id: str | None
    actor_role: str | None
    debtor_id: strawberry.ID | None
    call_id: str | None
    input: JSON
    output: JSON
    versions: JSON
    hash: str
    prev_hash: str

    @strawberry.field(description="What the agent did with this advice (oldest first).")
    async def feedback(self, info: Info) -> list[AuditFeedback]:
        ctx = info.context

        def make() -> DataLoader:
            async def load(ids: list[str]) -> list[list]:
                found = ledger.feedback_for_events(
                    ctx.session, tenant_id=ctx.principal.tenant_id, event_ids=ids
                )
                return [found.get(i, []) for i in ids]

            return DataLoader(load_fn=load)

        rows = await ctx.loaders.extra("feedback_by_event_id", make).load(str(self.id))
        return [
            AuditFeedback(
                id=strawberry.ID(f.id),
                action=FeedbackAction(f.action),
                final_text=f.final_text,
                actor_id=f.actor_id,
                at=f.at,
            )
            for f in rows
        ]


def to_gql(e) -> AuditEvent:
    return AuditEvent(
        id=strawberry.ID(e.id),
        seq=e.seq,
        at=e.at,
        kind=AuditKind(e.kind),
        actor_id=e.actor_id,
        actor_role=e.actor_role,
        debtor_id=strawberry.ID(e.debtor_id) if e.debtor_id else None,
        call_id=e.call_id,
        input=e.input,
        output=e.output,
        versions=e.versions,
        hash=e.hash,
        prev_hash=e.prev_hash,
    )


@strawberry.type
class AuditEventEdge:
    cursor: str
    node: AuditEvent


@strawberry.type
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo


@strawberry.input
class AuditFilter:
    debtor_id: strawberry.ID | None = None
    actor_id: str | None = None
    kind: AuditKind | None = None
    from_: datetime | None = strawberry.field(default=None, name="from", description="Inclusive.")
    to: datetime | None = strawberry.field(default=None, description="Exclusive.")


@strawberry.type
class RuleCount:
    rule_id: str
    count: int


@strawberry.type(description="Advice counts per kind, objection category and agent over a period.")
class AuditSummaryRow:
    kind: AuditKind
    category: str | None
    actor_id: str | None
    shown: int
    used: int
    edited: int
    discarded: int
    blocked: int
    blocked_by_rule: list[RuleCount]


@strawberry.type(description="The recorded feedback. The advice event itself is readable by reviewers only.")
class FeedbackResult:
    feedback: AuditFeedback
    audit_id: strawberry.ID
    kind: AuditKind


@strawberry.type
class Query:
    @strawberry.field(description="The audit ledger, newest first (COMPLIANCE and ADMIN).")
    def audit_events(
        self, info: Info, filter: AuditFilter | None = None, first: int = 50, after: str | None = None
    ) -> AuditEventConnection:
        p = info.context.require(info)
        if first < 1 or first > 200:
            raise BadInput("first: between 1 and 200")
        f = filter or AuditFilter()
        for name, value in (("from", f.from_), ("to", f.to)):
            if value is not None and value.tzinfo is None:
                raise BadInput(f"filter.{name}: the instant must carry an offset")
        rows, has_next, end = ledger.list_events(
            info.context.session,
            tenant_id=p.tenant_id,
            debtor_id=str(f.debtor_id) if f.debtor_id else None,
            actor_id=f.actor_id,
            kind=f.kind.value if f.kind else None,
            since=f.from_,
            until=f.to,
            first=first,
            after_cursor=after,
        )
        edges = [AuditEventEdge(cursor=ledger.encode_cursor(e.seq), node=to_gql(e)) for e in rows]
        return AuditEventConnection(edges=edges, page_info=PageInfo(has_next_page=has_next, end_cursor=end))

    @strawberry.field
    def audit_event(self, info: Info, id: strawberry.ID) -> AuditEvent:
        p = info.context.require(info)
        return to_gql(ledger.get_event(info.context.session, tenant_id=p.tenant_id, event_id=str(id)))

    @strawberry.field(
        description="Advice shown, used, edited, discarded and blocked by rule over [from, to)."
    )
    def audit_summary(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime | None = None,
    ) -> list[AuditSummaryRow]:
        p = info.context.require(info)
        until = to or info.context.now()
        if from_.tzinfo is None or until.tzinfo is None:
            raise BadInput("from/to: instants must carry an offset")
        if until <= from_:
            raise BadInput("to must be after from")
        rows = ledger.summary(info.context.session, tenant_id=p.tenant_id, since=from_, until=until)
        return [
            AuditSummaryRow(
                kind=AuditKind(r.kind),
                category=r.category,
                actor_id=r.actor_id,
                shown=r.shown,
                used=r.used,
                edited=r.edited,
                discarded=r.discarded,
                blocked=r.blocked,
                blocked_by_rule=[RuleCount(rule_id=k, count=v) for k, v in sorted(r.blocked_by_rule.items())],
            )
            for r in rows
        ]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="What the agent did with a suggestion, draft or check.")
    async def record_suggestion_feedback(
        self, info: Info, audit_id: strawberry.ID, action: FeedbackAction, final_text: str | None = None
    ) -> FeedbackResult:
        p = info.context.require(info)
        session = info.context.session
        if p.debtor_id is not None:  # a record-bound session reports on its own debtor's advice only
            shown = ledger.get_event(session, tenant_id=p.tenant_id, event_id=str(audit_id))
            if shown.debtor_id != p.debtor_id:
                raise NotFound("audit event not found", [FieldError("auditId", "not found", "NOT_FOUND")])
        event, row = ledger.feedback_parts(
            session,
            tenant_id=p.tenant_id,
            event_id=str(audit_id),
            actor_id=p.actor_id,
            actor_role=p.role.value,
            action=action.value,
            final_text=final_text,
            now=info.context.now(),
            # Agents and supervisors report on advice they were shown; integrators (a CRM backend relaying
            # the sidebar) and admins may report for anyone of the tenant.
            only_own=p.role in (AGENT, SUPERVISOR),
        )
        target = ledger.get_event(session, tenant_id=p.tenant_id, event_id=str(audit_id))
        await info.context.record_feedback_committed(event, row)  # the FEEDBACK event and this row, together
        return FeedbackResult(
            feedback=AuditFeedback(
                id=strawberry.ID(row["id"]),
                action=FeedbackAction(row["action"]),
                final_text=row["final_text"],
                actor_id=row["actor_id"],
                at=row["at"],
            ),
            audit_id=strawberry.ID(target.id),
            kind=AuditKind(target.kind),
        )
