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
    expect(side.locator("#plan-counter")).to_have_count(0)  # the previous debtor's results are gone


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


def test_panels_against_answers_shaped_by_the_contract(page, demo):
    """Objections, drafts and the live call render what API.md says the service answers, and send what it
    says they take (the real service runs these in test_demo_browser.py once the operations are merged)."""
    page.goto(f"{demo.fake_url}/panels.html?{urlencode({'service': demo.url})}")
    side = page.locator("asistente-sidebar")
    expect(side.locator("#card-total")).to_have_text("S/ 4,820.50", timeout=30_000)
    expect(side.locator("#card-contact li").first).to_contain_text(
        "No permitido ahora — Próximo: 7 dic. 2026, 8:00 a. m."
    )
    # objection box: ranked answers, copy, next steps in the agent's language, feedback on the auditId
    side.locator("#obj-text").fill("ya pagué la semana pasada")
    side.locator("#obj-suggest").click()
    expect(side.locator("#obj-result li.suggestion")).to_have_count(2)
    expect(side.locator("#obj-result [data-category]")).to_have_text("Dice que ya pagó")
    expect(side.locator("#obj-result li[data-kind=REQUEST_PROOF]")).to_have_text("Pida el comprobante")
    side.locator("#obj-result li.suggestion").nth(1).locator("button.edited").click()
    side.locator("#obj-edit-1").fill("Reviso si su pago ya se aplicó, deme un momento.")
    side.locator("#obj-result button.save-edit").click()
    expect(side.locator("#obj-status")).to_have_text("Gracias: quedó registrado.")
    sent = page.evaluate("window.sent")
    suggest = next(s for s in sent if s["name"] == "AsistenteSuggest")
    assert suggest["variables"] == {"input": {"debtorId": "d-1", "utterance": "ya pagué la semana pasada"}}
    feedback = next(s for s in sent if s["name"] == "AsistenteFeedback")
    assert feedback["variables"] == {
        "auditId": "audit-sugg-1",
        "action": "EDITED",
        "finalText": "Reviso si su pago ya se aplicó, deme un momento.",
    }
    # drafts
    side.locator("#draft summary").click()
    side.locator("#draft-channel").select_option("WHATSAPP")
    side.locator("#draft-purpose").select_option("PROMISE_CONFIRMATION")
    side.locator("#draft-go").click()
    expect(side.locator("#draft-verdict")).to_have_text("Cumple las reglas de contacto.")
    draft = next(s for s in page.evaluate("window.sent") if s["name"] == "AsistenteDraft")
    assert draft["variables"]["input"] == {
        "debtorId": "d-1",
        "channel": "WHATSAPP",
        "purpose": "PROMISE_CONFIRMATION",
        "language": "es",
    }
    # live call: follow, suggestions as the debtor speaks, an alert as the agent speaks, a reminder, wrap-up
    side.evaluate("(el) => el.followCall('call-77')")
    assert page.evaluate("window.subscribed.variables") == {"callId": "call-77"}
    page.evaluate(
        """() => {
        emit({callId: 'call-77', seq: 1, at: '2026-12-07T15:16:00Z', kind: 'DISCLOSURE_REMINDER', speaker: 'AGENT',
              text: 'Recuerde identificarse y decir el propósito de la llamada', auditId: 'a1', suggestions: null,
              compliance: {compliant: false, violations: [{code: 'MISSING_IDENTIFICATION', message: 'Falta identificarse / Missing identification'}], warnings: []}});
        emit({callId: 'call-77', seq: 2, at: '2026-12-07T15:16:10Z', kind: 'SUGGESTIONS', speaker: 'DEBTOR',
              text: 'ya pagué la semana pasada', auditId: 'a2', compliance: null, suggestions: {
                category: 'ALREADY_PAID', confidence: 0.9, suggestions: [{id: 's-9', text: '¿Me da el número de operación?', rationale: null}],
                nextSteps: [], auditId: 'a2'}});
        emit({callId: 'call-77', seq: 3, at: '2026-12-07T15:16:30Z', kind: 'COMPLIANCE_ALERT', speaker: 'AGENT',
              text: 'Si no paga lo denunciamos', auditId: 'a3', suggestions: null,
              compliance: {compliant: false, violations: [{code: 'FALSE_LEGAL_THREAT', message: 'Amenaza legal falsa / False legal threat'}], warnings: []}});
        }"""
    )
    events = side.locator("#live-events > li")
    expect(events).to_have_count(3)
    expect(events.nth(0)).to_contain_text("Falta identificarse")
    expect(events.nth(1).locator("li.suggestion")).to_have_text(re.compile("número de operación"))
    expect(events.nth(2).locator("[data-code=FALSE_LEGAL_THREAT]")).to_have_text("Amenaza legal falsa")
    side.locator("#live-end").click()
    expect(side.locator("#live-wrapup")).to_contain_text("prometió enviar el comprobante")
    expect(side.locator("#live-wrapup [data-disposition]")).to_have_text("DISPUTE")
    expect(side.locator("#live-wrapup [data-code=THREAT_OF_ARREST]")).to_have_text("Amenaza de arresto")
    assert page.js_errors == []
