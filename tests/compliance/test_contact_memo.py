"""The contact evaluation's per-process memos (where a debtor is, the rule split, the next allowed instant)
give exactly the decision a fresh evaluation gives: same violations, warnings, next allowed instant, zones,
local times and pack versions, for a debtor drafted again and again through a day and a week, with the
history growing in between."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asistente.compliance import contact
from asistente.compliance.contact import evaluate_contact
from asistente.compliance.packs import load_packs
from asistente.compliance.types import (
    ConsentWindow,
    ContactDecision,
    ContactRequest,
    DebtorFacts,
    InteractionFact,
)
from asistente.enums import Channel, Direction, InteractionOutcome, RecipientRole
from asistente.memo import BoundedMemo

REG = load_packs()
ALL = frozenset(Channel)
DEBTORS = [
    DebtorFacts(
        jurisdiction="US-MA",
        addresses=({"city": "Boston", "region": "MA", "country": "US"},),
        authorized_channels=ALL,
    ),
    DebtorFacts(
        jurisdiction="MX",
        addresses=({"city": "Cancún", "region": "ROO", "country": "MX"},),
        phones=({"number": "+526641234567", "kind": "MOBILE"},),  # Tijuana phone: two zones
        authorized_channels=ALL,
        birth_date=date(1955, 3, 1),
    ),
    DebtorFacts(jurisdiction="CO", addresses=({"city": "Bogotá", "country": "CO"},), authorized_channels=ALL),
    DebtorFacts(
        jurisdiction="CL",
        addresses=({"city": "Santiago", "region": "RM", "country": "CL"},),
        authorized_channels=ALL,
        birth_date=date(2008, 6, 15),  # turns 18 in the period
    ),
    DebtorFacts(
        jurisdiction="US-NY",
        addresses=({"city": "Brooklyn", "region": "NY", "country": "US"},),
        authorized_channels=ALL,
        consent_windows=(
            ConsentWindow(datetime(2026, 3, 2, 23, tzinfo=UTC), datetime(2026, 3, 3, 4, tzinfo=UTC)),
        ),
    ),
    DebtorFacts(jurisdiction="PE", addresses=({"city": "Lima", "country": "PE"},), authorized_channels=ALL),
    DebtorFacts(
        jurisdiction="ES",
        addresses=({"city": "Madrid", "region": "MD", "country": "ES"},),
        authorized_channels=ALL,
    ),
    DebtorFacts(jurisdiction="AR", timezone="America/Argentina/Cordoba", authorized_channels=ALL),
    DebtorFacts(phones=({"number": "+56 9 6123 4567"},), authorized_channels=ALL),  # jurisdiction from phone
    DebtorFacts(jurisdiction="MX", addresses=({"city": "Monterrey", "region": "NLE", "country": "MX"},)),
    DebtorFacts(
        jurisdiction="US-TX",
        addresses=({"city": "Austin", "region": "TX", "country": "US"},),
        emails=({"address": "ana@empresa.example", "kind": "WORK"},),
        employer_domains=frozenset({"empresa.example"}),
        authorized_channels=ALL,
        opted_out_channels=frozenset({Channel.SMS}),
    ),
    DebtorFacts(jurisdiction="CO", addresses=({"city": "Cali", "country": "CO"},), cease_contact=True),
    DebtorFacts(timezone="America/Lima", authorized_channels=ALL),  # no jurisdiction: refused, data missing
]
DESTINATIONS = [None, "ana@empresa.example", "ana@personal.example", "+5215512345678"]
CHANNELS = [Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.WHATSAPP, Channel.LETTER, Channel.VOICEMAIL]
START = datetime(2026, 3, 1, tzinfo=UTC)


@contextmanager
def fresh_memos() -> Iterator[None]:
    """Evaluate with empty memos, then put the warm ones back."""
    names = ("_ZONE_CANDIDATES", "_WHERE", "_SPLITS", "_NEXT_ALLOWED", "_STATIC")
    kept = {n: getattr(contact, n) for n in names}
    for n in names:
        setattr(contact, n, BoundedMemo(8))
    try:
        yield
    finally:
        for n, memo in kept.items():
            setattr(contact, n, memo)


def as_tuple(d: ContactDecision) -> tuple:
    return (
        d.allowed,
        d.violations,
        d.warnings,
        d.next_allowed_at,
        d.next_allowed_at.tzinfo if d.next_allowed_at else None,
        d.local_times,
        d.timezones,
        d.missing_data,
        d.pack_versions,
    )


def both(
    req: ContactRequest, d: DebtorFacts, history: list[InteractionFact], now: datetime
) -> ContactDecision:
    memo = evaluate_contact(req, d, history, REG, now)
    with fresh_memos():
        fresh = evaluate_contact(req, d, history, REG, now)
    assert as_tuple(memo) == as_tuple(fresh)
    return memo


def fact(channel: Channel, at: datetime, outcome: InteractionOutcome) -> InteractionFact:
    return InteractionFact(channel, Direction.OUTBOUND, at, outcome, RecipientRole.DEBTOR)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    debtor=st.sampled_from(DEBTORS),
    channel=st.sampled_from(CHANNELS),
    start=st.integers(0, 7 * 24 * 60),
    steps=st.lists(st.integers(1, 26 * 60), min_size=3, max_size=12),
    logged=st.lists(
        st.tuples(st.integers(0, 11), st.sampled_from(CHANNELS), st.sampled_from(list(InteractionOutcome))),
        max_size=4,
    ),
    tz=st.sampled_from([UTC, contact.ZoneInfo("America/Mexico_City")]),
    destination=st.sampled_from(DESTINATIONS),
    role=st.sampled_from(
        [RecipientRole.DEBTOR, RecipientRole.DEBTOR, RecipientRole.SPOUSE, RecipientRole.MINOR]
    ),
)
def test_memoised_decisions_equal_fresh_ones(
    debtor: DebtorFacts,
    channel: Channel,
    start: int,
    steps: list[int],
    logged: list[tuple[int, Channel, InteractionOutcome]],
    tz: object,
    destination: str | None,
    role: RecipientRole,
) -> None:
    at = (START + timedelta(minutes=start)).astimezone(tz)  # type: ignore[arg-type]
    history: list[InteractionFact] = []
    for i, step in enumerate(steps):
        for when, ch, outcome in logged:
            if when == i:  # a contact logged since the last draft: the history moves
                history.append(fact(ch, at - timedelta(minutes=1), outcome))
        both(ContactRequest(channel, at, recipient_role=role, destination=destination), debtor, history, at)
        at += timedelta(minutes=step)


def test_the_next_allowed_instant_is_reused_inside_its_interval_and_only_there() -> None:
    """A Mexican debtor (Cancún address, Tijuana phone) drafted at night: the answer found then is reused
    until the window opens in both zones."""
    d = DEBTORS[1]
    contact._NEXT_ALLOWED.clear()
    hits = contact._NEXT_ALLOWED.hits
    night = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)  # 22:00 in Cancún, 19:00 in Tijuana
    first = both(ContactRequest(Channel.CALL, night), d, [], night)
    assert not first.allowed and first.next_allowed_at is not None and first.next_allowed_at > night
    for minutes in (1, 30, 300, 500):
        later = night + timedelta(minutes=minutes)
        if later >= first.next_allowed_at:
            break
        again = both(ContactRequest(Channel.CALL, later), d, [], later)
        assert again.next_allowed_at == first.next_allowed_at
    assert contact._NEXT_ALLOWED.hits > hits  # the memo answered (the fresh evaluations agreed)
    opened = first.next_allowed_at
    at_open = both(ContactRequest(Channel.CALL, opened), d, [], opened)
    assert at_open.allowed and at_open.next_allowed_at == opened
    # A Boston debtor at night, then a conversation logged: the history moved, so the answer is searched
    # again, and the week's wait after a conversation gives a later one.
    boston = DEBTORS[0]
    t0 = both(ContactRequest(Channel.CALL, night), boston, [], night)
    assert t0.next_allowed_at is not None
    history = [fact(Channel.CALL, night - timedelta(hours=1), InteractionOutcome.CONVERSATION)]
    later = night + timedelta(minutes=10)
    moved = both(ContactRequest(Channel.CALL, later), boston, history, later)
    assert moved.next_allowed_at is not None and moved.next_allowed_at > t0.next_allowed_at + timedelta(
        days=5
    )


def test_where_a_debtor_is_follows_the_address() -> None:
    """The same facts but another region: other zones (the memo is keyed by the values, not the object)."""
    cancun = DebtorFacts(jurisdiction="MX", addresses=({"city": "Cancún", "region": "ROO", "country": "MX"},))
    tijuana = DebtorFacts(
        jurisdiction="MX", addresses=({"city": "Tijuana", "region": "BCN", "country": "MX"},)
    )
    at = datetime(2026, 3, 3, 18, tzinfo=UTC)
    a = both(ContactRequest(Channel.LETTER, at), cancun, [], at)
    b = both(ContactRequest(Channel.LETTER, at), tijuana, [], at)
    assert a.timezones == ["America/Cancun"] and b.timezones == ["America/Tijuana"]
    odd = DebtorFacts(jurisdiction="MX", addresses=({"city": "Cancún", "region": ["ROO"], "country": "MX"},))
    assert contact.place_key(odd.addresses) is None  # not text: derived afresh, never remembered


def test_resolved_packs_are_what_resolve_gives_afresh() -> None:
    """PackRegistry.resolve remembers per registry (jurisdiction, addresses' country/region/city): the same
    packs as the uncached resolution, a city overlay only where the address says so, a tenant overlay's
    registry its own answers."""
    reg = load_packs()
    brooklyn = ({"city": "Brooklyn", "region": "NY", "country": "US"},)
    albany = ({"city": "Albany", "region": "NY", "country": "US"},)
    places = [(), brooklyn, albany, ({"city": "new york", "country": "US"},), ({"city": "Bogotá"},)]
    cases = [(j, a) for j in ("US-NY", "US", "US-CA", "US-MA", "MX", "ES", "CO") for a in places]
    for _ in range(2):
        for jurisdiction, addresses in cases:
            assert reg.resolve(jurisdiction, addresses) == reg._resolve(jurisdiction, addresses)
    assert reg._resolved.hits >= len(cases)
    assert [p.key for p in reg.resolve("US-NY", brooklyn)] == ["US", "US-NY-NYC"]
    assert [p.key for p in reg.resolve("US-NY", albany)] == ["US"]
    rule = {
        "id": "T-01",
        "kind": "frequency",
        "code": "CONTACT_FREQUENCY",
        "source": "Test law art. 1",
        "parameters": {"max": 1, "period": "local_day"},
    }
    tenant = reg.with_overlay({"jurisdiction": "US", "version": "t1", "name": "test", "rules": [rule]})
    assert [p.key for p in tenant.resolve("US-NY", albany)] == ["US", "tenant:US"]
    assert [p.key for p in reg.resolve("US-NY", albany)] == ["US"]
