"""Compliance engine against the independent labelled corpus (tests/compliance/corpus/).

Prints, for the text corpus: per-code precision and recall, recall on non-compliant texts (a text counts
as caught when every expected code is found), the false-positive rate on compliant texts (flagged with
any violation); for the contact scenarios: how many are right (allowed, every expected code, and
nextAllowedAt where the scenario states it); and the median time of `check_text` on 1,000-character texts.

The corpus was written independently of the engine. Figures are reported on the whole corpus and on a
held-out third (ids whose SHA-1 is 0 mod 3) that engine work must not look at.

    .venv/bin/python benchmarks/compliance_eval.py [--show-misses]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from asistente.compliance import (  # noqa: E402
    ContactRequest,
    DebtorFacts,
    InteractionFact,
    check_text,
    evaluate_contact,
    load_packs,
)
from asistente.enums import (  # noqa: E402
    Channel,
    ComplianceContext,
    Direction,
    InteractionOutcome,
    RecipientRole,
)

CORPUS = ROOT / "tests" / "compliance" / "corpus"


def held_out(item_id: str) -> bool:
    return int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 3 == 0


def load_texts(path: Path = CORPUS / "texts.jsonl") -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load_scenarios() -> list[dict]:
    return json.loads((CORPUS / "contact_scenarios.json").read_text(encoding="utf-8"))["scenarios"]


def run_text(packs, t: dict) -> set[str]:
    channel = Channel(t["channel"])
    extra: dict = {}
    if t.get("excerpt"):
        # One part of a larger communication (real-material sets): what the whole must contain is not judged.
        if channel in (Channel.CALL, Channel.VISIT):
            extra["context"] = ComplianceContext.CALL_TURN
        else:
            extra["check_required"] = False
    report = check_text(
        t["text"],
        channel=channel,
        jurisdiction=t["jurisdiction"],
        packs=packs,
        recipient_role=RecipientRole(t.get("recipientRole", "DEBTOR")),
        language=t.get("language"),
        is_first_contact=t.get("isFirstContact", False),
        time_barred=t.get("timeBarred", False),
        **extra,
    )
    return {str(h.code) for h in report.violations}


def text_metrics(packs, texts: list[dict], show: bool, results: dict | None = None) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    bad_total = bad_caught = bad_flagged = good_total = good_flagged = 0
    for t in texts:
        got = results[t["id"]] if results is not None else run_text(packs, t)
        want = set(t["expected"])
        for c in got & want:
            tp[c] += 1
        for c in got - want:
            fp[c] += 1
        for c in want - got:
            fn[c] += 1
        if want:
            bad_total += 1
            bad_caught += want <= got
            bad_flagged += bool(got)
            if show and not want <= got:
                print(f"  MISS {t['id']}: want {sorted(want)} got {sorted(got)}: {t['text'][:110]!r}")
        else:
            good_total += 1
            good_flagged += bool(got)
            if show and got:
                print(f"  FALSE POSITIVE {t['id']}: got {sorted(got)}: {t['text'][:110]!r}")
    codes = sorted(set(tp) | set(fp) | set(fn))
    per_code = {
        c: (
            tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 1.0,
            tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 1.0,
            tp[c] + fn[c],
        )
        for c in codes
    }
    return {
        "per_code": per_code,
        "bad_total": bad_total,
        "recall": bad_caught / bad_total if bad_total else 1,
        "flag_recall": bad_flagged / bad_total if bad_total else 1,
        "good_total": good_total,
        "fp_rate": good_flagged / good_total if good_total else 0,
    }


def print_breakdown(packs, texts: list[dict], results: dict) -> None:
    """Recall / false positives per source kind (team-written sets have none: "team") and per jurisdiction,
    and verbatim versus derived texts (real-material sets)."""
    groups: dict[str, dict[str, list[dict]]] = {"source kind": {}, "verbatim/derived": {}, "jurisdiction": {}}
    for t in texts:
        groups["source kind"].setdefault(t.get("sourceKind", "team"), []).append(t)
        kind = "derived" if t.get("derived") else ("verbatim" if "derived" in t else "team-written")
        groups["verbatim/derived"].setdefault(kind, []).append(t)
        groups["jurisdiction"].setdefault(t["jurisdiction"].split("-")[0], []).append(t)
    for title, table in groups.items():
        print(f"\n  by {title}:")
        print(f"  {'':16} {'texts':>6} {'non-compl':>9} {'recall':>7} {'compliant':>9} {'FP':>6}")
        for key in sorted(table):
            m = text_metrics(packs, table[key], False, results)
            print(
                f"  {key:16} {len(table[key]):6d} {m['bad_total']:9d} {m['recall']:7.3f} "
                f"{m['good_total']:9d} {m['fp_rate']:6.3f}"
            )


def _facts(d: dict) -> DebtorFacts:
    return DebtorFacts(
        jurisdiction=None,
        timezone=d.get("timezone"),
        addresses=tuple(d.get("addresses", ())),
        phones=tuple(d.get("phones", ())),
        emails=tuple(d.get("emails", ())),
        birth_date=date.fromisoformat(d["birthDate"]) if d.get("birthDate") else None,
        authorized_channels=frozenset(Channel(c) for c in d.get("authorizedChannels", ())),
        opted_out_channels=frozenset(Channel(c) for c in d.get("optedOutChannels", ())),
        cease_contact=d.get("ceaseContact", False),
        represented_by_attorney=d.get("representedByAttorney", False),
        in_litigation=d.get("inLitigation", False),
        disputed=d.get("disputed", False),
        time_barred=d.get("timeBarred", False),
    )


def run_scenario(packs, s: dict) -> tuple[bool, str]:
    facts = _facts(s["debtor"])
    facts = DebtorFacts(**{**facts.__dict__, "jurisdiction": s["jurisdiction"]})
    at = datetime.fromisoformat(s["at"])
    history = [
        InteractionFact(
            channel=Channel(h["channel"]),
            direction=Direction(h["direction"]),
            at=datetime.fromisoformat(h["at"]),
            outcome=InteractionOutcome(h["outcome"]),
            recipient_role=RecipientRole(h.get("recipientRole", "DEBTOR")),
        )
        for h in s.get("history", ())
    ]
    req = ContactRequest(
        channel=Channel(s["channel"]),
        at=at,
        recipient_role=RecipientRole(s.get("recipientRole", "DEBTOR")),
        destination=s.get("destination"),
    )
    d = evaluate_contact(req, facts, history, packs, at)
    exp = s["expected"]
    got_codes = {str(h.code) for h in d.violations}
    problems = []
    if d.allowed != exp["allowed"]:
        problems.append(f"allowed={d.allowed} want {exp['allowed']}")
    missing = set(exp.get("codes", ())) - got_codes
    if missing:
        problems.append(f"missing codes {sorted(missing)} (got {sorted(got_codes)})")
    if "nextAllowedAt" in exp:
        want = datetime.fromisoformat(exp["nextAllowedAt"]) if exp["nextAllowedAt"] else None
        if want != d.next_allowed_at:
            problems.append(f"nextAllowedAt={d.next_allowed_at} want {want}")
    return not problems, "; ".join(problems)


def speed(packs, texts: list[dict]) -> tuple[float, float]:
    longish = [t for t in texts if len(t["text"]) >= 300]
    samples = []
    for t in longish:
        text = (t["text"] + " ") * (1000 // len(t["text"]) + 1)
        samples.append((text[:1000], t))
    timings = []
    for _ in range(5):
        for text, t in samples:
            start = time.perf_counter()
            check_text(
                text,
                channel=Channel(t["channel"]),
                jurisdiction=t["jurisdiction"],
                packs=packs,
                language=t.get("language"),
            )
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--set",
        help="measure other labelled sets under tests/compliance/corpus/, comma-separated (e.g. blind11 or "
        "real1,real2): measurement only; prints figures per source kind, verbatim/derived and jurisdiction",
    )
    parser.add_argument(
        "--blind",
        action="store_true",
        help="measure the blind set v2 (tests/compliance/corpus/blind/); --show-misses lists its misses",
    )
    args = parser.parse_args()
    packs = load_packs()
    if args.blind or args.set:
        folders = (args.set or "blind").split(",")
        blind = [t for folder in folders for t in load_texts(CORPUS / folder / "texts.jsonl")]
        results = {t["id"]: run_text(packs, t) for t in blind}
        m = text_metrics(packs, blind, args.show_misses, results)
        label = "+".join(folders)
        print(
            f"Set {label}: {len(blind)} texts ({m['bad_total']} non-compliant, {m['good_total']} compliant)"
        )
        print(f"  recall on non-compliant texts (every expected code found): {m['recall']:.3f}")
        print(f"  non-compliant texts flagged at all:                        {m['flag_recall']:.3f}")
        print(f"  false positives on compliant texts:                        {m['fp_rate']:.3f}")
        print(f"  {'code':28} {'precision':>9} {'recall':>7} {'support':>8}")
        for code, (p, r, n) in m["per_code"].items():
            print(f"  {code:28} {p:9.2f} {r:7.2f} {n:8d}")
        print_breakdown(packs, blind, results)
        return 0
    texts, scenarios = load_texts(), load_scenarios()
    for label, subset in (("all", texts), ("held-out third", [t for t in texts if held_out(t["id"])])):
        m = text_metrics(packs, subset, args.show_misses and label == "all")
        print(
            f"\nTexts ({label}): {len(subset)} ({m['bad_total']} non-compliant, {m['good_total']} compliant)"
        )
        print(f"  recall on non-compliant texts (every expected code found): {m['recall']:.3f}")
        print(f"  non-compliant texts flagged at all:                        {m['flag_recall']:.3f}")
        print(f"  false positives on compliant texts:                        {m['fp_rate']:.3f}")
        if label == "all":
            print(f"  {'code':28} {'precision':>9} {'recall':>7} {'support':>8}")
            for code, (p, r, n) in m["per_code"].items():
                print(f"  {code:28} {p:9.2f} {r:7.2f} {n:8d}")
    right = 0
    misses = []
    for s in scenarios:
        ok, why = run_scenario(packs, s)
        right += ok
        if not ok:
            misses.append((s["id"], why))
    held = [s for s in scenarios if held_out(s["id"])]
    held_right = sum(run_scenario(packs, s)[0] for s in held)
    print(f"\nContact scenarios: {right}/{len(scenarios)} right; held-out third {held_right}/{len(held)}")
    if args.show_misses:
        for sid, why in misses:
            print(f"  WRONG {sid}: {why}")
    med, p99 = speed(packs, texts)
    print(f"\ncheck_text on 1,000-character texts: median {med:.3f} ms, p99 {p99:.3f} ms (in-process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
