"""Tenant-scoped access to the portfolio. Every query filters by the tenant given at construction, so no
resolver can forget it: another tenant's id simply is not found."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from asistente.db import utcnow
from asistente.enums import Channel, Direction, InteractionOutcome, RecipientRole
from asistente.errors import BadInput, NotFound
from asistente.ids import is_uuid, new_id
from asistente.money import check_currency, parse_amount
from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.portfolio.segmentation import AccountFacts, PromiseFacts, segment

RECENT_INTERACTIONS = 20
INTERACTION_WINDOW_DAYS = 35  # the longest frequency window of any rule pack, plus margin
PAYMENT_LOOKBACK_DAYS = 180
RECENT_PAYMENTS = 10


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise BadInput(f"after: {cursor!r} is not a cursor returned by this API") from None


@dataclass(frozen=True)
class DebtorFilter:
    search: str | None = None
    jurisdiction: str | None = None
    segment: str | None = None


class PortfolioRepository:
    """`only_debtor_id`: a record-bound sidebar session; every other debtor (and its accounts and history)
    is invisible, exactly as another tenant's would be."""

    def __init__(self, session: Session, tenant_id: str, *, only_debtor_id: str | None = None) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.only_debtor_id = only_debtor_id

    def _scoped(self, debtor_ids: Sequence[str]) -> list[str]:
        if self.only_debtor_id is None:
            return list(debtor_ids)
        return [i for i in debtor_ids if i == self.only_debtor_id]

    # ------------------------------------------------------------- reads (batched for loaders)
    # The loaders' statements are built once (bind parameters, expanding IN lists) so SQLAlchemy does not
    # rebuild and re-key them on every call: a measurable share of a card's time.
    def debtors_by_ids(self, ids: Sequence[str]) -> dict[str, Debtor]:
        valid = [i for i in self._scoped(ids) if is_uuid(i)]
        if not valid:
            return {}
        rows = self.session.scalars(_DEBTORS_BY_IDS, {"tenant": self.tenant_id, "ids": valid})
        return {d.id: d for d in rows}

    def debtors_by_external_ids(self, ext_ids: Sequence[str]) -> dict[str, Debtor]:
        rows = self.session.scalars(_DEBTORS_BY_EXT, {"tenant": self.tenant_id, "ids": list(ext_ids)})
        return {d.external_id: d for d in rows if self.only_debtor_id in (None, d.id)}

    def accounts_by_debtor_ids(self, ids: Sequence[str]) -> dict[str, list[Account]]:
        out: dict[str, list[Account]] = defaultdict(list)
        params = {"tenant": self.tenant_id, "ids": self._scoped(ids)}
        for acc in self.session.scalars(_ACCOUNTS_BY_DEBTOR, params):
            out[acc.debtor_id].append(acc)
        return out

    def accounts_by_ids(self, ids: Sequence[str]) -> dict[str, Account]:
        valid = [i for i in ids if is_uuid(i)]
        if not valid:
            return {}
        rows = self.session.scalars(_ACCOUNTS_BY_IDS, {"tenant": self.tenant_id, "ids": valid})
        return {a.id: a for a in rows if self.only_debtor_id in (None, a.debtor_id)}

    def interactions_by_debtor_ids(
        self, ids: Sequence[str], *, now: datetime
    ) -> dict[str, list[Interaction]]:
        """The last RECENT_INTERACTIONS of each debtor plus every one inside the frequency window."""
        out: dict[str, list[Interaction]] = defaultdict(list)
        params = {
            "tenant": self.tenant_id,
            "ids": self._scoped(ids),
            "keep": RECENT_INTERACTIONS,
            "since": now - timedelta(days=INTERACTION_WINDOW_DAYS),
        }
        for it in self.session.scalars(_RECENT_INTERACTIONS, params):
            out[it.debtor_id].append(it)
        return out

    def interaction_facts_by_debtor_ids(self, ids: Sequence[str], *, now: datetime) -> dict[str, list[Any]]:
        """The rows of `interactions_by_debtor_ids` (the same window, the same order) with only what the
        contact rules read (debtor_id, channel, direction, at, outcome, recipient_role) as plain result
        rows: a dialer-worked debtor has dozens of interactions in the window, and building ORM objects
        for them was most of a contact check's reads."""
        out: dict[str, list[Any]] = defaultdict(list)
        params = {
            "tenant": self.tenant_id,
            "ids": self._scoped(ids),
            "keep": RECENT_INTERACTIONS,
            "since": now - timedelta(days=INTERACTION_WINDOW_DAYS),
        }
        for row in self.session.execute(_RECENT_INTERACTION_FACTS, params):
            out[row.debtor_id].append(row)
        return out

    def last_interactions_by_debtor_ids(self, ids: Sequence[str]) -> dict[str, list[Interaction]]:
        """Only the last RECENT_INTERACTIONS of each debtor, newest first: what a card shows. The same rows,
        in the same order, as the first RECENT_INTERACTIONS of `interactions_by_debtor_ids`, without the
        frequency window a contact decision needs (a dialer-worked debtor has dozens of attempts in it)."""
        out: dict[str, list[Interaction]] = defaultdict(list)
        scoped = self._scoped(ids)
        if len(scoped) == 1:  # one card (the usual case): the debtor/time index read backwards, no window
            params = {"tenant": self.tenant_id, "id": scoped[0], "keep": RECENT_INTERACTIONS}
            rows = self.session.scalars(_LAST_INTERACTIONS_OF_ONE, params)
        else:
            params = {"tenant": self.tenant_id, "ids": scoped, "keep": RECENT_INTERACTIONS}
            rows = self.session.scalars(_LAST_INTERACTIONS, params)
        for it in rows:
            out[it.debtor_id].append(it)
        return out

    def payments_by_debtor_ids(self, ids: Sequence[str], *, now: datetime) -> dict[str, list[Payment]]:
        out: dict[str, list[Payment]] = defaultdict(list)
        params = {
            "tenant": self.tenant_id,
            "ids": self._scoped(ids),
            "keep": RECENT_PAYMENTS,
            "since": now - timedelta(days=PAYMENT_LOOKBACK_DAYS),
        }
        for p in self.session.scalars(_RECENT_PAYMENTS, params):
            out[p.debtor_id].append(p)
        return out

    def promises_by_debtor_ids(self, ids: Sequence[str]) -> dict[str, list[Promise]]:
        out: dict[str, list[Promise]] = defaultdict(list)
        params = {"tenant": self.tenant_id, "ids": self._scoped(ids)}
        for p in self.session.scalars(_PROMISES_BY_DEBTOR, params):
            out[p.debtor_id].append(p)
        return out

    def list_debtors(self, flt: DebtorFilter, *, first: int, after: str | None) -> tuple[list[Debtor], bool]:
        q = select(Debtor).where(Debtor.tenant_id == self.tenant_id)
        if self.only_debtor_id is not None:
            q = q.where(Debtor.id == self.only_debtor_id)
        if flt.search:
            term = flt.search.strip()
            if len(term) > 200:
                raise BadInput("filter.search: at most 200 characters")
            like = f"%{term.lower()}%"
            q = q.where(or_(func.lower(Debtor.full_name).like(like), Debtor.external_id == term))
        if flt.jurisdiction:
            q = q.where(
                or_(
                    Debtor.jurisdiction == flt.jurisdiction, Debtor.jurisdiction.like(f"{flt.jurisdiction}-%")
                )
            )
        if flt.segment:
            q = q.where(or_(Debtor.segment_code == flt.segment, Debtor.segment_code.like(f"{flt.segment}-%")))
        if after:
            q = q.where(Debtor.external_id > decode_cursor(after))
        rows = list(self.session.scalars(q.order_by(Debtor.external_id).limit(first + 1)))
        return rows[:first], len(rows) > first

    def get_debtor(self, debtor_id: str) -> Debtor:
        debtor = self.debtors_by_ids([debtor_id]).get(debtor_id)
        if debtor is None:
            raise NotFound(f"debtor {debtor_id!r} not found")
        return debtor

    # ------------------------------------------------------------- writes
    def record_interaction(
        self,
        *,
        debtor_id: str,
        channel: str,
        direction: str,
        at: datetime,
        outcome: str,
        recipient_role: str = "DEBTOR",
        destination: str | None = None,
        opt_out_requested: bool = False,
        note: str | None = None,
        agent_id: str | None = None,
        external_id: str | None = None,
        now: datetime | None = None,
    ) -> Interaction:
        debtor = self.get_debtor(debtor_id)
        now = now or utcnow()
        for value, enum, name in (
            (channel, Channel, "channel"),
            (direction, Direction, "direction"),
            (outcome, InteractionOutcome, "outcome"),
            (recipient_role, RecipientRole, "recipientRole"),
        ):
            if value not in enum.__members__:
                raise BadInput(f"{name}: {value!r} is not one of {', '.join(enum.__members__)}")
        if at.tzinfo is None:
            raise BadInput("at: the instant must carry an offset")
        if at > now + timedelta(minutes=5):
            raise BadInput("at: an interaction cannot be in the future")
        if note is not None and len(note) > 4000:
            raise BadInput("note: at most 4,000 characters")
        if destination is not None and len(destination) > 300:
            raise BadInput("destination: at most 300 characters")
        if external_id is not None and not 1 <= len(external_id) <= 200:
            raise BadInput("externalId: 1 to 200 characters")
        if external_id is not None:
            existing = self.session.scalar(
                select(Interaction).where(
                    Interaction.debtor_id == debtor.id, Interaction.external_id == external_id
                )
            )
            if existing is not None:
                return existing
        fields = {
            "tenant_id": self.tenant_id,
            "debtor_id": debtor.id,
            "channel": channel,
            "direction": direction,
            "at": at,
            "outcome": outcome,
            "recipient_role": recipient_role,
            "destination": destination,
            "opt_out_requested": opt_out_requested,
            "note": note,
            "agent_id": agent_id,
            "external_id": external_id,
        }
        if external_id is not None and self.session.get_bind().dialect.name in ("postgresql", "sqlite"):
            # The same externalId sent twice at once (a CRM retrying): both requests can pass the check
            # above before either commits. The second insert does nothing (PostgreSQL first waits for the
            # first one's commit) and answers with the stored interaction, as the check would have.
            ident = new_id()
            insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
            self.session.execute(
                insert(Interaction)
                .values(id=ident, created_at=utcnow(), **fields)
                .on_conflict_do_nothing(index_elements=["debtor_id", "external_id"])
            )
            it = self.session.scalars(
                select(Interaction).where(
                    Interaction.debtor_id == debtor.id, Interaction.external_id == external_id
                )
            ).one()
            if it.id != ident:
                return it
        else:
            it = Interaction(**fields)
            self.session.add(it)
        if opt_out_requested and channel not in (debtor.opted_out_channels or []):
            debtor.opted_out_channels = [*(debtor.opted_out_channels or []), channel]
        self.session.flush()
        return it

    def record_payment(
        self,
        *,
        account_id: str,
        amount: str,
        currency: str,
        paid_at: datetime,
        reference: str | None = None,
        now: datetime | None = None,
    ) -> tuple[Payment, bool]:
        """Store a payment and lower the account balance (not below zero). Idempotent by reference:
        the same reference again returns the stored payment (created=False)."""
        now = now or utcnow()
        account = self.accounts_by_ids([account_id]).get(account_id)
        if account is None:
            raise NotFound(f"account {account_id!r} not found")
        check_currency(currency)
        if currency != account.currency:
            raise BadInput(f"currency: the account is in {account.currency}, the payment in {currency}")
        value = parse_amount(amount, currency, allow_zero=False)
        if paid_at.tzinfo is None:
            raise BadInput("paidAt: the instant must carry an offset")
        if paid_at > now + timedelta(minutes=5):
            raise BadInput("paidAt: a payment cannot be in the future")
        if reference is not None:
            reference = reference.strip()
            if not reference or len(reference) > 200:
                raise BadInput("reference: 1 to 200 characters")
            existing = self.session.scalar(
                select(Payment).where(Payment.account_id == account.id, Payment.reference == reference)
            )
            if existing is not None:
                if Decimal(existing.amount) != value:
                    raise BadInput(
                        f"reference: {reference!r} was already recorded with amount {existing.amount}"
                    )
                return existing, False
        payment = Payment(
            tenant_id=self.tenant_id,
            debtor_id=account.debtor_id,
            account_id=account.id,
            amount=value,
            currency=currency,
            paid_at=paid_at,
            reference=reference,
        )
        self.session.add(payment)
        account.balance = max(Decimal(account.balance) - value, Decimal(0))
        self.session.flush()
        return payment, True

    def refresh_segments(self, debtor_ids: Sequence[str], *, now: datetime) -> None:
        """Recompute the stored segment code and risk level of these debtors (batched)."""
        ids = list(debtor_ids)
        if not ids:
            return
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            accounts = self.accounts_by_debtor_ids(chunk)
            promises = self.promises_by_debtor_ids(chunk)
            since = now - timedelta(days=PAYMENT_LOOKBACK_DAYS + 1)
            paid: dict[str, list[datetime]] = defaultdict(list)
            for debtor_id, paid_at in self.session.execute(
                select(Payment.debtor_id, func.max(Payment.paid_at))
                .where(Payment.tenant_id == self.tenant_id, Payment.debtor_id.in_(chunk))
                .group_by(Payment.debtor_id)
            ):
                paid[debtor_id].append(paid_at if paid_at.tzinfo else paid_at.replace(tzinfo=now.tzinfo))
            for debtor_id, paid_at in self.session.execute(
                select(Payment.debtor_id, Payment.paid_at).where(
                    Payment.tenant_id == self.tenant_id,
                    Payment.debtor_id.in_(chunk),
                    Payment.paid_at >= since,
                )
            ):
                paid[debtor_id].append(paid_at)
            rows = []
            for debtor_id in chunk:
                seg = segment_for(
                    accounts.get(debtor_id, []), promises.get(debtor_id, []), paid.get(debtor_id, []), now
                )
                rows.append({"id": debtor_id, "segment_code": seg.code, "risk_level": seg.risk_level})
            self.session.execute(update(Debtor), rows)


def _debtors(column: Any, one: bool) -> Any:
    """`column` IN the expanding list `ids`, or (`one`) equal to the single `id`: the same rows for one
    debtor, without rendering the list into the statement on every execution."""
    return column == bindparam("id") if one else column.in_(bindparam("ids", expanding=True))


def _recent(
    model: Any, time_col: Any, *, window: bool = True, columns: Sequence[Any] = (), one: bool = False
) -> Select:
    """The last `keep` rows of each debtor, plus (with `window`) every row at or after `since`; whole rows,
    or only `columns` (plain result rows, no ORM objects). `one`: for the single debtor `id`."""
    rn = func.row_number().over(partition_by=model.debtor_id, order_by=(time_col.desc(), model.id.desc()))
    inner = (
        select(model.id.label("id"), rn.label("rn"), time_col.label("t"))
        .where(model.tenant_id == bindparam("tenant"), _debtors(model.debtor_id, one))
        .subquery()
    )
    keep = inner.c.rn <= bindparam("keep")
    return (
        select(*(columns or (model,)))
        .join(inner, inner.c.id == model.id)
        .where(or_(keep, inner.c.t >= bindparam("since")) if window else keep)
        .order_by(model.debtor_id, time_col.desc(), model.id.desc())
    )


def _by(model: Any, column: Any, *order: Any, one: bool = False) -> Select:
    return select(model).where(model.tenant_id == bindparam("tenant"), _debtors(column, one)).order_by(*order)


_DEBTORS_BY_IDS = _by(Debtor, Debtor.id)
_DEBTORS_BY_EXT = _by(Debtor, Debtor.external_id)
_ACCOUNTS_BY_IDS = _by(Account, Account.id)
_ACCOUNTS_BY_DEBTOR = _by(
    Account, Account.debtor_id, Account.debtor_id, Account.days_past_due.desc(), Account.external_id
)
_PROMISES_BY_DEBTOR = _by(
    Promise,
    Promise.debtor_id,
    Promise.debtor_id,
    Promise.due_date.desc(),
    Promise.promised_at.desc(),
    Promise.id,
)
_RECENT_INTERACTIONS = _recent(Interaction, Interaction.at)
# What the contact rules read of each interaction (asistente.portfolio.facts.interaction_facts)
_RECENT_INTERACTION_FACTS = _recent(
    Interaction,
    Interaction.at,
    columns=(
        Interaction.debtor_id,
        Interaction.channel,
        Interaction.direction,
        Interaction.at,
        Interaction.outcome,
        Interaction.recipient_role,
    ),
)
_LAST_INTERACTIONS = _recent(Interaction, Interaction.at, window=False)
_LAST_INTERACTIONS_OF_ONE = (
    select(Interaction)
    .where(Interaction.tenant_id == bindparam("tenant"), Interaction.debtor_id == bindparam("id"))
    .order_by(Interaction.at.desc(), Interaction.id.desc())
    .limit(bindparam("keep"))
)
_RECENT_PAYMENTS = _recent(Payment, Payment.paid_at)
# The same statements for one debtor (`id` instead of `ids`): a card's first view, a suggestion's inputs.
_DEBTOR_OF_ONE = _by(Debtor, Debtor.id, one=True)
_ACCOUNTS_OF_ONE = _by(
    Account, Account.debtor_id, Account.debtor_id, Account.days_past_due.desc(), Account.external_id, one=True
)
_PROMISES_OF_ONE = _by(
    Promise,
    Promise.debtor_id,
    Promise.debtor_id,
    Promise.due_date.desc(),
    Promise.promised_at.desc(),
    Promise.id,
    one=True,
)
_RECENT_PAYMENTS_OF_ONE = _recent(Payment, Payment.paid_at, one=True)
_RECENT_INTERACTION_FACTS_OF_ONE = _recent(
    Interaction, Interaction.at, columns=_RECENT_INTERACTION_FACTS.selected_columns, one=True
)


@dataclass(frozen=True)
class CardRows:
    """One debtor's rows as a card shows them, plain result rows (attributes named as the columns, values
    converted by the same column types as the ORM's)."""

    debtor: Any
    accounts: list[Any]
    promises: list[Any]
    payments: list[Any]  # the loader's window at the `now` given: the newest RECENT_PAYMENTS + look-back
    last_interactions: list[Any]  # the last RECENT_INTERACTIONS, newest first


def card_rows(engine: Any, tenant_id: str, debtor_id: str, now: datetime) -> CardRows | None:
    """What a card shows of one debtor of this tenant, read on one connection of `engine` with the loaders'
    own statements, parameters and order (PortfolioRepository: debtors_by_ids, accounts_by_debtor_ids,
    promises_by_debtor_ids, payments_by_debtor_ids at `now`, last_interactions_by_debtor_ids) as plain rows
    instead of ORM objects. None when the debtor is not this tenant's. The caller has checked the tenant and
    any binding of the session to one debtor. tests/portfolio/test_card_reads.py compares the rows."""
    one = {"tenant": tenant_id, "id": debtor_id}
    with engine.connect() as conn:
        debtor = conn.execute(_DEBTOR_OF_ONE, one).first()
        if debtor is None:
            return None
        accounts = conn.execute(_ACCOUNTS_OF_ONE, one).all()
        promises = conn.execute(_PROMISES_OF_ONE, one).all()
        payments = conn.execute(
            _RECENT_PAYMENTS_OF_ONE,
            {**one, "keep": RECENT_PAYMENTS, "since": now - timedelta(days=PAYMENT_LOOKBACK_DAYS)},
        ).all()
        last = conn.execute(_LAST_INTERACTIONS_OF_ONE, {**one, "keep": RECENT_INTERACTIONS}).all()
    return CardRows(debtor, accounts, promises, payments, last)


def segment_for(
    accounts: Sequence[Account], promises: Sequence[Promise], payment_dates: Sequence[datetime], now: datetime
) -> Any:
    return segment(
        [
            AccountFacts(
                a.currency, Decimal(a.balance), a.days_past_due, a.disputed, a.in_litigation, a.time_barred
            )
            for a in accounts
        ],
        [PromiseFacts(p.status, p.due_date) for p in promises],
        list(payment_dates),
        now.date(),
    )
