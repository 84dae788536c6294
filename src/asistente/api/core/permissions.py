"""Who may call which root field: one table, checked by `require(info)` in every resolver and by a test
that every root field of the schema is listed here."""

from __future__ import annotations

from asistente.enums import Role

AGENT, SUPERVISOR, COMPLIANCE, INTEGRATOR, ADMIN = (
    Role.AGENT,
    Role.SUPERVISOR,
    Role.COMPLIANCE,
    Role.INTEGRATOR,
    Role.ADMIN,
)
READERS = frozenset(Role)

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Query
    "Query.me": READERS,
    "Query.debtor": READERS,
    "Query.debtorByExternalId": READERS,
    "Query.debtors": READERS,
    # Mutation
    "Mutation.upsertDebtors": frozenset({INTEGRATOR, ADMIN}),
    "Mutation.recordInteraction": frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN}),
    "Mutation.recordPayment": frozenset({INTEGRATOR, ADMIN}),
    "Mutation.createAgentSession": frozenset({INTEGRATOR, ADMIN}),
    "Mutation.setCorsOrigins": frozenset({ADMIN}),
}


def register(field: str, roles: frozenset[Role]) -> None:
    """Domain API modules register their root fields here at import time."""
    if field in PERMISSIONS and PERMISSIONS[field] != roles:
        raise ValueError(f"permissions for {field} registered twice with different roles")
    PERMISSIONS[field] = roles
