"""The end of a call, as a pure function: a short summary in the agent's language, a proposed disposition
with its reasons, the objections raised, the alerts, and the debtor's promise (the last one made).

Disposition (``asistente.enums.Disposition``), first match wins, each with the reason it was chosen:
WRONG_PARTY / THIRD_PARTY (the person is not the debtor), ATTORNEY_OR_BANKRUPTCY, PAYMENT_PLAN (a
promise while a plan was discussed), PROMISE_TO_PAY, PAID (the debtor says it is paid), DISPUTE (dispute
or validation request), CALLBACK, HARDSHIP, REFUSAL, NO_COMMITMENT. A tenant maps dispositions to its
CRM's own codes (``crm_code``; the mapping is data validated against schema/disposition-map.schema.json).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from asistente.enums import Disposition, ObjectionCategory
from asistente.objections.render import format_money, locale_for

__all__ = ["CallSummary", "TurnFact", "summarise"]

CATEGORY_TEXT: dict[str, tuple[str, str]] = {
    "NO_MONEY": ("no tiene dinero", "no money"),
    "HARDSHIP": ("dificultad económica", "financial hardship"),
    "ALREADY_PAID": ("dice que ya pagó", "says it is already paid"),
    "DISPUTE": ("disputa la deuda", "disputes the debt"),
    "REQUEST_VALIDATION": ("pide validación de la deuda", "asks for validation of the debt"),
    "SEND_IN_WRITING": ("pide la información por escrito", "asks for it in writing"),
    "CALL_LATER": ("pide que se le llame después", "asks to be called later"),
    "PROMISE_TO_PAY": ("promete pagar", "promises to pay"),
    "DISCOUNT_OR_PLAN": ("pide descuento o plan de pagos", "asks for a discount or a payment plan"),
    "INTEREST_FEES": ("cuestiona intereses o cargos", "questions interest or fees"),
    "CONSEQUENCES": ("pregunta por las consecuencias", "asks about consequences"),
    "BANKRUPTCY_OR_LAWYER": ("tiene abogado o está en quiebra", "has a lawyer or is bankrupt"),
    "WRONG_PARTY": ("no es la persona buscada", "is not the person sought"),
    "REFUSAL": ("se niega a pagar", "refuses to pay"),
}

_OFFER = re.compile(
    r"\b(ofrec\w*|descuento|plan de pagos?|convenio|parcialidad\w*|mensualidad\w*|cuotas?|quita|"
    r"pagos? (?:mensual|quincenal|semanal)\w*|offer\w*|discount|payment plan|installments?|settle\w*)\b",
    re.IGNORECASE,
)
_PLAN_WORDS = re.compile(
    r"\b(plan|cuotas?|parcialidad\w*|mensualidad\w*|pagos? (?:mensual|quincenal|semanal)\w*|"
    r"installments?|monthly payments?)\b",
    re.IGNORECASE,
)
_THIRD_PARTY = re.compile(
    r"\b(soy su|soy la|soy el|habla su|es mi (?:esposo|esposa|hijo|hija|mama|papa|mamá|papá|hermano|hermana)|"
    r"his wife|her husband|his mother|her mother|i'm his|i am his|i'm her|i am her|this is his|this is her)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TurnFact:
    """What the summary needs of one turn (from the call's stored events)."""

    speaker: str  # AGENT | DEBTOR
    text: str
    category: str | None = None  # debtor turns: the classified objection
    promise: Mapping[str, str] | None = None  # {"amount", "currency", "dueDate", "quote"}
    alerts: tuple[Mapping[str, Any], ...] = ()  # hit JSON of the agent line's violations
    audit_id: str | None = None


@dataclass(frozen=True)
class CallSummary:
    summary: str
    disposition: Disposition
    reasons: tuple[str, ...]
    objections: tuple[ObjectionCategory, ...]
    alerts: tuple[Mapping[str, Any], ...]
    promise: Mapping[str, str] | None
    crm_code: str | None
    language: str

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "disposition": self.disposition.value,
            "reasons": list(self.reasons),
            "objections": [o.value for o in self.objections],
            "alerts": [dict(a) for a in self.alerts],
            "promise": dict(self.promise) if self.promise else None,
            "crmCode": self.crm_code,
            "language": self.language,
        }


def _quote(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _money(amount: str, currency: str, language: str, jurisdiction: str | None) -> str:
    try:
        return f"{format_money(Decimal(amount), currency, locale_for(language, jurisdiction))} {currency}"
    except Exception:  # formatting is cosmetic; the figure and code are still right
        return f"{amount} {currency}"


def _date(value: str, language: str) -> str:
    d = date.fromisoformat(value)
    if language == "es":
        months = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
        return f"{d.day} de {months.split()[d.month - 1]} de {d.year}"
    return d.strftime("%B %-d, %Y")


def _disposition(
    turns: Sequence[TurnFact], promise: Mapping[str, str] | None, es: bool
) -> tuple[Disposition, list[str]]:
    debtor = [t for t in turns if t.speaker == "DEBTOR"]
    cats = [t.category for t in debtor if t.category]
    said = " ".join(t.text for t in turns)

    def said_by_debtor(category: str) -> TurnFact | None:
        return next((t for t in reversed(debtor) if t.category == category), None)

    wrong = said_by_debtor("WRONG_PARTY")
    if wrong is not None:
        if _THIRD_PARTY.search(wrong.text):
            r = (
                f"Contestó un tercero: «{_quote(wrong.text)}»"
                if es
                else f"A third party answered: “{_quote(wrong.text)}”"
            )
            return Disposition.THIRD_PARTY, [r]
        r = (
            f"No es la persona buscada: «{_quote(wrong.text)}»"
            if es
            else f"Not the debtor: “{_quote(wrong.text)}”"
        )
        return Disposition.WRONG_PARTY, [r]
    lawyer = said_by_debtor("BANKRUPTCY_OR_LAWYER")
    if lawyer is not None:
        r = (
            f"Abogado o quiebra: «{_quote(lawyer.text)}»"
            if es
            else f"Attorney or bankruptcy: “{_quote(lawyer.text)}”"
        )
        return Disposition.ATTORNEY_OR_BANKRUPTCY, [r]
    if promise is not None:
        r = (
            f"Promesa de pago: «{promise.get('quote', '')}»"
            if es
            else f"Promise to pay: “{promise.get('quote', '')}”"
        )
        if (_PLAN_WORDS.search(said) and "DISCOUNT_OR_PLAN" in cats) or _PLAN_WORDS.search(
            " ".join(t.text for t in debtor)
        ):
            extra = "Se habló de un plan de pagos" if es else "A payment plan was discussed"
            return Disposition.PAYMENT_PLAN, [r, extra]
        return Disposition.PROMISE_TO_PAY, [r]
    order = [
        ("ALREADY_PAID", Disposition.PAID),
        ("DISPUTE", Disposition.DISPUTE),
        ("REQUEST_VALIDATION", Disposition.DISPUTE),
        ("CALL_LATER", Disposition.CALLBACK),
        ("HARDSHIP", Disposition.HARDSHIP),
        ("REFUSAL", Disposition.REFUSAL),
    ]
    for category, disposition in order:
        t = said_by_debtor(category)
        if t is not None:
            es_text, en_text = CATEGORY_TEXT[category]
            r = (
                f"El deudor {es_text}: «{_quote(t.text)}»"
                if es
                else f"The debtor {en_text}: “{_quote(t.text)}”"
            )
            return disposition, [r]
    if not debtor:
        return Disposition.NO_COMMITMENT, ["El deudor no habló" if es else "The debtor did not speak"]
    return Disposition.NO_COMMITMENT, [
        "Sin promesa de pago ni otro resultado" if es else "No promise to pay and no other outcome"
    ]


def summarise(
    turns: Sequence[TurnFact],
    *,
    language: str,
    missing_disclosures: Sequence[Mapping[str, Any]] = (),
    jurisdiction: str | None = None,
    crm_codes: Mapping[str, str] | None = None,
) -> CallSummary:
    """Summarise a call from its turns (in order). ``missing_disclosures``: hit JSON of what the call was
    required to contain and never did (reported as alerts)."""
    es = (language or "es").lower().startswith("es")
    lang = "es" if es else "en"
    debtor = [t for t in turns if t.speaker == "DEBTOR"]
    agent = [t for t in turns if t.speaker == "AGENT"]
    promise = next((t.promise for t in reversed(debtor) if t.promise), None)
    objections: list[ObjectionCategory] = []
    for t in debtor:
        if t.category and t.category != "NONE" and ObjectionCategory(t.category) not in objections:
            objections.append(ObjectionCategory(t.category))
    alerts = [a for t in agent for a in t.alerts] + list(missing_disclosures)
    disposition, reasons = _disposition(turns, promise, es)
    offers = [t for t in agent if _OFFER.search(t.text)]

    parts: list[str] = []
    if debtor:
        said = "; ".join(f"«{_quote(t.text, 70)}»" if es else f"“{_quote(t.text, 70)}”" for t in debtor[:3])
        more = len(debtor) - 3
        tail = (f" (y {more} más)" if es else f" (and {more} more)") if more > 0 else ""
        parts.append(f"El deudor dijo: {said}{tail}." if es else f"The debtor said: {said}{tail}.")
    else:
        parts.append("El deudor no habló." if es else "The debtor did not speak.")
    if objections:
        names = ", ".join(CATEGORY_TEXT.get(o.value, (o.value, o.value))[0 if es else 1] for o in objections)
        parts.append(f"Objeciones: {names}." if es else f"Objections: {names}.")
    if offers:
        said = "; ".join(f"«{_quote(t.text, 70)}»" if es else f"“{_quote(t.text, 70)}”" for t in offers[:2])
        parts.append(f"Ofertas del asesor: {said}." if es else f"Agent's offers: {said}.")
    if promise:
        money = _money(promise["amount"], promise["currency"], lang, jurisdiction)
        when = _date(promise["dueDate"], lang)
        parts.append(f"Promesa: {money} el {when}." if es else f"Promise: {money} on {when}.")
    if alerts:
        codes = sorted({str(a.get("code")) for a in alerts})
        parts.append(
            f"Alertas de cumplimiento: {len(alerts)} ({', '.join(codes)})."
            if es
            else f"Compliance alerts: {len(alerts)} ({', '.join(codes)})."
        )
    else:
        parts.append("Sin alertas de cumplimiento." if es else "No compliance alerts.")
    code = (crm_codes or {}).get(disposition.value)
    return CallSummary(
        summary=" ".join(parts),
        disposition=disposition,
        reasons=tuple(reasons),
        objections=tuple(objections),
        alerts=tuple(alerts),
        promise=promise,
        crm_code=code,
        language=lang,
    )
