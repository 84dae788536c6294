"""Due dates: frequencies, month-end anchoring, business-day conventions over a jurisdiction's holidays.

Rules (the compliance team can read these without the code):
- WEEKLY adds 7 days per period, BIWEEKLY 14 (every other week, not twice a month).
- MONTHLY keeps the day of month of the FIRST date (the anchor) and clamps it to the month's last day:
  Jan 31 -> Feb 28 -> Mar 31 -> Apr 30. Each date is computed from the anchor, never from the previous
  (clamped) date, so the anchor day comes back.
- Nominal dates are then moved off weekends (Saturday, Sunday) and the jurisdiction's public holidays
  (`holidays` package; "US-NY" means country US, subdivision NY; a subdivision the package does not
  know falls back to the national calendar) by the convention: NONE (no move), FOLLOWING (next business
  day), MODIFIED_FOLLOWING (next, unless that leaves the month: then previous), PRECEDING (previous).
- Adjusted dates must be strictly increasing. If a move makes a date equal to or earlier than the previous
  adjusted date (a holiday run longer than the period), it goes to the first business day after the
  previous adjusted date instead, whatever the convention.
"""

from __future__ import annotations

import calendar as _stdcalendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from asistente.agreements.model import BusinessDayConvention, Frequency
from asistente.errors import BadInput

_JURISDICTION = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")
_MAX_SEARCH_DAYS = 60


def parse_jurisdiction(code: str) -> tuple[str, str | None]:
    """ "MX" -> ("MX", None); "US-NY" -> ("US", "NY"). Raises BadInput for a malformed or unknown country."""
    if not isinstance(code, str):
        raise BadInput(f"jurisdiction: expected an ISO 3166 code such as MX or US-NY, got {code!r}")
    match = _JURISDICTION.match(code.strip().upper())
    if not match:
        raise BadInput(f"jurisdiction: {code!r} is not an ISO 3166-1 or 3166-2 code such as MX or US-NY")
    country, subdivision = match.group(1), match.group(2)
    if country not in holidays.list_supported_countries():
        raise BadInput(f"jurisdiction: no holiday calendar for country {country!r}")
    return country, subdivision


@lru_cache(maxsize=4096)
def _holidays_of_year(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    supported = holidays.list_supported_countries().get(country, [])
    subdiv = subdivision if subdivision in supported else None
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends plus public holidays of one jurisdiction (or none), plus optional extra closed days."""

    country: str | None = None
    subdivision: str | None = None
    extra_holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday

    def is_holiday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return True
        return self.country is not None and day in _holidays_of_year(self.country, self.subdivision, day.year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def next_business_day(self, day: date) -> date:
        """`day` itself when it is a business day, else the first one after it."""
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise BadInput(f"no business day within {_MAX_SEARCH_DAYS} days after {day.isoformat()}")

    def previous_business_day(self, day: date) -> date:
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_business_day(day):
                return day
            day -= timedelta(days=1)
        raise BadInput(f"no business day within {_MAX_SEARCH_DAYS} days before {day.isoformat()}")


@lru_cache(maxsize=512)
def business_calendar(jurisdiction: str) -> BusinessCalendar:
    country, subdivision = parse_jurisdiction(jurisdiction)
    return BusinessCalendar(country=country, subdivision=subdivision)


NO_HOLIDAYS = BusinessCalendar()


def add_months(anchor: date, months: int) -> date:
    """Same day of month as `anchor`, clamped to the target month's last day."""
    index = anchor.year * 12 + (anchor.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _stdcalendar.monthrange(year, month)[1]
    return date(year, month, min(anchor.day, last))


def nominal_date(anchor: date, frequency: Frequency, period: int) -> date:
    """The unadjusted date `period` periods after `anchor` (period 0 is the anchor itself)."""
    if frequency is Frequency.WEEKLY:
        return anchor + timedelta(weeks=period)
    if frequency is Frequency.BIWEEKLY:
        return anchor + timedelta(weeks=2 * period)
    return add_months(anchor, period)


def adjust(day: date, convention: BusinessDayConvention, cal: BusinessCalendar) -> date:
    if convention is BusinessDayConvention.NONE:
        return day
    if convention is BusinessDayConvention.FOLLOWING:
        return cal.next_business_day(day)
    if convention is BusinessDayConvention.PRECEDING:
        return cal.previous_business_day(day)
    following = cal.next_business_day(day)
    return following if following.month == day.month else cal.previous_business_day(day)


def adjust_increasing(
    days: Iterable[date], convention: BusinessDayConvention, cal: BusinessCalendar
) -> list[date]:
    """Adjust each date, keeping the result strictly increasing (see the module rules)."""
    out: list[date] = []
    for day in days:
        moved = adjust(day, convention, cal)
        if out and moved <= out[-1]:
            after = out[-1] + timedelta(days=1)
            moved = after if convention is BusinessDayConvention.NONE else cal.next_business_day(after)
        out.append(moved)
    return out


def due_dates(
    first: date,
    count: int,
    frequency: Frequency | None,
    convention: BusinessDayConvention = BusinessDayConvention.NONE,
    cal: BusinessCalendar = NO_HOLIDAYS,
) -> list[date]:
    """`count` strictly increasing due dates starting at `first` (anchor), adjusted by `convention`."""
    if count < 1:
        raise BadInput("count: a schedule needs at least one date")
    if count > 1 and frequency is None:
        raise BadInput("frequency: required for more than one payment")
    freq = frequency or Frequency.MONTHLY
    return adjust_increasing((nominal_date(first, freq, k) for k in range(count)), convention, cal)
