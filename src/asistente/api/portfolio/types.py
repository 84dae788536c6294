"""GraphQL types of the debtor card. Resolvers read through the operation's loaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from asistente.api.agreements.types import Agreement, AgreementStatusEnum, agreements_loader
from asistente.api.compliance.types import ChannelStatus
from asistente.api.core.scalars import (
    Channel,
    Direction,
    EmailKind,
    InteractionOutcome,
    PageInfo,
    PhoneKind,
    PromiseStatus,
    RecipientRole,
    ViolationCode,
    money,
)
from asistente.geo import TzCandidate
from asistente.portfolio import card, models
from asistente.portfolio.card import age_at, local_time_at, zones_of
from asistente.portfolio.repository import RECENT_INTERACTIONS, segment_for


@strawberry.type
class Address:
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str


@strawberry.type
class Phone:
    number: str
    kind: PhoneKind


@strawberry.type
class Email:
    address: str
    kind: EmailKind


@strawberry.type(description="Balance of an account; amounts are decimal strings in the account's currency.")
class Account:
    id: strawberry.ID
    external_id: str
    product: str
    creditor: str | None
    currency: str
    principal: str
    balance: str
    minimum_due: str | None
    days_past_due: int
    due_date: date | None
    in_litigation: bool
    disputed: bool
    time_barred: bool

    @classmethod
    def of(cls, a: models.Account) -> Account:
        c = a.currency
        return cls(
            id=strawberry.ID(a.id),
            external_id=a.external_id,
            product=a.product,
            creditor=a.creditor,
            currency=c,
            principal=money(a.principal, c) or "0",
            balance=money(a.balance, c) or "0",
            minimum_due=money(a.minimum_due, c),
            days_past_due=a.days_past_due,
            due_date=a.due_date,
            in_litigation=a.in_litigation,
            disputed=a.disputed,
            time_barred=a.time_barred,
        )


@strawberry.type
class CurrencyTotal:
    currency: str
    balance: str
    principal: str
    minimum_due: str
    accounts: int


@strawberry.type
class Payment:
    id: strawberry.ID
    account_id: strawberry.ID
    amount: str
    currency: str
    paid_at: datetime
    reference: str | None

    @classmethod
    def of(cls, p: models.Payment) -> Payment:
        return cls(
            id=strawberry.ID(p.id),
            account_id=strawberry.ID(p.account_id),
            amount=money(p.amount, p.currency) or "0",
            currency=p.currency,
            paid_at=p.paid_at,
            reference=p.reference,
        )


@strawberry.type
class Interaction:
    id: strawberry.ID
    channel: Channel
    direction: Direction
    at: datetime
    outcome: InteractionOutcome
    recipient_role: RecipientRole
    destination: str | None
    opt_out_requested: bool
    note: str | None
    agent_id: strawberry.ID | None

    @classmethod
    def of(cls, i: models.Interaction) -> Interaction:
        return cls(
            id=strawberry.ID(i.id),
            channel=Channel(i.channel),
            direction=Direction(i.direction),
            at=i.at,
            outcome=InteractionOutcome(i.outcome),
            recipient_role=RecipientRole(i.recipient_role),
            destination=i.destination,
            opt_out_requested=i.opt_out_requested,
            note=i.note,
            agent_id=strawberry.ID(i.agent_id) if i.agent_id else None,
        )


@strawberry.type
class Promise:
    id: strawberry.ID
    account_id: strawberry.ID | None
    amount: str
    currency: str
    due_date: date
    promised_at: datetime
    status: PromiseStatus

    @classmethod
    def of(cls, p: models.Promise) -> Promise:
        return cls(
            id=strawberry.ID(p.id),
            account_id=strawberry.ID(p.account_id) if p.account_id else None,
            amount=money(p.amount, p.currency) or "0",
            currency=p.currency,
            due_date=p.due_date,
            promised_at=p.promised_at,
            status=PromiseStatus(p.status),
        )


@strawberry.type
class PromiseStats:
    kept: int
    broken: int
    pending: int
    cancelled: int


@strawberry.type
class Reason:
    code: str
    message: str


@strawberry.type(description="Delinquency stage x balance band x payment history, e.g. MID-HIGH-POOR.")
class Segment:
    code: str
    stage: str
    balance_band: str
    payment_history: str
    label: str
    rules_version: str


@strawberry.type
class Risk:
    level: str
    score: int
    reasons: list[Reason]


@strawberry.type(description="The debtor's local time in one candidate zone (address first, then phone).")
class LocalTime:
    timezone: str
    source: str
    local_time: datetime
    utc_offset: str


# What the clock changes on a card is computed by asistente.portfolio.card (zones_of, local_time_at and
# age_at are re-exported here for the cached-card path, asistente.api.portfolio.cards); this shapes it.
def local_times_at(zones: list[TzCandidate], now: datetime) -> list[LocalTime]:
    return [
        LocalTime(timezone=c.timezone, source=c.source, local_time=c.local_time, utc_offset=c.utc_offset)
        for c in card.local_clocks_at(zones, now)
    ]


def segment_of(s: Any) -> Segment:
    return Segment(
        code=s.code,
        stage=s.stage,
        balance_band=s.balance_band,
        payment_history=s.payment_history,
        label=s.label,
        rules_version=s.rules_version,
    )


def risk_of(s: Any) -> Risk:
    return Risk(
        level=s.risk_level,
        score=s.risk_score,
        reasons=[Reason(code=r.code, message=r.message) for r in s.reasons],
    )


@strawberry.type(description="The debtor card: identity, balances, segment and risk, history, local time.")
class Debtor:
    _m: strawberry.Private[models.Debtor]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self._m.id)

    @strawberry.field
    def external_id(self) -> str:
        return self._m.external_id

    @strawberry.field
    def full_name(self) -> str:
        return self._m.full_name

    @strawberry.field
    def language(self) -> str:
        return self._m.language

    @strawberry.field(description="ISO 3166-1 or 3166-2 code whose rules apply.")
    def jurisdiction(self) -> str | None:
        return self._m.jurisdiction

    @strawberry.field(description="The primary IANA zone (override, else address, else phone).")
    def timezone(self) -> str | None:
        zones = zones_of(self._m)
        return zones[0].tz if zones else None

    @strawberry.field(description="The debtor's local time now in the primary zone.")
    def local_time(self, info: Info) -> datetime | None:
        return local_time_at(zones_of(self._m), info.context.now())

    @strawberry.field(description="Local time in every candidate zone; contact must suit all of them.")
    def local_times(self, info: Info) -> list[LocalTime]:
        return local_times_at(zones_of(self._m), info.context.now())

    @strawberry.field
    def addresses(self) -> list[Address]:
        return [
            Address(
                line1=a.get("line1"),
                line2=a.get("line2"),
                city=a.get("city"),
                region=a.get("region"),
                postal_code=a.get("postalCode"),
                country=a["country"],
            )
            for a in self._m.addresses or []
        ]

    @strawberry.field
    def phones(self) -> list[Phone]:
        return [
            Phone(number=p["number"], kind=PhoneKind(p.get("kind", "MOBILE"))) for p in self._m.phones or []
        ]

    @strawberry.field
    def emails(self) -> list[Email]:
        return [
            Email(address=e["address"], kind=EmailKind(e.get("kind", "PERSONAL")))
            for e in self._m.emails or []
        ]

    @strawberry.field
    def birth_date(self) -> date | None:
        return self._m.birth_date

    @strawberry.field
    def age(self, info: Info) -> int | None:
        return age_at(self._m.birth_date, info.context.now())

    @strawberry.field
    def authorized_channels(self) -> list[Channel]:
        return [Channel(c) for c in self._m.authorized_channels or []]

    @strawberry.field
    def opted_out_channels(self) -> list[Channel]:
        return [Channel(c) for c in self._m.opted_out_channels or []]

    @strawberry.field
    def cease_contact(self) -> bool:
        return self._m.cease_contact

    @strawberry.field
    def represented_by_attorney(self) -> bool:
        return self._m.represented_by_attorney

    @strawberry.field(description="Free CRM attributes (employer, notes).")
    def attributes(self) -> strawberry.scalars.JSON:
        return self._m.attributes or {}

    @strawberry.field
    async def accounts(self, info: Info) -> list[Account]:
        rows = await info.context.loaders.accounts_by_debtor_id.load(self._m.id)
        return [Account.of(a) for a in rows]

    @strawberry.field(description="Balances per currency (never summed across currencies).")
    async def totals(self, info: Info) -> list[CurrencyTotal]:
        rows = await info.context.loaders.accounts_by_debtor_id.load(self._m.id)
        return [
            CurrencyTotal(
                currency=t.currency,
                balance=money(t.balance, t.currency) or "0",
                principal=money(t.principal, t.currency) or "0",
                minimum_due=money(t.minimum_due, t.currency) or "0",
                accounts=t.accounts,
            )
            for t in card.currency_totals(rows)
        ]

    @strawberry.field
    async def max_days_past_due(self, info: Info) -> int:
        rows = await info.context.loaders.accounts_by_debtor_id.load(self._m.id)
        return card.max_days_past_due(rows)

    async def _segment(self, info: Info):
        loaders = info.context.loaders
        accounts = await loaders.accounts_by_debtor_id.load(self._m.id)
        promises = await loaders.promises_by_debtor_id.load(self._m.id)
        payments = await loaders.payments_by_debtor_id.load(self._m.id)
        return segment_for(accounts, promises, [p.paid_at for p in payments], info.context.now())

    @strawberry.field
    async def segment(self, info: Info) -> Segment:
        return segment_of(await self._segment(info))

    @strawberry.field
    async def risk(self, info: Info) -> Risk:
        return risk_of(await self._segment(info))

    @strawberry.field(description="Promises, newest due date first; filter by status.")
    async def promises(self, info: Info, status: list[PromiseStatus] | None = None) -> list[Promise]:
        rows = await info.context.loaders.promises_by_debtor_id.load(self._m.id)
        wanted = {s.value for s in status} if status else None
        return [Promise.of(p) for p in rows if wanted is None or p.status in wanted]

    @strawberry.field(description="Pending promises, soonest first.")
    async def open_promises(self, info: Info) -> list[Promise]:
        rows = await info.context.loaders.promises_by_debtor_id.load(self._m.id)
        return [Promise.of(p) for p in card.open_promises(rows)]

    @strawberry.field
    async def promise_stats(self, info: Info) -> PromiseStats:
        rows = await info.context.loaders.promises_by_debtor_id.load(self._m.id)
        count = card.promise_counts(rows)
        return PromiseStats(
            kept=count["KEPT"], broken=count["BROKEN"], pending=count["PENDING"], cancelled=count["CANCELLED"]
        )

    @strawberry.field(description="Payment agreements, newest first; filter by status.")
    async def agreements(
        self, info: Info, status: list[AgreementStatusEnum] | None = None
    ) -> list[Agreement]:
        rows = await agreements_loader(info).load(self._m.id)
        wanted = {s.value for s in status} if status else None
        return [Agreement(_m=a) for a in rows if wanted is None or a.status in wanted]

    @strawberry.field(description="Most recent payments (at most 10, plus all in the last 180 days).")
    async def payments(self, info: Info, limit: int = 10) -> list[Payment]:
        rows = await info.context.loaders.payments_by_debtor_id.load(self._m.id)
        return [Payment.of(p) for p in rows[: max(0, min(limit, 200))]]

    @strawberry.field
    async def last_payment_at(self, info: Info) -> datetime | None:
        rows = await info.context.loaders.payments_by_debtor_id.load(self._m.id)
        return rows[0].paid_at if rows else None

    @strawberry.field(
        description="Which channels may be used right now for the debtor (display only; the "
        "explicit pre-dial check is contactPermission, which is recorded)."
    )
    async def contact_now(self, info: Info, channels: list[Channel] | None = None) -> list[ChannelStatus]:
        from asistente.api.compliance.schema import tenant_packs
        from asistente.enums import Channel as DomainChannel
        from asistente.portfolio.contact import contact_decisions

        loaders = info.context.loaders
        accounts = await loaders.accounts_by_debtor_id.load(self._m.id)
        history = await loaders.interactions_by_debtor_id.load(self._m.id)
        decisions = contact_decisions(
            self._m,
            accounts,
            history,
            tenant_packs(info),
            [DomainChannel(c.value) for c in channels] if channels else None,
            now=info.context.now(),
        )
        return [
            ChannelStatus(
                channel=Channel(c.value),
                allowed=d.allowed,
                codes=[ViolationCode(h.code) for h in d.violations],
                next_allowed_at=d.next_allowed_at,
            )
            for c, d in decisions.items()
        ]

    @strawberry.field(description="Most recent interactions first (at most 20).")
    async def last_interactions(self, info: Info, limit: int = 5) -> list[Interaction]:
        rows = await info.context.loaders.last_interactions_by_debtor_id.load(self._m.id)
        return [Interaction.of(i) for i in rows[: max(0, min(limit, RECENT_INTERACTIONS))]]


@strawberry.type
class DebtorEdge:
    cursor: str
    node: Debtor


@strawberry.type
class DebtorConnection:
    edges: list[DebtorEdge]
    page_info: PageInfo
