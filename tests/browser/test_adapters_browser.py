"""Adapters inside small fake host pages (another origin) that provide the host SDK's calls: Zendesk (a fake
ZAF SDK talking to its parent frame, the app launched with a real signed app JWT) and Freshdesk (a fake FDK
client whose request templates run in the fake host's server-side proxy)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from tests.browser.conftest import FAKES, zaf_jwt

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')"
).expect

RECORD = "CRM-MX-0003"


def _no_key_in_frame(frame) -> None:
    html = frame.content()
    assert "ask_" not in html, "an API key reached the browser"


def test_zendesk_ticket_sidebar(page, demo, zendesk_key):
    fake_sdk = (FAKES / "fake-zaf-sdk.js").read_text()
    page.route(
        "https://static.zdassets.com/**",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=fake_sdk),
    )
    query = urlencode(
        {"service": demo.url, "record": RECORD, "jwt": zaf_jwt(zendesk_key[0]), "locale": "es-CO"}
    )
    page.goto(f"{demo.fake_url}/zendesk-host.html?{query}")
    app = page.frame_locator("iframe[name=app]")
    side = app.locator("asistente-sidebar")
    expect(side.locator("#card-total")).to_be_visible(timeout=30_000)
    expect(side.locator("h3").first).not_to_be_empty()
    calls = page.evaluate("window.calls")
    assert "get" in calls and "request" in calls  # record from the ZAF client, GraphQL through client.request
    # validate a plan that fails and see the counter-offer, through the host's proxy
    side.locator("#plan-n").fill("48")
    side.locator("#plan-validate").click()
    expect(side.locator("#plan-counter")).to_be_visible(timeout=30_000)
    _no_key_in_frame(page.frame(name="app"))


def test_zendesk_replayed_or_forged_jwt_shows_no_sidebar(page, demo, zendesk_key):
    from cryptography.hazmat.primitives.asymmetric import rsa

    page.route("https://static.zdassets.com/**", lambda route: route.fulfill(status=200, body=""))
    token = zaf_jwt(zendesk_key[0])
    for jwt_value in (token, token):  # the second launch replays the same JWT
        query = urlencode({"service": demo.url, "record": RECORD, "jwt": jwt_value})
        page.goto(f"{demo.fake_url}/zendesk-host.html?{query}")
        page.wait_for_load_state("networkidle")
    frame = page.frame(name="app")
    assert '"UNAUTHENTICATED"' in frame.content()
    forged = zaf_jwt(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    page.goto(
        f"{demo.fake_url}/zendesk-host.html?{urlencode({'service': demo.url, 'record': RECORD, 'jwt': forged})}"
    )
    page.wait_for_load_state("networkidle")
    assert '"UNAUTHENTICATED"' in page.frame(name="app").content()


def test_freshdesk_ticket_sidebar(page, demo):
    page.goto(f"{demo.fake_url}/freshdesk-host.html?{urlencode({'record': RECORD, 'lang': 'en'})}")
    app = page.frame_locator("#app")
    side = app.locator("asistente-sidebar")
    expect(side.locator("#card-total")).to_be_visible(timeout=30_000)
    expect(side.locator("#card-h")).to_have_text("Debtor card")
    side.locator("#plan-n").fill("48")
    side.locator("#plan-validate").click()
    expect(side.locator("#plan-verdict")).to_have_text("The plan breaks the policy.", timeout=30_000)
    expect(side.locator("#plan-counter")).to_be_visible()
    frame = next(f for f in page.frames if "/fd-app/" in f.url)
    invoked = frame.evaluate("window.invoked")
    assert invoked[0] == "asistenteSession" and set(invoked[1:]) == {"asistenteGraphql"}
    _no_key_in_frame(frame)
    # the session is bound to the ticket's record: pointing the element at another record shows nothing
    side.evaluate("(el) => el.setAttribute('record-id', 'CRM-MX-0001')")
    expect(side.locator("#card-error")).to_have_text(
        re.compile("This record is not a debtor you can see."), timeout=30_000
    )


def test_fake_hosts_exist():
    assert all((FAKES / n).is_file() for n in ("zendesk-host.html", "fake-zaf-sdk.js", "fake-fdk-client.js"))
    assert Path(__file__).parent.joinpath("conftest.py").is_file()


def test_generic_iframe_gets_its_session_by_postmessage(page, demo):
    token = demo.session(RECORD)
    page.goto(
        f"{demo.fake_url}/generic-host.html?{urlencode({'service': demo.url, 'record': RECORD, 'token': token})}"
    )
    side = page.frame_locator("#side").locator("asistente-sidebar")
    expect(side.locator("#card-total")).to_be_visible(timeout=30_000)
    assert page.evaluate("window.messages")[0] == "asistente:ready"
    assert token not in page.frame_locator("#side").locator("body").evaluate("() => location.href")
