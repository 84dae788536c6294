"""The ledger keeps up, across processes (issue 13, item 5): a real server with two uvicorn workers takes
concurrent recorded requests of every kind for one tenant, so both workers' group committers (and the turns'
own transactions) write the same chain at once. Every recorded event is present exactly once, the ledger
grew by exactly what was asked, and `asistente audit verify` passes. SQLite file, and PostgreSQL when
ASISTENTE_TEST_POSTGRES_URL is set (in a schema of its own, migrated by the server as in production)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select, text

from asistente.audit.models import AuditEvent
from asistente.db import make_engine
from tests.conftest import PG_URL

SCHEMA = "ledger_workers"
CHECK = """query($t: String!) { checkCompliance(input: {text: $t, channel: CALL, jurisdiction: "MX"})
  { compliant auditId } }"""
PERMISSION = "query($d: ID!) { contactPermission(debtorId: $d, channel: SMS) { allowed auditId } }"
SUGGEST = """query($i: SuggestInput!) { suggestResponses(input: $i) { auditId suggestions { id } } }"""
DRAFT = """query($i: DraftInput!) { draftMessage(input: $i) { auditId text } }"""
FEEDBACK = """mutation($id: ID!) { recordSuggestionFeedback(auditId: $id, action: USED) { auditId } }"""
PUSH = """mutation($i: PushTranscriptInput!) { pushTranscript(input: $i) { auditId } }"""
DEBTORS = "{ debtors(first: 6) { edges { node { id } } } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workers.db'}"
        return
    if not PG_URL:
        pytest.skip("ASISTENTE_TEST_POSTGRES_URL is not set")
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{SCHEMA}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def _start(url: str, tmp_path) -> tuple[subprocess.Popen, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ASISTENTE_DEMO_KEY_FILE": str(tmp_path / "demo.key"),
        "ASISTENTE_RATE_LIMIT_KEY": "0",
        "ASISTENTE_RATE_LIMIT_SESSION": "0",
        "ASISTENTE_RATE_LIMIT_TENANT": "0",
        "ASISTENTE_RATE_LIMIT_AUTH_FAILURES": "0",
        "ASISTENTE_LOG_LEVEL": "WARNING",
    }
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "asistente.cli", "serve", "--demo", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a shared, loaded machine starts workers slowly
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.3)
    time.sleep(2)  # both workers up
    key = (tmp_path / "demo.key").read_text().strip()
    return server, base, key


def test_two_workers_record_every_kind_into_one_chain(database_url, tmp_path):
    server, base, key = _start(database_url, tmp_path)
    env = {**os.environ, "DATABASE_URL": database_url}
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            before = Counter(
                dict(conn.execute(select(AuditEvent.kind, func.count()).group_by(AuditEvent.kind)).all())
            )

        async def post(query: str, variables: dict) -> dict:
            # a new connection per request: the kernel spreads them over both workers
            async with httpx.AsyncClient(base_url=base, timeout=60) as c:
                r = await c.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"authorization": f"Bearer {key}"},
                )
                assert r.status_code == 200, r.text[:500]
                return r.json()

        async def ok(query: str, variables: dict) -> dict:
            body = await post(query, variables)
            assert not body.get("errors"), body["errors"]
            return next(iter(body["data"].values()))

        async def run() -> tuple[list[str], int]:
            debtors = [e["node"]["id"] for e in (await ok(DEBTORS, {}))["edges"]]
            n = 12
            jobs = []
            for i in range(n):
                d = debtors[i % len(debtors)]
                jobs.append(ok(CHECK, {"t": f"Hola, le llamo de Cobranzas Acme, mensaje {i}."}))
                jobs.append(ok(PERMISSION, {"d": d}))
                jobs.append(ok(SUGGEST, {"i": {"debtorId": d, "utterance": f"no tengo dinero ahorita {i}"}}))
                jobs.append(post(DRAFT, {"i": {"debtorId": d, "channel": "LETTER", "purpose": "REMINDER"}}))
                jobs.append(
                    ok(
                        PUSH,
                        {
                            "i": {
                                "callId": f"call-{i}",
                                "debtorId": d,
                                "speaker": "AGENT",
                                "text": "Buenos días.",
                            }
                        },
                    )
                )
            results = await asyncio.gather(*jobs)
            ids = []
            for r in results:
                if "data" in r:  # a draft: answered, or refused by the contact rules (recorded all the same)
                    r = (r.get("data") or {}).get("draftMessage") or {}
                if r.get("auditId"):
                    ids.append(r["auditId"])
            shown = [r["auditId"] for r in results if "suggestions" in r]
            feedback = await asyncio.gather(*[ok(FEEDBACK, {"id": a}) for a in shown])
            assert [f["auditId"] for f in feedback] == shown
            return ids, n

        ids, n = asyncio.run(run())
        assert len(ids) == len(set(ids)) >= 4 * n
        with engine.connect() as conn:
            after = Counter(
                dict(conn.execute(select(AuditEvent.kind, func.count()).group_by(AuditEvent.kind)).all())
            )
            found = conn.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id.in_(ids)))
        grown = after - before
        assert grown == Counter(
            {"COMPLIANCE_CHECK": 2 * n, "CONTACT_CHECK": n, "SUGGESTION": n, "DRAFT": n, "FEEDBACK": n}
        ), grown  # a check, a turn (a COMPLIANCE_CHECK too), a permission, a suggestion, a draft, feedback
        assert found == len(ids)  # every answered auditId is in the ledger, once (ids are primary keys)
        verify = subprocess.run(
            [sys.executable, "-m", "asistente.cli", "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "intact" in verify.stdout
    finally:
        server.terminate()
        server.wait(timeout=60)
        engine.dispose()
