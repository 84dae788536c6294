"""CPU per objection classification on new texts, this tree against an older revision IN THE SAME RUN.

Each side runs in its own fresh interpreter (PYTHONPATH = its src), rounds interleaved so both see the same
machine load: load time of the classifier, then every labelled utterance (tests/objections/corpus/*,
blind/*) classified once per pass, each a text that interpreter has not classified before in that pass
(no cache in the classifier; no result is memoised across calls). Reports CPU time per call
(time.process_time over the pass) and the per-call wall-time median / p90 / p99.
`--callgrind` also counts instructions per classify with valgrind (repeatable on a noisy machine): a run
classifying every 10th labelled text minus a run classifying none, divided by the number of texts.

    PYTHONPATH=src .venv/bin/python benchmarks/objection_cpu.py [--old REV] [--rounds 3] [--callgrind]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
root, mode, step = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
texts = [json.loads(l)["text"] for folder in ("corpus", "blind")
         for p in sorted((root / "tests/objections" / folder).glob("*.jsonl"))
         for l in p.read_text(encoding="utf-8").splitlines() if l.strip()][::step]
t0, c0 = time.perf_counter(), time.process_time()
from asistente.objections.classifier import load_classifier
clf = load_classifier()
load_wall, load_cpu = time.perf_counter() - t0, time.process_time() - c0
if mode == "none":
    texts = []
times = []
c0 = time.process_time()
for t in texts:
    s = time.perf_counter()
    clf.classify(t)
    times.append(time.perf_counter() - s)
cpu = time.process_time() - c0
print(json.dumps({"load_wall": load_wall, "load_cpu": load_cpu, "cpu": cpu, "times": times}))
"""


def export(rev: str, into: Path) -> Path:
    data = subprocess.check_output(["git", "-C", str(ROOT), "archive", rev, "src", "schema"])
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def child(src: Path, mode: str = "all", step: int = 1, wrap: list[str] | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [*(wrap or []), sys.executable, "-c", CHILD, str(src), str(ROOT), mode, str(step)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1]) if not wrap else {"stderr": out.stderr}


def callgrind_ir(src: Path, mode: str, step: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        wrap = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        child(src, mode, step, wrap)
        summary = re.search(r"^(?:summary|totals):\s*(\d+)", out.read_text(), re.MULTILINE)
        return int(summary.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--callgrind", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sides = {f"old ({args.old})": export(args.old, Path(tmp)), "new (this tree)": ROOT / "src"}
        runs: dict[str, list[dict]] = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name, src in sides.items():
                runs[name].append(child(src))
        for name, rs in runs.items():
            n = len(rs[0]["times"])
            times = sorted(t for r in rs for t in r["times"])
            cpu = statistics.median(r["cpu"] for r in rs) / n
            print(
                f"{name}: load {statistics.median(r['load_wall'] for r in rs):.3f} s wall "
                f"({statistics.median(r['load_cpu'] for r in rs):.3f} s CPU); classify {n} texts x "
                f"{len(rs)}: CPU {cpu * 1e3:.3f} ms/call, wall median {statistics.median(times) * 1e3:.3f} ms, "
                f"p90 {times[int(len(times) * 0.9)] * 1e3:.3f} ms, p99 {times[int(len(times) * 0.99)] * 1e3:.3f} ms, "
                f"max {times[-1] * 1e3:.3f} ms"
            )
        if args.callgrind:
            step = 10
            n = len(child(ROOT / "src", "all", step)["times"])
            for name, src in sides.items():
                base = callgrind_ir(src, "none", step)
                ir = (callgrind_ir(src, "all", step) - base) / n
                print(
                    f"{name}: callgrind {ir:,.0f} instructions per classify ({n} texts, every {step}th labelled one); "
                    f"interpreter start, imports and load {base:,} instructions"
                )
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
