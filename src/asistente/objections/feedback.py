"""What a tenant's agents did with the answers they were shown, read from the audit ledger.

Every ``suggestResponses`` is one SUGGESTION event whose output lists the answers shown (id and text);
``recordSuggestionFeedback(auditId, action, finalText)`` links the agent's action to it. The action is
attributed to answers like this (the latest feedback on an event decides, as in the ledger's summary):

- USED with a final text: the shown answer it matches (normalised text, else the most similar one when
  similar enough); USED without text counts only when a single answer was shown.
- EDITED: the shown answer most similar to the final text (what the agent started from); the edited
  text is kept for the playbook's owner (``edits``).
- DISCARDED with a final text: the answer it names; without text: every answer shown sinks.

``AnswerStats.adjustment`` turns the counts into a ranking nudge; the tally is cached per tenant and
recomputed when the tenant's feedback changes (count and newest time of its feedback rows).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from asistente.audit.models import AuditEvent, AuditFeedback, AuditKind
from asistente.objections.suggest import AnswerStats

__all__ = ["Edit", "FeedbackRow", "FeedbackStats", "attribute", "edits", "feedback_rows", "tally"]

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class FeedbackRow:
    event_id: str
    at: datetime
    actor_id: str | None
    action: str
    final_text: str | None
    shown: tuple[tuple[str, str], ...]  # (answer id, text shown)


@dataclass(frozen=True)
class Edit:
    answer_id: str
    event_id: str
    at: datetime
    actor_id: str | None
    shown_text: str
    final_text: str


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _similarity(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def _closest(text: str, shown: Sequence[tuple[str, str]]) -> tuple[str, str, float] | None:
    norm = " ".join(text.split()).lower()
    for answer_id, shown_text in shown:
        if " ".join(shown_text.split()).lower() == norm:
            return answer_id, shown_text, 1.0
    scored = [(answer_id, shown_text, _similarity(text, shown_text)) for answer_id, shown_text in shown]
    return max(scored, key=lambda s: s[2]) if scored else None


def attribute(row: FeedbackRow) -> list[tuple[str, str]]:
    """(answer id, action) pairs one feedback row stands for."""
    if not row.shown:
        return []
    text = (row.final_text or "").strip()
    if row.action == "DISCARDED":
        if not text:
            return [(answer_id, "DISCARDED") for answer_id, _ in row.shown]
        best = _closest(text, row.shown)
        return [(best[0], "DISCARDED")] if best and best[2] >= 0.5 else []
    if row.action == "EDITED":
        best = _closest(text, row.shown) if text else None
        return [(best[0], "EDITED")] if best else []
    if row.action == "USED":
        if not text:
            return [(row.shown[0][0], "USED")] if len(row.shown) == 1 else []
        best = _closest(text, row.shown)
        return [(best[0], "USED")] if best and best[2] >= 0.6 else []
    return []


def _latest_per_event(rows: Iterable[FeedbackRow]) -> list[FeedbackRow]:
    latest: dict[str, FeedbackRow] = {}
    for r in rows:  # in ledger order
        latest[r.event_id] = r
    return list(latest.values())


def tally(rows: Iterable[FeedbackRow]) -> dict[str, AnswerStats]:
    counts: dict[str, list[int]] = {}
    for row in _latest_per_event(rows):
        for answer_id, action in attribute(row):
            c = counts.setdefault(answer_id, [0, 0, 0])
            c[("USED", "EDITED", "DISCARDED").index(action)] += 1
    return {k: AnswerStats(*v) for k, v in counts.items()}


def edits(rows: Iterable[FeedbackRow], answer_id: str | None = None) -> list[Edit]:
    """Every EDITED feedback with the answer it started from, newest first."""
    out: list[Edit] = []
    for row in rows:
        if row.action != "EDITED" or not row.final_text:
            continue
        best = _closest(row.final_text, row.shown)
        if best is None or (answer_id is not None and best[0] != answer_id):
            continue
        out.append(Edit(best[0], row.event_id, row.at, row.actor_id, best[1], row.final_text))
    out.sort(key=lambda e: e.at, reverse=True)
    return out


def _shown(output: Any) -> tuple[tuple[str, str], ...]:
    items = (output or {}).get("shown") if isinstance(output, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(
        (str(i["id"]), str(i.get("text") or ""))
        for i in items
        if isinstance(i, dict) and isinstance(i.get("id"), str)
    )


def feedback_revision(session: Session, tenant_id: str) -> tuple[int, datetime | None]:
    """Changes whenever the tenant's feedback changes (rows are append-only)."""
    n, newest = session.execute(
        select(func.count(), func.max(AuditFeedback.at)).where(AuditFeedback.tenant_id == tenant_id)
    ).one()
    return int(n), newest


def feedback_rows(session: Session, tenant_id: str) -> list[FeedbackRow]:
    """The tenant's feedback on SUGGESTION events, in ledger order."""
    target = aliased(AuditEvent)
    mirror = aliased(AuditEvent)
    rows = session.execute(
        select(
            AuditFeedback.event_id,
            AuditFeedback.at,
            AuditFeedback.actor_id,
            AuditFeedback.action,
            AuditFeedback.final_text,
            target.output,
        )
        .join(target, target.id == AuditFeedback.event_id)
        .join(mirror, mirror.id == AuditFeedback.ledger_event_id)
        .where(AuditFeedback.tenant_id == tenant_id, target.kind == AuditKind.SUGGESTION.value)
        .order_by(mirror.seq)
    )
    return [
        FeedbackRow(e, at, actor, action, text, _shown(output)) for e, at, actor, action, text, output in rows
    ]


class FeedbackStats:
    """Per-process cache of each tenant's tally, keyed by the tenant's feedback revision."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_tenant: dict[str, tuple[tuple[int, datetime | None], dict[str, AnswerStats]]] = {}

    def for_tenant(self, session: Session, tenant_id: str) -> dict[str, AnswerStats]:
        revision = feedback_revision(session, tenant_id)
        cached = self._by_tenant.get(tenant_id)
        if cached is not None and cached[0] == revision:
            return cached[1]
        stats = tally(feedback_rows(session, tenant_id)) if revision[0] else {}
        with self._lock:
            if len(self._by_tenant) > 10_000:
                self._by_tenant.clear()
            self._by_tenant[tenant_id] = (revision, stats)
        return stats
