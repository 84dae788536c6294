"""PolicyReader (agreements/repository.py): the policy lookup of validateAgreement's prepared path, read on
a connection as plain rows, against AgreementRepository's Session and ORM records: the same policy in force
(document, version, revision, source) for every currency, product and segment asked, with tenant policies
unscoped, scoped, revised and of another tenant, and the same records listed, history included."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from asistente.agreements.repository import AgreementRepository, PolicyReader
from asistente.errors import BadInput
from asistente.tenants.service import get_or_create_tenant
from tests.agreements.helpers import policy_doc

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _same(a, b) -> bool:
    return (
        a.policy.document == b.policy.document
        and a.policy.version == b.policy.version
        and a.versions() == b.versions()
        and a.source == b.source
        and (a.record is None) == (b.record is None)
        and (a.record is None or (a.record.id, a.record.revision) == (b.record.id, b.record.revision))
    )


def _fields(records):
    return [(r.id, r.scope_key, r.currency, r.revision, r.version, r.document, r.active) for r in records]


def test_the_policy_in_force_is_the_repository_s(session, engine):
    acme = get_or_create_tenant(session, "acme")
    other = get_or_create_tenant(session, "other")
    repo = AgreementRepository(session, acme.id)
    for doc in (
        policy_doc(version="mxn-1"),
        policy_doc(version="mxn-2", maxInstallments=6),  # a revision of the unscoped policy
        policy_doc(version="mxn-card", scope={"product": "Tarjeta"}),
        policy_doc(version="mxn-late", scope={"segment": "LATE"}),
        policy_doc(version="mxn-card-late", scope={"product": "Tarjeta", "segment": "LATE"}),
    ):
        repo.set_policy(doc, actor_id=None, now=NOW)
    AgreementRepository(session, other.id).set_policy(policy_doc(version="other-1"), actor_id=None, now=NOW)
    session.commit()
    compared = 0
    for tenant in (acme, other, get_or_create_tenant(session, "empty")):
        session.commit()
        orm, rows = AgreementRepository(session, tenant.id), PolicyReader(engine, tenant.id)
        for currency, product, segment in itertools.product(
            ("MXN", "USD", "EUR", "XYZ"), (None, "Tarjeta", "Auto"), (None, "LATE", "EARLY")
        ):
            try:
                want = orm.policy_for(currency, product, segment)
            except BadInput as exc:
                with pytest.raises(BadInput) as got:
                    rows.policy_for(currency, product, segment)
                assert str(got.value) == str(exc)
                continue
            assert _same(rows.policy_for(currency, product, segment), want), (tenant.slug, currency)
            compared += 1
        for currency in (None, "MXN", "USD"):
            for history in (False, True):
                want = orm.policy_records(currency=currency, include_history=history)
                got = rows.policy_records(currency=currency, include_history=history)
                assert _fields(got) == _fields(want)
        session.rollback()
    assert compared > 30
    in_force = PolicyReader(engine, acme.id).policy_for("MXN", "Tarjeta", "LATE")
    assert in_force.policy.version == "mxn-card-late" and in_force.source == "TENANT"
