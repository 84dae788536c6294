"""Replay a call transcript against a running asistente and print what the sidebar would show.

    python examples/replay_call.py examples/calls/mx-promesa.jsonl --key ask_...
    python examples/replay_call.py examples/calls/us-violation.jsonl --key ask_... --speed 0

The transcript is JSON Lines. An optional first line without "speaker" names the debtor:
    {"debtorExternalId": "CRM-MX-0001", "description": "..."}
then one line per turn:
    {"delay": 1.5, "speaker": "AGENT" | "DEBTOR", "text": "..."}
"delay" is the seconds to wait before the turn is sent (default 1; divided by --speed; --speed 0 sends
without waiting). The script subscribes to callAssist (WebSocket, graphql-transport-ws), pushes each turn
with pushTranscript, ends the call with endCall (unless --no-end) and prints every event as it arrives.
Needs the `websockets` package (installed with the service); everything else is the standard library.

The URL is --url, else $ASISTENTE_URL, else http://127.0.0.1:$PORT/graphql (PORT defaults to 8000). The key
is --key, else $ASISTENTE_KEY, else the demo's .asistente-demo-key file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PUSH = """mutation($input: PushTranscriptInput!) { pushTranscript(input: $input) { seq kind } }"""
END = """mutation($c: ID!) { endCall(callId: $c) { disposition crmCode reasons summary
  promise { amount currency dueDate } objections auditId } }"""
DEBTOR = "query($e: String!) { debtorByExternalId(externalId: $e) { id fullName } }"
ASSIST = """subscription($c: ID!) { callAssist(callId: $c) {
  seq kind speaker text auditId
  suggestions { category confidence suggestions { text technique } nextSteps { kind message } }
  compliance { compliant violations { ruleId code message } warnings { ruleId code message } }
  summary { disposition crmCode reasons summary promise { amount currency dueDate } } } }"""


def default_url() -> str:
    return os.environ.get("ASISTENTE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/graphql"


def default_key() -> str | None:
    key = os.environ.get("ASISTENTE_KEY")
    if key:
        return key
    path = Path(".asistente-demo-key")
    return path.read_text(encoding="utf-8").strip().split()[-1] if path.exists() else None


def read_transcript(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header (may be empty) and the turns; a bad line stops with its number and reason."""
    header: dict[str, Any] = {}
    turns: list[dict[str, Any]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict):
            raise SystemExit(f"{path}:{n}: each line is a JSON object")
        if "speaker" not in item:
            if turns:
                raise SystemExit(f"{path}:{n}: a turn needs a speaker (AGENT or DEBTOR)")
            header = item
            continue
        if item["speaker"] not in ("AGENT", "DEBTOR") or not isinstance(item.get("text"), str):
            raise SystemExit(f"{path}:{n}: speaker is AGENT or DEBTOR and text is a string")
        delay = item.get("delay", 1.0)
        if not isinstance(delay, int | float) or delay < 0:
            raise SystemExit(f"{path}:{n}: delay is a number of seconds, 0 or more")
        turns.append(item)
    if not turns:
        raise SystemExit(f"{path}: no turns")
    return header, turns


def post(url: str, key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"content-type": "application/json", "authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as res:
            return json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read() or b"{}")
    except urllib.error.URLError as exc:
        raise SystemExit(f"cannot reach {url} ({exc.reason}): start the demo first (make demo)") from None


def show(event: dict[str, Any], raw: bool) -> None:
    if raw:
        print(json.dumps(event, ensure_ascii=False), flush=True)
        return
    who = event.get("speaker") or "-"
    print(f"#{event['seq']:>3} {event['kind']:<19} {who:<6} {event.get('text') or ''}", flush=True)
    s = event.get("suggestions")
    if s:
        print(f"       objection {s['category']} ({s['confidence']:.2f})")
        for item in s["suggestions"]:
            print(f"       > [{item['technique']}] {item['text']}")
        for step in s["nextSteps"]:
            print(f"       next: {step['kind']}: {step['message']}")
    c = event.get("compliance")
    if c and event["kind"] in ("COMPLIANCE_ALERT", "DISCLOSURE_REMINDER"):
        for hit in c["violations"] + c["warnings"]:
            print(f"       ! {hit['code']} ({hit['ruleId']}): {hit['message']}")
    summary = event.get("summary")
    if summary:
        print(f"       disposition {summary['disposition']} (CRM code: {summary['crmCode'] or '-'})")
        for reason in summary["reasons"]:
            print(f"       because {reason}")
        if summary["promise"]:
            p = summary["promise"]
            print(f"       promise {p['amount']} {p['currency']} on {p['dueDate']}")
        print(f"       {summary['summary']}")


async def follow(ws_url: str, key: str, call_id: str, ready: asyncio.Event, raw: bool) -> None:
    import websockets

    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise SystemExit(f"the server refused the WebSocket: {ack}")
        payload = {"query": ASSIST, "variables": {"c": call_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        ready.set()
        async for message in ws:
            msg = json.loads(message)
            if msg["type"] == "next":
                if msg["payload"].get("errors"):
                    print(f"stream error: {msg['payload']['errors']}", file=sys.stderr)
                    continue
                show(msg["payload"]["data"]["callAssist"], raw)
            elif msg["type"] == "error":
                raise SystemExit(f"subscription refused: {msg['payload']}")
            elif msg["type"] == "complete":
                return


async def replay(args: argparse.Namespace) -> int:
    header, turns = read_transcript(Path(args.transcript))
    external = args.debtor or header.get("debtorExternalId")
    if not external:
        raise SystemExit('which debtor? give --debtor EXTERNAL_ID or a first line {"debtorExternalId": ...}')
    found = post(args.url, args.key, DEBTOR, {"e": external})
    debtor = (found.get("data") or {}).get("debtorByExternalId")
    if not debtor:
        raise SystemExit(f"debtor {external}: {found.get('errors') or 'not found'}")
    call_id = args.call_id or f"replay-{Path(args.transcript).stem}-{int(time.time())}"
    print(f"call {call_id} with {debtor['fullName']} ({external}); {len(turns)} turns", flush=True)
    ws_url = args.url.replace("https://", "wss://").replace("http://", "ws://")
    ready = asyncio.Event()
    follower = asyncio.create_task(follow(ws_url, args.key, call_id, ready, args.json))
    await asyncio.wait_for(ready.wait(), 15)
    for turn in turns:
        delay = float(turn.get("delay", 1.0))
        if args.speed > 0 and delay:
            await asyncio.sleep(delay / args.speed)
        variables = {
            "input": {
                "callId": call_id,
                "debtorId": debtor["id"],
                "speaker": turn["speaker"],
                "text": turn["text"],
            }
        }
        answer = await asyncio.to_thread(post, args.url, args.key, PUSH, variables)
        if answer.get("errors"):
            print(f"turn refused: {answer['errors']}", file=sys.stderr)
            follower.cancel()
            return 1
    if args.no_end:
        await asyncio.sleep(1.0)
        follower.cancel()
        return 0
    ended = await asyncio.to_thread(post, args.url, args.key, END, {"c": call_id})
    if ended.get("errors"):
        print(f"endCall refused: {ended['errors']}", file=sys.stderr)
        follower.cancel()
        return 1
    await asyncio.wait_for(follower, 30)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("transcript", help="JSON Lines file of turns (see examples/calls/)")
    parser.add_argument("--url", default=default_url())
    parser.add_argument("--key", default=default_key(), help="agent key or session token")
    parser.add_argument("--debtor", help="debtor external id (else the transcript's first line)")
    parser.add_argument("--call-id", help="default: replay-<file>-<unix time>")
    parser.add_argument("--speed", type=float, default=1.0, help="2 = twice as fast, 0 = no delays")
    parser.add_argument("--no-end", action="store_true", help="leave the call open (no endCall)")
    parser.add_argument("--json", action="store_true", help="print each event as JSON")
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("give --key (or set ASISTENTE_KEY); `make demo` prints an agent key")
    if args.speed < 0:
        parser.error("--speed: 0 or more")
    return asyncio.run(replay(args))


if __name__ == "__main__":
    sys.exit(main())
