"""What the LLM second reader (asistente.compliance.review) adds on the labelled corpora, measured with a
SCRIPTED local OpenAI-compatible server (tests/llm_fake.py), not a model.

Be clear about what this measures. The server answers from a script, so the figures measure the plumbing
and the gating, not a model's judgement:
- which texts get read again (the text model's margin, short texts), per set;
- what a reader that answers a given way can add through the packs' per-jurisdiction mapping (only codes
  the jurisdiction forbids become violations; codes such as MISSING_DISCLOSURE are not the reader's);
- that an unusable or late answer changes nothing (the local verdict stands);
- what the round trip costs (redaction, HTTP, JSON, the second mapping) on top of check_text.

Readers (`--reader`):
  oracle   answers exactly the text's expected content codes: the ceiling a perfect reader could reach
           through this gating and mapping (NOT an achievable figure for any real model);
  noisy    the oracle with seeded errors: misses each expected code with probability --miss, and adds one
           random forbidden code to a compliant text with probability --false-alarm;
  silent   always {"codes": []}: must leave every verdict as the local engine's;
  slow     the oracle, answering after --delay seconds (above the budget): must leave every verdict too.

    .venv/bin/python benchmarks/compliance_llm_eval.py [--reader oracle|noisy|silent|slow] [--sets texts,blind11]
        [--margin 0.4] [--no-short] [--budget-ms 800] [--miss 0.3 --false-alarm 0.05 --seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.llm_fake import Reply, serve_fake_llm  # noqa: E402

from asistente.compliance import check_text, load_packs  # noqa: E402
from asistente.compliance.content import forbidden_signals  # noqa: E402
from asistente.compliance.review import SecondReaderConfig, review_text  # noqa: E402
from asistente.compliance.textmodel import CODE_SIGNAL  # noqa: E402
from asistente.llm import LLMClient, LLMConfig  # noqa: E402

CORPUS = ROOT / "tests" / "compliance" / "corpus"


def corpus_sets(names: str | None) -> dict[str, Path]:
    found = {"texts": CORPUS / "texts.jsonl"}
    for path in sorted(CORPUS.glob("*/texts.jsonl")):
        found[path.parent.name] = path
    if not names:
        return found
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    missing = [n for n in wanted if n not in found]
    if missing:
        raise SystemExit(f"unknown set(s) {missing}; known: {', '.join(found)}")
    return {n: found[n] for n in wanted}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Script:
    """The scripted reader: the benchmark sets the current item before each call (calls are sequential)."""

    def __init__(self, kind: str, miss: float, false_alarm: float, delay: float, seed: int) -> None:
        self.kind, self.miss, self.false_alarm, self.delay = kind, miss, false_alarm, delay
        self.rng = random.Random(seed)
        self.expected: list[str] = []
        self.forbidden_codes: list[str] = []

    def __call__(self, body: dict) -> Reply:
        if self.kind == "silent":
            return Reply.json({"codes": []})
        codes = list(self.expected)
        if self.kind == "noisy":
            codes = [c for c in codes if self.rng.random() >= self.miss]
            if not self.expected and self.forbidden_codes and self.rng.random() < self.false_alarm:
                codes.append(self.rng.choice(self.forbidden_codes))
        return Reply.json({"codes": codes}, delay=self.delay if self.kind == "slow" else 0.0)


def kwargs_of(t: dict) -> dict:
    kw = dict(
        channel=t["channel"],
        jurisdiction=t["jurisdiction"],
        recipient_role=t.get("recipientRole", "DEBTOR"),
        language=t.get("language"),
        is_first_contact=t.get("isFirstContact", False),
        time_barred=t.get("timeBarred", False),
    )
    if t.get("excerpt"):
        # one part of a larger communication (real-material sets), read as compliance_eval.py reads it:
        # a line of a call, or a part whose whole-message rules are not judged
        if t["channel"] in ("CALL", "VISIT"):
            kw["context"] = "CALL_TURN"
        else:
            kw["check_required"] = False
    return kw


async def run_set(name: str, texts: list[dict], packs, reader, config, script: Script) -> dict:
    local_caught = caught = bad = good = local_fp = fp = 0
    asked_bad = asked_good = 0
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    local_ms: list[float] = []
    review_ms: list[float] = []
    asked_ms: list[float] = []
    for t in texts:
        want = set(t["expected"])
        kw = kwargs_of(t)
        script.expected = sorted(want & set(CODE_SIGNAL))
        forbidden = forbidden_signals(
            channel=kw["channel"],
            jurisdiction=kw["jurisdiction"],
            packs=packs,
            recipient_role=kw["recipient_role"],
            time_barred=kw["time_barred"],
        )
        script.forbidden_codes = sorted(c for c, s in CODE_SIGNAL.items() if s in forbidden)
        started = time.perf_counter()
        out = await review_text(t["text"], packs=packs, reader=reader, config=config, **kw)
        elapsed = (time.perf_counter() - started) * 1000
        # the local check alone, on the same text plus a space (the detector caches per text)
        started = time.perf_counter()
        check_text(t["text"] + " ", packs=packs, **kw)  # same reading as review_text's local step
        local_ms.append((time.perf_counter() - started) * 1000)
        review_ms.append(elapsed)
        reasons[out.second.reason] += 1
        if out.second.asked:
            asked_ms.append(elapsed)
            outcomes[out.second.llm.outcome.value] += 1
        got_local = {str(h.code) for h in out.local.violations}
        got = {str(h.code) for h in out.report.violations}
        if want:
            bad += 1
            local_caught += want <= got_local
            caught += want <= got
            asked_bad += out.second.asked
        else:
            good += 1
            local_fp += bool(got_local)
            fp += bool(got)
            asked_good += out.second.asked

    def rate(n: int, d: int) -> str:
        return f"{n / d:.3f}" if d else "  -  "

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) >= 2 else (values or [0.0])[0]

    return {
        "set": name,
        "texts": len(texts),
        "bad": bad,
        "good": good,
        "recall_local": rate(local_caught, bad),
        "recall": rate(caught, bad),
        "fp_local": rate(local_fp, good),
        "fp": rate(fp, good),
        "asked_bad": rate(asked_bad, bad),
        "asked_good": rate(asked_good, good),
        "outcomes": dict(outcomes),
        "reasons": dict(reasons),
        "local_median_ms": statistics.median(local_ms),
        "review_median_ms": statistics.median(review_ms),
        "asked_median_ms": statistics.median(asked_ms) if asked_ms else 0.0,
        "asked_p95_ms": pct(asked_ms, 95) if asked_ms else 0.0,
    }


async def main_async(args: argparse.Namespace) -> int:
    packs = load_packs()
    sets = corpus_sets(args.sets) if args.sets or not args.file else {}
    for path in args.file or ():
        sets[Path(path).stem] = Path(path)
    config = SecondReaderConfig(
        budget_s=args.budget_ms / 1000, margin=args.margin, short_texts=not args.no_short
    )
    script = Script(args.reader, args.miss, args.false_alarm, args.delay, args.seed)
    with serve_fake_llm() as fake:
        fake.respond_with(script)
        reader = LLMClient(LLMConfig(base_url=fake.base_url, model=f"scripted-{args.reader}")).warm()
        try:
            rows = [await run_set(n, load(p), packs, reader, config, script) for n, p in sets.items()]
        finally:
            await reader.aclose()
        sent = len(fake.requests)
    print(
        f"Second reader, SCRIPTED ({args.reader}): margin {config.margin}, short texts "
        f"{'read' if config.short_texts else 'not read'}, budget {args.budget_ms} ms. "
        "This measures the plumbing and the gating, not a model."
    )
    print(
        f"{'set':14} {'texts':>5} {'bad':>4} {'good':>4}  {'recall local->2nd':>18}  {'FP local->2nd':>14}"
        f"  {'asked bad/good':>14}  {'ms: local / review / asked med p95':>34}"
    )
    for r in rows:
        print(
            f"{r['set']:14} {r['texts']:5d} {r['bad']:4d} {r['good']:4d}  "
            f"{r['recall_local']:>8} -> {r['recall']:<7}  {r['fp_local']:>6} -> {r['fp']:<6}"
            f"  {r['asked_bad']:>6} / {r['asked_good']:<6}"
            f"  {r['local_median_ms']:7.2f} / {r['review_median_ms']:7.2f} / "
            f"{r['asked_median_ms']:6.2f} {r['asked_p95_ms']:6.2f}"
        )
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for r in rows:
        outcomes.update(r["outcomes"])
        reasons.update(r["reasons"])
    print(f"requests the server received: {sent}; outcomes {dict(outcomes)}; why (not) asked {dict(reasons)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reader", choices=["oracle", "noisy", "silent", "slow"], default="oracle")
    parser.add_argument("--sets", help="comma-separated set names (texts, blind, blind3, ..., engineers)")
    parser.add_argument(
        "--file", action="append", help="a labelled JSONL file outside the corpus folder (repeatable)"
    )
    parser.add_argument("--margin", type=float, default=0.4)
    parser.add_argument("--no-short", action="store_true", help="do not read short texts again")
    parser.add_argument("--budget-ms", type=int, default=800)
    parser.add_argument("--miss", type=float, default=0.3)
    parser.add_argument("--false-alarm", type=float, default=0.05)
    parser.add_argument("--delay", type=float, default=1.5, help="slow reader: seconds before answering")
    parser.add_argument("--seed", type=int, default=7)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
