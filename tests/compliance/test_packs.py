"""Rule packs: the built-in packs load, broken packs fail naming file + JSON path + reason, overlays only add."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asistente.compliance.packs import (
    BUILTIN_PACK_DIR,
    PackRegistry,
    RulePackError,
    load_packs,
    parse_pack,
    schema_path,
)
from asistente.enums import ViolationCode
from asistente.errors import BadInput

EXPECTED = {"MX", "CO", "CL", "PE", "ES", "AR", "US", "US-MA", "US-NY-NYC"}


@pytest.fixture(scope="module")
def registry() -> PackRegistry:
    return load_packs()


def minimal_pack(**rule_overrides: object) -> dict:
    rule = {
        "id": "T-01",
        "kind": "frequency",
        "code": "CONTACT_FREQUENCY",
        "source": "Test law art. 1",
        "parameters": {"max": 1, "period": "local_day"},
    }
    rule.update(rule_overrides)
    return {"jurisdiction": "ES", "version": "t1", "name": "test", "rules": [rule]}


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return tmp_path


def test_every_jurisdiction_has_a_pack(registry: PackRegistry) -> None:
    assert set(registry.known()) == EXPECTED


def test_every_rule_has_a_source_a_known_code_and_unique_id(registry: PackRegistry) -> None:
    ids: set[str] = set()
    for j in registry.known():
        pack = registry.get(j)
        assert pack.version and pack.name
        for rule in pack.rules:
            assert len(rule.source) > 5, rule.id
            assert isinstance(rule.code, ViolationCode)
            assert rule.id not in ids
            ids.add(rule.id)


def test_verify_notes_from_the_research_are_carried(registry: PackRegistry) -> None:
    rules = {r.id: r for j in registry.known() for r in registry.get(j).rules}
    assert "rolling" in (rules["CO-04"].verify or "")
    assert "days apart" in (rules["CL-04"].verify or "")
    assert rules["MX-08.2"].severity == "warning" and rules["MX-08.2"].verify
    assert "postponed" in (rules["US-NY-NYC-01"].verify or "")


def test_research_numbers_are_in_the_packs(registry: PackRegistry) -> None:
    rules = {r.id: r for j in registry.known() for r in registry.get(j).rules}
    assert rules["MX-01"].parameters["windows"] == [
        {"days": ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"], "start": "07:00", "end": "22:00"}
    ]
    assert rules["US-02"].parameters["max"] == 7
    assert rules["US-03"].parameters["days"] == 7
    assert rules["US-MA-01"].parameters["max"] == 2
    assert rules["US-NY-NYC-01"].parameters["max"] == 3
    assert rules["CL-03"].parameters["max"] == 1
    assert rules["CL-04"].parameters["max"] == 2
    assert rules["CO-03"].parameters == {
        **rules["CO-03"].parameters,
        "max": 1,
        "period": "local_day",
    }


def test_schema_code_enum_matches_violation_code() -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert set(schema["$defs"]["code"]["enum"]) == {c.value for c in ViolationCode}


def test_pack_files_are_named_after_their_jurisdiction() -> None:
    for path in BUILTIN_PACK_DIR.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["jurisdiction"] == path.stem


@pytest.mark.parametrize(
    ("overrides", "path", "reason"),
    [
        (
            {"parameters": {"max": "seven", "period": "local_day"}},
            "$.rules[0].parameters.max",
            "is not of type 'integer'",
        ),
        ({"source": None}, "$.rules[0].source", "None is not of type 'string'"),
        ({"code": "BEING_RUDE"}, "$.rules[0].code", "'BEING_RUDE' is not one of"),
        ({"kind": "teleport"}, "$.rules[0].kind", "'teleport' is not one of"),
        ({"channels": ["FAX"]}, "$.rules[0].channels[0]", "'FAX' is not one of"),
        ({"code": "HARASSMENT"}, "$.rules[0].code", "does not fit kind 'frequency'"),
        ({"parameters": {"max": 1, "period": "rolling_days"}}, "$.rules[0].parameters", "needs 'days'"),
        (
            {"parameters": {"max": 1, "period": "local_day", "maxx": 2}},
            "$.rules[0].parameters",
            "'maxx' was unexpected",
        ),
    ],
)
def test_broken_pack_names_file_path_and_reason(
    tmp_path: Path, overrides: dict, path: str, reason: str
) -> None:
    data = minimal_pack(**overrides)
    if overrides.get("source", "x") is None:
        del data["rules"][0]["source"]
        path, reason = "$.rules[0]", "'source' is a required property"
    write(tmp_path, "broken.json", data)
    with pytest.raises(RulePackError) as info:
        load_packs(tmp_path)
    err = info.value
    assert err.file == "broken.json"
    assert err.path == path
    assert reason in err.reason
    assert str(err).startswith(f"broken.json: {path}: ")


def test_invalid_json_names_line(tmp_path: Path) -> None:
    write(tmp_path, "bad.json", '{"jurisdiction": "ES",\n "rules": [}')
    with pytest.raises(RulePackError, match=r"bad\.json: \$: invalid JSON at line 2"):
        load_packs(tmp_path)


def test_window_that_ends_before_it_starts_is_rejected(tmp_path: Path) -> None:
    data = minimal_pack(
        kind="contact_window",
        code="CONTACT_HOURS",
        parameters={"windows": [{"days": ["MON"], "start": "21:00", "end": "09:00"}]},
    )
    write(tmp_path, "w.json", data)
    with pytest.raises(
        RulePackError, match=r"w\.json: \$\.rules\[0\]\.parameters\.windows\[0\]: start 21:00"
    ):
        load_packs(tmp_path)


def test_duplicate_rule_id_rejected() -> None:
    data = minimal_pack()
    data["rules"].append(dict(data["rules"][0]))
    with pytest.raises(RulePackError, match=r"\$\.rules\[1\]\.id: duplicate rule id 'T-01'"):
        parse_pack(data, "dup.json")


def test_missing_top_level_field() -> None:
    data = minimal_pack()
    del data["version"]
    with pytest.raises(RulePackError, match=r"x\.json: \$: 'version' is a required property"):
        parse_pack(data, "x.json")


def test_extra_dir_overlay_adds_a_binding_window_for_spain(tmp_path: Path) -> None:
    data = minimal_pack(
        id="ACME-ES-01",
        kind="contact_window",
        code="CONTACT_HOURS",
        source="Política interna ACME",
        parameters={
            "windows": [{"days": ["MON", "TUE", "WED", "THU", "FRI"], "start": "09:00", "end": "21:00"}]
        },
    )
    write(tmp_path, "acme-es.json", data)
    reg = load_packs(tmp_path)
    packs = reg.resolve("ES")
    assert [p.key for p in packs] == ["ES", "overlay:acme-es"]
    assert any(r.id == "ACME-ES-01" for r in packs[1].rules)


def test_overlay_cannot_replace_a_law_rule(registry: PackRegistry) -> None:
    overlay = minimal_pack(id="ES-01")
    with pytest.raises(RulePackError, match="cannot replace or loosen"):
        registry.with_overlay(overlay)


def test_overlay_for_unknown_jurisdiction_rejected(registry: PackRegistry) -> None:
    overlay = minimal_pack()
    overlay["jurisdiction"] = "FR"
    with pytest.raises(RulePackError, match="unknown jurisdiction 'FR'"):
        registry.with_overlay(overlay)


def test_bad_tenant_overlay_is_bad_input(registry: PackRegistry) -> None:
    with pytest.raises(BadInput, match=r"tenant overlay: \$\.rules\[0\]\.parameters\.max"):
        registry.with_overlay(minimal_pack(parameters={"max": 0, "period": "local_day"}))


def test_tenant_overlay_is_applied_and_cached(registry: PackRegistry) -> None:
    overlay = minimal_pack(id="ACME-1")
    a = registry.with_overlay(overlay)
    b = registry.with_overlay(overlay)
    assert a is b
    assert [p.key for p in a.resolve("ES")] == ["ES", "tenant:ES"]
    assert [p.key for p in registry.resolve("ES")] == ["ES"]  # the original is untouched


def test_a_new_jurisdiction_in_extra_dir_is_a_new_pack(tmp_path: Path) -> None:
    data = minimal_pack()
    data["jurisdiction"] = "US-CA"
    data["extends"] = "US"
    write(tmp_path, "us-ca.json", data)
    reg = load_packs(tmp_path)
    assert [p.jurisdiction for p in reg.resolve("US-CA")] == ["US", "US-CA"]


def test_unknown_jurisdiction_names_value_and_known(registry: PackRegistry) -> None:
    with pytest.raises(BadInput) as info:
        registry.resolve("XX")
    assert "'XX'" in str(info.value) and "MX" in str(info.value) and "US-MA" in str(info.value)
    with pytest.raises(BadInput, match="US-ZZ"):
        registry.resolve("US-ZZ")


def test_state_without_pack_falls_back_to_federal(registry: PackRegistry) -> None:
    assert [p.jurisdiction for p in registry.resolve("US-TX")] == ["US"]
    assert [p.jurisdiction for p in registry.resolve("us-ma")] == ["US", "US-MA"]


def test_nyc_overlay_applies_by_city(registry: PackRegistry) -> None:
    brooklyn = [{"city": "Brooklyn", "region": "NY", "country": "US"}]
    buffalo = [{"city": "Buffalo", "region": "NY", "country": "US"}]
    other_state = [{"city": "Queens", "region": "TX", "country": "US"}]
    assert [p.jurisdiction for p in registry.resolve("US-NY", brooklyn)] == ["US", "US-NY-NYC"]
    assert [p.jurisdiction for p in registry.resolve("US-NY", buffalo)] == ["US"]
    assert [p.jurisdiction for p in registry.resolve("US-TX", other_state)] == ["US"]
    assert [p.jurisdiction for p in registry.resolve("US-NY-NYC")] == ["US", "US-NY-NYC"]
    # Like the Massachusetts overlay, the city overlay follows the declared jurisdiction: a bare "US" is the
    # federal rules only (an undeclared jurisdiction is inferred as "US-NY" from the address).
    assert [p.jurisdiction for p in registry.resolve("US", brooklyn)] == ["US"]


def test_rule_pack_error_is_bad_input() -> None:
    assert issubclass(RulePackError, BadInput)
