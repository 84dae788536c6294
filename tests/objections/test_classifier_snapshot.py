"""The classifier answers exactly as the frozen snapshot (classifier-snapshot.json.gz, written by
make_classifier_snapshot.py before the inference speed-ups): for every labelled utterance of the repository
(corpus and blind sets), their all-caps and accent-free variants and generated hard inputs (empty, emoji,
the 2,000-character limit, 10,000 characters...), the same category, the same alternatives in the same
order, confidences and every category's probability within 1e-9, the same language, the same errors."""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from asistente.errors import BadInput
from asistente.objections.classifier import MODEL_FILE, Classifier, default_classifier
from asistente.objections.features import clause_texts, features_of, vectorise
from asistente.objections.normalize import load_normalizer

from .make_classifier_snapshot import SNAPSHOT, cases

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def snapshot() -> dict:
    return json.loads(gzip.decompress(SNAPSHOT.read_bytes()))


def test_snapshot_covers_every_labelled_utterance_and_hard_input(snapshot):
    assert [r["text"] for r in snapshot["rows"]] == cases()
    assert snapshot["model"] == default_classifier().version
    assert sum("error" in r for r in snapshot["rows"]) >= 4  # empty, blank, over the limit


def test_classifier_answers_as_the_snapshot(snapshot):
    clf = default_classifier()
    assert [c.value for c in clf.categories] == snapshot["categories"]
    rows = snapshot["rows"]
    for row in rows:
        text = row["text"]
        if "error" in row:
            with pytest.raises(BadInput) as caught:
                clf.classify(text)
            assert str(caught.value) == row["error"]
            continue
        r = clf.classify(text)
        where = f"{text[:80]!r}"
        assert r.category.value == row["category"], where
        assert r.confidence == pytest.approx(row["confidence"], abs=TOLERANCE), where
        assert [c.value for c, _ in r.alternatives] == [c for c, _ in row["alternatives"]], where
        for (_, p), (_, q) in zip(r.alternatives, row["alternatives"], strict=True):
            assert p == pytest.approx(q, abs=TOLERANCE), where
        assert (r.language, r.version) == (row["language"], row["version"]), where
        expected = row["distribution"]
        if isinstance(expected, int):
            expected = rows[expected]["distribution"]
        got = list(clf.distribution(text).values())
        assert len(got) == len(expected), where
        assert max((abs(a - b) for a, b in zip(got, expected, strict=True)), default=0.0) <= TOLERANCE, where


def _reference_logits(model: dict, words: list[str], classes=None) -> list[float]:
    """The scores as the trainer defines them: `features_of` + `vectorise`, each (feature, category) weight
    of the model file times the feature's value, added to the intercepts."""
    categories = model["categories"]
    idf = dict(zip(model["vocabulary"], model["idf"], strict=True))
    z = [float(b) for b in model["intercepts"]]
    vec = vectorise(features_of(words, classes), idf)
    for i, c in enumerate(categories):
        coef = model["coef"][c]
        z[i] += sum(coef.get(f, 0.0) * v for f, v in vec.items())
    return z


@pytest.fixture(scope="module")
def model() -> dict:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def test_fast_scores_equal_the_trainers_definition(model):
    """Independent of the snapshot: the inference tables (dense rows, block sums) score every labelled
    utterance, its clauses and the hard inputs as features_of + vectorise + the model's weights do."""
    clf = default_classifier()
    tokens = clf.normalizer.tokens
    texts = [t for t in cases() if t.strip()]
    checked = 0
    for text in texts[::3]:
        for words in (tokens(text), *(tokens(c) for c in clause_texts(text))):
            got, want = clf._logits(words), _reference_logits(model, words)
            assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= TOLERANCE, text[:80]
            checked += 1
    assert checked > 2000


def test_the_word_class_path_scores_as_the_trainer_defines(model):
    """With word classes (the data tried for 2026.12.7, not shipped) the classifier takes the general path;
    its (category, weight) pairs, now derived from the dense rows, give the trainer's scores."""
    tried = load_normalizer(
        Path(__file__).parents[2] / "benchmarks" / "objection-normalization-wordclasses.json"
    )
    normalizer = replace(load_normalizer(), word_classes=tried.word_classes)
    clf = Classifier(model, normalizer)
    t = clf.temperature
    for text in ("no le voy a pagar nada, me corrieron de la chamba", "I will not pay", "ya pagué wey", "ok"):
        words = normalizer.tokens(text)
        z = _reference_logits(model, words, normalizer.word_classes)
        top = max(z)
        e = [math.exp((v - top) / t) for v in z]
        want = [v / sum(e) for v in e]
        got = clf.probabilities(words)
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= TOLERANCE, text
