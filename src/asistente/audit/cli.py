"""`asistente audit verify | export | purge`.

- ``verify [--tenant SLUG]``: exit 0 and the number of records checked when every chain is intact; exit 1
  naming the first bad record (tenant slug, seq, id, reason) otherwise.
- ``export --format jsonl|csv [--from ISO] [--to ISO] [--tenant SLUG] [--output FILE]``: streams to stdout
  by default (``--from`` inclusive, ``--to`` exclusive).
- ``purge [--tenant SLUG] [--before ISO] [--dry-run] [--force]``: deletes events older than the retention
  horizon (``ASISTENTE_AUDIT_RETENTION_YEARS``, default 3), keeping the chains verifiable with checkpoints.
  A ``--before`` later than the horizon is refused unless ``--force`` is given.

Instants without an offset are read as UTC; a bare date means midnight UTC. Usage errors exit 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente.errors import BadInput, NotFound
from asistente.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help="verify, export and purge the audit ledger")
    sub = audit.add_subparsers(dest="audit_cmd", required=True)

    p = sub.add_parser("verify", help="re-compute the hash chains; exit 1 naming the first bad record")
    p.add_argument("--tenant", default=None, metavar="SLUG", help="tenant slug (default: every tenant)")
    p.set_defaults(handler=_verify)

    p = sub.add_parser("export", help="stream the ledger as JSON Lines or CSV")
    p.add_argument("--format", dest="fmt", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument(
        "--from", dest="since", default=None, metavar="ISO", help="ISO 8601 instant or date (inclusive)"
    )
    p.add_argument(
        "--to", dest="until", default=None, metavar="ISO", help="ISO 8601 instant or date (exclusive)"
    )
    p.add_argument("--tenant", default=None, metavar="SLUG", help="tenant slug (default: every tenant)")
    p.add_argument("--output", default=None, metavar="FILE", help="file to write (default: standard output)")
    p.set_defaults(handler=_export)

    p = sub.add_parser("purge", help="delete events past the retention horizon, keeping chains verifiable")
    p.add_argument("--tenant", default=None, metavar="SLUG", help="tenant slug (default: every tenant)")
    p.add_argument(
        "--before", default=None, metavar="ISO", help="ISO instant (default: now minus the retention years)"
    )
    p.add_argument("--dry-run", action="store_true", help="report what would be purged; change nothing")
    p.add_argument("--force", action="store_true", help="allow --before later than the retention horizon")
    p.set_defaults(handler=_purge)


def _open(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    from asistente.db import make_engine, make_session_factory
    from asistente.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine, make_session_factory(engine)


def parse_instant(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 instant or date from the command line; naive values are UTC."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{name}: not an ISO 8601 date or instant: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _tenant_id(factory: sessionmaker[Session], slug: str | None) -> str | None:
    if slug is None:
        return None
    from asistente.tenants.models import Tenant

    with factory() as s:
        tid = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one_or_none()
    if tid is None:
        raise NotFound(f"no tenant with slug {slug!r}")
    return tid


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from asistente.audit.integrity import verify

    engine, factory = _open(settings)
    try:
        result = verify(engine, tenant_id=_tenant_id(factory, args.tenant))
    finally:
        engine.dispose()
    if result.first_bad is not None:
        print(f"audit ledger BROKEN after {result.checked} good record(s)", file=sys.stderr)
        print(f"first bad record: {result.first_bad.describe()}", file=sys.stderr)
        return 1
    print(f"audit ledger intact: {result.checked} record(s) verified in {result.tenants} chain(s)")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from asistente.audit.export import export_events

    since = parse_instant(args.since, "--from")
    until = parse_instant(args.until, "--to")
    engine, factory = _open(settings)
    try:
        tenant_id = _tenant_id(factory, args.tenant)
        options: dict[str, Any] = {"fmt": args.fmt, "tenant_id": tenant_id, "since": since, "until": until}
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                count = export_events(engine, out, **options)
        else:
            count = export_events(engine, sys.stdout, **options)
            sys.stdout.flush()
    finally:
        engine.dispose()
    print(f"exported {count} record(s)" + (f" to {args.output}" if args.output else ""), file=sys.stderr)
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from asistente.audit.integrity import purge, retention_cutoff
    from asistente.db import transaction, utcnow

    now = utcnow()
    horizon = retention_cutoff(now, settings.audit_retention_years)
    before = parse_instant(args.before, "--before") or horizon
    if before > horizon and not args.force:
        raise BadInput(
            f"--before {before.isoformat()} would delete records younger than the retention period "
            f"({settings.audit_retention_years} years, horizon {horizon.isoformat()}); add --force to insist"
        )
    engine, factory = _open(settings)
    try:
        tenant_id = _tenant_id(factory, args.tenant)
        with transaction(factory) as s:
            results = purge(s, tenant_id=tenant_id, older_than=before, now=now, dry_run=args.dry_run)
            if args.dry_run:
                s.rollback()
    finally:
        engine.dispose()
    verb = "would purge" if args.dry_run else "purged"
    for r in results:
        print(f"tenant={r.tenant_slug or r.tenant_id}: {verb} {r.purged} record(s) up to seq {r.up_to_seq}")
    if not results:
        print(f"nothing to purge before {before.isoformat()}")
    return 0
