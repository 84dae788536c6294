"""One debtor's rows for a live-call check on the prepared path (contactPermission, checkCompliance,
validateAgreement), read as plain result rows on one connection of the engine of reads: no Session, no ORM
objects, no rollback at the end.

The statements are the loaders' own single-debtor forms (asistente.portfolio.repository: the debtor by id,
its accounts in the loader's order, the contact rules' interaction window at the operation's clock), so the
rows carry the same columns, values and order as the loaders' objects; the debtor's statement also reads
the caller's tenant row (its settings as text and its slug: what the rule packs are built from,
api/compliance/schema.py `_PACK_SOURCE`) in the same round trip. The same scoping as the loaders: the
caller's tenant, a record-bound session's own debtor only, ids that are not UUIDs not found.

Only the prepared path uses this (`Context.reads_only`: one root field per operation, so no loader of the
same operation could have read the same rows first); normal execution keeps the loaders.
tests/api/test_live_reads.py compares the rows with the loaders' objects, and tests/api/test_prepared_live.py
compares every answer with normal execution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast

from asistente.ids import is_uuid
from asistente.portfolio.models import Account, Debtor
from asistente.portfolio.repository import (
    _ACCOUNTS_OF_ONE,
    _DEBTOR_OF_ONE,
    _RECENT_INTERACTION_FACTS_OF_ONE,
    INTERACTION_WINDOW_DAYS,
    RECENT_INTERACTIONS,
)
from asistente.tenants.models import Tenant

_TENANT_ROW = (cast(Tenant.settings, Text).label("tenant_settings_text"), Tenant.slug.label("tenant_slug"))
# The debtor's row (every column, as the loader's) with its tenant's settings text and slug.
_DEBTOR_AND_TENANT = _DEBTOR_OF_ONE.add_columns(*_TENANT_ROW).join(Tenant, Tenant.id == Debtor.tenant_id)
# `facts_only`: the same statements with only the columns the contact rules and the content check read
# (portfolio/facts.debtor_facts; the debtor's id, name and external id, the accounts' ids and external ids:
# contactPermission and checkCompliance), the same rows in the same order.
FACT_COLUMNS = (
    Debtor.id,
    Debtor.external_id,
    Debtor.full_name,
    Debtor.jurisdiction,
    Debtor.timezone,
    Debtor.addresses,
    Debtor.phones,
    Debtor.emails,
    Debtor.birth_date,
    Debtor.authorized_channels,
    Debtor.opted_out_channels,
    Debtor.cease_contact,
    Debtor.represented_by_attorney,
    Debtor.attributes,
)
ACCOUNT_FACT_COLUMNS = (
    Account.id,
    Account.external_id,
    Account.balance,
    Account.in_litigation,
    Account.disputed,
    Account.time_barred,
)
_DEBTOR_FACTS_AND_TENANT = _DEBTOR_OF_ONE.with_only_columns(*FACT_COLUMNS, *_TENANT_ROW).join(
    Tenant, Tenant.id == Debtor.tenant_id
)
_ACCOUNT_FACTS_OF_ONE = _ACCOUNTS_OF_ONE.with_only_columns(*ACCOUNT_FACT_COLUMNS)


@dataclass(frozen=True)
class LiveRows:
    debtor: Any  # the debtor's row: its columns as attributes (plus tenant_settings_text, tenant_slug)
    accounts: list[Any]
    interactions: list[Any] | None  # the contact rules' window at `now` (None: not asked for)
    tenant_row: tuple[str | None, str]  # (settings as text, slug), as api/compliance/schema._tenant_row


def live_rows(
    ctx: Any, debtor_id: str, *, interactions_at: datetime | None = None, facts_only: bool = False
) -> LiveRows | None:
    """The debtor `debtor_id` of the caller's tenant, its accounts and (with `interactions_at`, the
    operation's clock) the contact rules' interaction window, or None when the loader would find no
    debtor (another tenant's, unknown, not a UUID, or not the debtor a record-bound session is bound to).
    `facts_only`: only FACT_COLUMNS of the debtor and ACCOUNT_FACT_COLUMNS of the accounts."""
    principal = ctx.principal
    if principal.debtor_id is not None and debtor_id != principal.debtor_id:
        return None
    if not is_uuid(debtor_id):
        return None
    one = {"tenant": principal.tenant_id, "id": debtor_id}
    with ctx.services.reader().connect() as conn:
        debtor = conn.execute(_DEBTOR_FACTS_AND_TENANT if facts_only else _DEBTOR_AND_TENANT, one).first()
        if debtor is None:
            return None
        accounts = conn.execute(_ACCOUNT_FACTS_OF_ONE if facts_only else _ACCOUNTS_OF_ONE, one).all()
        history = None
        if interactions_at is not None:
            since = interactions_at - timedelta(days=INTERACTION_WINDOW_DAYS)
            window = {**one, "keep": RECENT_INTERACTIONS, "since": since}
            history = conn.execute(_RECENT_INTERACTION_FACTS_OF_ONE, window).all()
    return LiveRows(debtor, accounts, history, (debtor.tenant_settings_text, debtor.tenant_slug))
