"""What the suggestion use case knows about a debtor: plain, immutable values built from stored rows once per
request (the same rows the debtor card shows: accounts, payments, promises, agreements, interactions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from asistente.compliance import DebtorFacts, InteractionFact
from asistente.portfolio.facts import debtor_facts, interaction_facts

__all__ = ["AccountView", "DebtorCard", "PaymentView", "PromiseView", "debtor_card"]


@dataclass(frozen=True)
class AccountView:
    id: str
    product: str
    creditor: str | None
    currency: str
    principal: Decimal
    balance: Decimal
    days_past_due: int
    due_date: date | None
    minimum_due: Decimal | None
    in_litigation: bool
    disputed: bool
    time_barred: bool


@dataclass(frozen=True)
class PaymentView:
    account_id: str
    amount: Decimal
    currency: str
    paid_at: datetime
    reference: str | None


@dataclass(frozen=True)
class PromiseView:
    amount: Decimal
    currency: str
    due_date: date
    status: str
    agreement_id: str | None


@dataclass(frozen=True)
class DebtorCard:
    id: str
    full_name: str
    language: str
    jurisdiction: str | None
    facts: DebtorFacts
    accounts: tuple[AccountView, ...]
    payments: tuple[PaymentView, ...]  # newest first
    promises: tuple[PromiseView, ...]
    interactions: tuple[InteractionFact, ...]
    active_agreements: int = 0
    segment_code: str | None = None
    primary_timezone: str | None = None  # the first candidate zone (address first, then phone); None: unknown

    @property
    def open_accounts(self) -> tuple[AccountView, ...]:
        return tuple(a for a in self.accounts if a.balance > 0)

    @property
    def main_account(self) -> AccountView | None:
        """The open account with the largest balance (ties: most days past due), else the first account."""
        pool = self.open_accounts or self.accounts
        if not pool:
            return None
        return max(pool, key=lambda a: (a.balance, a.days_past_due))

    @property
    def main_currency(self) -> str | None:
        main = self.main_account
        return main.currency if main else None

    @property
    def balance(self) -> Decimal:
        cur = self.main_currency
        return sum((a.balance for a in self.open_accounts if a.currency == cur), Decimal(0))

    @property
    def broken_promises(self) -> int:
        return sum(1 for p in self.promises if p.status == "BROKEN")

    @property
    def balance_band(self) -> str | None:
        """LOW / MEDIUM / HIGH as in the card's segment code (STAGE-BAND-HISTORY)."""
        if not self.segment_code:
            return None
        parts = self.segment_code.split("-")
        return parts[1] if len(parts) >= 3 else None


def debtor_card(
    debtor: Any,
    accounts: Sequence[Any],
    payments: Sequence[Any],
    promises: Sequence[Any],
    interactions: Sequence[Any],
    active_agreements: int = 0,
    segment_code: str | None = None,
) -> DebtorCard:
    """Build the card from stored rows (portfolio models); pure."""
    facts = debtor_facts(debtor, accounts)
    return DebtorCard(
        id=debtor.id,
        full_name=debtor.full_name,
        language=(debtor.language or "es").split("-")[0].lower(),
        jurisdiction=debtor.jurisdiction,
        facts=facts,
        accounts=tuple(
            AccountView(
                id=a.id,
                product=a.product,
                creditor=a.creditor,
                currency=a.currency,
                principal=Decimal(a.principal),
                balance=Decimal(a.balance),
                days_past_due=int(a.days_past_due or 0),
                due_date=a.due_date,
                minimum_due=None if a.minimum_due is None else Decimal(a.minimum_due),
                in_litigation=bool(a.in_litigation),
                disputed=bool(a.disputed),
                time_barred=bool(a.time_barred),
            )
            for a in accounts
        ),
        payments=tuple(
            sorted(
                (
                    PaymentView(p.account_id, Decimal(p.amount), p.currency, p.paid_at, p.reference)
                    for p in payments
                ),
                key=lambda p: p.paid_at,
                reverse=True,
            )
        ),
        promises=tuple(
            PromiseView(Decimal(p.amount), p.currency, p.due_date, p.status, p.agreement_id) for p in promises
        ),
        interactions=tuple(interaction_facts(interactions)),
        active_agreements=active_agreements,
        segment_code=segment_code if segment_code is not None else getattr(debtor, "segment_code", None),
        primary_timezone=_primary_timezone(facts),
    )


def _primary_timezone(f: DebtorFacts) -> str | None:
    from asistente.errors import DomainError
    from asistente.geo import candidate_timezones

    try:
        # Address candidates come first (geo.candidate_timezones): when an address gives a zone, the phones
        # cannot change the first candidate, so they are not parsed (parsing is most of the lookup's cost;
        # with well-formed phone entries, mappings, their lookup never raises either).
        if all(isinstance(p, Mapping) for p in f.phones):
            zones = candidate_timezones(f.addresses, (), f.timezone, f.jurisdiction)
            if zones:
                return zones[0].tz
        zones = candidate_timezones(f.addresses, f.phones, f.timezone, f.jurisdiction)
    except (DomainError, ValueError, KeyError):
        return None
    return zones[0].tz if zones else None


@lru_cache(maxsize=1_024)
def _zone(name: str) -> ZoneInfo:
    """`ZoneInfo(name)`, held: zoneinfo keeps only the last 8 zones strongly, so a portfolio spread over
    more zones read the zone file again on most requests (the same object either way)."""
    return ZoneInfo(name)


def card_today(card: DebtorCard, now: datetime) -> date:
    """The debtor's calendar date at `now` in their primary time zone (UTC when none is known), as the
    agreements domain computes it (asistente.agreements.store.local_today)."""
    return now.astimezone(_zone(card.primary_timezone) if card.primary_timezone else UTC).date()
