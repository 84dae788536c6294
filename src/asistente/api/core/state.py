"""What a suggestion or a draft reads about one debtor, fingerprinted by one indexed query per request.

suggestResponses and draftMessage need the debtor's rows (the card), the tenant's settings (rule-pack
overlays, objection preferences, drafting profile, payment destinations), its agreement policies, its
suggestion feedback, the debtor's active agreements and the signing agent's name. Read through the ORM on
every request that is a handful of statements and most of a request's time. Instead, `StateReader.read`
asks the database for a fingerprint of all of them in one statement on the pooled driver connection (like
asistente.portfolio.revisions.RevisionReader, which it extends):

- the debtor's `card_revision` (moved by every write to the debtor, accounts, payments, interactions and
  promises: asistente.portfolio.revisions);
- the tenant's settings as stored (the text itself: values are parsed from it, never re-read);
- the number of the tenant's agreement policy rows and of its active ones (setting a policy adds a row and
  deactivates the previous one; rows are never updated otherwise);
- the number of the tenant's feedback rows and the newest one's time (append-only);
- the number of the debtor's ACTIVE agreements (the value itself, used as read);
- the agent's name (the value itself).

`InputsCache` keeps what was built from one fingerprint; a request whose fingerprint differs in anything
rebuilds, so nothing served is staler than the database at the request's own read. Entries are keyed by
tenant and debtor, so nothing built for one tenant is served to another; a record-bound session asking for
another debtor never reaches the cache (callers check the binding first).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.engine import Engine

from asistente.agreements.models import Agreement, AgreementPolicyRecord
from asistente.agreements.store import AgreementStatus
from asistente.audit.models import AuditFeedback
from asistente.portfolio.models import Debtor
from asistente.tenants.models import Agent, Tenant

_TENANT = bindparam("tenant")


def _state_statement() -> Any:
    t_settings = select(cast(Tenant.settings, Text)).where(Tenant.id == _TENANT).scalar_subquery()
    t_slug = select(Tenant.slug).where(Tenant.id == _TENANT).scalar_subquery()
    t_name = select(Tenant.name).where(Tenant.id == _TENANT).scalar_subquery()
    policies = (
        select(func.count())
        .select_from(AgreementPolicyRecord)
        .where(AgreementPolicyRecord.tenant_id == _TENANT)
    )
    active_policies = policies.where(AgreementPolicyRecord.active.is_(True))
    feedback = select(func.count()).select_from(AuditFeedback).where(AuditFeedback.tenant_id == _TENANT)
    newest_feedback = select(func.max(AuditFeedback.at)).where(AuditFeedback.tenant_id == _TENANT)
    agreements = (
        select(func.count())
        .select_from(Agreement)
        .where(
            Agreement.tenant_id == _TENANT,
            Agreement.debtor_id == Debtor.id,
            Agreement.status == AgreementStatus.ACTIVE.value,
        )
    )
    agent = select(Agent.name).where(Agent.id == bindparam("agent"), Agent.tenant_id == _TENANT)
    return select(
        Debtor.id,
        Debtor.card_revision,
        t_settings,
        t_slug,
        t_name,
        policies.scalar_subquery(),
        active_policies.scalar_subquery(),
        feedback.scalar_subquery(),
        newest_feedback.scalar_subquery(),
        agreements.scalar_subquery(),
        agent.scalar_subquery(),
    ).where(Debtor.tenant_id == _TENANT, Debtor.id == bindparam("key"))


@dataclass(frozen=True)
class DebtorState:
    debtor_id: str
    card_revision: int
    settings_text: str | None
    tenant_slug: str
    tenant_name: str
    policy_rows: int
    active_policies: int
    feedback_rows: int
    newest_feedback: Any
    active_agreements: int
    agent_name: str | None

    @property
    def settings(self) -> dict[str, Any]:
        """The tenant's settings parsed from the text this state was read with."""
        if not self.settings_text:
            return {}
        value = json.loads(self.settings_text)
        return value if isinstance(value, dict) else {}

    def key(self) -> tuple[Any, ...]:
        return (
            self.debtor_id,
            self.card_revision,
            # a digest, not the text: an entry per debtor must not keep a copy of the tenant's settings
            hashlib.sha256(self.settings_text.encode()).digest() if self.settings_text else None,
            self.policy_rows,
            self.active_policies,
            self.feedback_rows,
            str(self.newest_feedback),
            self.active_agreements,
        )


class StateReader:
    """One statement per request, compiled once for the dialect, run on a pooled DBAPI cursor."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        compiled = _state_statement().compile(dialect=engine.dialect)
        order = compiled.positiontup
        self._sql = str(compiled)
        self._order = tuple(order) if order is not None else None
        self._constants = {k: v for k, v in compiled.params.items() if k not in ("tenant", "key", "agent")}
        self.reads = 0

    def read(self, tenant_id: str, debtor_id: str, agent_id: str | None = None) -> DebtorState | None:
        """The debtor's state, or None when this tenant has no such debtor."""
        values = {**self._constants, "tenant": tenant_id, "key": debtor_id, "agent": agent_id}
        params: Any = tuple(values[n] for n in self._order) if self._order is not None else values
        row = fetch_one_raw(self.engine, self._sql, params)
        self.reads += 1
        if row is None:
            return None
        return DebtorState(
            debtor_id=row[0],
            card_revision=int(row[1]),
            settings_text=row[2],
            tenant_slug=row[3],
            tenant_name=row[4],
            policy_rows=int(row[5] or 0),
            active_policies=int(row[6] or 0),
            feedback_rows=int(row[7] or 0),
            newest_feedback=row[8],
            active_agreements=int(row[9] or 0),
            agent_name=row[10],
        )


class InputsCache:
    """Values built from one debtor state, per (tenant, purpose, state key, extra key): bounded LRU."""

    def __init__(self, size: int = 4_000) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.hits = 0
        self.builds = 0

    def get(self, key: tuple[Any, ...]) -> Any:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            self.hits += 1
        return found

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        self.builds += 1
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


def shared(services: Any, name: str, factory: Any) -> Any:
    """One object per process (Services.extras) under `name`."""
    found = services.extras.get(name)
    if found is None:
        found = services.extras[name] = factory()
    return found


def state_of(
    services: Any, tenant_id: str, debtor_id: str, agent_id: str | None = None
) -> DebtorState | None:
    reader: StateReader = shared(services, "debtor_state_reader", lambda: StateReader(services.reader()))
    return reader.read(tenant_id, debtor_id, agent_id)


def day_key(now: datetime) -> str:
    return now.date().isoformat()


def fetch_one_raw(engine: Engine, sql: str, params: Any) -> Any:
    """One row of a statement compiled once, run on a pooled DBAPI cursor (no ORM, no SQLAlchemy
    execution layer), or None."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        try:
            cur.execute(sql, params)
            return cur.fetchone()
        finally:
            cur.close()
    finally:
        raw.close()
