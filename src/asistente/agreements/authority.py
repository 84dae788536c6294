"""Authority over payment agreements: the tier a caller negotiates with, and who may approve or reject.

An agent (key or sidebar token) acts with its agent's tier (AGENT or SUPERVISOR); an ADMIN key acts as
ADMIN. Integrators and compliance officers read agreements but do not negotiate them. Pure functions of
plain values.
"""

from __future__ import annotations

from asistente.agreements.policy import APPROVAL_CHAIN
from asistente.enums import Role
from asistente.errors import Forbidden


def acting_role(role: Role, agent_role: str | None) -> Role:
    """The authority tier of a caller with key `role` (and, for agents, the agent's stored tier)."""
    if role is Role.ADMIN:
        return Role.ADMIN
    if role in (Role.AGENT, Role.SUPERVISOR):
        if agent_role in (Role.AGENT.value, Role.SUPERVISOR.value):
            return Role(agent_role)
        return role
    raise Forbidden(f"role {role.value} has no authority over payment agreements")


def require_decision_authority(
    acting: Role, *, approval_role: str | None, actor_id: str | None, created_by: str | None
) -> None:
    """Raise Forbidden unless `acting` reaches the plan's approval role (SUPERVISOR when unset) and the
    decider is not the plan's maker."""
    needed = Role(approval_role or Role.SUPERVISOR)
    rank = {role: i for i, role in enumerate(APPROVAL_CHAIN)}
    if acting not in rank or rank[acting] < rank[needed]:
        raise Forbidden(f"this agreement needs {needed.value} approval; you act as {acting.value}")
    if actor_id is not None and actor_id == created_by:
        raise Forbidden("nobody can approve or reject an agreement they made")


def proposal_authority(role: Role, agent_role: str | None) -> Role:
    """The discount authority plans are proposed under in live suggestions: the agent's tier (ADMIN for
    an admin key); an integrator relaying a call gets the most conservative tier, AGENT. Never refuses."""
    if role is Role.ADMIN:
        return Role.ADMIN
    if agent_role in (Role.AGENT.value, Role.SUPERVISOR.value):
        return Role(agent_role)
    return Role.SUPERVISOR if role is Role.SUPERVISOR else Role.AGENT
