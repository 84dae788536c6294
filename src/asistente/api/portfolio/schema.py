"""Portfolio root fields: the debtor card, work queues and the integrator's sync mutations."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from asistente.agreements.lifecycle import summary as agreement_summary
from asistente.agreements.usecases import record_payment
from asistente.api.agreements.types import Agreement
from asistente.api.agreements.types import store as agreement_store
from asistente.api.core.scalars import (
    Channel,
    Direction,
    EmailKind,
    InteractionOutcome,
    PageInfo,
    PhoneKind,
    PromiseStatus,
    RecipientRole,
    clamp_first,
    limit_list,
)
from asistente.api.portfolio.types import Account, Debtor, DebtorConnection, DebtorEdge, Interaction, Payment
from asistente.errors import NotFound
from asistente.portfolio.ingest import upsert_records
from asistente.portfolio.repository import DebtorFilter, encode_cursor
from asistente.portfolio.usecases import record_interaction

UNSET: Any = strawberry.UNSET


@strawberry.input
class AddressInput:
    country: str
    line1: str | None = UNSET
    line2: str | None = UNSET
    city: str | None = UNSET
    region: str | None = UNSET
    postal_code: str | None = UNSET


@strawberry.input
class PhoneInput:
    number: str = strawberry.field(description="E.164, e.g. +5215512345678")
    kind: PhoneKind = PhoneKind.MOBILE


@strawberry.input
class EmailInput:
    address: str
    kind: EmailKind = EmailKind.PERSONAL


@strawberry.input
class PaymentHistoryInput:
    amount: str
    paid_at: datetime
    reference: str | None = UNSET


@strawberry.input
class AccountInput:
    external_id: str
    product: str
    currency: str
    principal: str = strawberry.field(description='Decimal string, e.g. "12000.00"')
    balance: str
    creditor: str | None = UNSET
    days_past_due: int | None = UNSET
    due_date: date | None = UNSET
    minimum_due: str | None = UNSET
    in_litigation: bool | None = UNSET
    disputed: bool | None = UNSET
    time_barred: bool | None = UNSET
    payments: list[PaymentHistoryInput] | None = UNSET


@strawberry.input
class InteractionHistoryInput:
    channel: Channel
    direction: Direction
    at: datetime
    outcome: InteractionOutcome
    external_id: str | None = UNSET
    recipient_role: RecipientRole | None = UNSET
    destination: str | None = UNSET
    opt_out_requested: bool | None = UNSET
    note: str | None = UNSET


@strawberry.input
class PromiseHistoryInput:
    amount: str
    currency: str
    due_date: date
    external_id: str | None = UNSET
    account_external_id: str | None = UNSET
    promised_at: datetime | None = UNSET
    status: PromiseStatus | None = UNSET


@strawberry.input(description="One debtor, upserted by externalId. Fields left out keep what is stored.")
class DebtorInput:
    external_id: str
    full_name: str
    language: str | None = UNSET
    jurisdiction: str | None = UNSET
    timezone: str | None = UNSET
    addresses: list[AddressInput] | None = UNSET
    phones: list[PhoneInput] | None = UNSET
    emails: list[EmailInput] | None = UNSET
    birth_date: date | None = UNSET
    authorized_channels: list[Channel] | None = UNSET
    opted_out_channels: list[Channel] | None = UNSET
    cease_contact: bool | None = UNSET
    represented_by_attorney: bool | None = UNSET
    attributes: strawberry.scalars.JSON | None = UNSET
    accounts: list[AccountInput] | None = UNSET
    interactions: list[InteractionHistoryInput] | None = UNSET
    promises: list[PromiseHistoryInput] | None = UNSET


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def to_record(value: Any) -> Any:
    """A strawberry input as the JSON record shape (schema/portfolio-record.schema.json); UNSET keys left out."""
    if isinstance(value, list):
        return [to_record(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "__strawberry_definition__"):
        out = {}
        for f in value.__strawberry_definition__.fields:
            v = getattr(value, f.python_name)
            if v is UNSET:
                continue
            if v is None:
                # null means "no value": the record schema treats a missing key as "keep", so null is refused
                # for required-by-type fields by the schema itself; optional scalars are simply dropped.
                continue
            out[_camel(f.python_name)] = to_record(v)
        return out
    if isinstance(value, datetime):
        return value.isoformat()  # a naive value has no offset and is refused by the record schema
    if isinstance(value, date):
        return value.isoformat()
    return value


@strawberry.type
class RejectedRecord:
    index: int
    external_id: str | None
    reasons: list[str]


@strawberry.type
class UpsertDebtorsPayload:
    ids: list[strawberry.ID | None] = strawberry.field(
        description="Per input index; null for a rejected record."
    )
    created: int
    updated: int
    unchanged: int = strawberry.field(
        default=0, description="Stored debtors whose record equals the one last imported: nothing changed."
    )
    rejected: list[RejectedRecord]


@strawberry.input
class RecordInteractionInput:
    debtor_id: strawberry.ID
    channel: Channel
    direction: Direction
    at: datetime
    outcome: InteractionOutcome
    recipient_role: RecipientRole = RecipientRole.DEBTOR
    destination: str | None = None
    opt_out_requested: bool = False
    note: str | None = None
    external_id: str | None = None


@strawberry.type
class RecordInteractionPayload:
    interaction: Interaction
    debtor: Debtor


@strawberry.input
class RecordPaymentInput:
    account_id: strawberry.ID
    amount: str = strawberry.field(description='Decimal string in the account\'s currency, e.g. "500.00"')
    currency: str
    paid_at: datetime
    reference: str | None = None


@strawberry.type
class RecordPaymentPayload:
    payment: Payment
    account: Account
    duplicate: bool = strawberry.field(description="True when this reference was already recorded.")
    agreement: Agreement | None = strawberry.field(
        default=None, description="The ACTIVE agreement the payment was applied to, after applying it."
    )


@strawberry.input
class DebtorFilterInput:
    search: str | None = None
    jurisdiction: str | None = None
    segment: str | None = strawberry.field(
        default=None, description="Segment code or prefix, e.g. MID or MID-HIGH"
    )


@strawberry.type
class Query:
    @strawberry.field(description="The debtor card.")
    async def debtor(self, info: Info, id: strawberry.ID) -> Debtor:
        info.context.require(info)
        found = await info.context.loaders.debtor_by_id.load(str(id))
        if found is None:
            raise NotFound(f"debtor {id} not found")
        return Debtor(_m=found)

    @strawberry.field(description="The debtor card, by the CRM's id.")
    async def debtor_by_external_id(self, info: Info, external_id: str) -> Debtor:
        info.context.require(info)
        found = await info.context.loaders.debtor_by_external_id.load(external_id)
        if found is None:
            raise NotFound(f"debtor with externalId {external_id!r} not found")
        return Debtor(_m=found)

    @strawberry.field(description="Debtors for work queues, ordered by externalId.")
    def debtors(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: DebtorFilterInput | None = None,
    ) -> DebtorConnection:
        info.context.require(info)
        n = clamp_first(first)
        flt = (
            DebtorFilter(search=filter.search, jurisdiction=filter.jurisdiction, segment=filter.segment)
            if filter
            else DebtorFilter()
        )
        rows, has_next = info.context.loaders.repo.list_debtors(flt, first=n, after=after)
        for d in rows:
            info.context.loaders.debtor_by_id.prime(d.id, d)
        edges = [DebtorEdge(cursor=encode_cursor(d.external_id), node=Debtor(_m=d)) for d in rows]
        return DebtorConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create or update debtors by externalId (at most 1,000 per call).")
    def upsert_debtors(self, info: Info, input: list[DebtorInput]) -> UpsertDebtorsPayload:
        principal = info.context.require(info)
        limit_list("input", input, info.context.settings.max_list_items)
        records = [to_record(d) for d in input]
        session = info.context.session
        out = upsert_records(session, principal.tenant_id, records, now=info.context.now())
        session.commit()
        return UpsertDebtorsPayload(
            ids=[strawberry.ID(i) if i else None for i in out.debtor_ids],
            created=out.created,
            updated=out.updated,
            unchanged=out.unchanged,
            rejected=[
                RejectedRecord(index=r.index, external_id=r.external_id, reasons=r.reasons)
                for r in out.rejections
            ],
        )

    @strawberry.mutation
    async def record_interaction(self, info: Info, input: RecordInteractionInput) -> RecordInteractionPayload:
        return await info.context.in_thread(lambda: _record_interaction(info, input))

    @strawberry.mutation
    async def record_payment(self, info: Info, input: RecordPaymentInput) -> RecordPaymentPayload:
        return await info.context.in_thread(lambda: _record_payment(info, input))


def _record_interaction(info: Info, input: RecordInteractionInput) -> RecordInteractionPayload:
    principal = info.context.require(info)
    it, debtor = record_interaction(
        info.context.loaders.repo,
        debtor_id=str(input.debtor_id),
        channel=input.channel.value,
        direction=input.direction.value,
        at=input.at,
        outcome=input.outcome.value,
        recipient_role=input.recipient_role.value,
        destination=input.destination,
        opt_out_requested=input.opt_out_requested,
        note=input.note,
        agent_id=principal.agent_id,
        external_id=input.external_id,
        now=info.context.now(),
    )
    info.context.session.commit()
    return RecordInteractionPayload(interaction=Interaction.of(it), debtor=Debtor(_m=debtor))


def _record_payment(info: Info, input: RecordPaymentInput) -> RecordPaymentPayload:
    info.context.require(info)
    info.context.lock_tenant()  # allocation to an agreement reads then changes its state
    outcome = record_payment(
        agreement_store(info),
        info.context.loaders.repo,
        account_id=str(input.account_id),
        amount=input.amount,
        currency=input.currency,
        paid_at=input.paid_at,
        reference=input.reference,
        now=info.context.now(),
    )
    payment, agreement = outcome.payment, outcome.agreement
    if agreement is not None:  # the installments, promises and status it changed are a decision
        info.context.record(
            "AGREEMENT_DECISION",
            debtor_id=payment.debtor_id,
            input={
                "action": "PAYMENT_APPLIED",
                "agreementId": agreement.id,
                "paymentId": payment.id,
                "amount": payment.amount,
                "currency": payment.currency,
                "paidAt": payment.paid_at,
            },
            output=agreement_summary(agreement),
            versions={"policy": agreement.policy_version, "policyRevision": agreement.policy_revision},
        )
    info.context.session.commit()
    return RecordPaymentPayload(
        payment=Payment.of(payment),
        account=Account.of(outcome.account),
        duplicate=not outcome.created,
        agreement=Agreement(_m=agreement) if agreement is not None else None,
    )


__all__ = ["Mutation", "Query"]
