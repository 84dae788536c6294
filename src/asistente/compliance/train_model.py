"""Train the text model (the lexicon's second reader) from labelled corpora: `python -m
asistente.compliance.train_model --out src/asistente/compliance/lexicon/text-model.json SET...`.

Needs scikit-learn (`pip install -e '.[train]'`); the service itself only reads the JSON it writes
(asistente.compliance.textmodel, pure Python). One logistic regression per content code over TF-IDF word
unigrams and bigrams of the accent-folded text, plus tokens for jurisdiction, channel, recipient role,
first contact and time-barred (`--features words+neg` marks the words after a negation, `words+neg+shortchars`
adds character 4-grams on lines under 15 words; `--short-threshold` lets the model read lines of 4-14 words at
that threshold; `--companion-threshold` adds codes beside a violation; `--weight 'blind*=0.3'` makes the
team-written sets count less than real material). The decision threshold is chosen by leave-one-set-out cross-validation: the
lowest threshold whose false positives on the held-out sets' compliant texts stay at or under
`--max-fp` (default 2%), counting as the service does (no model finding under MIN_WORDS words). Every set
given is training data; a set used here is no longer blind. The engineers' sentences
(tests/compliance/corpus/engineers/) are training data only, never held out.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asistente.compliance.textmodel import (
    CODE_SIGNAL,
    FEATURE_SETS,
    MIN_WORDS,
    features_of,
    too_short,
    word_count,
)

THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(14)]  # 0.30 .. 0.95
# Sets that are only ever training data (the engineers' own test sentences), never held out in the CV.
TRAINING_ONLY = {"engineers", "app"}


def app_texts() -> list[dict[str, Any]]:
    """The service's own compliant wording as labelled rows (expected: nothing): every objection playbook
    answer rendered for a sample debtor of each jurisdiction it serves (a CALL line), and every message
    template rendered per channel, language, register and first/subsequent contact. Both are checked at
    start-up and must pass, so the model learns them as compliant (training only, never held out)."""
    from asistente.compliance import load_packs
    from asistente.drafting import catalog as drafts
    from asistente.enums import Channel, ObjectionCategory, RecipientRole
    from asistente.objections.playbook import _scope, load_playbook
    from asistente.objections.render import sample_values

    packs = load_packs()
    rows: dict[tuple[str, str, str, str, bool], dict[str, Any]] = {}

    def add(text: str, jurisdiction: str, channel: str, role: str, first: bool, time_barred: bool) -> None:
        rows.setdefault(
            (text, jurisdiction, channel, role, first),
            {
                "text": text,
                "jurisdiction": jurisdiction,
                "channel": channel,
                "recipientRole": role,
                "isFirstContact": first,
                "timeBarred": time_barred,
                "expected": [],
            },
        )

    for answer in load_playbook(packs, check=False).answers:
        role = (
            RecipientRole.OTHER if answer.category is ObjectionCategory.WRONG_PARTY else RecipientRole.DEBTOR
        )
        for jurisdiction in _scope(answer, packs):
            for (language, _register), line in answer.texts.items():
                text = line.format_map(sample_values(jurisdiction, language))
                add(text, jurisdiction, "CALL", role.value, False, answer.when.time_barred is True)
    catalog = drafts.parse_files(drafts.template_files())
    samples = drafts._samples()["debtors"]
    for t in catalog.templates:
        for jurisdiction in sorted(t.jurisdictions):
            sample = samples[jurisdiction]
            for language in drafts.LANGUAGES:
                values, _ = drafts.sample_values(sample, language)
                registers = list(drafts.Register) if language == "es" else [drafts.Register.USTED]
                for register in registers:
                    for channel in sorted(t.channels):
                        for first in (True, False):
                            out = drafts.render(
                                catalog,
                                t,
                                channel=Channel(channel),
                                language=language,
                                register=register,
                                jurisdiction=sample["jurisdiction"],
                                first_contact=first,
                                values=values,
                            )
                            add(
                                out.content,
                                sample["jurisdiction"],
                                Channel(channel).value,
                                "DEBTOR",
                                first,
                                False,
                            )
    return list(rows.values())


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _doc(r: dict[str, Any], feature_set: str = "words") -> list[str]:
    return features_of(
        r["text"],
        jurisdiction=r["jurisdiction"],
        channel=r["channel"],
        recipient_role=r.get("recipientRole", "DEBTOR"),
        is_first_contact=bool(r.get("isFirstContact")),
        time_barred=bool(r.get("timeBarred")),
        feature_set=feature_set,
    )


KEEP = 1200  # weights kept per code (largest magnitude); the rest are zero, so inference touches few


def _pruned(model: Any) -> tuple[Any, float]:
    import numpy as np

    coef = model.coef_[0].copy()
    if len(coef) > KEEP:
        cut = np.sort(np.abs(coef))[-KEEP]
        coef[np.abs(coef) < cut] = 0.0
    return coef, float(model.intercept_[0])


def _proba(x: Any, pruned: tuple[Any, float]) -> Any:
    import numpy as np

    coef, intercept = pruned
    z = x @ coef + intercept
    return 1.0 / (1.0 + np.exp(-z))


def _fit(rows: list[dict[str, Any]], c: float, feature_set: str = "words") -> tuple[Any, dict[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=lambda feats: feats, min_df=2, sublinear_tf=True)
    x = vec.fit_transform([_doc(r, feature_set) for r in rows])
    weight = [r.get("_weight", 1.0) for r in rows]  # per set (--weight); 1 unless given
    models = {}
    for code in CODE_SIGNAL:
        y = [code in r["expected"] for r in rows]
        if sum(y) < 3:
            continue
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
        models[code] = _pruned(lr.fit(x, y, sample_weight=weight))
    return vec, models


def _cv(
    sets: dict[str, list[dict[str, Any]]],
    c: float,
    feature_set: str = "words",
    held_out: list[str] | None = None,
    short_threshold: float | None = None,
) -> dict[float, tuple[int, int, int, int]]:
    """Per threshold: (texts whose codes the model alone finds all of, non-compliant texts, compliant texts
    the model flags, compliant texts) over every set held out in turn (or only `held_out`); texts the service
    leaves to the lexicon (too few words, or under SHORT_MIN_WORDS with a short threshold) count as unflagged,
    and a short line is read at `short_threshold` when given."""
    out = {t: [0, 0, 0, 0] for t in THRESHOLDS}
    for held in sets:
        if held in TRAINING_ONLY or (held_out is not None and held not in held_out):
            continue
        train = [r for name, rows in sets.items() if name != held for r in rows]
        vec, models = _fit(train, c, feature_set)
        test = sets[held]
        x = vec.transform([_doc(r, feature_set) for r in test])
        probs = {code: _proba(x, m) for code, m in models.items()}
        for t in THRESHOLDS:
            for i, r in enumerate(test):
                doc = _doc(r, feature_set)
                short = too_short(doc, short_threshold)  # the model abstains there, as in the service
                bar = t if short_threshold is None or word_count(doc) >= MIN_WORDS else short_threshold
                flagged = set() if short else {code for code, p in probs.items() if p[i] >= bar}
                wanted = {code for code in r["expected"] if code in CODE_SIGNAL}
                if r["expected"]:
                    out[t][1] += 1
                    out[t][0] += bool(wanted) and wanted <= flagged
                else:
                    out[t][3] += 1
                    out[t][2] += bool(flagged)
    return {t: tuple(v) for t, v in out.items()}


def _set_weights(specs: list[str], sets: dict[str, Any], parser: argparse.ArgumentParser) -> dict[str, float]:
    """{set name: weight} for the sets a `--weight PATTERN=W` names (first matching pattern wins)."""
    from fnmatch import fnmatch

    patterns = []
    for spec in specs:
        pattern, _, w = spec.partition("=")
        try:
            weight = float(w)
        except ValueError:
            parser.error(f"--weight {spec!r}: expected PATTERN=NUMBER")
        if not weight > 0:
            parser.error(f"--weight {spec!r}: the weight must be positive")
        patterns.append((pattern, weight))
    out = {}
    for name in sets:
        for pattern, weight in patterns:
            if fnmatch(name, pattern):
                out[name] = weight
                break
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path, help="texts.jsonl files (corpus-text schema)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--version", required=True, help="model version, e.g. 2026.11.1")
    parser.add_argument("--max-fp", type=float, default=0.02)
    parser.add_argument(
        "--c",
        type=float,
        default=100.0,
        help="inverse regularisation strength (100: best of 3-300 by the CV)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="use this decision threshold and skip the cross-validation (e.g. a threshold an earlier full run chose)",
    )
    parser.add_argument(
        "--features",
        choices=FEATURE_SETS,
        default="words",
        help="words: unigrams and bigrams; words+stems: also each longer word's first letters (textmodel.STEM)",
    )
    parser.add_argument(
        "--short-threshold",
        type=float,
        help="also read texts of textmodel.SHORT_MIN_WORDS to MIN_WORDS words at this threshold (chosen by "
        "benchmarks/compliance_holdout.py); without it the model leaves them to the lexicon",
    )
    parser.add_argument(
        "--companion-threshold",
        type=float,
        help="once a text carries a content code, raise the model's other codes from this probability "
        "(textmodel.TextModel.companion_threshold; chosen by benchmarks/compliance_holdout.py)",
    )
    parser.add_argument(
        "--cv-held",
        help="with --threshold: hold these sets out in turn (comma-separated names, e.g. real1,real2) and record "
        "the model-alone figures at that threshold in crossValidation",
    )
    parser.add_argument(
        "--no-app-texts",
        action="store_true",
        help="leave out the playbook answers and message templates as compliant examples (see app_texts)",
    )
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="PATTERN=W",
        help="weight of each text of the sets whose name matches PATTERN (fnmatch, e.g. 'blind*=0.3'); "
        "default 1; the first pattern that matches wins",
    )
    args = parser.parse_args(argv)

    sets = {str(p.parent.name if p.name == "texts.jsonl" else p.stem): _load(p) for p in args.sets}
    if args.threshold is not None and args.threshold not in THRESHOLDS:
        parser.error(f"--threshold must be one of {', '.join(f'{t:.2f}' for t in THRESHOLDS)}")
    if not args.no_app_texts:
        sets["app"] = app_texts()
        print(f"app: {len(sets['app'])} rendered playbook answers and message templates (compliant)")
    set_weights = _set_weights(args.weight, sets, parser)
    for name, rs in sets.items():
        for r in rs:
            r["_weight"] = set_weights.get(name, 1.0)
    if args.threshold is not None and args.cv_held:
        # A threshold given (chosen on the leave-one-real-set-out grid): record what the model alone reads on
        # those sets held out in turn at that threshold.
        cv = _cv(sets, args.c, args.features, args.cv_held.split(","), args.short_threshold)
        chosen = args.threshold
        caught, pos, fp, neg = cv[chosen]
        print(f"model alone, {args.cv_held} held out in turn: recall {caught / pos:.3f}, FP {fp / neg:.3f}")
    elif args.threshold is not None:
        # A threshold given (one chosen by an earlier run's cross-validation): no cross-validation here, so
        # the file records none (used for the leave-one-real-set-out estimates, benchmarks/README.md).
        cv, chosen = None, args.threshold
    else:
        cv = _cv(sets, args.c, args.features)
        print("threshold  model-alone recall  model FP on compliant (leave-one-set-out)")
        chosen = None
        for t in THRESHOLDS:
            caught, pos, fp, neg = cv[t]
            print(f"  {t:.2f}      {caught / pos:.3f}             {fp / neg:.3f}")
            if chosen is None and fp / neg <= args.max_fp:
                chosen = t
        if chosen is None:
            chosen = THRESHOLDS[-1]
    import numpy as np

    rows = [r for rs in sets.values() for r in rs]
    vec, models = _fit(rows, args.c, args.features)
    vocab = vec.vocabulary_
    features = sorted(vocab, key=vocab.get)
    idf = [round(float(vec.idf_[vocab[f]]), 6) for f in features]
    weights = {}
    for code, (coef, intercept) in models.items():
        weights[code] = {
            "intercept": round(intercept, 6),
            "coef": {f: round(float(coef[vocab[f]]), 6) for f in features if coef[vocab[f]] != 0.0},
        }
    rounded = {
        code: (
            np.array([w["coef"].get(f, 0.0) for f in features]),
            w["intercept"],
        )
        for code, w in weights.items()
    }
    samples = []
    for r in rows[:: max(1, len(rows) // 12)][:12]:
        x = vec.transform([_doc(r, args.features)])
        samples.append(
            {
                "text": r["text"],
                "jurisdiction": r["jurisdiction"],
                "channel": r["channel"],
                "recipientRole": r.get("recipientRole", "DEBTOR"),
                "isFirstContact": bool(r.get("isFirstContact")),
                "timeBarred": bool(r.get("timeBarred")),
                "probabilities": {code: round(float(_proba(x, m)[0]), 6) for code, m in rounded.items()},
            }
        )
    doc = {
        "version": args.version,
        "trainedAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "trainedOn": {name: len(rs) for name, rs in sets.items()},
        **({"setWeights": set_weights} if set_weights else {}),
        "threshold": chosen,
        **({} if args.short_threshold is None else {"shortThreshold": args.short_threshold}),
        **({} if args.companion_threshold is None else {"companionThreshold": args.companion_threshold}),
        **({} if args.features == "words" else {"featureSet": args.features}),
        **(
            {}
            if cv is None
            else {
                "crossValidation": {
                    "method": "leave-one-set-out"
                    if not args.cv_held
                    else f"leave-one-real-set-out ({args.cv_held} held out in turn; threshold {chosen}, short "
                    f"threshold {args.short_threshold}, chosen on benchmarks/compliance_holdout.py's grid)",
                    "modelAloneRecall": round(cv[chosen][0] / cv[chosen][1], 4),
                    "modelFalsePositives": round(cv[chosen][2] / cv[chosen][3], 4),
                }
            }
        ),
        "features": features,
        "idf": idf,
        "codes": weights,
        "samples": samples,
    }
    args.out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    size = args.out.stat().st_size
    print(
        f"threshold {chosen:.2f}; {len(features):,} features; {len(weights)} codes; wrote {args.out} ({size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
