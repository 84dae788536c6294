"""Well-formedness of the labelled compliance corpus (issue 4, "Evidence").

These tests check the corpus files themselves (schema, unique ids, coverage and internal consistency of
labels); they do not run the compliance engine. The benchmarks score the engine against these files.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "compliance" / "corpus"
TEXTS = CORPUS / "texts.jsonl"
SCENARIOS = CORPUS / "contact_scenarios.json"
TEXT_SCHEMA = ROOT / "schema" / "corpus-text.schema.json"
SCENARIO_SCHEMA = ROOT / "schema" / "contact-scenario.schema.json"

CHANNELS = {"CALL", "SMS", "WHATSAPP", "EMAIL", "LETTER", "VOICEMAIL", "VISIT"}
TEXT_CODES = {
    "THREAT_OF_ARREST",
    "FALSE_LEGAL_THREAT",
    "FAKE_LEGAL_DOCUMENT",
    "IMPERSONATION",
    "HARASSMENT",
    "PUBLIC_SHAMING",
    "THIRD_PARTY_DISCLOSURE",
    "MISREPRESENTATION",
    "TIME_BARRED_THREAT",
    "ASKING_REASON",
    "PAYMENT_DESTINATION",
    "MISSING_IDENTIFICATION",
    "MISSING_DISCLOSURE",
    "MISSING_OPT_OUT",
    "VOICEMAIL_CONTENT",
}
BASE_JURISDICTIONS = {"MX", "CO", "CL", "PE", "ES", "AR", "US"}

MIN_TEXTS = 200
MIN_COMPLIANT_TEXTS = 90
MIN_SCENARIOS = 80
MIN_PER_CODE = 3
MIN_JURISDICTIONS = 6


def _load_texts() -> list[tuple[int, dict]]:
    rows = []
    with TEXTS.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            assert line.strip(), f"texts.jsonl line {lineno} is blank"
            rows.append((lineno, json.loads(line)))
    return rows


def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def texts() -> list[dict]:
    return [row for _, row in _load_texts()]


@pytest.fixture(scope="module")
def scenarios() -> list[dict]:
    return json.loads(SCENARIOS.read_text(encoding="utf-8"))["scenarios"]


# ---------------------------------------------------------------- schemas


def test_every_text_line_validates() -> None:
    validator = _validator(TEXT_SCHEMA)
    problems = []
    for lineno, row in _load_texts():
        for err in validator.iter_errors(row):
            problems.append(f"line {lineno} ({row.get('id')}): {'/'.join(map(str, err.path))}: {err.message}")
    assert not problems, "\n".join(problems[:20])


def test_scenario_file_validates() -> None:
    validator = _validator(SCENARIO_SCHEMA)
    doc = json.loads(SCENARIOS.read_text(encoding="utf-8"))
    problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(doc)]
    assert not problems, "\n".join(problems[:20])


# ---------------------------------------------------------------- ids and counts


def test_text_ids_unique_and_prefixed(texts: list[dict]) -> None:
    ids = Counter(t["id"] for t in texts)
    assert not [i for i, n in ids.items() if n > 1], "duplicate text ids"
    for t in texts:
        prefix = f"{t['jurisdiction'].lower()}-{t['channel'].lower()}-"
        assert t["id"].startswith(prefix), f"{t['id']} should start with {prefix}"


def test_scenario_ids_unique(scenarios: list[dict]) -> None:
    ids = Counter(s["id"] for s in scenarios)
    assert not [i for i, n in ids.items() if n > 1], "duplicate scenario ids"


def test_text_counts(texts: list[dict]) -> None:
    assert len(texts) >= MIN_TEXTS
    assert sum(1 for t in texts if not t["expected"]) >= MIN_COMPLIANT_TEXTS


def test_every_code_has_enough_positive_texts(texts: list[dict]) -> None:
    counts = Counter(code for t in texts for code in t["expected"])
    short = {code: counts.get(code, 0) for code in TEXT_CODES if counts.get(code, 0) < MIN_PER_CODE}
    assert not short, f"codes with fewer than {MIN_PER_CODE} positive texts: {short}"


def test_every_channel_appears(texts: list[dict]) -> None:
    assert {t["channel"] for t in texts} == CHANNELS
    # and every channel has at least one compliant and one non-compliant example
    for channel in CHANNELS:
        rows = [t for t in texts if t["channel"] == channel]
        assert any(not t["expected"] for t in rows), f"no compliant {channel} text"
        assert any(t["expected"] for t in rows), f"no non-compliant {channel} text"


def test_jurisdictions_and_languages(texts: list[dict], scenarios: list[dict]) -> None:
    text_jurs = {t["jurisdiction"].split("-")[0] for t in texts}
    scen_jurs = {s["jurisdiction"].split("-")[0] for s in scenarios}
    assert len(text_jurs) >= MIN_JURISDICTIONS and text_jurs >= BASE_JURISDICTIONS
    assert len(scen_jurs) >= MIN_JURISDICTIONS and scen_jurs >= BASE_JURISDICTIONS
    assert {t["language"] for t in texts} == {"es", "en"}


def test_scenario_count(scenarios: list[dict]) -> None:
    assert len(scenarios) >= MIN_SCENARIOS


# ---------------------------------------------------------------- label consistency (texts)


def test_jurisdiction_specific_text_codes(texts: list[dict]) -> None:
    for t in texts:
        codes = set(t["expected"])
        base = t["jurisdiction"].split("-")[0]
        if "ASKING_REASON" in codes:
            assert base == "CO", f"{t['id']}: CO-07 is Colombian only"
        if "MISSING_OPT_OUT" in codes:
            assert base == "US" and t["channel"] in {"EMAIL", "SMS"}, f"{t['id']}: US-07 is US e-mail/SMS"
        if "VOICEMAIL_CONTENT" in codes:
            assert base == "US" and t["channel"] == "VOICEMAIL", f"{t['id']}: US-08 is US voicemail"
        if "MISSING_DISCLOSURE" in codes:
            assert base == "US" and t["isFirstContact"], f"{t['id']}: US-06 labelled on first contact"
        if "MISSING_IDENTIFICATION" in codes:
            assert t["isFirstContact"] and t["channel"] in {"CALL", "LETTER"}, (
                f"{t['id']}: first CALL/LETTER only"
            )
        if "TIME_BARRED_THREAT" in codes:
            assert t["timeBarred"], f"{t['id']}: TIME_BARRED_THREAT needs timeBarred=true"


def test_us_texts_carry_required_opt_out_unless_labelled(texts: list[dict]) -> None:
    """A US e-mail or SMS is either labelled MISSING_OPT_OUT or contains opt-out wording."""
    for t in texts:
        us_electronic = t["jurisdiction"].startswith("US") and t["channel"] in {"EMAIL", "SMS"}
        if us_electronic and "MISSING_OPT_OUT" not in t["expected"]:
            assert "stop" in t["text"].lower() or "unsubscribe" in t["text"].lower(), t["id"]


def test_time_barred_pairs_exist(texts: list[dict]) -> None:
    """Each time-barred threat has the identical sentence with timeBarred=false labelled compliant."""
    compliant_unbarred = {t["text"] for t in texts if not t["timeBarred"] and not t["expected"]}
    barred = [t for t in texts if "TIME_BARRED_THREAT" in t["expected"]]
    paired = [t for t in barred if t["text"] in compliant_unbarred]
    assert len(paired) >= 3


def test_asking_reason_pairs_exist(texts: list[dict]) -> None:
    """The same question is a violation in CO and compliant elsewhere."""
    co = {t["text"] for t in texts if "ASKING_REASON" in t["expected"]}
    elsewhere = {t["text"] for t in texts if t["jurisdiction"] != "CO" and not t["expected"]}
    assert co & elsewhere


# ---------------------------------------------------------------- label consistency (scenarios)


def test_scenario_expectations_consistent(scenarios: list[dict]) -> None:
    for s in scenarios:
        exp = s["expected"]
        at = _instant(s["at"])
        assert exp["allowed"] == (not exp["codes"]), s["id"]
        nxt = exp.get("nextAllowedAt")
        if nxt is not None:
            assert _instant(nxt) > at, f"{s['id']}: nextAllowedAt must be after 'at'"
        for h in s["history"]:
            assert _instant(h["at"]) < at, f"{s['id']}: history must precede 'at'"
        if s["channel"] == "EMAIL" and s.get("destination"):
            assert s["destination"] in {e["address"] for e in s["debtor"]["emails"]}, s["id"]


def test_scenario_themes_covered(scenarios: list[dict]) -> None:
    codes = Counter(c for s in scenarios for c in s["expected"]["codes"])
    for code in (
        "CONTACT_HOURS",
        "CONTACT_DAY",
        "CONTACT_FREQUENCY",
        "CHANNEL_NOT_AUTHORIZED",
        "CHANNEL_OPTED_OUT",
        "CEASE_CONTACT",
        "ATTORNEY_REPRESENTED",
        "LITIGATION_HOLD",
        "CONTACT_MINOR",
        "THIRD_PARTY_DISCLOSURE",
        "WORK_EMAIL",
        "MISSING_CONTACT_DATA",
    ):
        assert codes[code] >= 1, f"no scenario for {code}"
    assert sum(1 for s in scenarios if s["expected"]["allowed"]) >= 30
    assert sum(1 for s in scenarios if "nextAllowedAt" in s["expected"]) >= 40
    jurs = {s["jurisdiction"] for s in scenarios}
    assert {"US-MA", "US-NY"} <= jurs


# ---------------------------------------------------------------- real-material sets (issue 9)

REAL_SETS = ("real1", "real2", "real3", "real4", "real5", "real6", "real7", "real8", "real9", "train_real")
SOURCE_KINDS = {"regulator", "court", "news", "docket", "model-letter", "practitioner", "complaint"}


@pytest.mark.parametrize("folder", REAL_SETS)
def test_real_material_set_validates(folder: str) -> None:
    path = CORPUS / folder / "texts.jsonl"
    if not path.exists():
        pytest.skip(f"{folder} not committed yet")
    validator = _validator(TEXT_SCHEMA)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    problems = []
    ids = Counter(r["id"] for r in rows)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for r in rows:
        rid = r["id"]
        if not rid.startswith(f"{folder}-"):
            problems.append(f"{rid}: id must start with {folder}-")
        for err in validator.iter_errors({**r, "id": rid.removeprefix(f"{folder}-")}):
            problems.append(f"{rid}: {'/'.join(map(str, err.path))}: {err.message}")
        if r.get("sourceKind") not in SOURCE_KINDS or not r.get("source", "").startswith("http"):
            problems.append(f"{rid}: a real-material text names its source URL and kind")
        if "derived" not in r or "excerpt" not in r:
            problems.append(f"{rid}: derived and excerpt are stated explicitly")
    assert not problems, "\n".join(problems[:20])
    assert sum(1 for r in rows if r["expected"]) and sum(1 for r in rows if not r["expected"])
