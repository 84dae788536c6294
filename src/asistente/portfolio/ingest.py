"""Portfolio sync: idempotent upsert of debtor records (GraphQL batches and JSON Lines files).

A record is upserted by `externalId` within the tenant: keys present overwrite, keys absent keep what is
stored. Accounts are upserted by their `externalId`; payments are deduplicated by reference (else by time
and amount), interactions and promises by their `externalId` (else by their natural keys), so importing the
same file twice changes nothing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from asistente.db import utcnow
from asistente.errors import BadInput, RecordRejection
from asistente.geo import jurisdiction_for
from asistente.ids import new_id
from asistente.portfolio import revisions
from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.portfolio.repository import PortfolioRepository
from asistente.portfolio.segmentation import AccountFacts, PromiseFacts, segment
from asistente.portfolio.validation import parse_date, parse_instant, record_errors
from asistente.tenants.service import tenant_by_slug

CHUNK = 1000
MAX_REPORTED_REJECTIONS = 1000

_DEBTOR_FIELDS = {
    "fullName": "full_name",
    "language": "language",
    "jurisdiction": "jurisdiction",
    "timezone": "timezone",
    "addresses": "addresses",
    "phones": "phones",
    "emails": "emails",
    "birthDate": "birth_date",
    "authorizedChannels": "authorized_channels",
    "optedOutChannels": "opted_out_channels",
    "ceaseContact": "cease_contact",
    "representedByAttorney": "represented_by_attorney",
    "attributes": "attributes",
}
_ACCOUNT_FIELDS = {
    "product": "product",
    "creditor": "creditor",
    "currency": "currency",
    "principal": "principal",
    "balance": "balance",
    "daysPastDue": "days_past_due",
    "dueDate": "due_date",
    "minimumDue": "minimum_due",
    "inLitigation": "in_litigation",
    "disputed": "disputed",
    "timeBarred": "time_barred",
}


@dataclass
class UpsertResult:
    debtor_ids: list[str | None] = field(default_factory=list)  # per input index; None when rejected
    rejections: list[RecordRejection] = field(default_factory=list)
    created: int = 0
    updated: int = 0


def _debtor_values(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, col in _DEBTOR_FIELDS.items():
        if key in rec:
            value = rec[key]
            if key == "birthDate":
                value = parse_date(value, key)
            elif key == "addresses":
                value = [dict(a) for a in value]
            elif key == "phones":
                value = [{"number": p["number"], "kind": p.get("kind", "MOBILE")} for p in value]
            elif key == "emails":
                value = [{"address": e["address"], "kind": e.get("kind", "PERSONAL")} for e in value]
            out[col] = value
    if "jurisdiction" not in rec and (rec.get("addresses") or rec.get("phones")):
        out["jurisdiction"] = jurisdiction_for(rec.get("addresses", ()), rec.get("phones", ()))
    return out


def _record_segment(rec: dict[str, Any], now: Any) -> dict[str, Any]:
    """Segment and risk of a NEW debtor computed from the record alone (nothing else is stored for it yet),
    the same pure function the card uses, without reading back what was just written."""
    accounts = [
        AccountFacts(
            a["currency"],
            Decimal(a["balance"]),
            a.get("daysPastDue", 0),
            a.get("disputed", False),
            a.get("inLitigation", False),
            a.get("timeBarred", False),
        )
        for a in rec.get("accounts", ())
    ]
    promises = [
        PromiseFacts(p.get("status", "PENDING"), parse_date(p["dueDate"], "dueDate"))
        for p in rec.get("promises", ())
    ]
    paid = [
        parse_instant(pay["paidAt"], "paidAt")
        for a in rec.get("accounts", ())
        for pay in a.get("payments", ())
    ]
    seg = segment(accounts, promises, paid, now.date())
    return {"segment_code": seg.code, "risk_level": seg.risk_level}


def _account_values(acc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, col in _ACCOUNT_FIELDS.items():
        if key in acc:
            value = acc[key]
            if key in ("principal", "balance", "minimumDue"):
                value = Decimal(value)
            elif key == "dueDate":
                value = parse_date(value, key)
            out[col] = value
    return out


def _sqlite_datetime(value: datetime) -> str:
    return (value.astimezone(UTC) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_converters(table: Any, columns: list[str]) -> list[Any]:
    """Per column, how a Python value is stored on SQLite, in the formats SQLAlchemy itself uses
    (db.UTCDateTime, Date, MoneyType as text, JSON, Boolean as 0/1); None for values stored as they are.
    Rows inserted by `_insert_rows` therefore read back exactly like rows inserted through the ORM."""
    from sqlalchemy import JSON, Boolean, Date

    from asistente.db import MoneyType, UTCDateTime

    out: list[Any] = []
    for name in columns:
        col_type = table.c[name].type
        if isinstance(col_type, UTCDateTime):
            out.append(_sqlite_datetime)
        elif isinstance(col_type, MoneyType):
            out.append(str)
        elif isinstance(col_type, JSON):
            out.append(json.dumps)
        elif isinstance(col_type, Boolean):
            out.append(int)
        elif isinstance(col_type, Date):
            out.append(date.isoformat)
        else:
            out.append(None)
    return out


def _insert_rows(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk INSERT. On SQLite the rows are serialised once here and handed to the driver's executemany,
    skipping SQLAlchemy's per-parameter processing (a third of an import's time); elsewhere, Core insert."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    converters = list(zip(columns, _sqlite_converters(table, columns), strict=True))
    sql = (
        f'INSERT INTO "{table.name}" ('
        + ", ".join(f'"{c}"' for c in columns)
        + ") VALUES ("
        + ", ".join("?" for _ in columns)
        + ")"
    )
    params = [
        tuple(row[c] if f is None or row[c] is None else f(row[c]) for c, f in converters) for row in rows
    ]
    conn.exec_driver_sql(sql, params)


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _bulk_update(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """UPDATE by primary key, grouped by the set of columns each row sets."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        session.execute(update(model), group)


def upsert_records(
    session: Session,
    tenant_id: str,
    records: Sequence[dict[str, Any]],
    *,
    validated: bool = False,
    index_base: int = 0,
) -> UpsertResult:
    """Upsert a batch; a rejected record keeps nothing, the others are stored (caller commits)."""
    result = UpsertResult(debtor_ids=[None] * len(records))
    good: list[tuple[int, dict[str, Any]]] = []
    seen_debtors: dict[str, int] = {}
    seen_accounts: dict[str, str] = {}
    for i, rec in enumerate(records):
        reasons = [] if validated else record_errors(rec)
        if not reasons:
            ext = rec["externalId"]
            if ext in seen_debtors:
                reasons.append(
                    f"externalId: {ext!r} appears again (first at index {seen_debtors[ext] + index_base})"
                )
            for acc in rec.get("accounts", ()):
                owner = seen_accounts.get(acc["externalId"])
                if owner is not None and owner != ext:
                    reasons.append(f"accounts: {acc['externalId']!r} is also given for debtor {owner!r}")
        if reasons:
            result.rejections.append(
                RecordRejection(
                    index=i + index_base,
                    reasons=reasons,
                    external_id=rec.get("externalId") if isinstance(rec, dict) else None,
                )
            )
            continue
        seen_debtors[rec["externalId"]] = i
        for acc in rec.get("accounts", ()):
            seen_accounts[acc["externalId"]] = rec["externalId"]
        good.append((i, rec))
    if not good:
        return result

    for chunk in _chunks(good, CHUNK):
        _upsert_chunk(session, tenant_id, chunk, result, index_base)
    result.rejections.sort(key=lambda r: r.index)
    return result


def _upsert_chunk(
    session: Session,
    tenant_id: str,
    chunk: Sequence[tuple[int, dict[str, Any]]],
    result: UpsertResult,
    index_base: int,
) -> None:
    now = utcnow()
    ext_ids = [rec["externalId"] for _, rec in chunk]
    existing = dict(
        session.execute(
            select(Debtor.external_id, Debtor.id).where(
                Debtor.tenant_id == tenant_id, Debtor.external_id.in_(ext_ids)
            )
        ).all()
    )
    acc_ext = [a["externalId"] for _, rec in chunk for a in rec.get("accounts", ())]
    existing_acc: dict[str, tuple[str, str]] = {}
    if acc_ext:
        for ext, acc_id, debtor_id in session.execute(
            select(Account.external_id, Account.id, Account.debtor_id).where(
                Account.tenant_id == tenant_id, Account.external_id.in_(acc_ext)
            )
        ):
            existing_acc[ext] = (acc_id, debtor_id)

    debtor_inserts: list[dict[str, Any]] = []
    debtor_updates: list[dict[str, Any]] = []
    account_inserts: list[dict[str, Any]] = []
    account_updates: list[dict[str, Any]] = []
    pending: list[
        tuple[str, dict[str, Any], dict[str, str], bool]
    ] = []  # debtor id, record, account ids, is_new

    for i, rec in chunk:
        debtor_id = existing.get(rec["externalId"])
        is_new = debtor_id is None
        reasons = []
        account_ids: dict[str, str] = {}
        for acc in rec.get("accounts", ()):
            found = existing_acc.get(acc["externalId"])
            if found is not None:
                if is_new or found[1] != debtor_id:
                    reasons.append(f"accounts: {acc['externalId']!r} already belongs to another debtor")
                account_ids[acc["externalId"]] = found[0]
        if reasons:
            result.rejections.append(
                RecordRejection(index=i + index_base, reasons=reasons, external_id=rec["externalId"])
            )
            continue
        values = _debtor_values(rec)
        if is_new:
            debtor_id = new_id()
            debtor_inserts.append(
                {
                    "id": debtor_id,
                    "tenant_id": tenant_id,
                    "external_id": rec["externalId"],
                    "language": "es",
                    "addresses": [],
                    "phones": [],
                    "emails": [],
                    "authorized_channels": [],
                    "opted_out_channels": [],
                    "cease_contact": False,
                    "represented_by_attorney": False,
                    "attributes": {},
                    "jurisdiction": None,
                    "timezone": None,
                    "birth_date": None,
                    "created_at": now,
                    "updated_at": now,
                    **values,
                    **_record_segment(rec, now),
                }
            )
            result.created += 1
        else:
            debtor_updates.append({"id": debtor_id, "updated_at": now, **values})
            result.updated += 1
        for acc in rec.get("accounts", ()):
            avals = _account_values(acc)
            if acc["externalId"] in account_ids:
                account_updates.append({"id": account_ids[acc["externalId"]], "updated_at": now, **avals})
            else:
                acc_id = new_id()
                account_ids[acc["externalId"]] = acc_id
                account_inserts.append(
                    {
                        "id": acc_id,
                        "tenant_id": tenant_id,
                        "debtor_id": debtor_id,
                        "external_id": acc["externalId"],
                        "days_past_due": 0,
                        "due_date": None,
                        "minimum_due": None,
                        "creditor": None,
                        "in_litigation": False,
                        "disputed": False,
                        "time_barred": False,
                        "created_at": now,
                        "updated_at": now,
                        **avals,
                    }
                )
        result.debtor_ids[i] = debtor_id
        pending.append((debtor_id, rec, account_ids, is_new))

    if debtor_inserts:
        _insert_rows(session, Debtor.__table__, debtor_inserts)
    if debtor_updates:
        _bulk_update(session, Debtor, debtor_updates)
        revisions.bump(session, [row["id"] for row in debtor_updates])  # cached cards follow
    if account_inserts:
        _insert_rows(session, Account.__table__, account_inserts)
    if account_updates:
        _bulk_update(session, Account, account_updates)
    _insert_history(session, tenant_id, pending, now)
    updated = [p[0] for p in pending if not p[3]]
    if updated:  # new debtors got their segment from the record itself (see _record_segment)
        session.flush()
        PortfolioRepository(session, tenant_id).refresh_segments(updated, now=now)


def _insert_history(
    session: Session,
    tenant_id: str,
    pending: Sequence[tuple[str, dict[str, Any], dict[str, str], bool]],
    now: Any,
) -> None:
    old_debtors = [d for d, _, _, is_new in pending if not is_new]
    known_pay: set[tuple[str, str]] = set()
    known_pay_natural: set[tuple[str, Any, Decimal]] = set()
    known_int: set[tuple[str, str]] = set()
    known_int_natural: set[tuple[str, Any, str, str]] = set()
    known_prom: set[tuple[str, str]] = set()
    known_prom_natural: set[tuple[str, Any, Decimal]] = set()
    known_accounts: dict[tuple[str, str], str] = {}
    if old_debtors:
        for acc_id, ref, paid_at, amount in session.execute(
            select(Payment.account_id, Payment.reference, Payment.paid_at, Payment.amount).where(
                Payment.debtor_id.in_(old_debtors)
            )
        ):
            if ref is not None:
                known_pay.add((acc_id, ref))
            known_pay_natural.add((acc_id, paid_at, Decimal(amount)))
        for d, ext, at, channel, direction in session.execute(
            select(
                Interaction.debtor_id,
                Interaction.external_id,
                Interaction.at,
                Interaction.channel,
                Interaction.direction,
            ).where(Interaction.debtor_id.in_(old_debtors))
        ):
            if ext is not None:
                known_int.add((d, ext))
            known_int_natural.add((d, at, channel, direction))
        for d, ext, due, amount in session.execute(
            select(Promise.debtor_id, Promise.external_id, Promise.due_date, Promise.amount).where(
                Promise.debtor_id.in_(old_debtors)
            )
        ):
            if ext is not None:
                known_prom.add((d, ext))
            known_prom_natural.add((d, due, Decimal(amount)))
        for d, ext, acc_id in session.execute(
            select(Account.debtor_id, Account.external_id, Account.id).where(
                Account.debtor_id.in_(old_debtors)
            )
        ):
            known_accounts[(d, ext)] = acc_id

    payments: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    promises: list[dict[str, Any]] = []
    for debtor_id, rec, account_ids, _ in pending:
        for acc in rec.get("accounts", ()):
            acc_id = account_ids[acc["externalId"]]
            for pay in acc.get("payments", ()):
                paid_at = parse_instant(pay["paidAt"], "paidAt")
                amount = Decimal(pay["amount"])
                ref = pay.get("reference")
                if (ref is not None and (acc_id, ref) in known_pay) or (
                    ref is None and (acc_id, paid_at, amount) in known_pay_natural
                ):
                    continue
                payments.append(
                    {
                        "id": new_id(),
                        "tenant_id": tenant_id,
                        "debtor_id": debtor_id,
                        "account_id": acc_id,
                        "amount": amount,
                        "currency": acc["currency"],
                        "paid_at": paid_at,
                        "reference": ref,
                        "created_at": now,
                    }
                )
        for it in rec.get("interactions", ()):
            at = parse_instant(it["at"], "at")
            ext = it.get("externalId")
            if (ext is not None and (debtor_id, ext) in known_int) or (
                ext is None and (debtor_id, at, it["channel"], it["direction"]) in known_int_natural
            ):
                continue
            interactions.append(
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "debtor_id": debtor_id,
                    "external_id": ext,
                    "agent_id": None,
                    "channel": it["channel"],
                    "direction": it["direction"],
                    "at": at,
                    "outcome": it["outcome"],
                    "recipient_role": it.get("recipientRole", "DEBTOR"),
                    "destination": it.get("destination"),
                    "opt_out_requested": it.get("optOutRequested", False),
                    "note": it.get("note"),
                    "created_at": now,
                }
            )
        for pr in rec.get("promises", ()):
            due = parse_date(pr["dueDate"], "dueDate")
            amount = Decimal(pr["amount"])
            ext = pr.get("externalId")
            if (ext is not None and (debtor_id, ext) in known_prom) or (
                ext is None and (debtor_id, due, amount) in known_prom_natural
            ):
                continue
            acc_ext = pr.get("accountExternalId")
            acc_id = None
            if acc_ext is not None:
                acc_id = account_ids.get(acc_ext) or known_accounts.get((debtor_id, acc_ext))
            promises.append(
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "debtor_id": debtor_id,
                    "account_id": acc_id,
                    "external_id": ext,
                    "amount": amount,
                    "currency": pr["currency"],
                    "promised_at": parse_instant(pr["promisedAt"], "promisedAt")
                    if "promisedAt" in pr
                    else now,
                    "due_date": due,
                    "status": pr.get("status", "PENDING"),
                    "resolved_at": None,
                    "created_at": now,
                }
            )
    if payments:
        _insert_rows(session, Payment.__table__, payments)
    if interactions:
        _insert_rows(session, Interaction.__table__, interactions)
    if promises:
        _insert_rows(session, Promise.__table__, promises)


# ---------------------------------------------------------------- JSON Lines files


@dataclass
class ImportResult:
    records: int = 0
    debtors_created: int = 0
    debtors_updated: int = 0
    rejections: list[RecordRejection] = field(default_factory=list)
    more_rejections: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def _lines(path: Path, progress: bool, desc: str) -> Iterator[tuple[int, str]]:
    size = path.stat().st_size
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=size, unit="B", unit_scale=True, desc=desc, leave=False)
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if bar is not None:
                bar.update(len(raw))
            yield lineno, raw.decode("utf-8", errors="strict") if raw.strip() else ""
    if bar is not None:
        bar.close()


def parse_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Any, str | None]]:
    for lineno, line in lines:
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield lineno, None, f"not valid JSON: {exc.msg} at column {exc.colno}"


PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, a second process costs more than it saves


def _validate_block(block: list[tuple[int, str]]) -> list[tuple[int, Any, list[str]]]:
    """Parse and validate a block of lines (runs in the validation process)."""
    out: list[tuple[int, Any, list[str]]] = []
    for lineno, rec, error in parse_lines(block):
        out.append((lineno, rec, [error] if error else record_errors(rec)))
    return out


def _checked(lines: Iterable[tuple[int, str]], *, parallel: bool) -> Iterator[tuple[int, Any, list[str]]]:
    """(line number, record, reasons) in file order. With `parallel`, a second process parses and validates
    the next blocks while this one writes, so validation and writing overlap on two cores."""
    if not parallel:
        for lineno, rec, error in parse_lines(lines):
            yield lineno, rec, [error] if error else record_errors(rec)
        return
    ctx = multiprocessing.get_context("spawn")  # no inherited database handles in the child
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        pending: deque[Any] = deque()
        block: list[tuple[int, str]] = []
        for item in lines:
            block.append(item)
            if len(block) >= CHUNK:
                pending.append(pool.submit(_validate_block, block))
                block = []
                if len(pending) > 3:
                    yield from pending.popleft().result()
        if block:
            pending.append(pool.submit(_validate_block, block))
        while pending:
            yield from pending.popleft().result()


def import_jsonl_file(
    factory: sessionmaker[Session], path: str | Path, *, tenant_slug: str, progress: bool = True
) -> ImportResult:
    """Import a JSON Lines file all-or-nothing, in one pass and one transaction.

    Records are validated and written in chunks inside a single transaction; the first bad line stops
    the writing (what was written is rolled back at the end) while the rest of the file is still checked,
    so the operator gets every bad line with its reason in one run and nothing is stored.
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    result = ImportResult()
    with factory() as s:
        tenant_id = tenant_by_slug(s, tenant_slug).id
    seen: dict[str, int] = {}
    with factory() as s:
        try:
            batch: list[dict[str, Any]] = []
            linenos: list[int] = []
            try:
                parallel = path.stat().st_size >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1
                for lineno, rec, reasons in _checked(_lines(path, progress, "importing"), parallel=parallel):
                    result.records += 1
                    if not reasons:
                        first = seen.setdefault(rec["externalId"], lineno)
                        if first != lineno:
                            reasons = [f"externalId: {rec['externalId']!r} already given on line {first}"]
                    if reasons:
                        _reject(result, RecordRejection(index=lineno, reasons=reasons))
                        batch, linenos = [], []
                        continue
                    if result.rejections:
                        continue  # nothing more will be written; keep checking
                    batch.append(rec)
                    linenos.append(lineno)
                    if len(batch) >= CHUNK:
                        _import_batch(s, tenant_id, batch, linenos, result)
                        batch, linenos = [], []
            except UnicodeDecodeError as exc:
                _reject(
                    result,
                    RecordRejection(
                        index=result.records + 1, reasons=[f"the file is not UTF-8: {exc.reason}"]
                    ),
                )
            if batch and not result.rejections:
                _import_batch(s, tenant_id, batch, linenos, result)
            if result.rejections:
                s.rollback()
                result.debtors_created = result.debtors_updated = 0
            else:
                s.commit()
        except BaseException:
            s.rollback()
            raise
    result.seconds = time.perf_counter() - started
    return result


def _reject(result: ImportResult, rejection: RecordRejection) -> None:
    if len(result.rejections) < MAX_REPORTED_REJECTIONS:
        result.rejections.append(rejection)
    else:
        result.more_rejections += 1


def _import_batch(
    s: Session, tenant_id: str, batch: list[dict[str, Any]], linenos: list[int], result: ImportResult
) -> None:
    out = upsert_records(s, tenant_id, batch, validated=True)
    for rej in out.rejections:
        _reject(
            result,
            RecordRejection(index=linenos[rej.index], reasons=rej.reasons, external_id=rej.external_id),
        )
    result.debtors_created += out.created
    result.debtors_updated += out.updated
