"""Single-use payment links through Stripe's official SDK, against a local fake of Stripe's HTTP API."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.api.test_drafts_api import (
    DESTINATIONS,
    PROFILE,
    SET_DEST,
    SET_PROFILE,
    Tenant,
    _ok,
    us_record,
)

pytest.importorskip("stripe", reason="the stripe SDK (extra 'payments') is not installed")


class FakeStripe:
    """POST /v1/checkout/sessions as Stripe answers it (the fields a caller reads), recording each request."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail = False
        self.base_url = ""

    async def sessions(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        self.requests.append({"auth": request.headers.get("authorization"), "form": form})
        if self.fail:
            return JSONResponse({"error": {"type": "api_error", "message": "scripted"}}, status_code=500)
        n = len(self.requests)
        return JSONResponse(
            {
                "id": f"cs_test_{n:04d}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.com/c/pay/cs_test_{n:04d}",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "client_reference_id": form.get("client_reference_id"),
                "expires_at": int(form["expires_at"]),
                "status": "open",
                "mode": "payment",
            }
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    port = _free_port()
    app = Starlette(routes=[Route("/v1/checkout/sessions", fake.sessions, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "fake Stripe did not start"
        time.sleep(0.01)
    fake.base_url = f"http://127.0.0.1:{port}"
    yield fake
    server.should_exit = True
    thread.join(timeout=5)


async def test_a_dynamic_stripe_destination_gets_a_single_use_link(api, fake_stripe, clock):
    fake_stripe.requests.clear()
    fake_stripe.fail = False
    t = await Tenant(api).setup()
    profile = {**PROFILE, "stripe": {"secretKey": "sk_test_fakekey12345678", "apiBase": fake_stripe.base_url}}
    await api.ok(SET_PROFILE, {"p": profile}, key=t.admin)
    dests = {
        **DESTINATIONS,
        "destinations": [
            {**d, "dynamic": True} if d["id"] == "stripe-us" else d for d in DESTINATIONS["destinations"]
        ],
    }
    await api.ok(SET_DEST, {"d": dests}, key=t.admin)
    debtor = await t.debtor(us_record())
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    [link] = out["paymentDestinations"]
    assert link["singleUse"] is True and link["url"] == "https://checkout.stripe.com/c/pay/cs_test_0001"
    assert link["url"] in out["text"] and out["compliance"]["compliant"] is True
    [req] = fake_stripe.requests
    assert req["auth"] == "Bearer sk_test_fakekey12345678"
    form = req["form"]
    assert form["mode"] == "payment" and form["line_items[0][price_data][currency]"] == "usd"
    assert form["line_items[0][price_data][unit_amount]"] == "1200050"  # 12,000.50 USD in cents
    assert form["client_reference_id"] == "US-1-A0" and form["metadata[reference]"] == "US-1-A0"
    expires = int(form["expires_at"]) - int(clock.value.timestamp())
    assert 1800 <= expires <= 24 * 3600
    # the provider failing leaves the registered template link, never an error
    fake_stripe.fail = True
    out = _ok(await t.draft(debtorId=debtor, channel="EMAIL", purpose="REMINDER"))
    [link] = out["paymentDestinations"]
    assert link["singleUse"] is False and link["url"].startswith("https://pay.andina.example/us?ref=US-1-A0")
    events = "{ auditEvents(first: 1, filter: {kind: DRAFT}) { edges { node { output } } } }"
    node = (await api.ok(events, key=t.compliance))["auditEvents"]["edges"][0]["node"]
    assert node["output"]["links"]["stripe-us"]["error"]
