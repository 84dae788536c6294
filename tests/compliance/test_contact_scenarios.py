"""Every labelled contact scenario (tests/compliance/corpus/contact_scenarios.json) answers as expected:
allowed or not, every expected code, and nextAllowedAt where the scenario states it. One test per scenario,
so `make test` names each scenario that goes wrong."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from asistente.compliance import load_packs

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = json.loads((ROOT / "tests/compliance/corpus/contact_scenarios.json").read_text("utf-8"))[
    "scenarios"
]


def _evaluator():
    spec = importlib.util.spec_from_file_location("compliance_eval", ROOT / "benchmarks/compliance_eval.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


EVAL = _evaluator()
PACKS = load_packs()


def test_all_scenarios_are_collected() -> None:
    assert len(SCENARIOS) >= 144
    assert len({s["id"] for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_contact_scenario(scenario: dict) -> None:
    ok, why = EVAL.run_scenario(PACKS, scenario)
    assert ok, f"{scenario['id']}: {why} ({scenario.get('note', '')})"


def test_a_wrong_expectation_is_reported() -> None:
    # The runner itself can fail: flip one scenario's expected answer and it must say so.
    flipped = json.loads(json.dumps(SCENARIOS[0]))
    flipped["expected"]["allowed"] = not flipped["expected"]["allowed"]
    ok, why = EVAL.run_scenario(PACKS, flipped)
    assert not ok and "allowed=" in why
