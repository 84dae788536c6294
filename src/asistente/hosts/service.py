"""CRM host settings per tenant, the replay guard, and minting a host-verified agent session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from asistente.errors import BadInput, FieldError
from asistente.hosts.models import HostProofUse
from asistente.hosts.verify import HOSTS, HostIdentity, HostProofError
from asistente.schemas import schema_errors
from asistente.tenants.models import Tenant
from asistente.tenants.service import bound_debtor_id, get_or_create_agent, mint_agent_token

SETTINGS_KEY = "hosts"
SCHEMA = "host-settings.schema.json"
SECRET_FIELDS = {"publicKey", "clientSecret", "consumerSecret", "authToken"}


def host_settings(tenant: Tenant) -> dict[str, Any]:
    return dict(((tenant.settings or {}).get(SETTINGS_KEY)) or {})


def set_host_settings(session: Session, tenant: Tenant, document: Any) -> dict[str, Any]:
    """Replace the tenant's host settings (validated against schema/host-settings.schema.json)."""
    errors = schema_errors(SCHEMA, document)
    if errors:
        raise BadInput(
            f"host settings: {errors[0]}",
            [FieldError(e.split(":", 1)[0], e.split(":", 1)[-1].strip()) for e in errors],
        )
    settings = dict(tenant.settings or {})
    settings[SETTINGS_KEY] = document
    tenant.settings = settings
    session.flush()
    return document


def redacted(document: dict[str, Any]) -> dict[str, Any]:
    """What an admin may read back: which hosts are set and their non-secret fields."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            out[key] = {k: ("(set)" if k in SECRET_FIELDS else v) for k, v in value.items()}
        else:
            out[key] = value
    return out


def host_config(tenant: Tenant, host: str) -> dict[str, Any]:
    if host not in HOSTS:
        raise HostProofError(f"unknown host {host!r}")
    config = host_settings(tenant).get(host)
    if not isinstance(config, dict):
        raise HostProofError(f"{host} is not configured for this tenant (setHostSettings)")
    return config


def remember_proof(session: Session, tenant_id: str, identity: HostIdentity, *, now: datetime) -> None:
    """Refuse a proof seen before (replay); remember this one until it would have expired anyway."""
    session.execute(delete(HostProofUse).where(HostProofUse.expires_at < now))
    if not identity.single_use:
        return
    found = session.scalar(
        select(HostProofUse.id).where(
            HostProofUse.tenant_id == tenant_id, HostProofUse.digest == identity.proof_digest
        )
    )
    if found is not None:
        raise HostProofError(f"{identity.host}: this proof was already used (replay)")
    try:
        with session.begin_nested():
            session.add(
                HostProofUse(
                    tenant_id=tenant_id,
                    host=identity.host,
                    digest=identity.proof_digest,
                    used_at=now,
                    expires_at=identity.proof_expires,
                )
            )
            session.flush()
    except IntegrityError:
        raise HostProofError(f"{identity.host}: this proof was already used (replay)") from None


def mint_host_session(
    session: Session,
    tenant: Tenant,
    identity: HostIdentity,
    *,
    record_id: str | None,
    now: datetime,
    ttl_seconds: int,
) -> tuple[str, datetime, str | None]:
    """An agent session for the host's user, bound to the record when one is given (the signed one when
    the host signs it). Returns (token, expires, debtor id)."""
    record = identity.record_id or record_id
    debtor_id = bound_debtor_id(session, tenant.id, record_id=record) if record else None
    agent = get_or_create_agent(
        session, tenant.id, f"{identity.host}:{identity.user_id}"[:200], name=identity.user_name
    )
    token, expires = mint_agent_token(tenant, agent, now=now, ttl_seconds=ttl_seconds, debtor_id=debtor_id)
    return token, expires, debtor_id
