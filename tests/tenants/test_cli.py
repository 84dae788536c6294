"""`asistente tenants ...`, `keys create` and the demo's key, through asistente.cli.main on a temporary
SQLite file; `audit export | head` through a real pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asistente.cli import main


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_tenants_create_and_list(db, capsys):
    assert main(["tenants", "list"]) == 0
    assert "no tenants yet" in capsys.readouterr().out
    assert main(["tenants", "create", "--tenant", "acme", "--name", "Acme Cobranzas"]) == 0
    assert "created tenant 'acme'" in capsys.readouterr().out
    assert main(["tenants", "create", "--tenant", "acme"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["tenants", "create", "--tenant", "Not A Slug"]) == 2
    assert "lowercase" in capsys.readouterr().err
    main(["keys", "create", "--tenant", "acme", "--role", "AGENT", "--agent-id", "u1"])
    main(["keys", "create", "--tenant", "acme", "--role", "ADMIN"])
    capsys.readouterr()
    assert main(["tenants", "list"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("acme") and "Acme Cobranzas" in line
    assert "ADMIN 1" in line and "AGENT 1" in line and "0 debtor(s)" in line


def test_keys_create_says_when_it_creates_the_tenant(db, capsys):
    assert main(["keys", "create", "--tenant", "nueva", "--role", "ADMIN"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created tenant 'nueva' (it did not exist)" and out[-1].startswith("ask_")
    assert main(["keys", "create", "--tenant", "nueva", "--role", "COMPLIANCE"]) == 0
    out = capsys.readouterr().out
    assert "created tenant" not in out


def test_the_demo_reuses_the_key_it_printed(db, tmp_path):
    from asistente.db import make_engine, make_session_factory
    from asistente.demo import seed_demo
    from asistente.migrate import upgrade

    engine = make_engine(db)
    upgrade(engine)
    factory = make_session_factory(engine)
    key_file = tmp_path / "demo-key"
    first = seed_demo(factory, key_file=key_file)
    assert key_file.read_text().strip() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert seed_demo(factory, key_file=key_file) == first  # the same key on the next start
    # A revoked or foreign key in the file is replaced, not reused.
    from asistente.db import transaction
    from asistente.tenants.service import revoke_api_key

    with transaction(factory) as s:
        revoke_api_key(s, tenant_slug="demo", prefix=first.split("_")[1])
    second = seed_demo(factory, key_file=key_file)
    assert second != first and key_file.read_text().strip() == second
    key_file.write_text("ask_deadbeef_not-a-key\n")
    assert seed_demo(factory, key_file=key_file) not in (first, second, "ask_deadbeef_not-a-key")
    engine.dispose()


def test_audit_export_into_head_ends_quietly(db):
    from datetime import UTC, datetime

    from asistente.audit.ledger import record
    from asistente.db import make_engine, make_session_factory, transaction
    from asistente.migrate import upgrade
    from asistente.tenants.service import get_or_create_tenant

    engine = make_engine(db)
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as s:
        tenant = get_or_create_tenant(s, "acme")
        for i in range(1500):  # far more than a pipe buffer holds once exported
            record(
                s,
                tenant_id=tenant.id,
                kind="COMPLIANCE_CHECK",
                actor_id="cli-test",
                actor_role="ADMIN",
                input={"text": f"mensaje de prueba número {i} " * 4},
                output={"compliant": True},
                versions={"rulePacks": "test"},
                now=datetime(2026, 12, 1, tzinfo=UTC),
            )
    engine.dispose()
    pipe = subprocess.run(
        f"{sys.executable} -m asistente.cli audit export --format jsonl | head -n 2",
        shell=True,
        env={**os.environ, "DATABASE_URL": db},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(pipe.stdout.splitlines()) == 2 and '"COMPLIANCE_CHECK"' in pipe.stdout
    assert "Traceback" not in pipe.stderr and "BrokenPipe" not in pipe.stderr, pipe.stderr
    assert "Exception ignored" not in pipe.stderr, pipe.stderr
