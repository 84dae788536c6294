"""Well-formedness of the objection blind sets (issue 16, "Data and evaluation").

These tests check the labelled files themselves (schema, unique ids, category enum, coverage); they do not
run the classifier. The benchmarks score the classifier against these files, once per set.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "objections" / "blind"
SCHEMA = ROOT / "schema" / "objection-utterance.schema.json"

CATEGORIES = {
    "NO_MONEY",
    "HARDSHIP",
    "ALREADY_PAID",
    "DISPUTE",
    "REQUEST_VALIDATION",
    "SEND_IN_WRITING",
    "CALL_LATER",
    "PROMISE_TO_PAY",
    "DISCOUNT_OR_PLAN",
    "INTEREST_FEES",
    "CONSEQUENCES",
    "BANKRUPTCY_OR_LAWYER",
    "WRONG_PARTY",
    "REFUSAL",
    "NONE",
}
LOCALES = {"MX", "CO", "CL", "PE", "AR", "ES", "US-es", "US-en"}

BOUNDARY_FOCUS = {
    "NO_MONEY",
    "HARDSHIP",
    "DISPUTE",
    "WRONG_PARTY",
    "REQUEST_VALIDATION",
    "ALREADY_PAID",
    "REFUSAL",
    "CONSEQUENCES",
    "PROMISE_TO_PAY",
    "DISCOUNT_OR_PLAN",
    "CALL_LATER",
}

REAL4_MIN_LINES = 120
# PROMISE_TO_PAY: no published promise-to-pay turn was found in pages the earlier sets had not cited.
REAL4_MIN_PER_CATEGORY: dict[str, int] = {c: 2 for c in CATEGORIES if c != "PROMISE_TO_PAY"}
REAL4_LOCALES = {"MX", "CO", "CL", "PE", "AR", "ES", "US-es", "US-en"}

REAL5_MIN_LINES = 120
# PROMISE_TO_PAY holds 3 lines (published promises stay rare); every other category has 5 or more.
REAL5_MIN_PER_CATEGORY: dict[str, int] = {c: 3 for c in CATEGORIES}

REAL6_MIN_LINES = 50
REAL6_LOCALES = {"MX", "CO", "CL", "ES", "US-es", "US-en"}

REAL7_MIN_LINES = 120
# real7 comes from CFPB complaint narratives only: English, US. Floors are what the set holds: no CONSEQUENCES turn
# was reported in the narratives, PROMISE_TO_PAY holds 1 line, HARDSHIP/INTEREST_FEES/BANKRUPTCY_OR_LAWYER 2 each.
REAL7_MIN_PER_CATEGORY: dict[str, int] = {
    **{
        c: 5
        for c in CATEGORIES
        if c not in {"CONSEQUENCES", "PROMISE_TO_PAY", "HARDSHIP", "INTEREST_FEES", "BANKRUPTCY_OR_LAWYER"}
    },
    "PROMISE_TO_PAY": 1,
    "HARDSHIP": 2,
    "INTEREST_FEES": 2,
    "BANKRUPTCY_OR_LAWYER": 2,
}

REAL8_MIN_LINES = 60
# real8: debtors' turns from sources no tracked file cites (two further public samples of the CFPB Consumer Complaint
# Database in GitHub repositories, court rulings, news, regulator and advice pages), collected by an independent author
# on 2026-12-07; not measured yet. No CALL_LATER or PROMISE_TO_PAY turn was found on uncited pages; floors are what the
# set holds (see the README).
REAL8_MIN_PER_CATEGORY: dict[str, int] = {
    **{c: 1 for c in CATEGORIES if c not in {"CALL_LATER", "PROMISE_TO_PAY"}},
    "DISPUTE": 5,
    "REQUEST_VALIDATION": 5,
    "HARDSHIP": 5,
}

# Per set: id prefix, minimum lines, minimum lines per category, minimum share of English, locales that must
# all appear, whether an authored set ("written: ...") or a set quoted from public material (URL source).
SETS = {
    "blind1.jsonl": {
        "prefix": "b1",
        "min_lines": 300,
        "min_per_category": {c: 30 if c == "NONE" else 15 for c in CATEGORIES},
        "min_english": 0.20,
        "locales": LOCALES,
        "authored": True,
    },
    "real1.jsonl": {
        "prefix": "r1",
        "min_lines": 150,
        "min_per_category": {c: 4 for c in CATEGORIES},
        "min_english": 0.20,
        "locales": LOCALES,
        "authored": False,
    },
    # real2: quoted from sources real1 did not use. PROMISE_TO_PAY turns are rarely published (1 found), so the
    # per-category floor is 1 there and 4 elsewhere; Spanish must be at least 40% of the lines.
    "real2.jsonl": {
        "prefix": "r2",
        "min_lines": 100,
        "min_per_category": {c: 1 if c == "PROMISE_TO_PAY" else 4 for c in CATEGORIES},
        "min_english": 0.20,
        "min_spanish": 0.40,
        "locales": LOCALES,
        "authored": False,
    },
    # real3: quoted from public material that no earlier real set used (no source URL of real1/real2 reused).
    # Debtors rarely publish the words of a promise to pay, so PROMISE_TO_PAY has a floor of 3 and every other
    # category a floor of 6; Spanish must be at least 40% of the lines.
    "real3.jsonl": {
        "prefix": "r3",
        "min_lines": 150,
        "min_per_category": {c: 3 if c == "PROMISE_TO_PAY" else 6 for c in CATEGORIES},
        "min_english": 0.20,
        "min_spanish": 0.40,
        "locales": LOCALES,
        "authored": False,
    },
    # real4: quoted from public material that no earlier set cites (no source URL of tests/objections/ or
    # tests/compliance/corpus/ reused). Most search hits were pages the earlier sets had already used, so some
    # categories are thin and PROMISE_TO_PAY has no line; the floors below are what it holds (see the README).
    "real4.jsonl": {
        "prefix": "r4",
        "min_lines": REAL4_MIN_LINES,
        "min_per_category": REAL4_MIN_PER_CATEGORY,
        "min_english": 0.20,
        "min_spanish": 0.40,
        "locales": REAL4_LOCALES,
        "authored": False,
    },
    # real5: quoted, closely rebuilt or (advice) put in the debtor's mouth from public material that no file under
    # tests/objections/ or tests/compliance/corpus/ cites (no source URL reused; checked against all of them), collected
    # by an independent author on 2026-12-07. Floors are what the set holds (see the README); not measured yet.
    "real5.jsonl": {
        "prefix": "r5",
        "min_lines": REAL5_MIN_LINES,
        "min_per_category": REAL5_MIN_PER_CATEGORY,
        "min_english": 0.20,
        "min_spanish": 0.40,
        "locales": LOCALES,
        "authored": False,
    },
    # real6: quoted, closely rebuilt or (advice) put in the debtor's mouth from public material that no file under
    # tests/ cites (no source URL reused), collected by an independent author on 2026-12-07. Sources citing debtors
    # are nearly exhausted by the earlier sets, so the set is small and mostly US English: every category has at least
    # one line, PE and AR have none (see the README). Floors are what the set holds; not measured yet.
    "real6.jsonl": {
        "prefix": "r6",
        "min_lines": REAL6_MIN_LINES,
        # r6-042 (the only BANKRUPTCY_OR_LAWYER line) was removed before measurement: its page is in training (b11).
        "min_per_category": {c: 1 for c in CATEGORIES if c != "BANKRUPTCY_OR_LAWYER"},
        "min_english": 0.20,
        "locales": REAL6_LOCALES,
        "authored": False,
    },
    # real7: debtors' own words to collectors as quoted or reported in CFPB consumer complaint narratives (two public
    # samples of the Consumer Complaint Database in GitHub repositories), put in direct speech with the least change.
    # Collected by an independent author on 2026-12-07; not measured yet. All US English (no Spanish narrative found).
    "real7.jsonl": {
        "prefix": "r7",
        "min_lines": REAL7_MIN_LINES,
        "min_per_category": REAL7_MIN_PER_CATEGORY,
        "min_english": 1.0,
        "locales": {"US-en"},
        "authored": False,
    },
    # real8: see REAL8_MIN_PER_CATEGORY above. Spanish is over half of the lines; every locale appears.
    "real8.jsonl": {
        "prefix": "r8",
        "min_lines": REAL8_MIN_LINES,
        "min_per_category": REAL8_MIN_PER_CATEGORY,
        "min_english": 0.20,
        "min_spanish": 0.50,
        "locales": LOCALES,
        "authored": False,
    },
    # blind3: written in live-call transcript style by a second independent author; every category between 10 and 19
    # lines so no category dominates the score.
    "blind3.jsonl": {
        "prefix": "b3",
        "min_lines": 200,
        "min_per_category": {c: 10 for c in CATEGORIES},
        "max_per_category": 19,
        "min_english": 0.20,
        "locales": LOCALES,
        "authored": True,
    },
    "blind2.jsonl": {
        "prefix": "b2",
        "min_lines": 150,
        "min_per_category": {c: 10 for c in BOUNDARY_FOCUS},
        "min_english": 0.20,
        "locales": LOCALES,
        "authored": True,
    },
}


def _load(name: str) -> list[tuple[int, dict]]:
    rows = []
    with (BLIND / name).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            assert line.strip(), f"{name} line {lineno} is blank"
            rows.append((lineno, json.loads(line)))
    return rows


def _norm(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9ñ]+", " ", letters).strip()


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_schema_category_enum_matches_the_api_enum() -> None:
    from asistente.enums import ObjectionCategory

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert set(schema["$defs"]["ObjectionCategory"]["enum"]) == CATEGORIES
    assert {member.value for member in ObjectionCategory} == CATEGORIES


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_line_matches_the_schema(name: str, validator: Draft202012Validator) -> None:
    problems = []
    for lineno, row in _load(name):
        for error in validator.iter_errors(row):
            path = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{name}:{lineno} {path}: {error.message}")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("name", sorted(SETS))
def test_labels_are_consistent(name: str) -> None:
    spec = SETS[name]
    problems = []
    for lineno, row in _load(name):
        if not row["id"].startswith(spec["prefix"] + "-"):
            problems.append(f"{name}:{lineno} id {row['id']} does not start with {spec['prefix']}-")
        if row["category"] not in CATEGORIES:
            problems.append(f"{name}:{lineno} category {row['category']!r} not in ObjectionCategory")
        secondary = row.get("secondary")
        if secondary is not None and (secondary == row["category"] or secondary == "NONE"):
            problems.append(f"{name}:{lineno} secondary {secondary} repeats the category or is NONE")
        if secondary is not None and row["category"] == "NONE":
            problems.append(f"{name}:{lineno} a NONE line cannot carry a secondary intent")
        expected_language = "en" if row["locale"] == "US-en" else "es"
        if row["language"] != expected_language:
            problems.append(f"{name}:{lineno} language {row['language']} does not fit locale {row['locale']}")
        if not spec["authored"] and not re.match(r"^https?://\S+$", row["source"]):
            problems.append(f"{name}:{lineno} source is not a URL: {row['source']!r}")
        if not spec["authored"] and "note" not in row:
            problems.append(
                f"{name}:{lineno} a quoted line needs a note saying how it was trimmed or attributed"
            )
        if spec["authored"] and not row["source"].startswith("written:"):
            problems.append(f"{name}:{lineno} an authored line's source must start with 'written:'")
    assert not problems, "\n".join(problems[:20])


def test_ids_are_unique_across_all_sets() -> None:
    ids = Counter(row["id"] for name in SETS for _, row in _load(name))
    duplicated = sorted(key for key, count in ids.items() if count > 1)
    assert not duplicated, duplicated


def test_no_text_appears_twice() -> None:
    """Within a file no text repeats; across the authored sets neither (a real quote may equal a written line)."""
    duplicated = []
    authored: dict[str, str] = {}
    for name, spec in SETS.items():
        seen: dict[str, str] = {}
        for _, row in _load(name):
            key = _norm(row["text"])
            if key in seen:
                duplicated.append(f"{row['id']} repeats {seen[key]}: {row['text']!r}")
            seen.setdefault(key, row["id"])
            if spec["authored"]:
                if key in authored and authored[key] != row["id"] and authored[key][:2] != row["id"][:2]:
                    duplicated.append(f"{row['id']} repeats {authored[key]}: {row['text']!r}")
                authored.setdefault(key, row["id"])
    assert not duplicated, "\n".join(duplicated[:20])


@pytest.mark.parametrize("name", sorted(SETS))
def test_minimum_counts(name: str) -> None:
    spec = SETS[name]
    rows = [row for _, row in _load(name)]
    assert len(rows) >= spec["min_lines"], f"{name}: {len(rows)} lines < {spec['min_lines']}"
    per_category = Counter(row["category"] for row in rows)
    minimum = spec["min_per_category"]
    short = {c: per_category.get(c, 0) for c in sorted(minimum) if per_category.get(c, 0) < minimum[c]}
    assert not short, f"{name}: categories below their minimum: {short}"
    if "max_per_category" in spec:
        big = {c: n for c, n in sorted(per_category.items()) if n > spec["max_per_category"]}
        assert not big, f"{name}: categories above the maximum {spec['max_per_category']}: {big}"
    locales = {row["locale"] for row in rows}
    assert spec["locales"] <= locales, f"{name}: missing locales {sorted(spec['locales'] - locales)}"
    english = sum(1 for row in rows if row["language"] == "en") / len(rows)
    assert english >= spec["min_english"], f"{name}: English share {english:.2f} < {spec['min_english']}"
    spanish = 1 - english
    assert spanish >= spec.get("min_spanish", 0.0), (
        f"{name}: Spanish share {spanish:.2f} < {spec['min_spanish']}"
    )


def test_every_set_file_on_disk_is_checked() -> None:
    on_disk = {path.name for path in BLIND.glob("*.jsonl")}
    assert on_disk == set(SETS), f"unchecked or missing set files: {sorted(on_disk ^ set(SETS))}"
