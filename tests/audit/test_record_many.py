"""record_many: a group commit that builds exactly the chain `record` builds one event at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from asistente.audit import AuditEvent, record
from asistente.audit.chain import chain_hash, hashed_fields
from asistente.audit.integrity import verify
from asistente.audit.ledger import record_many
from asistente.db import transaction
from asistente.errors import BadInput
from tests.audit.helpers import T0


def _item(i: int) -> dict:
    return {
        "kind": "SUGGESTION",
        "actor_id": f"agent-{i}",
        "actor_role": "AGENT",
        "debtor_id": f"d-{i}",
        "call_id": None,
        "input": {"utterance": f"ya pagué {i}", "token": "secret"},
        "output": {"category": "ALREADY_PAID", "shown": [{"id": "ALREADY_PAID.x", "text": "Gracias"}]},
        "versions": {"playbook": "default@2026.12.1"},
        "now": T0 + timedelta(seconds=i),
    }


def test_record_many_continues_the_chain_and_verifies(session_factory, tenant):
    with transaction(session_factory) as s:
        first = record(
            s,
            tenant_id=tenant,
            kind="DRAFT",
            actor_id="a",
            actor_role="AGENT",
            input={},
            output={},
            versions={},
            now=T0,
        )
        first_id = first.id
    with transaction(session_factory) as s:
        ids = record_many(s, tenant_id=tenant, events=[_item(i) for i in range(5)])
    with transaction(session_factory) as s:
        record(
            s,
            tenant_id=tenant,
            kind="DRAFT",
            actor_id="a",
            actor_role="AGENT",
            input={},
            output={},
            versions={},
            now=T0 + timedelta(minutes=1),
        )
    with session_factory() as s:
        rows = list(
            s.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant).order_by(AuditEvent.seq))
        )
        assert [r.seq for r in rows] == list(range(1, 8))
        assert [r.id for r in rows[1:6]] == ids and rows[0].id == first_id
        prev = rows[0].hash
        for r in rows[1:]:
            fields = {
                c: getattr(r, c)
                for c in (
                    "id",
                    "tenant_id",
                    "seq",
                    "kind",
                    "actor_id",
                    "actor_role",
                    "debtor_id",
                    "call_id",
                    "input",
                    "output",
                    "versions",
                    "at",
                )
            }
            assert r.prev_hash == prev
            assert r.hash == chain_hash(prev, hashed_fields(**fields, prev_hash=prev))
            prev = r.hash
        assert "token" not in rows[1].input  # scrubbed like every ledger value
        assert verify(s).ok


def test_record_many_refuses_bad_items_before_writing(session_factory, tenant):
    bad = _item(1) | {"kind": "FEEDBACK"}
    with pytest.raises(BadInput), transaction(session_factory) as s:
        record_many(s, tenant_id=tenant, events=[_item(0), bad])
    naive = _item(2) | {"now": T0.replace(tzinfo=None)}
    with pytest.raises(BadInput), transaction(session_factory) as s:
        record_many(s, tenant_id=tenant, events=[naive])
    with session_factory() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant)).first() is None
        assert record_many(s, tenant_id=tenant, events=[]) == []
