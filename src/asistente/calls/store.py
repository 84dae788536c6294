"""Calls and their events in the database: binding, per-call locking and seq allocation, replay reads.

Concurrency: every write to a call starts with ``lock_call`` (an UPDATE of the call's row), which on
PostgreSQL takes the row lock until commit and on SQLite takes the database write lock; the row is then
re-read, so the disclosure state and ``last_seq`` a writer sees are the ones the previous writer
committed. Two workers pushing turns of one call are therefore serialised and never share a seq; UNIQUE
(call_id, seq) is the last line of defence. Lock order is always call row, then the tenant's ledger head.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from asistente.calls.models import Call, CallEvent
from asistente.errors import BadInput, FieldError, NotFound
from asistente.ids import new_id

__all__ = [
    "ACTIVE",
    "ENDED",
    "Binding",
    "bind_call",
    "events_after",
    "find_call",
    "lock_call",
    "lock_calls",
]

ACTIVE, ENDED = "ACTIVE", "ENDED"
MAX_CALL_ID = 200


@dataclass(frozen=True)
class Binding:
    tenant_id: str
    debtor_id: str
    agent_id: str
    language: str
    jurisdiction: str | None


def check_call_id(call_id: str) -> str:
    value = (call_id or "").strip()
    if not value or len(value) > MAX_CALL_ID:
        msg = f"callId: 1 to {MAX_CALL_ID} characters / el callId debe tener de 1 a {MAX_CALL_ID} caracteres"
        raise BadInput(msg, [FieldError("callId", msg)])
    return value


def find_call(session: Session, tenant_id: str, call_id: str) -> Call:
    """The tenant's call, else NotFound (another tenant's call reads as not found)."""
    call = session.get(Call, call_id)
    if call is None or call.tenant_id != tenant_id:
        raise NotFound(f"call {call_id} not found")
    return call


def bind_call(session: Session, call_id: str, binding: Binding, now: datetime) -> None:
    """Create the call on its first turn (a concurrent first turn on another worker is a no-op)."""
    values = {
        "id": call_id,
        "tenant_id": binding.tenant_id,
        "debtor_id": binding.debtor_id,
        "agent_id": binding.agent_id,
        "language": binding.language,
        "jurisdiction": binding.jurisdiction,
        "status": ACTIVE,
        "last_seq": 0,
        "turns": 0,
        "disclosure": {},
        "started_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(Call).values(**values).on_conflict_do_nothing(index_elements=["id"]))


def lock_call(session: Session, call_id: str) -> Call | None:
    """Take the call's write lock for this transaction and read it fresh (None: no such call)."""
    session.execute(update(Call).where(Call.id == call_id).values(last_seq=Call.last_seq))
    return session.scalars(
        select(Call).where(Call.id == call_id).execution_options(populate_existing=True)
    ).one_or_none()


def lock_calls(session: Session, call_ids: Sequence[str]) -> dict[str, Call]:
    """``lock_call`` for several calls at once, in id order (two writers locking overlapping sets never
    deadlock): one statement on PostgreSQL (SELECT ... ORDER BY id FOR UPDATE), an UPDATE then a read on
    SQLite (whose write lock covers the database). Calls that do not exist are absent from the result."""
    ids = sorted(call_ids)
    if not ids:
        return {}
    query = select(Call).where(Call.id.in_(ids)).order_by(Call.id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        rows = session.scalars(query.with_for_update()).all()
    else:
        session.execute(update(Call).where(Call.id.in_(ids)).values(last_seq=Call.last_seq))
        rows = session.scalars(query).all()
    return {c.id: c for c in rows}


def add_events(
    session: Session, call: Call, drafts: Sequence[dict[str, Any]], *, turn: int | None, now: datetime
) -> list[CallEvent]:
    """Append events to a locked call, each with the next seq; returns them (payload has its seq)."""
    rows = []
    for draft in drafts:
        call.last_seq += 1
        payload = dict(draft["payload"])
        payload["seq"] = call.last_seq
        row = CallEvent(
            call_id=call.id,
            seq=call.last_seq,
            turn=turn,
            kind=payload["kind"],
            speaker=payload.get("speaker"),
            text=payload.get("text"),
            at=now,
            audit_id=payload.get("auditId"),
            payload=payload,
            facts=draft.get("facts") or {},
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def event_rows(
    call: Call, drafts: Sequence[dict[str, Any]], *, turn: int | None, now: datetime
) -> list[dict[str, Any]]:
    """``add_events`` as plain rows for one Core multi-row insert (a batch of turns): each event gets the
    locked call's next seq; the payloads (with their seqs) are the rows' ``payload``."""
    rows = []
    for draft in drafts:
        call.last_seq += 1
        payload = dict(draft["payload"])
        payload["seq"] = call.last_seq
        rows.append(
            {
                "id": new_id(),
                "call_id": call.id,
                "seq": call.last_seq,
                "turn": turn,
                "kind": payload["kind"],
                "speaker": payload.get("speaker"),
                "text": payload.get("text"),
                "at": now,
                "audit_id": payload.get("auditId"),
                "payload": payload,
                "facts": draft.get("facts") or {},
            }
        )
    return rows


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(CallEvent), list(rows))


def events_after(session: Session, call_id: str, after_seq: int, limit: int = 500) -> list[CallEvent]:
    return list(
        session.scalars(
            select(CallEvent)
            .where(CallEvent.call_id == call_id, CallEvent.seq > after_seq)
            .order_by(CallEvent.seq)
            .limit(limit)
        )
    )


def all_events(session: Session, call_id: str) -> list[CallEvent]:
    return list(
        session.scalars(select(CallEvent).where(CallEvent.call_id == call_id).order_by(CallEvent.seq))
    )
