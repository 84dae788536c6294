"""The debtor card's arithmetic and clock functions (asistente.portfolio.card) and the contact check shared
by contactPermission and Debtor.contactNow (asistente.portfolio.contact): pure, `now` passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from asistente.compliance import ContactRequest, evaluate_contact, load_packs
from asistente.enums import Channel, RecipientRole
from asistente.errors import BadInput
from asistente.portfolio import card
from asistente.portfolio.contact import DEFAULT_CHANNELS, contact_decisions
from asistente.portfolio.facts import debtor_facts
from asistente.portfolio.models import Account, Debtor, Promise

PACKS = load_packs()
NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # 11:00 in Mexico City


def _debtor(**fields) -> Debtor:
    fields.setdefault(
        "addresses", [{"line1": "Av. Reforma 1", "city": "CDMX", "region": "CMX", "country": "MX"}]
    )
    return Debtor(
        id="d1",
        tenant_id="t1",
        external_id="D-1",
        full_name="Ana",
        jurisdiction="MX-CMX",
        phones=fields.pop("phones", [{"number": "+5215512345678", "kind": "MOBILE"}]),
        authorized_channels=["CALL", "SMS", "WHATSAPP", "EMAIL"],
        opted_out_channels=[],
        cease_contact=False,
        represented_by_attorney=False,
        **fields,
    )


def _account(currency: str, balance: str, principal: str, minimum: str | None, dpd: int) -> Account:
    return Account(
        id=f"a-{currency}-{balance}",
        tenant_id="t1",
        debtor_id="d1",
        external_id=f"A-{currency}-{balance}",
        product="Tarjeta",
        currency=currency,
        principal=Decimal(principal),
        balance=Decimal(balance),
        minimum_due=Decimal(minimum) if minimum else None,
        days_past_due=dpd,
        in_litigation=False,
        disputed=False,
        time_barred=False,
    )


def _promise(status: str, due: date) -> Promise:
    return Promise(
        tenant_id="t1", debtor_id="d1", amount=Decimal("100"), currency="MXN", due_date=due, status=status
    )


def test_age_counts_completed_years_at_now():
    assert card.age_at(date(1990, 11, 20), NOW) == 36
    assert card.age_at(date(1990, 11, 21), NOW) == 35
    assert card.age_at(None, NOW) is None


def test_local_time_follows_the_primary_zone_and_every_candidate():
    zones = card.zones_of(_debtor())
    assert zones and zones[0].tz == "America/Mexico_City"
    assert card.local_time_at(zones, NOW).hour == 11
    clocks = card.local_clocks_at(zones, NOW)
    assert clocks[0].utc_offset == "-06:00" and clocks[0].local_time.hour == 11
    assert card.local_time_at([], NOW) is None and card.local_clocks_at([], NOW) == []
    # a stored zone that no longer resolves shows no zone rather than failing the card
    assert card.zones_of(_debtor(timezone="Mars/Olympus", addresses=[], phones=[])) == []


def test_totals_per_currency_never_mix_currencies():
    accounts = [
        _account("MXN", "1000.50", "900", "100", 40),
        _account("MXN", "0", "500", None, 90),
        _account("USD", "20", "20", "5", 10),
    ]
    totals = card.currency_totals(accounts)
    assert [(t.currency, t.balance, t.principal, t.minimum_due, t.accounts) for t in totals] == [
        ("MXN", Decimal("1000.50"), Decimal("1400"), Decimal("100"), 2),
        ("USD", Decimal("20"), Decimal("20"), Decimal("5"), 1),
    ]
    assert card.max_days_past_due(accounts) == 40  # the paid-off account's 90 days do not count
    assert card.max_days_past_due([]) == 0


def test_promise_counts_and_open_promises():
    rows = [
        _promise("KEPT", date(2026, 10, 1)),
        _promise("PENDING", date(2026, 12, 30)),
        _promise("PENDING", date(2026, 12, 1)),
        _promise("BROKEN", date(2026, 9, 1)),
    ]
    assert card.promise_counts(rows) == {"PENDING": 2, "KEPT": 1, "BROKEN": 1, "CANCELLED": 0}
    assert [p.due_date for p in card.open_promises(rows)] == [date(2026, 12, 1), date(2026, 12, 30)]


def test_contact_decisions_default_to_every_channel_once_and_match_the_rules_engine():
    debtor, accounts = _debtor(), [_account("MXN", "1000", "1000", None, 40)]
    decisions = contact_decisions(debtor, accounts, [], PACKS, now=NOW)
    assert tuple(decisions) == DEFAULT_CHANNELS
    twice = contact_decisions(debtor, accounts, [], PACKS, [Channel.SMS, Channel.CALL, Channel.SMS], now=NOW)
    assert list(twice) == [Channel.SMS, Channel.CALL]
    expected = evaluate_contact(
        ContactRequest(Channel.CALL, NOW), debtor_facts(debtor, accounts), [], PACKS, NOW
    )
    assert decisions[Channel.CALL] == expected and expected.allowed
    # at night (23:30 local) a call is refused, with the next allowed instant
    night = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
    late = contact_decisions(debtor, accounts, [], PACKS, [Channel.CALL], now=NOW, at=night)[Channel.CALL]
    assert not late.allowed and late.next_allowed_at is not None and late.next_allowed_at > night


def test_contact_decisions_refuse_bad_input():
    debtor = _debtor()
    with pytest.raises(BadInput, match="offset"):
        contact_decisions(debtor, [], [], PACKS, now=NOW, at=datetime(2026, 11, 20, 12, 0))
    with pytest.raises(BadInput, match="300"):
        contact_decisions(debtor, [], [], PACKS, now=NOW, destination="x" * 301)
    family = contact_decisions(
        debtor,
        [],
        [],
        PACKS,
        [Channel.CALL],
        now=NOW,
        recipient_role=RecipientRole.FAMILY,
        destination="+5215500000000",
    )[Channel.CALL]
    request = ContactRequest(Channel.CALL, NOW, RecipientRole.FAMILY, "+5215500000000")
    assert family == evaluate_contact(request, debtor_facts(debtor, []), [], PACKS, NOW)


def test_record_interaction_use_case_moves_the_segment_with_the_clock_passed_in(session):
    from asistente.portfolio.repository import PortfolioRepository
    from asistente.portfolio.usecases import record_interaction
    from asistente.tenants.service import get_or_create_tenant

    tenant = get_or_create_tenant(session, "acme")
    debtor = _debtor()
    debtor.id, debtor.tenant_id = None, tenant.id
    session.add(debtor)
    session.flush()
    repo = PortfolioRepository(session, tenant.id)
    it, found = record_interaction(
        repo, debtor_id=debtor.id, channel="CALL", direction="OUTBOUND", at=NOW, outcome="NO_ANSWER", now=NOW
    )
    assert (it.debtor_id, found.id, it.at.replace(tzinfo=UTC)) == (debtor.id, debtor.id, NOW)
    session.expire(found)
    assert found.segment_code is not None
    with pytest.raises(BadInput):
        record_interaction(
            repo,
            debtor_id=debtor.id,
            channel="FAX",
            direction="OUTBOUND",
            at=NOW,
            outcome="NO_ANSWER",
            now=NOW,
        )
