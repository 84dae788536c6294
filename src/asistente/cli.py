"""The `asistente` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from asistente.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]


def _add_core_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the GraphQL service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--demo", action="store_true", help="seed the demo tenant (once) and enable GraphiQL")
    p.set_defaults(handler=_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(handler=_migrate)

    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(dest="keys_cmd", required=True)
    p = keys.add_parser("create", help="create an API key (printed as the last line)")
    p.add_argument("--tenant", required=True)
    p.add_argument(
        "--role", required=True, choices=["AGENT", "SUPERVISOR", "COMPLIANCE", "INTEGRATOR", "ADMIN"]
    )
    p.add_argument("--agent-id", default=None, help="the CRM user id of the agent this key acts as")
    p.add_argument("--label", default=None)
    p.set_defaults(handler=_keys_create)
    p = keys.add_parser("revoke", help="revoke an API key by its prefix")
    p.add_argument("--tenant", required=True)
    p.add_argument("prefix")
    p.set_defaults(handler=_keys_revoke)

    tenants = sub.add_parser("tenants", help="manage tenants").add_subparsers(
        dest="tenants_cmd", required=True
    )
    p = tenants.add_parser("list", help="list tenants with their keys, debtors and origins")
    p.set_defaults(handler=_tenants_list)
    p = tenants.add_parser("create", help="create a tenant")
    p.add_argument("--tenant", required=True, help="the tenant's slug (lowercase letters, digits, - or _)")
    p.add_argument("--name", default=None, help="a display name")
    p.set_defaults(handler=_tenants_create)
    p = tenants.add_parser("set-origins", help="set the CORS allow-list of a tenant")
    p.add_argument("--tenant", required=True)
    p.add_argument("origins", nargs="*", help="e.g. https://crm.example.com")
    p.set_defaults(handler=_tenants_set_origins)

    p = sub.add_parser("import", help="import a JSON Lines portfolio file")
    p.add_argument("file")
    p.add_argument("--tenant", required=True)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(handler=_import)

    p = sub.add_parser("export-schema", help="write the GraphQL SDL")
    p.add_argument("--output", default="schema/schema.graphql")
    p.set_defaults(handler=_export_schema)


def _open(settings: Settings):
    from asistente.db import make_engine, make_session_factory
    from asistente.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine, make_session_factory(engine)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import os
    from pathlib import Path

    import uvicorn

    if args.demo:
        settings = settings.model_copy(update={"demo": True})
        os.environ["ASISTENTE_DEMO"] = "1"
    engine, factory = _open(settings)
    if args.demo:
        from asistente.demo import seed_demo

        key = seed_demo(factory, key_file=Path(settings.demo_key_file))
        base = f"http://{args.host}:{args.port}"
        print(f"asistente demo: GraphiQL at {base}/graphql")
        print("Use this header (agent key of tenant 'demo'):")
        print(f"Authorization: Bearer {key}")
    engine.dispose()
    if args.workers > 1:
        # Each worker loads the data files when it starts; a broken one would make every worker die and be
        # restarted forever while the supervisor looks alive. Checked once first, in a child process (so
        # the supervisor does not keep the loaded engines), and refused in one line like a single worker.
        import subprocess

        code = "import sys; from asistente.cli import check_startup; sys.exit(check_startup())"
        checked = subprocess.run([sys.executable, "-c", code], check=False)
        if checked.returncode != 0:
            return checked.returncode
    # uvicorn's own lines (start-up, one access line per request) follow ASISTENTE_LOG_LEVEL too: WARNING
    # means no line per request (measured: about 3% of a worker's CPU under load, benchmarks/README.md).
    level = settings.log_level.lower()
    server_level = level if level in uvicorn.config.LOG_LEVELS else "info"
    if args.workers > 1:
        from asistente.serving import run_workers

        run_workers(
            "asistente.app:app_from_env",
            host=args.host,
            port=args.port,
            workers=args.workers,
            reuse_port=settings.reuse_port,
            log_level=server_level,
            timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
        )
    else:
        from asistente.app import create_app, freeze_startup_objects, tune_serving_process
        from asistente.logs import configure

        configure(settings.log_level, settings.log_format)
        tune_serving_process(settings)
        app = freeze_startup_objects(create_app(settings), refreeze_after=settings.gc_refreeze_requests)
        from asistente.serving import http_protocol

        uvicorn.run(app, host=args.host, port=args.port, log_level=server_level, http=http_protocol())
    return 0


def check_startup() -> int:
    """Build the service once, as a worker does at start-up (every data file loaded and checked): 0 when it
    starts; 2 with one line naming the file, JSON path and reason when a data file is broken."""
    try:
        from asistente.app import create_app

        create_app(Settings()).services.engine.dispose()  # type: ignore[attr-defined]
    except Exception as exc:
        message = _startup_error(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0


def _startup_error(exc: BaseException) -> str | None:
    """The one-line message of a broken data file (lexicon, text model, classifier data, rule pack,
    playbook, templates: each names file, JSON path and reason), found on the exception or its causes;
    None for anything else. Lexicons and the text model load when their module is first imported, so
    such an error can surface as an import failure of the app, not only from create_app."""
    from asistente.errors import DomainError

    if isinstance(exc, DomainError):  # rule packs, playbooks, templates, DataFileError: their own message
        return exc.message
    if all(hasattr(exc, a) for a in ("file", "path", "reason")):  # LexiconError, TextModelError...
        return f"cannot start: {exc.file}: at {exc.path}: {exc.reason}"  # type: ignore[attr-defined]
    return None


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    engine, _ = _open(settings)
    engine.dispose()
    print("database is up to date")
    return 0


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from asistente.db import transaction
    from asistente.enums import Role
    from asistente.tenants.models import Tenant
    from asistente.tenants.service import create_api_key

    engine, factory = _open(settings)
    with transaction(factory) as s:
        new_tenant = s.scalar(select(Tenant.id).where(Tenant.slug == args.tenant)) is None
        key = create_api_key(
            s,
            tenant_slug=args.tenant,
            role=Role(args.role),
            agent_external_id=args.agent_id,
            label=args.label,
        )
    engine.dispose()
    if new_tenant:
        print(f"created tenant {args.tenant!r} (it did not exist)")
    print(f"tenant={args.tenant} role={args.role}" + (f" agent={args.agent_id}" if args.agent_id else ""))
    print(key)
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from asistente.db import transaction
    from asistente.tenants.service import revoke_api_key

    engine, factory = _open(settings)
    with transaction(factory) as s:
        n = revoke_api_key(s, tenant_slug=args.tenant, prefix=args.prefix)
    engine.dispose()
    print(f"revoked {n} key(s)")
    return 0 if n else 1


def _tenants_list(args: argparse.Namespace, settings: Settings) -> int:
    from asistente.tenants.service import tenant_summaries

    engine, factory = _open(settings)
    with factory() as s:
        rows = tenant_summaries(s)
    engine.dispose()
    if not rows:
        print("no tenants yet (asistente tenants create --tenant NAME)")
        return 0
    for t in rows:
        keys = ", ".join(f"{role} {n}" for role, n in sorted(t["keys"].items())) or "no keys"
        origins = ", ".join(t["origins"]) or "no origins"
        print(
            f"{t['slug']:20} {t['name'][:30]:30} {t['debtors']:>8} debtor(s)  keys: {keys}  origins: {origins}"
        )
    return 0


def _tenants_create(args: argparse.Namespace, settings: Settings) -> int:
    from asistente.db import transaction
    from asistente.tenants.service import create_tenant

    engine, factory = _open(settings)
    try:
        with transaction(factory) as s:
            tenant = create_tenant(s, args.tenant, args.name)
            slug, name = tenant.slug, tenant.name
    finally:
        engine.dispose()
    print(f"created tenant {slug!r} ({name}); next: asistente keys create --tenant {slug} --role ADMIN")
    return 0


def _tenants_set_origins(args: argparse.Namespace, settings: Settings) -> int:
    from asistente.db import transaction
    from asistente.tenants.service import set_cors_origins

    engine, factory = _open(settings)
    with transaction(factory) as s:
        origins = set_cors_origins(s, tenant_slug=args.tenant, origins=args.origins)
    engine.dispose()
    print("allowed origins: " + (", ".join(origins) or "(none)"))
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from asistente.portfolio.ingest import import_jsonl_file

    engine, factory = _open(settings)
    try:
        result = import_jsonl_file(
            factory, args.file, tenant_slug=args.tenant, now=datetime.now(UTC), progress=not args.no_progress
        )
    finally:
        engine.dispose()
    if result.rejections:
        total = len(result.rejections) + result.more_rejections
        print(f"{args.file}: {total} bad record(s); nothing was imported", file=sys.stderr)
        for r in result.rejections:
            for reason in r.reasons:
                print(f"{args.file}:{r.index}: {reason}", file=sys.stderr)
        if result.more_rejections:
            print(f"... and {result.more_rejections} more bad line(s)", file=sys.stderr)
        return 1
    print(
        f"imported {result.records} record(s): {result.debtors_created} debtor(s) created, "
        f"{result.debtors_updated} updated, {result.debtors_unchanged} unchanged, in {result.seconds:.1f} s ({result.rate:,.0f} records/s)"
    )
    return 0


def _export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from asistente.api.schema import build_schema

    sdl = build_schema(settings).as_str() + "\n"
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(sdl, encoding="utf-8")
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from asistente.audit import cli as audit_cli

    parser = argparse.ArgumentParser(prog="asistente", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_core_commands(sub)
    audit_cli.register(sub)  # domain packages register their own command groups
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        return int(args.handler(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `asistente audit export | head`: the reader left; end quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not complain
        return 141
    except (
        Exception
    ) as exc:  # a clear one-line error for the operator, never a traceback for expected failures
        message = _startup_error(exc)
        if message is not None:
            print(f"error: {message}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
