"""A small asistente client using only the Python standard library. Start the demo first (`make demo`).

    python examples/client.py --key ask_...                        # a short tour of the demo
    python examples/client.py --key ask_... list                   # every example operation
    python examples/client.py --key ask_... run validate_agreement # run one, with its example variables

The URL is --url, else $ASISTENTE_URL, else http://127.0.0.1:$PORT/graphql (PORT defaults to 8000, as
`make demo PORT=...`). Each example is `queries/NAME.graphql` with its variables in `queries/NAME.json`;
in those, "@debtor:EXT" and "@account:EXT" stand for the id of the demo debtor or account with that
external id, "@now" for the current instant, "@date:+N" for the date N days from today, and
"@auditId:NAME" for the audit id returned by running example NAME. "_role" names the role the example
needs (AGENT unless said; the demo prints an AGENT key).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

QUERIES = Path(__file__).parent / "queries"


def default_url() -> str:
    return os.environ.get("ASISTENTE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/graphql"


def example_names() -> list[str]:
    return sorted(p.stem for p in QUERIES.glob("*.graphql"))


def example_variables(name: str) -> dict:
    path = QUERIES / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def resolve(value, execute: Callable[[str, dict], dict], now: datetime | None = None):
    """Replace the "@..." references of an example's variables with real values from the server."""
    now = now or datetime.now(UTC)
    today: date = now.date()
    if isinstance(value, dict):
        return {k: resolve(v, execute, now) for k, v in value.items() if k != "_role"}
    if isinstance(value, list):
        return [resolve(v, execute, now) for v in value]
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    kind, _, arg = value[1:].partition(":")
    if kind == "now":
        return now.replace(microsecond=0).isoformat()
    if kind == "date":
        as_instant = arg.endswith("T")
        day = today + timedelta(days=int(arg.rstrip("T")))
        return f"{day.isoformat()}T00:00:00+00:00" if as_instant else day.isoformat()
    if kind in ("debtor", "account"):
        debtor_ext = arg if kind == "debtor" else "CRM-" + arg.removeprefix("ACC-").rsplit("-", 1)[0]
        card = execute(
            "query($e: String!) { debtorByExternalId(externalId: $e) { id accounts { id externalId } } }",
            {"e": debtor_ext},
        )["debtorByExternalId"]
        if card is None:
            raise LookupError(f"{value}: no such demo debtor")
        if kind == "debtor":
            return card["id"]
        return next(a["id"] for a in card["accounts"] if a["externalId"] == arg)
    if kind == "auditId":
        data = execute(
            (QUERIES / f"{arg}.graphql").read_text("utf-8"), resolve(example_variables(arg), execute)
        )
        return _find(data, "auditId")
    raise ValueError(f"unknown reference {value!r}")


def _find(data, key: str):
    if isinstance(data, dict):
        if data.get(key):
            return data[key]
        for v in data.values():
            found = _find(v, key)
            if found:
                return found
    if isinstance(data, list):
        for v in data:
            found = _find(v, key)
            if found:
                return found
    return None


class AsistenteError(Exception):
    def __init__(self, errors: list[dict]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.get('extensions', {}).get('code')}: {e['message']}" for e in errors))


class Client:
    def __init__(self, url: str, key: str, timeout: float = 10.0) -> None:
        self.url, self.key, self.timeout = url, key, timeout

    def execute(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "content-type": "application/json",
                "accept": "application/graphql-response+json",
                "authorization": f"Bearer {self.key}",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                payload = json.load(res)
        except urllib.error.HTTPError as exc:  # 4xx carry a GraphQL body with coded errors
            payload = json.load(exc)
        except urllib.error.URLError as exc:
            raise ConnectionError(
                f"cannot reach {self.url} ({exc.reason}): start the demo first (make demo), "
                "or pass --url / set ASISTENTE_URL"
            ) from None
        if payload.get("errors"):
            raise AsistenteError(payload["errors"])
        return payload["data"]

    def run(self, name: str, variables: dict | None = None) -> dict:
        return self.execute((QUERIES / f"{name}.graphql").read_text(encoding="utf-8"), variables)

    def run_example(self, name: str) -> dict:
        """Run example NAME with its example variables, references resolved."""
        return self.run(name, resolve(example_variables(name), self.execute))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=default_url())
    parser.add_argument("--key", required=True, help="an API key or agent token")
    parser.add_argument("command", nargs="?", choices=["tour", "list", "run"], default="tour")
    parser.add_argument("name", nargs="?", help="with run: the example's name (see list)")
    args = parser.parse_args()
    client = Client(args.url, args.key)
    if args.command == "list":
        for name in example_names():
            role = example_variables(name).get("_role", "AGENT")
            print(f"{name:28} (role {role})")
        return 0
    if args.command == "run":
        if args.name not in example_names():
            print(f"error: unknown example {args.name!r}; see `list`", file=sys.stderr)
            return 2
        try:
            print(json.dumps(client.run_example(args.name), ensure_ascii=False, indent=2))
        except (AsistenteError, ConnectionError, LookupError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    try:
        queue = client.run("work_queue")["debtors"]["edges"]
        if not queue:
            print("no debtors in the queue")
            return 0
        debtor = queue[0]["node"]
        card = client.run("debtor_card", {"id": debtor["id"]})["debtor"]
        print(
            f"{card['fullName']} ({card['jurisdiction']}, {card['localTime']}): segment {card['segment']['code']}, "
            f"risk {card['risk']['level']}"
        )
        for total in card["totals"]:
            print(f"  owes {total['balance']} {total['currency']} on {total['accounts']} account(s)")
        perm = client.run("contact_permission", {"debtorId": debtor["id"], "channel": "CALL"})[
            "contactPermission"
        ]
        verdict = "allowed" if perm["allowed"] else f"not allowed; next at {perm['nextAllowedAt']}"
        print(f"  call now: {verdict}")
        for v in perm["violations"]:
            print(f"    {v['code']} ({v['ruleId']}): {v['message']}")
        report = client.run(
            "check_compliance",
            {
                "input": {
                    "text": "Si no paga hoy lo vamos a meter a la cárcel",
                    "channel": "SMS",
                    "debtorId": debtor["id"],
                }
            },
        )
        print(f"  text compliant: {report['checkCompliance']['compliant']}")
        for v in report["checkCompliance"]["violations"]:
            print(f"    {v['code']}: {v['message']}")
    except (AsistenteError, ConnectionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
