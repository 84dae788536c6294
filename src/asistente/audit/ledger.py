"""Writing to and reading from the audit ledger (the hash algorithm is documented in ``chain.py``).

Writing
-------
``record`` appends one event to the tenant's chain inside the caller's transaction and flushes it, so a
failed write raises *before* the caller builds its response ("no advice without a record"). The caller
commits; call ``record`` as the last database step before the commit, because the tenant's chain head stays
locked until then.

Concurrency: the chain of a tenant is serialised on its ``audit_chain_heads`` row.

- PostgreSQL: ``INSERT ... ON CONFLICT DO NOTHING`` (creates the head the first time; a concurrent creator
  waits for the other's commit) then ``SELECT ... FOR UPDATE`` on that row: writers of one tenant queue up
  on the row lock and, under READ COMMITTED, each one reads the head as committed by the previous writer.
  Writers of different tenants never wait for each other.
- SQLite: the same upsert is the transaction's first write, so it takes SQLite's database write lock
  (waiting up to ``busy_timeout``, 30 s) before the head is read; nothing can commit between the read and
  our commit. (pysqlite opens the transaction lazily at the first write, so earlier reads in the caller's
  session hold no snapshot that could go stale.)
- Last line of defence: UNIQUE (tenant_id, seq) on ``audit_events``.

Reading
-------
``list_events`` is always tenant-scoped and returns the newest events first (descending ``seq``, the chain
order). Its cursor is opaque: urlsafe base64 of ``"seq:<n>"``; ``since`` is inclusive and ``until``
exclusive.

``summary`` counts, per (kind, objection category, agent) over ``[since, until)``:

- ``shown``: events of that kind (one per piece of advice shown: a suggestion set, a draft, a check...);
  FEEDBACK events are not counted as advice.
- ``used`` / ``edited`` / ``discarded``: advice events whose *latest* feedback (by ledger order) is that
  action; feedback given twice is kept in the ledger but the event counts once, under the final decision.
- ``blocked`` and ``blocked_by_rule``: candidates withheld from the agent. Convention for callers: an event's
  ``output`` carries ``"blocked": [{"ruleId": "...", "code": "THREAT_OF_ARREST", ...}, ...]``, one item per
  rule that blocked a candidate (a candidate stopped by two rules appears twice); counted per ``ruleId``.
- The category is ``output.category``, else ``input.category``, else null. The agent is the event's actor.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from asistente.audit.chain import GENESIS_HASH, chain_hash, hashed_fields, prepare, scrub_text
from asistente.audit.models import (
    ADVICE_KINDS,
    AuditChainHead,
    AuditEvent,
    AuditFeedback,
    AuditKind,
    FeedbackAction,
)
from asistente.errors import BadInput, FieldError, NotFound
from asistente.ids import new_id

MAX_FINAL_TEXT = 10_000
MAX_PAGE = 1000


# --------------------------------------------------------------------------------------------- writing


def _as_kind(kind: str | AuditKind) -> AuditKind:
    try:
        return AuditKind(kind)
    except ValueError:
        raise BadInput(f"unknown audit kind {kind!r}", [FieldError("kind", "unknown audit kind")]) from None


def _lock_head(session: Session, tenant_id: str) -> tuple[int, str]:
    """Lock the tenant's chain head (creating it the first time) and return its (seq, hash)."""
    dialect = session.get_bind().dialect.name
    values = {"tenant_id": tenant_id, "seq": 0, "hash": GENESIS_HASH}
    if dialect == "postgresql":
        session.execute(pg_insert(AuditChainHead).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(AuditChainHead).values(**values).on_conflict_do_nothing())
    elif session.get(AuditChainHead, tenant_id) is None:  # other dialects: best effort, UNIQUE still guards
        session.execute(insert(AuditChainHead).values(**values))
    row = session.execute(
        select(AuditChainHead.seq, AuditChainHead.hash)
        .where(AuditChainHead.tenant_id == tenant_id)
        .with_for_update()
    ).one()
    return int(row.seq), row.hash


def lock_tenant(session: Session, tenant_id: str) -> None:
    """Serialise this transaction with every other writer of the tenant's ledger (and of whatever the caller
    decides under this lock, e.g. agreement state changes) until it commits or rolls back."""
    _lock_head(session, tenant_id)


def _append(
    session: Session,
    *,
    tenant_id: str,
    kind: AuditKind,
    actor_id: str | None,
    actor_role: str | None,
    debtor_id: str | None,
    call_id: str | None,
    input: Any,
    output: Any,
    versions: Any,
    now: datetime,
    event_id: str | None = None,
) -> AuditEvent:
    if now.tzinfo is None:
        raise BadInput("audit: `now` must carry an offset", [FieldError("now", "naive datetime")])
    stored_input, stored_output, stored_versions = prepare(input), prepare(output), prepare(versions or {})
    head_seq, head_hash = _lock_head(session, tenant_id)
    seq = head_seq + 1
    event_id = event_id or new_id()
    actor_role = None if actor_role is None else str(actor_role)
    fields = {
        "id": event_id,
        "tenant_id": tenant_id,
        "seq": seq,
        "kind": kind.value,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "debtor_id": debtor_id,
        "call_id": call_id,
        "input": stored_input,
        "output": stored_output,
        "versions": stored_versions,
        "at": now,
        "prev_hash": head_hash,
    }
    digest = chain_hash(head_hash, hashed_fields(**fields))
    event = AuditEvent(**fields, hash=digest)
    session.add(event)
    session.flush()
    session.execute(
        AuditChainHead.__table__.update()
        .where(AuditChainHead.tenant_id == tenant_id)
        .values(seq=seq, hash=digest)
    )
    return event


def record(
    session: Session,
    *,
    tenant_id: str,
    kind: str | AuditKind,
    actor_id: str | None,
    actor_role: str | None,
    debtor_id: str | None = None,
    call_id: str | None = None,
    input: Any,
    output: Any,
    versions: Any,
    now: datetime,
) -> AuditEvent:
    """Append one event to the tenant's chain (flushed, not committed: the caller commits).

    ``input``/``output``/``versions`` are normalised (Decimal -> str, datetime -> ISO...) and scrubbed of
    secrets before they are hashed and stored. Raises BadInput for an unknown kind (FEEDBACK events are
    written by ``record_feedback`` only) or a naive ``now``; any database failure propagates.
    """
    k = _as_kind(kind)
    if k is AuditKind.FEEDBACK:
        raise BadInput(
            "FEEDBACK events are recorded with record_feedback", [FieldError("kind", "use feedback")]
        )
    return _append(
        session,
        tenant_id=tenant_id,
        kind=k,
        actor_id=actor_id,
        actor_role=actor_role,
        debtor_id=debtor_id,
        call_id=call_id,
        input=input,
        output=output,
        versions=versions,
        now=now,
    )


def record_many(session: Session, *, tenant_id: str, events: Sequence[dict[str, Any]]) -> list[str]:
    """Append several events to the tenant's chain, in order, under one lock of its head and with one
    multi-row insert: a group commit for callers that gather the events of concurrent requests. Each item
    holds ``record``'s keyword arguments (kind, actor_id, actor_role, debtor_id, call_id, input, output,
    versions, now). The chain is exactly the one ``record`` would build one event at a time. Returns the
    event ids in order; raises before writing anything when one item is invalid. The caller commits."""
    ready = []
    for item in events:
        k = _as_kind(item["kind"])
        if k is AuditKind.FEEDBACK:
            raise BadInput(
                "FEEDBACK events are recorded with record_feedback", [FieldError("kind", "use feedback")]
            )
        now = item["now"]
        if now.tzinfo is None:
            raise BadInput("audit: `now` must carry an offset", [FieldError("now", "naive datetime")])
        role = item.get("actor_role")
        ready.append(
            {
                "tenant_id": tenant_id,
                "kind": k.value,
                "actor_id": item.get("actor_id"),
                "actor_role": None if role is None else str(role),
                "debtor_id": item.get("debtor_id"),
                "call_id": item.get("call_id"),
                "input": prepare(item["input"]),
                "output": prepare(item["output"]),
                "versions": prepare(item.get("versions") or {}),
                "at": now,
            }
        )
    if not ready:
        return []
    seq, head_hash = _lock_head(session, tenant_id)
    rows = []
    for fields in ready:
        seq += 1
        fields = {"id": new_id(), "seq": seq, "prev_hash": head_hash, **fields}
        head_hash = chain_hash(head_hash, hashed_fields(**fields))
        rows.append({**fields, "hash": head_hash})
    session.execute(insert(AuditEvent), rows)
    session.execute(
        AuditChainHead.__table__.update()
        .where(AuditChainHead.tenant_id == tenant_id)
        .values(seq=seq, hash=head_hash)
    )
    return [r["id"] for r in rows]


def feedback_parts(
    session: Session,
    *,
    tenant_id: str,
    event_id: str,
    actor_id: str | None,
    actor_role: str | None,
    action: str | FeedbackAction,
    final_text: str | None,
    now: datetime,
    only_own: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate feedback on an advice event and return what to write, without writing it: the FEEDBACK
    event's ``record`` arguments (with its pre-allocated ``event_id``) and the ``audit_feedback`` row that
    points at it. Both must be written in one transaction (``record_feedback``, or the group committer).

    NotFound for an unknown event id or another tenant's; BadInput for an unknown action, EDITED without a
    final text, a final text over 10,000 characters, or feedback on a FEEDBACK event. The final text is
    scrubbed of secrets like every ledger value.
    """
    try:
        act = FeedbackAction(action)
    except ValueError:
        raise BadInput(
            f"unknown feedback action {action!r}", [FieldError("action", "USED, EDITED or DISCARDED")]
        ) from None
    if final_text is not None and len(final_text) > MAX_FINAL_TEXT:
        raise BadInput(
            f"finalText is longer than {MAX_FINAL_TEXT:,} characters",
            [FieldError("finalText", f"at most {MAX_FINAL_TEXT} characters")],
        )
    if act is FeedbackAction.EDITED and not (final_text or "").strip():
        raise BadInput(
            "EDITED feedback needs the final text", [FieldError("finalText", "required for EDITED")]
        )
    target = get_event(session, tenant_id=tenant_id, event_id=event_id)
    if only_own and target.actor_id != actor_id:
        # An agent reports what THEY did with advice THEY were shown; someone else's event reads as absent.
        raise NotFound("audit event not found", [FieldError("auditId", "not found", "NOT_FOUND")])
    if target.kind not in {k.value for k in ADVICE_KINDS}:
        raise BadInput(
            f"feedback applies to advice (suggestions, drafts, checks, validations), not to {target.kind}",
            [FieldError("auditId", "not advice")],
        )
    text = None if final_text is None else scrub_text(final_text)
    ledger_event_id = new_id()
    role = None if actor_role is None else str(actor_role)
    event = {
        "event_id": ledger_event_id,
        "kind": AuditKind.FEEDBACK,
        "actor_id": actor_id,
        "actor_role": role,
        "debtor_id": target.debtor_id,
        "call_id": target.call_id,
        "input": {"eventId": target.id, "eventSeq": target.seq, "eventKind": target.kind},
        "output": {"action": act.value, "finalText": text},
        "versions": {},
        "now": now,
    }
    row = {
        "id": new_id(),
        "tenant_id": tenant_id,
        "event_id": target.id,
        "ledger_event_id": ledger_event_id,
        "actor_id": actor_id,
        "actor_role": role,
        "action": act.value,
        "final_text": text,
        "at": now,
    }
    return event, row


def record_feedback(
    session: Session,
    *,
    tenant_id: str,
    event_id: str,
    actor_id: str | None,
    actor_role: str | None,
    action: str | FeedbackAction,
    final_text: str | None,
    now: datetime,
    only_own: bool = False,
) -> AuditFeedback:
    """Link the agent's action on an advice event to it, as a feedback row plus a chained FEEDBACK event, in
    the caller's transaction (see ``feedback_parts`` for the checks). Feedback given twice keeps both."""
    event, row = feedback_parts(
        session,
        tenant_id=tenant_id,
        event_id=event_id,
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        final_text=final_text,
        now=now,
        only_own=only_own,
    )
    _append(session, tenant_id=tenant_id, **event)
    fb = AuditFeedback(**row)
    session.add(fb)
    session.flush()
    return fb


# --------------------------------------------------------------------------------------------- reading


def get_event(session: Session, *, tenant_id: str, event_id: str) -> AuditEvent:
    """One event of the tenant; NotFound for an unknown id or another tenant's."""
    event = session.execute(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id, AuditEvent.id == str(event_id))
    ).scalar_one_or_none()
    if event is None:
        raise NotFound("audit event not found", [FieldError("auditId", "not found", "NOT_FOUND")])
    return event


def events_by_ids(session: Session, *, tenant_id: str, event_ids: Sequence[str]) -> dict[str, AuditEvent]:
    """The tenant's events among ``event_ids`` (for a per-request loader); other tenants' ids are absent."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id, AuditEvent.id.in_(list(set(event_ids))))
    ).scalars()
    return {e.id: e for e in rows}


def feedback_for_events(
    session: Session, *, tenant_id: str, event_ids: Sequence[str]
) -> dict[str, list[AuditFeedback]]:
    """Feedback rows per event id (oldest first), for a per-request loader; every id gets a list."""
    out: dict[str, list[AuditFeedback]] = {eid: [] for eid in event_ids}
    if not event_ids:
        return out
    rows = session.execute(
        select(AuditFeedback)
        .join(AuditEvent, AuditEvent.id == AuditFeedback.ledger_event_id)
        .where(AuditFeedback.tenant_id == tenant_id, AuditFeedback.event_id.in_(list(set(event_ids))))
        .order_by(AuditEvent.seq)
    ).scalars()
    for fb in rows:
        out.setdefault(fb.event_id, []).append(fb)
    return out


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{int(seq)}".encode()).decode()


MAX_SEQ = 2**63 - 1


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        prefix, _, number = raw.partition(":")
        if prefix != "seq" or not (number.isascii() and number.isdigit()) or int(number) > MAX_SEQ:
            raise ValueError(raw)
        return int(number)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadInput("invalid cursor", [FieldError("after", "invalid cursor")]) from None


def list_events(
    session: Session,
    *,
    tenant_id: str,
    debtor_id: str | None = None,
    actor_id: str | None = None,
    kind: str | AuditKind | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    first: int = 50,
    after_cursor: str | None = None,
) -> tuple[list[AuditEvent], bool, str | None]:
    """A page of the tenant's events, newest first: ``(events, has_next_page, end_cursor)``.

    ``since`` is inclusive, ``until`` exclusive; ``first`` is 0..1000; ``after_cursor`` is an ``end_cursor``
    of an earlier page (an opaque string; BadInput when malformed).
    """
    if first < 0 or first > MAX_PAGE:
        raise BadInput(f"first must be between 0 and {MAX_PAGE}", [FieldError("first", f"0..{MAX_PAGE}")])
    stmt = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
    if debtor_id is not None:
        stmt = stmt.where(AuditEvent.debtor_id == debtor_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if kind is not None:
        stmt = stmt.where(AuditEvent.kind == _as_kind(kind).value)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    if after_cursor:
        stmt = stmt.where(AuditEvent.seq < decode_cursor(after_cursor))
    rows = list(session.execute(stmt.order_by(AuditEvent.seq.desc()).limit(first + 1)).scalars())
    has_next = len(rows) > first
    rows = rows[:first]
    return rows, has_next, (encode_cursor(rows[-1].seq) if rows else None)


@dataclass
class SummaryRow:
    kind: str
    category: str | None
    actor_id: str | None
    shown: int = 0
    used: int = 0
    edited: int = 0
    discarded: int = 0
    blocked: int = 0
    blocked_by_rule: dict[str, int] = field(default_factory=dict)


def _category_expr() -> Any:
    return func.coalesce(AuditEvent.output["category"].as_string(), AuditEvent.input["category"].as_string())


def summary(session: Session, *, tenant_id: str, since: datetime, until: datetime) -> list[SummaryRow]:
    """Advice counts per (kind, objection category, agent) for events recorded in ``[since, until)``.

    See the module docstring for what each count means. Rows are sorted by kind, category, agent.
    """
    category = _category_expr().label("category")
    in_period = and_(
        AuditEvent.tenant_id == tenant_id,
        AuditEvent.at >= since,
        AuditEvent.at < until,
        AuditEvent.kind != AuditKind.FEEDBACK.value,
    )
    rows: dict[tuple[str, str | None, str | None], SummaryRow] = {}

    def row(kind: str, cat: str | None, actor: str | None) -> SummaryRow:
        key = (kind, cat, actor)
        if key not in rows:
            rows[key] = SummaryRow(kind=kind, category=cat, actor_id=actor)
        return rows[key]

    shown = session.execute(
        select(AuditEvent.kind, category, AuditEvent.actor_id, func.count())
        .where(in_period)
        .group_by(AuditEvent.kind, category, AuditEvent.actor_id)
    )
    for kind, cat, actor, n in shown:
        row(kind, cat, actor).shown = int(n)

    # The latest feedback of each advice event, by ledger order of the mirroring FEEDBACK events.
    fb_event = AuditEvent.__table__.alias("fb_event")
    ranked = (
        select(
            AuditFeedback.event_id.label("event_id"),
            AuditFeedback.action.label("action"),
            func.row_number()
            .over(partition_by=AuditFeedback.event_id, order_by=fb_event.c.seq.desc())
            .label("rank"),
        )
        .join(fb_event, fb_event.c.id == AuditFeedback.ledger_event_id)
        .where(AuditFeedback.tenant_id == tenant_id)
        .subquery()
    )
    actions = session.execute(
        select(AuditEvent.kind, category, AuditEvent.actor_id, ranked.c.action, func.count())
        .join(ranked, and_(ranked.c.event_id == AuditEvent.id, ranked.c.rank == literal(1)))
        .where(in_period)
        .group_by(AuditEvent.kind, category, AuditEvent.actor_id, ranked.c.action)
    )
    for kind, cat, actor, action, n in actions:
        r = row(kind, cat, actor)
        if action == FeedbackAction.USED:
            r.used = int(n)
        elif action == FeedbackAction.EDITED:
            r.edited = int(n)
        elif action == FeedbackAction.DISCARDED:
            r.discarded = int(n)

    blocked_json = AuditEvent.output["blocked"].as_string().label("blocked")
    blocked = session.execute(
        select(AuditEvent.kind, category, AuditEvent.actor_id, blocked_json)
        .where(in_period, blocked_json.is_not(None))
        .execution_options(yield_per=1000)
    )
    for kind, cat, actor, raw in blocked:
        for rule_id in _blocked_rule_ids(raw):
            r = row(kind, cat, actor)
            r.blocked += 1
            r.blocked_by_rule[rule_id] = r.blocked_by_rule.get(rule_id, 0) + 1

    return sorted(rows.values(), key=lambda r: (r.kind, r.category or "", r.actor_id or ""))


def _blocked_rule_ids(raw: Any) -> Iterable[str]:
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        if isinstance(item, dict):
            rule = item.get("ruleId") or item.get("rule_id") or item.get("code")
            if rule is not None:
                out.append(str(rule))
        elif isinstance(item, str):
            out.append(item)
    return out


__all__ = [
    "MAX_FINAL_TEXT",
    "SummaryRow",
    "decode_cursor",
    "encode_cursor",
    "events_by_ids",
    "feedback_for_events",
    "feedback_parts",
    "get_event",
    "list_events",
    "record",
    "record_feedback",
    "record_many",
    "summary",
]
