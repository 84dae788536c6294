"""A versioned data file whose content changes without a new `version` fails here (see tests/data_versions.py
for the manifest and the documented update step)."""

from __future__ import annotations

from tests import data_versions as dv


def test_every_versioned_data_file_matches_its_recorded_version_and_hash():
    found = dv.problems(dv.current(), dv.recorded())
    assert found == [], "\n".join(found)


def test_the_manifest_covers_every_kind_of_versioned_data():
    names = set(dv.current())
    for prefix in (
        "compliance/lexicon/es.json",
        "compliance/lexicon/en.json",
        "compliance/lexicon/text-model.json",
        "compliance/packs/MX.json",
        "objections/playbooks/MX.json",
        "objections/data/classifier-model.json",
        "agreements/policies/default.json",
    ):
        assert prefix in names


def test_a_content_change_under_the_same_version_is_caught_and_a_bump_is_named():
    now = dv.current()
    name = "compliance/lexicon/es.json"
    edited = {**now, name: {**now[name], "sha256": "0" * 64}}
    [problem] = dv.problems(edited, now)
    assert problem.startswith(name) and "bump `version`" in problem
    bumped = {**now, name: {"version": "9999.1", "sha256": "0" * 64}}
    [problem] = dv.problems(bumped, now)
    assert "not recorded" in problem
    assert dv.problems(now, now) == []


def test_hash_ignores_layout_but_not_values():
    a = {"version": "1", "entries": [{"id": "x", "pattern": "cárcel"}]}
    b = {"entries": [{"pattern": "cárcel", "id": "x"}], "version": "1"}
    assert dv.content_hash(a) == dv.content_hash(b)
    assert dv.content_hash(a) != dv.content_hash({**a, "entries": [{"id": "x", "pattern": "carcel"}]})
    assert dv.version_of([{"version": "b"}, {"version": "a"}, {"version": "a"}]) == "a+b"
    assert dv.version_of({"entries": []}) is None
