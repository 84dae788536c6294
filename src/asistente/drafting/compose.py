"""One draft: may this channel be used, which template, the values, render, check. Pure: plain values in.

``draft_message`` is the use case behind the ``draftMessage`` query:

1. Asks the contact permission engine (``compliance.evaluate_contact``) about the channel. A channel the
   debtor opted out of or never authorised, a cease-contact request, an attorney, a litigation hold, a
   minor: the draft is refused with those reasons (``Refusal``). Time-of-day, day and frequency limits do
   not stop a draft (it is written now, sent when allowed): they come back as ``contact_warnings`` with
   the next allowed instant.
2. Picks the template for (purpose, channel, jurisdiction) and checks the data the purpose needs (an
   agreement, a promise, a received payment, a postal address for a letter).
3. Renders it in the debtor's language and register with the tenant's payment destinations, and checks the
   whole text as a MESSAGE (``check_text``) plus every payment destination against the registered ones.
   A template draft that fails is never returned: it raises (``DraftFailed``), which is a bug in the
   templates the start-up check should have caught, reported with its findings.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

from asistente.compliance import (
    ComplianceReport,
    ContactDecision,
    ContactRequest,
    DebtorFacts,
    InteractionFact,
    PackRegistry,
    RuleHit,
    evaluate_contact,
)
from asistente.drafting.catalog import (
    Catalog,
    Rendered,
    Template,
    format_day,
    format_money,
    locale_for,
    render,
)
from asistente.drafting.payments import (
    Destination,
    FilledDestination,
    check_with_destinations,
    fill,
)
from asistente.drafting.sms import SmsLength, sms_length
from asistente.drafting.validation import us_address_lines, validation_facts, validation_values
from asistente.enums import Channel, Direction, DraftPurpose, InteractionOutcome, Register, ViolationCode
from asistente.errors import BadInput, DomainError, FieldError

__all__ = [
    "BLOCKING_CODES",
    "Draft",
    "DraftFailed",
    "DraftRequest",
    "Refusal",
    "amount_due",
    "draft_message",
    "format_values",
    "is_first_contact",
]

# What stops a draft outright; time and frequency limits only delay sending it.
BLOCKING_CODES = frozenset(
    {
        ViolationCode.CHANNEL_OPTED_OUT,
        ViolationCode.CHANNEL_NOT_AUTHORIZED,
        ViolationCode.CEASE_CONTACT,
        ViolationCode.ATTORNEY_REPRESENTED,
        ViolationCode.LITIGATION_HOLD,
        ViolationCode.CONTACT_MINOR,
        ViolationCode.THIRD_PARTY_DISCLOSURE,
        ViolationCode.WORK_EMAIL,
    }
)


class Refusal(DomainError):
    """The contact rules forbid this channel for this debtor: no draft. ``hits`` are the reasons."""

    code = "FORBIDDEN"

    def __init__(self, message: str, hits: Sequence[RuleHit], decision: ContactDecision) -> None:
        from asistente.errors import FieldError

        super().__init__(message, [FieldError("channel", h.message, h.code.value) for h in hits])
        self.hits = list(hits)
        self.decision = decision


class DraftFailed(DomainError):
    """A rendered draft failed the compliance check: never served."""

    code = "BAD_INPUT"

    def __init__(self, message: str, report: ComplianceReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class DraftRequest:
    channel: Channel
    purpose: DraftPurpose
    language: str  # "es" | "en"
    register: Register


@dataclass
class Draft:
    channel: Channel
    text: str
    subject: str | None
    body: str  # the message without its channel frame (what an LLM may reword)
    template: Template
    jurisdiction: str
    language: str
    register: Register
    locale: str
    first_contact: bool
    compliance: ComplianceReport
    destinations: list[FilledDestination]
    sms: SmsLength | None
    contact: ContactDecision
    contact_warnings: list[RuleHit] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    required_sentences: tuple[str, ...] = ()  # disclosure and opt-out as rendered: kept verbatim by a rewrite

    @property
    def whatsapp(self) -> Mapping[str, str] | None:
        if self.template.whatsapp is None or self.channel is not Channel.WHATSAPP:
            return None
        return self.template.whatsapp


# --------------------------------------------------------------------------------------------- values


def _money(raw: Mapping[str, Any] | None, key: str, currency: str, locale: str) -> str | None:
    if not raw or raw.get(key) is None:
        return None
    return format_money(Decimal(str(raw[key])), currency, locale)


def _day(value: Any, locale: str) -> str | None:
    if value is None:
        return None
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return format_day(d, locale)


def _balance(data: Mapping[str, Any]) -> Decimal:
    currency = data["accounts"][0]["currency"]
    return sum(
        (Decimal(str(a["balance"])) for a in data["accounts"] if a["currency"] == currency), Decimal(0)
    )


def amount_due(data: Mapping[str, Any], *, one_debt: bool = False) -> Decimal:
    """What a draft asks the debtor to pay (its payment links carry it): ``payAmount`` (a plan's first
    installment, a settlement, a promise), else the balance of the accounts in the first one's currency;
    ``one_debt``: only the first account (a US validation notice covers one debt)."""
    if data.get("payAmount"):
        return Decimal(str(data["payAmount"]))
    if one_debt:
        return Decimal(str(data["accounts"][0]["balance"]))
    return _balance(data)


def format_values(
    data: Mapping[str, Any], language: str, destinations: Sequence[Destination]
) -> dict[str, Any]:
    """The render context of one debtor (``data`` has the shape of a samples.json debtor), formatted for the
    locale of the language in the debtor's country. Keys match ``catalog.CONTEXT_KEYS``."""
    jurisdiction = data["jurisdiction"]
    locale = locale_for(language, jurisdiction)
    account = data["accounts"][0]
    currency = account["currency"]
    balance = _balance(data)
    as_of = max(str(a["asOf"]) for a in data["accounts"] if a["currency"] == currency)
    agency = data["agency"]
    hours = agency.get("hours") or {}
    first_name = data["fullName"].split()[0]
    address = (data.get("addresses") or [None])[0]
    address_lines = []
    if address and str(jurisdiction).upper().startswith("US"):
        address_lines = us_address_lines(address)  # street, then "City, ST 12345" (USPS)
    elif address:
        address_lines = [address.get("line1") or ""]
        city = " ".join(
            x for x in (address.get("postalCode"), address.get("city"), address.get("region")) if x
        )
        address_lines += [city, address.get("country") or ""]
        address_lines = [x for x in address_lines if x]
    agreement = data.get("agreement")
    agreement_ctx = None
    settlement_ctx = None
    if agreement:
        acur = agreement["currency"]
        installments = [
            {
                "number": i["number"],
                "due_date": _day(i["dueDate"], locale),
                "amount": format_money(Decimal(str(i["amount"])), acur, locale),
            }
            for i in agreement["installments"]
        ]
        agreement_ctx = {
            "kind": agreement["kind"],
            "total": format_money(Decimal(str(agreement["total"])), acur, locale),
            "count": len(installments),
            "first_due": installments[0]["due_date"] if installments else None,
            "installments": installments,
            "discount": _money(agreement, "discount", acur, locale),
        }
        if agreement["kind"] == "SETTLEMENT":
            settlement_ctx = {
                "amount": agreement_ctx["total"],
                "discount": agreement_ctx["discount"],
                "valid_until": agreement_ctx["first_due"],
            }
    promise = data.get("promise")
    received = data.get("received")
    reference = account["reference"]
    filled = fill(
        destinations,
        reference=reference,
        amount=amount_due(data),
        links=data.get("links"),
    )
    today = _day(data["today"], locale)
    city = agency.get("city")
    return {
        "debtor": {"full_name": data["fullName"], "first_name": first_name, "address_lines": address_lines},
        "agent": {"name": data["agentName"]},
        "agency": {
            "name": agency["name"],
            "neutral_name": agency.get("neutral_name"),
            "disputes_online": agency.get("disputes_online"),
            "phone": agency.get("phone"),
            "email": agency.get("email"),
            "website": agency.get("website"),
            "address": agency.get("address"),
            "hours": hours.get(language),
        },
        "creditor": account.get("creditor") or data["creditor"],
        "account": {"reference": reference, "product": account.get("product")},
        "amount": format_money(balance, currency, locale),
        "as_of": _day(as_of, locale),
        "due_date": _day(account.get("dueDate"), locale),
        "payment": {"lines": [f.lines[language] for f in filled], "available": bool(filled)},
        "agreement": agreement_ctx,
        "promise": {
            "amount": format_money(Decimal(str(promise["amount"])), promise["currency"], locale),
            "due_date": _day(promise["dueDate"], locale),
        }
        if promise
        else None,
        "received": {
            "amount": format_money(Decimal(str(received["amount"])), received["currency"], locale),
            "date": _day(received["date"], locale),
            "remaining": format_money(Decimal(str(received["remaining"])), received["currency"], locale),
        }
        if received
        else None,
        "settlement": settlement_ctx,
        "validation": None,
        "today": today,
        "place_date": f"{city}, {today}" if city else today,
        "_filled": filled,
        "_locale": locale,
    }


# --------------------------------------------------------------------------------------------- decisions


def is_first_contact(purpose: DraftPurpose, interactions: Sequence[InteractionFact]) -> bool:
    """The first communication with the debtor (FDCPA 1692e(11)): a FIRST_NOTICE always is; otherwise when
    no outbound communication reached the debtor (a conversation or a delivered message) and they never
    wrote or called in."""
    if purpose is DraftPurpose.FIRST_NOTICE:
        return True
    for i in interactions:
        if i.recipient_role.value != "DEBTOR":
            continue
        if i.direction is Direction.INBOUND:
            return False
        if i.outcome in (InteractionOutcome.CONVERSATION, InteractionOutcome.DELIVERED):
            return False
    return True


_NEEDS = {
    "agreement": "agreementId: a payment plan or settlement of this debtor (createAgreement) / un convenio del deudor",
    "settlement": "agreementId: a SETTLEMENT agreement of this debtor / un convenio de liquidación del deudor",
    "promise": "this debtor has no pending promise to pay / el deudor no tiene promesas de pago pendientes",
    "received": "this debtor has no recorded payment / el deudor no tiene pagos registrados",
    "address": "this debtor has no postal address for a letter / el deudor no tiene dirección postal",
    "neutralName": "draftingProfile.neutralName: a US voicemail must be a limited-content message, which names "
    "the business with a name that does not reveal debt collection (12 CFR 1006.2(j)(1)(i)); set neutralName "
    "with setDraftingProfile / falta el nombre comercial neutro (neutralName) para mensajes de voz en EE. UU.",
}


def notice_values(data: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """The render values of a US validation notice (``validation``), checked (BadInput naming a missing or
    inconsistent field)."""
    facts = validation_facts(data)
    return validation_values(
        facts,
        money=lambda amount: format_money(amount, facts.currency, locale),
        day=lambda d: format_day(d, locale),
    )


def _check_needs(needs: frozenset[str], data: Mapping[str, Any]) -> None:
    for need in sorted(needs):
        if need == "validation":
            continue  # checked field by field when the notice's values are made
        if need == "neutralName":
            if not (data.get("agency") or {}).get("neutral_name"):
                raise BadInput(_NEEDS[need], [FieldError("draftingProfile.neutralName", _NEEDS[need])])
            continue
        if not data.get(need):
            raise BadInput(_NEEDS.get(need, need))


def draft_message(
    request: DraftRequest,
    data: Mapping[str, Any],
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
) -> Draft:
    """The template draft (see the module doc). ``data`` has the shape of a samples.json debtor."""
    jurisdiction = data["jurisdiction"]
    template = catalog.find(
        request.purpose, request.channel, jurisdiction
    )  # BadInput: channel can't carry it
    decision = evaluate_contact(
        ContactRequest(channel=request.channel, at=now), facts, interactions, packs, now
    )
    blocking = [h for h in decision.violations if h.code in BLOCKING_CODES]
    if blocking:
        raise Refusal(
            "contact not allowed on this channel / contacto no permitido por este canal: "
            + "; ".join(f"{h.code.value}: {h.message}" for h in blocking),
            blocking,
            decision,
        )
    _check_needs(template.requires, data)
    if request.channel is Channel.LETTER and not data.get("addresses"):
        raise BadInput(_NEEDS["address"])
    first = is_first_contact(request.purpose, interactions)
    values, out = _rendered(catalog, template, request, jurisdiction, first, data, destinations)
    values = dict(values)  # the memo's entry is shared: each draft gets its own top-level dict
    allowed_urls = [*allowed_urls, *template.public_urls]
    if values["validation"] is not None:
        disputes = values["validation"]["disputes_online"]
        if disputes and disputes.startswith("https://"):
            allowed_urls.append(disputes)  # the tenant's own dispute page, from its profile
    report = check_draft(
        out,
        request,
        jurisdiction=jurisdiction,
        first=first,
        facts=facts,
        destinations=destinations,
        packs=packs,
        allowed_urls=allowed_urls,
        allowed_numbers=allowed_numbers,
        tenant_overlay=tenant_overlay,
    )
    if not report.compliant:
        raise DraftFailed(
            _blame(out.content, report, template, values)
            + f"template {template.id} ({template.file}@{template.version}) failed the compliance check for "
            f"{jurisdiction}: " + "; ".join(f"{h.rule_id} {h.code.value}" for h in report.violations),
            report,
        )
    return Draft(
        channel=request.channel,
        text=out.text,
        subject=out.subject,
        body=out.body if out.body is not None else out.text,
        template=template,
        jurisdiction=jurisdiction,
        language=request.language,
        register=request.register,
        locale=values["_locale"],
        first_contact=first,
        compliance=report,
        destinations=values["_filled"],
        sms=sms_length(out.text) if request.channel is Channel.SMS else None,
        contact=decision,
        contact_warnings=[h for h in decision.violations if h.code not in BLOCKING_CODES]
        + list(decision.warnings),
        values=values,
        required_sentences=out.blocks,
    )


def _render_values(
    catalog: Catalog,
    template: Template,
    request: DraftRequest,
    jurisdiction: str,
    first: bool,
    data: Mapping[str, Any],
    destinations: Sequence[Destination],
) -> tuple[dict[str, Any], Rendered]:
    """Format the debtor's values and render the template (BadInput when a notice's facts do not hold)."""
    if "validation" in template.requires:  # a validation notice is about one debt: its amount, its payment
        data = {**data, "accounts": data["accounts"][:1]}
    values = format_values(data, request.language, destinations)
    if "validation" in template.requires:
        values["validation"] = notice_values(data, values["_locale"])
    out = render(
        catalog,
        template,
        channel=request.channel,
        language=request.language,
        register=request.register,
        jurisdiction=jurisdiction,
        first_contact=first,
        values=values,
    )
    return values, out


def _rendered(
    catalog: Catalog,
    template: Template,
    request: DraftRequest,
    jurisdiction: str,
    first: bool,
    data: Mapping[str, Any],
    destinations: Sequence[Destination],
) -> tuple[dict[str, Any], Rendered]:
    """``_render_values``, remembered per catalog (an immutable set of template versions) and exact inputs.

    The values and the text are a pure function of the template, the request (channel, purpose, language,
    register), the jurisdiction, first contact, the debtor's data as drafted (``data``: every value read
    from the database this request, the date, the sender) and the destinations; the key holds all of them
    (``data`` as canonical JSON), so a hit is exactly what rendering would give. Data that is not plain
    JSON (a test's Decimal...) is rendered every time. A failed render (a notice whose facts do not add
    up) is never kept: it fails again, with the same error, on every request."""
    try:
        canonical = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _render_values(catalog, template, request, jurisdiction, first, data, destinations)
    key = (
        template.id,
        template.version,
        request.channel,
        request.purpose,
        request.language,
        request.register,
        jurisdiction,
        first,
        tuple(destinations),
        canonical,
    )
    memo = catalog.memo
    hit = memo.get(key)
    if hit is not None:
        memo.move_to_end(key)
        return hit
    found = _render_values(catalog, template, request, jurisdiction, first, data, destinations)
    memo[key] = found
    if len(memo) > RENDER_MEMO_SIZE:
        memo.popitem(last=False)
    return found


RENDER_MEMO_SIZE = 1024  # entries of a few KB each


def _blame(content: str, report: ComplianceReport, template: Template, values: Mapping[str, Any]) -> str:
    """The tenant's data a violation lies in, when it does: a neutral name that reveals collection."""
    name = values["agency"].get("neutral_name")
    if "neutralName" not in template.requires or not name:
        return ""
    at = content.find(name)
    spans = [h.span for h in report.violations if h.span is not None]
    if at >= 0 and any(sp.start < at + len(name) and at < sp.end for sp in spans):
        return (
            f"draftingProfile.neutralName: {name!r} reveals debt collection, which the business name of a "
            "limited-content voicemail must not (12 CFR 1006.2(j)(1)(i)) / el nombre neutro revela la cobranza; "
        )
    return ""


def check_draft(
    out: Rendered,
    request: DraftRequest,
    *,
    jurisdiction: str,
    first: bool,
    facts: DebtorFacts,
    destinations: Sequence[Destination],
    packs: PackRegistry,
    allowed_urls: Sequence[str] = (),
    allowed_numbers: Sequence[str] = (),
    tenant_overlay: Mapping[str, Any] | None = None,
) -> ComplianceReport:
    """A whole message (subject and body) checked as a MESSAGE, with the registered destinations.

    The verdict is a pure function of the text, the check's parameters and the rule packs, so it is kept in
    a small per-process cache: the same draft asked for again (the same debtor, purpose and day) is not read
    twice. The key holds the resolved packs by identity and the entry keeps them alive, so a tenant overlay
    or another pack set never shares an entry."""
    whole = out.content
    resolved = tuple(packs.resolve(jurisdiction, facts.addresses)) if tenant_overlay is None else None
    key = None
    if resolved is not None:
        key = (
            whole,
            request.channel.value,
            request.language,
            jurisdiction,
            first,
            facts.time_barred,
            tuple(id(p) for p in resolved),
            tuple((d.id, d.account, d.url) for d in destinations),
            tuple(allowed_urls),
            tuple(allowed_numbers),
        )
        hit = _CHECKED.get(key)
        if hit is not None:
            _CHECKED.move_to_end(key)
            return hit[0]
    report = check_with_destinations(
        whole,
        registered_destinations=destinations,
        packs=packs,
        jurisdiction=jurisdiction,
        allowed_urls=allowed_urls,
        allowed_numbers=allowed_numbers,
        channel=request.channel,
        language=request.language,
        is_first_contact=first,
        time_barred=facts.time_barred,
        addresses=facts.addresses,
        tenant_overlay=tenant_overlay,
    )
    if key is not None:
        _CHECKED[key] = (report, resolved)
        if len(_CHECKED) > CHECK_CACHE_SIZE:
            _CHECKED.popitem(last=False)
    return report


CHECK_CACHE_SIZE = 4096
_CHECKED: OrderedDict[tuple[Any, ...], tuple[ComplianceReport, Any]] = OrderedDict()
