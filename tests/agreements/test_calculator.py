"""Hand-computed schedules, to the minor unit. Every expected figure below is worked out in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from asistente.agreements import (
    BusinessCalendar,
    BusinessDayConvention,
    Frequency,
    Installment,
    InstallmentRounding,
    ScheduleError,
    add_months,
    annuity,
    business_calendar,
    due_dates,
    installment_schedule,
    installments_needed,
    level_payment,
    parse_jurisdiction,
    periodic_rate,
    schedule_interest,
    schedule_total,
    settlement_schedule,
    single_payment_schedule,
)
from asistente.errors import BadInput

D = Decimal
MONTHLY, WEEKLY, BIWEEKLY = Frequency.MONTHLY, Frequency.WEEKLY, Frequency.BIWEEKLY
FOLLOWING = BusinessDayConvention.FOLLOWING
PRECEDING = BusinessDayConvention.PRECEDING
MODIFIED = BusinessDayConvention.MODIFIED_FOLLOWING


def rows(schedule: list[Installment]) -> list[tuple[int, str, str, str, str]]:
    return [
        (r.number, r.due_date.isoformat(), str(r.amount), str(r.principal), str(r.interest)) for r in schedule
    ]


# --- French amortisation: 12,000.00 MXN, 12 monthly installments at 2% a month ---------------------------
#
# payment = A*i / (1 - (1+i)^-n) = 12000 * 0.02 / (1 - 1.02^-12)
#         = 240 / (1 - 0.788493) = 240 / 0.2115065 = 1134.7151595...
# DOWN rounding (the calculator's default; policies default to HALF_UP, below): 1134.71. Each row: interest = balance * 0.02 rounded half up,
# principal = 1134.71 - interest, new balance = balance - principal.
#
#  #  balance before   interest (exact -> rounded)   principal   balance after
#  1  12000.00         240.00                         894.71      11105.29
#  2  11105.29         222.1058  -> 222.11            912.60      10192.69
#  3  10192.69         203.8538  -> 203.85            930.86       9261.83
#  4   9261.83         185.2366  -> 185.24            949.47       8312.36
#  5   8312.36         166.2472  -> 166.25            968.46       7343.90
#  6   7343.90         146.878   -> 146.88            987.83       6356.07
#  7   6356.07         127.1214  -> 127.12           1007.59       5348.48
#  8   5348.48         106.9696  -> 106.97           1027.74       4320.74
#  9   4320.74          86.4148  ->  86.41           1048.30       3272.44
# 10   3272.44          65.4488  ->  65.45           1069.26       2203.18
# 11   2203.18          44.0636  ->  44.06           1090.65       1112.53
# 12   1112.53          22.2506  ->  22.25  LAST: principal = the whole 1112.53, amount 1112.53 + 22.25
#                                                     = 1134.78 (7 cents above the others: the rounding)
# total = 11 * 1134.71 + 1134.78 = 12481.81 + 1134.78 = 13616.59; interest = 13616.59 - 12000 = 1616.59.
FRENCH_12000_DOWN = [
    (1, "2026-01-31", "1134.71", "894.71", "240.00"),
    (2, "2026-02-28", "1134.71", "912.60", "222.11"),
    (3, "2026-03-31", "1134.71", "930.86", "203.85"),
    (4, "2026-04-30", "1134.71", "949.47", "185.24"),
    (5, "2026-05-31", "1134.71", "968.46", "166.25"),
    (6, "2026-06-30", "1134.71", "987.83", "146.88"),
    (7, "2026-07-31", "1134.71", "1007.59", "127.12"),
    (8, "2026-08-31", "1134.71", "1027.74", "106.97"),
    (9, "2026-09-30", "1134.71", "1048.30", "86.41"),
    (10, "2026-10-31", "1134.71", "1069.26", "65.45"),
    (11, "2026-11-30", "1134.71", "1090.65", "44.06"),
    (12, "2026-12-31", "1134.78", "1112.53", "22.25"),
]


def test_french_12000_mxn_2pct_12_months_exact_rows() -> None:
    assert annuity(D("12000.00"), D("0.02"), 12).quantize(D("0.0000001")) == D("1134.7151595")
    assert level_payment(D("12000.00"), "MXN", 12, D("0.02")) == D("1134.71")
    schedule = installment_schedule(
        D("12000.00"),
        "MXN",
        first_payment_date=date(2026, 1, 31),  # also exercises month-end anchoring (NONE convention)
        frequency=MONTHLY,
        installments=12,
        monthly_rate=D("0.02"),
    )
    assert rows(schedule) == FRENCH_12000_DOWN
    assert schedule_total(schedule) == D("13616.59")
    assert schedule_interest(schedule) == D("1616.59")
    assert sum(r.principal for r in schedule) == D("12000.00")


def test_french_12000_half_up_rounding() -> None:
    # HALF_UP: 1134.7151595 -> 1134.72, one cent more each month, so each principal is one cent higher
    # and the balance before the last row is 1112.53 - 11 * 0.01 = 1112.42; interests are unchanged
    # (the cent differences do not cross a rounding boundary): last = 1112.42 + 22.25 = 1134.67.
    schedule = installment_schedule(
        D("12000.00"),
        "MXN",
        first_payment_date=date(2026, 1, 31),
        frequency=MONTHLY,
        installments=12,
        monthly_rate=D("0.02"),
        rounding=InstallmentRounding.HALF_UP,
    )
    assert [r.amount for r in schedule[:-1]] == [D("1134.72")] * 11
    assert schedule[-1] == Installment(12, date(2026, 12, 31), D("1134.67"), D("1112.42"), D("22.25"))
    assert [r.interest for r in schedule] == [D(x[4]) for x in FRENCH_12000_DOWN]
    assert schedule_total(schedule) == D("13616.59")


def test_clp_plan_has_no_decimals() -> None:
    # 1,000,000 CLP, 4 monthly at 1%: payment = 10000 / (1 - 1.01^-4) = 10000 / 0.0390197 = 256281.09 -> 256281
    # 1: interest 10000,            principal 246281, balance 753719
    # 2: interest 7537.19 -> 7537,  principal 248744, balance 504975
    # 3: interest 5049.75 -> 5050,  principal 251231, balance 253744
    # 4: interest 2537.44 -> 2537,  LAST principal 253744, amount 256281
    schedule = installment_schedule(
        D("1000000"),
        "CLP",
        first_payment_date=date(2026, 3, 10),
        frequency=MONTHLY,
        installments=4,
        monthly_rate=D("0.01"),
    )
    assert rows(schedule) == [
        (1, "2026-03-10", "256281", "246281", "10000"),
        (2, "2026-04-10", "256281", "248744", "7537"),
        (3, "2026-05-10", "256281", "251231", "5050"),
        (4, "2026-06-10", "256281", "253744", "2537"),
    ]
    assert all(r.amount.as_tuple().exponent == 0 for r in schedule)
    assert schedule_total(schedule) == D("1025124")


def test_clp_zero_interest_last_absorbs() -> None:
    # 1,000,000 / 7 = 142857.14... -> 142857 (CLP has no minor unit); 6 * 142857 = 857142; last 142858.
    schedule = installment_schedule(
        D("1000000"), "CLP", first_payment_date=date(2026, 3, 10), frequency=MONTHLY, installments=7
    )
    assert [r.amount for r in schedule] == [D("142857")] * 6 + [D("142858")]
    assert schedule_total(schedule) == D("1000000")


def test_clp_rejects_decimals() -> None:
    with pytest.raises(BadInput):
        installment_schedule(
            D("1000.50"), "CLP", first_payment_date=date(2026, 3, 10), frequency=MONTHLY, installments=2
        )


def test_zero_interest_1000_over_3_weekly() -> None:
    # 1000.00 / 3 = 333.333... -> 333.33, 333.33; last = 1000.00 - 666.66 = 333.34. Weekly: +7 days.
    schedule = installment_schedule(
        D("1000.00"), "MXN", first_payment_date=date(2026, 3, 10), frequency=WEEKLY, installments=3
    )
    assert rows(schedule) == [
        (1, "2026-03-10", "333.33", "333.33", "0.00"),
        (2, "2026-03-17", "333.33", "333.33", "0.00"),
        (3, "2026-03-24", "333.34", "333.34", "0.00"),
    ]


def test_weekly_interest_uses_nominal_weekly_rate() -> None:
    # 2.6% a month nominal -> 31.2% a year -> weekly 0.312 / 52 = 0.006 exactly.
    # payment = 5200 * 0.006 / (1 - 1.006^-4) = 1319.5583 -> 1319.55
    # 1: 5200.00 * 0.006 = 31.20;                 principal 1288.35; balance 3911.65
    # 2: 3911.65 * 0.006 = 23.4699  -> 23.47;     principal 1296.08; balance 2615.57
    # 3: 2615.57 * 0.006 = 15.69342 -> 15.69;     principal 1303.86; balance 1311.71
    # 4: 1311.71 * 0.006 = 7.87026  -> 7.87;      LAST 1311.71 + 7.87 = 1319.58
    assert periodic_rate(D("0.026"), WEEKLY) == D("0.006")
    assert periodic_rate(D("0.026"), BIWEEKLY) == D("0.012")
    schedule = installment_schedule(
        D("5200.00"),
        "MXN",
        first_payment_date=date(2026, 3, 2),
        frequency=WEEKLY,
        installments=4,
        monthly_rate=D("0.026"),
    )
    assert rows(schedule) == [
        (1, "2026-03-02", "1319.55", "1288.35", "31.20"),
        (2, "2026-03-09", "1319.55", "1296.08", "23.47"),
        (3, "2026-03-16", "1319.55", "1303.86", "15.69"),
        (4, "2026-03-23", "1319.58", "1311.71", "7.87"),
    ]


def test_down_payment_is_row_zero_and_installments_follow_one_period_later() -> None:
    # 10,000.00 with 2,000.00 down, 4 biweekly, no interest: 8000 / 4 = 2000.00 each.
    schedule = installment_schedule(
        D("10000.00"),
        "MXN",
        first_payment_date=date(2026, 3, 2),
        frequency=BIWEEKLY,
        installments=4,
        down_payment=D("2000.00"),
    )
    assert rows(schedule) == [
        (0, "2026-03-02", "2000.00", "2000.00", "0.00"),
        (1, "2026-03-16", "2000.00", "2000.00", "0.00"),
        (2, "2026-03-30", "2000.00", "2000.00", "0.00"),
        (3, "2026-04-13", "2000.00", "2000.00", "0.00"),
        (4, "2026-04-27", "2000.00", "2000.00", "0.00"),
    ]


def test_interest_only_on_financed_part() -> None:
    # 12,000 with 2,000 down at 2%: the French plan runs on 10,000: interest row 1 = 200.00.
    schedule = installment_schedule(
        D("12000.00"),
        "MXN",
        first_payment_date=date(2026, 3, 2),
        frequency=MONTHLY,
        installments=6,
        down_payment=D("2000.00"),
        monthly_rate=D("0.02"),
    )
    assert schedule[0].amount == D("2000.00") and schedule[0].interest == 0
    assert schedule[1].interest == D("200.00")
    assert sum(r.principal for r in schedule) == D("12000.00")


def test_named_amount_plan_pays_that_amount_until_done() -> None:
    # "puedo 500 al mes" on 1,800.00 without interest: 500, 500, 500, then the remaining 300.
    schedule = installment_schedule(
        D("1800.00"),
        "MXN",
        first_payment_date=date(2026, 3, 2),
        frequency=MONTHLY,
        installment_amount=D("500.00"),
    )
    assert [r.amount for r in schedule] == [D("500.00")] * 3 + [D("300.00")]
    # With 2% interest on 1,000.00 at 500 a month:
    # 1: interest 20.00, principal 480.00, balance 520.00
    # 2: interest 10.40, 520.00 + 10.40 = 530.40 > 500 -> principal 489.60, balance 30.40
    # 3: interest 0.608 -> 0.61; LAST 30.40 + 0.61 = 31.01
    schedule = installment_schedule(
        D("1000.00"),
        "MXN",
        first_payment_date=date(2026, 3, 2),
        frequency=MONTHLY,
        installment_amount=D("500.00"),
        monthly_rate=D("0.02"),
    )
    assert [(str(r.amount), str(r.principal), str(r.interest)) for r in schedule] == [
        ("500.00", "480.00", "20.00"),
        ("500.00", "489.60", "10.40"),
        ("31.01", "30.40", "0.61"),
    ]
    assert installments_needed(D("12000.00"), "MXN", D("500.00")) == 24
    # 12,000 at 2%: 500 a month barely beats the 240.00 interest of month one; never within 12.
    assert installments_needed(D("12000.00"), "MXN", D("500.00"), D("0.02"), limit=12) is None
    # 240.00 does not even cover the interest: never.
    assert installments_needed(D("12000.00"), "MXN", D("240.00"), D("0.02")) is None


def test_single_payment_and_settlements() -> None:
    single = single_payment_schedule(D("750.00"), "MXN", date(2026, 3, 7), convention=FOLLOWING)
    # 2026-03-07 is a Saturday: FOLLOWING moves it to Monday the 9th.
    assert rows(single) == [(1, "2026-03-09", "750.00", "750.00", "0.00")]
    lump = settlement_schedule(D("10000.00"), D("7000.00"), "MXN", first_payment_date=date(2026, 3, 2))
    assert rows(lump.schedule) == [(1, "2026-03-02", "7000.00", "7000.00", "0.00")]
    assert lump.discount_amount == D("3000.00") and lump.discount_percent == D("30.00")
    # Settlement in installments carries no interest: 7000.00 / 3 = 2333.33, 2333.33, 2333.34.
    split = settlement_schedule(
        D("10000.00"),
        D("7000.00"),
        "MXN",
        first_payment_date=date(2026, 3, 2),
        frequency=MONTHLY,
        installments=3,
    )
    assert [r.amount for r in split.schedule] == [D("2333.33"), D("2333.33"), D("2333.34")]
    assert schedule_interest(split.schedule) == 0
    # 1/3 discount displays rounded UP: 33.333...% -> 33.34 (never shows at or under a limit it exceeds).
    third = settlement_schedule(D("300.00"), D("200.00"), "MXN", first_payment_date=date(2026, 3, 2))
    assert third.discount_percent == D("33.34")
    with pytest.raises(BadInput):
        settlement_schedule(D("100.00"), D("100.01"), "MXN", first_payment_date=date(2026, 3, 2))


@pytest.mark.parametrize(
    "amount",
    [D("0"), D("-1.00"), D("0.00")],
)
def test_non_positive_amounts_rejected(amount: Decimal) -> None:
    with pytest.raises(BadInput):
        installment_schedule(
            amount, "MXN", first_payment_date=date(2026, 3, 2), frequency=MONTHLY, installments=2
        )
    with pytest.raises(BadInput):
        single_payment_schedule(amount, "MXN", date(2026, 3, 2))


def test_float_is_never_money() -> None:
    with pytest.raises(BadInput):
        single_payment_schedule(100.5, "MXN", date(2026, 3, 2))  # type: ignore[arg-type]


def test_too_small_to_split_is_a_schedule_error() -> None:
    # 0.05 MXN over 12 installments: each would be under one cent.
    with pytest.raises(ScheduleError):
        installment_schedule(
            D("0.05"), "MXN", first_payment_date=date(2026, 3, 2), frequency=MONTHLY, installments=12
        )


# --- dates ------------------------------------------------------------------------------------------------


def test_month_end_anchor_comes_back() -> None:
    assert due_dates(date(2026, 1, 31), 4, MONTHLY) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),  # back to the 31st: computed from the anchor, not from Feb 28
        date(2026, 4, 30),
    ]
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)  # across the year end
    assert due_dates(date(2026, 1, 5), 3, BIWEEKLY) == [date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2)]


def test_colombian_monday_holiday() -> None:
    # 2026-01-12 is Epiphany moved to Monday (Ley Emiliani) in Colombia.
    co = business_calendar("CO")
    assert co.is_holiday(date(2026, 1, 12))
    weekly = [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    assert due_dates(weekly[0], 3, WEEKLY, FOLLOWING, co) == [
        date(2026, 1, 5),
        date(2026, 1, 13),
        date(2026, 1, 19),
    ]
    assert due_dates(weekly[0], 3, WEEKLY, PRECEDING, co) == [
        date(2026, 1, 5),
        date(2026, 1, 9),
        date(2026, 1, 19),
    ]
    assert due_dates(weekly[0], 3, WEEKLY, BusinessDayConvention.NONE, co) == weekly
    # Mexico has no holiday that day.
    assert due_dates(weekly[0], 3, WEEKLY, FOLLOWING, business_calendar("MX")) == weekly


def test_mexican_holidays_and_weekends() -> None:
    mx = business_calendar("MX")
    # Anchor on the 1st: Jan 1 (holiday, Thu) -> Jan 2; Feb 1 (Sun) -> Feb 2 is Constitution Day -> Feb 3;
    # Mar 1 (Sun) -> Mar 2; Apr 1 (Wed) stays; May 1 (Labor Day, Fri) -> Mon May 4; Jun 1 (Mon) stays.
    assert due_dates(date(2026, 1, 1), 6, MONTHLY, FOLLOWING, mx) == [
        date(2026, 1, 2),
        date(2026, 2, 3),
        date(2026, 3, 2),
        date(2026, 4, 1),
        date(2026, 5, 4),
        date(2026, 6, 1),
    ]
    # Third Monday of March 2026 (Benito Juárez) is the 16th: -> Tuesday the 17th.
    assert due_dates(date(2026, 1, 16), 3, MONTHLY, FOLLOWING, mx)[2] == date(2026, 3, 17)


def test_modified_following_stays_in_month() -> None:
    # 2026-05-31 is a Sunday: FOLLOWING would give June 1, so MODIFIED_FOLLOWING goes back to Fri May 29.
    mx = business_calendar("MX")
    assert due_dates(date(2026, 3, 31), 3, MONTHLY, MODIFIED, mx) == [
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 29),
    ]
    assert due_dates(date(2026, 3, 31), 3, MONTHLY, FOLLOWING, mx)[2] == date(2026, 6, 1)


def test_us_state_holidays() -> None:
    assert parse_jurisdiction("US-NY") == ("US", "NY")
    # Lincoln's Birthday (Feb 12) is a New York state holiday, not a federal one.
    assert business_calendar("US-NY").is_holiday(date(2026, 2, 12))
    assert not business_calendar("US").is_holiday(date(2026, 2, 12))
    # A subdivision the package does not know falls back to the national calendar.
    assert business_calendar("MX-JAL").is_holiday(date(2026, 2, 2))


def test_bad_jurisdiction() -> None:
    for code in ("", "Mexico", "ZZ", "US_NY"):
        with pytest.raises(BadInput):
            parse_jurisdiction(code)


def test_collision_after_adjustment_moves_to_next_business_day() -> None:
    # Weekly from Mon 2026-03-02 with PRECEDING and a closed period Mar 3-13 (Tue..Fri of next week):
    # 2nd nominal Mar 9 -> preceding business day is Mar 2 = the first date: collision, so it goes to the
    # first business day after Mar 2, which is Mon Mar 16. 3rd nominal Mar 16 -> collides -> Tue Mar 17.
    closed = frozenset(date(2026, 3, d) for d in range(3, 14))
    cal = BusinessCalendar(extra_holidays=closed)
    assert due_dates(date(2026, 3, 2), 3, WEEKLY, PRECEDING, cal) == [
        date(2026, 3, 2),
        date(2026, 3, 16),
        date(2026, 3, 17),
    ]
