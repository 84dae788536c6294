"""An LLM-written call summary (optional): the prompt, built from the call's turns with personal data
replaced by placeholders, and the check of the answer. Pure; the resolver sends it within a time budget
and keeps the rule-based summary on timeout, error or an unusable answer.

What the LLM may change is only the summary's prose: the disposition, its reasons, the promise and the
alerts stay the rule-based ones (they are what the agent confirms and the ledger audits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from asistente.calls.summary import CallSummary, TurnFact
from asistente.llm import KnownValues, redact, restore

__all__ = ["MAX_SUMMARY_CHARS", "parse_summary", "summary_prompt"]

MAX_SUMMARY_CHARS = 1_200
MAX_TURNS_IN_PROMPT = 60

SYSTEM = {
    "es": (
        "Eres el asistente de un asesor de cobranza. Resume la llamada en 2 a 4 frases, en español, para "
        "el registro del CRM: qué dijo el deudor, objeciones, ofertas del asesor, compromisos y alertas. "
        "No inventes datos. Conserva los marcadores como [NAME_1] tal cual. Responde sólo con el resumen."
    ),
    "en": (
        "You assist a debt-collection agent. Summarise the call in 2 to 4 sentences, in English, for the "
        "CRM record: what the debtor said, objections, the agent's offers, commitments and alerts. Do not "
        "invent facts. Keep placeholders such as [NAME_1] as they are. Answer with the summary only."
    ),
}


def summary_prompt(
    turns: Sequence[TurnFact], rules: CallSummary, known: KnownValues
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The chat messages (redacted) and the placeholder mapping to restore the answer with."""
    lines = [
        f"{'AGENTE' if t.speaker == 'AGENT' else 'DEUDOR'}: {t.text}" for t in turns[-MAX_TURNS_IN_PROMPT:]
    ]
    facts = [
        f"disposition: {rules.disposition.value}",
        f"objections: {', '.join(o.value for o in rules.objections) or '-'}",
        f"alerts: {', '.join(sorted({str(a.get('code')) for a in rules.alerts})) or '-'}",
    ]
    if rules.promise:
        p = rules.promise
        facts.append(f"promise: {p['amount']} {p['currency']} on {p['dueDate']}")
    text, mapping = redact("\n".join(lines) + "\n---\n" + "\n".join(facts), known)
    lang = "es" if rules.language == "es" else "en"
    return [{"role": "system", "content": SYSTEM[lang]}, {"role": "user", "content": text}], mapping


def parse_summary(content: str, mapping: Mapping[str, str]) -> str:
    """The model's summary with personal data restored; ValueError when unusable."""
    text = " ".join((content or "").split())
    if not text:
        raise ValueError("empty summary")
    if len(text) > MAX_SUMMARY_CHARS:
        raise ValueError(f"summary over {MAX_SUMMARY_CHARS} characters")
    return restore(text, mapping)
