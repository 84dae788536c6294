"""Verifying the ledger's hash chains, and purging events past the retention horizon without breaking them.

``verify`` re-computes every chain (algorithm in ``chain.py``) in ``seq`` order, streaming rows, and
reports the first bad record per the first tenant (by slug) whose chain is broken:

- a record whose content (any hashed field, or its ``hash``) was modified: ``hash mismatch``;
- a deleted record: a ``seq`` gap, or a chain head (``audit_chain_heads``) ahead of the newest record
  (the tail was deleted), or a missing start of chain that no purge checkpoint explains;
- reordered records: a ``prev_hash`` that is not the hash of the record before.
It also checks that each ``audit_feedback`` row agrees with the FEEDBACK event that mirrors it.

A chain starts at seq 1 with prev_hash "0"*64, or, after a purge, at seq N+1 whose prev_hash must equal the
``hash`` of the ``audit_checkpoints`` row with seq N. Events appended while ``verify`` runs are checked too:
the head is read first and the event at the head's seq must carry the head's hash.

``purge`` deletes, per tenant, the longest *prefix* of the chain (by seq) whose events are all older than
``older_than`` (so no hole is ever cut in the middle of a chain), after verifying that prefix, and writes a
checkpoint (seq and hash of the last purged event, count purged) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from asistente.audit.chain import GENESIS_HASH, chain_hash, hashed_fields
from asistente.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent, AuditFeedback, AuditKind
from asistente.db import utcnow
from asistente.errors import BadInput
from asistente.ids import new_id
from asistente.tenants.models import Tenant

_STREAM = {"yield_per": 1000}

_events = AuditEvent.__table__
_heads = AuditChainHead.__table__
_checkpoints = AuditCheckpoint.__table__
_feedback = AuditFeedback.__table__


@dataclass(frozen=True)
class BadRecord:
    tenant: str  # tenant id
    tenant_slug: str | None
    seq: int | None
    id: str | None  # the offending event's id (None when the record is missing altogether)
    reason: str

    def describe(self) -> str:
        seq = "-" if self.seq is None else str(self.seq)
        return f"tenant={self.tenant_slug or self.tenant} seq={seq} id={self.id or '-'}: {self.reason}"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # events whose hash was re-computed
    first_bad: BadRecord | None
    tenants: int = 0  # chains examined


@dataclass(frozen=True)
class PurgeResult:
    tenant_id: str
    tenant_slug: str | None
    purged: int
    up_to_seq: int
    hash: str  # hash of the last purged event (the checkpoint's hash)
    dry_run: bool


@contextmanager
def connection_for(target: Session | Engine | Connection) -> Iterator[Connection]:
    if isinstance(target, Engine):
        with target.connect() as conn:
            yield conn
    elif isinstance(target, Session):
        yield target.connection()
    else:
        yield target


def _slugs(conn: Connection, tenant_ids: set[str]) -> dict[str, str]:
    if not tenant_ids:
        return {}
    rows = conn.execute(select(Tenant.id, Tenant.slug).where(Tenant.id.in_(sorted(tenant_ids))))
    return {tid: slug for tid, slug in rows}


def _ledger_tenants(conn: Connection) -> set[str]:
    stmt = union(
        select(_heads.c.tenant_id),
        select(_events.c.tenant_id).distinct(),
        select(_checkpoints.c.tenant_id).distinct(),
    )
    return {tid for (tid,) in conn.execute(stmt)}


def _fields(r: Any) -> dict[str, Any]:
    return hashed_fields(
        id=r.id,
        tenant_id=r.tenant_id,
        seq=r.seq,
        kind=r.kind,
        actor_id=r.actor_id,
        actor_role=r.actor_role,
        debtor_id=r.debtor_id,
        call_id=r.call_id,
        input=r.input,
        output=r.output,
        versions=r.versions,
        at=r.at,
        prev_hash=r.prev_hash,
    )


def _verify_tenant(
    conn: Connection, tenant_id: str, slug: str | None, *, up_to_seq: int | None = None
) -> tuple[int, BadRecord | None]:
    """(events checked, first bad record) of one tenant's chain; up to ``up_to_seq`` when given."""

    def bad(seq: int | None, event_id: str | None, reason: str) -> BadRecord:
        return BadRecord(tenant=tenant_id, tenant_slug=slug, seq=seq, id=event_id, reason=reason)

    head = conn.execute(select(_heads.c.seq, _heads.c.hash).where(_heads.c.tenant_id == tenant_id)).first()
    checkpoints = {
        int(seq): h
        for seq, h in conn.execute(
            select(_checkpoints.c.seq, _checkpoints.c.hash).where(_checkpoints.c.tenant_id == tenant_id)
        )
    }
    stmt = select(_events).where(_events.c.tenant_id == tenant_id)
    if up_to_seq is not None:
        stmt = stmt.where(_events.c.seq <= up_to_seq)
    rows = conn.execute(stmt.order_by(_events.c.seq), execution_options=_STREAM)

    checked = 0
    expected: int | None = None
    prev = GENESIS_HASH
    head_hash_seen: str | None = None
    for r in rows:
        seq = int(r.seq)
        if expected is None:
            if seq == 1:
                prev = GENESIS_HASH
            elif seq - 1 in checkpoints:
                prev = checkpoints[seq - 1]
            else:
                rows.close()
                return checked, bad(
                    seq, r.id, f"records before seq {seq} are missing and no purge checkpoint covers them"
                )
            expected = seq
        if seq != expected:
            rows.close()
            missing = f"seq {expected}" if seq == expected + 1 else f"seq {expected} to {seq - 1}"
            return checked, bad(seq, r.id, f"{missing} missing before this record (deleted records)")
        if r.prev_hash != prev:
            rows.close()
            return checked, bad(
                seq, r.id, "prev_hash is not the hash of the previous record (records deleted or reordered)"
            )
        if chain_hash(r.prev_hash, _fields(r)) != r.hash:
            rows.close()
            return checked, bad(seq, r.id, "hash mismatch: the record was modified after it was written")
        if r.kind not in AuditKind.__members__:
            rows.close()
            return checked, bad(seq, r.id, f"unknown kind {r.kind!r}")
        if head is not None and seq == head.seq:
            head_hash_seen = r.hash
        prev = r.hash
        expected = seq + 1
        checked += 1

    if up_to_seq is not None:
        return checked, None
    last_seq = None if expected is None else expected - 1
    if head is None:
        if last_seq is not None:
            return checked, bad(last_seq, None, "the tenant's chain head is missing")
        return checked, None
    head_seq = int(head.seq)
    if last_seq is None:
        # Everything was purged (or nothing written): the head must be the latest checkpoint, or empty.
        if head_seq == 0 and not checkpoints:
            return checked, None
        if checkpoints.get(head_seq) == head.hash:
            return checked, None
        return checked, bad(head_seq, None, f"records up to seq {head_seq} are missing (deleted records)")
    if head_seq > last_seq:
        return checked, bad(
            last_seq + 1,
            None,
            f"records after seq {last_seq} are missing: the chain head is at seq {head_seq}",
        )
    if head_hash_seen is not None and head_hash_seen != head.hash:
        return checked, bad(head_seq, None, "the chain head's hash does not match the record at its seq")
    if head_hash_seen is None and head_seq not in checkpoints and head_seq != 0:
        return checked, bad(head_seq, None, "the chain head points at a record that is not in the chain")
    return checked, _verify_feedback(conn, tenant_id, slug)


def _verify_feedback(conn: Connection, tenant_id: str, slug: str | None) -> BadRecord | None:
    """Each feedback row must agree with the FEEDBACK ledger event that mirrors it."""
    stmt = (
        select(
            _feedback.c.id,
            _feedback.c.event_id,
            _feedback.c.action,
            _feedback.c.final_text,
            _events.c.id.label("ledger_id"),
            _events.c.seq,
            _events.c.kind,
            _events.c.input,
            _events.c.output,
        )
        .select_from(_feedback.outerjoin(_events, _events.c.id == _feedback.c.ledger_event_id))
        .where(_feedback.c.tenant_id == tenant_id)
    )
    for r in conn.execute(stmt, execution_options=_STREAM):
        inp = r.input if isinstance(r.input, dict) else {}
        out = r.output if isinstance(r.output, dict) else {}
        if (
            r.ledger_id is None
            or r.kind != AuditKind.FEEDBACK
            or inp.get("eventId") != r.event_id
            or out.get("action") != r.action
            or out.get("finalText") != r.final_text
        ):
            return BadRecord(
                tenant=tenant_id,
                tenant_slug=slug,
                seq=None if r.seq is None else int(r.seq),
                id=r.ledger_id,
                reason=f"audit_feedback row {r.id} does not match its FEEDBACK ledger event",
            )
    return None


def verify(target: Session | Engine | Connection, tenant_id: str | None = None) -> VerifyResult:
    """Re-compute the chain of one tenant (by id) or of every tenant; stops at the first bad record."""
    with connection_for(target) as conn:
        tenant_ids = {tenant_id} if tenant_id is not None else _ledger_tenants(conn)
        slugs = _slugs(conn, tenant_ids)
        checked = 0
        ordered = sorted(tenant_ids, key=lambda t: (slugs.get(t) or "", t))
        for tid in ordered:
            n, first_bad = _verify_tenant(conn, tid, slugs.get(tid))
            checked += n
            if first_bad is not None:
                return VerifyResult(ok=False, checked=checked, first_bad=first_bad, tenants=len(ordered))
        return VerifyResult(ok=True, checked=checked, first_bad=None, tenants=len(ordered))


def retention_cutoff(now: datetime, years: int) -> datetime:
    """``now`` minus ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def purge(
    session: Session,
    *,
    tenant_id: str | None = None,
    older_than: datetime,
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[PurgeResult]:
    """Delete, per tenant, the chain prefix recorded before ``older_than``; write a checkpoint first.

    Runs in the caller's transaction (the caller commits). Refuses (BadInput) to purge a prefix that fails
    verification, so a tampered record is never laundered into a checkpoint. Feedback rows of purged events
    are deleted with them. Returns one result per tenant with something to purge.
    """
    if older_than.tzinfo is None:
        raise BadInput("older_than must carry an offset")
    now = now or utcnow()
    conn = session.connection()
    tenant_ids = (
        {tenant_id}
        if tenant_id is not None
        else {tid for (tid,) in conn.execute(select(_events.c.tenant_id).distinct())}
    )
    slugs = _slugs(conn, tenant_ids)
    results = []
    for tid in sorted(tenant_ids, key=lambda t: (slugs.get(t) or "", t)):
        first_kept = conn.execute(
            select(func.min(_events.c.seq)).where(_events.c.tenant_id == tid, _events.c.at >= older_than)
        ).scalar()
        in_prefix = [_events.c.tenant_id == tid]
        if first_kept is not None:
            in_prefix.append(_events.c.seq < first_kept)
        count, last_seq = conn.execute(select(func.count(), func.max(_events.c.seq)).where(*in_prefix)).one()
        if not count:
            continue
        last_seq = int(last_seq)
        _, first_bad = _verify_tenant(conn, tid, slugs.get(tid), up_to_seq=last_seq)
        if first_bad is not None:
            raise BadInput(f"not purging: the ledger fails verification at {first_bad.describe()}")
        last_hash = conn.execute(
            select(_events.c.hash).where(_events.c.tenant_id == tid, _events.c.seq == last_seq)
        ).scalar_one()
        if not dry_run:
            conn.execute(
                insert(_checkpoints).values(
                    id=new_id(),
                    tenant_id=tid,
                    seq=last_seq,
                    hash=last_hash,
                    purged_count=int(count),
                    older_than=older_than,
                    at=now,
                )
            )
            purged_ids = select(_events.c.id).where(*in_prefix)
            conn.execute(
                delete(_feedback).where(_feedback.c.tenant_id == tid, _feedback.c.event_id.in_(purged_ids))
            )
            conn.execute(delete(_events).where(*in_prefix))
        results.append(
            PurgeResult(
                tenant_id=tid,
                tenant_slug=slugs.get(tid),
                purged=int(count),
                up_to_seq=last_seq,
                hash=last_hash,
                dry_run=dry_run,
            )
        )
    return results
