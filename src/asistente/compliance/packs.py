"""Rule packs: JSON data validated against ``schema/rule-pack.schema.json`` at load.

``load_packs(extra_dir)`` reads the built-in packs (``compliance/packs/*.json``) and, optionally, a
directory of extra packs. A broken file raises :class:`RulePackError` naming the file, the JSON path in it
and the reason, so the service refuses to start.

Stricter only: every rule kind can only *forbid* (a contact or text is allowed when every rule of every
applicable pack allows it), so adding rules can never loosen the law. An overlay (an extra pack for a
jurisdiction that already has one, or a tenant overlay applied with :meth:`PackRegistry.with_overlay`)
therefore only adds rules; it may not reuse the id of a law rule (that would read as replacing it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from asistente.compliance.types import Rule, RulePack
from asistente.enums import Channel, RecipientRole, ViolationCode
from asistente.errors import BadInput
from asistente.geo import is_known_jurisdiction, normalize_name, place_key, resolve_region
from asistente.memo import BoundedMemo
from asistente.schemas import best_error as _best_error
from asistente.schemas import dollar_path as _json_path

__all__ = [
    "BUILTIN_PACK_DIR",
    "PackRegistry",
    "RulePackError",
    "load_pack_file",
    "load_packs",
    "parse_pack",
    "schema_path",
]

BUILTIN_PACK_DIR = Path(__file__).with_name("packs")

# Which codes make sense for each contact-rule kind (content kinds take any content code).
_KIND_CODES: dict[str, set[str]] = {
    "contact_window": {"CONTACT_HOURS", "CONTACT_DAY"},
    "frequency": {"CONTACT_FREQUENCY"},
    "wait_after_conversation": {"CONTACT_FREQUENCY"},
    "single_channel_after_contact": {"CONTACT_FREQUENCY"},
    "channel_authorization": {"CHANNEL_NOT_AUTHORIZED"},
    "channel_forbidden": {"CHANNEL_NOT_AUTHORIZED"},
    "opt_out": {"CHANNEL_OPTED_OUT"},
    "cease_contact": {"CEASE_CONTACT"},
    "attorney": {"ATTORNEY_REPRESENTED"},
    "litigation_hold": {"LITIGATION_HOLD"},
    "recipient_role": {"THIRD_PARTY_DISCLOSURE", "CONTACT_MINOR"},
    "minor": {"CONTACT_MINOR"},
    # OLDER_ADULT since 2026.12; CONTACT_MINOR stays accepted so tenant overlays written before still load.
    "older_adult": {"OLDER_ADULT", "CONTACT_MINOR", "THIRD_PARTY_DISCLOSURE"},
    "work_email": {"WORK_EMAIL"},
}
CONTACT_KINDS = frozenset(_KIND_CODES)
CONTENT_KINDS = frozenset(
    {"forbidden_signal", "required_elements", "forbidden_elements", "third_party_mention"}
)
# A rule without an explicit "scope": what a communication must contain is per communication; everything
# a text must not say is per line.
COMMUNICATION_KINDS = frozenset({"required_elements"})


def default_scope(kind: str) -> str:
    return "communication" if kind in COMMUNICATION_KINDS else "line"


class RulePackError(BadInput):
    """A rule pack that cannot be used. ``str()`` is ``"<file>: <json path>: <reason>"``."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        self.file = file
        self.path = path
        self.reason = reason
        super().__init__(f"{file}: {path}: {reason}")


def schema_path() -> Path:
    """``schema/rule-pack.schema.json`` (asistente.schemas finds it in a checkout and in a wheel)."""
    from asistente.schemas import schema_file

    try:
        return schema_file("rule-pack.schema.json")
    except FileNotFoundError as exc:
        raise RulePackError("schema/rule-pack.schema.json", "$", str(exc)) from None


@cache
def _validator() -> jsonschema.Draft202012Validator:
    path = schema_path()
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def parse_pack(data: Any, origin: str, *, is_overlay: bool = False, key: str | None = None) -> RulePack:
    """Validate one pack (already parsed JSON) and build it; ``origin`` names it in errors."""
    errors = list(_validator().iter_errors(data))
    if errors:
        err = _best_error(errors)
        raise RulePackError(origin, _json_path(err.absolute_path), err.message)
    rules: list[Rule] = []
    seen: set[str] = set()
    jurisdiction = data["jurisdiction"]
    for i, r in enumerate(data["rules"]):
        where = f"$.rules[{i}]"
        if r["id"] in seen:
            raise RulePackError(origin, f"{where}.id", f"duplicate rule id {r['id']!r}")
        seen.add(r["id"])
        kind, code = r["kind"], r["code"]
        allowed_codes = _KIND_CODES.get(kind)
        if allowed_codes is not None and code not in allowed_codes:
            raise RulePackError(
                origin,
                f"{where}.code",
                f"code {code!r} does not fit kind {kind!r} (use one of {sorted(allowed_codes)})",
            )
        params = r["parameters"]
        if kind == "contact_window":
            for j, w in enumerate(params["windows"]):
                if _minutes(w["start"]) >= _minutes(w["end"]):
                    raise RulePackError(
                        origin,
                        f"{where}.parameters.windows[{j}]",
                        f"start {w['start']} is not before end {w['end']}",
                    )
        scope = r.get("scope") or default_scope(kind)
        if kind == "required_elements" and scope != "communication":
            raise RulePackError(
                origin,
                f"{where}.scope",
                "a required_elements rule is about a whole communication: its scope is 'communication'",
            )
        if kind == "frequency" and params["period"] == "rolling_days" and "days" not in params:
            raise RulePackError(origin, f"{where}.parameters", "period 'rolling_days' needs 'days'")
        message = r.get("message") or {}
        rules.append(
            Rule(
                id=r["id"],
                kind=kind,
                code=ViolationCode(code),
                source=r["source"],
                parameters=params,
                channels=frozenset(Channel(c) for c in r["channels"]) if "channels" in r else None,
                recipient_roles=frozenset(RecipientRole(x) for x in r["recipientRoles"])
                if "recipientRoles" in r
                else None,
                severity=r.get("severity", "violation"),
                verify=r.get("verify"),
                message_es=message.get("es"),
                message_en=message.get("en"),
                pack=key or (f"tenant:{jurisdiction}" if is_overlay else jurisdiction),
                scope=scope,
            )
        )
    return RulePack(
        jurisdiction=jurisdiction,
        version=data["version"],
        name=data["name"],
        rules=tuple(rules),
        extends=data.get("extends"),
        applies_to_cities=frozenset(normalize_name(c) for c in data.get("appliesToCities", [])),
        applies_to_regions=frozenset(x.upper() for x in data.get("appliesToRegions", [])),
        origin=origin,
        is_overlay=is_overlay,
        label=key,
    )


def load_pack_file(path: Path, *, is_overlay: bool = False, key: str | None = None) -> RulePack:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RulePackError(
            name, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except OSError as exc:
        raise RulePackError(name, "$", f"cannot read: {exc.strerror or exc}") from exc
    return parse_pack(data, name, is_overlay=is_overlay, key=key)


class PackRegistry:
    """Law packs by jurisdiction plus the overlays that add to them. Immutable: ``with_overlay`` returns
    a new registry (cache it per tenant)."""

    def __init__(self, packs: Sequence[RulePack], overlays: Sequence[RulePack] = ()) -> None:
        self._packs: dict[str, RulePack] = {}
        for pack in packs:
            if pack.jurisdiction in self._packs:
                raise RulePackError(pack.origin, "$.jurisdiction", f"second pack for {pack.jurisdiction!r}")
            self._packs[pack.jurisdiction] = pack
        for pack in self._packs.values():
            if pack.extends is not None and pack.extends not in self._packs:
                raise RulePackError(pack.origin, "$.extends", f"unknown parent jurisdiction {pack.extends!r}")
        self._overlays: tuple[RulePack, ...] = tuple(overlays)
        for overlay in self._overlays:
            self._check_overlay(overlay)
        self._overlay_cache: dict[str, PackRegistry] = {}
        self._resolved = BoundedMemo(4096)  # (jurisdiction, geo.place_key) -> resolve's packs

    # -- overlays ---------------------------------------------------------------------------------------
    def _check_overlay(self, overlay: RulePack) -> None:
        if overlay.jurisdiction not in self._packs:
            raise RulePackError(
                overlay.origin,
                "$.jurisdiction",
                f"overlay for unknown jurisdiction {overlay.jurisdiction!r}; known: {', '.join(self.known())}",
            )
        law_ids = {r.id for p in self._packs.values() for r in p.rules}
        other_ids = {r.id for o in self._overlays if o is not overlay for r in o.rules}
        for i, rule in enumerate(overlay.rules):
            if rule.id in law_ids:
                raise RulePackError(
                    overlay.origin,
                    f"$.rules[{i}].id",
                    f"rule id {rule.id!r} belongs to the law pack: an overlay adds stricter rules with new ids, "
                    "it cannot replace or loosen a law rule",
                )
            if rule.id in other_ids:
                raise RulePackError(
                    overlay.origin,
                    f"$.rules[{i}].id",
                    f"rule id {rule.id!r} is already used by another overlay",
                )

    def with_overlay(
        self, overlay: Mapping[str, Any] | RulePack, *, origin: str = "tenant overlay"
    ) -> PackRegistry:
        """A registry with a tenant's stricter policy added (validated against the same schema)."""
        if isinstance(overlay, RulePack):
            pack = overlay
        else:
            cache_key = json.dumps(overlay, sort_keys=True, default=str)
            cached = self._overlay_cache.get(cache_key)
            if cached is not None:
                return cached
            pack = parse_pack(dict(overlay), origin, is_overlay=True)
        registry = PackRegistry(list(self._packs.values()), [*self._overlays, pack])
        if not isinstance(overlay, RulePack):
            if len(self._overlay_cache) > 256:
                self._overlay_cache.clear()
            self._overlay_cache[cache_key] = registry
        return registry

    # -- lookup -----------------------------------------------------------------------------------------
    def known(self) -> list[str]:
        return sorted(self._packs)

    def get(self, jurisdiction: str) -> RulePack:
        return self._packs[jurisdiction]

    def listing(self) -> list[tuple[RulePack, bool]]:
        """Every pack in force: (pack, is_overlay), law packs first, by jurisdiction."""
        law = [(p, False) for _, p in sorted(self._packs.items())]
        return law + [(o, True) for o in sorted(self._overlays, key=lambda o: o.jurisdiction)]

    def normalize_jurisdiction(self, jurisdiction: str) -> str:
        """The pack key for a jurisdiction ("US-TX" -> "US" when Texas has no pack); BadInput if unknown."""
        value = (jurisdiction or "").strip().upper()
        if value in self._packs:
            return value
        country = value.split("-")[0]
        if "-" in value and country in self._packs and is_known_jurisdiction(value):
            return value
        raise BadInput(
            f"unknown jurisdiction {jurisdiction!r}; known: {', '.join(self.known())} "
            "(and US-<state>, e.g. US-TX)"
        )

    def resolve(self, jurisdiction: str, addresses: Sequence[Mapping[str, Any]] = ()) -> list[RulePack]:
        """Every pack that applies, parents first: "US-NY" with a Brooklyn address -> US, US-NY-NYC, overlays.

        A registry never changes and the answer reads only the jurisdiction and each address's country,
        region and city (``geo.place_key``), so it is remembered per registry under exactly those."""
        place = place_key(addresses) if type(jurisdiction) is str else None
        if place is None:
            return self._resolve(jurisdiction, addresses)
        key = (jurisdiction, place[0])
        found = self._resolved.get(key)
        if found is None:
            found = tuple(self._resolve(jurisdiction, addresses))
            self._resolved.put(key, found)
        return list(found)

    def _resolve(self, jurisdiction: str, addresses: Sequence[Mapping[str, Any]]) -> list[RulePack]:
        value = self.normalize_jurisdiction(jurisdiction)
        chain: list[str] = []
        key: str | None = value if value in self._packs else None
        if key is None:
            # A US state without its own pack: the federal pack, and the state's overlays if any.
            key = value.split("-")[0]
        while key is not None:
            chain.insert(0, key)
            key = self._packs[key].extends
        for pack in sorted(self._packs.values(), key=lambda p: p.jurisdiction):
            if pack.jurisdiction in chain or not pack.applies_to_cities:
                continue
            if pack.extends not in chain and pack.extends != value:
                continue
            # A city overlay refines a declared state ("US-NY" + a Brooklyn address), like a state overlay
            # ("US-MA") is chosen by the declared jurisdiction: a bare "US" means the federal rules only.
            state = value.split("-")[1] if value.count("-") >= 1 else None
            if pack.applies_to_regions and state not in pack.applies_to_regions:
                continue
            if self._city_matches(pack, addresses, value):
                chain.append(pack.jurisdiction)
        packs = [self._packs[k] for k in chain]
        packs.extend(o for o in self._overlays if o.jurisdiction in chain)
        return packs

    @staticmethod
    def _city_matches(pack: RulePack, addresses: Sequence[Mapping[str, Any]], jurisdiction: str) -> bool:
        country = pack.jurisdiction.split("-")[0]
        for address in addresses:
            addr_country, region = resolve_region(address, jurisdiction.split("-")[0])
            if addr_country != country:
                continue
            if pack.applies_to_regions and (region or "") not in pack.applies_to_regions:
                continue
            if normalize_name(address.get("city")) in pack.applies_to_cities:
                return True
        return False

    @staticmethod
    def versions(packs: Sequence[RulePack]) -> dict[str, str]:
        return {p.key: p.version for p in packs}

    @staticmethod
    def version_string(packs: Sequence[RulePack]) -> str:
        return "+".join(f"{p.key}@{p.version}" for p in packs)


def load_packs(extra_dir: Path | str | None = None) -> PackRegistry:
    """Built-in law packs, plus every ``*.json`` of ``extra_dir``: a file for a jurisdiction that already
    has a pack is an overlay (adds stricter rules); a file for a new jurisdiction is a new pack."""
    packs: list[RulePack] = []
    for path in sorted(BUILTIN_PACK_DIR.glob("*.json")):
        pack = load_pack_file(path)
        if path.stem != pack.jurisdiction:
            raise RulePackError(
                path.name, "$.jurisdiction", f"{pack.jurisdiction!r} does not match the file name"
            )
        packs.append(pack)
    overlays: list[RulePack] = []
    if extra_dir is not None:
        directory = Path(extra_dir)
        if not directory.is_dir():
            raise RulePackError(str(directory), "$", "extra rule-pack directory does not exist")
        known = {p.jurisdiction for p in packs}
        for path in sorted(directory.glob("*.json")):
            probe = load_pack_file(path)
            if probe.jurisdiction in known:
                overlays.append(load_pack_file(path, is_overlay=True, key=f"overlay:{path.stem}"))
            else:
                packs.append(probe)
                known.add(probe.jurisdiction)
    return PackRegistry(packs, overlays)
