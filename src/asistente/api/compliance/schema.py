"""Compliance root fields: may I contact this debtor now, is this text compliant, tenant rule overlays."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.exc import NoResultFound
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente.api.compliance.types import ComplianceReport, ContactPermission, contact_permission, report
from asistente.api.core.fresh import shared_reads
from asistente.api.core.permissions import ADMIN, AGENT, COMPLIANCE, INTEGRATOR, READERS, SUPERVISOR, register
from asistente.api.core.scalars import Channel, ComplianceContext, RecipientRole
from asistente.api.portfolio.live_reads import live_rows
from asistente.compliance import PackRegistry
from asistente.compliance.review import (
    PROMPT_VERSION,
    SecondReaderConfig,
    resolve_jurisdiction,
    review_text,
)
from asistente.drafting.payments import DestinationGuard, guard_report, tenant_guard
from asistente.enums import Channel as DomainChannel
from asistente.enums import ComplianceContext as DomainContext
from asistente.enums import RecipientRole as DomainRole
from asistente.errors import BadInput, NotFound
from asistente.geo import zone_data_version
from asistente.llm import KnownValues, LLMClient, LLMConfig
from asistente.portfolio.contact import contact_decisions
from asistente.portfolio.facts import debtor_facts
from asistente.tenants.models import Tenant

LIVE = frozenset({AGENT, SUPERVISOR, INTEGRATOR, ADMIN, COMPLIANCE})
register("Query.contactPermission", LIVE)
register("Query.checkCompliance", LIVE)
register("Query.rulePacks", READERS)
register("Mutation.setRulePackOverlay", frozenset({ADMIN}))

OVERLAYS_KEY = "rulePackOverlays"


def _tenant_row(info: Info) -> tuple[str | None, str]:
    """The tenant's settings as stored (text) and slug, read once per operation."""
    ctx = info.context
    return ctx.per_operation(
        "tenant_row",
        lambda: tuple(ctx.session.execute(_PACK_SOURCE, {"tenant": ctx.principal.tenant_id}).one()),
    )


def seed_tenant_row(info: Info, row: tuple[str | None, str]) -> None:
    """This operation's tenant row, read with the debtor's (api/portfolio/live_reads.py) by the same
    expressions as `_PACK_SOURCE`, so `_tenant_row` does not read it again."""
    info.context.per_operation("tenant_row", lambda: row)


def tenant_packs(info: Info) -> PackRegistry:
    """The law's packs plus this tenant's stricter overlays (read once per operation)."""
    ctx = info.context

    def build() -> PackRegistry:
        text, slug = _tenant_row(info)
        return built_packs(ctx.services, ctx.principal.tenant_id, text, slug)

    return ctx.per_operation("tenant_packs", build)


def tenant_destination_guard(info: Info) -> DestinationGuard | None:
    """The tenant's registered payment destinations and its own addresses and numbers, from the same
    settings read as its packs (None: it registered none). Reused per process keyed by (tenant, digest of
    the settings text, catalog): a newly registered destination reads differently and takes effect at once."""
    ctx = info.context
    text, _slug = _tenant_row(info)
    return ctx.per_operation("tenant_guard", lambda: built_guard(ctx.services, ctx.principal.tenant_id, text))


def built_guard(services: Any, tenant_id: str, settings_text: str | None) -> DestinationGuard | None:
    if not settings_text:
        return None
    catalog = services.extras.get("drafts")

    def build() -> DestinationGuard | None:
        settings = json.loads(settings_text)
        return tenant_guard(settings if isinstance(settings, dict) else None, public_urls_of(catalog))

    if services.settings.card_cache_size <= 0:
        return build()
    key = (tenant_id, hashlib.sha256(settings_text.encode()).digest(), id(catalog))
    cache: OrderedDict = services.extras.setdefault("tenant_guard_cache", OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key][1]
    found = build()
    cache[key] = (catalog, found)  # the catalog held: its id is not reused while the entry lives
    while len(cache) > 256:
        cache.popitem(last=False)
    return found


def public_urls_of(catalog: Any) -> tuple[str, ...]:
    """The fixed public addresses the message templates cite (not payment destinations)."""
    if catalog is None:
        return ()
    return tuple(dict.fromkeys(u for t in catalog.templates for u in t.public_urls))


async def tenant_packs_off_loop(info: Info) -> PackRegistry:
    """`tenant_packs`, with the tenant row read off the event loop, so the loop keeps serving other requests
    during the round trip (for operations that need no other read). The read is shared with the requests
    of this process waiting for the same tenant's row (api/core/fresh.py: each gets a read sent after it
    asked, never an older one); with ASISTENTE_CARD_CACHE_SIZE=0, each request reads on a session of its
    own in a worker thread."""
    ctx = info.context
    if not ctx.memoized("tenant_packs"):
        services, tenant_id = ctx.services, ctx.principal.tenant_id
        if services.settings.card_cache_size > 0:
            row = await shared_reads(services, "tenant_row", _PACK_SOURCE).read({"tenant": tenant_id})
            if row is None:
                raise NoResultFound("No row was found when one was required")  # as Result.one() would
            text, slug = row
        else:
            factory = services.session_factory

            def read() -> tuple[Any, str]:
                with factory() as session:
                    return tuple(session.execute(_PACK_SOURCE, {"tenant": tenant_id}).one())

            text, slug = await asyncio.to_thread(read)
        ctx.per_operation("tenant_row", lambda: (text, slug))
        return ctx.per_operation("tenant_packs", lambda: built_packs(services, tenant_id, text, slug))
    return tenant_packs(info)


# The tenant's settings as stored (the text: parsed only when it changed) and its slug: one indexed row.
_PACK_SOURCE = select(cast(Tenant.settings, Text), Tenant.slug).where(Tenant.id == bindparam("tenant"))


def built_packs(services: Any, tenant_id: str, settings_text: str | None, slug: str) -> PackRegistry:
    """The packs with this tenant's overlays for the settings text just read. Kept per process keyed by
    (tenant, digest of that text, slug), so a request whose read differs in anything builds again: never
    staler than the request's own read, never another tenant's (ASISTENTE_CARD_CACHE_SIZE=0: no reuse)."""
    base: PackRegistry = services.extras["packs"]

    def build() -> PackRegistry:
        settings = json.loads(settings_text) if settings_text else None
        return packs_with_overlays(base, settings if isinstance(settings, dict) else None, slug)

    if services.settings.card_cache_size <= 0:
        return build()
    digest = hashlib.sha256(settings_text.encode()).digest() if settings_text else None
    key = (tenant_id, digest, slug, id(base))
    cache: OrderedDict = services.extras.setdefault("tenant_packs_cache", OrderedDict())
    found = cache.get(key)
    if found is None:
        found = cache[key] = build()
        while len(cache) > 256:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return found


def packs_with_overlays(registry: PackRegistry, settings: dict[str, Any] | None, slug: str) -> PackRegistry:
    """The law's packs plus the stricter overlays stored in a tenant's settings."""
    for overlay in ((settings or {}).get(OVERLAYS_KEY) or {}).values():
        registry = registry.with_overlay(overlay, origin=f"tenant {slug}")
    return registry


def second_reader(info: Info) -> tuple[LLMClient | None, SecondReaderConfig]:
    """The LLM second reader when OPENAI_BASE_URL and ASISTENTE_LLM_MODEL are set (one client per app)."""
    services = info.context.services
    if "llm" not in services.extras:
        config = LLMConfig.from_settings(services.settings)
        services.extras["llm"] = LLMClient(config) if config else None
    return services.extras["llm"], SecondReaderConfig.from_settings(services.settings)


def detector_version() -> str:
    try:
        from asistente.compliance.detect import LEXICON_VERSION

        return str(LEXICON_VERSION)
    except Exception:  # the version is informative; a missing lexicon fails the check itself
        return "unknown"


def text_model_version() -> str:
    try:
        from asistente.compliance.textmodel import default_model

        return default_model().version
    except Exception:  # informative only; a broken model stops the service at start-up
        return "unknown"


@strawberry.input
class ComplianceCheckInput:
    text: str
    channel: Channel
    jurisdiction: str | None = strawberry.field(
        default=None, description="ISO code; defaults to the debtor's when debtorId is given."
    )
    recipient_role: RecipientRole = RecipientRole.DEBTOR
    debtor_id: strawberry.ID | None = None
    is_first_contact: bool = False
    language: str | None = None
    call_id: str | None = None
    context: ComplianceContext = strawberry.field(
        default=ComplianceContext.MESSAGE,
        description="MESSAGE: a whole communication. CALL_TURN: one line inside a call (CALL or VISIT "
        "channel): identification and disclosures are left to the call; what a line must not say applies.",
    )


@strawberry.type
class RulePackInfo:
    jurisdiction: str
    name: str
    version: str
    rules: int
    tenant_overlay: bool


def _summary_hits(hits: list[Any]) -> list[dict[str, Any]]:
    return [
        {"ruleId": h.rule_id, "code": str(h.code), **({"span": [h.span.start, h.span.end]} if h.span else {})}
        for h in hits
    ]


@strawberry.type
class Query:
    @strawberry.field(
        description="May this contact happen (at `at`, default now)? Recorded in the audit ledger."
    )
    async def contact_permission(
        self,
        info: Info,
        debtor_id: strawberry.ID,
        channel: Channel,
        at: datetime | None = None,
        recipient_role: RecipientRole = RecipientRole.DEBTOR,
        destination: str | None = None,
    ) -> ContactPermission:
        ctx = info.context
        ctx.require(info)
        if ctx.reads_only:  # the prepared path: plain rows, one connection (api/portfolio/live_reads.py)
            now = ctx.now()
            rows = live_rows(ctx, str(debtor_id), interactions_at=now, facts_only=True)
            if rows is None:
                raise NotFound(f"debtor {debtor_id} not found")
            debtor, accounts, history = rows.debtor, rows.accounts, rows.interactions
            seed_tenant_row(info, rows.tenant_row)
        else:
            loaders = ctx.loaders
            debtor = await loaders.debtor_by_id.load(str(debtor_id))
            if debtor is None:
                raise NotFound(f"debtor {debtor_id} not found")
            now = ctx.now()
            accounts = await loaders.accounts_by_debtor_id.load(debtor.id)
            history = await loaders.interaction_facts_by_debtor_id.load(debtor.id)
        decisions = contact_decisions(
            debtor,
            accounts,
            history,
            tenant_packs(info),
            [DomainChannel(channel.value)],
            now=now,
            at=at,
            recipient_role=DomainRole(recipient_role.value),
            destination=destination,
        )
        decision = decisions[DomainChannel(channel.value)]
        when = at or now
        event = await info.context.record_committed(
            "CONTACT_CHECK",
            debtor_id=debtor.id,
            input={
                "channel": channel.value,
                "at": when,
                "recipientRole": recipient_role.value,
                "destination": destination,
                "interactionsConsidered": len(history),
            },
            output={
                "allowed": decision.allowed,
                "violations": _summary_hits(decision.violations),
                "warnings": _summary_hits(decision.warnings),
                "nextAllowedAt": decision.next_allowed_at,
                "timezones": decision.timezones,
                "missingData": decision.missing_data,
            },
            versions={"rulePacks": decision.pack_versions, "zones": zone_data_version()},
            now=now,
        )
        return contact_permission(decision, event.id)

    @strawberry.field(
        description="Check a text against the jurisdiction's content rules. Recorded in the ledger."
    )
    async def check_compliance(self, info: Info, input: ComplianceCheckInput) -> ComplianceReport:
        info.context.require(info)
        if input.call_id is not None and len(input.call_id) > 200:
            raise BadInput("callId: at most 200 characters")
        if input.language is not None and len(input.language) > 16:
            raise BadInput('language: a language tag such as "es", "es-MX" or "en"')
        time_barred = False
        addresses: tuple = ()
        debtor_id = None
        debtor_jurisdiction = None
        known = KnownValues()
        own_numbers: list[str] = []
        if input.debtor_id is not None:
            ctx = info.context
            if ctx.reads_only:  # the prepared path: plain rows, one connection (api/portfolio/live_reads.py)
                rows = live_rows(ctx, str(input.debtor_id), facts_only=True)
                if rows is None:
                    raise NotFound(f"debtor {input.debtor_id} not found")
                debtor, accounts = rows.debtor, rows.accounts
                seed_tenant_row(info, rows.tenant_row)
            else:
                loaders = ctx.loaders
                debtor = await loaders.debtor_by_id.load(str(input.debtor_id))
                if debtor is None:
                    raise NotFound(f"debtor {input.debtor_id} not found")
                accounts = await loaders.accounts_by_debtor_id.load(debtor.id)
            debtor_id = debtor.id
            facts = debtor_facts(debtor, accounts)
            time_barred = facts.time_barred
            addresses = facts.addresses
            debtor_jurisdiction = debtor.jurisdiction
            own_numbers = [
                debtor.external_id,
                *(a.external_id for a in accounts),
                *(ph.get("number") for ph in facts.phones if isinstance(ph, dict)),
            ]
            known = KnownValues.of_record(
                names=[debtor.full_name],
                addresses=facts.addresses,
                phones=facts.phones,
                emails=facts.emails,
                accounts=[debtor.external_id, *(a.external_id for a in accounts)],
            )
        jurisdiction = resolve_jurisdiction(input.jurisdiction, debtor_jurisdiction)
        packs = tenant_packs(info) if input.debtor_id is not None else await tenant_packs_off_loop(info)
        reader, reader_config = second_reader(info)
        if reader is not None:
            # The second reader may wait up to its budget: hold no database connection meanwhile (only
            # reads so far; the ledger record below opens its own transaction).
            info.context.session.commit()
        outcome = await review_text(
            input.text,
            channel=DomainChannel(input.channel.value),
            jurisdiction=jurisdiction,
            packs=packs,
            recipient_role=DomainRole(input.recipient_role.value),
            language=input.language,
            is_first_contact=input.is_first_contact,
            time_barred=time_barred,
            addresses=addresses,
            context=DomainContext(input.context.value),
            reader=reader,
            config=reader_config,
            known=known,
        )
        guard = tenant_destination_guard(info)
        if guard is not None:
            guard = guard.allowing(numbers=own_numbers)
        result = guard_report(
            outcome.report, input.text, guard, packs=packs, jurisdiction=jurisdiction, addresses=addresses
        )
        event = await info.context.record_committed(
            "COMPLIANCE_CHECK",
            debtor_id=debtor_id,
            call_id=input.call_id,
            input={
                "text": input.text,
                "channel": input.channel.value,
                "jurisdiction": jurisdiction,
                "recipientRole": input.recipient_role.value,
                "isFirstContact": input.is_first_contact,
                "language": input.language,
                "timeBarred": time_barred,
                "context": input.context.value,
            },
            output={
                "compliant": result.compliant,
                "violations": _summary_hits(result.violations),
                "warnings": _summary_hits(result.warnings),
                "blocked": [{"ruleId": h.rule_id, "code": str(h.code)} for h in result.violations],
                "secondReader": outcome.second.ledger(),
            },
            versions={
                "rulePacks": result.pack_version,
                "lexicon": detector_version(),
                "textModel": text_model_version(),
                **({"paymentDestinations": guard.version} if guard is not None else {}),
                **(
                    {"secondReader": {"model": outcome.second.llm.model, "prompt": PROMPT_VERSION}}
                    if outcome.second.llm
                    else {}
                ),
            },
            now=info.context.now(),
        )
        return report(result, event.id)

    @strawberry.field(description="The rule packs in force for this tenant.")
    def rule_packs(self, info: Info) -> list[RulePackInfo]:
        info.context.require(info)
        return [
            RulePackInfo(
                jurisdiction=pack.jurisdiction,
                name=pack.name,
                version=pack.version,
                rules=len(pack.rules),
                tenant_overlay=is_overlay,
            )
            for pack, is_overlay in tenant_packs(info).listing()
        ]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Add or replace this tenant's stricter rules for one jurisdiction (ADMIN). "
        "The overlay has the rule-pack schema; it can only add restrictions."
    )
    def set_rule_pack_overlay(self, info: Info, overlay: JSON) -> list[RulePackInfo]:
        p = info.context.require(info)
        if not isinstance(overlay, dict) or not isinstance(overlay.get("jurisdiction"), str):
            raise BadInput("overlay: a rule-pack JSON object with a jurisdiction")
        base: PackRegistry = info.context.services.extras["packs"]
        base.with_overlay(overlay, origin="tenant overlay")  # validates: file/path/reason in the error
        session = info.context.session
        tenant = session.get(Tenant, p.tenant_id)
        settings = dict(tenant.settings or {})
        overlays = dict(settings.get(OVERLAYS_KEY) or {})
        overlays[overlay["jurisdiction"]] = overlay
        settings[OVERLAYS_KEY] = overlays
        tenant.settings = settings
        info.context.record(
            "POLICY_CHANGE",
            input={"ruleOverlay": overlay},
            output={"stored": True},
            versions={"overlay": overlay.get("version")},
            now=info.context.now(),
        )
        session.commit()
        info.context.forget("tenant_row")
        info.context.forget("tenant_packs")
        info.context.forget("tenant_guard")
        return Query.rule_packs(None, info)  # type: ignore[arg-type]
