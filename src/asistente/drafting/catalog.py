"""Message templates as data: loading, the sandboxed engine, rendering, and the start-up check.

Files: ``drafting/templates/*.json`` (schema/draft-templates.schema.json), each with a ``version``. A file
holds ``templates`` (one per purpose and group of channels, with Spanish and English text), ``blocks``
(reusable snippets: disclosures, opt-out lines, the AI notice), ``requirements`` (which blocks each
jurisdiction's law requires where) and ``layouts`` (the frame of a letter).

The engine is Jinja2's ``SandboxedEnvironment`` with ``StrictUndefined``: a template can read only the
variables of the render context (``CONTEXT_KEYS``), cannot reach Python internals, and an unknown or
missing variable is an error, never an empty string. Spanish text picks its register with
``r(usted, tú[, vos])`` (vos defaults to the tú form).

``load_catalog(packs)`` validates every file, compiles every template, refuses variables outside the
context, then renders every template for a sample debtor of every jurisdiction it serves (``samples.json``)
in each language, register, channel and first/subsequent contact, and checks each result as a whole
MESSAGE with ``compliance.check_text`` plus the payment-destination check. Any failure raises
:class:`TemplateError` naming the file, the JSON path and the reason, and the service does not start.
"""

from __future__ import annotations

import json
import os
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment

from asistente.compliance import PackRegistry, check_text
from asistente.drafting.payments import Destination, parse_destinations, unregistered_destinations
from asistente.enums import Channel, DraftPurpose, Register
from asistente.errors import BadInput
from asistente.money import minor_units
from asistente.schemas import json_path, validator

__all__ = [
    "CONTEXT_KEYS",
    "LANGUAGES",
    "Catalog",
    "Requirement",
    "Template",
    "TemplateError",
    "format_day",
    "format_money",
    "load_catalog",
    "locale_for",
]

TEMPLATE_DIR = Path(__file__).with_name("templates")
SCHEMA = "draft-templates.schema.json"
SAMPLES_FILE = "samples.json"
LANGUAGES = ("es", "en")
JURISDICTIONS = ("MX", "CO", "CL", "PE", "ES", "AR", "US")

# Every variable a template may read; the renderer always provides all of them (None when not relevant).
CONTEXT_KEYS = frozenset(
    {
        "debtor",  # {full_name, first_name, address_lines}
        "agent",  # {name}
        "agency",  # {name, phone, email, website, address, hours}
        "creditor",  # str
        "account",  # {reference, product}
        "amount",  # formatted balance
        "as_of",  # formatted date the amount was computed
        "due_date",  # formatted date or None
        "payment",  # {lines: [str], available: bool}
        "agreement",  # {kind, total, count, first_due, installments: [{number, due_date, amount}], discount}
        "promise",  # {amount, due_date}
        "received",  # {amount, date, remaining}
        "settlement",  # {amount, discount, valid_until}
        "validation",  # US validation notice (drafting.validation.validation_values) or None
        "disclosure",  # str (may be empty): the jurisdiction's required collector disclosure
        "opt_out",  # str (may be empty): how to stop messages on this channel
        "ai_notice",  # str (may be empty): that the text was written with an AI system
        "first_contact",  # bool
        "channel",  # "SMS"...
        "language",  # "es" | "en"
        "register",  # "USTED" | "TU" | "VOS"
        "today",  # formatted date
        "place_date",  # "Ciudad de México, 20 de noviembre de 2026"
        "r",  # r(usted, tu, vos=None)
        "body",  # layouts only: the rendered message
    }
)


class TemplateError(BadInput):
    """A template file that cannot be used: ``"<file>: <json path>: <reason>"``."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        self.file, self.path, self.reason = file, path, reason
        super().__init__(f"{file}: {path}: {reason}")


# --------------------------------------------------------------------------------------------- formatting


@cache
def locale_for(language: str, jurisdiction: str | None) -> str:
    """A babel locale for the language in the debtor's country (es_MX, en_US...), else the language."""
    country = (jurisdiction or "").split("-", 1)[0].upper()
    for candidate in (f"{language}_{country}", language):
        try:
            Locale.parse(candidate)
            return candidate
        except (UnknownLocaleError, ValueError):
            continue
    return "en"


@lru_cache(maxsize=8192)
def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """The amount in the locale's currency format with the ISO 4217 minor units (CLDR would round COP to
    whole pesos: $12.000 for 12,000.50 misstates what is owed)."""
    digits = minor_units(currency)
    if digits == 0:
        return format_currency(amount, currency, locale=locale, currency_digits=True)
    return format_currency(amount, currency, locale=locale, currency_digits=False)


@lru_cache(maxsize=4096)
def format_day(day: date, locale: str) -> str:
    return format_date(day, format="long", locale=locale)


# --------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Text:
    body: jinja2.Template
    subject: jinja2.Template | None
    source_body: str
    source_subject: str | None


@dataclass(frozen=True)
class Template:
    id: str
    file: str
    index: int
    version: str
    purpose: DraftPurpose
    channels: frozenset[Channel]
    jurisdictions: frozenset[str]
    requires: frozenset[str]
    texts: Mapping[str, Text]  # language -> text
    whatsapp: Mapping[str, str] | None  # {name, category}
    public_urls: tuple[str, ...] = ()  # fixed public addresses the text prints (not payment destinations)
    fixed_wording: bool = False  # a model form: an LLM never rewords it

    @property
    def path(self) -> str:
        return f"$.templates[{self.index}]"


@dataclass(frozen=True)
class Requirement:
    """What a jurisdiction's law requires a message to carry, as block names."""

    jurisdictions: frozenset[str]
    source: str
    disclosure_first: str | None = None
    disclosure_subsequent: str | None = None
    opt_out: Mapping[str, str] = field(default_factory=dict)  # channel -> block
    ai_notice: str | None = None


@dataclass
class Catalog:
    templates: list[Template]
    blocks: dict[str, dict[str, Any]]  # name -> language -> template | {register: template}
    requirements: list[Requirement]
    layouts: dict[str, dict[str, jinja2.Template]]  # channel -> language -> template
    versions: dict[str, str]  # file -> version
    env: SandboxedEnvironment
    checked: int = 0  # renders checked at load
    # Drafts rendered from this catalog, by their exact inputs (compose._rendered): a catalog never changes
    # once loaded, and a new template set is a new catalog with an empty memo.
    memo: OrderedDict[tuple[Any, ...], Any] = field(default_factory=OrderedDict, repr=False, compare=False)

    _found: dict[tuple[DraftPurpose, Channel, str], Template] = field(
        default_factory=dict, repr=False, compare=False
    )

    def version_string(self) -> str:
        return _version_string(tuple(sorted(self.versions.items())))

    def channels_for(self, purpose: DraftPurpose) -> list[Channel]:
        found = {c for t in self.templates if t.purpose == purpose for c in t.channels}
        return [c for c in Channel if c in found]

    def find(self, purpose: DraftPurpose, channel: Channel, jurisdiction: str) -> Template:
        country = _country(jurisdiction)
        known = self._found.get((purpose, channel, country))
        if known is not None:
            return known
        for t in self.templates:
            if t.purpose == purpose and channel in t.channels and country in t.jurisdictions:
                self._found[(purpose, channel, country)] = t  # the templates never change once loaded
                return t
        carriers = self.channels_for(purpose)
        if channel not in carriers:
            raise BadInput(
                f"channel: a {purpose.value} cannot be sent by {channel.value}; it can by "
                f"{', '.join(c.value for c in carriers)} / un {purpose.value} no se envía por {channel.value}"
            )
        raise BadInput(f"jurisdiction: no {purpose.value} template for {jurisdiction} on {channel.value}")

    def requirement(self, jurisdiction: str) -> list[Requirement]:
        country = _country(jurisdiction)
        return [r for r in self.requirements if country in r.jurisdictions or "*" in r.jurisdictions]

    def frame(self, channel: Channel, language: str, ctx: Mapping[str, Any], body: str) -> str:
        """The message in its channel's layout (a letter's letterhead, address block, place and date)."""
        layout = self.layouts.get(channel.value, {}).get(language)
        return body if layout is None else tidy(layout.render({**ctx, "body": body}))

    def reframe(
        self, channel: Channel, language: str, register: Register, values: Mapping[str, Any], body: str
    ) -> str:
        ctx = context(
            values, channel=channel.value, language=language, register=register, first_contact=False
        )
        return self.frame(channel, language, ctx, body)

    def ai_notice(
        self, jurisdiction: str, language: str, register: Register, values: Mapping[str, Any]
    ) -> str:
        """The notice that a text was written with an AI system, where the jurisdiction requires one."""
        ctx = context(values, channel="", language=language, register=register, first_contact=False)
        for req in self.requirement(jurisdiction):
            if req.ai_notice:
                return self.block(req.ai_notice, language, register, ctx)
        return ""

    def block(self, name: str | None, language: str, register: Register, ctx: Mapping[str, Any]) -> str:
        if not name:
            return ""
        value = self.blocks[name][language]
        if isinstance(value, dict):
            value = value.get(register.value) or value.get("TU") or value["USTED"]
        return tidy(value.render(ctx))


@lru_cache(maxsize=64)
def _version_string(versions: tuple[tuple[str, str], ...]) -> str:
    return ",".join(f"{f}@{v}" for f, v in versions)


def _country(jurisdiction: str) -> str:
    return (jurisdiction or "").split("-", 1)[0].upper()


# --------------------------------------------------------------------------------------------- engine


def register_fn(register: Register):
    def r(usted: str, tu: str | None = None, vos: str | None = None) -> str:
        if register is Register.TU:
            return tu if tu is not None else usted
        if register is Register.VOS:
            return vos if vos is not None else (tu if tu is not None else usted)
        return usted

    return r


def make_env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    return env


def _compile(env: SandboxedEnvironment, source: str, file: str, path: str) -> jinja2.Template:
    try:
        ast = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(file, path, f"template syntax error (line {exc.lineno}): {exc.message}") from None
    unknown = meta.find_undeclared_variables(ast) - CONTEXT_KEYS
    if unknown:
        raise TemplateError(
            file,
            path,
            f"unknown variable(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(CONTEXT_KEYS))}",
        )
    return env.from_string(source)


_BLANKS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")
_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")  # "S.A. de C.V.." -> "S.A. de C.V." (an ellipsis stays)


def tidy(text: str) -> str:
    text = _DOUBLE_STOP.sub(".", _SPACES.sub(" ", text))
    return _BLANKS.sub("\n\n", _TRAILING.sub("\n", text)).strip()


# --------------------------------------------------------------------------------------------- loading


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TemplateError(path.name, "$", f"invalid JSON at line {exc.lineno}: {exc.msg}") from None


def parse_files(files: Iterable[Path]) -> Catalog:
    env = make_env()
    templates: list[Template] = []
    blocks: dict[str, dict[str, Any]] = {}
    requirements: list[Requirement] = []
    layouts: dict[str, dict[str, jinja2.Template]] = {}
    versions: dict[str, str] = {}
    ids: set[str] = set()
    for path in files:
        file = path.name
        data = _read(path)
        errors = list(validator(SCHEMA).iter_errors(data))
        if errors:
            e = max(errors, key=lambda x: len(list(x.absolute_path)))
            raise TemplateError(
                file, "$." + json_path(e.absolute_path) if e.absolute_path else "$", e.message
            )
        versions[file] = data["version"]
        for name, by_lang in (data.get("blocks") or {}).items():
            if name in blocks:
                raise TemplateError(file, f"$.blocks.{name}", "block defined twice")
            compiled: dict[str, Any] = {}
            for lang, value in by_lang.items():
                where = f"$.blocks.{name}.{lang}"
                if isinstance(value, dict):
                    compiled[lang] = {k: _compile(env, v, file, f"{where}.{k}") for k, v in value.items()}
                else:
                    compiled[lang] = _compile(env, value, file, where)
            blocks[name] = compiled
        for i, req in enumerate(data.get("requirements") or []):
            where = f"$.requirements[{i}]"
            named = [req.get("disclosureFirst"), req.get("disclosureSubsequent"), req.get("aiNotice")]
            named += list((req.get("optOut") or {}).values())
            for n in named:
                if n and n not in blocks:
                    raise TemplateError(file, where, f"unknown block {n!r}")
            requirements.append(
                Requirement(
                    jurisdictions=frozenset(req["jurisdictions"]),
                    source=req["source"],
                    disclosure_first=req.get("disclosureFirst"),
                    disclosure_subsequent=req.get("disclosureSubsequent"),
                    opt_out=dict(req.get("optOut") or {}),
                    ai_notice=req.get("aiNotice"),
                )
            )
        for channel, by_lang in (data.get("layouts") or {}).items():
            for lang, source in by_lang.items():
                layouts.setdefault(channel, {})[lang] = _compile(
                    env, source, file, f"$.layouts.{channel}.{lang}"
                )
        for i, raw in enumerate(data.get("templates") or []):
            where = f"$.templates[{i}]"
            if raw["id"] in ids:
                raise TemplateError(file, f"{where}.id", f"template id {raw['id']!r} is used twice")
            ids.add(raw["id"])
            texts: dict[str, Text] = {}
            for lang in LANGUAGES:
                t = raw["text"][lang]
                texts[lang] = Text(
                    body=_compile(env, t["body"], file, f"{where}.text.{lang}.body"),
                    subject=_compile(env, t["subject"], file, f"{where}.text.{lang}.subject")
                    if t.get("subject")
                    else None,
                    source_body=t["body"],
                    source_subject=t.get("subject"),
                )
            channels = frozenset(Channel(c) for c in raw["channels"])
            if Channel.WHATSAPP in channels and not raw.get("whatsapp"):
                raise TemplateError(
                    file,
                    where,
                    "a WHATSAPP template needs its approved template name and category (whatsapp)",
                )
            needs_subject = channels & {Channel.EMAIL}
            if needs_subject and not all(texts[lang].subject for lang in LANGUAGES):
                raise TemplateError(
                    file, f"{where}.text", "an EMAIL template needs a subject in every language"
                )
            templates.append(
                Template(
                    id=raw["id"],
                    file=file,
                    index=i,
                    version=data["version"],
                    purpose=DraftPurpose(raw["purpose"]),
                    channels=channels,
                    jurisdictions=frozenset(raw.get("jurisdictions") or JURISDICTIONS),
                    requires=frozenset(raw.get("requires") or ()),
                    texts=texts,
                    whatsapp=raw.get("whatsapp"),
                    public_urls=tuple(raw.get("publicUrls") or ()),
                    fixed_wording=bool(raw.get("fixedWording")),
                )
            )
    _check_coverage(templates, versions)
    return Catalog(templates, blocks, requirements, layouts, versions, env)


def _check_coverage(templates: Sequence[Template], versions: Mapping[str, str]) -> None:
    """Every purpose has templates, and no (purpose, channel, jurisdiction) is served twice."""
    seen: dict[tuple[str, str, str], Template] = {}
    for t in templates:
        for c in t.channels:
            for j in t.jurisdictions:
                key = (t.purpose.value, c.value, j)
                if key in seen:
                    raise TemplateError(
                        t.file,
                        t.path,
                        f"{key} is also served by template {seen[key].id!r} ({seen[key].file})",
                    )
                seen[key] = t
    missing = {p.value for p in DraftPurpose} - {t.purpose.value for t in templates}
    if missing and templates:
        raise TemplateError(",".join(sorted(versions)), "$.templates", f"no template for {sorted(missing)}")


# --------------------------------------------------------------------------------------------- render


def context(
    values: Mapping[str, Any], *, channel: str, language: str, register: Register, first_contact: bool
) -> dict[str, Any]:
    ctx = dict(values)
    ctx.update(
        disclosure="",
        opt_out="",
        ai_notice="",
        first_contact=first_contact,
        channel=channel,
        language=language,
        register=register.value,
        r=register_fn(register),
    )
    return ctx


@dataclass(frozen=True)
class Rendered:
    text: str
    subject: str | None
    blocks: tuple[str, ...] = ()  # the jurisdiction's required sentences in this text (disclosure, opt-out)
    body: str | None = None  # the message without its channel frame (a letter's letterhead and address block)

    @property
    def content(self) -> str:
        """What the compliance check reads: subject and message. A letter's frame (letterhead, the
        recipient's postal address, place and date) is addressing data, not what the message says."""
        body = self.body if self.body is not None else self.text
        return f"{self.subject}\n\n{body}" if self.subject else body


def render(
    catalog: Catalog,
    template: Template,
    *,
    channel: Channel,
    language: str,
    register: Register,
    jurisdiction: str,
    first_contact: bool,
    values: Mapping[str, Any],
    ai_written: bool = False,
) -> Rendered:
    """Render one template with the jurisdiction's required blocks. ``values`` are the debtor's (formatted)."""
    ctx = context(
        values, channel=channel.value, language=language, register=register, first_contact=first_contact
    )
    disclosure = opt_out = ai = ""
    for req in catalog.requirement(jurisdiction):
        name = req.disclosure_first if first_contact else req.disclosure_subsequent
        disclosure = disclosure or catalog.block(name, language, register, ctx)
        opt_out = opt_out or catalog.block(req.opt_out.get(channel.value), language, register, ctx)
        if ai_written:
            ai = ai or catalog.block(req.ai_notice, language, register, ctx)
    ctx.update(disclosure=disclosure, opt_out=opt_out, ai_notice=ai)
    text = template.texts[language]
    body = tidy(text.body.render(ctx))
    framed = catalog.frame(channel, language, ctx, body)
    subject = tidy(text.subject.render(ctx)) if text.subject is not None else None
    return Rendered(framed, subject, tuple(b for b in (disclosure, opt_out, ai) if b), body)


# --------------------------------------------------------------------------------------------- samples


def sample_values(sample: Mapping[str, Any], language: str) -> tuple[dict[str, Any], list[Destination]]:
    """The render values of one sample debtor (samples.json), formatted like a real draft's."""
    from asistente.drafting.compose import (
        format_values,  # one formatting path for samples and drafts
        notice_values,
    )

    destinations = list(parse_destinations(sample["paymentDestinations"], "samples.json").destinations)
    values = format_values(sample, language, destinations)
    if sample.get("itemization"):
        values["validation"] = notice_values(sample, values["_locale"])
    return values, destinations


@cache
def _samples() -> dict[str, Any]:
    return _read(TEMPLATE_DIR / SAMPLES_FILE)


def check_catalog(catalog: Catalog, packs: PackRegistry, *, verdicts_known: bool = False) -> int:
    """Render and check every template for every sample it serves; raise TemplateError on the first failure.
    ``verdicts_known``: every render is still made (an unknown variable still fails), but the compliance
    verdicts are those of an identical earlier check (see ``check_digest``)."""
    samples = _samples()["debtors"]
    count = 0
    seen: set[tuple[str, str, str, bool]] = set()
    for t in catalog.templates:
        for jurisdiction in sorted(t.jurisdictions):
            sample = samples.get(jurisdiction)
            if sample is None:
                raise TemplateError(t.file, t.path, f"no sample debtor for jurisdiction {jurisdiction}")
            for language in LANGUAGES:
                values, destinations = sample_values(sample, language)
                registers = list(Register) if language == "es" else [Register.USTED]
                for register in registers:
                    for channel in sorted(t.channels):
                        ai_cases = (
                            (False, True)
                            if any(r.ai_notice for r in catalog.requirement(sample["jurisdiction"]))
                            else (False,)
                        )
                        for first in (True, False):
                            for ai in ai_cases:
                                where = f"{t.path}.text.{language}"
                                label = (
                                    f"{jurisdiction} sample, {channel.value}, {register.value}, "
                                    f"{'first' if first else 'subsequent'} contact{', AI' if ai else ''}"
                                )
                                try:
                                    out = render(
                                        catalog,
                                        t,
                                        channel=channel,
                                        language=language,
                                        register=register,
                                        jurisdiction=sample["jurisdiction"],
                                        first_contact=first,
                                        values=values,
                                        ai_written=ai,
                                    )
                                except jinja2.UndefinedError as exc:
                                    raise TemplateError(t.file, where, f"{label}: {exc.message}") from None
                                except jinja2.TemplateError as exc:
                                    raise TemplateError(t.file, where, f"{label}: {exc}") from None
                                whole = out.content
                                key = (whole, channel.value, sample["jurisdiction"], first)
                                if key in seen:  # the same text checked the same way (registers alike)
                                    continue
                                seen.add(key)
                                count += 1
                                if verdicts_known:
                                    continue
                                report = check_text(
                                    whole,
                                    channel=channel,
                                    jurisdiction=sample["jurisdiction"],
                                    packs=packs,
                                    language=language,
                                    is_first_contact=first,
                                    addresses=tuple(sample["addresses"]),
                                )
                                hits = list(report.violations) + unregistered_destinations(
                                    whole,
                                    destinations,
                                    allowed_urls=[sample["agency"].get("website") or "", *t.public_urls],
                                    allowed_numbers=allowed_numbers(sample),
                                )
                                if hits:
                                    reasons = "; ".join(
                                        f"{h.rule_id} {h.code.value}: {h.message}" for h in hits
                                    )
                                    raise TemplateError(t.file, where, f"{label} fails compliance: {reasons}")
    return count


def allowed_numbers(sample: Mapping[str, Any]) -> list[str]:
    out = [sample["agency"].get("phone") or ""]
    out += [a["reference"] for a in sample["accounts"]]
    return [n for n in out if n]


def template_files(directory: Path | None = None) -> list[Path]:
    d = directory or TEMPLATE_DIR
    return sorted(p for p in d.glob("*.json") if p.name != SAMPLES_FILE)


def check_digest(files: Sequence[Path], packs: PackRegistry) -> str:
    """What the start-up verdicts depend on: the template files and samples, the rule packs in force (their
    content), and the compliance engine (its lexicons, text model and code) and this package's code."""
    import hashlib

    import asistente.compliance as compliance_pkg

    h = hashlib.sha256()
    for f in [*files, TEMPLATE_DIR / SAMPLES_FILE]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    for pack, overlay in packs.listing():  # canonical: reprs of frozensets vary with the hash seed
        rules = [
            [
                r.id,
                r.kind,
                r.code.value,
                r.source,
                r.severity,
                sorted(c.value for c in r.channels or ()),
                sorted(x.value for x in r.recipient_roles or ()),
                json.dumps(r.parameters, sort_keys=True, default=str),
            ]
            for r in pack.rules
        ]
        meta = [pack.jurisdiction, pack.version, pack.extends, pack.origin, pack.key, overlay]
        meta += [sorted(pack.applies_to_cities), sorted(pack.applies_to_regions)]
        h.update(json.dumps([meta, rules], default=str).encode())
    engine = Path(compliance_pkg.__file__).parent
    code = sorted(
        [*engine.glob("*.py"), *(engine / "lexicon").glob("*.json"), *Path(__file__).parent.glob("*.py")]
    )
    for f in code:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def load_catalog(
    packs: PackRegistry, directory: Path | None = None, *, cache_dir: Path | None = None
) -> Catalog:
    """Load, compile and check every template (see the module doc). Raises TemplateError.

    With ``cache_dir``, a passed check leaves a marker named by ``check_digest``; a later start with exactly
    the same templates, samples, packs and engine renders everything again but reuses the verdicts (each
    of N workers would otherwise spend seconds re-reading the same texts). Any change means a new digest,
    and a failed check leaves no marker."""
    files = template_files(directory)
    catalog = parse_files(files)
    marker = None
    if cache_dir is not None:
        marker = Path(cache_dir) / f"drafts-checked-{check_digest(files, packs)}"
    known = marker is not None and marker.is_file()
    catalog.checked = check_catalog(catalog, packs, verdicts_known=known)
    if marker is not None and not known:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            tmp = marker.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(f"{catalog.checked} renders checked\n", encoding="utf-8")
            tmp.replace(marker)
        except OSError:  # a read-only home: the check simply runs again next time
            pass
    return catalog
