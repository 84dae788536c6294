"""Tenants, hashed API keys, agents and short-lived agent session tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from asistente.db import utcnow
from asistente.enums import Role
from asistente.errors import BadInput, NotFound, Unauthenticated
from asistente.tenants.models import Agent, ApiKey, Tenant

KEY_PREFIX = "ask_"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
TOKEN_ISSUER = "asistente"
EXPIRED = "agent session expired; open the sidebar again"


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved once per request from an API key or an agent token."""

    tenant_id: str
    tenant_slug: str
    role: Role
    actor_id: str  # api key id or agent id: what the audit ledger records as the actor
    agent_id: str | None = None  # the internal agent id when the caller acts as an agent
    agent_role: str | None = None  # AGENT or SUPERVISOR (authority tier)
    via: str = "key"  # "key" or "token"
    cors_origins: tuple[str, ...] = ()
    expires_at: int | None = None  # agent tokens: the `exp` claim (epoch seconds), checked on every use
    # A sidebar session bound to one record (createAgentSession(recordId|debtorId), host-verified
    # sessions): every debtor-scoped read and decision is limited to this debtor; others read NOT_FOUND.
    debtor_id: str | None = None

    def has(self, *roles: Role) -> bool:
        return self.role in roles


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def tenant_by_slug(session: Session, slug: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise NotFound(f"unknown tenant {slug!r} (create it with: asistente tenants create --tenant {slug})")
    return tenant


def get_or_create_tenant(session: Session, slug: str, name: str | None = None) -> Tenant:
    if not _SLUG.match(slug or ""):
        raise BadInput(f"tenant {slug!r}: use lowercase letters, digits, '-' or '_' (at most 64)")
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        tenant = Tenant(
            slug=slug, name=name or slug, signing_secret=secrets.token_urlsafe(48), cors_origins=[]
        )
        session.add(tenant)
        session.flush()
    return tenant


def tenant_summaries(session: Session) -> list[dict[str, Any]]:
    """Every tenant with its active keys by role and its debtor count (for `asistente tenants list`)."""
    from asistente.portfolio.models import Debtor

    keys: dict[str, dict[str, int]] = {}
    for tenant_id, role, n in session.execute(
        select(ApiKey.tenant_id, ApiKey.role, func.count())
        .where(ApiKey.revoked_at.is_(None))
        .group_by(ApiKey.tenant_id, ApiKey.role)
    ):
        keys.setdefault(tenant_id, {})[role] = n
    debtors = dict(
        session.execute(select(Debtor.tenant_id, func.count()).group_by(Debtor.tenant_id)).all()  # type: ignore[arg-type]
    )
    return [
        {
            "slug": t.slug,
            "name": t.name,
            "createdAt": t.created_at,
            "keys": keys.get(t.id, {}),
            "debtors": debtors.get(t.id, 0),
            "origins": list(t.cors_origins or []),
        }
        for t in session.scalars(select(Tenant).order_by(Tenant.slug))
    ]


def create_tenant(session: Session, slug: str, name: str | None = None) -> Tenant:
    """A new tenant; BadInput when the slug is malformed or already taken."""
    if session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise BadInput(f"tenant {slug!r} already exists")
    return get_or_create_tenant(session, slug, name)


TIERS = ("AGENT", "SUPERVISOR")  # authority tiers of an agent, lowest first


def tier_rank(tier: str) -> int:
    return TIERS.index(tier) if tier in TIERS else -1


def get_or_create_agent(
    session: Session, tenant_id: str, external_id: str, *, name: str | None = None, role: str | None = None
) -> Agent:
    """The tenant's agent by CRM user id, created when new with `role` (default AGENT) as its granted tier.

    An existing agent's granted tier is never changed here: granting is `grant_tier`, an ADMIN's act."""
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 200:
        raise BadInput("agentId: give the agent's CRM user id (1 to 200 characters)")
    if name is not None and len(name) > 200:
        raise BadInput("name: at most 200 characters")
    if role is not None and role not in TIERS:
        raise BadInput(f"agent role {role!r}: AGENT or SUPERVISOR")
    agent = session.scalar(
        select(Agent).where(Agent.tenant_id == tenant_id, Agent.external_id == external_id)
    )
    if agent is None:
        agent = Agent(tenant_id=tenant_id, external_id=external_id, name=name, role=role or "AGENT")
        session.add(agent)
        session.flush()
    elif name is not None:
        agent.name = name
    return agent


def grant_tier(agent: Agent, tier: str) -> bool:
    """Set the highest tier this agent's sessions may carry (an ADMIN's decision). True when it changed.

    Keys keep their own role and an existing session keeps the tier it was minted with (lowered, never
    raised, by a lower grant: see authenticate_token)."""
    if tier not in TIERS:
        raise BadInput(f"agent tier {tier!r}: AGENT or SUPERVISOR")
    changed = agent.role != tier
    agent.role = tier
    return changed


def create_api_key(
    session: Session,
    *,
    tenant_slug: str,
    role: Role,
    agent_external_id: str | None = None,
    label: str | None = None,
) -> str:
    """Create a key; only its SHA-256 is stored. Returns the key (shown once)."""
    tenant = get_or_create_tenant(session, tenant_slug)
    agent_id = None
    if role in (Role.AGENT, Role.SUPERVISOR):
        agent = get_or_create_agent(
            session, tenant.id, agent_external_id or f"{role.value.lower()}-key", role=role.value
        )
        if tier_rank(role.value) > tier_rank(agent.role):
            grant_tier(agent, role.value)  # the operator issuing a SUPERVISOR key grants that tier
        agent_id = agent.id
    elif agent_external_id:
        raise BadInput("--agent-id goes with the AGENT or SUPERVISOR role")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiKey(
            tenant_id=tenant.id,
            prefix=prefix,
            key_hash=hash_key(key),
            role=role.value,
            agent_id=agent_id,
            label=label,
        )
    )
    session.flush()
    return key


def revoke_api_key(session: Session, *, tenant_slug: str, prefix: str) -> int:
    tenant = tenant_by_slug(session, tenant_slug)
    res = session.execute(
        update(ApiKey)
        .where(ApiKey.tenant_id == tenant.id, ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return res.rowcount or 0


def set_cors_origins(session: Session, *, tenant_slug: str, origins: list[str]) -> list[str]:
    tenant = tenant_by_slug(session, tenant_slug)
    clean = []
    for origin in origins:
        origin = origin.rstrip("/")
        if not _ORIGIN.match(origin):
            raise BadInput(f"origin {origin!r}: use scheme://host[:port], e.g. https://crm.example.com")
        clean.append(origin)
    tenant.cors_origins = sorted(set(clean))
    return tenant.cors_origins


def all_cors_origins(session: Session) -> set[str]:
    out: set[str] = set()
    for origins in session.scalars(select(Tenant.cors_origins)):
        out.update(origins or ())
    return out


def authenticate_key(session: Session, key: str) -> Principal:
    if not key.startswith(KEY_PREFIX):
        raise Unauthenticated("invalid API key")
    row = session.execute(
        select(ApiKey, Tenant, Agent)
        .join(Tenant, Tenant.id == ApiKey.tenant_id)
        .outerjoin(Agent, Agent.id == ApiKey.agent_id)
        .where(ApiKey.key_hash == hash_key(key))
    ).first()
    if row is None or row[0].revoked_at is not None:
        raise Unauthenticated("invalid or revoked API key")
    api_key, tenant, agent = row
    return Principal(
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        role=Role(api_key.role),
        actor_id=agent.id if agent else api_key.id,
        agent_id=agent.id if agent else None,
        # A key's authority is its own role, whatever happens to the agent's other credentials.
        agent_role=api_key.role if agent and api_key.role in TIERS else None,
        via="key",
        cors_origins=tuple(tenant.cors_origins or ()),
    )


def bound_debtor_id(
    session: Session, tenant_id: str, *, record_id: str | None = None, debtor_id: str | None = None
) -> str | None:
    """The debtor a sidebar session is bound to, from the CRM record id (the debtor's externalId) or the
    debtor id; None when neither is given. NotFound when it is not a debtor of this tenant."""
    from asistente.portfolio.models import Debtor

    if record_id is not None and debtor_id is not None:
        raise BadInput("give recordId or debtorId, not both")
    if record_id is not None:
        if not record_id.strip() or len(record_id) > 200:
            raise BadInput("recordId: the debtor's externalId (1 to 200 characters)")
        found = session.scalar(
            select(Debtor.id).where(Debtor.tenant_id == tenant_id, Debtor.external_id == record_id)
        )
        if found is None:
            raise NotFound(f"recordId {record_id!r}: no debtor of this tenant has that externalId")
        return found
    if debtor_id is not None:
        found = session.scalar(
            select(Debtor.id).where(Debtor.tenant_id == tenant_id, Debtor.id == str(debtor_id))
        )
        if found is None:
            raise NotFound(f"debtorId {debtor_id!r} not found")
        return found
    return None


def mint_agent_token(
    tenant: Tenant,
    agent: Agent,
    *,
    now: datetime,
    ttl_seconds: int,
    tier: str | None = None,
    debtor_id: str | None = None,
) -> tuple[str, datetime]:
    """A signed session token carrying its tier (default: the agent's granted tier)."""
    tier = tier or agent.role
    if tier not in TIERS:
        raise BadInput(f"agent tier {tier!r}: AGENT or SUPERVISOR")
    expires = now + timedelta(seconds=ttl_seconds)
    claims: dict[str, Any] = {
        "iss": TOKEN_ISSUER,
        "tid": tenant.id,
        "sub": agent.id,
        "role": tier,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    if debtor_id is not None:
        claims["dbt"] = debtor_id  # record binding (see Principal.debtor_id)
    return jwt.encode(claims, tenant.signing_secret, algorithm="HS256"), expires


def token_expired(expires_at: int, now: datetime) -> bool:
    return expires_at <= int(now.timestamp())


def authenticate_token(session: Session, token: str, *, now: datetime) -> Principal:
    try:
        unverified: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Unauthenticated("invalid token") from None
    tenant = session.get(Tenant, str(unverified.get("tid", "")))
    if tenant is None:
        raise Unauthenticated("invalid token")
    try:
        # Expiry is checked against the service clock below (decisions never read the wall clock).
        claims = jwt.decode(
            token,
            tenant.signing_secret,
            algorithms=["HS256"],
            issuer=TOKEN_ISSUER,
            options={"require": ["exp", "sub", "tid"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise Unauthenticated("invalid token") from None
    if not isinstance(claims.get("exp"), int) or token_expired(claims["exp"], now):
        raise Unauthenticated(EXPIRED)
    agent = session.get(Agent, str(claims["sub"]))
    if agent is None or agent.tenant_id != tenant.id or claims.get("role") not in TIERS:
        raise Unauthenticated("invalid token")
    # The tier the session was minted with, bounded by the agent's current grant (an ADMIN lowering the
    # grant lowers open sessions; raising it never raises them).
    tier = min(str(claims["role"]), agent.role, key=tier_rank)
    bound = claims.get("dbt")
    if bound is not None and not isinstance(bound, str):
        raise Unauthenticated("invalid token")
    return Principal(
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        role=Role(tier),
        actor_id=agent.id,
        agent_id=agent.id,
        agent_role=tier,
        via="token",
        cors_origins=tuple(tenant.cors_origins or ()),
        expires_at=claims["exp"],
        debtor_id=bound,
    )
