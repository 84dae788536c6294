"""Segment and risk of a debtor: a pure function of plain facts and `today`, rules from segmentation.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from asistente.schemas import schema_errors

RULES_FILE = Path(__file__).with_name("segmentation.json")


class SegmentationRulesError(ValueError):
    pass


@dataclass(frozen=True)
class AccountFacts:
    currency: str
    balance: Decimal
    days_past_due: int
    disputed: bool = False
    in_litigation: bool = False
    time_barred: bool = False


@dataclass(frozen=True)
class PromiseFacts:
    status: str
    due_date: date


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Segment:
    code: str  # e.g. "MID-HIGH-POOR"
    stage: str
    balance_band: str
    payment_history: str  # GOOD, IRREGULAR, POOR, NONE
    label: str
    risk_level: str  # LOW, MEDIUM, HIGH, CRITICAL
    risk_score: int
    reasons: list[Reason] = field(default_factory=list)
    rules_version: str = ""


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SegmentationRulesError(f"{path}: not valid JSON: {exc}") from None
    errors = schema_errors("segmentation.schema.json", data)
    if errors:
        raise SegmentationRulesError(f"{path}: " + "; ".join(errors))
    return data


@dataclass(frozen=True)
class _Tables:
    """A rules dict turned into what `segment` looks up per call: thresholds as Decimals, points by code."""

    stages: tuple[tuple[int | None, dict[str, Any]], ...]
    bands: dict[str, tuple[tuple[Decimal | None, str], ...]]
    default_bands: tuple[tuple[Decimal | None, str], ...]
    lookback: timedelta
    good_days: int
    poor_broken: int
    stage_points: dict[str, int]
    band_points: dict[str, int]
    history_points: dict[str, int]
    per_broken: int
    max_broken: int
    levels: tuple[tuple[int | None, str], ...]


_TABLES: dict[int, tuple[dict[str, Any], _Tables]] = {}


def _tables(rules: dict[str, Any]) -> _Tables:
    """Precomputed tables of a rules dict, kept per dict (by identity, the dict itself held alongside)."""
    hit = _TABLES.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]

    def band_table(bands: list[dict[str, Any]]) -> tuple[tuple[Decimal | None, str], ...]:
        rows = tuple((None if b["below"] is None else Decimal(b["below"]), b["code"]) for b in bands)
        # past the last threshold: the last band (as `_band` always did)
        return (*rows, (None, bands[-1]["code"])) if rows and rows[-1][0] is not None else rows

    ph, risk = rules["paymentHistory"], rules["risk"]
    stages = rules["stages"]
    tables = _Tables(
        stages=(*((s["maxDaysPastDue"], s) for s in stages), (None, stages[-1])),
        bands={cur: band_table(b) for cur, b in rules["balanceBands"].items() if b},
        default_bands=band_table(rules["balanceBands"]["default"]),
        lookback=timedelta(days=ph["lookbackDays"]),
        good_days=ph["goodIfPaidWithinDays"],
        poor_broken=ph["poorIfBrokenPromisesAtLeast"],
        stage_points=risk["stagePoints"],
        band_points=risk["bandPoints"],
        history_points=risk["historyPoints"],
        per_broken=risk["perBrokenPromise"],
        max_broken=risk["maxBrokenPromisePoints"],
        levels=(*((lv["below"], lv["code"]) for lv in risk["levels"]), (None, risk["levels"][-1]["code"])),
    )
    if len(_TABLES) > 16:
        _TABLES.clear()
    _TABLES[id(rules)] = (rules, tables)
    return tables


_BAND_ORDER = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}


def _band(tables: _Tables, currency: str, balance: Decimal) -> str:
    for below, code in tables.bands.get(currency) or tables.default_bands:
        if below is None or balance < below:
            return code
    raise AssertionError("a band table ends with an open band")  # pragma: no cover


@dataclass(frozen=True)
class _Classified:
    stage: dict[str, Any]
    band: str
    history: str
    dpd: int
    score: int  # before the floor at 0
    broken: int
    kept: int
    recent_pay: bool
    last_pay: datetime | None
    horizon: date


def _classify(
    tables: _Tables,
    accounts: Sequence[tuple[str, Decimal, int]],
    promises: Sequence[tuple[str, date]],
    payment_dates: Sequence[datetime],
    today: date,
) -> _Classified:
    """Stage, balance band, payment history and score from (currency, balance, days past due) per
    account, (status, due date) per promise and the payment instants: everything the code and the risk
    level depend on (the account flags only add reasons)."""
    open_accounts = [a for a in accounts if a[1] > 0] or list(accounts)
    dpd = max((a[2] for a in open_accounts), default=0)
    stage = next(s for limit, s in tables.stages if limit is None or dpd <= limit)
    totals: dict[str, Decimal] = {}
    for cur, balance, _ in open_accounts:
        totals[cur] = totals.get(cur, Decimal(0)) + balance
    band = max(
        (_band(tables, cur, amount) for cur, amount in totals.items()),
        key=_BAND_ORDER.__getitem__,
        default="LOW",
    )

    horizon = today - tables.lookback
    recent_pay = any(d.date() >= horizon for d in payment_dates)
    broken = sum(1 for status, due in promises if status == "BROKEN" and due >= horizon)
    kept = sum(1 for status, due in promises if status == "KEPT" and due >= horizon)
    last_pay = max(payment_dates, default=None)
    if not payment_dates and not promises:
        history = "NONE"
    elif broken >= tables.poor_broken or (not recent_pay and dpd > 60):
        history = "POOR"
    elif last_pay is not None and (today - last_pay.date()).days <= tables.good_days and not broken:
        history = "GOOD"
    else:
        history = "IRREGULAR"

    score = tables.stage_points.get(stage["code"], 0)
    score += tables.band_points.get(band, 0)
    score += tables.history_points.get(history, 0)
    if broken:
        score += min(tables.per_broken * broken, tables.max_broken)
    return _Classified(stage, band, history, dpd, score, broken, kept, recent_pay, last_pay, horizon)


def _level(tables: _Tables, score: int) -> str:
    for below, code in tables.levels:
        if below is None or score < below:
            return code
    raise AssertionError("a level table ends with an open level")  # pragma: no cover


def segment_code_and_risk(
    accounts: Sequence[tuple[str, Decimal, int]],
    promises: Sequence[tuple[str, date]],
    payment_dates: Sequence[datetime],
    today: date,
    rules: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """`segment(...).code` and `.risk_level` without the reasons and labels (bulk writes store only
    these two): accounts as (currency, balance, days past due), promises as (status, due date).
    tests/portfolio/test_segmentation.py checks it against `segment` on random facts."""
    tables = _tables(rules or load_rules())
    c = _classify(tables, accounts, promises, payment_dates, today)
    return f"{c.stage['code']}-{c.band}-{c.history}", _level(tables, max(c.score, 0))


def segment(
    accounts: Sequence[AccountFacts],
    promises: Sequence[PromiseFacts],
    payment_dates: Sequence[datetime],
    today: date,
    rules: dict[str, Any] | None = None,
) -> Segment:
    rules = rules or load_rules()
    tables = _tables(rules)
    c = _classify(
        tables,
        [(a.currency, a.balance, a.days_past_due) for a in accounts],
        [(p.status, p.due_date) for p in promises],
        payment_dates,
        today,
    )
    stage, band, history, dpd, score, last_pay = c.stage, c.band, c.history, c.dpd, c.score, c.last_pay
    ph = rules["paymentHistory"]
    broken, kept, recent_pay = c.broken, c.kept, c.recent_pay

    reasons: list[Reason] = []
    if dpd > 0:
        reasons.append(Reason("DAYS_PAST_DUE", f"{dpd} días de atraso / {dpd} days past due"))
    if band == "HIGH":
        reasons.append(Reason("HIGH_BALANCE", "Saldo alto / High balance"))
    if broken:
        reasons.append(
            Reason(
                "BROKEN_PROMISES",
                f"{broken} promesa(s) incumplida(s) en {ph['lookbackDays']} días / "
                f"{broken} broken promise(s) in {ph['lookbackDays']} days",
            )
        )
    if kept:
        reasons.append(Reason("KEPT_PROMISES", f"{kept} promesa(s) cumplida(s) / {kept} kept promise(s)"))
    if history == "GOOD" and last_pay is not None:
        days = (today - last_pay.date()).days
        reasons.append(Reason("RECENT_PAYMENT", f"Pagó hace {days} días / Paid {days} days ago"))
    elif not recent_pay and payment_dates:
        reasons.append(
            Reason(
                "NO_RECENT_PAYMENT",
                f"Sin pagos en {ph['lookbackDays']} días / No payment in {ph['lookbackDays']} days",
            )
        )
    elif not payment_dates:
        reasons.append(Reason("NO_PAYMENTS", "Sin pagos registrados / No payments on record"))
    for flag, code, text in (
        ("disputed", "DISPUTED", "Cuenta en disputa / Disputed account"),
        ("in_litigation", "IN_LITIGATION", "Cuenta en litigio / Account in litigation"),
        ("time_barred", "TIME_BARRED", "Deuda prescrita / Time-barred debt"),
    ):
        if any(getattr(a, flag) for a in accounts):
            reasons.append(Reason(code, text))
    score = max(score, 0)
    return Segment(
        code=f"{stage['code']}-{band}-{history}",
        stage=stage["code"],
        balance_band=band,
        payment_history=history,
        label=stage["label"],
        risk_level=_level(tables, score),
        risk_score=score,
        reasons=reasons,
        rules_version=rules["version"],
    )
