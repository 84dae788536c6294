"""Lookup of the agreements domain: tenant policies (with their revisions) and settings, stored agreements
and their installments, tenant-scoped.

`AgreementRepository(session, tenant_id)` filters every query by the tenant given at construction, so
another tenant's id simply is not found. It reads and stores; the decisions stay in the pure modules
(validation.py, allocation.py) and the workflows in lifecycle.py. Nothing here commits.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from asistente.agreements.allocation import DEFAULT_ORDER, Component
from asistente.agreements.models import (
    OPEN_STATUSES,
    Agreement,
    AgreementInstallment,
    AgreementPayment,
    AgreementPolicyRecord,
)
from asistente.agreements.policy import AgreementPolicy, default_policies, load_policy, resolve_policy
from asistente.errors import BadInput, FieldError, NotFound
from asistente.ids import is_uuid
from asistente.portfolio.models import Promise
from asistente.tenants.models import Tenant

DEFAULT_GRACE_DAYS = 3
MAX_GRACE_DAYS = 60
SETTINGS_KEY = "agreements"


@dataclass(frozen=True)
class PolicyInForce:
    """The policy used for a decision and where it came from (a tenant revision or the shipped default)."""

    policy: AgreementPolicy
    record: AgreementPolicyRecord | None

    @property
    def source(self) -> str:
        return "TENANT" if self.record is not None else "DEFAULT"

    @property
    def revision(self) -> int | None:
        return self.record.revision if self.record is not None else None

    def versions(self) -> dict[str, Any]:
        return {"policy": self.policy.version, "policyRevision": self.revision, "policySource": self.source}


@dataclass(frozen=True)
class AgreementSettings:
    """Tenant settings that are not part of the policy document: the grace days before an unpaid
    installment is BROKEN and the order in which a payment covers an installment's components."""

    grace_days: int = DEFAULT_GRACE_DAYS
    allocation_order: tuple[str, ...] = DEFAULT_ORDER

    def to_dict(self) -> dict[str, Any]:
        return {"graceDays": self.grace_days, "allocationOrder": list(self.allocation_order)}


def scope_key(currency: str, product: str | None, segment: str | None) -> str:
    return f"{currency}|{product or ''}|{segment or ''}"


@lru_cache(maxsize=256)
def _policy_from_text(record_id: str, revision: int, text: str) -> AgreementPolicy:
    return load_policy(json.loads(text))


def _policy_of(record: AgreementPolicyRecord) -> AgreementPolicy:
    """Stored documents were validated when set; parse once per (row, revision)."""
    return _policy_from_text(record.id, record.revision, json.dumps(record.document, sort_keys=True))


def _policy_records_statement(by_currency: bool, include_history: bool) -> Any:
    q = select(AgreementPolicyRecord).where(AgreementPolicyRecord.tenant_id == bindparam("tenant"))
    if by_currency:
        q = q.where(AgreementPolicyRecord.currency == bindparam("currency"))
    if not include_history:
        q = q.where(AgreementPolicyRecord.active.is_(True))
    return q.order_by(
        AgreementPolicyRecord.scope_key, AgreementPolicyRecord.revision.desc(), AgreementPolicyRecord.id
    )


# Built once (bind parameters): building the statement cost as much as running it (validateAgreement).
_POLICY_RECORDS = {(c, h): _policy_records_statement(c, h) for c in (False, True) for h in (False, True)}


class AgreementRepository:
    """`only_debtor_id`: a record-bound sidebar session sees that debtor's agreements only."""

    def __init__(self, session: Session, tenant_id: str, *, only_debtor_id: str | None = None) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.only_debtor_id = only_debtor_id

    # ------------------------------------------------------------------------------- policies
    def policy_records(
        self, *, currency: str | None = None, include_history: bool = False
    ) -> list[AgreementPolicyRecord]:
        q = _POLICY_RECORDS[(currency is not None, include_history)]
        params = {"tenant": self.tenant_id, **({"currency": currency} if currency is not None else {})}
        return list(self.session.scalars(q, params))

    def set_policy(self, document: Any, *, actor_id: str | None, now: datetime) -> AgreementPolicyRecord:
        """Validate (PolicyError names every JSON path) and store as the new revision of its key."""
        policy = load_policy(document)
        key = scope_key(policy.currency, policy.scope_product, policy.scope_segment)
        current = list(
            self.session.scalars(
                select(AgreementPolicyRecord).where(
                    AgreementPolicyRecord.tenant_id == self.tenant_id, AgreementPolicyRecord.scope_key == key
                )
            )
        )
        revision = max((r.revision for r in current), default=0) + 1
        for row in current:
            row.active = False
        record = AgreementPolicyRecord(
            tenant_id=self.tenant_id,
            scope_key=key,
            currency=policy.currency,
            scope_product=policy.scope_product,
            scope_segment=policy.scope_segment,
            revision=revision,
            version=policy.version,
            document=dict(policy.document),
            active=True,
            created_by=actor_id,
            created_at=now,
        )
        self.session.add(record)
        self.session.flush()
        return record

    def policy_for(self, currency: str, product: str | None, segment: str | None) -> PolicyInForce:
        """The tenant's most specific policy for the currency, else the shipped default for it."""
        records = self.policy_records(currency=currency)
        if records:
            by_policy = [(_policy_of(r), r) for r in records]
            candidates = [(p, r) for p, r in by_policy if p.matches(currency, product, segment)]
            if candidates:
                chosen = resolve_policy(
                    [p for p, _ in candidates], currency=currency, product=product, segment=segment
                )
                record = next(r for p, r in candidates if p is chosen)
                return PolicyInForce(chosen, record)
        try:
            return PolicyInForce(resolve_policy(default_policies(), currency=currency), None)
        except NotFound:
            raise BadInput(
                f"no agreement policy for {currency}: set one with setAgreementPolicy",
                [FieldError("accountIds", f"no agreement policy for currency {currency}")],
            ) from None

    # ------------------------------------------------------------------------------- settings
    def settings(self) -> AgreementSettings:
        tenant = self.session.get(Tenant, self.tenant_id)
        raw = ((tenant.settings if tenant else None) or {}).get(SETTINGS_KEY) or {}
        return AgreementSettings(
            grace_days=int(raw.get("graceDays", DEFAULT_GRACE_DAYS)),
            allocation_order=tuple(raw.get("allocationOrder") or DEFAULT_ORDER),
        )

    def set_settings(
        self, *, grace_days: int | None = None, allocation_order: Sequence[str] | None = None
    ) -> AgreementSettings:
        current = self.settings()
        errors: list[FieldError] = []
        grace = current.grace_days if grace_days is None else grace_days
        if not 0 <= grace <= MAX_GRACE_DAYS:
            errors.append(FieldError("graceDays", f"between 0 and {MAX_GRACE_DAYS} days"))
        order = current.allocation_order if allocation_order is None else tuple(allocation_order)
        if sorted(str(c) for c in order) != sorted(c.value for c in Component):
            errors.append(
                FieldError("allocationOrder", "name each of FEES, INTEREST and PRINCIPAL exactly once")
            )
        if errors:
            raise BadInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        tenant = self.session.get(Tenant, self.tenant_id)
        if tenant is None:
            raise NotFound("tenant not found")
        value = AgreementSettings(grace_days=grace, allocation_order=tuple(str(c) for c in order))
        settings = dict(tenant.settings or {})
        settings[SETTINGS_KEY] = value.to_dict()
        tenant.settings = settings
        self.session.flush()
        return value

    # ------------------------------------------------------------------------------- reads
    def get(self, agreement_id: str) -> Agreement:
        found = self.by_ids([agreement_id]).get(agreement_id)
        if found is None:
            raise NotFound(f"agreement {agreement_id!r} not found")
        return found

    def by_ids(self, ids: Sequence[str]) -> dict[str, Agreement]:
        valid = [i for i in ids if is_uuid(i)]
        if not valid:
            return {}
        rows = self.session.scalars(
            select(Agreement).where(Agreement.tenant_id == self.tenant_id, Agreement.id.in_(valid))
        )
        return {a.id: a for a in rows if self.only_debtor_id in (None, a.debtor_id)}

    def by_debtor_ids(self, ids: Sequence[str]) -> dict[str, list[Agreement]]:
        out: dict[str, list[Agreement]] = defaultdict(list)
        for a in self.session.scalars(
            select(Agreement)
            .where(
                Agreement.tenant_id == self.tenant_id,
                Agreement.debtor_id.in_([i for i in ids if self.only_debtor_id in (None, i)]),
            )
            .order_by(Agreement.debtor_id, Agreement.created_at.desc(), Agreement.id)
        ):
            out[a.debtor_id].append(a)
        return out

    def installments_by_agreement_ids(self, ids: Sequence[str]) -> dict[str, list[AgreementInstallment]]:
        out: dict[str, list[AgreementInstallment]] = defaultdict(list)
        for row in self.session.scalars(
            select(AgreementInstallment)
            .where(
                AgreementInstallment.tenant_id == self.tenant_id,
                AgreementInstallment.agreement_id.in_(list(ids)),
            )
            .order_by(AgreementInstallment.agreement_id, AgreementInstallment.number)
        ):
            out[row.agreement_id].append(row)
        return out

    def open_agreements_on(self, debtor_id: str, account_ids: Sequence[str]) -> list[Agreement]:
        """PENDING_APPROVAL or ACTIVE agreements of the debtor that cover any of these accounts."""
        wanted = set(account_ids)
        rows = self.session.scalars(
            select(Agreement).where(
                Agreement.tenant_id == self.tenant_id,
                Agreement.debtor_id == debtor_id,
                Agreement.status.in_(OPEN_STATUSES),
            )
        )
        return [a for a in rows if wanted & set(a.account_ids or [])]

    def payments_of(self, agreement_id: str) -> list[AgreementPayment]:
        """The payments applied to one agreement."""
        return list(
            self.session.scalars(
                select(AgreementPayment).where(
                    AgreementPayment.tenant_id == self.tenant_id,
                    AgreementPayment.agreement_id == agreement_id,
                )
            )
        )

    def promises_by_ids(self, ids: Sequence[str]) -> dict[str, Promise]:
        if not ids:
            return {}
        return {
            p.id: p
            for p in self.session.scalars(
                select(Promise).where(Promise.tenant_id == self.tenant_id, Promise.id.in_(list(ids)))
            )
        }


class PolicyReader(AgreementRepository):
    """`AgreementRepository.policy_for` (and `policy_records`) read on a connection of `engine` instead of a
    Session: the same statements and order, plain result rows (attributes named as the columns, values
    converted by the same column types) instead of ORM objects, and no Session to build, roll back and
    close. For an evaluation that only reads (validateAgreement on the prepared path); nothing else of the
    repository is available through it. tests/agreements/test_policy_reader.py compares both."""

    def __init__(self, engine: Any, tenant_id: str) -> None:
        super().__init__(None, tenant_id)  # type: ignore[arg-type]  # no session: see the docstring
        self.engine = engine

    def policy_records(  # type: ignore[override]  # rows with the records' attributes
        self, *, currency: str | None = None, include_history: bool = False
    ) -> list[Any]:
        q = _POLICY_RECORDS[(currency is not None, include_history)]
        params = {"tenant": self.tenant_id, **({"currency": currency} if currency is not None else {})}
        with self.engine.connect() as conn:
            return conn.execute(q, params).all()
