"""The labelled corpus the classifier is trained on: well-formed, big enough, across categories and locales."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from asistente.enums import ObjectionCategory
from asistente.schemas import schema_errors
from asistente.textfold import fold

CORPUS = Path(__file__).parent / "corpus"
LOCALES = {"MX", "CO", "CL", "PE", "AR", "ES", "US-es", "US-en"}


def _rows() -> list[tuple[str, int, dict]]:
    return [
        (path.name, i, json.loads(line))
        for path in sorted(CORPUS.glob("*.jsonl"))
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip()
    ]


def test_every_turn_matches_the_schema():
    rows = _rows()
    problems = [(f, i, schema_errors("objection-utterance.schema.json", r)) for f, i, r in rows]
    assert [p for p in problems if p[2]] == []


def test_size_categories_and_locales():
    rows = [r for _, _, r in _rows()]
    assert len(rows) >= 1500
    by_category = Counter(r["category"] for r in rows)
    assert set(by_category) == {c.value for c in ObjectionCategory}
    assert min(by_category.values()) >= 60, by_category
    assert {r["locale"] for r in rows} >= LOCALES
    for locale in LOCALES:
        cats = {r["category"] for r in rows if r["locale"] == locale}
        assert len(cats) == len(ObjectionCategory), (locale, set(ObjectionCategory) - cats)
    assert {r["register"] for r in rows if r["locale"] == "AR"} >= {"VOS"}
    assert sum(1 for r in rows if r.get("secondary")) >= 50


def test_ids_and_texts_are_unique_and_every_turn_names_its_source():
    rows = _rows()
    ids = Counter((f, r["id"]) for f, _, r in rows)
    assert [k for k, n in ids.items() if n > 1] == []
    texts = Counter(" ".join(fold(r["text"]).split()) for _, _, r in rows)
    assert [t for t, n in texts.items() if n > 1] == []
    assert all(r["source"].strip() for _, _, r in rows)
    assert all(r.get("secondary") != r["category"] for _, _, r in rows)


def test_language_follows_locale():
    for _, _, r in _rows():
        assert r["language"] == ("en" if r["locale"].endswith("-en") else "es"), r
