"""Objection classifier: quality on a labelled set, load time and classification speed.

    .venv/bin/python benchmarks/objection_eval.py --set cv            # stratified 5-fold CV on the corpus
    .venv/bin/python benchmarks/objection_eval.py --set blind/NAME    # tests/objections/blind/NAME.jsonl
    .venv/bin/python benchmarks/objection_eval.py --set PATH.jsonl    # any file in the corpus schema
    .venv/bin/python benchmarks/objection_eval.py --speed             # load time and per-turn latency
    .venv/bin/python benchmarks/objection_eval.py --compare OLD.json [--old-normalization OLDN.json]  # latency vs another model

Prints macro-F1, per-class precision/recall/F1, accuracy per locale, the confusion matrix and the expected
calibration error (10 equal-width bins), plus, for two-intent turns, how often the other intent is among
the alternatives. `--set cv` refits the model inside each fold (needs the `train` extra) and measures the
corpus the model was tuned on: optimistic. A blind set is measured ONCE with the shipped model, then
recorded in benchmarks/README.md and becomes training data; `--show-misses` lists the errors (look only
after the single measurement is recorded).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from asistente.enums import ObjectionCategory  # noqa: E402
from asistente.objections.metrics import format_report, report  # noqa: E402

CATEGORIES = [c.value for c in ObjectionCategory]
BLIND = ROOT / "tests" / "objections" / "blind"


def _rows(path: Path) -> list[dict]:
    from asistente.schemas import schema_errors

    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            r = json.loads(line)
            errors = schema_errors("objection-utterance.schema.json", r)
            if errors:
                raise SystemExit(f"{path}:{i}: {errors[0]}")
            rows.append(r)
    return rows


def evaluate_set(path: Path, show_misses: bool) -> None:
    import orjson

    from asistente.objections.classifier import MODEL_FILE, default_classifier

    clf = default_classifier()
    rows = _rows(path)
    results = [clf.classify(r["text"], r["language"]) for r in rows]
    rep = report(
        [r["category"] for r in rows],
        [c.category.value for c in results],
        [c.confidence for c in results],
        [r["locale"] for r in rows],
        CATEGORIES,
        [r.get("secondary") for r in rows],
        [[a.value for a, _ in c.alternatives] for c in results],
    )
    print(f"set {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}; model {clf.version}")
    trained_on = orjson.loads(MODEL_FILE.read_bytes())["trainedOn"]
    if path.stem in trained_on:
        print(f"WARNING: model {clf.version} was trained on {path.stem}: this is not a blind figure")
    print(format_report(rep, CATEGORIES))
    if show_misses:
        print("\nmisses:")
        for r, c in zip(rows, results, strict=True):
            if c.category.value != r["category"]:
                print(
                    f"  [{r['locale']}] {r['category']} -> {c.category.value} ({c.confidence:.2f}): {r['text']}"
                )


def evaluate_cv(show_misses: bool) -> None:
    from asistente.objections.normalize import load_normalizer
    from asistente.objections.train import cross_validate, cv_report, decisions, default_paths, load_rows

    rows = load_rows(default_paths())
    cv = cross_validate(rows, load_normalizer())
    print(
        f"set cv: stratified 5-fold on {len(rows)} training turns, C={cv['c']}, temperature {cv['temperature']}"
    )
    print(f"ECE before calibration {cv['eceBefore']:.3f}")
    print(format_report(cv_report(rows, cv), CATEGORIES))
    shown = decisions(cv["probabilities"], cv["multi"])
    print("\nout-of-fold by training file:")
    for name in sorted({r["_set"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["_set"] == name]
        part = report(
            [rows[i]["category"] for i in idx],
            [shown[i][0] for i in idx],
            [shown[i][1] for i in idx],
            [rows[i]["locale"] for i in idx],
            CATEGORIES,
        )
        print(f"  {name:<32} n={len(idx):<5} macro-F1 {part.macro_f1:.3f}  accuracy {part.accuracy:.3f}")
    if show_misses:
        print("\nmisses (out of fold):")
        for r, (category, confidence, _) in zip(
            rows, decisions(cv["probabilities"], cv["multi"]), strict=True
        ):
            if category != r["category"]:
                print(f"  [{r['locale']}] {r['category']} -> {category} ({confidence:.2f}): {r['text']}")


def _fresh(code: str, runs: int = 7) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return [float(subprocess.check_output([sys.executable, "-c", code], env=env)) for _ in range(runs)]


def speed() -> None:
    # What a worker pays at start-up, in fresh interpreters: the floor imports what the service imports
    # anyway (schemas, jsonschema, fastjsonschema, orjson, enums); the classifier adds its modules, reading,
    # validating and building the model and normalisation data.
    floor_code = (
        "import time; t=time.perf_counter(); import orjson, jsonschema, fastjsonschema;"
        "import asistente.schemas, asistente.enums, asistente.errors; print(time.perf_counter()-t)"
    )
    load_code = (
        "import time; t=time.perf_counter(); import orjson, jsonschema, fastjsonschema;"
        "import asistente.schemas, asistente.enums, asistente.errors;"
        "from asistente.objections.classifier import default_classifier;"
        "default_classifier(); print(time.perf_counter()-t)"
    )
    floors, loads = [], []
    for _ in range(7):  # interleaved, so both see the same machine load
        floors += _fresh(floor_code, 1)
        loads += _fresh(load_code, 1)
    from asistente.objections.classifier import default_classifier

    clf = default_classifier()
    turns = [
        json.loads(line)["text"]
        for p in sorted((ROOT / "tests/objections/corpus").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    times = []
    for _ in range(3):
        for t in turns:
            started = time.perf_counter()
            clf.classify(t)
            times.append(time.perf_counter() - started)
    times.sort()
    floor, load = statistics.median(floors), statistics.median(loads)
    print(
        f"start-up, fresh interpreter, median of 7: floor (shared imports) {floor:.3f} s; with the classifier "
        f"loaded {load:.3f} s; the classifier's own share {load - floor:.3f} s"
    )
    print(
        f"classify: {len(times)} calls over the corpus turns, median {statistics.median(times) * 1000:.3f} ms, "
        f"p90 {times[int(len(times) * 0.9)] * 1000:.3f} ms, p99 {times[int(len(times) * 0.99)] * 1000:.3f} ms"
    )
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def compare(other_model: Path, other_normalization: Path | None = None) -> None:
    """Per-call latency of the shipped model and another model file, calls interleaved so both see the same
    machine load (e.g. the previous version: `git show REV:src/asistente/objections/data/classifier-model.json`,
    with `--old-normalization` the normalisation file it was trained with when that changed too)."""
    from asistente.objections.classifier import MODEL_FILE, load_classifier
    from asistente.objections.normalize import NORMALIZATION_FILE

    models = {
        "shipped": load_classifier(MODEL_FILE),
        other_model.name: load_classifier(other_model, other_normalization or NORMALIZATION_FILE),
    }
    turns = [
        json.loads(line)["text"]
        for p in sorted((ROOT / "tests/objections/corpus").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(2):
        for t in turns:
            for name, clf in models.items():
                started = time.perf_counter()
                clf.classify(t)
                times[name].append(time.perf_counter() - started)
    for name, ts in times.items():
        ts.sort()
        print(
            f"{name} ({models[name].version}): {len(ts)} calls, median {statistics.median(ts) * 1000:.3f} ms, "
            f"p90 {ts[int(len(ts) * 0.9)] * 1000:.3f} ms"
        )
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", help="cv, blind/NAME, or a JSONL path")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--compare", type=Path, help="another model file: interleaved per-call latency")
    parser.add_argument(
        "--old-normalization", type=Path, help="with --compare: the normalisation file the other model needs"
    )
    args = parser.parse_args()
    if not args.set and not args.speed and not args.compare:
        parser.error("give --set, --speed and/or --compare")
    if args.set == "cv":
        evaluate_cv(args.show_misses)
    elif args.set:
        path = Path(args.set)
        if not path.exists() and args.set.startswith("blind/"):
            path = BLIND / (args.set.removeprefix("blind/").removesuffix(".jsonl") + ".jsonl")
        evaluate_set(path, args.show_misses)
    if args.speed:
        speed()
    if args.compare:
        compare(args.compare, args.old_normalization)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
