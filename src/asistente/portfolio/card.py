"""The arithmetic of the debtor card and what the clock changes on it, as pure functions of stored rows
and `now`: the GraphQL card (asistente.api.portfolio.types) and its cached path
(asistente.api.portfolio.cards) shape these, they do not compute them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from asistente.compliance.contact import candidate_zones
from asistente.enums import PromiseStatus
from asistente.geo import TzCandidate
from asistente.portfolio.models import Account, Debtor, Promise


def zones_of(m: Debtor) -> list[TzCandidate]:
    """The debtor's candidate zones, primary first (override, else address, else phone); none when a stored
    zone no longer resolves (the card shows none rather than fail).

    Remembered per process under exactly what candidate_timezones reads (compliance.contact.candidate_zones,
    whose memo the contact decision shares: a card and the contact checks of the same debtor parse its
    phones once): one card asks for them several times (the snapshot and its `timezone` field), and phone
    parsing is most of the cost. Inputs geo.place_key cannot key (values that are not text) are computed
    afresh every time."""
    try:
        return candidate_zones(m.addresses or [], m.phones or [], m.timezone, m.jurisdiction)
    except Exception:  # a stored zone that no longer resolves: show none rather than fail the card
        return []


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    """ZoneInfo keeps only a few zones strongly; a portfolio spans dozens, each re-read from disk when lost."""
    return ZoneInfo(name)


def local_time_at(zones: Sequence[TzCandidate], now: datetime) -> datetime | None:
    """Local time at `now` in the primary zone (None without a zone)."""
    return now.astimezone(_zone(zones[0].tz)) if zones else None


@dataclass(frozen=True)
class LocalClock:
    timezone: str
    source: str
    local_time: datetime
    utc_offset: str  # "-06:00"


def local_clocks_at(zones: Sequence[TzCandidate], now: datetime) -> list[LocalClock]:
    """Local time at `now` in every candidate zone."""
    out = []
    for cand in zones:
        local = now.astimezone(_zone(cand.tz))
        off = local.strftime("%z")
        out.append(LocalClock(cand.tz, cand.source, local, f"{off[:3]}:{off[3:]}"))
    return out


def age_at(born: date | None, now: datetime) -> int | None:
    """Completed years at `now` (None without a birth date)."""
    if born is None:
        return None
    today = now.date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass(frozen=True)
class CurrencySums:
    currency: str
    balance: Decimal
    principal: Decimal
    minimum_due: Decimal
    accounts: int


def currency_totals(accounts: Iterable[Account]) -> list[CurrencySums]:
    """Balances per currency, sorted by currency (never summed across currencies)."""
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0), Decimal(0)])
    for a in accounts:
        s = sums[a.currency]
        s[0] += Decimal(a.balance)
        s[1] += Decimal(a.principal)
        s[2] += Decimal(a.minimum_due or 0)
        s[3] += 1
    return [CurrencySums(c, s[0], s[1], s[2], int(s[3])) for c, s in sorted(sums.items())]


def max_days_past_due(accounts: Iterable[Account]) -> int:
    """The worst delinquency among accounts that still owe something (0 when none)."""
    return max((a.days_past_due for a in accounts if Decimal(a.balance) > 0), default=0)


def promise_counts(promises: Iterable[Promise]) -> dict[str, int]:
    """How many promises are in each status (every status present, zero when none)."""
    count = {s.value: 0 for s in PromiseStatus}
    for p in promises:
        count[p.status] = count.get(p.status, 0) + 1
    return count


def open_promises(promises: Iterable[Promise]) -> list[Promise]:
    """Pending promises, soonest due first."""
    return [p for p in sorted(promises, key=lambda p: p.due_date) if p.status == PromiseStatus.PENDING.value]
