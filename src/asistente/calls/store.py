"""Calls and their events in the database: binding, per-call locking and seq allocation, replay reads.

Concurrency: every write to a call starts by locking the call's row (``lock_calls``: SELECT ... FOR
UPDATE on PostgreSQL, which holds the row lock until commit; UPDATE ... RETURNING on SQLite, which takes
the database write lock) and reading it in the same statement, so the disclosure state and ``last_seq`` a
writer sees are the ones the previous writer committed. Turns and the end of a call are all written this
way, by the turn committer (asistente.calls.commit). Two workers pushing turns of one call are therefore serialised and never share a seq; UNIQUE
(call_id, seq) is the last line of defence. Lock order is always call row, then the tenant's ledger head.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
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
    "LockedCall",
    "bind_call",
    "events_after",
    "find_call",
    "lock_call",
    "lock_calls",
    "save_calls",
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
    # A WebSocket message's JSON may carry what an HTTP body may not (the HTTP layer refuses NUL and lone
    # surrogates before GraphQL): neither can be stored or looked up (PostgreSQL refuses NUL in text).
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        msg = "callId: NUL or a lone surrogate is not a valid id / el callId no puede contener NUL ni sustitutos sueltos"
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


@dataclass
class LockedCall:
    """A call row read under its write lock (``lock_calls``): what a turn's check and plan read, and what
    the committer writes back (``save_calls``): seqs, turn count, disclosure state, and the end of the call."""

    id: str
    tenant_id: str
    debtor_id: str
    agent_id: str
    language: str
    jurisdiction: str | None
    status: str
    last_seq: int
    turns: int
    disclosure: Any
    ended_at: datetime | None
    summary_audit_id: str | None


_LOCKED_COLUMNS = tuple(Call.__table__.c[f] for f in LockedCall.__dataclass_fields__)


def lock_calls(session: Session, call_ids: Sequence[str]) -> dict[str, LockedCall]:
    """``lock_call`` for several calls at once, in id order (two writers locking overlapping sets never
    deadlock), in one statement: ``SELECT ... ORDER BY id FOR UPDATE`` on PostgreSQL, ``UPDATE ...
    RETURNING`` on SQLite (whose write lock covers the database). Plain rows, not ORM objects: the
    committer writes them back with one statement (``save_calls``). Calls that do not exist are absent."""
    ids = sorted(call_ids)
    if not ids:
        return {}
    table = Call.__table__
    if session.get_bind().dialect.name == "postgresql":
        query = select(*_LOCKED_COLUMNS).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update()
    else:
        query = (
            update(table)
            .where(table.c.id.in_(ids))
            .values(last_seq=table.c.last_seq)
            .returning(*_LOCKED_COLUMNS)
        )
    return {row[0]: LockedCall(*row) for row in session.execute(query)}


_SAVE = (
    update(Call.__table__)
    .where(Call.__table__.c.id == bindparam("call_id"))
    .values(
        last_seq=bindparam("new_last_seq"),
        turns=bindparam("new_turns"),
        disclosure=bindparam("new_disclosure", type_=Call.__table__.c.disclosure.type),
        status=bindparam("new_status"),
        ended_at=bindparam("new_ended_at", type_=Call.__table__.c.ended_at.type),
        summary_audit_id=bindparam("new_summary_audit_id"),
    )
)


def save_calls(session: Session, calls: Sequence[LockedCall]) -> None:
    """Write back locked calls' seq, turn count, disclosure state and status (one executemany)."""
    if calls:
        session.execute(
            _SAVE,
            [
                {
                    "call_id": c.id,
                    "new_last_seq": c.last_seq,
                    "new_turns": c.turns,
                    "new_disclosure": c.disclosure,
                    "new_status": c.status,
                    "new_ended_at": c.ended_at,
                    "new_summary_audit_id": c.summary_audit_id,
                }
                for c in calls
            ],
        )


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
    call: Call | LockedCall, drafts: Sequence[dict[str, Any]], *, turn: int | None, now: datetime
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
