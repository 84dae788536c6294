"""Property: next_allowed_at is itself allowed, and one minute before it is not (unless it equals `at`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asistente.compliance.contact import evaluate_contact
from asistente.compliance.packs import load_packs
from asistente.compliance.types import ContactRequest, DebtorFacts, InteractionFact
from asistente.enums import Channel, Direction, InteractionOutcome, RecipientRole

REG = load_packs()
NOW = datetime(2030, 1, 1, tzinfo=UTC)
DEBTORS = [
    DebtorFacts(
        addresses=({"city": "Boston", "region": "MA", "country": "US"},),
        authorized_channels=frozenset(Channel),
    ),
    DebtorFacts(
        addresses=({"city": "Cancún", "region": "ROO", "country": "MX"},),
        phones=({"number": "+526641234567", "kind": "MOBILE"},),  # Tijuana phone: two zones
        authorized_channels=frozenset(Channel),
    ),
    DebtorFacts(addresses=({"city": "Bogotá", "country": "CO"},), authorized_channels=frozenset(Channel)),
    DebtorFacts(
        addresses=({"city": "Santiago", "region": "RM", "country": "CL"},),
        authorized_channels=frozenset(Channel),
    ),
    DebtorFacts(
        addresses=({"city": "Brooklyn", "region": "NY", "country": "US"},),
        authorized_channels=frozenset(Channel),
    ),
    DebtorFacts(addresses=({"city": "Lima", "country": "PE"},), authorized_channels=frozenset(Channel)),
]
CHANNELS = [Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.WHATSAPP]

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[DebtorFacts, ContactRequest, list[InteractionFact]]:
    d = draw(st.sampled_from(DEBTORS))
    at = draw(instants)
    channel = draw(st.sampled_from(CHANNELS))
    history = [
        InteractionFact(
            draw(st.sampled_from(CHANNELS)),
            draw(st.sampled_from(list(Direction))),
            at - timedelta(minutes=draw(st.integers(1, 10 * 24 * 60))),
            draw(st.sampled_from(list(InteractionOutcome))),
            RecipientRole.DEBTOR,
        )
        for _ in range(draw(st.integers(0, 8)))
    ]
    return (
        d,
        ContactRequest(channel, at, destination="dest@example.com" if channel == Channel.EMAIL else "+1555"),
        history,
    )


def allowed(d: DebtorFacts, req: ContactRequest, history: list[InteractionFact], at: datetime) -> bool:
    probe = ContactRequest(req.channel, at, req.recipient_role, req.destination)
    return evaluate_contact(probe, d, history, REG, NOW).allowed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_next_allowed_at_is_the_first_allowed_instant(
    scenario: tuple[DebtorFacts, ContactRequest, list[InteractionFact]],
) -> None:
    d, req, history = scenario
    decision = evaluate_contact(req, d, history, REG, NOW)
    nxt = decision.next_allowed_at
    if decision.allowed:
        assert nxt == req.at
        return
    assert nxt is not None  # nothing here blocks for good, and every pack reopens within 60 days
    assert nxt > req.at
    assert allowed(d, req, history, nxt)
    before = nxt - timedelta(minutes=1)
    if before >= req.at:
        assert not allowed(d, req, history, before)
