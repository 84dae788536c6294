"""Time-zone resolution: city level where a country has several zones, phone fallback, disagreement."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from asistente.errors import BadInput
from asistente.geo import (
    TzCandidate,
    candidate_timezones,
    is_known_jurisdiction,
    jurisdiction_for,
    resolve_region,
)


def addr(city: str | None = None, region: str | None = None, country: str | None = "MX") -> dict:
    return {"line1": "Calle 1", "city": city, "region": region, "postalCode": "00000", "country": country}


def tzs(addresses: list[dict], phones: list[dict] | None = None, **kw: object) -> list[str]:
    return [c.tz for c in candidate_timezones(addresses, phones or [], **kw)]


@pytest.mark.parametrize(
    ("city", "region", "expected"),
    [
        ("Cancún", "Quintana Roo", "America/Cancun"),
        ("Chetumal", "ROO", "America/Cancun"),
        ("Cancun", "MX-ROO", "America/Cancun"),
        ("cancun", "QUINTANA ROO", "America/Cancun"),
        ("Hermosillo", "Sonora", "America/Hermosillo"),
        ("Tijuana", "Baja California", "America/Tijuana"),
        ("Mexicali", "BCN", "America/Tijuana"),
        ("La Paz", "Baja California Sur", "America/Mazatlan"),
        ("Culiacán", "Sinaloa", "America/Mazatlan"),
        ("Tepic", "Nayarit", "America/Mazatlan"),
        ("Bahía de Banderas", "Nayarit", "America/Bahia_Banderas"),
        ("Ciudad Juárez", "Chihuahua", "America/Ciudad_Juarez"),
        ("Ojinaga", "CHH", "America/Ojinaga"),
        ("Chihuahua", "Chihuahua", "America/Chihuahua"),
        ("Matamoros", "Tamaulipas", "America/Matamoros"),
        ("Reynosa", "TAM", "America/Matamoros"),
        ("Tampico", "Tamaulipas", "America/Monterrey"),
        ("Piedras Negras", "Coahuila", "America/Matamoros"),
        ("Mérida", "Yucatán", "America/Merida"),
        ("Guadalajara", "Jalisco", "America/Mexico_City"),
        ("Coyoacán", "CDMX", "America/Mexico_City"),
    ],
)
def test_mexico_city_level(city: str, region: str, expected: str) -> None:
    assert tzs([addr(city, region)]) == [expected]


def test_mexico_city_without_region_uses_the_city_list() -> None:
    assert tzs([addr("Cancún", None)]) == ["America/Cancun"]
    assert tzs([addr("Tijuana", "")]) == ["America/Tijuana"]


def test_mexico_unknown_region_and_city_gives_every_mexican_zone_not_a_guess() -> None:
    zones = tzs([addr("Pueblo Desconocido", "Narnia")])
    assert "America/Cancun" in zones and "America/Tijuana" in zones and "America/Mexico_City" in zones
    assert len(zones) == len(set(zones)) >= 10


def test_tijuana_follows_us_dst_mexico_city_does_not_since_2022() -> None:
    july = datetime(2024, 7, 1, 18, 0, tzinfo=UTC)
    january = datetime(2024, 1, 15, 18, 0, tzinfo=UTC)
    assert july.astimezone(ZoneInfo("America/Mexico_City")).utcoffset().total_seconds() == -6 * 3600
    assert january.astimezone(ZoneInfo("America/Mexico_City")).utcoffset().total_seconds() == -6 * 3600
    assert july.astimezone(ZoneInfo("America/Tijuana")).utcoffset().total_seconds() == -7 * 3600
    assert january.astimezone(ZoneInfo("America/Tijuana")).utcoffset().total_seconds() == -8 * 3600
    # ... and in 2021 Mexico City still had DST: the data must not be from before the reform.
    assert datetime(2021, 7, 1, 18, tzinfo=UTC).astimezone(ZoneInfo("America/Mexico_City")).hour == 13


@pytest.mark.parametrize(
    ("city", "region", "expected"),
    [
        ("Punta Arenas", "Magallanes", "America/Punta_Arenas"),
        ("Puerto Natales", "MA", "America/Punta_Arenas"),
        ("Hanga Roa", "Valparaíso", "Pacific/Easter"),
        ("Isla de Pascua", "CL-VS", "Pacific/Easter"),
        ("Viña del Mar", "Valparaíso", "America/Santiago"),
        ("Chillán", "Ñuble", "America/Santiago"),
        ("Santiago", "Región Metropolitana", "America/Santiago"),
        ("Coyhaique", "Aysén", "America/Coyhaique"),
    ],
)
def test_chile(city: str, region: str, expected: str) -> None:
    assert tzs([addr(city, region, "CL")]) == [expected]


def test_punta_arenas_is_utc_minus_3_all_year_and_santiago_is_not() -> None:
    winter = datetime(2024, 7, 1, 12, tzinfo=UTC)
    summer = datetime(2024, 1, 15, 12, tzinfo=UTC)
    pa, scl = ZoneInfo("America/Punta_Arenas"), ZoneInfo("America/Santiago")
    assert winter.astimezone(pa).utcoffset() == summer.astimezone(pa).utcoffset()
    assert winter.astimezone(scl).utcoffset() != summer.astimezone(scl).utcoffset()


@pytest.mark.parametrize(
    ("city", "region", "expected"),
    [
        ("Phoenix", "AZ", "America/Phoenix"),
        ("Window Rock", "Arizona", "America/Denver"),
        ("Honolulu", "HI", "Pacific/Honolulu"),
        ("El Paso", "TX", "America/Denver"),
        ("Houston", "Texas", "America/Chicago"),
        ("Pensacola", "FL", "America/Chicago"),
        ("Miami", "FL", "America/New_York"),
        ("Knoxville", "TN", "America/New_York"),
        ("Nashville", "TN", "America/Chicago"),
        ("Gary", "IN", "America/Chicago"),
        ("Indianapolis", "IN", "America/Indiana/Indianapolis"),
        ("Rapid City", "SD", "America/Denver"),
        ("Boston", "MA", "America/New_York"),
        ("New York", "NY", "America/New_York"),
        ("Anchorage", "AK", "America/Anchorage"),
        ("Los Angeles", "US-CA", "America/Los_Angeles"),
    ],
)
def test_united_states(city: str, region: str, expected: str) -> None:
    assert tzs([addr(city, region, "US")]) == [expected]


def test_spain_canaries_and_peninsula() -> None:
    assert tzs([addr("Las Palmas de Gran Canaria", "Canarias", "ES")]) == ["Atlantic/Canary"]
    assert tzs([addr("Santa Cruz de Tenerife", "TF", "ES")]) == ["Atlantic/Canary"]
    assert tzs([addr("Madrid", "Comunidad de Madrid", "ES")]) == ["Europe/Madrid"]
    assert tzs([addr("Arrecife", None, "ES")]) == ["Atlantic/Canary"]


def test_single_zone_countries() -> None:
    assert tzs([addr("Medellín", "Antioquia", "CO")]) == ["America/Bogota"]
    assert tzs([addr("Cusco", None, "PE")]) == ["America/Lima"]
    assert tzs([addr("Rosario", "Santa Fe", "AR")]) == ["America/Argentina/Cordoba"]
    assert tzs([addr("Palermo", "CABA", "AR")]) == ["America/Argentina/Buenos_Aires"]


def test_phone_fallback_and_unknown_zone_skipped() -> None:
    assert tzs([], [{"number": "+529981234567", "kind": "MOBILE"}]) == ["America/Cancun"]
    assert tzs([], [{"number": "+18085551234", "kind": "HOME"}]) == ["Pacific/Honolulu"]
    assert tzs([], [{"number": "not a number", "kind": "HOME"}]) == []
    # A premium-rate / non-geographic number maps to Etc/Unknown, which is never a candidate.
    assert "Etc/Unknown" not in tzs([], [{"number": "+18005551234", "kind": "HOME"}])


def test_address_and_phone_disagree_both_returned_address_first() -> None:
    candidates = candidate_timezones(
        [addr("Cancún", "Quintana Roo")], [{"number": "+525512345678", "kind": "MOBILE"}]
    )
    assert candidates == [
        TzCandidate("America/Cancun", "address"),
        TzCandidate("America/Mexico_City", "phone"),
    ]


def test_agreeing_address_and_phone_are_deduplicated() -> None:
    candidates = candidate_timezones([addr("Cancún", "ROO")], [{"number": "+529981234567", "kind": "MOBILE"}])
    assert candidates == [TzCandidate("America/Cancun", "address")]


def test_override_wins_and_is_validated() -> None:
    assert candidate_timezones([addr("Cancún", "ROO")], [], override="America/Tijuana") == [
        TzCandidate("America/Tijuana", "override")
    ]
    with pytest.raises(BadInput, match="Mars/Olympus"):
        candidate_timezones([], [], override="Mars/Olympus")


def test_jurisdiction_supplies_missing_country() -> None:
    assert tzs([addr("Hermosillo", "Sonora", None)], jurisdiction="MX") == ["America/Hermosillo"]
    assert tzs([addr("Hermosillo", "Sonora", None)]) == []


def test_no_data_no_candidates() -> None:
    assert candidate_timezones([], []) == []


def test_jurisdiction_for() -> None:
    assert jurisdiction_for([addr("Austin", "Texas", "US")], []) == "US-TX"
    assert jurisdiction_for([addr("Somewhere", None, "US")], []) == "US"
    assert jurisdiction_for([addr("Bogotá", None, "co")], []) == "CO"
    assert jurisdiction_for([], [{"number": "+56912345678"}]) == "CL"
    assert jurisdiction_for([], [{"number": "garbage"}]) is None
    assert jurisdiction_for([], []) is None


def test_resolve_region_accepts_codes_names_any_case_and_accents() -> None:
    assert resolve_region(addr(None, "quintana roo")) == ("MX", "ROO")
    assert resolve_region(addr(None, "mx-roo")) == ("MX", "ROO")
    assert resolve_region(addr(None, "Yucatán")) == ("MX", "YUC")
    assert resolve_region(addr(None, "Nuevo León")) == ("MX", "NLE")
    assert resolve_region(addr(None, "Bío Bío", "CL")) == ("CL", "BI")


def test_is_known_jurisdiction() -> None:
    assert is_known_jurisdiction("US-MA")
    assert is_known_jurisdiction("mx")
    assert not is_known_jurisdiction("US-ZZ")
    assert not is_known_jurisdiction("XX")
