"""Write the frozen snapshot of the objection classifier's answers (classifier-snapshot.json.gz) that
test_classifier_snapshot.py compares against: for every labelled utterance (corpus/*, blind/*), its all-caps
and accent-free variants, and generated hard inputs, the `classify` result (category, confidence,
alternatives in order, language) and the full `distribution` (rounded to 10 decimals; the index of an earlier row when equal to its), or the BadInput message.

Regenerate ONLY when the model or normalisation data changes on purpose (never to make a speed-up pass):
    PYTHONPATH=src .venv/bin/python tests/objections/make_classifier_snapshot.py
"""

from __future__ import annotations

import gzip
import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
SNAPSHOT = HERE / "classifier-snapshot.json.gz"


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def labelled_texts() -> list[str]:
    return [
        json.loads(line)["text"]
        for folder in ("corpus", "blind")
        for path in sorted((HERE / folder).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def hard_inputs(texts: list[str]) -> list[str]:
    """Edge cases: empty and blank, emoji, digits and punctuation only, unknown words, letter runs, the
    length limit (2,000 characters) and over it (10,000), long multi-clause narratives."""
    joined = " ".join(texts)
    return [
        "",
        "   ",
        "\n\t",
        "😀",
        "😀🙏💸🤬",
        "😀 😀 😀 👍👍",
        "12345",
        "$1,000.00 12/05/2026",
        "...!!!???",
        "¿¡",
        "a",
        "y",
        "ok",
        "sí",
        "no",
        "NOOOOOO",
        "noooo tengooo dineroooo",
        "ñañañaña",
        "Ich habe kein Geld, rufen Sie später an",
        "qwzx plmk trvb",
        "yo ya pague, mandamelo por escrito y pero aunque porque ademas",
        "ya pagué. no tengo dinero. llámame mañana. mándamelo por escrito. tengo abogado.",
        "x" * 2000,
        "a " * 1000,
        "😀" * 2000,
        joined[:2000],
        joined[2000:4000],
        joined[:1999] + "😀",
        joined[:2001],
        "x" * 10_000,
        joined[:10_000],
        ("no tengo dinero " * 700)[:10_000],
        ("NO TENGO DINERO, " * 200)[:2000],
        ("ya pague, " * 200)[:2000],
    ]


def cases() -> list[str]:
    texts = labelled_texts()
    out, seen = [], set()
    for t in [*texts, *(t.upper() for t in texts), *(_strip_accents(t) for t in texts), *hard_inputs(texts)]:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def answer(clf, text: str) -> dict:
    from asistente.errors import BadInput

    try:
        r = clf.classify(text)
    except BadInput as exc:
        return {"text": text, "error": str(exc)}
    dist = clf.distribution(text)
    return {
        "text": text,
        "category": r.category.value,
        "confidence": r.confidence,
        "alternatives": [[c.value, p] for c, p in r.alternatives],
        "language": r.language,
        "version": r.version,
        "distribution": [round(p, 10) for p in dist.values()],  # in the model's category order
    }


def main() -> int:
    from asistente.objections.classifier import load_classifier

    clf = load_classifier()
    rows, first = [], {}
    for t in cases():
        row = answer(clf, t)
        dist = tuple(row.get("distribution", ()))
        if dist and dist in first:  # same probabilities as an earlier row (e.g. the all-caps variant)
            row["distribution"] = first[dist]
        else:
            first.setdefault(dist, len(rows))
        rows.append(row)
    data = json.dumps(
        {"model": clf.version, "categories": [c.value for c in clf.categories], "rows": rows},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    SNAPSHOT.write_bytes(gzip.compress(data.encode("utf-8"), mtime=0))
    print(f"{SNAPSHOT.name}: {len(rows)} inputs, {SNAPSHOT.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
