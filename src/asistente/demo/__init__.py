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
from asistente.errors import Unauthenticated
from asistente.portfolio.ingest import upsert_records
from asistente.portfolio.models import Debtor
from asistente.tenants.service import authenticate_key, create_api_key, get_or_create_tenant

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


def seed_demo(
    factory: sessionmaker[Session], *, now: datetime | None = None, key_file: Path | None = None
) -> str:
    """Seed the demo tenant if it has no debtors yet; return an agent key for it.

    With `key_file`, the key printed last time is reused while it still works for the demo tenant's
    agent (so a restarted demo shows the same key, and GraphiQL's saved header keeps working); otherwise
    a new key is created and written there (readable by the owner only)."""
    now = now or datetime.now(UTC)
    if key_file is not None and key_file.exists():
        saved = key_file.read_text(encoding="utf-8").strip()
        with factory() as s:
            try:
                principal = authenticate_key(s, saved)
            except Unauthenticated:
                principal = None
            still_seeded = principal is not None and s.scalar(
                select(func.count()).select_from(Debtor).where(Debtor.tenant_id == principal.tenant_id)
            )
        if (
            principal
            and principal.tenant_slug == DEMO_TENANT
            and principal.role is Role.AGENT
            and still_seeded
        ):
            return saved
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
            result = upsert_records(s, tenant.id, demo_records(now.date()), now=now)
            if result.rejections:
                first = result.rejections[0]
                raise RuntimeError(f"demo portfolio record {first.index} rejected: {first.reasons}")
        key = create_api_key(
            s, tenant_slug=DEMO_TENANT, role=Role.AGENT, agent_external_id=DEMO_AGENT, label="demo"
        )
    if key_file is not None:
        key_file.touch(mode=0o600, exist_ok=True)
        key_file.write_text(key + "\n", encoding="utf-8")
    return key
