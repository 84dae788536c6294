"""Measures of a classifier on labelled turns: macro-F1, per-class F1, per-locale accuracy, confusion
matrix and expected calibration error. Pure Python; used by the trainer and benchmarks/objection_eval.py."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

ECE_BINS = 10


@dataclass(frozen=True)
class Report:
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, tuple[float, float, float, int]]  # category -> precision, recall, F1, support
    per_locale: dict[str, tuple[float, int]]  # locale -> accuracy, n
    confusion: dict[str, Counter]  # true -> Counter(predicted)
    ece: float
    secondary_in_alternatives: tuple[int, int]  # two-intent turns whose other intent is among alternatives


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS
) -> float:
    """Equal-width bins over [0, 1]: sum over bins of (share of turns) x |accuracy - mean confidence|."""
    if not confidences:
        return 0.0
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for conf, ok in zip(confidences, correct, strict=True):
        b = min(int(conf * bins), bins - 1)
        s = sums[b]
        s[0] += 1
        s[1] += conf
        s[2] += ok
    n = len(confidences)
    return sum(abs(s[2] - s[1]) for s in sums.values()) / n


def report(
    truth: Sequence[str],
    predicted: Sequence[str],
    confidences: Sequence[float],
    locales: Sequence[str],
    categories: Sequence[str],
    secondary: Sequence[str | None] = (),
    alternatives: Sequence[Sequence[str]] = (),
) -> Report:
    n = len(truth)
    correct = [t == p for t, p in zip(truth, predicted, strict=True)]
    per_class = {}
    f1s = []
    for c in categories:
        tp = sum(t == c and p == c for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != c and p == c for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == c and p != c for t, p in zip(truth, predicted, strict=True))
        support = tp + fn
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / support if support else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[c] = (prec, rec, f1, support)
        if support or fp:  # a class absent from the set and never predicted does not count
            f1s.append(f1)
    by_locale: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for loc, ok in zip(locales, correct, strict=True):
        by_locale[loc][0] += ok
        by_locale[loc][1] += 1
    confusion: dict[str, Counter] = defaultdict(Counter)
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    two = [(s, alts, p) for s, alts, p in zip(secondary, alternatives, predicted, strict=False) if s]
    found = sum(s in alts or s == p for s, alts, p in two)
    return Report(
        n=n,
        accuracy=sum(correct) / n if n else 0.0,
        macro_f1=sum(f1s) / len(f1s) if f1s else 0.0,
        per_class=per_class,
        per_locale={loc: (ok / m, m) for loc, (ok, m) in sorted(by_locale.items())},
        confusion=dict(confusion),
        ece=expected_calibration_error(confidences, correct),
        secondary_in_alternatives=(found, len(two)),
    )


def format_report(r: Report, categories: Sequence[str]) -> str:
    lines = [
        f"turns {r.n}  accuracy {r.accuracy:.3f}  macro-F1 {r.macro_f1:.3f}  ECE {r.ece:.3f} ({ECE_BINS} bins)",
    ]
    found, two = r.secondary_in_alternatives
    if two:
        lines.append(f"two-intent turns: other intent among alternatives (or chosen) {found}/{two}")
    lines.append("")
    lines.append(f"{'category':<22}{'prec':>6}{'rec':>6}{'F1':>6}{'n':>5}")
    for c in categories:
        p, rc, f, s = r.per_class[c]
        lines.append(f"{c:<22}{p:6.2f}{rc:6.2f}{f:6.2f}{s:5d}")
    lines.append("")
    lines.append(
        "accuracy by locale: " + "  ".join(f"{loc} {a:.3f} (n={m})" for loc, (a, m) in r.per_locale.items())
    )
    lines.append("")
    abbrev = [c[:4] for c in categories]
    lines.append("confusion (rows: truth, columns: predicted)")
    lines.append(f"{'':<22}" + "".join(f"{a:>5}" for a in abbrev))
    for t in categories:
        row = r.confusion.get(t, Counter())
        lines.append(f"{t:<22}" + "".join(f"{row.get(p, 0) or '.':>5}" for p in categories))
    return "\n".join(lines)
