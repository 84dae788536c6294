"""The demo tenant: a realistic portfolio across MX, CO, CL, PE, ES, AR and US, seeded once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from asistente.db import transaction
from asistente.enums import Role
from asistente.portfolio.ingest import upsert_records
from asistente.portfolio.models import Debtor
from asistente.tenants.service import create_api_key, get_or_create_tenant

PORTFOLIO = Path(__file__).with_name("portfolio.jsonl")
ANCHOR = date(2026, 11, 20)  # the file's dates are written relative to this day
DEMO_TENANT = "demo"
DEMO_AGENT = "demo-agent"


def _shift(value: Any, days: int, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _shift(v, days, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, days, key) for v in value]
    if isinstance(value, str) and key != "birthDate":
        if key.endswith("At") or key == "at":
            return (datetime.fromisoformat(value) + timedelta(days=days)).isoformat()
        if key.endswith("Date"):
            return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    return value


def demo_records(today: date) -> list[dict[str, Any]]:
    """The demo portfolio with every date moved so the anchor day is today."""
    days = (today - ANCHOR).days
    with open(PORTFOLIO, encoding="utf-8") as fh:
        return [_shift(json.loads(line), days) for line in fh if line.strip()]


def seed_demo(factory: sessionmaker[Session], *, now: datetime | None = None) -> str:
    """Seed the demo tenant if it has no debtors yet; return a fresh agent key for it."""
    now = now or datetime.now(UTC)
    with transaction(factory) as s:
        tenant = get_or_create_tenant(s, DEMO_TENANT, "Demo Cobranzas")
        count = s.scalar(select(func.count()).select_from(Debtor).where(Debtor.tenant_id == tenant.id))
        settings = dict(tenant.settings or {})
        if "draftingProfile" not in settings:  # so draftMessage works in the demo (setDraftingProfile)
            with open(PORTFOLIO.with_name("drafting.json"), encoding="utf-8") as fh:
                drafting = json.load(fh)
            settings["draftingProfile"] = drafting["draftingProfile"]
            settings.setdefault("paymentDestinations", drafting["paymentDestinations"])
            tenant.settings = settings
        if not count:
            result = upsert_records(s, tenant.id, demo_records(now.date()))
            if result.rejections:
                first = result.rejections[0]
                raise RuntimeError(f"demo portfolio record {first.index} rejected: {first.reasons}")
        return create_api_key(
            s, tenant_slug=DEMO_TENANT, role=Role.AGENT, agent_external_id=DEMO_AGENT, label="demo"
        )
