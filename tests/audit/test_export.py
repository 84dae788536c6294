"""Export: streamed, filterable, and sufficient for an independent verifier."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from asistente.audit import export_events, iter_records, record_feedback
from asistente.db import transaction
from asistente.errors import BadInput
from tests.audit.helpers import T0, write


def independent_verify(records: list[dict[str, Any]]) -> bool:
    """Re-implementation of the chain.py docstring with nothing but hashlib and json."""
    prev: dict[str, str] = {}
    for r in records:
        expected_prev = prev.get(r["tenantId"], "0" * 64 if r["seq"] == 1 else r["prevHash"])
        if r["prevHash"] != expected_prev:
            return False
        obj = {
            "id": r["id"],
            "tenant": r["tenantId"],
            "seq": r["seq"],
            "kind": r["kind"],
            "actor": r["actorId"],
            "actor_role": r["actorRole"],
            "debtor": r["debtorId"],
            "call": r["callId"],
            "input": r["input"],
            "output": r["output"],
            "versions": r["versions"],
            "at": r["at"],
            "prev_hash": r["prevHash"],
        }
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if hashlib.sha256((r["prevHash"] + text).encode("utf-8")).hexdigest() != r["hash"]:
            return False
        prev[r["tenantId"]] = r["hash"]
    return True


def test_jsonl_export_verifies_independently(
    engine: Engine, session_factory: sessionmaker[Session], tenant: str, other_tenant: str
) -> None:
    events = write(session_factory, tenant, n=3, input={"utterance": "¿Cuánto debo?", "amount": "12.50"})
    write(session_factory, other_tenant, n=2)
    with transaction(session_factory) as s:
        record_feedback(
            s,
            tenant_id=tenant,
            event_id=events[0].id,
            actor_id="agent-1",
            actor_role="AGENT",
            action="EDITED",
            final_text="Le confirmo el saldo: 12.50 €",
            now=T0,
        )
    out = io.StringIO()
    assert export_events(engine, out, fmt="jsonl") == 6
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["tenantId"], r["seq"]) for r in records][:4] == [
        (tenant, 1),
        (tenant, 2),
        (tenant, 3),
        (tenant, 4),
    ]
    assert (
        records[0]["at"] == "2024-03-01T15:30:00.123456Z"
        and records[0]["input"]["utterance"] == "¿Cuánto debo?"
    )
    assert "¿Cuánto" in out.getvalue()  # UTF-8, not escaped
    assert independent_verify(records)
    records[1]["output"]["category"] = "NONE"
    assert not independent_verify(records)


def test_csv_export_with_filters(
    engine: Engine, session_factory: sessionmaker[Session], tenant: str, other_tenant: str
) -> None:
    write(session_factory, tenant, n=5)
    write(session_factory, other_tenant, n=5)
    out = io.StringIO()
    n = export_events(
        engine,
        out,
        fmt="csv",
        tenant_id=tenant,
        since=T0 + timedelta(minutes=1),
        until=T0 + timedelta(minutes=4),
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert n == 3 and [int(r["seq"]) for r in rows] == [2, 3, 4]
    assert {r["tenantId"] for r in rows} == {tenant}
    assert json.loads(rows[0]["versions"]) == {"playbook": "mx@3", "rulePack": "mx@7"}
    assert rows[0]["debtorId"] == "debtor-1"


def test_export_streams_in_batches(
    engine: Engine, session_factory: sessionmaker[Session], tenant: str
) -> None:
    write(session_factory, tenant, n=5)
    seen: list[dict[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if "audit_events" in statement:
            seen.append(dict(context.execution_options))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        it = iter_records(engine, tenant_id=tenant, batch_size=2)
        first = next(it)
        assert first["seq"] == 1
        assert seen and seen[-1].get("yield_per") == 2 and seen[-1].get("stream_results")
        assert [r["seq"] for r in it] == [2, 3, 4, 5]
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def test_unknown_format_is_refused(engine: Engine) -> None:
    with pytest.raises(BadInput):
        export_events(engine, io.StringIO(), fmt="xml")
