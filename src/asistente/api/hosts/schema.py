"""CRM host settings (ADMIN): what the service needs to verify each host's proof. Secrets are write-only."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente.api.core.permissions import ADMIN, register
from asistente.hosts.service import host_settings, redacted, set_host_settings
from asistente.tenants.models import Tenant

register("Query.hostSettings", frozenset({ADMIN}))
register("Mutation.setHostSettings", frozenset({ADMIN}))


@strawberry.type
class Query:
    @strawberry.field(description='This tenant\'s CRM host settings, secrets shown as "(set)" (ADMIN).')
    def host_settings(self, info: Info) -> JSON:
        p = info.context.require(info)
        tenant = info.context.session.get(Tenant, p.tenant_id)
        return redacted(host_settings(tenant))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Replace this tenant's CRM host settings (schema/host-settings.schema.json): Zendesk app "
        "public key and audience, HubSpot client secret, Salesforce consumer secret, Twilio account SID and "
        "auth token. Returns them with secrets redacted (ADMIN)."
    )
    def set_host_settings(self, info: Info, settings: JSON) -> JSON:
        p = info.context.require(info)
        session = info.context.session
        tenant = session.get(Tenant, p.tenant_id)
        document: Any = set_host_settings(session, tenant, settings)
        session.commit()
        return redacted(document)
