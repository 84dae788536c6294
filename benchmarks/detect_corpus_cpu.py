"""CPU per content check of a text never seen: `check_text` (lexicon + elements + text model + packs) over the
texts of tests/compliance/detect_snapshot.json.gz (every corpus text, playbook answer and template rendering
checked at start-up), each prefixed so the per-process signals memo never answers.

Run: PYTHONPATH=src .venv/bin/python benchmarks/detect_corpus_cpu.py [--texts 2000] [--rounds 3]
Compare two engines in the same run by alternating rounds of this script under two PYTHONPATHs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from asistente.compliance import check_text, load_packs

SNAPSHOT = Path(__file__).resolve().parent.parent / "tests" / "compliance" / "detect_snapshot.json.gz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    packs = load_packs()
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as fh:
        cases = [c for c in json.load(fh)["cases"] if len(c["text"]) < 5000]
    sub = cases[:: max(1, len(cases) // args.texts)][: args.texts]
    for c in sub:  # warm-up: lexicon, model, word caches
        check_text("warm " + c["text"], packs=packs, **c["kwargs"])
    per = []
    for r in range(args.rounds):
        t0 = time.process_time()
        for c in sub:
            check_text(f"r{r} {c['text']}", packs=packs, **c["kwargs"])
        per.append((time.process_time() - t0) / len(sub) * 1000)
    print(
        f"{len(sub)} new texts x {args.rounds} rounds: CPU per check_text, best {min(per):.3f} ms, rounds "
        + ", ".join(f"{p:.3f}" for p in per)
    )


if __name__ == "__main__":
    main()
