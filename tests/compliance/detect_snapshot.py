"""Frozen outputs of the content check, to prove a speed-up of the detector changes nothing.

`collect_cases()` gathers every text the repository checks that is easy to reach: every text of every
corpus set (tests/compliance/corpus/**/texts.jsonl, with its own channel, jurisdiction, role and flags), every
playbook answer as rendered and checked at start-up (objections.playbook.verify_answer), every template
rendering checked at start-up (drafting.catalog.check_catalog), and the speed benchmark's texts.
`outputs(case)` is what the engine says about one: the lexicon's detections (with the case's language and
with none), its elements, the text model's probabilities and detections, and the whole check_text report
(rule ids, codes, spans, messages of violations and warnings).

Regenerate the snapshot when the data change (a new lexicon, model or rule-pack version: the test says so),
with the engine's code as it was BEFORE any pending speed change (e.g. from a `git archive` of the base
commit's src/ with the new data), so that the comparison stays a proof:

    PYTHONPATH=<that src> .venv/bin/python tests/compliance/detect_snapshot.py

test_detect_snapshot.py compares the current engine against the committed file.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "detect_snapshot.json.gz"
CORPUS = HERE / "corpus"
ROOT = HERE.parent.parent


def _corpus_cases() -> list[dict[str, Any]]:
    out = []
    for f in sorted(CORPUS.rglob("texts.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            row = json.loads(line)
            out.append(
                {
                    "source": f"{f.relative_to(CORPUS)}:{n + 1}",
                    "text": row["text"],
                    "kwargs": {
                        "channel": row["channel"],
                        "jurisdiction": row["jurisdiction"],
                        "language": row["language"],
                        "recipient_role": row["recipientRole"],
                        "is_first_contact": row["isFirstContact"],
                        "time_barred": row["timeBarred"],
                    },
                }
            )
    return out


def _captured_cases(packs: Any) -> list[dict[str, Any]]:
    """The check_text calls of the playbook's and the template catalog's start-up checks."""
    from asistente.drafting import catalog as catalog_mod
    from asistente.objections import playbook as playbook_mod

    calls: list[tuple[str, str, dict[str, Any]]] = []

    def recorder(origin: str, real: Any) -> Any:
        def wrapped(text: str, **kwargs: Any) -> Any:
            calls.append((origin, text, dict(kwargs)))
            return real(text, **kwargs)

        return wrapped

    saved = (playbook_mod.check_text, catalog_mod.check_text)
    playbook_mod.check_text = recorder("playbook", saved[0])
    catalog_mod.check_text = recorder("template", saved[1])
    try:
        playbook_mod.load_playbook(packs)
        catalog_mod.check_catalog(catalog_mod.parse_files(catalog_mod.template_files()), packs)
    finally:
        playbook_mod.check_text, catalog_mod.check_text = saved
    out = []
    for n, (origin, text, kwargs) in enumerate(calls):
        kw: dict[str, Any] = {}
        for k, v in kwargs.items():
            if k == "packs":
                continue
            if k == "addresses":
                v = [dict(a) for a in v]
            kw[k] = getattr(v, "value", v)
        out.append({"source": f"{origin}:{n}", "text": text, "kwargs": kw})
    return out


def _bench_cases() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import detect_speed
    finally:
        sys.path.pop(0)
    out = []
    for name, text, lang in (("es", detect_speed.SPANISH, "es"), ("en", detect_speed.ENGLISH, "en")):
        for variant in (text, f"Ref 100000. {text}"[:1000], ((text + " ") * 12)[:12_000]):
            out.append(
                {
                    "source": f"bench:{name}:{len(variant)}",
                    "text": variant,
                    "kwargs": {
                        "channel": "SMS",
                        "jurisdiction": "MX" if lang == "es" else "US",
                        "language": lang,
                    },
                }
            )
    return out


def collect_cases() -> list[dict[str, Any]]:
    from asistente.compliance import load_packs

    packs = load_packs()
    cases = _corpus_cases() + _captured_cases(packs) + _bench_cases()
    seen: set[str] = set()
    unique = []
    for c in cases:
        key = json.dumps([c["text"], c["kwargs"]], sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def _hit(h: Any) -> list[Any]:
    return [
        h.rule_id,
        h.code.value,
        h.message,
        h.legal_source,
        h.verify,
        [h.span.start, h.span.end] if h.span else None,
    ]


def outputs(case: dict[str, Any], packs: Any) -> dict[str, Any]:
    """Everything the engine says about one case (JSON-ready)."""
    from asistente.compliance import check_text
    from asistente.compliance.detect import detect, find_elements
    from asistente.compliance.textmodel import default_model

    text, kw = case["text"], case["kwargs"]
    lang = kw.get("language")
    dets = [[d.signal, d.start, d.end, d.pattern_id, d.excerpt] for d in detect(text, lang)]
    dets_none = [[d.signal, d.start, d.end, d.pattern_id] for d in detect(text, None)]
    elements = {k: [list(s) for s in v] for k, v in find_elements(text, lang).items()}
    model = default_model()
    meta = {
        "jurisdiction": kw["jurisdiction"],
        "channel": kw["channel"],
        "recipient_role": kw.get("recipient_role", "DEBTOR"),
        "is_first_contact": kw.get("is_first_contact", False),
        "time_barred": kw.get("time_barred", False),
    }
    probs, in_range = model.scores(text, **meta)
    model_dets = [
        [d.signal, d.start, d.end, d.pattern_id] for d in model.detections(text, skip=set(), **meta)
    ]
    report = check_text(text, packs=packs, **kw)
    return {
        "detect": dets,
        "detect_none": dets_none,
        "elements": elements,
        "model": [{k: repr(v) for k, v in probs.items()}, in_range, model_dets],
        "report": [
            report.compliant,
            [_hit(h) for h in report.violations],
            [_hit(h) for h in report.warnings],
            report.pack_version,
        ],
    }


def versions(packs: Any) -> dict[str, Any]:
    """The data the outputs depend on besides the code: lexicons, text model, rule packs."""
    from asistente.compliance.detect import LEXICON_VERSION
    from asistente.compliance.textmodel import default_model

    return {
        "lexicon": LEXICON_VERSION,
        "model": default_model().version,
        "packs": sorted(f"{p.jurisdiction}:{p.version}:{int(o)}" for p, o in packs.listing()),
    }


def main() -> None:
    from asistente.compliance import load_packs

    packs = load_packs()
    cases = collect_cases()
    rows = [{**c, "out": outputs(c, packs)} for c in cases]
    data = json.dumps(
        {"versions": versions(packs), "cases": rows}, ensure_ascii=False, sort_keys=True, indent=0
    )
    with open(SNAPSHOT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data.encode("utf-8"))  # mtime 0: the same data gives the same bytes
    print(f"{len(rows)} cases -> {SNAPSHOT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
