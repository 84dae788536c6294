"""CRM host proofs verified by the service before it mints a short-lived agent session: Zendesk's signed app
JWT, HubSpot's v3 request signature, Salesforce's Canvas signed request and a Flex token validated with Twilio
(a local fake of Twilio's endpoint). Tampered, expired, replayed or foreign proofs read UNAUTHENTICATED."""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from asistente.hosts.verify import canvas_signature, hubspot_v3_signature
from asistente.settings import Settings
from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes

AUD = "https://acme.zendesk.com/api/v2/apps/installations/4242.json"
HUBSPOT_SECRET = "hs-client-secret-0123456789"
CANVAS_SECRET = "sf-consumer-secret-0123456789"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "twilio-auth-token-0123456789"
CARD = "query($e: String!){ debtorByExternalId(externalId: $e) { id externalId } }"


def _rsa() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, pem


ZENDESK_KEY, ZENDESK_PEM = _rsa()
OTHER_KEY, _ = _rsa()


class FakeTwilio(BaseHTTPRequestHandler):
    """POST /v1/Accounts/{sid}/Tokens/validate with Basic auth, as twilio-flex-token-validator calls it."""

    valid_tokens: dict[str, str] = {}

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if (
            self.path != f"/v1/Accounts/{ACCOUNT_SID}/Tokens/validate"
            or self.headers.get("authorization") != expected
        ):
            self._send(401, {"code": 20003, "message": "Authenticate"})
        elif body.get("token") in self.valid_tokens:
            identity = self.valid_tokens[body["token"]]
            self._send(
                200,
                {
                    "valid": True,
                    "identity": identity,
                    "roles": ["agent"],
                    "expiration": "2026-11-21T00:00:00Z",
                },
            )
        else:
            self._send(200, {"valid": False, "code": 20101, "message": "Invalid Access Token"})

    def _send(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def twilio():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def settings(twilio) -> Settings:
    return Settings(demo=False, introspection=True, auth_cache_seconds=0, twilio_iam_url=twilio)


HOSTS = {
    "version": "2026.12.1",
    "zendesk": {"publicKey": ZENDESK_PEM, "audience": AUD},
    "hubspot": {"clientSecret": HUBSPOT_SECRET},
    "salesforce": {"consumerSecret": CANVAS_SECRET},
    "flex": {"accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN},
}
SET_HOSTS = "mutation($s: JSON!){ setHostSettings(settings: $s) }"


@pytest.fixture
async def acme(api):
    admin = api.key("acme", "ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record("acme-A"), debtor_record("acme-B")]}, key=admin)
    saved = await api.ok(SET_HOSTS, {"s": HOSTS}, key=admin)
    return admin, saved["setHostSettings"]


def _boot(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="asistente-boot">(.*?)</script>', html, re.S)
    assert m, html[:500]
    return json.loads(m.group(1))


async def _reads(api, token: str, record: str) -> list[str]:
    body = await api.gql(CARD, {"e": record}, key=token)
    return error_codes(body) or ["OK"]


# ----------------------------------------------------------------------------------------- settings
async def test_host_settings_are_validated_and_secrets_never_read_back(api, acme):
    admin, saved = acme
    assert saved["hubspot"]["clientSecret"] == "(set)" and saved["zendesk"]["audience"] == AUD
    read = await api.ok("{ hostSettings }", key=admin)
    assert HUBSPOT_SECRET not in json.dumps(read) and CANVAS_SECRET not in json.dumps(read)
    bad = await api.gql(
        SET_HOSTS, {"s": {"version": "1", "zendesk": {"publicKey": "x", "audience": AUD}}}, key=admin
    )
    assert error_codes(bad) == ["BAD_INPUT"] and "zendesk.publicKey" in bad["errors"][0]["message"]
    agent = api.key("acme", "AGENT", agent="u-9")
    assert error_codes(await api.gql(SET_HOSTS, {"s": HOSTS}, key=agent)) == ["FORBIDDEN"]


# ----------------------------------------------------------------------------------------- Zendesk
def _zaf(clock, *, key=ZENDESK_KEY, aud=AUD, sub="zd-user-7", age=0, **extra) -> str:
    now = int((clock.value - timedelta(seconds=age)).timestamp())
    claims = {"iss": "acme.zendesk.com", "aud": aud, "sub": sub, "iat": now, "exp": now + 300, **extra}
    return jwt.encode(claims, key, algorithm="RS256")


async def test_zendesk_signed_app_jwt(api, acme, clock):
    token = _zaf(clock, jti="j-1")
    res = await api.client.post(
        "/hosts/acme/zendesk?origin=https://acme.zendesk.com&app_guid=g-1", data={"token": token}
    )
    assert res.status_code == 200, res.text
    boot = _boot(res.text)
    assert (
        boot["host"] == "zendesk"
        and boot["user"] == "zd-user-7"
        and boot["origin"] == "https://acme.zendesk.com"
    )
    assert "ask_" not in res.text  # never an API key in the page
    assert await _reads(api, boot["token"], "acme-A") == ["OK"]  # identity-only proof: not bound
    # replayed: the ZAF JWT comes once, with the first page request
    again = await api.client.post("/hosts/acme/zendesk", data={"token": token})
    assert again.status_code == 401 and error_codes(again.json()) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda c: _zaf(c, key=OTHER_KEY), id="signed-with-another-key"),
        pytest.param(
            lambda c: _zaf(c, aud="https://evil.zendesk.com/api/v2/apps/installations/1.json"), id="other-aud"
        ),
        pytest.param(lambda c: _zaf(c, age=3600), id="expired"),
        pytest.param(lambda c: _zaf(c, sub=""), id="no-user"),
        pytest.param(lambda c: _tamper(_zaf(c), {"sub": "admin"}), id="tampered-payload"),
        pytest.param(lambda c: "", id="missing"),
        pytest.param(
            lambda c: jwt.encode(
                {"aud": AUD, "sub": "x", "iat": 1, "exp": 2**31}, "k" * 40, algorithm="HS256"
            ),
            id="hs256",
        ),
    ],
)
async def test_zendesk_refuses_bad_jwts(api, acme, clock, make):
    res = await api.client.post("/hosts/acme/zendesk", data={"token": make(clock)})
    assert res.status_code == 401 and error_codes(res.json()) == ["UNAUTHENTICATED"], res.text


def _tamper(token: str, change: dict) -> str:
    head, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(change)
    new = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}.{new}.{sig}"


async def test_zendesk_jwt_for_one_tenant_is_refused_by_another(api, acme, clock):
    other = api.key("other", "ADMIN")
    _, pem = _rsa()
    await api.ok(
        SET_HOSTS, {"s": {"version": "1", "zendesk": {"publicKey": pem, "audience": AUD}}}, key=other
    )
    res = await api.client.post("/hosts/other/zendesk", data={"token": _zaf(clock)})
    assert res.status_code == 401
    res = await api.client.post("/hosts/nobody/zendesk", data={"token": _zaf(clock)})
    assert res.status_code == 401


# ----------------------------------------------------------------------------------------- HubSpot
def _hubspot(
    clock, body: dict, *, age_s: int = 0, secret: str = HUBSPOT_SECRET, query: str = "userId=55&portalId=9"
):
    uri = f"http://testserver/hosts/acme/hubspot/session?{query}"
    raw = json.dumps(body).encode()
    ts = str(int((clock.value.timestamp() - age_s) * 1000))
    sig = hubspot_v3_signature(secret, "POST", uri, raw, ts)
    headers = {
        "x-hubspot-signature-v3": sig,
        "x-hubspot-request-timestamp": ts,
        "content-type": "application/json",
    }
    return uri, raw, headers


async def test_hubspot_v3_signature_binds_the_record(api, acme, clock):
    uri, raw, headers = _hubspot(clock, {"recordId": "acme-A", "lang": "en"})
    res = await api.client.post(uri, content=raw, headers=headers)
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["recordId"] == "acme-A" and out["sidebarUrl"].startswith(
        "/sidebar.html?recordId=acme-A&lang=en#token="
    )
    assert await _reads(api, out["token"], "acme-A") == ["OK"]
    assert await _reads(api, out["token"], "acme-B") == ["NOT_FOUND"]  # bound to the signed record
    replay = await api.client.post(uri, content=raw, headers=headers)
    assert replay.status_code == 401


async def test_hubspot_refuses_tampered_old_and_unsigned(api, acme, clock):
    uri, raw, headers = _hubspot(clock, {"recordId": "acme-A"})
    tampered = raw.replace(b"acme-A", b"acme-B")
    assert (await api.client.post(uri, content=tampered, headers=headers)).status_code == 401
    other_user = uri.replace("userId=55", "userId=1")
    assert (await api.client.post(other_user, content=raw, headers=headers)).status_code == 401
    uri2, raw2, old = _hubspot(clock, {"recordId": "acme-A"}, age_s=6 * 60)
    assert (await api.client.post(uri2, content=raw2, headers=old)).status_code == 401
    uri3, raw3, wrong = _hubspot(clock, {"recordId": "acme-A"}, secret="another-secret-0123456789")
    assert (await api.client.post(uri3, content=raw3, headers=wrong)).status_code == 401
    res = await api.client.post(uri, content=raw, headers={"content-type": "application/json"})
    assert res.status_code == 401 and error_codes(res.json()) == ["UNAUTHENTICATED"]


async def test_hubspot_record_that_is_no_debtor(api, acme, clock):
    uri, raw, headers = _hubspot(clock, {"recordId": "no-such-debtor"})
    res = await api.client.post(uri, content=raw, headers=headers)
    assert res.status_code == 404 and error_codes(res.json()) == ["NOT_FOUND"]


# ----------------------------------------------------------------------------------------- Salesforce
def _canvas(clock, *, record="acme-A", secret=CANVAS_SECRET, age_s=0, user="005xx0000012345") -> str:
    envelope = {
        "algorithm": "HMACSHA256",
        "issuedAt": int((clock.value.timestamp() - age_s) * 1000),
        "userId": user,
        "client": {"instanceUrl": "https://acme.my.salesforce.com", "oauthToken": "00Dxx!token"},
        "context": {
            "user": {"userId": user, "userName": "laura@acme.example", "fullName": "Laura Gómez"},
            "organization": {"organizationId": "00Dxx0000001gEH"},
            "environment": {"parameters": {"recordId": record}, "record": {"Id": "001xx000003DGb2"}},
        },
    }
    encoded = base64.b64encode(json.dumps(envelope).encode()).decode()
    return f"{canvas_signature(secret, encoded)}.{encoded}"


async def test_salesforce_canvas_signed_request(api, acme, clock):
    signed = _canvas(clock)
    res = await api.client.post("/hosts/acme/salesforce", data={"signed_request": signed})
    assert res.status_code == 200, res.text
    boot = _boot(res.text)
    assert boot["recordId"] == "acme-A" and boot["host"] == "salesforce"
    assert "00Dxx!token" not in res.text  # the Salesforce OAuth token never reaches the page
    assert await _reads(api, boot["token"], "acme-A") == ["OK"]
    assert await _reads(api, boot["token"], "acme-B") == ["NOT_FOUND"]
    assert (
        await api.client.post("/hosts/acme/salesforce", data={"signed_request": signed})
    ).status_code == 401


async def test_salesforce_refuses_tampered_old_and_foreign(api, acme, clock):
    sig, encoded = _canvas(clock).split(".", 1)
    envelope = json.loads(base64.b64decode(encoded))
    envelope["context"]["environment"]["parameters"]["recordId"] = "acme-B"
    forged = f"{sig}.{base64.b64encode(json.dumps(envelope).encode()).decode()}"
    for signed in (forged, _canvas(clock, age_s=600), _canvas(clock, secret="x" * 20), "nodot", ""):
        res = await api.client.post("/hosts/acme/salesforce", data={"signed_request": signed})
        assert res.status_code == 401 and error_codes(res.json()) == ["UNAUTHENTICATED"], signed[:20]


# ----------------------------------------------------------------------------------------- Twilio Flex
async def test_flex_token_validated_with_twilio(api, acme):
    FakeTwilio.valid_tokens = {"flex-token-ok": "laura@acme"}
    res = await api.client.post(
        "/hosts/acme/flex/session", json={"token": "flex-token-ok", "recordId": "acme-B"}
    )
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["user"] == "laura@acme" and out["recordId"] == "acme-B"
    assert await _reads(api, out["token"], "acme-B") == ["OK"]
    assert await _reads(api, out["token"], "acme-A") == ["NOT_FOUND"]
    # a Flex token is a bearer token the plugin reuses for the next task
    again = await api.client.post(
        "/hosts/acme/flex/session", json={"token": "flex-token-ok", "recordId": "acme-A"}
    )
    assert again.status_code == 200
    for body in ({"token": "forged"}, {"recordId": "acme-A"}, {}):
        res = await api.client.post("/hosts/acme/flex/session", json=body)
        assert res.status_code == 401 and error_codes(res.json()) == ["UNAUTHENTICATED"], body


async def test_flex_with_wrong_twilio_credentials_is_refused(api, acme):
    admin, _ = acme
    FakeTwilio.valid_tokens = {"flex-token-ok": "laura@acme"}
    wrong = {**HOSTS, "flex": {"accountSid": ACCOUNT_SID, "authToken": "not-the-auth-token-000"}}
    await api.ok(SET_HOSTS, {"s": wrong}, key=admin)
    res = await api.client.post(
        "/hosts/acme/flex/session", json={"token": "flex-token-ok", "recordId": "acme-A"}
    )
    assert res.status_code == 401


async def test_unconfigured_host_is_refused(api, clock):
    admin = api.key("bare", "ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record("bare-A")]}, key=admin)
    res = await api.client.post("/hosts/bare/zendesk", data={"token": _zaf(clock)})
    assert res.status_code == 401 and "not configured" in res.json()["errors"][0]["message"]
