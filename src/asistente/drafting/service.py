"""The draftMessage use case: the template draft (compose.draft_message), single-use payment links when the
tenant configured a provider, and an optional LLM rewrite behind the same guards.

``produce_draft`` is the one domain function the API calls. Its I/O (the provider's API, the LLM) has a time
budget and never decides the outcome: without them, or when they fail, the template draft is served. A
provider is asked for a link only once the draft with the registered template links has passed the contact
rules, the purpose's data and the check, for the amount that draft asks for (``compose.amount_due``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asistente.compliance import DebtorFacts, InteractionFact, PackRegistry
from asistente.drafting.catalog import Catalog, Rendered
from asistente.drafting.compose import Draft, DraftRequest, amount_due, check_draft, draft_message
from asistente.drafting.links import CreatedLink, StripeConfig, create_stripe_link
from asistente.drafting.llm import LLMDraft, rewrite
from asistente.drafting.payments import Destination
from asistente.drafting.sms import sms_length
from asistente.enums import Channel, Generator
from asistente.llm import LLMClient

__all__ = ["Produced", "produce_draft"]


@dataclass
class Produced:
    draft: Draft
    generator: Generator
    llm: LLMDraft | None = None
    links: dict[str, CreatedLink] = field(default_factory=dict)


async def produce_draft(
    request: DraftRequest,
    data: dict[str, Any],
    *,
    facts: DebtorFacts,
    interactions: Sequence[InteractionFact],
    destinations: Sequence[Destination],
    catalog: Catalog,
    packs: PackRegistry,
    now: datetime,
    allowed_urls: Sequence[str] = (),
    allowed_numbers: Sequence[str] = (),
    tenant_overlay: Mapping[str, Any] | None = None,
    stripe: StripeConfig | None = None,
    llm: LLMClient | None = None,
    llm_budget_s: float = 8.0,
) -> Produced:
    def compose(data: dict[str, Any], urls: Sequence[str]) -> Draft:
        return draft_message(
            request,
            data,
            facts=facts,
            interactions=interactions,
            destinations=destinations,
            catalog=catalog,
            packs=packs,
            now=now,
            allowed_urls=urls,
            allowed_numbers=allowed_numbers,
            tenant_overlay=tenant_overlay,
        )

    links: dict[str, CreatedLink] = {}
    urls = list(allowed_urls)
    # The draft with the registered template links first: the contact rules, the data the purpose needs
    # and the check decide before any provider is asked for a link (a refused draft creates none).
    draft = compose(data, urls)
    writes_payments = request.channel not in (Channel.VOICEMAIL, Channel.CALL, Channel.VISIT)
    dynamic = [d for d in destinations if d.kind == "PAYMENT_LINK" and d.provider == "STRIPE" and d.dynamic]
    if stripe is not None and writes_payments and dynamic:
        # the amount the draft's text and template links carry (one debt for a validation notice)
        amount = amount_due(data, one_debt="validation" in draft.template.requires)
        reference = data["accounts"][0]["reference"]
        for d in dynamic:
            links[d.id] = await create_stripe_link(
                stripe,
                amount=amount,
                currency=d.currency,
                reference=reference,
                description=f"{data['creditor']} {reference}",
                return_url=d.fill_url(reference, amount),
                now=now,
            )
        made = {k: v.url for k, v in links.items() if v.url}
        if made:
            data = {**data, "links": made}
            urls += list(made.values())
            draft = compose(data, urls)
    if llm is None or draft.template.fixed_wording:  # a model form (the US validation notice) keeps its words
        return Produced(draft, Generator.TEMPLATE, None, links)

    def check(body: str):
        return check_draft(
            Rendered(body, draft.subject, (), body),
            request,
            jurisdiction=draft.jurisdiction,
            first=draft.first_contact,
            facts=facts,
            destinations=destinations,
            packs=packs,
            allowed_urls=urls,
            allowed_numbers=allowed_numbers,
            tenant_overlay=tenant_overlay,
        )

    notice = catalog.ai_notice(draft.jurisdiction, draft.language, draft.register, draft.values)
    attempt = await rewrite(
        draft,
        data,
        purpose=request.purpose.value,
        client=llm,
        budget_s=llm_budget_s,
        check=check,
        ai_notice=notice,
    )
    if not attempt.used or attempt.text is None or attempt.report is None:
        return Produced(draft, Generator.TEMPLATE, attempt, links)
    draft.body = attempt.text
    draft.text = catalog.reframe(request.channel, draft.language, draft.register, draft.values, attempt.text)
    draft.compliance = attempt.report
    draft.sms = sms_length(draft.text) if request.channel is Channel.SMS else None
    return Produced(draft, Generator.LLM, attempt, links)
