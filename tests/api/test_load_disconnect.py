"""Clients that go away mid-request (issue 15, "Bad input"), over raw sockets to the real app served by
uvicorn: a write whose body was sent and whose connection is then closed (politely or by a reset, at once
or a few milliseconds later), a body cut short, and reads that wait for a database someone else holds,
abandoned while they wait. The server stays up; each write is stored whole or not at all and is in the
ledger if and only if it is stored; no connection leaks from the pool; later requests and /healthz answer."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from decimal import Decimal

import httpx
from sqlalchemy import select

from asistente.audit.models import AuditEvent, AuditFeedback
from asistente.portfolio.models import Payment
from tests.api.load_support import (
    CARD,
    CREATE,
    FEEDBACK,
    PAY,
    PERMISSION,
    Live,
    assert_ledger_intact,
    assert_stored_exactly,
    checked_out_settles,
    database_url,
    live_service,
    writes_held,
)


def _send(live: Live, key: str, query: str, variables: dict, *, cut: int = 0) -> socket.socket:
    """A POST sent on a socket of its own, all but the last `cut` bytes of its body; the socket is returned
    unread."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
    sock.sendall(head + body[: len(body) - cut])
    return sock


def _hang_up(sock: socket.socket, *, reset: bool) -> None:
    if reset:  # SO_LINGER 0: close() sends RST instead of FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _ok(c: httpx.Client, live: Live, query: str, variables: dict, key: str) -> dict:
    r = c.post("/graphql", json={"query": query, "variables": variables}, headers=live.headers(key))
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def _applied_payment_ids(live: Live) -> list[str]:
    with live.factory() as s:
        events = s.scalars(select(AuditEvent.input).where(AuditEvent.kind == "AGREEMENT_DECISION")).all()
    return [e["paymentId"] for e in events if e.get("action") == "PAYMENT_APPLIED"]


def test_clients_that_hang_up_mid_request(engine, settings, clock):
    with (
        live_service(database_url(engine), settings, clock, wait_seconds=10) as live,
        httpx.Client(base_url=live.base, timeout=30) as c,
    ):
        debtor, account = live.debtors[0], live.accounts[0]
        # an ACTIVE agreement on the account: every payment stored is applied to it, a recorded decision
        plan = {
            "debtorId": debtor,
            "accountIds": [account],
            "kind": "SINGLE_PAYMENT",
            "firstPaymentDate": "2026-11-25",
        }
        _ok(c, live, CREATE, {"i": plan}, live.supervisor)
        shown = [
            _ok(c, live, PERMISSION, {"d": d}, live.supervisor)["contactPermission"]["auditId"]
            for d in live.debtors
        ]

        # writes whose whole body was sent, then the client hangs up (at once or a little later)
        sent: dict[str, tuple[str, Decimal]] = {}
        for i in range(16):
            ref = f"gone-{i}"
            sent[ref] = (account, Decimal("7.50"))
            pay = {
                "accountId": account,
                "amount": "7.50",
                "currency": "MXN",
                "paidAt": "2026-11-20T09:00:00Z",
                "reference": ref,
            }
            sockets = [_send(live, live.admin, PAY, {"i": pay})]
            if i < len(shown):
                sockets.append(_send(live, live.supervisor, FEEDBACK, {"id": shown[i]}))
            time.sleep((0, 0.001, 0.005, 0.02)[i % 4])
            for s in sockets:
                _hang_up(s, reset=i % 2 == 0)
        # bodies cut short: nothing runs
        for i in range(4):
            pay = {
                "accountId": account,
                "amount": "7.50",
                "currency": "MXN",
                "paidAt": "2026-11-20T09:00:00Z",
                "reference": f"cut-{i}",
            }
            _hang_up(_send(live, live.admin, PAY, {"i": pay}, cut=5), reset=i % 2 == 0)

        # reads abandoned while they wait for a database another client holds
        with writes_held(live):
            waiting = [_send(live, live.supervisor, PERMISSION, {"d": d}) for d in live.debtors]
            waiting += [_send(live, live.supervisor, CARD, {"id": d}) for d in live.debtors[:3]]
            time.sleep(0.5)
            for i, s in enumerate(waiting):
                _hang_up(s, reset=i % 2 == 0)
            time.sleep(0.3)

        # the server is up and answers; what it stored is whole
        assert c.get("/healthz").json() == {"status": "ok"}
        after = {
            "accountId": account,
            "amount": "1.00",
            "currency": "MXN",
            "paidAt": "2026-11-20T10:00:00Z",
            "reference": "after",
        }
        # the abandoned requests finish in the background, each giving its connection back
        assert checked_out_settles(live.engine) == 0, "a connection is still checked out of the pool"
        data = _ok(c, live, PAY, {"i": after}, live.admin)["recordPayment"]
        assert data["agreement"] is not None and not data["duplicate"]
        assert checked_out_settles(live.engine) == 0, "a connection is still checked out of the pool"

        with live.factory() as s:
            stored = {r.reference: r.id for r in s.execute(select(Payment.reference, Payment.id))}
            feedback_rows = set(s.scalars(select(AuditFeedback.event_id)).all())
            feedback_events = [
                e["eventId"]
                for e in s.scalars(select(AuditEvent.input).where(AuditEvent.kind == "FEEDBACK")).all()
            ]
        assert not {r for r in stored if r.startswith("cut-")}, "a request with half a body ran"
        acked = {r: sent[r] for r in stored if r in sent}
        acked["after"] = (account, Decimal("1.00"))
        assert_stored_exactly(live, acked)  # stored whole or not at all, balances exact
        # in the ledger if and only if stored: one PAYMENT_APPLIED per stored payment, one FEEDBACK per row
        applied = _applied_payment_ids(live)
        assert sorted(applied) == sorted(stored.values())
        assert sorted(feedback_events) == sorted(feedback_rows)
        assert_ledger_intact(live)

        # and it keeps serving, concurrently, as before
        results: list[dict] = []

        def read(d: str) -> None:
            with httpx.Client(base_url=live.base, timeout=30) as cc:
                results.append(_ok(cc, live, CARD, {"id": d}, live.supervisor))

        threads = [threading.Thread(target=read, args=(d,)) for d in live.debtors * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(results) == 2 * len(live.debtors)
        assert checked_out_settles(live.engine) == 0
