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


def _stage(rules: dict[str, Any], dpd: int) -> dict[str, Any]:
    for stage in rules["stages"]:
        if stage["maxDaysPastDue"] is None or dpd <= stage["maxDaysPastDue"]:
            return stage
    return rules["stages"][-1]


_BAND_ORDER = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}


def _band(rules: dict[str, Any], currency: str, balance: Decimal) -> str:
    bands = rules["balanceBands"].get(currency) or rules["balanceBands"]["default"]
    for band in bands:
        if band["below"] is None or balance < Decimal(band["below"]):
            return band["code"]
    return bands[-1]["code"]


def segment(
    accounts: Sequence[AccountFacts],
    promises: Sequence[PromiseFacts],
    payment_dates: Sequence[datetime],
    today: date,
    rules: dict[str, Any] | None = None,
) -> Segment:
    rules = rules or load_rules()
    open_accounts = [a for a in accounts if a.balance > 0] or list(accounts)
    dpd = max((a.days_past_due for a in open_accounts), default=0)
    stage = _stage(rules, dpd)
    totals: dict[str, Decimal] = {}
    for a in open_accounts:
        totals[a.currency] = totals.get(a.currency, Decimal(0)) + a.balance
    band = max(
        (_band(rules, cur, amount) for cur, amount in totals.items()),
        key=_BAND_ORDER.__getitem__,
        default="LOW",
    )

    ph = rules["paymentHistory"]
    horizon = today - timedelta(days=ph["lookbackDays"])
    recent_pay = [d for d in payment_dates if d.date() >= horizon]
    broken = [p for p in promises if p.status == "BROKEN" and p.due_date >= horizon]
    kept = [p for p in promises if p.status == "KEPT" and p.due_date >= horizon]
    last_pay = max(payment_dates, default=None)
    if not payment_dates and not promises:
        history = "NONE"
    elif len(broken) >= ph["poorIfBrokenPromisesAtLeast"] or (not recent_pay and dpd > 60):
        history = "POOR"
    elif last_pay is not None and (today - last_pay.date()).days <= ph["goodIfPaidWithinDays"] and not broken:
        history = "GOOD"
    else:
        history = "IRREGULAR"

    risk = rules["risk"]
    reasons: list[Reason] = []
    score = risk["stagePoints"].get(stage["code"], 0)
    if dpd > 0:
        reasons.append(Reason("DAYS_PAST_DUE", f"{dpd} días de atraso / {dpd} days past due"))
    score += risk["bandPoints"].get(band, 0)
    if band == "HIGH":
        reasons.append(Reason("HIGH_BALANCE", "Saldo alto / High balance"))
    score += risk["historyPoints"].get(history, 0)
    if broken:
        score += min(risk["perBrokenPromise"] * len(broken), risk["maxBrokenPromisePoints"])
        reasons.append(
            Reason(
                "BROKEN_PROMISES",
                f"{len(broken)} promesa(s) incumplida(s) en {ph['lookbackDays']} días / "
                f"{len(broken)} broken promise(s) in {ph['lookbackDays']} days",
            )
        )
    if kept:
        reasons.append(
            Reason("KEPT_PROMISES", f"{len(kept)} promesa(s) cumplida(s) / {len(kept)} kept promise(s)")
        )
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
    level = rules["risk"]["levels"][-1]["code"]
    for lv in rules["risk"]["levels"]:
        if lv["below"] is None or score < lv["below"]:
            level = lv["code"]
            break
    code = f"{stage['code']}-{band}-{history}"
    return Segment(
        code=code,
        stage=stage["code"],
        balance_band=band,
        payment_history=history,
        label=stage["label"],
        risk_level=level,
        risk_score=score,
        reasons=reasons,
        rules_version=rules["version"],
    )
