"""Pages and assets for browsers: the plugin assets (/plugins/...), the hosted sidebar page (/sidebar.html),
the demo CRM (/demo, only with `serve --demo`) and the CRM host endpoints that verify a host's proof and mint a
short-lived agent session (/hosts/{tenant}/{host}). Assets are read from the installed package
(importlib.resources), never from a source path."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import urllib.error
import urllib.request
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from asistente.errors import DomainError
from asistente.hosts.service import host_config, mint_host_session, remember_proof
from asistente.hosts.verify import (
    HostIdentity,
    HostProofError,
    flex_identity,
    verify_hubspot,
    verify_salesforce,
    verify_zendesk,
)
from asistente.tenants.models import Tenant

log = logging.getLogger("asistente.web")

ASSET_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
BOOT_MARK = "<!--asistente:boot-->"


def _static_root() -> Any:
    return resources.files("asistente").joinpath("static")


@lru_cache(maxsize=256)
def _asset(path: str) -> tuple[bytes, str] | None:
    """An asset under static/ by a relative path; None for anything outside it or not a served type."""
    parts = [p for p in path.split("/") if p]
    if not parts or any(p in (".", "..") or p.startswith(".") or "\\" in p for p in parts):
        return None
    suffix = "." + parts[-1].rsplit(".", 1)[-1] if "." in parts[-1] else ""
    media = ASSET_TYPES.get(suffix)
    if media is None:
        return None
    node = _static_root()
    for p in parts:
        node = node.joinpath(p)
    if not node.is_file():
        return None
    return node.read_bytes(), media


def _csp(frame_ancestors: set[str]) -> str:
    ancestors = " ".join(["'self'", *sorted(frame_ancestors)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self' ws: wss:; frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
    )


def _page_headers(request: Request) -> dict[str, str]:
    origins = request.app.state.cors_origins() if hasattr(request.app.state, "cors_origins") else set()
    return {
        "content-security-policy": _csp(origins),
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
    }


def _boot_page(path: str, boot: dict[str, Any], request: Request, *, csp_extra: str = "") -> Response:
    found = _asset(path)
    if found is None:
        return _error(404, "NOT_FOUND", f"{path} is not installed")
    text = found[0].decode("utf-8")
    data = json.dumps(boot).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace(BOOT_MARK, f'<script type="application/json" id="asistente-boot">{data}</script>', 1)
    headers = _page_headers(request)
    if csp_extra:
        headers["content-security-policy"] = headers["content-security-policy"].replace(
            "script-src 'self'", f"script-src 'self' {csp_extra}"
        )
    return HTMLResponse(text, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (what Zendesk and Salesforce POST), first value per name."""
    from urllib.parse import parse_qs

    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return {}
    body = await request.body()
    try:
        parsed = parse_qs(body.decode("utf-8"), max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in parsed.items() if v}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


# ------------------------------------------------------------------------------------------- assets
async def plugin_asset(request: Request) -> Response:
    found = _asset("plugins/" + request.path_params["path"])
    if found is None:
        return _error(404, "NOT_FOUND", "no such asset")
    body, media = found
    headers = {"x-content-type-options": "nosniff", "cache-control": "public, max-age=300"}
    if media == "text/html":
        headers.update(_page_headers(request))
    return Response(body, media_type=media, headers=headers)


async def sidebar_page(request: Request) -> Response:
    found = _asset("sidebar.html")
    if found is None:
        return _error(404, "NOT_FOUND", "sidebar.html is not installed")
    return HTMLResponse(found[0].decode("utf-8"), headers=_page_headers(request))


# ------------------------------------------------------------------------------------------- demo CRM
def _demo_tenant(request: Request) -> Tenant | None:
    from asistente.demo import DEMO_TENANT

    services = request.app.state.services
    with services.session_factory() as s:
        return s.scalar(select(Tenant).where(Tenant.slug == DEMO_TENANT))


async def demo_page(request: Request) -> Response:
    found = _asset("demo/index.html")
    if found is None:
        return _error(404, "NOT_FOUND", "the demo is not installed")
    return HTMLResponse(found[0].decode("utf-8"), headers=_page_headers(request))


async def demo_asset(request: Request) -> Response:
    found = _asset("demo/" + request.path_params["path"])
    if found is None:
        return _error(404, "NOT_FOUND", "no such asset")
    return Response(found[0], media_type=found[1], headers={"x-content-type-options": "nosniff"})


async def demo_queue(request: Request) -> Response:
    """The demo CRM's own work queue (the CRM knows its records; the sidebar asks the service)."""
    from asistente.portfolio.repository import DebtorFilter, PortfolioRepository

    services = request.app.state.services
    tenant = _demo_tenant(request)
    if tenant is None:
        return _error(404, "NOT_FOUND", "the demo tenant is not seeded (asistente serve --demo)")
    with services.session_factory() as s:
        rows, _ = PortfolioRepository(s, tenant.id).list_debtors(DebtorFilter(), first=200, after=None)
        debtors = [
            {
                "recordId": d.external_id,
                "fullName": d.full_name,
                "jurisdiction": d.jurisdiction,
                "language": d.language,
            }
            for d in rows
        ]
    return JSONResponse({"debtors": debtors, "liveCall": request.app.state.live_call})


async def demo_session(request: Request) -> Response:
    """The demo CRM's backend minting a record-bound agent session for the record on screen (what an
    integrator's backend does with createAgentSession(recordId))."""
    from asistente.demo import DEMO_AGENT, DEMO_TENANT
    from asistente.tenants.service import bound_debtor_id, get_or_create_agent, mint_agent_token

    services = request.app.state.services
    try:
        payload = await request.json()
    except ValueError:
        payload = None
    record = payload.get("recordId") if isinstance(payload, dict) else None
    if not isinstance(record, str) or not record:
        return _error(400, "BAD_INPUT", "recordId is required")
    with services.session_factory() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.slug == DEMO_TENANT))
        if tenant is None:
            return _error(404, "NOT_FOUND", "the demo tenant is not seeded")
        try:
            debtor_id = bound_debtor_id(s, tenant.id, record_id=record)
        except DomainError as exc:
            return _error(404, exc.code, exc.message)
        agent = get_or_create_agent(s, tenant.id, DEMO_AGENT)
        token, expires = mint_agent_token(
            tenant,
            agent,
            now=services.clock(),
            ttl_seconds=services.settings.host_session_ttl_seconds,
            debtor_id=debtor_id,
        )
        s.commit()
    return JSONResponse({"token": token, "expiresAt": expires.isoformat(), "debtorId": debtor_id})


# ------------------------------------------------------------------------------------------- CRM hosts
def _tenant(session: Any, slug: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise HostProofError("unknown tenant or host not configured")
    return tenant


def _mint(
    request: Request, tenant_slug: str, host: str, verify: Any, record_id: str | None
) -> dict[str, Any]:
    """Verify the host's proof with the tenant's settings, refuse replays, mint the session; all or nothing."""
    services = request.app.state.services
    now = services.clock()
    with services.session_factory() as s:
        tenant = _tenant(s, tenant_slug)
        identity: HostIdentity = verify(host_config(tenant, host), now)
        remember_proof(s, tenant.id, identity, now=now)
        token, expires, debtor_id = mint_host_session(
            s,
            tenant,
            identity,
            record_id=record_id,
            now=now,
            ttl_seconds=services.settings.host_session_ttl_seconds,
        )
        s.commit()
    return {
        "token": token,
        "expiresAt": expires.isoformat(),
        "debtorId": debtor_id,
        "recordId": identity.record_id or record_id,
        "host": host,
        "user": identity.user_id,
    }


def _refused(exc: Exception) -> JSONResponse:
    if isinstance(exc, DomainError) and exc.code != "UNAUTHENTICATED":
        return _error(404 if exc.code == "NOT_FOUND" else 400, exc.code, exc.message)
    log.info("host proof refused: %s", exc)
    return _error(401, "UNAUTHENTICATED", str(exc))


def _sidebar_url(record_id: str | None, lang: str | None, token: str) -> str:
    query = urlencode({k: v for k, v in (("recordId", record_id), ("lang", lang)) if v})
    return f"/sidebar.html?{query}#token={token}"


async def zendesk_app(request: Request) -> Response:
    """Zendesk POSTs the ZAF JWT (form field `token`) with the first request of an app with signedUrls.
    Answers the app page with the session inside; the ticket's record comes from the ZAF client."""
    token = (await _form(request)).get("token", "")
    try:
        minted = _mint(
            request,
            request.path_params["tenant"],
            "zendesk",
            lambda cfg, now: verify_zendesk(
                token, public_key_pem=cfg["publicKey"], audience=cfg["audience"], now=now
            ),
            None,
        )
    except (HostProofError, DomainError) as exc:
        return _refused(exc)
    boot = {
        **minted,
        "origin": request.query_params.get("origin"),
        "appGuid": request.query_params.get("app_guid"),
    }
    return _boot_page(
        "plugins/zendesk/assets/iframe.html", boot, request, csp_extra="https://static.zdassets.com"
    )


async def salesforce_canvas(request: Request) -> Response:
    """Salesforce POSTs the Canvas signed request (form field `signed_request`)."""
    signed = (await _form(request)).get("signed_request", "")
    try:
        minted = _mint(
            request,
            request.path_params["tenant"],
            "salesforce",
            lambda cfg, now: verify_salesforce(signed, consumer_secret=cfg["consumerSecret"], now=now),
            None,
        )
    except (HostProofError, DomainError) as exc:
        return _refused(exc)
    return _boot_page("plugins/salesforce/canvas.html", minted, request)


async def hubspot_session(request: Request) -> Response:
    """hubspot.fetch from the app card: the request is signed (v3); the record id is in the signed body."""
    body = await request.body()
    headers = request.headers

    def verify(cfg: dict[str, Any], now: Any) -> HostIdentity:
        base = cfg.get("publicUrl") or f"{request.url.scheme}://{request.url.netloc}"
        uri = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return verify_hubspot(
            method=request.method,
            uri=uri,
            body=body,
            timestamp=headers.get("x-hubspot-request-timestamp"),
            signature=headers.get("x-hubspot-signature-v3"),
            client_secret=cfg["clientSecret"],
            now=now,
        )

    try:
        minted = _mint(request, request.path_params["tenant"], "hubspot", verify, None)
    except (HostProofError, DomainError) as exc:
        return _refused(exc)
    lang = _lang(body)
    return JSONResponse({**minted, "sidebarUrl": _sidebar_url(minted["recordId"], lang, minted["token"])})


def _lang(body: bytes) -> str | None:
    try:
        value = json.loads(body or b"{}").get("lang")
    except (ValueError, AttributeError):
        return None
    return value if value in ("es", "en") else None


async def flex_session(request: Request) -> Response:
    """The Flex plugin sends the agent's Flex token and the task's record id; Twilio validates the token."""
    services = request.app.state.services
    try:
        payload = json.loads(await request.body() or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("token"), str):
        return _error(401, "UNAUTHENTICATED", "flex: send {token, recordId}")
    token = payload["token"]
    record_id = payload.get("recordId") if isinstance(payload.get("recordId"), str) else None
    with services.session_factory() as s:
        try:
            cfg = host_config(_tenant(s, request.path_params["tenant"]), "flex")
        except HostProofError as exc:
            return _refused(exc)
    try:
        answer = await asyncio.to_thread(_twilio_validate, services.settings.twilio_iam_url, cfg, token)
    except OSError as exc:
        log.warning("twilio token validation unreachable: %s", exc)
        return _error(503, "UNAUTHENTICATED", "flex: Twilio token validation is unreachable; try again")
    try:
        minted = _mint(
            request,
            request.path_params["tenant"],
            "flex",
            lambda _cfg, now: flex_identity(token, answer, now=now),
            record_id,
        )
    except (HostProofError, DomainError) as exc:
        return _refused(exc)
    lang = payload.get("lang") if payload.get("lang") in ("es", "en") else None
    return JSONResponse({**minted, "sidebarUrl": _sidebar_url(minted["recordId"], lang, minted["token"])})


def _twilio_validate(base_url: str, cfg: dict[str, Any], token: str) -> dict[str, Any]:
    url = f"{base_url.rstrip('/')}/v1/Accounts/{cfg['accountSid']}/Tokens/validate"
    basic = base64.b64encode(f"{cfg['accountSid']}:{cfg['authToken']}".encode()).decode()
    req = urllib.request.Request(
        url,
        data=json.dumps({"token": token}).encode(),
        headers={"content-type": "application/json", "authorization": f"Basic {basic}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as exc:  # Twilio answers 4xx for a bad token: that is a refusal
        try:
            return json.loads(exc.read() or b"{}") | {"valid": False}
        except ValueError:
            return {"valid": False, "message": f"HTTP {exc.code}"}


def live_call_available(schema: Any) -> bool:
    """Whether the live call operations (pushTranscript, callAssist) are in this build's schema."""
    gql = schema._schema
    mutation, subscription = gql.mutation_type, gql.subscription_type
    return bool(
        mutation
        and "pushTranscript" in mutation.fields
        and subscription
        and "callAssist" in subscription.fields
    )


def routes(demo: bool) -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/sidebar.html", sidebar_page, methods=["GET"]),
        Route("/plugins/{path:path}", plugin_asset, methods=["GET"]),
        Route("/hosts/{tenant}/zendesk", zendesk_app, methods=["POST"]),
        Route("/hosts/{tenant}/salesforce", salesforce_canvas, methods=["POST"]),
        Route("/hosts/{tenant}/hubspot/session", hubspot_session, methods=["POST"]),
        Route("/hosts/{tenant}/flex/session", flex_session, methods=["POST"]),
    ]
    if demo:
        out += [
            Route("/demo", demo_page, methods=["GET"]),
            Route("/demo/queue", demo_queue, methods=["GET"]),
            Route("/demo/assets/{path:path}", demo_asset, methods=["GET"]),
            Route("/demo/session", demo_session, methods=["POST"]),
        ]
    return out
