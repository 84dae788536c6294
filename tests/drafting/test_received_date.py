"""A payment-received message dates the payment on the debtor's calendar, not UTC's."""

from __future__ import annotations

from tests.api.data import debtor_record
from tests.api.test_drafts_api import Tenant, _ok


async def test_the_payment_date_is_the_debtors_local_date(api):
    t = await Tenant(api).setup()
    rec = debtor_record("MX-LATE", payments=0)
    rec["promises"] = []
    # 21:30 on November 18 in Cancún (UTC-5) is already November 19 in UTC
    rec["accounts"][0]["payments"] = [
        {"amount": "250.00", "paidAt": "2026-11-18T21:30:00-05:00", "reference": "MX-LATE-P1"}
    ]
    debtor = await t.debtor(rec)
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="PAYMENT_RECEIVED"))
    assert "$250.00" in out["text"]
    assert "18 de noviembre de 2026" in out["text"] and "19 de noviembre de 2026" not in out["text"], out[
        "text"
    ]


async def test_the_amount_is_dated_on_the_debtors_calendar(api, session_factory):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from asistente.portfolio.models import Account

    t = await Tenant(api).setup()
    debtor = await t.debtor(debtor_record("MX-ASOF", accounts=1))
    with session_factory() as s:  # the balance was computed at 02:00 UTC: 21:00 the day before in Cancún
        s.execute(
            update(Account)
            .where(Account.debtor_id == debtor)
            .values(updated_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
        )
        s.commit()
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    assert "calculado al 19 de noviembre de 2026" in out["text"], out["text"]
