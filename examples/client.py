"""A small asistente client using only the Python standard library.

    python examples/client.py --url http://127.0.0.1:8000/graphql --key ask_...

Lists a few Mexican debtors, shows one card, asks whether a call is allowed now, and checks a text.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

QUERIES = Path(__file__).parent / "queries"


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
        if payload.get("errors"):
            raise AsistenteError(payload["errors"])
        return payload["data"]

    def run(self, name: str, variables: dict | None = None) -> dict:
        return self.execute((QUERIES / f"{name}.graphql").read_text(encoding="utf-8"), variables)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--key", required=True, help="an API key or agent token")
    args = parser.parse_args()
    client = Client(args.url, args.key)
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
    except AsistenteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
