"""Identity and sessions: who am I, mint an agent session for a sidebar, CORS allow-list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from asistente.api.core.scalars import Role
from asistente.errors import BadInput, Forbidden
from asistente.tenants.models import Tenant
from asistente.tenants.service import (
    bound_debtor_id,
    get_or_create_agent,
    grant_tier,
    mint_agent_token,
    set_cors_origins,
    tier_rank,
)


@strawberry.type
class Me:
    tenant: str
    role: Role
    agent_id: strawberry.ID | None
    agent_external_id: str | None


@strawberry.enum
class AgentTier(Enum):
    AGENT = "AGENT"
    SUPERVISOR = "SUPERVISOR"


@strawberry.type
class AgentSession:
    token: str = strawberry.field(description="Send as Authorization: Bearer <token> from the sidebar.")
    expires_at: datetime
    agent_id: strawberry.ID
    role: Role
    debtor_id: strawberry.ID | None = strawberry.field(
        default=None, description="The debtor this session is bound to (every other debtor reads NOT_FOUND)."
    )


@strawberry.type
class Query:
    @strawberry.field(description="The caller as the service sees them.")
    def me(self, info: Info) -> Me:
        p = info.context.require(info)
        ext = None
        if p.agent_id:
            ext = _agent_external_id(info.context, p.agent_id)
        return Me(
            tenant=p.tenant_slug,
            role=Role(p.role.value),
            agent_id=strawberry.ID(p.agent_id) if p.agent_id else None,
            agent_external_id=ext,
        )


def _agent_external_id(ctx: Any, agent_id: str) -> str | None:
    """An agent's external (CRM) id. It is written once, when the agent is created, and never changed, and
    agents are never deleted: a value read once per process is the database's value for good, so `me`
    (the cheapest authenticated query, and the one a sidebar sends first) needs no database round trip
    after the first. An agent not found is not remembered."""
    known: dict[str, str] = ctx.services.extras.setdefault("agent_external_ids", {})
    ext = known.get(agent_id)
    if ext is None:
        from asistente.tenants.models import Agent

        agent = ctx.session.get(Agent, agent_id)
        if agent is None:
            return None
        ext = agent.external_id
        if len(known) >= 50_000:
            known.clear()
        known[agent_id] = ext
    return ext


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Mint a short-lived signed token for an agent's sidebar (integrators). The session's tier "
        "is at most the tier an ADMIN granted the agent (default: that tier); an ADMIN passing `tier` grants it. "
        "With `recordId` (the debtor's externalId, i.e. the CRM record) or `debtorId`, the session is bound to "
        "that debtor: every other debtor reads NOT_FOUND, so a sidebar whose record id is spoofed shows nothing."
    )
    def create_agent_session(
        self,
        info: Info,
        agent_id: str,
        name: str | None = None,
        tier: AgentTier | None = None,
        record_id: str | None = None,
        debtor_id: strawberry.ID | None = None,
    ) -> AgentSession:
        p = info.context.require(info)
        session = info.context.session
        tenant = session.get(Tenant, p.tenant_id)
        bound = bound_debtor_id(session, p.tenant_id, record_id=record_id, debtor_id=debtor_id)
        agent = get_or_create_agent(session, p.tenant_id, agent_id, name=name)
        wanted = tier.value if tier else agent.role
        if p.role is Role.ADMIN:
            before = agent.role
            if grant_tier(agent, wanted):
                info.context.record(
                    "POLICY_CHANGE",
                    input={"agentId": agent.id, "agentExternalId": agent.external_id, "grantTier": wanted},
                    output={"previousTier": before, "tier": wanted},
                    versions={},
                )
        elif tier_rank(wanted) > tier_rank(agent.role):
            raise Forbidden(
                f"agent {agent.external_id!r} is granted {agent.role}; a {wanted} session needs an ADMIN's grant"
            )
        token, expires = mint_agent_token(
            tenant,
            agent,
            now=info.context.now(),
            ttl_seconds=info.context.settings.agent_token_ttl_seconds,
            tier=wanted,
            debtor_id=bound,
        )
        session.commit()
        return AgentSession(
            token=token,
            expires_at=expires,
            agent_id=strawberry.ID(agent.id),
            role=Role(wanted),
            debtor_id=strawberry.ID(bound) if bound else None,
        )

    @strawberry.mutation(description="Replace the browser origins allowed to call the API for this tenant.")
    def set_cors_origins(self, info: Info, origins: list[str]) -> list[str]:
        p = info.context.require(info)
        if len(origins) > 100:
            raise BadInput("origins: at most 100")
        result = set_cors_origins(info.context.session, tenant_slug=p.tenant_slug, origins=origins)
        info.context.session.commit()
        info.context.services.forget_credentials()
        info.context.services.extras.pop("cors_union", None)
        return result
