"""`asistente audit ...` against a temporary SQLite file (DATABASE_URL), through asistente.cli.main."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente import models  # noqa: F401
from asistente.cli import main
from asistente.db import Base, make_engine, make_session_factory, utcnow
from asistente.migrate import upgrade
from tests.audit.helpers import T0, make_tenant, write


@dataclass
class Ledger:
    engine: Engine
    factory: sessionmaker[Session]
    acme: str
    globex: str


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ASISTENTE_AUDIT_RETENTION_YEARS", raising=False)
    engine = make_engine(url)
    upgrade(engine)  # what the CLI will find already done; then any table not yet in a migration
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    yield Ledger(engine, factory, make_tenant(factory, "acme"), make_tenant(factory, "globex"))
    engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["audit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_intact(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    write(ledger.factory, ledger.acme, n=3)
    write(ledger.factory, ledger.globex, n=2)
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "5 record(s) verified in 2 chain(s)" in out
    code, out, _ = run(capsys, "verify", "--tenant", "globex")
    assert code == 0 and "2 record(s)" in out


def test_verify_names_the_first_bad_record(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    events = write(ledger.factory, ledger.acme, n=4)
    with ledger.engine.begin() as conn:
        conn.execute(
            text('UPDATE audit_events SET input = \'{"utterance":"edited"}\' WHERE id = :id'),
            {"id": events[2].id},
        )
    code, _, err = run(capsys, "verify")
    assert code == 1
    assert f"tenant=acme seq=3 id={events[2].id}" in err and "modified" in err
    code, _, _ = run(capsys, "verify", "--tenant", "globex")
    assert code == 0


def test_verify_reports_a_deleted_record(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    events = write(ledger.factory, ledger.acme, n=4)
    with ledger.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1].id})
    code, _, err = run(capsys, "verify", "--tenant", "acme")
    assert code == 1 and f"seq=3 id={events[2].id}" in err and "seq 2 missing" in err


def test_verify_unknown_tenant(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", "--tenant", "nobody")
    assert code == 2 and "nobody" in err


def test_export_jsonl_to_stdout(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    write(ledger.factory, ledger.acme, n=3)
    write(ledger.factory, ledger.globex, n=1)
    code, out, err = run(capsys, "export", "--format", "jsonl")
    assert code == 0 and "exported 4 record(s)" in err
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["tenantSlug"], r["seq"]) for r in records] == [
        ("acme", 1),
        ("acme", 2),
        ("acme", 3),
        ("globex", 1),
    ]


def test_export_csv_to_file_with_filters(
    ledger: Ledger, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(ledger.factory, ledger.acme, n=5)
    write(ledger.factory, ledger.globex, n=5)
    target = tmp_path / "out.csv"
    code, out, err = run(
        capsys,
        "export",
        "--format",
        "csv",
        "--tenant",
        "acme",
        "--from",
        "2024-03-01T15:31:00Z",
        "--to",
        "2024-03-01T15:33:00+00:00",
        "--output",
        str(target),
    )
    assert code == 0 and out == "" and f"exported 2 record(s) to {target}" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert [(r["tenantSlug"], r["seq"]) for r in rows] == [("acme", "2"), ("acme", "3")]


def test_export_bad_instant(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "export", "--format", "jsonl", "--from", "yesterday")
    assert code == 2 and "--from" in err


def test_purge_past_retention(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    now = utcnow()
    write(ledger.factory, ledger.acme, n=3, start=now - timedelta(days=5 * 365))
    write(ledger.factory, ledger.acme, n=2, start=now - timedelta(days=30))
    write(ledger.factory, ledger.globex, n=2, start=now - timedelta(days=30))

    code, out, _ = run(capsys, "purge", "--dry-run")
    assert code == 0 and "tenant=acme: would purge 3 record(s) up to seq 3" in out
    code, out, _ = run(capsys, "export")
    assert len(out.splitlines()) == 7

    code, out, _ = run(capsys, "purge")
    assert code == 0 and "tenant=acme: purged 3 record(s) up to seq 3" in out
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "4 record(s) verified" in out
    code, out, _ = run(capsys, "purge", "--tenant", "acme")
    assert code == 0 and "nothing to purge" in out

    # Tampering after the purge is still caught.
    with ledger.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor_id = 'x' WHERE seq = 5 AND tenant_id = :t"),
            {"t": ledger.acme},
        )
    code, _, err = run(capsys, "verify")
    assert code == 1 and "tenant=acme seq=5" in err


def test_purge_refuses_to_cut_into_the_retention_period(
    ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ledger.factory, ledger.acme, n=2, start=T0)
    before = (utcnow() - timedelta(days=30)).date().isoformat()
    code, _, err = run(capsys, "purge", "--before", before)
    assert code == 2 and "retention period" in err
    code, out, _ = run(capsys, "purge", "--before", before, "--force", "--tenant", "acme")
    assert code == 0 and "purged 2 record(s)" in out
    assert run(capsys, "verify")[0] == 0


def test_retention_years_setting(ledger: Ledger, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    now = utcnow()
    write(ledger.factory, ledger.acme, n=1, start=now - timedelta(days=400))
    assert "nothing to purge" in run(capsys, "purge")[1]
    monkeypatch.setenv("ASISTENTE_AUDIT_RETENTION_YEARS", "1")
    assert "purged 1 record(s)" in run(capsys, "purge")[1]
