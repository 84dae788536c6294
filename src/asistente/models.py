"""Every mapped model, imported once so metadata (and Alembic) sees all tables."""

from asistente.agreements.models import (
    Agreement,
    AgreementInstallment,
    AgreementPayment,
    AgreementPolicyRecord,
)
from asistente.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent, AuditFeedback
from asistente.calls.models import Call, CallEvent
from asistente.hosts.models import HostProofUse
from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.tenants.models import Agent, ApiKey, Tenant

__all__ = [
    "Account",
    "Agent",
    "Agreement",
    "AgreementInstallment",
    "AgreementPayment",
    "AgreementPolicyRecord",
    "ApiKey",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditFeedback",
    "Call",
    "CallEvent",
    "Debtor",
    "HostProofUse",
    "Interaction",
    "Payment",
    "Promise",
    "Tenant",
]
