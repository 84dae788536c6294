"""Verifying that a request comes from a CRM host, for a given user (and, where the host signs it, record).

Pure functions: each takes the proof, the tenant's host secret and `now`, and returns who the host says is
calling, or raises HostProofError. No clock read, no I/O (the Twilio call is made by the caller, which hands
the answer to `flex_identity`).

- Zendesk: the ZAF JWT that Zendesk POSTs with the first page request of an app with `signedUrls`
  (RS256, the app installation's public key; `aud` names the subdomain and installation).
- HubSpot: X-HubSpot-Signature-v3 = base64(HMAC-SHA256(client secret, method + URI + body + timestamp))
  with X-HubSpot-Request-Timestamp (milliseconds), refused when older than five minutes.
- Salesforce: a Canvas signed request "<base64 signature>.<base64 JSON context>", the signature being
  HMAC-SHA256 of the base64 context with the connected app's consumer secret.
- Twilio Flex: the Flex token, validated by Twilio's token validation endpoint; this module reads its answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

HUBSPOT_WINDOW = timedelta(minutes=5)
CANVAS_WINDOW = timedelta(minutes=5)
CLOCK_SKEW = timedelta(seconds=60)
HOSTS = ("zendesk", "hubspot", "salesforce", "flex")


class HostProofError(Exception):
    """The host's proof is missing, malformed, tampered, expired or replayed."""


@dataclass(frozen=True)
class HostIdentity:
    host: str
    user_id: str
    user_name: str | None
    # The CRM record the host signed (None: the host proves the user only).
    record_id: str | None
    # A digest of the proof, remembered until `proof_expires` so the same proof cannot be used twice.
    proof_digest: str
    proof_expires: datetime
    # Proofs the host sends once (Zendesk's first-page JWT, a signed HubSpot request, a Canvas POST) are
    # refused the second time; a Flex token is a bearer token the plugin reuses until it expires.
    single_use: bool = True


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\x00")
    return h.hexdigest()


def _ts(dt: datetime) -> int:
    return int(dt.timestamp())


# ---------------------------------------------------------------------------------------------- Zendesk
def verify_zendesk(token: str, *, public_key_pem: str, audience: str, now: datetime) -> HostIdentity:
    if not token or len(token) > 8192:
        raise HostProofError("zendesk: missing or oversized app token")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key_pem,
            algorithms=["RS256"],
            audience=audience,
            options={"require": ["exp", "iat", "aud"], "verify_exp": False, "verify_iat": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise HostProofError(f"zendesk: app token refused ({type(exc).__name__})") from None
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        raise HostProofError("zendesk: app token without numeric exp/iat")
    if exp <= _ts(now - CLOCK_SKEW):
        raise HostProofError("zendesk: app token expired")
    if iat > _ts(now + CLOCK_SKEW):
        raise HostProofError("zendesk: app token issued in the future")
    user = claims.get("sub")
    if user is None or str(user).strip() == "":
        raise HostProofError("zendesk: app token names no user (sub)")
    expires = datetime.fromtimestamp(exp, tz=now.tzinfo) + CLOCK_SKEW
    return HostIdentity(
        host="zendesk",
        user_id=str(user),
        user_name=claims.get("name") if isinstance(claims.get("name"), str) else None,
        record_id=None,
        proof_digest=_digest("zendesk", str(claims.get("jti") or ""), token),
        proof_expires=expires,
    )


# ---------------------------------------------------------------------------------------------- HubSpot
def hubspot_v3_signature(client_secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    message = method.upper().encode() + uri.encode() + body + timestamp.encode()
    mac = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def verify_hubspot(
    *,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    client_secret: str,
    now: datetime,
) -> HostIdentity:
    """`uri` is the full URL HubSpot requested (scheme, host, path and query). The user is the `userId`
    query parameter HubSpot adds to hubspot.fetch requests; the record is `recordId` of the JSON body (or
    query): both are covered by the signature."""
    if not signature or not timestamp:
        raise HostProofError("hubspot: X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required")
    if not timestamp.isdigit() or len(timestamp) > 16:
        raise HostProofError("hubspot: bad request timestamp")
    sent = int(timestamp) / 1000
    age = now.timestamp() - sent
    if age > HUBSPOT_WINDOW.total_seconds() or age < -CLOCK_SKEW.total_seconds():
        raise HostProofError("hubspot: request timestamp outside the five-minute window")
    expected = hubspot_v3_signature(client_secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise HostProofError("hubspot: signature does not match")
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(uri).query)
    payload: dict[str, Any] = {}
    if body:
        try:
            parsed = json.loads(body)
        except ValueError:
            raise HostProofError("hubspot: body is not JSON") from None
        if isinstance(parsed, dict):
            payload = parsed
    user = (query.get("userId") or [None])[0] or payload.get("userId")
    if not user:
        raise HostProofError("hubspot: no userId in the signed request")
    record = payload.get("recordId") or (query.get("recordId") or [None])[0]
    return HostIdentity(
        host="hubspot",
        user_id=str(user),
        user_name=(query.get("userEmail") or [None])[0],
        record_id=str(record) if record else None,
        proof_digest=_digest("hubspot", signature.strip(), timestamp),
        proof_expires=datetime.fromtimestamp(sent, tz=now.tzinfo) + HUBSPOT_WINDOW + CLOCK_SKEW,
    )


# ---------------------------------------------------------------------------------------------- Salesforce
def canvas_signature(consumer_secret: str, encoded_context: str) -> str:
    mac = hmac.new(consumer_secret.encode(), encoded_context.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _b64decode(value: str) -> bytes:
    padded = value + "=" * (-len(value) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return base64.urlsafe_b64decode(padded)


def verify_salesforce(signed_request: str, *, consumer_secret: str, now: datetime) -> HostIdentity:
    if not signed_request or "." not in signed_request or len(signed_request) > 65536:
        raise HostProofError("salesforce: missing or malformed signed request")
    sig, encoded = signed_request.split(".", 1)
    expected = canvas_signature(consumer_secret, encoded)
    if not hmac.compare_digest(expected.encode(), sig.encode()):
        raise HostProofError("salesforce: signature does not match")
    try:
        envelope = json.loads(_b64decode(encoded))
    except (ValueError, binascii.Error):
        raise HostProofError("salesforce: context is not base64 JSON") from None
    if not isinstance(envelope, dict) or str(envelope.get("algorithm", "")).upper() != "HMACSHA256":
        raise HostProofError("salesforce: unexpected algorithm")
    issued = envelope.get("issuedAt")
    if not isinstance(issued, int | float):
        raise HostProofError("salesforce: the signed request carries no issuedAt")
    issued_s = issued / 1000 if issued > 10**11 else issued  # milliseconds or seconds
    age = now.timestamp() - issued_s
    if age > CANVAS_WINDOW.total_seconds() or age < -CLOCK_SKEW.total_seconds():
        raise HostProofError("salesforce: signed request outside the five-minute window")
    context = envelope.get("context") or {}
    user = (context.get("user") or {}) if isinstance(context, dict) else {}
    user_id = user.get("userId") or envelope.get("userId")
    if not user_id:
        raise HostProofError("salesforce: the context names no user")
    env = (context.get("environment") or {}) if isinstance(context, dict) else {}
    params = env.get("parameters") or {}
    record = (params.get("recordId") if isinstance(params, dict) else None) or (env.get("record") or {}).get(
        "Id"
    )
    return HostIdentity(
        host="salesforce",
        user_id=str(user_id),
        user_name=user.get("fullName") or user.get("userName"),
        record_id=str(record) if record else None,
        proof_digest=_digest("salesforce", sig),
        proof_expires=datetime.fromtimestamp(issued_s, tz=now.tzinfo) + CANVAS_WINDOW + CLOCK_SKEW,
    )


# ---------------------------------------------------------------------------------------------- Twilio Flex
def flex_identity(token: str, answer: dict[str, Any], *, now: datetime) -> HostIdentity:
    """Twilio's answer to POST /v1/Accounts/{AccountSid}/Tokens/validate for `token`."""
    if not isinstance(answer, dict) or answer.get("valid") is not True:
        raise HostProofError(
            f"flex: token not valid ({(answer or {}).get('message') or 'refused by Twilio'})"
        )
    identity = answer.get("identity") or answer.get("realm_user_id")
    if not identity:
        raise HostProofError("flex: Twilio named no identity")
    expires = now + timedelta(hours=1)
    exp = answer.get("expiration")
    if isinstance(exp, str):
        try:
            parsed = datetime.fromisoformat(exp.replace("Z", "+00:00"))
            if parsed <= now:
                raise HostProofError("flex: token expired")
            expires = parsed
        except ValueError:
            pass
    return HostIdentity(
        host="flex",
        user_id=str(identity),
        user_name=str(identity),
        record_id=None,
        proof_digest=_digest("flex", token),
        proof_expires=expires,
        single_use=False,
    )
