"""Streaming export of the ledger as JSON Lines or CSV (rows are fetched in batches, never all at once).

Each record carries the fields an independent verifier needs (see ``chain.py``), in the API's camelCase:
``id, tenantId, tenantSlug, seq, kind, actorId, actorRole, debtorId, callId, input, output, versions, at,
prevHash, hash``. ``at`` is exactly the string that was hashed ("YYYY-MM-DDTHH:MM:SS.ffffffZ"). Records are
ordered by tenant slug, then seq. In CSV, input/output/versions are canonical JSON text.

Mapping to the hashed object: tenant=tenantId, actor=actorId, actor_role=actorRole, debtor=debtorId,
call=callId, prev_hash=prevHash; the other names are the same.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from asistente.audit.chain import canonical_json, format_instant
from asistente.audit.integrity import connection_for
from asistente.audit.models import AuditEvent
from asistente.errors import BadInput
from asistente.tenants.models import Tenant

FORMATS = ("jsonl", "csv")
COLUMNS = [
    "id",
    "tenantId",
    "tenantSlug",
    "seq",
    "kind",
    "actorId",
    "actorRole",
    "debtorId",
    "callId",
    "input",
    "output",
    "versions",
    "at",
    "prevHash",
    "hash",
]
_JSON_COLUMNS = ("input", "output", "versions")


def iter_records(
    target: Session | Engine | Connection,
    *,
    tenant_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    batch_size: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Export records one by one (``since`` inclusive, ``until`` exclusive), streamed from the database."""
    e = AuditEvent.__table__
    t = Tenant.__table__
    stmt = select(e, t.c.slug.label("tenant_slug")).select_from(e.outerjoin(t, t.c.id == e.c.tenant_id))
    if tenant_id is not None:
        stmt = stmt.where(e.c.tenant_id == tenant_id)
    if since is not None:
        stmt = stmt.where(e.c.at >= since)
    if until is not None:
        stmt = stmt.where(e.c.at < until)
    stmt = stmt.order_by(t.c.slug, e.c.tenant_id, e.c.seq)
    with connection_for(target) as conn:
        result = conn.execute(stmt, execution_options={"yield_per": batch_size})
        try:
            for r in result:
                yield {
                    "id": r.id,
                    "tenantId": r.tenant_id,
                    "tenantSlug": r.tenant_slug,
                    "seq": int(r.seq),
                    "kind": r.kind,
                    "actorId": r.actor_id,
                    "actorRole": r.actor_role,
                    "debtorId": r.debtor_id,
                    "callId": r.call_id,
                    "input": r.input,
                    "output": r.output,
                    "versions": r.versions,
                    "at": format_instant(r.at),
                    "prevHash": r.prev_hash,
                    "hash": r.hash,
                }
        finally:
            result.close()


def export_events(
    target: Session | Engine | Connection,
    out: TextIO,
    *,
    fmt: str = "jsonl",
    tenant_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Write the export to ``out``; returns the number of records written."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown export format {fmt!r} (use jsonl or csv)")
    records = iter_records(target, tenant_id=tenant_id, since=since, until=until)
    count = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for rec in records:
        for col in _JSON_COLUMNS:
            rec[col] = canonical_json(rec[col])
        writer.writerow(rec)
        count += 1
    return count
