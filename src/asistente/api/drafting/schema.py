"""Drafting root fields: draftMessage, the tenant's payment destinations and drafting profile."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import strawberry
from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.engine import Engine
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente import enums
from asistente.agreements.store import AgreementStore
from asistente.api.compliance.schema import detector_version, packs_with_overlays, text_model_version
from asistente.api.compliance.types import ComplianceReport, RuleHit, hit
from asistente.api.core.permissions import ADMIN, AGENT, COMPLIANCE, INTEGRATOR, READERS, SUPERVISOR, register
from asistente.api.core.scalars import Channel
from asistente.api.core.state import InputsCache, fetch_one_raw, shared
from asistente.compliance import DebtorFacts, InteractionFact, PackRegistry
from asistente.drafting.catalog import Catalog
from asistente.drafting.compose import DraftFailed, DraftRequest, Refusal
from asistente.drafting.links import StripeConfig
from asistente.drafting.payments import (
    DESTINATIONS_KEY,
    PaymentDestinations,
    parse_destinations,
    stored_destinations,
)
from asistente.drafting.pdf import letter_pdf
from asistente.drafting.profile import PROFILE_KEY, parse_profile, public_profile, stored_profile
from asistente.drafting.record import hits, prepared_output, prepared_value
from asistente.drafting.service import Produced, produce_draft
from asistente.errors import BadInput, DomainError, FieldError, NotFound
from asistente.geo import candidate_timezones
from asistente.memo import BoundedMemo
from asistente.portfolio.facts import debtor_facts, interaction_facts
from asistente.portfolio.models import Account, Debtor, Payment
from asistente.portfolio.repository import (
    INTERACTION_WINDOW_DAYS,
    PAYMENT_LOOKBACK_DAYS,
    RECENT_INTERACTIONS,
    RECENT_PAYMENTS,
    PortfolioRepository,
)
from asistente.tenants.models import Agent, Tenant
from asistente.tenants.service import Principal

DraftPurpose = strawberry.enum(enums.DraftPurpose, name="DraftPurpose")
Generator = strawberry.enum(enums.Generator, name="Generator")
Register = strawberry.enum(enums.Register, name="Register")

LIVE = frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN, COMPLIANCE})
register("Query.draftMessage", LIVE)
register("Query.paymentDestinations", READERS)
register("Query.draftingProfile", READERS)
register("Mutation.setPaymentDestinations", frozenset({ADMIN}))
register("Mutation.setDraftingProfile", frozenset({ADMIN}))

MAX_LANGUAGE = 16


@strawberry.input
class DraftInput:
    debtor_id: strawberry.ID
    channel: Channel
    purpose: DraftPurpose
    language: str | None = strawberry.field(default=None, description='"es" or "en"; default the debtor\'s.')
    agreement_id: strawberry.ID | None = None
    account_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The debtor's account the message is about (with agreementId, one of the agreement's). "
        "Default: the largest open account in its currency (with agreementId, the agreement's accounts); a US "
        "validation notice covers this one account.",
    )
    register: Register | None = strawberry.field(
        default=None,
        description="tú/usted/vos for Spanish; default the debtor's attribute `register`, else USTED.",
    )
    use_llm: bool = strawberry.field(
        default=True, description="Let a configured LLM improve the wording (always behind the same checks)."
    )


@strawberry.enum
class DestinationKind(Enum):
    BANK_TRANSFER = "BANK_TRANSFER"
    PAYMENT_LINK = "PAYMENT_LINK"


@strawberry.type(description="An official place to pay, filled for this debtor.")
class DraftPaymentDestination:
    id: str
    kind: DestinationKind
    currency: str
    reference: str
    bank: str | None
    holder: str | None
    scheme: str | None
    account: str | None
    provider: str | None
    url: str | None
    single_use: bool = strawberry.field(
        description="A link created for this draft through the provider's API."
    )


@strawberry.type(description="The approved WhatsApp template a business-initiated message must use.")
class WhatsappTemplate:
    name: str
    category: str
    language: str


@strawberry.type(description="What the LLM did with this draft.")
class LlmAttempt:
    used: bool
    model: str | None
    outcome: str | None
    fallback_reason: str | None


@strawberry.type
class DraftResult:
    text: str
    subject: str | None
    segments: int | None = strawberry.field(
        description="SMS segments (153 GSM-7 / 67 UCS-2 per part); SMS only."
    )
    sms_encoding: str | None
    compliance: ComplianceReport
    generator: Generator
    audit_id: strawberry.ID
    template_id: str
    template_version: str
    language: str
    register: Register
    locale: str
    first_contact: bool
    jurisdiction: str
    whatsapp_template: WhatsappTemplate | None
    payment_destinations: list[DraftPaymentDestination]
    contact_warnings: list[RuleHit] = strawberry.field(
        description="Time and frequency limits: the draft may be written now, sent when allowed."
    )
    next_allowed_at: datetime | None
    llm: LlmAttempt | None
    _pdf: strawberry.Private[tuple[str, str, datetime] | None] = None

    @strawberry.field(description="Letters only: the letter as a PDF, base64-encoded.")
    def pdf_base64(self) -> str | None:
        if self._pdf is None:
            return None
        text, title, created = self._pdf
        return base64.b64encode(
            letter_pdf(text, title=title, author=self.template_id, created=created)
        ).decode()


@strawberry.type
class PaymentDestinationsInfo:
    version: str | None
    destinations: JSON


def _catalog(info: Info) -> Catalog:
    return info.context.services.extras["drafts"]


def _tenant(info: Info) -> Tenant:
    ctx = info.context
    return ctx.session.get(Tenant, ctx.principal.tenant_id)


def tenant_destinations(tenant: Tenant) -> PaymentDestinations:
    return stored_destinations((tenant.settings or {}).get(DESTINATIONS_KEY))


def _language(value: str | None, debtor: Debtor) -> str:
    raw = (value or debtor.language or "es").strip().lower()
    if len(raw) > MAX_LANGUAGE:
        raise BadInput('language: "es" or "en"')
    base = raw.replace("_", "-").split("-", 1)[0]
    if base not in ("es", "en"):
        raise BadInput(f'language: drafts are written in "es" or "en", not {raw!r}')
    return base


def _register(value: Any, debtor: Debtor, language: str) -> enums.Register:
    if value is not None:
        return enums.Register(value.value)
    attr = str((debtor.attributes or {}).get("register") or "").upper()
    return enums.Register(attr) if attr in enums.Register.__members__ else enums.Register.USTED


async def _draft_data(
    info: Info,
    debtor: Debtor,
    accounts: list[Account],
    input: DraftInput,
    profile: dict[str, Any],
    now: datetime,
    inputs: DraftInputs,
    payments: list[Any],
) -> dict[str, Any]:
    """The debtor, accounts, agreement, promise and payment in the shape of a samples.json debtor."""
    ctx = info.context
    _require_jurisdiction(debtor)
    agreement = None
    installments: list[Any] = []
    if input.agreement_id is not None:
        store = AgreementStore(ctx.session, ctx.principal.tenant_id)
        found = store.by_ids([str(input.agreement_id)]).get(str(input.agreement_id))
        if found is None or found.debtor_id != debtor.id:  # another debtor's or tenant's reads as not found
            raise NotFound(f"agreement {input.agreement_id} not found for this debtor")
        agreement = found
        installments = store.installments_by_agreement_ids([found.id]).get(found.id, [])
    open_accounts = [a for a in accounts if a.balance > 0] or list(accounts)
    if not open_accounts:
        raise BadInput("this debtor has no accounts to write about / el deudor no tiene cuentas")
    if agreement is not None:
        currency = agreement.currency
        ids = set(agreement.account_ids or [])
        chosen = [a for a in open_accounts if a.id in ids] or [
            a for a in open_accounts if a.currency == currency
        ]
        chosen.sort(
            key=lambda a: (-Decimal(a.balance), a.external_id)
        )  # the first is the one a notice covers
    else:
        top = min(open_accounts, key=lambda a: (-Decimal(a.balance), a.external_id))
        currency = top.currency
        chosen = sorted(
            (a for a in open_accounts if a.currency == currency),
            key=lambda a: (-Decimal(a.balance), a.external_id),
        )
    if input.account_id is not None:
        chosen = [_chosen_account(str(input.account_id), accounts, agreement, input.purpose)]
        currency = chosen[0].currency
    if not chosen:
        raise BadInput(f"no open account in {currency} for this debtor")
    creditor = profile.get("creditorName") or profile.get("agencyName")
    data: dict[str, Any] = {
        "jurisdiction": debtor.jurisdiction,
        "fullName": debtor.full_name,
        "addresses": list(debtor.addresses or []),
        "phones": list(debtor.phones or []),
        "emails": list(debtor.emails or []),
        "creditor": creditor,
        "accounts": [
            {
                "reference": a.external_id,
                "product": a.product,
                "creditor": a.creditor,
                "currency": a.currency,
                "balance": str(a.balance),
                "asOf": _aware(a.updated_at or now).astimezone(inputs.zone).date().isoformat(),
                "dueDate": a.due_date.isoformat() if a.due_date else None,
            }
            for a in chosen
        ],
        "today": now.astimezone(inputs.zone).date().isoformat(),  # local_today, zone found once
    }
    if agreement is not None:
        data["agreement"] = {
            "kind": agreement.kind,
            "currency": agreement.currency,
            "total": str(agreement.total_to_pay),
            "discount": str(agreement.discount_amount) if Decimal(agreement.discount_amount) > 0 else None,
            "installments": [
                {"number": i.number, "dueDate": i.due_date.isoformat(), "amount": str(i.amount)}
                for i in sorted(installments, key=lambda i: i.number)
            ],
        }
        if not data["agreement"]["installments"]:
            data.pop("agreement")
        elif agreement.kind == "SETTLEMENT":
            data["settlement"] = True
    promises = [p for p in inputs.promises if p.status == "PENDING"]
    if agreement is not None:
        promises = [p for p in promises if p.agreement_id == agreement.id] or promises
    if promises:
        p = min(promises, key=lambda p: (p.due_date, p.id))
        data["promise"] = {"amount": str(p.amount), "currency": p.currency, "dueDate": p.due_date.isoformat()}
    notice = input.purpose.value == "FIRST_NOTICE" and debtor.jurisdiction.upper().startswith("US")
    if notice:  # what a US validation notice itemizes (drafting.validation)
        data["itemization"] = (debtor.attributes or {}).get("itemization")
        # Every payment since the itemization date, whatever its age (not the card's recent window).
        by_account = {a.id: a.external_id for a in chosen}
        zone = inputs.zone
        for acc in data["accounts"]:
            acc["payments"] = [
                {
                    "amount": str(p.amount),
                    "currency": p.currency,
                    "date": _aware(p.paid_at).astimezone(zone).date().isoformat(),
                }
                for p in inputs.itemized_payments
                if by_account.get(p.account_id) == acc["reference"]
            ]
    if payments:
        last = max(payments, key=lambda p: (p.paid_at, p.id))
        remaining = sum((Decimal(a.balance) for a in accounts if a.currency == last.currency), Decimal(0))
        data["received"] = {
            "amount": str(last.amount),
            "currency": last.currency,
            "date": _aware(last.paid_at).astimezone(inputs.zone).date().isoformat(),  # the debtor's date
            "remaining": str(remaining),
        }
    purpose = enums.DraftPurpose(input.purpose.value)
    if purpose is enums.DraftPurpose.PAYMENT_PLAN_CONFIRMATION and data.get("agreement"):
        data["payAmount"] = data["agreement"]["installments"][0]["amount"]
    elif purpose is enums.DraftPurpose.SETTLEMENT_OFFER and data.get("agreement"):
        data["payAmount"] = data["agreement"]["total"]
    elif purpose is enums.DraftPurpose.PROMISE_CONFIRMATION and data.get("promise"):
        data["payAmount"] = data["promise"]["amount"]
    return data


def _require_jurisdiction(debtor: Debtor) -> None:
    if not debtor.jurisdiction:
        message = "this debtor has no jurisdiction: add an address or a jurisdiction / el deudor no tiene jurisdicción"
        raise BadInput(message, [FieldError("jurisdiction", message)])


def _chosen_account(wanted: str, accounts: list[Account], agreement: Any, purpose: DraftPurpose) -> Account:
    """The account a caller names (`accountId`): the debtor's (another debtor's or tenant's reads as not
    found), one of the agreement's when an agreement is named, and open unless the message acknowledges a
    payment."""
    account = next((a for a in accounts if a.id == wanted), None)
    if account is None:
        message = f"account {wanted} not found for this debtor"
        raise NotFound(message, [FieldError("accountId", message, "NOT_FOUND")])
    if agreement is not None and account.id not in set(agreement.account_ids or []):
        message = f"accountId: account {wanted} is not one of agreement {agreement.id}'s accounts"
        raise BadInput(message, [FieldError("accountId", message)])
    if Decimal(account.balance) <= 0 and purpose.value != "PAYMENT_RECEIVED":
        message = (
            f"accountId: account {account.external_id} has no balance to write about "
            "/ la cuenta no tiene saldo pendiente"
        )
        raise BadInput(message, [FieldError("accountId", message)])
    return account


DRAFTED_PER_INPUTS = 16  # per debtor state (the inputs cache holds up to 4,000): 8 purposes x two local dates


async def _draft_data_of(
    info: Info,
    debtor: Debtor,
    accounts: list[Account],
    input: DraftInput,
    profile: dict[str, Any],
    now: datetime,
    inputs: DraftInputs,
    payments: list[Any],
) -> dict[str, Any]:
    """``_draft_data``, remembered on the inputs it reads (`inputs`: one debtor state, rebuilt whenever the
    debtor, its accounts, payments, promises or the tenant's settings move) when no agreement is named (an
    agreement is read from the database every time). Besides the inputs, the answer reads only the
    purpose, the account asked for, the debtor's local date (today, and the "as of" date of an account
    never updated) and how many of the loaded payments are in the window at this clock (`payments` is a
    prefix of `inputs.payments`): the key. Each caller gets its own top-level dict (the resolver adds the
    sender and the agency); nothing below it is changed by anyone. A failure (BAD_INPUT) is not
    remembered."""
    mine = accounts is inputs.accounts and debtor is inputs.debtor and profile is inputs.profile
    if input.agreement_id is not None or not mine:
        return await _draft_data(info, debtor, accounts, input, profile, now, inputs, payments)
    key = (
        input.purpose.value,
        None if input.account_id is None else str(input.account_id),
        now.astimezone(inputs.zone).date(),
        len(payments),
    )
    found = inputs.drafted.get(key)
    if found is None:
        found = await _draft_data(info, debtor, accounts, input, profile, now, inputs, payments)
        if len(inputs.drafted) >= DRAFTED_PER_INPUTS:
            inputs.drafted.clear()
        inputs.drafted[key] = found
    return dict(found)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _zone(debtor: Debtor) -> tzinfo:
    """The debtor's primary zone, as ``local_today`` picks it (UTC when none is known)."""
    try:
        zones = candidate_timezones(
            debtor.addresses or [], debtor.phones or [], debtor.timezone, debtor.jurisdiction
        )
    except (DomainError, ValueError, KeyError):
        zones = []
    return ZoneInfo(zones[0].tz) if zones else UTC


def _itemization_since(debtor: Debtor) -> datetime | None:
    """The earliest itemization date among a US debtor's itemizations (debtor attribute ``itemization``),
    as an instant a day early (a local date starts up to 14 hours before UTC's); None when there is none
    (a malformed one is reported by the notice itself, naming its field)."""
    if not (debtor.jurisdiction or "").upper().startswith("US"):
        return None
    items = (debtor.attributes or {}).get("itemization")
    if not isinstance(items, dict):
        return None
    days = []
    for item in items.values():
        try:
            days.append(date.fromisoformat(str(item["date"])))
        except (TypeError, KeyError, ValueError):
            continue
    if not days:
        return None
    return datetime.combine(min(days), time(), tzinfo=UTC) - timedelta(days=1)


SPOKEN = frozenset({enums.Channel.CALL, enums.Channel.VOICEMAIL, enums.Channel.VISIT})


def _sender(agent_name: str | None, profile: dict[str, Any], channel: enums.Channel) -> str:
    """Who signs: the agent's name, else the profile's senderName; a written message may fall back on the
    agency. A call or a voicemail needs a person's name (a limited-content voicemail names a natural person
    the debtor can call back, and an agency name may reveal collection to whoever hears it)."""
    if agent_name:
        return agent_name
    if profile.get("senderName"):
        return profile["senderName"]
    if channel in SPOKEN:
        raise BadInput(
            "a call script or voicemail names the person to call back: use an agent session with a name "
            "(createAgentSession(name:)) or set senderName in the drafting profile / falta el nombre de quien llama"
        )
    return profile["agencyName"]


def _shape(produced: Produced, audit_id: str, now: datetime) -> DraftResult:
    d = produced.draft
    wa = d.whatsapp
    pdf = None
    if d.channel is enums.Channel.LETTER:
        pdf = (d.text, d.subject or d.template.id, now)
    links = produced.links
    violations, warnings, destinations = _shaped_parts(d, links, produced.generator)
    return DraftResult(
        text=d.text,
        subject=d.subject,
        segments=d.sms.segments if d.sms else None,
        sms_encoding=d.sms.encoding if d.sms else None,
        compliance=ComplianceReport(
            compliant=d.compliance.compliant,
            violations=violations,
            warnings=warnings,
            pack_version=d.compliance.pack_version,
            audit_id=strawberry.ID(audit_id) if audit_id else None,
        ),
        generator=_GENERATORS[produced.generator],
        audit_id=strawberry.ID(audit_id),
        template_id=d.template.id,
        template_version=f"{d.template.file}@{d.template.version}",
        language=d.language,
        register=_REGISTERS[d.register],
        locale=d.locale,
        first_contact=d.first_contact,
        jurisdiction=d.jurisdiction,
        whatsapp_template=WhatsappTemplate(name=wa["name"], category=wa["category"], language=d.language)
        if wa
        else None,
        payment_destinations=destinations
        if d.channel not in (enums.Channel.VOICEMAIL, enums.Channel.CALL, enums.Channel.VISIT)
        else [],
        contact_warnings=[hit(h) for h in d.contact_warnings],
        next_allowed_at=d.contact.next_allowed_at,
        llm=LlmAttempt(
            used=produced.llm.used,
            model=produced.llm.result.model if produced.llm.result else None,
            outcome=produced.llm.result.outcome.value if produced.llm.result else None,
            fallback_reason=produced.llm.reason,
        )
        if produced.llm
        else None,
        _pdf=pdf,
    )


_GENERATORS = {g: Generator(g.value) for g in enums.Generator}
_REGISTERS = {r: Register(r.value) for r in enums.Register}


def _plain_parts(
    d: Any, links: dict[str, Any]
) -> tuple[list[RuleHit], list[RuleHit], list[DraftPaymentDestination]]:
    """The report's hits and the filled destinations as the API types (``_shape``'s parts that depend only
    on the draft's compliance report, its filled destinations and the links made for it)."""
    return (
        [hit(h) for h in d.compliance.violations],
        [hit(h) for h in d.compliance.warnings],
        [
            DraftPaymentDestination(
                id=f.destination.id,
                kind=DestinationKind(f.destination.kind),
                currency=f.destination.currency,
                reference=f.reference,
                bank=f.destination.bank,
                holder=f.destination.holder,
                scheme=f.destination.scheme,
                account=f.destination.account,
                provider=f.destination.provider,
                url=f.url,
                single_use=bool(links.get(f.destination.id) and links[f.destination.id].url == f.url),
            )
            for f in d.destinations
        ],
    )


def _shaped_parts(
    d: Any, links: dict[str, Any], generator: enums.Generator
) -> tuple[list[RuleHit], list[RuleHit], list[DraftPaymentDestination]]:
    """``_plain_parts``, made once per (report, filled destinations) when no link was made for this draft:
    a template draft served again has the same report and destination objects (the check and render memos),
    which are never changed once made; the entry holds them, so their ids are not reused while it lives.
    The API objects are shared between responses: the GraphQL layer only reads them. An LLM draft's report is
    new every time: not kept. Equal to the plain parts (tests/api/test_drafts_shape.py)."""
    if links or generator is not enums.Generator.TEMPLATE:
        return _plain_parts(d, links)
    key = (id(d.compliance), id(d.destinations))
    found = _SHAPED.get(key)
    if found is not None and found[0] is d.compliance and found[1] is d.destinations:
        return found[2]
    parts = _plain_parts(d, links)
    _SHAPED.put(key, (d.compliance, d.destinations, parts))
    return parts


_SHAPED = BoundedMemo(2048)  # see _shaped_parts


@dataclass(frozen=True)
class DraftInputs:
    """What a draft reads from the database for one debtor, built from one DraftState. The ORM rows are
    detached and only read; interactions and payments cover windows opened a day before `valid_from`, and
    each request takes exactly the rows the loaders would return at its own clock (`_recent`)."""

    valid_from: datetime
    debtor: Debtor
    accounts: list[Account]
    promises: list[Any]
    interactions: list[Any]
    payments: list[Any]
    profile: dict[str, Any]
    destinations: PaymentDestinations
    packs: PackRegistry
    itemized_payments: list[Any]  # a US debtor's payments since its earliest itemization date, every one
    facts: DebtorFacts  # of `debtor` and `accounts`
    interaction_facts: list[InteractionFact]  # of `interactions`, in the same order
    zone: tzinfo  # the debtor's primary zone (local_today's)
    interaction_times: list[datetime]  # `at` of each of `interactions`
    payment_times: list[datetime]  # `paid_at` of each of `payments`
    # `_draft_data` answers built from these inputs (see `_draft_data_of`); never compared or hashed
    drafted: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)


def _recent(rows: list[Any], keep: int, since: datetime, times: list[datetime] | None = None) -> list[Any]:
    """The loader's window over rows loaded for an earlier clock (newest first): the latest `keep` plus
    every one at or after `since` (asistente.portfolio.repository._recent); always a prefix of `rows`.
    `times`: the rows' instants, read once when the inputs were built."""
    if times is None:
        times = [row.at if hasattr(row, "at") else row.paid_at for row in rows]
    n = 0
    for i, at in enumerate(times):
        if i >= keep and at < since:
            break
        n += 1
    return rows if n == len(rows) else rows[:n]


@dataclass(frozen=True)
class DraftState:
    """What a draft reads from the database about one debtor, fingerprinted by one statement per request:
    the debtor's `card_revision` (moved by every write to the debtor, its accounts, payments, interactions
    and promises: asistente.portfolio.revisions), the tenant's settings as stored (the text: the drafting
    profile, the payment destinations and the rule-pack overlays are parsed from it), its slug and name (the
    overlays' origin, the profile's default agency name) and the signing agent's name (used as read).

    A draft reads nothing else that a request could change (an agreement named by `agreementId` is read
    every time), so unlike `api.core.state.DebtorState` (the suggestion's fingerprint, which also counts
    agreement policies, feedback and active agreements: counts over rows that grow with use) this statement
    touches only the debtor's, the tenant's and the agent's rows."""

    debtor_id: str
    card_revision: int
    settings_text: str | None
    tenant_slug: str
    tenant_name: str
    agent_name: str | None

    @property
    def settings(self) -> dict[str, Any]:
        """The tenant's settings parsed from the text this state was read with."""
        if not self.settings_text:
            return {}
        value = json.loads(self.settings_text)
        return value if isinstance(value, dict) else {}

    def key(self) -> tuple[Any, ...]:
        """Everything the cached inputs are built from (the agent's name is not: it is used as read)."""
        return (
            self.debtor_id,
            self.card_revision,
            # a digest, not the text: an entry per debtor must not keep a copy of the tenant's settings
            settings_digest(self.settings_text) if self.settings_text else None,
            self.tenant_slug,
            self.tenant_name,
        )


def settings_digest(text: str) -> bytes:
    """sha256 of a tenant's settings text, remembered for the last few texts seen (a text is read on every
    request and changes only when an ADMIN sets the profile, the destinations or an overlay): a dict look-up
    (the text's hash and one comparison) instead of a SHA-256 over a few KB per request."""
    found = _DIGESTS.get(text)
    if found is None:
        found = hashlib.sha256(text.encode()).digest()
        if len(_DIGESTS) >= DIGESTS_KEPT:
            _DIGESTS.clear()
        _DIGESTS[text] = found
    return found


DIGESTS_KEPT = 64  # tenants' settings texts (a few KB each)
_DIGESTS: dict[str, bytes] = {}


class DraftStateReader:
    """One statement per request (the debtor joined to its tenant, the agent's name), compiled once for the
    dialect and run on a pooled DBAPI cursor (`api.core.state.fetch_one_raw`)."""

    def __init__(self, engine: Engine) -> None:
        agent = (
            select(Agent.name)
            .where(Agent.id == bindparam("agent"), Agent.tenant_id == bindparam("tenant"))
            .scalar_subquery()
        )
        statement = (
            select(
                Debtor.id,
                Debtor.card_revision,
                cast(Tenant.settings, Text),
                Tenant.slug,
                Tenant.name,
                agent,
            )
            .select_from(Debtor)
            .join(Tenant, Tenant.id == Debtor.tenant_id)
            .where(Debtor.tenant_id == bindparam("tenant"), Debtor.id == bindparam("key"))
        )
        compiled = statement.compile(dialect=engine.dialect)
        order = compiled.positiontup
        self.engine = engine
        self._sql = str(compiled)
        self._order = tuple(order) if order is not None else None
        self._constants = {k: v for k, v in compiled.params.items() if k not in ("tenant", "key", "agent")}
        self.reads = 0

    def read(self, tenant_id: str, debtor_id: str, agent_id: str | None) -> DraftState | None:
        """The debtor's state, or None when this tenant has no such debtor."""
        values = {**self._constants, "tenant": tenant_id, "key": debtor_id, "agent": agent_id}
        params: Any = tuple(values[n] for n in self._order) if self._order is not None else values
        row = fetch_one_raw(self.engine, self._sql, params)
        self.reads += 1
        if row is None:
            return None
        return DraftState(
            debtor_id=row[0],
            card_revision=int(row[1]),
            settings_text=row[2],
            tenant_slug=row[3],
            tenant_name=row[4],
            agent_name=row[5],
        )


def draft_state(services: Any, tenant_id: str, debtor_id: str, agent_id: str | None) -> DraftState | None:
    reader: DraftStateReader = shared(
        services, "draft_state_reader", lambda: DraftStateReader(services.reader())
    )
    return reader.read(tenant_id, debtor_id, agent_id)


def _draft_inputs(info: Info, p: Principal, debtor_id: str, now: datetime) -> tuple[DraftState, DraftInputs]:
    """The debtor's state (one statement per request) and the inputs built from it (rows read only when
    the state moved, the cached ones are older than this request's clock allows, or the day changed)."""
    services = info.context.services
    state = draft_state(services, p.tenant_id, debtor_id, p.agent_id)
    if state is None or (p.debtor_id is not None and state.debtor_id != p.debtor_id):
        raise NotFound(f"debtor {debtor_id} not found")
    key = ("draft", p.tenant_id, *state.key())
    cache: InputsCache = shared(services, "draft_inputs", InputsCache)
    use_cache = services.settings.card_cache_size > 0  # 0: every read per request (normal execution)
    found = cache.get(key) if use_cache else None
    if found is not None and found.valid_from <= now:
        return state, found
    valid_from = now - timedelta(days=1)
    with services.read_session() as s:  # reads only: no BEGIN/ROLLBACK, statements stay prepared
        repo = PortfolioRepository(s, p.tenant_id)
        debtor = repo.debtors_by_ids([state.debtor_id]).get(state.debtor_id)
        if debtor is None:  # deleted in between
            raise NotFound(f"debtor {debtor_id} not found")
        one = [debtor.id]
        built_rows = (
            repo.accounts_by_debtor_ids(one).get(debtor.id, []),
            repo.promises_by_debtor_ids(one).get(debtor.id, []),
            repo.interactions_by_debtor_ids(one, now=valid_from).get(debtor.id, []),
            repo.payments_by_debtor_ids(one, now=valid_from).get(debtor.id, []),
        )
        since = _itemization_since(debtor)
        itemized = (
            list(
                s.scalars(
                    select(Payment)
                    .where(
                        Payment.tenant_id == p.tenant_id,
                        Payment.debtor_id == debtor.id,
                        Payment.paid_at >= since,
                    )
                    .order_by(Payment.paid_at, Payment.id)
                )
            )
            if since is not None
            else []
        )
        s.expunge_all()  # detached, loaded: read after the session is gone
    settings = state.settings
    built = DraftInputs(
        valid_from,
        debtor,
        *built_rows,
        profile=stored_profile(settings.get(PROFILE_KEY), state.tenant_name),
        destinations=stored_destinations(settings.get(DESTINATIONS_KEY)),
        packs=packs_with_overlays(services.extras["packs"], settings, state.tenant_slug),
        itemized_payments=itemized,
        facts=debtor_facts(debtor, built_rows[0]),
        interaction_facts=interaction_facts(built_rows[2]),
        zone=_zone(debtor),
        interaction_times=[i.at for i in built_rows[2]],
        payment_times=[p.paid_at for p in built_rows[3]],
    )
    if use_cache and debtor.card_revision == state.card_revision:  # not moved while we read: keep it
        cache.put(key, built)
    return state, built


@strawberry.type
class Query:
    @strawberry.field(
        description="A message for this debtor, purpose and channel: allowed by the contact rules, in the "
        "debtor's language and register, with the official payment destinations, checked as a whole MESSAGE. "
        "Recorded in the audit ledger."
    )
    async def draft_message(self, info: Info, input: DraftInput) -> DraftResult:
        p = info.context.require(info)
        ctx = info.context
        now = ctx.now()
        state, inputs = _draft_inputs(info, p, str(input.debtor_id), now)
        debtor = inputs.debtor
        profile = inputs.profile
        language = _language(input.language, debtor)
        reg = _register(input.register, debtor, language)
        channel = enums.Channel(input.channel.value)
        purpose = enums.DraftPurpose(input.purpose.value)
        catalog = _catalog(info)
        _require_jurisdiction(debtor)  # before the template look-up, which names the jurisdiction
        catalog.find(purpose, channel, debtor.jurisdiction)  # a channel that cannot carry it: BAD_INPUT
        accounts = inputs.accounts
        history = _recent(
            inputs.interactions,
            RECENT_INTERACTIONS,
            now - timedelta(days=INTERACTION_WINDOW_DAYS),
            inputs.interaction_times,
        )
        payments = _recent(
            inputs.payments,
            RECENT_PAYMENTS,
            now - timedelta(days=PAYMENT_LOOKBACK_DAYS),
            inputs.payment_times,
        )
        data = await _draft_data_of(info, debtor, accounts, input, profile, now, inputs, payments)
        data["agentName"] = _sender(state.agent_name if p.agent_id else None, profile, channel)
        data["agency"] = {
            "name": profile["agencyName"],
            "neutral_name": profile.get("neutralName"),
            "disputes_online": profile.get("electronicDisputes"),
            "phone": profile.get("phone"),
            "email": profile.get("email"),
            "website": profile.get("website"),
            "address": profile.get("address"),
            "city": profile.get("city"),
            "hours": profile.get("hours") or {},
        }
        currency = data["accounts"][0]["currency"]
        destinations = inputs.destinations
        mine = destinations.for_currency(currency)
        packs: PackRegistry = inputs.packs
        facts = inputs.facts
        request = DraftRequest(channel, purpose, language, reg)
        settings = ctx.settings
        llm = ctx.services.extras.get("llm") if input.use_llm else None
        base_input = {
            "channel": channel.value,
            "purpose": purpose.value,
            "language": language,
            "register": reg.value,
            "agreementId": str(input.agreement_id) if input.agreement_id else None,
            "accountId": str(input.account_id) if input.account_id else None,
            "useLlm": input.use_llm,
            "jurisdiction": debtor.jurisdiction,
            "currency": currency,
            "interactionsConsidered": len(history),
        }
        versions = {
            "templates": catalog.version_string(),
            "rulePacks": None,
            "lexicon": detector_version(),
            "textModel": text_model_version(),
            "paymentDestinations": destinations.version,
            "profile": profile.get("version"),
        }
        try:
            produced = await produce_draft(
                request,
                data,
                facts=facts,
                interactions=inputs.interaction_facts[: len(history)],  # history: a prefix
                destinations=mine,
                catalog=catalog,
                packs=packs,
                now=now,
                allowed_urls=[u for u in (profile.get("website"),) if u],
                allowed_numbers=[
                    n for n in (profile.get("phone"), *(a["reference"] for a in data["accounts"])) if n
                ],
                stripe=StripeConfig.from_profile(profile),
                llm=llm,
                llm_budget_s=settings.llm_draft_budget_seconds,
            )
        except Refusal as exc:
            versions["rulePacks"] = exc.decision.pack_versions
            await ctx.record_committed(
                "DRAFT",
                debtor_id=debtor.id,
                input=base_input,
                output={"refused": True, "violations": hits(exc.hits), "blocked": hits(exc.hits)},
                versions=versions,
                now=now,
            )
            raise
        except DraftFailed as exc:
            versions["rulePacks"] = exc.report.pack_version
            await ctx.record_committed(
                "DRAFT",
                debtor_id=debtor.id,
                input=base_input,
                output={"failed": True, "blocked": hits(exc.report.violations)},
                versions=versions,
                now=now,
            )
            raise
        d = produced.draft
        versions["rulePacks"] = d.compliance.pack_version
        event = await ctx.record_committed(
            "DRAFT",
            debtor_id=debtor.id,
            input=None,
            output=None,
            versions=None,
            # each field prepared as the ledger prepares it (remembered: a debtor's drafts repeat them)
            prepared={
                "input": prepared_value(
                    {
                        **base_input,
                        "templateId": d.template.id,
                        "templateVersion": f"{d.template.file}@{d.template.version}",
                        "firstContact": d.first_contact,
                        "facts": {
                            "amount": d.values["amount"],
                            "asOf": d.values["as_of"],
                            "reference": d.values["account"]["reference"],
                            "creditor": d.values["creditor"],
                            "agreement": (d.values["agreement"] or {}).get("total"),
                            "promise": d.values["promise"],
                            "received": d.values["received"],
                        },
                    }
                ),
                "output": prepared_output(produced),
                "versions": prepared_value(versions),
            },
            now=now,
        )
        return _shape(produced, event.id, now)

    @strawberry.field(description="This tenant's official payment destinations.")
    def payment_destinations(self, info: Info) -> PaymentDestinationsInfo:
        info.context.require(info)
        doc = (_tenant(info).settings or {}).get(DESTINATIONS_KEY) or {}
        return PaymentDestinationsInfo(version=doc.get("version"), destinations=doc.get("destinations") or [])

    @strawberry.field(description="How this tenant signs its messages (credentials are never returned).")
    def drafting_profile(self, info: Info) -> JSON:
        info.context.require(info)
        tenant = _tenant(info)
        return public_profile(parse_profile((tenant.settings or {}).get(PROFILE_KEY), tenant.name))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Register this tenant's official payment destinations (ADMIN), validated against "
        "schema/payment-destinations.schema.json and the account check digits; replaces the previous set."
    )
    def set_payment_destinations(self, info: Info, destinations: JSON) -> PaymentDestinationsInfo:
        p = info.context.require(info)
        parsed = parse_destinations(destinations)
        session = info.context.session
        tenant = session.get(Tenant, p.tenant_id)
        settings = dict(tenant.settings or {})
        settings[DESTINATIONS_KEY] = destinations
        tenant.settings = settings
        info.context.record(
            "POLICY_CHANGE",
            input={"paymentDestinations": destinations},
            output={"stored": True, "destinations": len(parsed.destinations)},
            versions={"paymentDestinations": parsed.version},
            now=info.context.now(),
        )
        session.commit()
        return PaymentDestinationsInfo(version=parsed.version, destinations=destinations["destinations"])

    @strawberry.mutation(
        description="Set how this tenant signs its messages (ADMIN): agency name, phone, e-mail, hours, and "
        "optional Stripe credentials; validated against schema/drafting-profile.schema.json."
    )
    def set_drafting_profile(self, info: Info, profile: JSON) -> JSON:
        p = info.context.require(info)
        session = info.context.session
        tenant = session.get(Tenant, p.tenant_id)
        parsed = parse_profile(profile, tenant.name, strict=True)
        settings = dict(tenant.settings or {})
        settings[PROFILE_KEY] = profile
        tenant.settings = settings
        info.context.record(
            "POLICY_CHANGE",
            input={"draftingProfile": public_profile(parsed)},
            output={"stored": True},
            versions={"profile": parsed.get("version")},
            now=info.context.now(),
        )
        session.commit()
        return public_profile(parsed)
