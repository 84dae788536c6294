"""Persistence of the agreements domain, kept as one import path for existing callers.

The domain is split along its concerns:

- `agreements.models`: the tables and `AgreementStatus`;
- `agreements.repository`: tenant-scoped lookup of policies, settings, agreements and installments;
- `agreements.evaluation`: a proposal checked against stored facts on the debtor's local date;
- `agreements.lifecycle`: the workflows (create, approve/reject, apply a payment, refresh statuses);
- `agreements.usecases`: what one API operation does, as one call taking `now`.

`AgreementStore(session, tenant_id)` is the repository with the evaluation and the workflows as methods,
for callers written against the single class. Nothing here commits: the API layer records the ledger
event last, then commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from asistente.agreements import lifecycle
from asistente.agreements.evaluation import Evaluation, evaluate_proposal, local_today
from asistente.agreements.lifecycle import MAX_NOTE, StatusChange, summary
from asistente.agreements.model import AgreementProposal
from asistente.agreements.models import (
    OPEN_STATUSES,
    ZERO,
    Agreement,
    AgreementInstallment,
    AgreementPayment,
    AgreementPolicyRecord,
    AgreementStatus,
)
from asistente.agreements.repository import (
    DEFAULT_GRACE_DAYS,
    MAX_GRACE_DAYS,
    SETTINGS_KEY,
    AgreementRepository,
    AgreementSettings,
    PolicyInForce,
    scope_key,
)
from asistente.enums import Role
from asistente.portfolio.models import Account, Debtor, Payment


class AgreementStore(AgreementRepository):
    """The repository plus the evaluation and the workflows as methods (see the modules named above)."""

    def evaluate(
        self,
        *,
        debtor: Debtor,
        debtor_accounts: Sequence[Account],
        proposal: AgreementProposal,
        caller_role: Role,
        now: datetime,
        affordability: Decimal | None = None,
    ) -> Evaluation:
        return evaluate_proposal(
            self,
            debtor=debtor,
            debtor_accounts=debtor_accounts,
            proposal=proposal,
            caller_role=caller_role,
            now=now,
            affordability=affordability,
        )

    def create(self, evaluation: Evaluation, *, actor_id: str | None, now: datetime) -> Agreement:
        return lifecycle.create(self, evaluation, actor_id=actor_id, now=now)

    def decide(
        self,
        agreement_id: str,
        *,
        approve: bool,
        actor_id: str | None,
        acting_role: Role,
        note: str | None,
        now: datetime,
    ) -> Agreement:
        return lifecycle.decide(
            self,
            agreement_id,
            approve=approve,
            actor_id=actor_id,
            acting_role=acting_role,
            note=note,
            now=now,
        )

    def apply_payment(self, payment: Payment, *, now: datetime) -> Agreement | None:
        return lifecycle.apply_payment(self, payment, now=now)

    def refresh(self, *, debtor_id: str | None = None, now: datetime) -> tuple[int, list[StatusChange]]:
        return lifecycle.refresh(self, debtor_id=debtor_id, now=now)


__all__ = [
    "DEFAULT_GRACE_DAYS",
    "MAX_GRACE_DAYS",
    "MAX_NOTE",
    "OPEN_STATUSES",
    "SETTINGS_KEY",
    "ZERO",
    "Agreement",
    "AgreementInstallment",
    "AgreementPayment",
    "AgreementPolicyRecord",
    "AgreementRepository",
    "AgreementSettings",
    "AgreementStatus",
    "AgreementStore",
    "Evaluation",
    "PolicyInForce",
    "StatusChange",
    "local_today",
    "scope_key",
    "summary",
]
