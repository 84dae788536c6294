"""Guarantees across packages: no advice without a ledger record; no start on a broken rule pack."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from asistente.audit.models import AuditEvent
from asistente.compliance import RulePackError
from tests.conftest import error_codes

CHECK = """query($i: ComplianceCheckInput!) { checkCompliance(input: $i) { compliant auditId } }"""


async def test_no_advice_without_a_record(api, monkeypatch, session_factory):
    from asistente.audit import group, ledger

    def failing_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger, "record", failing_record)
    monkeypatch.setattr(group, "write_batch", failing_record)  # checks are recorded by group commit
    key = api.key(role="AGENT", agent="u1")
    body = await api.gql(
        CHECK,
        {"i": {"text": "Hola, le llamo de Cobranzas Norte.", "channel": "CALL", "jurisdiction": "MX"}},
        key=key,
    )
    assert body["data"] is None
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_service_refuses_to_start_on_a_broken_pack(tmp_path, engine, session_factory, clock):
    from asistente.api.core.context import Services
    from asistente.app import create_app
    from asistente.settings import Settings

    bad = {
        "jurisdiction": "ES",
        "version": "x-1",
        "name": "broken",
        "rules": [
            {
                "id": "X-1",
                "kind": "contact_window",
                "code": "CONTACT_HOURS",
                "source": "policy",
                "parameters": {"windows": "every day"},
            }
        ],
    }
    (tmp_path / "ES-acme.json").write_text(json.dumps(bad), encoding="utf-8")
    settings = Settings(rule_pack_dir=tmp_path)
    services = Services(settings=settings, engine=engine, session_factory=session_factory, clock=clock)
    with pytest.raises(RulePackError) as exc:
        create_app(settings, services=services)
    message = str(exc.value)
    assert "ES-acme.json" in message and "$.rules[0]" in message
