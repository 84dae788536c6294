"""Rows written by the bulk import read back exactly like the values given (types, offsets, decimals)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from asistente.portfolio.ingest import upsert_records
from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.tenants.service import get_or_create_tenant
from tests.api.data import debtor_record

NOW = datetime.now(UTC)  # the instant the rows are stamped with (ingest never reads the clock)


def test_round_trip(session):
    tenant = get_or_create_tenant(session, "acme")
    rec = debtor_record("R-1", accounts=1)
    rec["birthDate"] = "1980-02-29"
    rec["attributes"] = {"employer": "Ñandú S.A.", "tags": ["a", "b"]}
    rec["accounts"][0]["balance"] = "12345678901234.5"
    rec["accounts"][0]["payments"] = [
        {"amount": "0.01", "paidAt": "2026-10-01T23:30:00.123456-05:00", "reference": "P"}
    ]
    rec["interactions"][0]["at"] = "2026-11-01T01:30:00+02:00"
    out = upsert_records(session, tenant.id, [rec], now=NOW)
    session.commit()
    assert not out.rejections
    session.expire_all()
    debtor = session.scalar(select(Debtor).where(Debtor.external_id == "R-1"))
    assert debtor.birth_date == date(1980, 2, 29)
    assert debtor.attributes == {"employer": "Ñandú S.A.", "tags": ["a", "b"]}
    assert debtor.phones == [{"number": "+529981234567", "kind": "MOBILE"}]
    assert debtor.cease_contact is False and debtor.segment_code.startswith("MID-")
    assert debtor.created_at.tzinfo is not None
    acc = session.scalar(select(Account).where(Account.debtor_id == debtor.id))
    assert acc.balance == Decimal("12345678901234.5") and acc.in_litigation is False
    pay = session.scalar(select(Payment).where(Payment.account_id == acc.id))
    assert pay.amount == Decimal("0.01")
    assert pay.paid_at == datetime(2026, 10, 2, 4, 30, 0, 123456, tzinfo=UTC)
    it = session.scalar(select(Interaction).where(Interaction.debtor_id == debtor.id))
    assert it.at == datetime(2026, 10, 31, 23, 30, tzinfo=UTC) and it.opt_out_requested is False
    prom = session.scalar(select(Promise).where(Promise.debtor_id == debtor.id))
    assert prom.due_date == date(2026, 11, 30) and prom.amount == Decimal("500.00")
    # and a second upsert of the same record (the UPDATE path) keeps the same values
    upsert_records(session, tenant.id, [rec], now=NOW)
    session.commit()
    session.expire_all()
    assert session.scalar(select(Account.balance).where(Account.id == acc.id)) == Decimal("12345678901234.5")
