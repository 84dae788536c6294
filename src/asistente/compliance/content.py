"""Content rules: map the detector's signals and elements to violations, per jurisdiction's rule pack.

The detector (``asistente.compliance.detect``, owned separately) says *what* a text contains; the packs say
*which* of those things the law of the jurisdiction forbids or requires, with the legal source. A detector
can be injected (``detector=``) so the mapping is testable on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from asistente.compliance._common import hit
from asistente.compliance.packs import PackRegistry
from asistente.compliance.textmodel import COMPANION
from asistente.compliance.types import ComplianceReport, Rule, RuleHit, Span
from asistente.enums import Channel, ComplianceContext, RecipientRole
from asistente.errors import BadInput, FieldError

__all__ = ["MAX_TEXT_CHARS", "SECOND_READER_PREFIX", "Detector", "check_text", "forbidden_signals"]

# Detections whose pattern id starts with this come from the LLM second reader (compliance.review).
SECOND_READER_PREFIX = "llm:"

MAX_TEXT_CHARS = 20_000

SIGNAL_TEXT: dict[str, tuple[str, str]] = {
    "ARREST_THREAT": ("amenaza de cárcel o arresto", "threat of arrest or jail"),
    "CRIMINAL_ACCUSATION": ("acusación de delito", "criminal accusation"),
    "SEIZURE_THREAT": ("amenaza de embargo sin orden judicial", "seizure threat without a judgment"),
    "LAWSUIT_THREAT": ("amenaza de demanda sobre una deuda prescrita", "threat to sue on a time-barred debt"),
    "FAKE_COURT_DOCUMENT": ("apariencia de documento judicial", "looks like a court document"),
    "AUTHORITY_IMPERSONATION": ("se presenta como autoridad", "impersonates an authority"),
    "INSULT": ("insulto", "insult"),
    "INTIMIDATION": ("intimidación", "intimidation"),
    "PUBLIC_SHAMING": ("exhibición pública del deudor", "public shaming"),
    "THIRD_PARTY_DISCLOSURE_THREAT": ("amenaza de avisar a terceros", "threat to tell third parties"),
    "PERMANENT_CREDIT_DAMAGE": ("afirma un daño crediticio permanente", "claims permanent credit damage"),
    "ASKING_REASON": ("pregunta por qué no pagó", "asks why the debt was not paid"),
    "PERSONAL_ACCOUNT_PAYMENT": ("pago a una cuenta personal", "payment to a personal account"),
    "FALSE_URGENCY_OR_DECEPTION": ("urgencia falsa o engaño", "false urgency or deception"),
    "CLAIMED_LAWSUIT": (
        "afirma una demanda o un proceso judicial en curso para presionar el pago",
        "claims a lawsuit or court process is under way to push for payment",
    ),
}

ELEMENT_TEXT: dict[str, tuple[str, str]] = {
    "SELF_IDENTIFICATION": ("el nombre de quien habla", "the speaker's name"),
    "COMPANY_IDENTIFICATION": ("el nombre de la empresa", "the company name"),
    "CREDITOR_IDENTIFICATION": ("el acreedor", "the creditor"),
    "DEBT_COLLECTOR_DISCLOSURE": ("que es un cobrador de deudas", "that this is a debt collector"),
    "INFO_USE_DISCLOSURE": (
        "que la información se usará para cobrar",
        "that any information obtained will be used for that purpose",
    ),
    "DEBT_MENTION": ("la deuda", "the debt"),
    "AMOUNT_MENTION": ("el importe", "the amount"),
    "OPT_OUT_INSTRUCTION": ("cómo dejar de recibir mensajes", "how to opt out"),
    "CALLBACK_REQUEST": ("la petición de devolver la llamada", "the call-back request"),
}


class Detector(Protocol):
    def detect(self, text: str, language: str | None = None) -> Sequence[Any]: ...

    def find_elements(
        self, text: str, language: str | None = None
    ) -> Mapping[str, Sequence[tuple[int, int]]]: ...


def _default_detector() -> Detector:
    from asistente.compliance import detect as real  # owned by the detector engineer; imported on first use

    return real  # type: ignore[return-value]


def _excerpt(text: str, start: int, end: int) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= 80 else piece[:77] + "..."


def check_text(
    text: str,
    *,
    channel: Channel | str,
    jurisdiction: str,
    packs: PackRegistry,
    recipient_role: RecipientRole | str = RecipientRole.DEBTOR,
    language: str | None = None,
    is_first_contact: bool = False,
    time_barred: bool = False,
    tenant_overlay: Mapping[str, Any] | None = None,
    check_required: bool = True,
    addresses: Sequence[Mapping[str, Any]] = (),
    detector: Detector | None = None,
    use_model: bool = True,
    context: ComplianceContext | str = ComplianceContext.MESSAGE,
    extra_detections: Sequence[Any] = (),
) -> ComplianceReport:
    """Check one text (message, draft, script or an utterance) against the jurisdiction's content rules.

    ``context=MESSAGE`` (default) is a whole communication: SMS, e-mail, letter, voicemail or a whole call.
    ``context=CALL_TURN`` is one line inside a call (channel CALL or VISIT only): the rules whose pack scope
    is "communication" (what the communication as a whole must contain: identification, the debt-collector
    disclosure, opt-out) are left to the call, which tracks them; every "line" rule (what a line must not
    say) still applies. ``check_required=False`` does the same for a snippet that is not a whole
    communication on any channel (a suggested answer, a draft fragment). ``addresses`` selects city
    overlays (New York City). The lexicon's signals are joined by the text model's
    (asistente.compliance.textmodel) unless ``use_model=False`` or a detector is injected. Raises BadInput
    for empty or over-long text, an unknown channel, recipient role, context or jurisdiction, and for
    CALL_TURN on a channel that is not a call. ``extra_detections`` are signals found by another reader
    (the LLM second reader, compliance.review), mapped by the packs exactly like the lexicon's.
    """
    if not isinstance(text, str) or not text.strip():
        msg = "text: empty; send the message to check / el texto está vacío"
        raise BadInput(msg, [FieldError("text", msg)])
    if len(text) > MAX_TEXT_CHARS:
        msg = (
            f"text: {len(text)} characters; the maximum is {MAX_TEXT_CHARS} / "
            f"el texto tiene {len(text)} caracteres; el máximo es {MAX_TEXT_CHARS}"
        )
        raise BadInput(msg, [FieldError("text", msg)])
    try:
        channel = Channel(channel)
    except ValueError:
        raise BadInput(f"unknown channel {channel!r}; known: {', '.join(c.value for c in Channel)}") from None
    try:
        role = RecipientRole(recipient_role)
    except ValueError:
        raise BadInput(
            f"unknown recipient role {recipient_role!r}; known: {', '.join(r.value for r in RecipientRole)}"
        ) from None
    try:
        context = ComplianceContext(context)
    except ValueError:
        msg = f"context: unknown value {context!r}; known: {', '.join(c.value for c in ComplianceContext)}"
        raise BadInput(msg, [FieldError("context", msg)]) from None
    if context is ComplianceContext.CALL_TURN:
        if channel not in (Channel.CALL, Channel.VISIT):
            msg = (
                f"context: CALL_TURN is one line inside a call; channel {channel.value} is not a call "
                f"/ CALL_TURN es una línea de una llamada; el canal {channel.value} no es una llamada"
            )
            raise BadInput(msg, [FieldError("context", msg)])
        # What the communication as a whole must contain is tracked by the call, not by each line.
        check_required = False
    registry = packs.with_overlay(tenant_overlay) if tenant_overlay else packs
    pack_list = registry.resolve(jurisdiction, addresses)
    rules = [
        r
        for p in pack_list
        for r in p.rules
        if r.applies_to(channel, role) and (check_required or r.scope != "communication")
    ]

    if detector is None:
        detections, elements = _default_signals(
            text, language, jurisdiction, channel.value, role.value, is_first_contact, time_barred, use_model
        )
    else:
        detections = list(detector.detect(text, language))
        elements = detector.find_elements(text, language)
    detections += extra_detections

    found: list[tuple[Rule, RuleHit]] = []
    companions: set[int] = set()  # ids of hits from the text model's companion findings
    for rule in rules:
        kind = rule.kind
        if kind == "forbidden_signal":
            if rule.parameters.get("onlyIfTimeBarred") and not time_barred:
                continue
            wanted = set(rule.parameters["signals"])
            for d in detections:
                if d.signal not in wanted:
                    continue
                es, en = SIGNAL_TEXT.get(d.signal, (d.signal, d.signal))
                if d.pattern_id.startswith(SECOND_READER_PREFIX):
                    es, en = f"{es} (según el segundo lector, LLM)", f"{en} (per the second reader, an LLM)"
                quote = _excerpt(text, d.start, d.end)
                h = hit(
                    rule,
                    f"{es.capitalize()}: «{quote}»",
                    f"{en.capitalize()}: “{quote}”",
                    Span(d.start, d.end),
                )
                if d.pattern_id.endswith(COMPANION):
                    companions.add(id(h))
                found.append((rule, h))
        elif kind == "required_elements":
            when = rule.parameters["when"]
            if (when == "first_contact" and not is_first_contact) or (
                when == "subsequent_contact" and is_first_contact
            ):
                continue
            gate = rule.parameters.get("onlyIfAnyElement")
            if gate and not any(elements.get(e) for e in gate):
                continue
            options = rule.parameters["anyOf"]
            if any(elements.get(e) for e in options):
                continue
            es = " o ".join(ELEMENT_TEXT[e][0] for e in options)
            en = " or ".join(ELEMENT_TEXT[e][1] for e in options)
            moment_es = "en el primer contacto" if when == "first_contact" else "en cada comunicación"
            moment_en = "in the first contact" if when == "first_contact" else "in every communication"
            found.append((rule, hit(rule, f"Falta indicar {es} {moment_es}", f"Missing {en} {moment_en}")))
        elif kind in ("forbidden_elements", "third_party_mention"):
            for element in rule.parameters["elements"]:
                for start, end in elements.get(element, ()):
                    quote = _excerpt(text, start, end)
                    es, en = ELEMENT_TEXT[element]
                    if kind == "forbidden_elements":
                        msg_es = (
                            f"Un mensaje de voz sólo puede tener contenido limitado; menciona {es}: «{quote}»"
                        )
                        msg_en = f"A voicemail may only carry limited content; it mentions {en}: “{quote}”"
                    else:
                        msg_es = f"El destinatario ({role.value}) es un tercero; no mencione {es}: «{quote}»"
                        msg_en = (
                            f"The recipient ({role.value}) is a third party; do not mention {en}: “{quote}”"
                        )
                    found.append((rule, hit(rule, msg_es, msg_en, Span(start, end))))

    if companions:
        # The model's companion findings stand only beside a content violation found without them.
        anchored = any(
            rule.kind == "forbidden_signal" and rule.severity == "violation" and id(h) not in companions
            for rule, h in found
        )
        if not anchored:
            found = [(rule, h) for rule, h in found if id(h) not in companions]
    violations: list[RuleHit] = []
    warnings: list[RuleHit] = []
    seen: set[tuple[str, str, str]] = set()
    for rule, h in sorted(found, key=lambda rh: (rh[1].span.start if rh[1].span else -1, rh[1].rule_id)):
        # The same finding from two packs (e.g. a tenant overlay repeating a law rule) is reported once;
        # findings without a span (missing elements) are distinct per rule.
        where = f"{h.span.start}:{h.span.end}" if h.span else h.rule_id
        key = (h.code.value, where, rule.severity)
        if key in seen:
            continue
        seen.add(key)
        (violations if rule.severity == "violation" else warnings).append(h)
    return ComplianceReport(
        compliant=not violations,
        violations=violations,
        warnings=warnings,
        pack_version=PackRegistry.version_string(pack_list),
    )


# What the lexicon and the text model find in a text depends only on the text and these inputs (never on
# the packs, the tenant, the debtor's addresses or the caller) and on the process's lexicon and model, which
# are loaded once: the same line said to many debtors (a script, a playbook answer, a template) is read once.
_SIGNALS: OrderedDict[tuple[Any, ...], tuple[Any, Any, tuple[Any, ...], dict[str, Any]]] = OrderedDict()
_SIGNALS_LOCK = threading.Lock()  # check_text also runs in worker threads
_SIGNALS_SIZE = 2048
_SIGNALS_MAX_TEXT = 2000  # longer texts are read every time (a memo entry holds its text)


def _default_signals(
    text: str,
    language: str | None,
    jurisdiction: str,
    channel: str,
    role: str,
    is_first_contact: bool,
    time_barred: bool,
    use_model: bool,
) -> tuple[list[Any], dict[str, list[Any]]]:
    """(detections, elements) of the default detector and (when `use_model`) the text model; memoised per
    process for identical inputs and the same lexicon and model objects. Fresh containers every call."""
    from asistente.compliance.textmodel import SIGNAL_CODE, default_model

    engine = _default_detector()
    matcher = getattr(engine, "default_matcher", None)
    lexicon = matcher() if matcher is not None else None  # the loaded lexicon (a reload is a new object)
    model = default_model() if use_model else None
    key = (text, language, jurisdiction, channel, role, is_first_contact, time_barred, use_model)
    found = _SIGNALS.get(key) if len(text) <= _SIGNALS_MAX_TEXT else None
    if found is not None and found[0][0] is engine and found[0][1] is lexicon and found[1] is model:
        with _SIGNALS_LOCK:
            if key in _SIGNALS:
                _SIGNALS.move_to_end(key)
        return list(found[2]), {k: list(v) for k, v in found[3].items()}
    detections = list(engine.detect(text, language))
    elements = engine.find_elements(text, language)
    if model is not None:
        detections += model.detections(
            text,
            skip={SIGNAL_CODE.get(d.signal) for d in detections},
            jurisdiction=jurisdiction,
            channel=channel,
            recipient_role=role,
            is_first_contact=is_first_contact,
            time_barred=time_barred,
        )
    if len(text) <= _SIGNALS_MAX_TEXT:
        entry = ((engine, lexicon), model, tuple(detections), {k: list(v) for k, v in elements.items()})
        with _SIGNALS_LOCK:
            _SIGNALS[key] = entry
            while len(_SIGNALS) > _SIGNALS_SIZE:
                _SIGNALS.popitem(last=False)
    return detections, elements


def forbidden_signals(
    *,
    channel: Channel | str,
    jurisdiction: str,
    packs: PackRegistry,
    recipient_role: RecipientRole | str = RecipientRole.DEBTOR,
    time_barred: bool = False,
    tenant_overlay: Mapping[str, Any] | None = None,
    addresses: Sequence[Mapping[str, Any]] = (),
) -> frozenset[str]:
    """The signals a violation rule of the jurisdiction's packs forbids for this channel and recipient
    (what a reader's finding can turn into a violation here)."""
    registry = packs.with_overlay(tenant_overlay) if tenant_overlay else packs
    channel, role = Channel(channel), RecipientRole(recipient_role)
    out: set[str] = set()
    for pack in registry.resolve(jurisdiction, addresses):
        for rule in pack.rules:
            if rule.kind != "forbidden_signal" or rule.severity != "violation":
                continue
            if not rule.applies_to(channel, role):
                continue
            if rule.parameters.get("onlyIfTimeBarred") and not time_barred:
                continue
            out.update(rule.parameters["signals"])
    return frozenset(out)
