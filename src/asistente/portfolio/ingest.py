"""Portfolio sync: idempotent upsert of debtor records (GraphQL batches and JSON Lines files).

A record is upserted by `externalId` within the tenant: keys present overwrite, keys absent keep what is
stored. Accounts are upserted by their `externalId`; payments are deduplicated by reference (else by time
and amount), interactions and promises by their `externalId` (else by their natural keys), so importing the
same file twice changes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from asistente.db import refresh_statistics
from asistente.errors import BadInput, RecordRejection
from asistente.geo import jurisdiction_for, resolve_region
from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.portfolio.segmentation import segment_code_and_risk
from asistente.portfolio.validation import (
    apply_schema_defaults,
    parse_date,
    parse_instant,
    record_errors,
)
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
    unchanged: int = 0  # stored debtors whose record is the same as the one last imported


def _same(value: Any) -> Any:
    return value


def _sqlite_datetime(value: datetime) -> str:
    """db.UTCDateTime's SQLite text: UTC, naive, always with microseconds (so text order is time order)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _json_text(value: Any) -> str:
    """SQLite text of a JSON column whose content is plain strings (addresses, phones, e-mails, channels):
    orjson, falling back to the standard library for what orjson refuses (e.g. lone surrogates)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


@dataclass(frozen=True)
class _Codec:
    """How the importer hands values to the database. On SQLite the rows go straight to the driver's
    executemany (`_insert_rows`, `_update_rows`), so each value is converted here, once, to the storage
    form SQLAlchemy itself uses (db.UTCDateTime text, MoneyType text, ISO dates, JSON text; booleans are
    ints to sqlite3 already), and rows read back exactly like rows written through the ORM. Elsewhere
    values stay Python objects and SQLAlchemy's Core statements convert them."""

    sqlite: bool
    json: Any  # JSON columns holding plain strings
    json_any: Any  # free-form JSON (attributes): the standard library, exactly SQLAlchemy's serialiser
    money: Any
    day: Any
    instant: Any


_SQLITE = _Codec(True, _json_text, json.dumps, str, date.isoformat, _sqlite_datetime)
_PYTHON = _Codec(False, _same, _same, _same, _same, _same)


def _codec(session: Session) -> _Codec:
    return _SQLITE if session.connection().dialect.name == "sqlite" else _PYTHON


class _Ids:
    """Random (version 4) UUID strings, the same as `asistente.ids.new_id` gives, from one `os.urandom` call
    per 1,024 ids instead of one per id. One instance per call of `upsert_records`: never shared across a
    fork, so no two processes hand out the same buffered bytes."""

    def __init__(self) -> None:
        self._buffer: list[str] = []

    def __call__(self) -> str:
        if not self._buffer:
            n = 1024
            raw = bytearray(os.urandom(16 * n))
            raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])  # version 4
            raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])  # RFC 4122 variant
            h = raw.hex()
            self._buffer = [
                f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
                for i in range(0, 32 * n, 32)
            ]
        return self._buffer.pop()


@lru_cache(maxsize=1024)
def _address_region(country: Any, region: Any) -> tuple[str | None, str | None]:
    return resolve_region({"country": country, "region": region})


def _jurisdiction(addresses: Sequence[dict[str, Any]], phones: Sequence[dict[str, Any]]) -> str | None:
    """`geo.jurisdiction_for`, with the region lookup of an address cached by (country, region): the
    name normalisation behind it costs more than everything else the writer does for a debtor."""
    for address in addresses:
        try:
            country, region = _address_region(address.get("country"), address.get("region"))
        except TypeError:  # unhashable: not from a validated record, take the plain path
            return jurisdiction_for(addresses, phones)
        if country is None:
            continue
        if country == "US" and region is not None:
            return f"US-{region}"
        return country
    return jurisdiction_for((), phones)


def _debtor_values(rec: dict[str, Any], codec: _Codec = _PYTHON) -> dict[str, Any]:
    """The debtor columns a record sets (keys present overwrite, keys absent keep what is stored)."""
    out: dict[str, Any] = {}
    if "fullName" in rec:
        out["full_name"] = rec["fullName"]
    if "language" in rec:
        out["language"] = rec["language"]
    if "jurisdiction" in rec:
        out["jurisdiction"] = rec["jurisdiction"]
    elif rec.get("addresses") or rec.get("phones"):
        out["jurisdiction"] = _jurisdiction(rec.get("addresses", ()), rec.get("phones", ()))
    if "timezone" in rec:
        out["timezone"] = rec["timezone"]
    if "addresses" in rec:
        out["addresses"] = codec.json([dict(a) for a in rec["addresses"]])
    if "phones" in rec:
        out["phones"] = codec.json(
            [{"number": p["number"], "kind": p.get("kind", "MOBILE")} for p in rec["phones"]]
        )
    if "emails" in rec:
        out["emails"] = codec.json(
            [{"address": e["address"], "kind": e.get("kind", "PERSONAL")} for e in rec["emails"]]
        )
    if "birthDate" in rec:
        out["birth_date"] = codec.day(parse_date(rec["birthDate"], "birthDate"))
    if "authorizedChannels" in rec:
        out["authorized_channels"] = codec.json(rec["authorizedChannels"])
    if "optedOutChannels" in rec:
        out["opted_out_channels"] = codec.json(rec["optedOutChannels"])
    if "ceaseContact" in rec:
        out["cease_contact"] = rec["ceaseContact"]
    if "representedByAttorney" in rec:
        out["represented_by_attorney"] = rec["representedByAttorney"]
    if "attributes" in rec:
        out["attributes"] = codec.json_any(rec["attributes"])
    return out


def _record_segment(rec: dict[str, Any], today: date) -> tuple[str, str]:
    """Segment code and risk level of a NEW debtor computed from the record alone (nothing else is stored
    for it yet), by the same rules as `segment`, without reading back what was just written."""
    return segment_code_and_risk(
        [(a["currency"], Decimal(a["balance"]), a.get("daysPastDue", 0)) for a in rec.get("accounts", ())],
        [(p.get("status", "PENDING"), parse_date(p["dueDate"], "dueDate")) for p in rec.get("promises", ())],
        [
            parse_instant(pay["paidAt"], "paidAt")
            for a in rec.get("accounts", ())
            for pay in a.get("payments", ())
        ],
        today,
    )


def _account_values(acc: dict[str, Any], codec: _Codec = _PYTHON) -> dict[str, Any]:
    """The account columns a record's account sets (every key of `_ACCOUNT_FIELDS` that is present)."""
    out: dict[str, Any] = {}
    for key, col in _ACCOUNT_FIELDS.items():
        if key in acc:
            out[col] = acc[key]
    money = codec.money
    for col in ("principal", "balance", "minimum_due"):
        if col in out:
            out[col] = money(Decimal(out[col]))
    if "due_date" in out:
        out["due_date"] = codec.day(parse_date(out["due_date"], "dueDate"))
    return out


@lru_cache(maxsize=64)
def _insert_sql(table_name: str, columns: tuple[str, ...]) -> str:
    return (
        f'INSERT INTO "{table_name}" ('
        + ", ".join(f'"{c}"' for c in columns)
        + ") VALUES ("
        + ", ".join("?" for _ in columns)
        + ")"
    )


def _insert_rows(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk INSERT of rows that all have the same keys. On SQLite the values are already in storage form
    (see `_Codec`) and go straight to the driver's executemany, skipping SQLAlchemy's per-parameter
    processing; elsewhere, a Core insert."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        session.execute(insert(table), rows)
        return
    columns = tuple(rows[0])
    conn.exec_driver_sql(_insert_sql(table.name, columns), list(map(itemgetter(*columns), rows)))


def debtor_update_statement() -> Any:
    """THE UPDATE of a stored debtor on the import's update path, on every dialect: by primary key (bind
    `b_id`), setting the columns present in the rows (`_update_rows`: the record's values, `updated_at`, the
    segment code and risk level) and moving the card revision (cached cards follow, see
    asistente.portfolio.revisions). Whatever every such update must also do belongs here, once: constant
    binds are carried over on SQLite too."""
    t = Debtor.__table__
    return update(t).where(t.c.id == bindparam("b_id")).values(card_revision=t.c.card_revision + 1)


def _account_update_statement() -> Any:
    t = Account.__table__
    return update(t).where(t.c.id == bindparam("b_id"))


def _update_rows(session: Session, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """Executemany of an UPDATE ... WHERE id = :b_id whose SET columns are the other keys of the rows,
    grouped by key set. On SQLite the statement is compiled once per group and its rows (storage form, see
    `_Codec`) go straight to the driver's executemany; elsewhere, a Core executemany."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    conn = session.connection()
    for keys, group in groups.items():
        if conn.dialect.name != "sqlite":
            session.execute(stmt, group)
            continue
        compiled = stmt.compile(dialect=conn.dialect, column_keys=[k for k in keys if k != "b_id"])
        names = list(compiled.positiontup)
        constants = {n: compiled.params[n] for n in names if n not in keys}
        for n, value in constants.items():
            if value is None or type(value).__name__ == "symbol":  # a bind nobody gives a value
                raise RuntimeError(f"{compiled}: no value for {n!r} in the rows")
        if constants:
            group = [{**row, **constants} for row in group]
        conn.exec_driver_sql(str(compiled), list(map(itemgetter(*names), group)))


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def upsert_records(
    session: Session,
    tenant_id: str,
    records: Sequence[dict[str, Any]],
    *,
    now: datetime,
    validated: bool = False,
    index_base: int = 0,
) -> UpsertResult:
    """Upsert a batch; a rejected record keeps nothing, the others are stored (caller commits). `now` is
    the instant stamped on the rows and the day segments are computed for (never read here)."""
    if now.tzinfo is None:
        raise ValueError("upsert_records: `now` must carry a time zone")
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

    codec = _codec(session)
    new_id = _Ids()
    for chunk in _chunks(good, CHUNK):
        _upsert_chunk(session, tenant_id, chunk, result, index_base, codec, new_id, now)
    result.rejections.sort(key=lambda r: r.index)
    return result


_DEBTOR_DEFAULTS = {
    "language": "es",
    "jurisdiction": None,
    "timezone": None,
    "addresses": [],
    "phones": [],
    "emails": [],
    "birth_date": None,
    "authorized_channels": [],
    "opted_out_channels": [],
    "cease_contact": False,
    "represented_by_attorney": False,
    "attributes": {},
}
_ACCOUNT_DEFAULTS = {
    "creditor": None,
    "days_past_due": 0,
    "due_date": None,
    "minimum_due": None,
    "in_litigation": False,
    "disputed": False,
    "time_barred": False,
}


def record_fingerprint(rec: dict[str, Any]) -> str:
    """A fingerprint of a record's content (key order does not matter): equal for an unchanged record."""
    try:
        data = orjson.dumps(rec, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):  # integers past 64 bits
        data = json.dumps(rec, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _debtor_defaults(codec: _Codec) -> dict[str, Any]:
    out = dict(_DEBTOR_DEFAULTS)
    for col in ("addresses", "phones", "emails", "authorized_channels", "opted_out_channels"):
        out[col] = codec.json([])
    out["attributes"] = codec.json_any({})
    return out


def _upsert_chunk(
    session: Session,
    tenant_id: str,
    chunk: Sequence[tuple[int, dict[str, Any]]],
    result: UpsertResult,
    index_base: int,
    codec: _Codec,
    new_id: Any,
    now: datetime,
) -> None:
    today = now.date()
    stamp = codec.instant(now)
    ext_ids = [rec["externalId"] for _, rec in chunk]
    existing: dict[str, str] = {}
    stored_hash: dict[str, str | None] = {}
    for ext, debtor_id, fingerprint in session.execute(
        select(Debtor.external_id, Debtor.id, Debtor.import_hash).where(
            Debtor.tenant_id == tenant_id, Debtor.external_id.in_(ext_ids)
        )
    ):
        existing[ext] = debtor_id
        stored_hash[debtor_id] = fingerprint
    acc_ext = [a["externalId"] for _, rec in chunk for a in rec.get("accounts", ())]
    existing_acc: dict[str, tuple[str, str]] = {}
    if acc_ext:
        for ext, acc_id, debtor_id in session.execute(
            select(Account.external_id, Account.id, Account.debtor_id).where(
                Account.tenant_id == tenant_id, Account.external_id.in_(acc_ext)
            )
        ):
            existing_acc[ext] = (acc_id, debtor_id)

    debtor_defaults = _debtor_defaults(codec)
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
        fingerprint = record_fingerprint(rec)
        if not is_new and stored_hash.get(debtor_id) == fingerprint:
            result.debtor_ids[i] = debtor_id  # the same record as last time: nothing to change
            result.unchanged += 1
            continue
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
        values = _debtor_values(rec, codec)
        if is_new:
            debtor_id = new_id()
            code, risk = _record_segment(rec, today)
            debtor_inserts.append(
                {
                    "id": debtor_id,
                    "tenant_id": tenant_id,
                    "external_id": rec["externalId"],
                    "full_name": None,
                    **debtor_defaults,
                    "created_at": stamp,
                    "updated_at": stamp,
                    **values,
                    "segment_code": code,
                    "risk_level": risk,
                    "import_hash": fingerprint,
                }
            )
            result.created += 1
        else:
            # segment_code and risk_level are added once everything else of the chunk is written
            debtor_updates.append(
                {"b_id": debtor_id, "updated_at": stamp, "import_hash": fingerprint, **values}
            )
            result.updated += 1
        for acc in rec.get("accounts", ()):
            avals = _account_values(acc, codec)
            if acc["externalId"] in account_ids:
                account_updates.append({"b_id": account_ids[acc["externalId"]], "updated_at": stamp, **avals})
            else:
                acc_id = new_id()
                account_ids[acc["externalId"]] = acc_id
                account_inserts.append(
                    {
                        "id": acc_id,
                        "tenant_id": tenant_id,
                        "debtor_id": debtor_id,
                        "external_id": acc["externalId"],
                        "product": None,
                        "currency": None,
                        "principal": None,
                        "balance": None,
                        **_ACCOUNT_DEFAULTS,
                        "created_at": stamp,
                        "updated_at": stamp,
                        **avals,
                    }
                )
        result.debtor_ids[i] = debtor_id
        pending.append((debtor_id, rec, account_ids, is_new))

    if debtor_inserts:
        _insert_rows(session, Debtor.__table__, debtor_inserts)
    if account_inserts:
        _insert_rows(session, Account.__table__, account_inserts)
    if account_updates:
        _update_rows(session, _account_update_statement(), account_updates)
    _insert_history(session, tenant_id, pending, now, codec, new_id)
    if debtor_updates:
        # New debtors got their segment from the record itself (`_record_segment`); a stored debtor's
        # depends on what is stored, so it is computed now that the chunk's accounts, payments and
        # promises are written, and goes into the one UPDATE of the debtor row.
        segments = _stored_segments(session, tenant_id, [row["b_id"] for row in debtor_updates], today)
        for row in debtor_updates:
            row["segment_code"], row["risk_level"] = segments[row["b_id"]]
        _update_rows(session, debtor_update_statement(), debtor_updates)


def _stored_segments(
    session: Session, tenant_id: str, debtor_ids: list[str], today: date
) -> dict[str, tuple[str, str]]:
    """Segment code and risk level of stored debtors from their stored accounts, promises and payments
    (what `PortfolioRepository.refresh_segments` computes), read as plain columns."""
    accounts: dict[str, list[tuple[str, Decimal, int]]] = {d: [] for d in debtor_ids}
    promises: dict[str, list[tuple[str, date]]] = {d: [] for d in debtor_ids}
    paid: dict[str, list[datetime]] = {d: [] for d in debtor_ids}
    for d, currency, balance, dpd in session.execute(
        select(Account.debtor_id, Account.currency, Account.balance, Account.days_past_due).where(
            Account.tenant_id == tenant_id, Account.debtor_id.in_(debtor_ids)
        )
    ):
        accounts[d].append((currency, Decimal(balance), dpd))
    for d, status, due in session.execute(
        select(Promise.debtor_id, Promise.status, Promise.due_date).where(
            Promise.tenant_id == tenant_id, Promise.debtor_id.in_(debtor_ids)
        )
    ):
        promises[d].append((status, due))
    for d, paid_at in session.execute(
        select(Payment.debtor_id, Payment.paid_at).where(
            Payment.tenant_id == tenant_id, Payment.debtor_id.in_(debtor_ids)
        )
    ):
        paid[d].append(paid_at)
    return {d: segment_code_and_risk(accounts[d], promises[d], paid[d], today) for d in debtor_ids}


def _insert_history(
    session: Session,
    tenant_id: str,
    pending: Sequence[tuple[str, dict[str, Any], dict[str, str], bool]],
    now: Any,
    codec: _Codec = _PYTHON,
    new_id: Any = None,
) -> None:
    new_id = new_id or _Ids()
    stamp = codec.instant(now)
    money, day, instant = codec.money, codec.day, codec.instant
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
                        "amount": money(amount),
                        "currency": acc["currency"],
                        "paid_at": instant(paid_at),
                        "reference": ref,
                        "created_at": stamp,
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
                    "at": instant(at),
                    "outcome": it["outcome"],
                    "recipient_role": it.get("recipientRole", "DEBTOR"),
                    "destination": it.get("destination"),
                    "opt_out_requested": it.get("optOutRequested", False),
                    "note": it.get("note"),
                    "created_at": stamp,
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
                    "amount": money(amount),
                    "currency": pr["currency"],
                    "promised_at": instant(parse_instant(pr["promisedAt"], "promisedAt"))
                    if "promisedAt" in pr
                    else stamp,
                    "due_date": day(due),
                    "status": pr.get("status", "PENDING"),
                    "resolved_at": None,
                    "created_at": stamp,
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
    debtors_unchanged: int = 0
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


_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))  # digit -> "0", else " "
_LONG_NUMBER = b"0" * 19


def loads(line: str) -> Any:
    """`json.loads`, faster: orjson parses the line unless the standard library could give another value
    (integers past 64 bits, which orjson turns into floats: any run of 19 digits sends the line to the
    standard library) or orjson refuses it (NaN, lone surrogates, 1e400, and real errors, whose message
    therefore still comes from `json`)."""
    if _LONG_NUMBER not in line.encode("utf-8", "surrogatepass").translate(_DIGITS_ONLY):
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    return json.loads(line)


def json_problem(exc: json.JSONDecodeError, line: str) -> str:
    """What a person should hear about a line that is not JSON: a line cut short says so."""
    text = line.rstrip("\r\n")
    at_end = exc.pos >= len(text.rstrip())
    if exc.msg.startswith("Unterminated string") or (
        exc.msg.startswith("Invalid control character") and at_end
    ):
        return "the line ends inside a string: is the line cut short?"
    if at_end and text.strip():
        return "the line ends before the record is complete (a missing '}' or ']'): is the line cut short?"
    return f"not valid JSON: {exc.msg} at column {exc.colno}"


def parse_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Any, str | None]]:
    for lineno, line in lines:
        if not line.strip():
            continue
        try:
            yield lineno, loads(line), None
        except json.JSONDecodeError as exc:
            yield lineno, None, json_problem(exc, line)


PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, a second process costs more than it saves


def _validate_block(block: list[tuple[int, str]]) -> list[list[str]]:
    """The reasons of each non-blank line of a block (runs in the validation process). Only the reasons
    travel back: the writer parses the good lines again and fills in the schema's defaults as validation
    did (`apply_schema_defaults`), which costs less than pickling and unpickling the records."""
    return [[error] if error else record_errors(rec) for _, rec, error in parse_lines(block)]


def _init_validation_process() -> None:
    gc.freeze()  # what is loaded by now lives as long as the process: no collection needs to scan it


def _checked(lines: Iterable[tuple[int, str]], *, parallel: bool) -> Iterator[tuple[int, Any, list[str]]]:
    """(line number, record, reasons) in file order (the record is None when there are reasons). With
    `parallel`, a second process validates the next blocks while this one writes, so validation and writing
    overlap on two cores."""
    if not parallel:
        for lineno, rec, error in parse_lines(lines):
            yield lineno, rec, [error] if error else record_errors(rec)
        return
    ctx = multiprocessing.get_context("spawn")  # no inherited database handles in the child
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_init_validation_process) as pool:
        pending: deque[tuple[list[tuple[int, str]], Any]] = deque()

        def done() -> Iterator[tuple[int, Any, list[str]]]:
            block, future = pending.popleft()
            block = [(lineno, line) for lineno, line in block if line.strip()]
            for (lineno, line), reasons in zip(block, future.result(), strict=True):
                yield lineno, (None if reasons else apply_schema_defaults(loads(line))), reasons

        block: list[tuple[int, str]] = []
        for item in lines:
            block.append(item)
            if len(block) >= CHUNK:
                pending.append((block, pool.submit(_validate_block, block)))
                block = []
                if len(pending) > 3:
                    yield from done()
        if block:
            pending.append((block, pool.submit(_validate_block, block)))
        while pending:
            yield from done()


def import_jsonl_file(
    factory: sessionmaker[Session],
    path: str | Path,
    *,
    tenant_slug: str,
    now: datetime,
    progress: bool = True,
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
    account_lines: dict[str, tuple[str, int]] = {}  # account externalId -> (debtor externalId, line)
    unwritten: list[tuple[int, str, list[str]]] = []  # good lines after writing stopped
    with factory() as s, _bulk_settings(s):
        try:
            batch: list[dict[str, Any]] = []
            linenos: list[int] = []
            try:
                parallel = path.stat().st_size >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1
                for lineno, rec, reasons in _checked(_lines(path, progress, "importing"), parallel=parallel):
                    result.records += 1
                    if not reasons:
                        ext = rec["externalId"]
                        first = seen.setdefault(ext, lineno)
                        if first != lineno:
                            reasons = [f"externalId: {ext!r} already given on line {first}"]
                        for acc in rec.get("accounts", ()):
                            owner = account_lines.setdefault(acc["externalId"], (ext, lineno))
                            if owner[0] != ext:
                                reasons.append(
                                    f"accounts: {acc['externalId']!r} is also given for debtor {owner[0]!r} "
                                    f"on line {owner[1]}"
                                )
                    if reasons:
                        _reject(result, RecordRejection(index=lineno, reasons=reasons))
                        batch, linenos = [], []
                        continue
                    if result.rejections:
                        # Nothing more will be written; keep checking, conflicts with stored data included.
                        unwritten.append(
                            (lineno, rec["externalId"], [a["externalId"] for a in rec.get("accounts", ())])
                        )
                        continue
                    batch.append(rec)
                    linenos.append(lineno)
                    if len(batch) >= CHUNK:
                        _import_batch(s, tenant_id, batch, linenos, result, now)
                        batch, linenos = [], []
            except UnicodeDecodeError as exc:
                _reject(
                    result,
                    RecordRejection(
                        index=result.records + 1, reasons=[f"the file is not UTF-8: {exc.reason}"]
                    ),
                )
            if batch and not result.rejections:
                _import_batch(s, tenant_id, batch, linenos, result, now)
            if unwritten:
                for rejection in _stored_conflicts(s, tenant_id, unwritten):
                    _reject(result, rejection)
                result.rejections.sort(key=lambda r: r.index)
            if result.rejections:
                s.rollback()
                result.debtors_created = result.debtors_updated = result.debtors_unchanged = 0
            else:
                s.commit()
        except BaseException:
            s.rollback()
            raise
    if not result.rejections and result.records:
        with factory() as s:  # the planner's statistics for the rows just written
            refresh_statistics(s.connection())
            s.commit()
    result.seconds = time.perf_counter() - started
    return result


def _stored_conflicts(
    session: Session, tenant_id: str, lines: list[tuple[int, str, list[str]]]
) -> list[RecordRejection]:
    """Lines whose accounts already belong to another stored debtor (the check the writer makes, for the
    lines it no longer writes once a bad line was found), so every bad line is reported in one run."""
    wanted = [acc for _, _, accs in lines for acc in accs]
    owners: dict[str, str] = {}
    for part in _chunks(wanted, 500):
        owners.update(
            session.execute(
                select(Account.external_id, Debtor.external_id)
                .join(Debtor, Debtor.id == Account.debtor_id)
                .where(Account.tenant_id == tenant_id, Account.external_id.in_(list(part)))
            ).all()
        )
    out = []
    for lineno, ext, accs in lines:
        reasons = [
            f"accounts: {acc!r} already belongs to debtor {owners[acc]!r}"
            for acc in accs
            if acc in owners and owners[acc] != ext
        ]
        if reasons:
            out.append(RecordRejection(index=lineno, reasons=reasons, external_id=ext))
    return out


IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache of the importing connection while it imports


@contextmanager
def _bulk_settings(session: Session) -> Iterator[None]:
    """For the duration of one import: on SQLite a large page cache for the importing connection (the
    default 2 MB makes every index insert past the first few thousand rows a page read and a spilled page
    write into the WAL), given back afterwards since the connection returns to the pool; durability and
    the all-or-nothing transaction are untouched. In this process, fewer garbage collections: the rows
    built are plain dicts and lists without cycles, freed by reference counting, but the default gen-0
    threshold (700 allocations) would walk them thousands of times."""
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    previous_cache = None
    if sqlite:
        previous_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if sqlite:
            try:
                session.connection().exec_driver_sql(f"PRAGMA cache_size = {int(previous_cache)}")
            finally:
                session.rollback()  # end the transaction the statement above may have begun


def _reject(result: ImportResult, rejection: RecordRejection) -> None:
    if len(result.rejections) < MAX_REPORTED_REJECTIONS:
        result.rejections.append(rejection)
    else:
        result.more_rejections += 1


def _import_batch(
    s: Session,
    tenant_id: str,
    batch: list[dict[str, Any]],
    linenos: list[int],
    result: ImportResult,
    now: datetime,
) -> None:
    out = upsert_records(s, tenant_id, batch, now=now, validated=True)
    for rej in out.rejections:
        _reject(
            result,
            RecordRejection(index=linenos[rej.index], reasons=rej.reasons, external_id=rej.external_id),
        )
    result.debtors_created += out.created
    result.debtors_updated += out.updated
    result.debtors_unchanged += out.unchanged
