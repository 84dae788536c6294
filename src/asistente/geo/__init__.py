"""Time-zone and jurisdiction resolution for a debtor's addresses and phone numbers.

Pure functions over plain mappings. The zone table is data (``zones.json``, schema
``schema/geo-zones.schema.json``): country -> regions (ISO 3166-2 codes plus names) -> cities.

Resolution order for one address: city inside the resolved region, then the region, then (no region
resolved) a country-wide city list, then the country's single zone; a multi-zone country whose region
cannot be resolved yields *every* zone of that country (the contact must suit them all), never a guess.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import jsonschema
import phonenumbers
from phonenumbers import timezone as pn_timezone

from asistente.errors import BadInput

__all__ = [
    "TzCandidate",
    "candidate_timezones",
    "is_known_jurisdiction",
    "jurisdiction_for",
    "normalize_name",
    "place_key",
    "resolve_region",
    "zone_data_version",
]

_UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True)
class TzCandidate:
    tz: str
    source: str  # "override" | "address" | "phone"


def normalize_name(value: str | None) -> str:
    """Lower case, accents removed, punctuation as single spaces: "Quintana Roo" == "quintana  roo"."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9]+", " ", stripped.lower()).strip()


@dataclass(frozen=True)
class _Region:
    code: str
    tz: str
    cities: dict[str, str]


@dataclass(frozen=True)
class _Country:
    code: str
    zones: tuple[str, ...]
    default: str | None
    regions: dict[str, _Region]  # by code
    region_index: dict[str, str]  # normalized code/name -> code
    cities: dict[str, str]  # normalized city -> tz, used when no region resolved


@dataclass(frozen=True)
class _ZoneTable:
    version: str
    countries: dict[str, _Country]


def _schema_path() -> Any:
    from asistente.schemas import schema_dir

    return schema_dir() / "geo-zones.schema.json"


@cache
def _table() -> _ZoneTable:
    raw = json.loads(resources.files("asistente.geo").joinpath("zones.json").read_text(encoding="utf-8"))
    schema = json.loads(_schema_path().read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(raw), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        path = "$" + "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        raise RuntimeError(f"geo/zones.json: {path}: {err.message}")
    known = available_timezones()
    countries: dict[str, _Country] = {}
    for code, c in raw["countries"].items():
        regions: dict[str, _Region] = {}
        index: dict[str, str] = {}
        for rcode, r in c.get("regions", {}).items():
            cities = {normalize_name(k): v for k, v in r.get("cities", {}).items()}
            regions[rcode] = _Region(rcode, r["tz"], cities)
            index[normalize_name(rcode)] = rcode
            index[normalize_name(f"{code}-{rcode}")] = rcode
            for name in r.get("names", []):
                index.setdefault(normalize_name(name), rcode)
        zones = tuple(c["zones"])
        every = [*zones, *(r.tz for r in regions.values()), *c.get("cities", {}).values()]
        for r in regions.values():
            every.extend(r.cities.values())
        bad = sorted({z for z in every if z not in known})
        if bad:
            raise RuntimeError(f"geo/zones.json: $.countries.{code}: unknown IANA zones {bad}")
        countries[code] = _Country(
            code=code,
            zones=zones,
            default=c.get("default"),
            regions=regions,
            region_index=index,
            cities={normalize_name(k): v for k, v in c.get("cities", {}).items()},
        )
    return _ZoneTable(raw["version"], countries)


def zone_data_version() -> str:
    return _table().version


def _country_of(address: Mapping[str, Any], default_country: str | None) -> str | None:
    country = (address.get("country") or default_country or "").strip().upper()
    return country or None


def resolve_region(
    address: Mapping[str, Any], default_country: str | None = None
) -> tuple[str | None, str | None]:
    """(ISO country, ISO 3166-2 subdivision code without the country prefix) of an address; None where unknown."""
    country = _country_of(address, default_country)
    if country is None:
        return None, None
    table = _table().countries.get(country)
    region_raw = address.get("region")
    if table is None or not region_raw:
        if table is None and region_raw:
            raw = str(region_raw).strip().upper()
            raw = raw.removeprefix(f"{country}-")
            return country, raw or None
        return country, None
    return country, table.region_index.get(normalize_name(region_raw))


def _zones_for_address(address: Mapping[str, Any], default_country: str | None) -> list[str]:
    country, region_code = resolve_region(address, default_country)
    if country is None:
        return []
    table = _table().countries.get(country)
    if table is None:
        return []
    city = normalize_name(address.get("city"))
    if region_code is not None:
        region = table.regions[region_code]
        if city and city in region.cities:
            return [region.cities[city]]
        return [region.tz]
    if city and city in table.cities:
        return [table.cities[city]]
    if table.default is not None:
        return [table.default]
    return list(table.zones)


def _zones_for_phone(phone: Mapping[str, Any]) -> list[str]:
    number = phone.get("number")
    if not number:
        return []
    return list(_zones_for_number(str(number)))


@lru_cache(maxsize=20_000)
def _zones_for_number(number: str) -> tuple[str, ...]:
    """Parsing a number is most of a time-zone lookup; the answer depends on the number alone."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z != _UNKNOWN_ZONE)


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a path
        raise BadInput(f"unknown time zone {name!r}: use an IANA name such as 'America/Mexico_City'") from exc
    return name


def candidate_timezones(
    addresses: Sequence[Mapping[str, Any]],
    phones: Sequence[Mapping[str, Any]],
    override: str | None = None,
    jurisdiction: str | None = None,
) -> list[TzCandidate]:
    """Every IANA zone the debtor may be in, address candidates first, deduplicated.

    An ``override`` (the integrator's explicit time zone) is authoritative and is the only candidate.
    ``jurisdiction`` ("MX", "US-TX") supplies the country of addresses that lack one.
    """
    if override:
        return [TzCandidate(_check_zone(override), "override")]
    default_country = jurisdiction.split("-")[0].upper() if jurisdiction else None
    seen: set[str] = set()
    out: list[TzCandidate] = []
    for address in addresses:
        for tz in _zones_for_address(address, default_country):
            if tz not in seen:
                seen.add(tz)
                out.append(TzCandidate(tz, "address"))
    for phone in phones:
        for tz in _zones_for_phone(phone):
            if tz not in seen:
                seen.add(tz)
                out.append(TzCandidate(tz, "phone"))
    return out


def place_key(
    addresses: Sequence[Mapping[str, Any]], phones: Sequence[Mapping[str, Any]] = ()
) -> tuple[tuple[tuple[str | None, ...], ...], tuple[str | None, ...]] | None:
    """A hashable key of all this module reads from addresses and phones (each address's country, region and
    city, each phone's number), for callers that remember what is derived from them; None when one of those
    values is not text or None (the caller then derives it afresh)."""
    places = []
    for address in addresses:
        item = (address.get("country"), address.get("region"), address.get("city"))
        if any(v is not None and type(v) is not str for v in item):
            return None
        places.append(item)
    numbers = []
    for phone in phones:
        number = phone.get("number")
        if number is not None and type(number) is not str:
            return None
        numbers.append(number)
    return tuple(places), tuple(numbers)


def jurisdiction_for(
    addresses: Sequence[Mapping[str, Any]], phones: Sequence[Mapping[str, Any]]
) -> str | None:
    """ISO 3166-1 country of the first address ("US-XX" for a resolvable US state), else of the first phone."""
    for address in addresses:
        country, region = resolve_region(address)
        if country is None:
            continue
        if country == "US" and region is not None:
            return f"US-{region}"
        return country
    for phone in phones:
        number = phone.get("number")
        if not number:
            continue
        try:
            parsed = phonenumbers.parse(str(number), None)
        except phonenumbers.NumberParseException:
            continue
        region_code = phonenumbers.region_code_for_number(parsed)
        if region_code and region_code != "ZZ":
            return region_code
    return None


def is_known_jurisdiction(value: str) -> bool:
    """True for a country in the zone table, or "US-XX" where XX is a known US state or territory."""
    parts = value.upper().split("-")
    table = _table().countries.get(parts[0])
    if table is None:
        return False
    return len(parts) == 1 or parts[1] in table.regions
