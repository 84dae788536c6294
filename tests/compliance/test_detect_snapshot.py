"""The content check gives exactly the frozen outputs (detect_snapshot.json.gz) on every corpus text, every
playbook answer and template rendering checked at start-up, and the benchmark texts: a speed-up of the
detector, the lexicon matcher or the text model must not change a single detection, span, probability or
message. Regenerate only for an intended change of output: see detect_snapshot.py."""

from __future__ import annotations

import gzip
import json

import pytest

from asistente.compliance import load_packs
from tests.compliance.detect_snapshot import SNAPSHOT, outputs, versions


@pytest.fixture(scope="module")
def snapshot() -> dict:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def test_every_case_gives_the_frozen_outputs(snapshot: dict) -> None:
    packs = load_packs()
    assert snapshot["versions"] == versions(packs), (
        "the lexicon, text model or rule packs changed since the snapshot was made: regenerate it "
        "(see tests/compliance/detect_snapshot.py)"
    )
    frozen = snapshot["cases"]
    assert len(frozen) > 7000
    kinds = {c["source"].split(":")[0].split("/")[0] for c in frozen}
    assert {"playbook", "template", "bench", "real1", "blind"} <= kinds
    diffs = []
    for case in frozen:
        got = json.loads(json.dumps(outputs(case, packs), ensure_ascii=False))
        if got != case["out"]:
            diffs.append((case["source"], case["text"][:80], case["out"], got))
    assert not diffs, f"{len(diffs)} cases differ; first: {diffs[0]}"
