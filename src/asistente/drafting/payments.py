"""Where to pay: a tenant's official payment destinations, and finding unregistered ones in a text.

A tenant registers, per currency, the only places a debtor may pay into (schema/payment-destinations.schema.json):

- ``BANK_TRANSFER``: an account of the creditor or the agency, named by its holder, with the reference the
  debtor must quote. The account number is checked where the scheme has check digits: CLABE (MX, 18
  digits, weights 3-7-1), CBU (AR, 22 digits, two check digits), CCI (PE, 20 digits, two check digits) and
  IBAN (ES and others, ISO 13616 mod-97). ``ACCOUNT`` is a plain account number (CL, CO, US), no checksum.
- ``PAYMENT_LINK``: a URL template of a payment provider (Mercado Pago, PSE via Wompi, Khipu, SPEI, Bizum,
  Stripe, PayPal...) filled with ``{reference}`` (required) and ``{amount}`` (optional).

A destination without a ``{reference}`` placeholder is refused: a payment nobody can match to the account
is as bad as no payment. Everything here is pure: plain values in, plain values out.

``unregistered_destinations(text, registered)`` finds in a text (a draft, an LLM output, an agent's line)
every payment destination that is not one of the tenant's: an account number that validates as a CLABE,
CBU, CCI or IBAN, a long digit run next to payment words, a payment URL. Each is a ``PAYMENT_DESTINATION``
hit; the compliance check can call it with the tenant's destinations (``check_with_destinations``).

``tenant_guard(settings)`` is the same check for any text a tenant's people write or say (checkCompliance,
an agent's line in a live call): the tenant's registered destinations (every currency) plus its own web
site, dispute page and phone (``allowed_*``); ``None`` when the tenant registered no destination, and then
nothing is added (the text is checked as before). ``guard_report`` adds its hits to a compliance report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

from asistente.compliance import ComplianceReport, PackRegistry, RuleHit, Span, check_text
from asistente.enums import ViolationCode
from asistente.errors import BadInput, FieldError
from asistente.money import check_currency, format_amount
from asistente.schemas import json_path, validator

__all__ = [
    "DESTINATIONS_KEY",
    "SCHEMA",
    "Destination",
    "DestinationGuard",
    "PaymentDestinations",
    "cbu_valid",
    "cci_valid",
    "check_with_destinations",
    "clabe_valid",
    "guard_report",
    "iban_valid",
    "parse_destinations",
    "tenant_guard",
    "unregistered_destinations",
]

DESTINATIONS_KEY = "paymentDestinations"  # where a tenant's settings keep its destinations document
PROFILE_KEY = "draftingProfile"  # asistente.drafting.profile.PROFILE_KEY (its web site, phone, dispute page)
SCHEMA = "payment-destinations.schema.json"
MAX_DESTINATIONS = 50

LINK_PROVIDERS = ("MERCADO_PAGO", "WOMPI_PSE", "KHIPU", "SPEI", "BIZUM", "STRIPE", "PAYPAL", "OTHER")
ACCOUNT_SCHEMES = ("CLABE", "CBU", "CCI", "IBAN", "ACCOUNT")


# --------------------------------------------------------------------------------------------- check digits


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


def clabe_valid(value: str) -> bool:
    """Mexican CLABE: 18 digits, the last is (10 - sum(d_i * w_i mod 10) mod 10) mod 10, w = 3,7,1..."""
    v = _digits(value)
    if not re.fullmatch(r"\d{18}", v):
        return False
    weights = (3, 7, 1) * 6
    total = sum((int(d) * weights[i]) % 10 for i, d in enumerate(v[:17]))
    return (10 - total % 10) % 10 == int(v[17])


def _cbu_block(block: str, weights: Sequence[int]) -> bool:
    total = sum(int(d) * w for d, w in zip(block[:-1], weights, strict=True))
    return (10 - total % 10) % 10 == int(block[-1])


def cbu_valid(value: str) -> bool:
    """Argentine CBU: 22 digits in two blocks (bank+branch+check, account+check), BCRA weights."""
    v = _digits(value)
    if not re.fullmatch(r"\d{22}", v):
        return False
    return _cbu_block(v[:8], (7, 1, 3, 9, 7, 1, 3)) and _cbu_block(
        v[8:], (3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3)
    )


def _cci_digit(block: str) -> int:
    # Each digit times 1, 2, 1, 2... from the left; a two-digit product counts its digits' sum.
    total = 0
    for i, d in enumerate(block):
        p = int(d) * (1 if i % 2 == 0 else 2)
        total += p - 9 if p > 9 else p
    return (10 - total % 10) % 10


def cci_valid(value: str) -> bool:
    """Peruvian CCI: 20 digits = bank(3) office(3) account(12) and two check digits, the first over
    bank+office, the second over the account (ASBANC algorithm)."""
    v = _digits(value)
    if not re.fullmatch(r"\d{20}", v):
        return False
    return _cci_digit(v[:6]) == int(v[18]) and _cci_digit(v[6:18]) == int(v[19])


def iban_valid(value: str) -> bool:
    """ISO 13616 IBAN: country, two check digits, BBAN; valid when the rearranged number mod 97 is 1."""
    v = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", v):
        return False
    rearranged = v[4:] + v[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


_CHECKERS = {"CLABE": clabe_valid, "CBU": cbu_valid, "CCI": cci_valid, "IBAN": iban_valid}


# --------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Destination:
    """One official place to pay, for one currency."""

    id: str
    currency: str
    kind: str  # BANK_TRANSFER | PAYMENT_LINK
    label: str | None = None
    # BANK_TRANSFER
    bank: str | None = None
    holder: str | None = None
    scheme: str | None = None  # CLABE | CBU | CCI | IBAN | ACCOUNT
    account: str | None = None
    holder_tax_id: str | None = None
    reference: str | None = None  # template with {reference}
    # PAYMENT_LINK
    provider: str | None = None
    url: str | None = None  # template with {reference} and optionally {amount}
    # a provider that creates single-use links through its API (drafting.links)
    dynamic: bool = False

    def fill_reference(self, reference: str) -> str:
        return (self.reference or "{reference}").replace("{reference}", reference)

    def fill_url(self, reference: str, amount: Decimal | None) -> str:
        assert self.url is not None
        url = self.url.replace("{reference}", quote(reference, safe=""))
        if "{amount}" in url:
            # Always the currency's minor units ("24001.00", CLP "24001"), whatever the database returned.
            url = url.replace("{amount}", "" if amount is None else format_amount(amount, self.currency))
        return url

    def url_prefix(self) -> str:
        """What every filled link of this destination starts with (the template before its first slot)."""
        assert self.url is not None
        return self.url.split("{", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False)}


@dataclass(frozen=True)
class PaymentDestinations:
    """A tenant's registered destinations (an empty set when none are registered)."""

    destinations: tuple[Destination, ...] = ()
    version: str | None = None

    def for_currency(self, currency: str) -> list[Destination]:
        return [d for d in self.destinations if d.currency == currency]

    def __bool__(self) -> bool:
        return bool(self.destinations)


@dataclass(frozen=True)
class FilledDestination:
    """A destination filled for one debtor: what a draft shows."""

    destination: Destination
    reference: str
    amount: Decimal | None
    url: str | None = None
    lines: dict[str, str] = field(default_factory=dict)  # language -> one line of text

    def to_dict(self) -> dict[str, Any]:
        d = self.destination
        out: dict[str, Any] = {
            "id": d.id,
            "kind": d.kind,
            "currency": d.currency,
            "reference": self.reference,
        }
        if d.kind == "BANK_TRANSFER":
            out.update(bank=d.bank, holder=d.holder, scheme=d.scheme, account=d.account)
        else:
            out.update(provider=d.provider, url=self.url)
        return out


def parse_destinations(document: Any, origin: str = "payment destinations") -> PaymentDestinations:
    """Validate a tenant's destinations document against the schema and the check digits. Raises
    BadInput naming the JSON path and the reason."""
    errors = sorted(validator(SCHEMA).iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        e = _specific(errors[0])
        where = json_path(e.absolute_path)
        raise BadInput(f"{origin}: {where}: {e.message}", [FieldError(where, e.message)])
    out: list[Destination] = []
    seen: set[str] = set()
    for i, raw in enumerate(document["destinations"]):
        where = f"destinations[{i}]"
        try:
            check_currency(raw["currency"])
        except BadInput as exc:
            raise BadInput(f"{origin}: {where}.currency: {exc.message}") from None
        if raw["id"] in seen:
            raise BadInput(f"{origin}: {where}.id: {raw['id']!r} is used twice")
        seen.add(raw["id"])
        if raw["kind"] == "BANK_TRANSFER":
            scheme = raw["scheme"]
            account = (
                _digits(raw["account"]) if scheme != "IBAN" else re.sub(r"\s", "", raw["account"]).upper()
            )
            checker = _CHECKERS.get(scheme)
            if checker is not None and not checker(account):
                raise BadInput(
                    f"{origin}: {where}.account: not a valid {scheme} (check digits do not match) / "
                    f"no es una {scheme} válida (los dígitos de control no coinciden)",
                    [FieldError(f"{where}.account", f"invalid {scheme}")],
                )
            if "{reference}" not in raw["reference"]:
                raise BadInput(
                    f"{origin}: {where}.reference: the template must contain {{reference}} so the payment "
                    "can be matched to the account / la referencia debe contener {reference}",
                    [FieldError(f"{where}.reference", "missing {reference}")],
                )
            out.append(
                Destination(
                    id=raw["id"],
                    currency=raw["currency"],
                    kind="BANK_TRANSFER",
                    label=raw.get("label"),
                    bank=raw["bank"],
                    holder=raw["holder"],
                    scheme=scheme,
                    account=account,
                    holder_tax_id=raw.get("holderTaxId"),
                    reference=raw["reference"],
                )
            )
        else:
            url = raw["url"]
            if "{reference}" not in url:
                raise BadInput(
                    f"{origin}: {where}.url: the link template must contain {{reference}} (and may contain "
                    "{amount}) / la plantilla del enlace debe contener {reference}",
                    [FieldError(f"{where}.url", "missing {reference}")],
                )
            slots = set(re.findall(r"\{([^{}]*)\}", url))
            if slots - {"reference", "amount"}:
                raise BadInput(
                    f"{origin}: {where}.url: unknown placeholder(s) {sorted(slots - {'reference', 'amount'})}; "
                    "only {reference} and {amount}"
                )
            parts = urlsplit(url.replace("{reference}", "R").replace("{amount}", "1"))
            if parts.scheme != "https" or not parts.hostname or "{" in url.split("//", 1)[1].split("/", 1)[0]:
                raise BadInput(f"{origin}: {where}.url: an https URL with a fixed host")
            out.append(
                Destination(
                    id=raw["id"],
                    currency=raw["currency"],
                    kind="PAYMENT_LINK",
                    label=raw.get("label"),
                    provider=raw["provider"],
                    url=url,
                    dynamic=bool(raw.get("dynamic", False)),
                )
            )
    return PaymentDestinations(tuple(out), document.get("version"))


@lru_cache(maxsize=256)
def _parsed(canonical: bytes) -> PaymentDestinations:
    return parse_destinations(orjson.loads(canonical))


def stored_destinations(document: Any) -> PaymentDestinations:
    """A tenant's stored document, parsed once per process and content (it was validated when set)."""
    if not document:
        return PaymentDestinations()
    return _parsed(orjson.dumps(document, option=orjson.OPT_SORT_KEYS))


def _specific(error: Any) -> Any:
    """For a destination that matches neither kind, the error of the kind it says it is."""
    if error.validator == "oneOf" and isinstance(error.instance, dict) and error.context:
        branch = 0 if error.instance.get("kind") == "BANK_TRANSFER" else 1
        mine = [c for c in error.context if c.relative_schema_path and c.relative_schema_path[0] == branch]
        if mine:
            return max(mine, key=lambda c: len(list(c.absolute_path)))
    return error


def fill(
    destinations: Iterable[Destination],
    *,
    reference: str,
    amount: Decimal | None,
    links: Mapping[str, str] | None = None,
) -> list[FilledDestination]:
    """Fill each destination for one debtor. ``links`` maps a destination id to a single-use link already
    created through the provider's API (it replaces the template link)."""
    out: list[FilledDestination] = []
    for d in destinations:
        if d.kind == "BANK_TRANSFER":
            ref = d.fill_reference(reference)
            account = d.account or ""
            es = f"Transferencia a {d.bank}, {d.scheme} {account}, titular {d.holder}, referencia {ref}"
            en = (
                f"Bank transfer to {d.bank}, {d.scheme} {account}, account holder {d.holder}, reference {ref}"
            )
            out.append(FilledDestination(d, ref, amount, None, {"es": es, "en": en}))
        else:
            url = (links or {}).get(d.id) or d.fill_url(reference, amount)
            name = _PROVIDER_NAMES.get(d.provider or "", d.label or "")
            es = f"Pago en línea{f' ({name})' if name else ''}: {url}"
            en = f"Pay online{f' ({name})' if name else ''}: {url}"
            out.append(FilledDestination(d, reference, amount, url, {"es": es, "en": en}))
    return out


_PROVIDER_NAMES = {
    "MERCADO_PAGO": "Mercado Pago",
    "WOMPI_PSE": "PSE",
    "KHIPU": "Khipu",
    "SPEI": "SPEI",
    "BIZUM": "Bizum",
    "STRIPE": "Stripe",
    "PAYPAL": "PayPal",
}


# --------------------------------------------------------------------------------------------- detection

_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'«»“”]+", re.I)
# Bare payment-provider handles and short links without a scheme.
_HANDLE_RE = re.compile(
    r"\b(?:paypal\.me|mpago\.la|link\.mercadopago\.com(?:\.[a-z]{2})?|buy\.stripe\.com|cash\.app|venmo\.com|"
    r"khipu\.com|checkout\.wompi\.co)/[^\s<>\"'«»“”]+",
    re.I,
)
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
# A run of digits (with single spaces, dots or dashes between groups) long enough to be an account.
_DIGITS_RE = re.compile(r"(?<![\w+])\d(?:[ .-]?\d){9,25}(?!\w)")
_PAY_WORDS = re.compile(
    r"\b(cuenta|cta|clabe|cbu|cvu|cci|iban|alias|transfer\w*|deposit\w*|consign\w*|abon\w*|gir[ae]\w*|"
    r"yape\w*|plin\w*|nequi|daviplata|bizum|zelle|venmo|paypal|account|routing|wire|pay\w*|pag\w*)\b",
    re.I,
)
_NEAR = 40  # characters before a digit run searched for payment words


# Hosts of payment providers and wallets: a link to one of them is a payment link wherever it appears.
_PAY_HOSTS = re.compile(
    r"^(?:[\w-]+\.)*(?:mercadopago\.com(?:\.[a-z]{2})?|mpago\.la|mpago\.li|stripe\.com|paypal\.(?:com|me)|"
    r"wompi\.co|khipu\.com|bizum\.es|cash\.app|venmo\.com|zelle\w*\.com|payu\.\w+|kushki\w*\.com|"
    r"flow\.cl|webpay\w*\.cl|transbank\.cl|niubiz\.com\.pe|culqi\.com|yape\.com\.pe|nequi\.com\.co|"
    r"daviplata\.com|redsys\.es|ualabis\.com\.ar|uala\.com\.ar|modo\.com\.ar|clip\.mx|conekta\.(?:com|io)|"
    r"openpay\.mx|spei\w*\.\w+)(?:[/?#:]|$)",
    re.I,
)


def _starts(norm: str, prefix: str) -> bool:
    """``norm`` begins with ``prefix`` at a boundary: "site.example/x" starts like "site.example", but
    "site.example.evil.com" does not."""
    if not norm.startswith(prefix):
        return False
    return len(norm) == len(prefix) or prefix[-1] in "/?#=&" or norm[len(prefix)] in "/?#:"


def _payment_like(text: str, start: int, norm: str) -> bool:
    """A URL that reads as a way to pay: a payment provider's host, payment words in the URL, or
    payment words just before it."""
    return bool(
        _PAY_HOSTS.match(norm)
        or _PAY_WORDS.search(re.sub(r"[/?#=&._-]+", " ", norm))
        or _PAY_WORDS.search(text[max(0, start - _NEAR) : start])
    )


def _norm_url(url: str) -> str:
    u = url.rstrip(".,;:!?)]}")
    u = re.sub(r"^https?://", "", u, flags=re.I)
    u = re.sub(r"^www\.", "", u, flags=re.I)
    return u.lower()


def unregistered_destinations(
    text: str,
    registered: Iterable[Destination],
    *,
    allowed_urls: Iterable[str] = (),
    allowed_numbers: Iterable[str] = (),
    legal_source: str | None = None,
    rule_id: str = "PAYMENT-DESTINATION",
    payment_links_only: bool = False,
) -> list[RuleHit]:
    """Every payment destination in ``text`` that is not registered: PAYMENT_DESTINATION hits with spans.

    Registered means: an account number of a BANK_TRANSFER destination, or a URL that starts like a
    PAYMENT_LINK destination's template. ``allowed_urls`` are the tenant's other URLs (web site, opt-out
    page) and ``allowed_numbers`` digit runs that are not accounts (phone numbers, account references).
    A draft (a template or an LLM's text) may carry no other URL at all; a free text (``payment_links_only``:
    checkCompliance, an agent's line) is flagged for a URL only when it reads as a way to pay (a payment
    provider's host, payment words in it or just before it), so citing a regulator's site is not a hit.
    """
    regs = list(registered)
    accounts = {re.sub(r"[\s.-]", "", d.account or "").upper() for d in regs if d.account}
    prefixes = [_norm_url(d.url_prefix()) for d in regs if d.url]
    allowed = [_norm_url(u) for u in allowed_urls if u]
    numbers = {re.sub(r"\D", "", n) for n in allowed_numbers if n}
    numbers.discard("")
    hits: list[RuleHit] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, es: str, en: str) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        quote_ = text[start:end]
        hits.append(
            RuleHit(
                rule_id=rule_id,
                code=ViolationCode.PAYMENT_DESTINATION,
                message=f"{es}: «{quote_}» / {en}: “{quote_}”",
                legal_source=legal_source,
                span=Span(start, end),
            )
        )

    for rx in (_URL_RE, _HANDLE_RE):
        for m in rx.finditer(text):
            raw = m.group(0).rstrip(".,;:!?)]}")
            norm = _norm_url(raw)
            if any(_starts(norm, p) for p in prefixes) or any(_starts(norm, a) for a in allowed):
                taken.append((m.start(), m.start() + len(raw)))
                continue
            if payment_links_only and rx is _URL_RE and not _payment_like(text, m.start(), norm):
                taken.append((m.start(), m.start() + len(raw)))
                continue
            add(
                m.start(),
                m.start() + len(raw),
                "Enlace de pago no registrado por la empresa",
                "Payment link not registered by the company",
            )
    for m in _IBAN_RE.finditer(text):
        value = re.sub(r"\s", "", m.group(0))
        if iban_valid(value) and value not in accounts:
            add(
                m.start(),
                m.end(),
                "IBAN no registrado como cuenta oficial",
                "IBAN not registered as an official account",
            )
        elif value in accounts:
            taken.append((m.start(), m.end()))
    for m in _DIGITS_RE.finditer(text):
        value = re.sub(r"\D", "", m.group(0))
        if (
            value in accounts
            or value in numbers
            or any(value in n or n in value for n in numbers if len(n) >= 8)
        ):
            continue
        scheme = next((s for s, ok in _CHECKERS.items() if s != "IBAN" and ok(value)), None)
        near = _PAY_WORDS.search(text[max(0, m.start() - _NEAR) : m.start()])
        if scheme is None and near is None:
            continue
        what_es = f"{scheme} no registrada como cuenta oficial" if scheme else "Cuenta de pago no registrada"
        what_en = (
            f"{scheme} not registered as an official account" if scheme else "Unregistered payment account"
        )
        add(m.start(), m.end(), what_es, what_en)
    hits.sort(key=lambda h: h.span.start if h.span else -1)
    return hits


def check_with_destinations(
    text: str,
    *,
    registered_destinations: Iterable[Destination] | None,
    packs: PackRegistry,
    jurisdiction: str,
    allowed_urls: Iterable[str] = (),
    allowed_numbers: Iterable[str] = (),
    **check_kwargs: Any,
) -> ComplianceReport:
    """``check_text`` plus the tenant's registered destinations: with ``registered_destinations`` (None =
    not known, skip), every unregistered payment destination in the text is a PAYMENT_DESTINATION
    violation, with the legal source of the jurisdiction's payment rule."""
    report = check_text(text, packs=packs, jurisdiction=jurisdiction, **check_kwargs)
    if registered_destinations is None:
        return report
    source = _payment_rule_source(packs, jurisdiction, check_kwargs.get("addresses", ()))
    extra = unregistered_destinations(
        text,
        registered_destinations,
        allowed_urls=allowed_urls,
        allowed_numbers=allowed_numbers,
        legal_source=source,
    )
    return _merged(report, extra)


def _merged(report: ComplianceReport, extra: Sequence[RuleHit]) -> ComplianceReport:
    if not extra:
        return report
    violations = sorted(
        [*report.violations, *extra], key=lambda h: (h.span.start if h.span else -1, h.rule_id)
    )
    return ComplianceReport(
        compliant=False, violations=violations, warnings=report.warnings, pack_version=report.pack_version
    )


@dataclass(frozen=True)
class DestinationGuard:
    """What any text of a tenant is checked against: its registered destinations (all currencies) and
    the addresses and numbers of its own that are not payment destinations."""

    registered: tuple[Destination, ...]
    allowed_urls: tuple[str, ...] = ()
    allowed_numbers: tuple[str, ...] = ()
    version: str | None = None

    def key(self) -> tuple[Any, ...]:
        """Everything the hits depend on (for caches of verdicts)."""
        return (
            tuple((d.id, d.account, d.url) for d in self.registered),
            self.allowed_urls,
            self.allowed_numbers,
        )

    def allowing(self, urls: Iterable[str] = (), numbers: Iterable[str] = ()) -> DestinationGuard:
        """The same guard with more of the tenant's own addresses or numbers (a debtor's account
        references and phones, for a text about that debtor)."""
        more_urls = tuple(u for u in urls if u and u not in self.allowed_urls)
        more_numbers = tuple(n for n in numbers if n and n not in self.allowed_numbers)
        if not more_urls and not more_numbers:
            return self
        return DestinationGuard(
            self.registered,
            self.allowed_urls + more_urls,
            self.allowed_numbers + more_numbers,
            self.version,
        )


def tenant_guard(
    settings: Mapping[str, Any] | None, public_urls: Iterable[str] = ()
) -> DestinationGuard | None:
    """The guard of a tenant's settings as stored, or None when it registered no destination (then no
    text is checked for destinations: nothing is known to compare with). ``public_urls``: fixed public
    addresses a text may cite (the templates' ``publicUrls``, e.g. the CFPB's site)."""
    if not isinstance(settings, Mapping):
        return None
    destinations = stored_destinations(settings.get(DESTINATIONS_KEY))
    if not destinations:
        return None
    profile = settings.get(PROFILE_KEY)
    profile = profile if isinstance(profile, Mapping) else {}
    own = [profile.get("website"), profile.get("electronicDisputes")]
    urls = tuple(dict.fromkeys(u for u in (*own, *public_urls) if isinstance(u, str) and u))
    numbers = tuple(n for n in (profile.get("phone"),) if isinstance(n, str) and n)
    return DestinationGuard(destinations.destinations, urls, numbers, destinations.version)


def guard_report(
    report: ComplianceReport,
    text: str,
    guard: DestinationGuard | None,
    *,
    packs: PackRegistry,
    jurisdiction: str,
    addresses: Sequence[Mapping[str, Any]] = (),
) -> ComplianceReport:
    """``report`` plus a PAYMENT_DESTINATION violation (span, the jurisdiction's legal source) for every
    payment destination in ``text`` the guard does not know; ``report`` itself when ``guard`` is None."""
    if guard is None:
        return report
    extra = unregistered_destinations(
        text,
        guard.registered,
        allowed_urls=guard.allowed_urls,
        allowed_numbers=guard.allowed_numbers,
        legal_source=_payment_rule_source(packs, jurisdiction, addresses),
        payment_links_only=True,
    )
    return _merged(report, extra)


def _payment_rule_source(
    packs: PackRegistry, jurisdiction: str, addresses: Sequence[Mapping[str, Any]]
) -> str | None:
    try:
        for pack in packs.resolve(jurisdiction, addresses):
            for rule in pack.rules:
                if rule.code == ViolationCode.PAYMENT_DESTINATION:
                    return rule.source
    except BadInput:
        return None
    return None


def amount_text(amount: Decimal, currency: str) -> str:
    return format_amount(amount, currency)
