"""Contact permission: windows in every candidate zone, holidays, DST, frequency, flags, roles, next_allowed_at."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asistente.compliance.contact import evaluate_contact
from asistente.compliance.packs import PackRegistry, load_packs
from asistente.compliance.types import (
    ConsentWindow,
    ContactDecision,
    ContactRequest,
    DebtorFacts,
    InteractionFact,
)
from asistente.enums import Channel, Direction, InteractionOutcome, RecipientRole, ViolationCode
from asistente.errors import BadInput

C = ViolationCode
NOW_FAR = datetime(2030, 1, 1, tzinfo=UTC)  # "now" after every scenario: the whole log has happened


@pytest.fixture(scope="module")
def reg() -> PackRegistry:
    return load_packs()


def debtor(country: str, city: str | None = None, region: str | None = None, **kw: object) -> DebtorFacts:
    base: dict = {
        "addresses": ({"line1": "x", "city": city, "region": region, "postalCode": "1", "country": country},),
        "phones": (),
        "emails": ({"address": "me@example.com", "kind": "PERSONAL"},),
        "authorized_channels": frozenset(Channel),
    }
    base.update(kw)
    return DebtorFacts(**base)


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


def ev(
    at: datetime,
    channel: Channel = Channel.CALL,
    outcome: InteractionOutcome = InteractionOutcome.NO_ANSWER,
    direction: Direction = Direction.OUTBOUND,
    role: RecipientRole = RecipientRole.DEBTOR,
) -> InteractionFact:
    return InteractionFact(channel, direction, at, outcome, role)


def decide(
    reg: PackRegistry,
    d: DebtorFacts,
    at: datetime,
    channel: Channel = Channel.CALL,
    history: list[InteractionFact] | None = None,
    role: RecipientRole = RecipientRole.DEBTOR,
    destination: str | None = None,
    **kw: object,
) -> ContactDecision:
    if destination is None and channel in (Channel.CALL, Channel.SMS, Channel.WHATSAPP, Channel.VOICEMAIL):
        destination = "+15550000000"  # the number being dialled; the debtor's zones come from the address
    return evaluate_contact(
        ContactRequest(channel, at, role, destination), d, history or [], reg, NOW_FAR, **kw
    )


def codes(decision: ContactDecision) -> set[ViolationCode]:
    return {v.code for v in decision.violations}


def rule_ids(decision: ContactDecision) -> set[str]:
    return {v.rule_id for v in decision.violations}


# ---------------------------------------------------------------------------------------------- windows
MX_CITY = debtor("MX", "Guadalajara", "Jalisco")


@pytest.mark.parametrize(
    ("hms", "allowed"),
    [
        ((6, 59, 59), False),
        ((7, 0, 0), True),
        ((21, 59, 59), True),
        ((22, 0, 0), False),
        ((23, 30, 0), False),
    ],
)
def test_mexico_window_is_half_open(reg: PackRegistry, hms: tuple[int, int, int], allowed: bool) -> None:
    at = local("America/Mexico_City", 2024, 5, 12, *hms)  # a Sunday: no weekday limit in MX
    d = decide(reg, MX_CITY, at)
    assert d.allowed is allowed
    if not allowed:
        assert codes(d) == {C.CONTACT_HOURS}
        assert rule_ids(d) == {"MX-01"}


def test_mexico_letter_is_not_subject_to_the_window(reg: PackRegistry) -> None:
    assert decide(reg, MX_CITY, local("America/Mexico_City", 2024, 5, 12, 3, 0), Channel.LETTER).allowed


BOGOTA = debtor("CO", "Bogotá", phones=({"number": "+573001234567", "kind": "MOBILE"},))


@pytest.mark.parametrize(
    ("when", "allowed", "code"),
    [
        ((2024, 4, 2, 6, 59, 59), False, C.CONTACT_HOURS),  # Tuesday
        ((2024, 4, 2, 7, 0, 0), True, None),
        ((2024, 4, 2, 18, 59, 59), True, None),
        ((2024, 4, 2, 19, 0, 0), False, C.CONTACT_HOURS),
        ((2024, 4, 6, 7, 59, 0), False, C.CONTACT_HOURS),  # Saturday opens at 08:00
        ((2024, 4, 6, 8, 0, 0), True, None),
        ((2024, 4, 6, 15, 0, 0), False, C.CONTACT_HOURS),  # ... and closes at 15:00
        ((2024, 4, 7, 10, 0, 0), False, C.CONTACT_DAY),  # Sunday
        ((2024, 3, 25, 10, 0, 0), False, C.CONTACT_DAY),  # San José moved to Monday 25 March
        ((2024, 3, 19, 10, 0, 0), True, None),  # ... so the 19th itself is a working day
        ((2024, 6, 3, 10, 0, 0), False, C.CONTACT_DAY),  # Corpus Christi moved to Monday
    ],
)
def test_colombia_windows_and_moved_holidays(
    reg: PackRegistry, when: tuple[int, ...], allowed: bool, code: ViolationCode | None
) -> None:
    d = decide(reg, BOGOTA, local("America/Bogota", *when))
    assert d.allowed is allowed, d.violations
    if code is not None:
        assert codes(d) == {code}


def test_colombia_next_allowed_skips_sunday_and_moved_monday_holiday(reg: PackRegistry) -> None:
    d = decide(reg, BOGOTA, local("America/Bogota", 2024, 3, 24, 10, 0))  # Palm Sunday
    assert d.next_allowed_at == local("America/Bogota", 2024, 3, 26, 7, 0)
    assert "holiday" in decide(reg, BOGOTA, local("America/Bogota", 2024, 3, 25, 10)).violations[0].message


def test_colombia_friday_evening_next_is_saturday_eight(reg: PackRegistry) -> None:
    d = decide(reg, BOGOTA, local("America/Bogota", 2024, 4, 5, 19, 0))
    assert d.next_allowed_at == local("America/Bogota", 2024, 4, 6, 8, 0)


def test_chile_regional_holidays(reg: PackRegistry) -> None:
    arica = debtor("CL", "Arica", "Arica y Parinacota")
    santiago = debtor("CL", "Santiago", "RM")
    chillan = debtor("CL", "Chillán", "Ñuble")
    june7 = local("America/Santiago", 2024, 6, 7, 12, 0)  # Friday: Asalto y Toma del Morro de Arica
    assert codes(decide(reg, arica, june7)) == {C.CONTACT_DAY}
    assert decide(reg, santiago, june7).allowed
    aug20 = local("America/Santiago", 2024, 8, 20, 12, 0)  # Tuesday: natalicio de O'Higgins (Chillán)
    assert codes(decide(reg, chillan, aug20)) == {C.CONTACT_DAY}
    assert decide(reg, santiago, aug20).allowed


def test_chile_saturday_is_a_working_day_sunday_is_not(reg: PackRegistry) -> None:
    scl = debtor("CL", "Santiago", "RM")
    assert decide(reg, scl, local("America/Santiago", 2024, 5, 11, 10)).allowed
    assert codes(decide(reg, scl, local("America/Santiago", 2024, 5, 12, 10))) == {C.CONTACT_DAY}
    assert not decide(reg, scl, local("America/Santiago", 2024, 5, 11, 20, 0)).allowed


def test_chile_dst_end_shifts_the_utc_window(reg: PackRegistry) -> None:
    scl = debtor("CL", "Santiago", "RM")
    # Santiago leaves DST on 2024-04-07 (UTC-3 -> UTC-4). 08:00 local is 11:00 UTC before, 12:00 UTC after.
    assert decide(reg, scl, datetime(2024, 4, 6, 11, 0, tzinfo=UTC)).allowed
    assert not decide(reg, scl, datetime(2024, 4, 8, 11, 30, tzinfo=UTC)).allowed
    assert decide(reg, scl, datetime(2024, 4, 8, 12, 0, tzinfo=UTC)).allowed
    # Punta Arenas stays UTC-3: 11:00 UTC is 08:00 there on both dates.
    pa = debtor("CL", "Punta Arenas", "Magallanes")
    assert decide(reg, pa, datetime(2024, 4, 8, 11, 0, tzinfo=UTC)).allowed


def test_peru_no_saturday(reg: PackRegistry) -> None:
    lima = debtor("PE", "Lima")
    assert decide(reg, lima, local("America/Lima", 2024, 5, 10, 19, 59)).allowed
    assert not decide(reg, lima, local("America/Lima", 2024, 5, 10, 20, 0)).allowed
    d = decide(reg, lima, local("America/Lima", 2024, 5, 11, 10, 0))
    assert codes(d) == {C.CONTACT_DAY}
    assert d.next_allowed_at == local("America/Lima", 2024, 5, 13, 7, 0)


NYC = debtor("US", "Brooklyn", "NY")
NEW_JERSEY = debtor("US", "Newark", "NJ")


def test_us_spring_forward_21h_edge(reg: PackRegistry) -> None:
    # 2024-03-10 New York jumps to EDT. 20:59 EDT = 00:59 UTC allowed; 21:00 EDT = 01:00 UTC not.
    assert decide(reg, NEW_JERSEY, datetime(2024, 3, 11, 0, 59, tzinfo=UTC)).allowed
    d = decide(reg, NEW_JERSEY, datetime(2024, 3, 11, 1, 0, tzinfo=UTC))
    assert codes(d) == {C.CONTACT_HOURS}
    assert d.local_times[0].hour == 21
    # Next opening: 08:00 EDT on the 11th = 12:00 UTC (not 13:00 as in winter).
    assert d.next_allowed_at == datetime(2024, 3, 11, 12, 0, tzinfo=UTC)


def test_us_fall_back_21h_edge(reg: PackRegistry) -> None:
    # 2024-11-03 back to EST: 21:00 EST = 02:00 UTC on the 4th.
    assert decide(reg, NEW_JERSEY, datetime(2024, 11, 4, 1, 59, tzinfo=UTC)).allowed
    assert not decide(reg, NEW_JERSEY, datetime(2024, 11, 4, 2, 0, tzinfo=UTC)).allowed
    d = decide(reg, NEW_JERSEY, datetime(2024, 11, 3, 5, 0, tzinfo=UTC))  # 01:00 EDT, the ambiguous night
    assert d.next_allowed_at == datetime(2024, 11, 3, 13, 0, tzinfo=UTC)  # 08:00 EST


def test_arizona_has_no_dst_but_navajo_nation_does(reg: PackRegistry) -> None:
    phoenix = debtor("US", "Phoenix", "AZ")
    window_rock = debtor("US", "Window Rock", "AZ")
    at = datetime(2024, 7, 1, 14, 30, tzinfo=UTC)  # 07:30 MST in Phoenix, 08:30 MDT in Window Rock
    assert not decide(reg, phoenix, at).allowed
    assert decide(reg, window_rock, at).allowed


def test_tijuana_vs_mexico_city_after_2022(reg: PackRegistry) -> None:
    tijuana = debtor("MX", "Tijuana", "BCN")
    # July: Tijuana UTC-7 (US DST), Mexico City UTC-6 (no DST since Oct 2022).
    july = datetime(2024, 7, 1, 13, 30, tzinfo=UTC)
    assert decide(reg, MX_CITY, july).allowed  # 07:30 in Mexico City
    assert not decide(reg, tijuana, july).allowed  # 06:30 in Tijuana
    assert decide(reg, tijuana, july).next_allowed_at == datetime(2024, 7, 1, 14, 0, tzinfo=UTC)
    january = datetime(2024, 1, 15, 14, 30, tzinfo=UTC)  # Tijuana UTC-8: 06:30
    assert not decide(reg, tijuana, january).allowed
    assert decide(reg, tijuana, january).next_allowed_at == datetime(2024, 1, 15, 15, 0, tzinfo=UTC)


def test_address_and_phone_disagree_contact_must_suit_both(reg: PackRegistry) -> None:
    cancun_with_cdmx_phone = debtor(
        "MX", "Cancún", "Quintana Roo", phones=({"number": "+525512345678", "kind": "MOBILE"},)
    )
    at = datetime(2024, 5, 10, 12, 30, tzinfo=UTC)  # 07:30 Cancún, 06:30 Mexico City
    d = decide(reg, cancun_with_cdmx_phone, at)
    assert d.timezones == ["America/Cancun", "America/Mexico_City"]
    assert not d.allowed and "America/Mexico_City" in d.violations[0].message
    assert d.next_allowed_at == datetime(2024, 5, 10, 13, 0, tzinfo=UTC)
    # And the evening end comes from Cancún: 22:00 Cancún = 21:00 Mexico City.
    assert decide(reg, cancun_with_cdmx_phone, datetime(2024, 5, 11, 2, 59, tzinfo=UTC)).allowed
    assert not decide(reg, cancun_with_cdmx_phone, datetime(2024, 5, 11, 3, 0, tzinfo=UTC)).allowed


def test_timezone_override_wins(reg: PackRegistry) -> None:
    d = debtor("MX", "Cancún", "ROO", timezone="America/Tijuana")
    assert decide(reg, d, datetime(2024, 5, 10, 12, 30, tzinfo=UTC)).timezones == ["America/Tijuana"]


def test_spain_has_no_legal_window_only_a_warning(reg: PackRegistry) -> None:
    madrid = debtor("ES", "Madrid", "MD")
    sunday_night = local("Europe/Madrid", 2024, 5, 12, 23, 0)
    d = decide(reg, madrid, sunday_night)
    assert d.allowed
    assert [w.rule_id for w in d.warnings] == ["ES-01"]


def test_spain_tenant_overlay_makes_a_binding_window(reg: PackRegistry) -> None:
    overlay = {
        "jurisdiction": "ES",
        "version": "acme-3",
        "name": "ACME horario interno",
        "rules": [
            {
                "id": "ACME-ES-01",
                "kind": "contact_window",
                "code": "CONTACT_HOURS",
                "source": "Política interna ACME 2026",
                "parameters": {
                    "windows": [
                        {"days": ["MON", "TUE", "WED", "THU", "FRI"], "start": "09:00", "end": "21:00"}
                    ],
                    "excludeHolidays": True,
                    "holidayCountry": "ES",
                },
            }
        ],
    }
    madrid = debtor("ES", "Madrid", "MD")
    d = decide(reg, madrid, local("Europe/Madrid", 2024, 5, 12, 23, 0), tenant_overlay=overlay)
    assert rule_ids(d) == {"ACME-ES-01"}
    assert d.pack_versions == {"ES": "2026.12.9", "tenant:ES": "acme-3"}
    assert d.next_allowed_at == local("Europe/Madrid", 2024, 5, 13, 9, 0)


def test_canary_islands_one_hour_behind_madrid(reg: PackRegistry) -> None:
    overlay_window = {
        "jurisdiction": "ES",
        "version": "1",
        "name": "t",
        "rules": [
            {
                "id": "T-ES",
                "kind": "contact_window",
                "code": "CONTACT_HOURS",
                "source": "policy",
                "parameters": {
                    "windows": [
                        {"days": ["MON", "TUE", "WED", "THU", "FRI"], "start": "09:00", "end": "21:00"}
                    ]
                },
            }
        ],
    }
    canarias = debtor("ES", "Las Palmas de Gran Canaria", "Canarias")
    at = local("Europe/Madrid", 2024, 5, 13, 9, 30)  # 08:30 in Las Palmas
    assert not decide(reg, canarias, at, tenant_overlay=overlay_window).allowed


def test_us_consent_window_lifts_the_hour_rule(reg: PackRegistry) -> None:
    at = local("America/New_York", 2024, 5, 13, 21, 30)
    consent = ConsentWindow(
        local("America/New_York", 2024, 5, 13, 21, 0), local("America/New_York", 2024, 5, 13, 22, 0)
    )
    assert not decide(reg, NEW_JERSEY, at).allowed
    d = DebtorFacts(**{**NEW_JERSEY.__dict__, "consent_windows": (consent,)})
    assert decide(reg, d, at).allowed


# -------------------------------------------------------------------------------------------- frequency
def test_us_seven_calls_in_seven_days_then_the_eighth_is_refused(reg: PackRegistry) -> None:
    at = local("America/New_York", 2024, 5, 13, 12, 0)
    calls = [ev(at - timedelta(days=6, hours=2) + timedelta(hours=12 * i)) for i in range(7)]
    d = decide(reg, NEW_JERSEY, at, history=calls)
    assert rule_ids(d) == {"US-02"}
    assert d.next_allowed_at == calls[0].at + timedelta(days=7)
    # Six calls: the seventh is fine.
    assert decide(reg, NEW_JERSEY, at, history=calls[1:]).allowed


def test_us_failed_calls_do_not_count(reg: PackRegistry) -> None:
    at = local("America/New_York", 2024, 5, 13, 12, 0)
    calls = [ev(at - timedelta(hours=10 + i), outcome=InteractionOutcome.FAILED) for i in range(10)]
    assert decide(reg, NEW_JERSEY, at, history=calls).allowed


def test_frequency_edge_at_exactly_seven_days(reg: PackRegistry) -> None:
    at = local("America/New_York", 2024, 5, 13, 12, 0)
    oldest = ev(at - timedelta(days=7))  # exactly 7 days ago: outside the rolling window (t-7d, t]
    recent = [ev(at - timedelta(days=1, hours=i)) for i in range(6)]
    assert decide(reg, NEW_JERSEY, at, history=[oldest, *recent]).allowed
    one_second_later = ev(at - timedelta(days=7) + timedelta(seconds=1))
    assert not decide(reg, NEW_JERSEY, at, history=[one_second_later, *recent]).allowed


def test_us_no_call_within_seven_days_of_a_conversation(reg: PackRegistry) -> None:
    conversation = ev(local("America/New_York", 2024, 6, 3, 15, 0), outcome=InteractionOutcome.CONVERSATION)
    day7 = local("America/New_York", 2024, 6, 9, 20, 0)  # conversation day is day 1: 9 June is day 7
    d = decide(reg, NEW_JERSEY, day7, history=[conversation])
    assert rule_ids(d) == {"US-03"}
    assert d.next_allowed_at == local("America/New_York", 2024, 6, 10, 8, 0)
    # ... an e-mail is not a call
    assert decide(reg, NEW_JERSEY, day7, Channel.EMAIL, history=[conversation]).allowed
    # ... and an inbound conversation counts too (stricter reading, see the pack's verify note)
    inbound = ev(conversation.at, outcome=InteractionOutcome.CONVERSATION, direction=Direction.INBOUND)
    assert not decide(reg, NEW_JERSEY, day7, history=[inbound]).allowed


def test_massachusetts_two_calls_in_seven_days(reg: PackRegistry) -> None:
    boston = debtor("US", "Boston", "MA")
    at = local("America/New_York", 2024, 5, 13, 12, 0)
    calls = [ev(at - timedelta(days=3)), ev(at - timedelta(days=1))]
    d = decide(reg, boston, at, history=calls)
    assert rule_ids(d) == {"US-MA-01"}
    assert d.next_allowed_at == calls[0].at + timedelta(days=7)
    assert decide(reg, NEW_JERSEY, at, history=calls).allowed  # federal cap is 7


def test_nyc_three_attempts_across_all_media(reg: PackRegistry) -> None:
    at = local("America/New_York", 2024, 5, 13, 12, 0)
    log = [
        ev(at - timedelta(days=5), Channel.SMS, InteractionOutcome.DELIVERED),
        ev(at - timedelta(days=4), Channel.EMAIL, InteractionOutcome.DELIVERED),
        ev(at - timedelta(days=2), Channel.CALL, InteractionOutcome.NO_ANSWER),
    ]
    d = decide(reg, NYC, at, Channel.LETTER, history=log)
    assert rule_ids(d) == {"US-NY-NYC-01"}
    assert "US-NY-NYC" in d.pack_versions
    buffalo = debtor("US", "Buffalo", "NY")
    assert decide(reg, buffalo, at, Channel.LETTER, history=log).allowed


def test_colombia_one_contact_per_local_day_all_channels(reg: PackRegistry) -> None:
    morning = ev(local("America/Bogota", 2024, 4, 2, 9, 0), Channel.SMS, InteractionOutcome.DELIVERED)
    d = decide(reg, BOGOTA, local("America/Bogota", 2024, 4, 2, 15, 0), Channel.CALL, history=[morning])
    assert rule_ids(d) == {"CO-03"}
    assert d.next_allowed_at == local("America/Bogota", 2024, 4, 3, 7, 0)


def test_colombia_single_channel_in_the_week_after_direct_contact(reg: PackRegistry) -> None:
    talk = ev(local("America/Bogota", 2024, 4, 1, 10, 0), Channel.CALL, InteractionOutcome.CONVERSATION)
    wednesday = local("America/Bogota", 2024, 4, 3, 10, 0)
    d = decide(reg, BOGOTA, wednesday, Channel.WHATSAPP, history=[talk])
    assert rule_ids(d) == {"CO-04"}
    assert d.next_allowed_at == talk.at + timedelta(days=7)
    assert decide(reg, BOGOTA, wednesday, Channel.CALL, history=[talk]).allowed


def test_chile_one_call_per_week_and_messages_two_full_days_apart(reg: PackRegistry) -> None:
    scl = debtor("CL", "Santiago", "RM")
    call = ev(local("America/Santiago", 2024, 5, 6, 10, 0))
    d = decide(reg, scl, local("America/Santiago", 2024, 5, 10, 10, 0), history=[call])
    assert rule_ids(d) == {"CL-03"}
    assert d.next_allowed_at == call.at + timedelta(days=7)
    sms = ev(local("America/Santiago", 2024, 5, 6, 10, 0), Channel.SMS, InteractionOutcome.DELIVERED)
    wednesday = decide(reg, scl, local("America/Santiago", 2024, 5, 8, 10, 0), Channel.SMS, history=[sms])
    assert rule_ids(wednesday) == {"CL-04"}
    assert wednesday.next_allowed_at == local("America/Santiago", 2024, 5, 9, 8, 0)
    assert decide(reg, scl, local("America/Santiago", 2024, 5, 9, 10, 0), Channel.SMS, history=[sms]).allowed
    # A third message in the week is refused even when spaced.
    sms2 = ev(local("America/Santiago", 2024, 5, 9, 10, 0), Channel.EMAIL, InteractionOutcome.DELIVERED)
    # Monday 13th 09:00: Monday 6th 10:00 is still inside the rolling week.
    third = decide(reg, scl, local("America/Santiago", 2024, 5, 13, 9, 0), Channel.SMS, history=[sms, sms2])
    assert rule_ids(third) == {"CL-04"}


def test_events_after_now_are_ignored(reg: PackRegistry) -> None:
    at = local("America/New_York", 2024, 5, 13, 12, 0)
    future = ev(at + timedelta(days=1), outcome=InteractionOutcome.CONVERSATION)
    conversation = ev(at - timedelta(days=1), outcome=InteractionOutcome.CONVERSATION)
    request = ContactRequest(Channel.CALL, at, destination="+12015550123")
    r = evaluate_contact(request, NEW_JERSEY, [future], reg, at)
    assert r.allowed
    r = evaluate_contact(request, NEW_JERSEY, [conversation], reg, at)
    assert not r.allowed


# ------------------------------------------------------------------------------------ flags and roles
WEEKDAY_NOON_BOGOTA = local("America/Bogota", 2024, 4, 2, 12, 0)
WEEKDAY_NOON_NY = local("America/New_York", 2024, 4, 2, 12, 0)


def test_colombia_requires_express_authorisation(reg: PackRegistry) -> None:
    only_call = DebtorFacts(**{**BOGOTA.__dict__, "authorized_channels": frozenset({Channel.CALL})})
    d = decide(reg, only_call, WEEKDAY_NOON_BOGOTA, Channel.WHATSAPP)
    assert codes(d) == {C.CHANNEL_NOT_AUTHORIZED} and d.next_allowed_at is None
    assert decide(reg, only_call, WEEKDAY_NOON_BOGOTA, Channel.CALL).allowed


def test_colombia_no_visits_no_references(reg: PackRegistry) -> None:
    assert codes(decide(reg, BOGOTA, WEEKDAY_NOON_BOGOTA, Channel.VISIT)) == {C.CHANNEL_NOT_AUTHORIZED}
    d = decide(reg, BOGOTA, WEEKDAY_NOON_BOGOTA, role=RecipientRole.REFERENCE)
    assert codes(d) == {C.THIRD_PARTY_DISCLOSURE}
    assert decide(reg, BOGOTA, WEEKDAY_NOON_BOGOTA, role=RecipientRole.CO_DEBTOR).allowed


def test_opt_out_per_channel_and_voicemail_follows_call(reg: PackRegistry) -> None:
    d = DebtorFacts(**{**NEW_JERSEY.__dict__, "opted_out_channels": frozenset({Channel.CALL})})
    assert codes(decide(reg, d, WEEKDAY_NOON_NY, Channel.CALL)) == {C.CHANNEL_OPTED_OUT}
    assert codes(decide(reg, d, WEEKDAY_NOON_NY, Channel.VOICEMAIL)) == {C.CHANNEL_OPTED_OUT}
    assert decide(reg, d, WEEKDAY_NOON_NY, Channel.SMS).allowed


def test_cease_contact_never_allowed(reg: PackRegistry) -> None:
    for jurisdiction_debtor, at in (
        (NEW_JERSEY, WEEKDAY_NOON_NY),
        (MX_CITY, local("America/Mexico_City", 2024, 4, 2, 12)),
    ):
        d = DebtorFacts(**{**jurisdiction_debtor.__dict__, "cease_contact": True})
        decision = decide(reg, d, at)
        assert codes(decision) == {C.CEASE_CONTACT}
        assert decision.next_allowed_at is None


def test_attorney_represented_but_the_attorney_may_be_called(reg: PackRegistry) -> None:
    d = DebtorFacts(**{**NEW_JERSEY.__dict__, "represented_by_attorney": True})
    assert codes(decide(reg, d, WEEKDAY_NOON_NY)) == {C.ATTORNEY_REPRESENTED}
    assert decide(reg, d, WEEKDAY_NOON_NY, role=RecipientRole.ATTORNEY).allowed


def test_chile_litigation_hold(reg: PackRegistry) -> None:
    scl = debtor("CL", "Santiago", "RM", in_litigation=True)
    d = decide(reg, scl, local("America/Santiago", 2024, 5, 8, 12))
    assert codes(d) == {C.LITIGATION_HOLD} and d.next_allowed_at is None
    # Mexico has no such rule in the pack.
    mx = DebtorFacts(**{**MX_CITY.__dict__, "in_litigation": True})
    assert decide(reg, mx, local("America/Mexico_City", 2024, 5, 8, 12)).allowed


def test_recipient_roles(reg: PackRegistry) -> None:
    mx_noon = local("America/Mexico_City", 2024, 5, 8, 12)
    assert codes(decide(reg, MX_CITY, mx_noon, role=RecipientRole.REFERENCE)) == {C.THIRD_PARTY_DISCLOSURE}
    assert codes(decide(reg, MX_CITY, mx_noon, role=RecipientRole.SPOUSE)) == {C.THIRD_PARTY_DISCLOSURE}
    assert decide(reg, MX_CITY, mx_noon, role=RecipientRole.CO_DEBTOR).allowed
    us_spouse = decide(reg, NEW_JERSEY, WEEKDAY_NOON_NY, role=RecipientRole.SPOUSE)
    assert us_spouse.allowed and not us_spouse.warnings
    us_reference = decide(reg, NEW_JERSEY, WEEKDAY_NOON_NY, role=RecipientRole.REFERENCE)
    assert us_reference.allowed and [w.code for w in us_reference.warnings] == [C.THIRD_PARTY_DISCLOSURE]
    for d, at in ((MX_CITY, mx_noon), (NEW_JERSEY, WEEKDAY_NOON_NY), (BOGOTA, WEEKDAY_NOON_BOGOTA)):
        minor = decide(reg, d, at, role=RecipientRole.MINOR)
        assert C.CONTACT_MINOR in codes(minor) and minor.next_allowed_at is None


def test_minor_debtor_becomes_contactable_on_18th_birthday(reg: PackRegistry) -> None:
    d = DebtorFacts(**{**MX_CITY.__dict__, "birth_date": date(2006, 5, 20)})
    decision = decide(reg, d, local("America/Mexico_City", 2024, 5, 10, 12))
    assert codes(decision) == {C.CONTACT_MINOR}
    assert decision.next_allowed_at == local("America/Mexico_City", 2024, 5, 20, 7, 0)


def test_mexico_older_adult_is_a_warning_with_verify(reg: PackRegistry) -> None:
    d = DebtorFacts(**{**MX_CITY.__dict__, "birth_date": date(1950, 1, 1)})
    decision = decide(reg, d, local("America/Mexico_City", 2024, 5, 10, 12))
    assert decision.allowed
    assert [w.rule_id for w in decision.warnings] == ["MX-08.2"] and decision.warnings[0].verify
    assert decision.warnings[0].code.value == "OLDER_ADULT"  # its own code, not CONTACT_MINOR


def test_us_work_email(reg: PackRegistry) -> None:
    d = DebtorFacts(
        **{
            **NEW_JERSEY.__dict__,
            "emails": (
                {"address": "jo@acme-corp.com", "kind": "WORK"},
                {"address": "jo@mail.com", "kind": "PERSONAL"},
            ),
            "employer_domains": frozenset({"bigbank.com"}),
        }
    )
    assert codes(decide(reg, d, WEEKDAY_NOON_NY, Channel.EMAIL, destination="Jo@Acme-Corp.com")) == {
        C.WORK_EMAIL
    }
    assert codes(decide(reg, d, WEEKDAY_NOON_NY, Channel.EMAIL, destination="jo@bigbank.com")) == {
        C.WORK_EMAIL
    }
    assert decide(reg, d, WEEKDAY_NOON_NY, Channel.EMAIL, destination="jo@mail.com").allowed
    only_work = DebtorFacts(**{**d.__dict__, "emails": ({"address": "jo@acme-corp.com", "kind": "WORK"},)})
    assert codes(decide(reg, only_work, WEEKDAY_NOON_NY, Channel.EMAIL)) == {C.WORK_EMAIL}


# -------------------------------------------------------------------------------------- bad input
def test_debtor_without_address_phone_or_timezone_is_refused(reg: PackRegistry) -> None:
    d = DebtorFacts(jurisdiction="MX", authorized_channels=frozenset(Channel))
    decision = decide(reg, d, datetime(2024, 5, 10, 18, tzinfo=UTC))
    assert not decision.allowed
    assert decision.next_allowed_at is None
    assert {"address", "phone", "timezone"} <= set(decision.missing_data)
    missing = [v for v in decision.violations if v.code == C.MISSING_CONTACT_DATA]
    assert missing and "address" in missing[0].message and "phone" in missing[0].message


def test_no_jurisdiction_at_all(reg: PackRegistry) -> None:
    decision = decide(reg, DebtorFacts(), datetime(2024, 5, 10, 18, tzinfo=UTC))
    assert not decision.allowed and "jurisdiction" in decision.missing_data


def test_phone_only_debtor_uses_phone_zone(reg: PackRegistry) -> None:
    d = DebtorFacts(
        phones=({"number": "+529981234567", "kind": "MOBILE"},), authorized_channels=frozenset(Channel)
    )
    decision = decide(reg, d, datetime(2024, 5, 10, 12, 30, tzinfo=UTC))  # 07:30 Cancún
    assert decision.timezones == ["America/Cancun"] and decision.allowed
    assert decision.pack_versions == {"MX": "2026.12.9"}


def test_email_without_any_email_on_file_is_a_warning(reg: PackRegistry) -> None:
    # Product decision: a channel with no destination on file is a warning (the agent may get the address
    # in the conversation); only data that prevents knowing the local time refuses the contact.
    d = DebtorFacts(**{**NEW_JERSEY.__dict__, "emails": ()})
    decision = decide(reg, d, WEEKDAY_NOON_NY, Channel.EMAIL)
    assert decision.allowed and codes(decision) == set()
    assert [w.code for w in decision.warnings] == [C.MISSING_CONTACT_DATA]
    assert decision.warnings[0].rule_id == "DATA-02" and "email" in decision.missing_data


def test_call_without_phone_uses_the_address_zone(reg: PackRegistry) -> None:
    # Punta Arenas stays on UTC-3 all year: 23:30 UTC on a July Tuesday is 20:30 there (19:30 in Santiago).
    pa = DebtorFacts(**{**debtor("CL", "Punta Arenas", "MA").__dict__, "phones": ()})
    decision = decide(reg, pa, datetime(2026, 7, 14, 23, 30, tzinfo=UTC), destination="")
    assert codes(decision) == {C.CONTACT_HOURS}
    assert decision.next_allowed_at == datetime(2026, 7, 15, 11, 0, tzinfo=UTC)
    assert [w.rule_id for w in decision.warnings] == ["DATA-02"]


def test_unknown_jurisdiction_channel_and_naive_time(reg: PackRegistry) -> None:
    d = DebtorFacts(**{**MX_CITY.__dict__, "jurisdiction": "XX"})
    with pytest.raises(BadInput, match=r"unknown jurisdiction 'XX'.*MX"):
        decide(reg, d, datetime(2024, 5, 10, 18, tzinfo=UTC))
    with pytest.raises(BadInput, match="unknown channel 'FAX'"):
        evaluate_contact(
            ContactRequest("FAX", datetime(2024, 5, 10, 18, tzinfo=UTC)), MX_CITY, [], reg, NOW_FAR
        )  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="UTC offset"):
        decide(reg, MX_CITY, datetime(2024, 5, 10, 18))
    with pytest.raises(BadInput, match="Mars/Base"):
        decide(
            reg,
            DebtorFacts(**{**MX_CITY.__dict__, "timezone": "Mars/Base"}),
            datetime(2024, 5, 10, 18, tzinfo=UTC),
        )
