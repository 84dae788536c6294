"""The classifier answers exactly as the frozen snapshot (classifier-snapshot.json.gz, written by
make_classifier_snapshot.py before the inference speed-ups): for every labelled utterance of the repository
(corpus and blind sets), their all-caps and accent-free variants and generated hard inputs (empty, emoji,
the 2,000-character limit, 10,000 characters...), the same category, the same alternatives in the same
order, confidences and every category's probability within 1e-9, the same language, the same errors."""

from __future__ import annotations

import gzip
import json

import pytest

from asistente.errors import BadInput
from asistente.objections.classifier import default_classifier

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
