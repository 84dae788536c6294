"""examples/replay_call.py against a real `asistente serve --demo`: both sample calls play to the end and
show what they are there to show (an objection and a promise; a rule broken by the agent)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_demo_server import BIN, ROOT, _free_port, _serve, _stop

REPLAY = ROOT / "examples" / "replay_call.py"


def _events(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.mark.skipif(not BIN.exists(), reason="the asistente console script is not installed")
def test_sample_calls_replay_against_the_demo(tmp_path):
    port = _free_port()
    proc, key = _serve(tmp_path / "demo.db", port)
    try:
        runs = {}
        for name in ("mx-promesa", "us-violation"):
            res = subprocess.run(
                [sys.executable, str(REPLAY), str(ROOT / "examples" / "calls" / f"{name}.jsonl"), "--speed", "0",
                 "--json", "--url", f"http://127.0.0.1:{port}/graphql", "--key", key],
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert res.returncode == 0, res.stderr
            runs[name] = _events(res.stdout)
    finally:
        _stop(proc)
    mx = runs["mx-promesa"]
    assert [e["seq"] for e in mx] == list(range(1, len(mx) + 1)) and mx[-1]["kind"] == "CALL_ENDED"
    assert any(
        e["kind"] == "SUGGESTIONS" and e["suggestions"]["category"] in ("NO_MONEY", "HARDSHIP") for e in mx
    )
    assert not any(e["kind"] in ("COMPLIANCE_ALERT", "DISCLOSURE_REMINDER") for e in mx)
    summary = mx[-1]["summary"]
    assert summary["disposition"] == "PROMISE_TO_PAY"
    assert summary["promise"]["amount"] == "500" and summary["promise"]["currency"] == "MXN"
    us = runs["us-violation"]
    kinds = [e["kind"] for e in us]
    assert "DISCLOSURE_REMINDER" in kinds and "COMPLIANCE_ALERT" in kinds and kinds[-1] == "CALL_ENDED"
    alert = next(e for e in us if e["kind"] == "COMPLIANCE_ALERT")
    assert "THREAT_OF_ARREST" in {v["code"] for v in alert["compliance"]["violations"]}
    assert us[-1]["summary"]["disposition"] == "ATTORNEY_OR_BANKRUPTCY"
    assert Path(REPLAY).read_text(encoding="utf-8").startswith('"""Replay a call transcript')
