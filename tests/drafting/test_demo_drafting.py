"""The demo tenant can draft out of the box: its profile and destinations are valid and seeded once."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

import asistente.demo as demo
from asistente.drafting.payments import parse_destinations
from asistente.drafting.profile import parse_profile
from asistente.tenants.models import Tenant


def test_demo_drafting_data_is_valid():
    data = json.loads((Path(demo.__file__).with_name("drafting.json")).read_text(encoding="utf-8"))
    assert parse_profile(data["draftingProfile"], "demo", strict=True)["agencyName"]
    currencies = {d.currency for d in parse_destinations(data["paymentDestinations"]).destinations}
    assert {"MXN", "COP", "CLP", "PEN", "EUR", "ARS", "USD"} <= currencies


def test_seed_sets_the_profile_once_and_keeps_a_tenants_own(session_factory):
    demo.seed_demo(session_factory)
    with session_factory() as s:
        tenant = s.scalars(select(Tenant).where(Tenant.slug == demo.DEMO_TENANT)).one()
        assert tenant.settings["draftingProfile"]["agencyName"] == "Demo Cobranzas S.C."
        tenant.settings = {
            **tenant.settings,
            "draftingProfile": {**tenant.settings["draftingProfile"], "phone": "+1 555 0100"},
        }
        s.commit()
    demo.seed_demo(session_factory)
    with session_factory() as s:
        tenant = s.scalars(select(Tenant).where(Tenant.slug == demo.DEMO_TENANT)).one()
        assert tenant.settings["draftingProfile"]["phone"] == "+1 555 0100"
