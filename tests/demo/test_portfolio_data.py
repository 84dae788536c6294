"""The demo portfolio (examples/portfolio.jsonl, shipped again as src/asistente/demo/portfolio.jsonl): valid
records, valid phone numbers, and the coverage the demo promises (countries, currencies, cities, time zones,
flags, histories). All dates are relative to the anchor 2026-11-20."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from jsonschema import Draft202012Validator
from phonenumbers import timezone as phone_zones

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "portfolio.jsonl"
PACKAGED = ROOT / "src" / "asistente" / "demo" / "portfolio.jsonl"
GENERATOR = ROOT / "examples" / "make_demo_portfolio.py"
SCHEMA = ROOT / "schema" / "portfolio-record.schema.json"
ANCHOR = date(2026, 11, 20)

CURRENCY = {"MX": "MXN", "CO": "COP", "CL": "CLP", "PE": "PEN", "ES": "EUR", "AR": "ARS", "US": "USD"}
MIN_DEBTORS = {"MX": 14, "CO": 10, "CL": 9, "PE": 7, "ES": 7, "AR": 7, "US": 12}
POSTAL = {
    "MX": r"\d{5}",
    "CO": r"\d{6}",
    "CL": r"\d{7}",
    "PE": r"\d{5}",
    "ES": r"\d{5}",
    "AR": r"[A-Z]\d{4}[A-Z]{3}",
    "US": r"\d{5}",
}
HISPANIC = {"MX", "CO", "CL", "PE", "ES", "AR"}

REQUIRED_CITIES = {
    ("MX", "Cancún", "ROO"),
    ("MX", "Tijuana", "BCN"),
    ("MX", "Hermosillo", "SON"),
    ("MX", "Ciudad de México", "CMX"),
    ("MX", "Monterrey", "NLE"),
    ("MX", "Guadalajara", "JAL"),
    ("MX", "Mérida", "YUC"),
    ("CO", "Bogotá", "DC"),
    ("CO", "Medellín", "ANT"),
    ("CO", "Cali", "VAC"),
    ("CO", "Barranquilla", "ATL"),
    ("CL", "Santiago", "RM"),
    ("CL", "Punta Arenas", "MA"),
    ("CL", "Valparaíso", "VS"),
    ("CL", "Concepción", "BI"),
    ("PE", "Lima", "LIM"),
    ("PE", "Arequipa", "ARE"),
    ("PE", "Cusco", "CUS"),
    ("ES", "Madrid", "MD"),
    ("ES", "Barcelona", "CT"),
    ("ES", "Sevilla", "AN"),
    ("ES", "Las Palmas de Gran Canaria", "CN"),
    ("AR", "Buenos Aires", "C"),
    ("AR", "Córdoba", "X"),
    ("AR", "Mendoza", "M"),
    ("US", "Phoenix", "AZ"),
    ("US", "New York", "NY"),
    ("US", "Los Angeles", "CA"),
    ("US", "Miami", "FL"),
    ("US", "Houston", "TX"),
    ("US", "Chicago", "IL"),
    ("US", "Boston", "MA"),
    ("US", "Honolulu", "HI"),
}

# The IANA zone of every city in the portfolio (what a service derives from the address).
CITY_ZONES = {
    "Cancún": "America/Cancun",
    "Tijuana": "America/Tijuana",
    "Hermosillo": "America/Hermosillo",
    "Ciudad de México": "America/Mexico_City",
    "Monterrey": "America/Monterrey",
    "Guadalajara": "America/Mexico_City",
    "Mérida": "America/Merida",
    "Puebla": "America/Mexico_City",
    "La Paz": "America/Mazatlan",
    "Mazatlán": "America/Mazatlan",
    "Ciudad Juárez": "America/Ciudad_Juarez",
    "Bogotá": "America/Bogota",
    "Medellín": "America/Bogota",
    "Cali": "America/Bogota",
    "Barranquilla": "America/Bogota",
    "Bucaramanga": "America/Bogota",
    "Cartagena de Indias": "America/Bogota",
    "Pereira": "America/Bogota",
    "Santiago": "America/Santiago",
    "Providencia": "America/Santiago",
    "Punta Arenas": "America/Punta_Arenas",
    "Valparaíso": "America/Santiago",
    "Concepción": "America/Santiago",
    "Antofagasta": "America/Santiago",
    "Temuco": "America/Santiago",
    "Hanga Roa": "Pacific/Easter",
    "La Serena": "America/Santiago",
    "Lima": "America/Lima",
    "Arequipa": "America/Lima",
    "Cusco": "America/Lima",
    "Trujillo": "America/Lima",
    "Piura": "America/Lima",
    "Madrid": "Europe/Madrid",
    "Barcelona": "Europe/Madrid",
    "Sevilla": "Europe/Madrid",
    "Las Palmas de Gran Canaria": "Atlantic/Canary",
    "Valencia": "Europe/Madrid",
    "Bilbao": "Europe/Madrid",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Córdoba": "America/Argentina/Cordoba",
    "Mendoza": "America/Argentina/Mendoza",
    "Rosario": "America/Argentina/Cordoba",
    "Salta": "America/Argentina/Salta",
    "Ushuaia": "America/Argentina/Ushuaia",
    "Phoenix": "America/Phoenix",
    "New York": "America/New_York",
    "Los Angeles": "America/Los_Angeles",
    "Miami": "America/New_York",
    "Houston": "America/Chicago",
    "Chicago": "America/Chicago",
    "Boston": "America/New_York",
    "Honolulu": "Pacific/Honolulu",
    "Denver": "America/Denver",
    "El Paso": "America/Denver",
}

NO_ADDRESS = {"CRM-MX-0014", "CRM-ES-0007", "CRM-US-0012"}
PHONE_IN_OTHER_ZONE = {"CRM-MX-0013", "CRM-US-0011"}


@cache
def records() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines())


def country(record: dict[str, Any]) -> str:
    return record["externalId"].split("-")[1]


def accounts() -> list[dict[str, Any]]:
    return [a for r in records() for a in r["accounts"]]


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def offset_at_anchor(zone: str) -> timedelta | None:
    return datetime(2026, 11, 20, 12, tzinfo=ZoneInfo(zone)).utcoffset()


def phone_zone(number: str) -> str | None:
    zones = phone_zones.time_zones_for_number(phonenumbers.parse(number, None))
    return zones[0] if len(zones) == 1 else None


# ---- files


def test_files_are_identical_and_regenerate_deterministically() -> None:
    data = EXAMPLE.read_bytes()
    assert PACKAGED.read_bytes() == data
    spec = importlib.util.spec_from_file_location("make_demo_portfolio", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    first, second = module.build(), module.build()
    assert first == second, "the generator is not deterministic"
    assert first == data, (
        "examples/portfolio.jsonl is stale: run .venv/bin/python examples/make_demo_portfolio.py"
    )


def test_every_line_is_a_valid_record_under_4_kb() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    raw = EXAMPLE.read_bytes()
    assert raw.endswith(b"\n")
    for number, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        assert line.strip(), f"line {number} is blank"
        assert len(line.encode("utf-8")) <= 4096, f"line {number} is over 4 KB"
        errors = [e.message for e in validator.iter_errors(json.loads(line))]
        assert not errors, f"line {number}: {errors}"


def test_identifiers_are_unique_and_well_formed() -> None:
    debtor_ids = [r["externalId"] for r in records()]
    assert len(set(debtor_ids)) == len(debtor_ids)
    account_ids, payment_refs = [], []
    for r in records():
        ext = r["externalId"]
        assert re.fullmatch(r"CRM-(MX|CO|CL|PE|ES|AR|US)-\d{4}", ext)
        for a in r["accounts"]:
            assert re.fullmatch(rf"ACC-{ext[4:]}-\d", a["externalId"])
            account_ids.append(a["externalId"])
            payment_refs += [p["reference"] for p in a.get("payments", [])]
        ints = [i["externalId"] for i in r.get("interactions", [])]
        assert len(set(ints)) == len(ints) and all(i.startswith(f"INT-{ext[4:]}-") for i in ints)
        proms = [p["externalId"] for p in r.get("promises", [])]
        assert len(set(proms)) == len(proms)
    assert len(set(account_ids)) == len(account_ids)
    assert len(set(payment_refs)) == len(payment_refs)
    assert all(ref.startswith("PAY-") for ref in payment_refs)


# ---- debtors


def test_debtors_per_country() -> None:
    counts = Counter(country(r) for r in records())
    assert len(records()) >= 64
    for code, minimum in MIN_DEBTORS.items():
        assert counts[code] >= minimum, (code, counts)


def test_names_and_languages() -> None:
    for r in records():
        if country(r) in HISPANIC:
            assert len(r["fullName"].split()) >= 3, r["fullName"]  # given name and two surnames
            assert r["language"] == "es"
    us = Counter(r["language"] for r in records() if country(r) == "US")
    assert us["en"] > us["es"] >= 2


def test_every_phone_is_valid_for_its_country() -> None:
    seen = set()
    for r in records():
        numbers = [p["number"] for p in r.get("phones", [])]
        numbers += [
            i["destination"] for i in r.get("interactions", []) if i.get("destination", "").startswith("+")
        ]
        assert r.get("phones"), r["externalId"]
        for number in numbers:
            parsed = phonenumbers.parse(number, None)
            assert phonenumbers.is_valid_number(parsed), number
            assert phonenumbers.region_code_for_number(parsed) == country(r), number
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        for p in r["phones"]:
            assert p["number"] not in seen, p["number"]
            seen.add(p["number"])


def test_addresses_regions_postal_codes_and_jurisdictions() -> None:
    cities = set()
    for r in records():
        code = country(r)
        for a in r.get("addresses", []):
            assert a["country"] == code
            assert a["line1"].strip() and a["city"] in CITY_ZONES, a
            assert re.fullmatch(r"[A-Z0-9]{1,3}", a["region"]), a
            assert re.fullmatch(POSTAL[code], a["postalCode"]), a
            cities.add((code, a["city"], a["region"]))
        if code == "US":
            assert re.fullmatch(r"US-[A-Z]{2}", r["jurisdiction"])
            if r.get("addresses"):
                assert r["jurisdiction"] == f"US-{r['addresses'][0]['region']}"
        else:
            assert r["jurisdiction"] == code
    assert cities >= REQUIRED_CITIES, REQUIRED_CITIES - cities
    zones = {CITY_ZONES[city] for _, city, _ in cities}
    assert len({offset_at_anchor(z) for z in zones}) >= 8, "addresses should span many UTC offsets"


def test_time_zone_from_phone_when_there_is_no_address() -> None:
    without = {r["externalId"]: r for r in records() if not r.get("addresses")}
    assert set(without) == NO_ADDRESS
    for r in without.values():
        assert phone_zone(r["phones"][0]["number"]), f"{r['externalId']}: its phone must name one zone"


def test_phone_area_code_in_another_zone_than_the_address() -> None:
    mismatched = set()
    for r in records():
        if not r.get("addresses"):
            continue
        home_offset = offset_at_anchor(CITY_ZONES[r["addresses"][0]["city"]])
        for p in r["phones"]:
            parsed = phonenumbers.parse(p["number"], None)
            geographic = parsed.country_code in (1, 52) or p.get("kind") == "HOME"
            zone = phone_zone(p["number"])
            if geographic and zone and offset_at_anchor(zone) != home_offset:
                mismatched.add(r["externalId"])
    assert mismatched == PHONE_IN_OTHER_ZONE


def test_emails_birth_dates_and_flags() -> None:
    kinds = Counter(e["kind"] for r in records() for e in r.get("emails", []))
    assert kinds["PERSONAL"] > kinds["WORK"] >= 3
    for r in records():
        for e in r.get("emails", []):
            domain = e["address"].split("@")[1]
            assert domain.endswith(".example") or domain in {"example.com", "example.net", "example.org"}
        born = date.fromisoformat(r["birthDate"])
        age = ANCHOR.year - born.year - ((ANCHOR.month, ANCHOR.day) < (born.month, born.day))
        assert 22 <= age <= 75, (r["externalId"], age)
    assert sum(bool(r.get("ceaseContact")) for r in records()) == 2
    assert sum(bool(r.get("representedByAttorney")) for r in records()) == 2
    assert sum(bool(r.get("optedOutChannels")) for r in records()) >= 3


def test_colombian_debtors_have_explicit_authorised_channels() -> None:
    for r in records():
        if country(r) != "CO":
            continue
        allowed = r.get("authorizedChannels")
        assert allowed and set(allowed) <= {"CALL", "SMS", "WHATSAPP", "EMAIL", "LETTER"}, r["externalId"]
        for i in r.get("interactions", []):
            if i["direction"] == "OUTBOUND" and i["recipientRole"] == "DEBTOR":
                assert i["channel"] in allowed, (r["externalId"], i["externalId"])


# ---- accounts


def stage(days: int) -> str:
    if days == 0:
        return "current"
    for name, limit in (("1-30", 30), ("31-90", 90), ("91-180", 180), ("181-720", 720)):
        if days <= limit:
            return name
    return "over-720"


def test_accounts_currencies_and_amounts() -> None:
    all_accounts = accounts()
    assert len(all_accounts) >= 110
    assert Counter(a["currency"] for a in all_accounts).keys() == set(CURRENCY.values())
    for r in records():
        assert 1 <= len(r["accounts"]) <= 3
        for a in r["accounts"]:
            cur = a["currency"]
            assert cur == CURRENCY[country(r)]
            amounts = [a["principal"], a["balance"], a["minimumDue"]]
            amounts += [p["amount"] for p in a.get("payments", [])]
            for amount in amounts:
                if cur == "CLP":
                    assert re.fullmatch(r"\d+", amount), amount
                else:
                    assert re.fullmatch(r"\d+\.\d{2}", amount), amount
            assert all(Decimal(p["amount"]) > 0 for p in a.get("payments", []))
            assert Decimal(a["minimumDue"]) <= Decimal(a["balance"])
    cop = [Decimal(a["principal"]) for a in all_accounts if a["currency"] == "COP"]
    assert min(cop) >= 100_000
    below = sum(Decimal(a["balance"]) <= Decimal(a["principal"]) for a in all_accounts)
    assert below >= 0.85 * len(all_accounts)
    products = {a["product"] for a in all_accounts}
    assert {
        "tarjeta de crédito",
        "préstamo personal",
        "crédito automotriz",
        "microcrédito",
        "telefonía móvil",
        "crédito de nómina",
        "credit card",
        "personal loan",
        "auto loan",
        "medical bill",
    } <= products


def test_days_past_due_cover_every_stage_and_due_dates_agree() -> None:
    stages = Counter(stage(a["daysPastDue"]) for a in accounts())
    for name in ("current", "1-30", "31-90", "91-180", "181-720"):
        assert stages[name] >= 5, stages
    for a in accounts():
        due = date.fromisoformat(a["dueDate"])
        if a["daysPastDue"] == 0:
            assert due > ANCHOR
        else:
            assert due == ANCHOR - timedelta(days=a["daysPastDue"])


def test_disputed_litigation_and_time_barred_accounts() -> None:
    flagged = {k: [a for a in accounts() if a.get(k)] for k in ("disputed", "inLitigation", "timeBarred")}
    for key, items in flagged.items():
        assert len(items) >= 3, key
    for a in flagged["timeBarred"]:
        assert a["daysPastDue"] > 1800
        assert date.fromisoformat(a["dueDate"]) < ANCHOR - timedelta(days=1800)
        assert not a.get("payments") and not a.get("inLitigation")


# ---- history


def test_history_is_before_the_anchor_at_plausible_local_hours() -> None:
    for r in records():
        for a in r["accounts"]:
            for p in a.get("payments", []):
                assert instant(p["paidAt"]).date() < ANCHOR
        for i in r.get("interactions", []):
            at = instant(i["at"])  # the local time of the debtor, with its offset
            assert at.date() < ANCHOR
            if i["direction"] == "OUTBOUND":
                assert at.weekday() != 6, (r["externalId"], i["at"])
                assert 8 <= at.hour < 21, (r["externalId"], i["at"])
        ats = [instant(i["at"]) for i in r.get("interactions", [])]
        assert ats == sorted(ats)


def test_interactions_cover_outcomes_roles_and_opt_outs() -> None:
    items = [i for r in records() for i in r.get("interactions", [])]
    assert {i["outcome"] for i in items} == {"NO_ANSWER", "VOICEMAIL", "CONVERSATION", "DELIVERED", "FAILED"}
    roles = Counter(i["recipientRole"] for i in items)
    assert roles["DEBTOR"] > 0.9 * len(items)
    assert roles["CO_DEBTOR"] >= 2 and roles["REFERENCE"] >= 2
    assert {"OUTBOUND", "INBOUND"} == {i["direction"] for i in items}
    assert {"CALL", "SMS", "WHATSAPP", "EMAIL", "LETTER"} <= {i["channel"] for i in items}
    assert sum(bool(i.get("optOutRequested")) for i in items) >= 3
    for r in records():
        for channel in r.get("optedOutChannels", []):
            requests = [instant(i["at"]) for i in r["interactions"] if i.get("optOutRequested")]
            assert requests, r["externalId"]
            later = [
                i
                for i in r["interactions"]
                if i["channel"] == channel and i["direction"] == "OUTBOUND" and instant(i["at"]) > requests[0]
            ]
            assert not later, r["externalId"]
        if r.get("ceaseContact"):
            letters = [
                instant(i["at"])
                for i in r["interactions"]
                if i["channel"] == "LETTER" and i["direction"] == "INBOUND"
            ]
            assert letters, r["externalId"]
            later = [
                i for i in r["interactions"] if instant(i["at"]) > letters[0] and i["channel"] != "LETTER"
            ]
            assert not later, r["externalId"]


def test_some_debtors_have_heavy_recent_contact() -> None:
    week = {ANCHOR - timedelta(days=k) for k in range(1, 8)}
    heavy, talked, us_heavy = [], [], []
    for r in records():
        calls = [
            i
            for i in r.get("interactions", [])
            if i["channel"] == "CALL" and i["direction"] == "OUTBOUND" and instant(i["at"]).date() in week
        ]
        if len(calls) >= 4:
            heavy.append(r["externalId"])
        if len(calls) >= 7 and country(r) == "US":
            us_heavy.append(r["externalId"])
        if any(
            i["outcome"] == "CONVERSATION" and instant(i["at"]).date() == ANCHOR - timedelta(days=2)
            for i in r.get("interactions", [])
        ):
            talked.append(r["externalId"])
    assert len(heavy) >= 3, heavy
    assert len(talked) >= 2, talked
    assert us_heavy, "one US debtor should have 7 call attempts in 7 days"


def test_promises() -> None:
    statuses: Counter[str] = Counter()
    several_broken = 0
    for r in records():
        by_id = {a["externalId"]: a for a in r["accounts"]}
        broken = 0
        for p in r.get("promises", []):
            statuses[p["status"]] += 1
            account = by_id[p["accountExternalId"]]
            assert p["currency"] == account["currency"]
            assert Decimal(p["amount"]) <= Decimal(account["balance"])
            due = date.fromisoformat(p["dueDate"])
            promised = instant(p["promisedAt"]).date()
            assert promised < ANCHOR and promised <= due
            if p["status"] == "PENDING":
                assert due > ANCHOR
            else:
                assert due < ANCHOR
            if p["status"] == "KEPT":
                paid = [
                    x
                    for x in account.get("payments", [])
                    if x["amount"] == p["amount"] and promised <= instant(x["paidAt"]).date() <= due
                ]
                assert paid, (r["externalId"], p["externalId"])
            broken += p["status"] == "BROKEN"
        several_broken += broken >= 2
    assert statuses["KEPT"] >= 5 and statuses["BROKEN"] >= 5 and statuses["PENDING"] >= 5, statuses
    assert several_broken >= 3


@pytest.mark.parametrize("code", sorted(CURRENCY))
def test_each_country_has_payments_interactions_and_promises(code: str) -> None:
    mine = [r for r in records() if country(r) == code]
    assert any(a.get("payments") for r in mine for a in r["accounts"])
    assert all(r.get("interactions") for r in mine)
    assert any(r.get("promises") for r in mine)
