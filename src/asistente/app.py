"""The Starlette application: /graphql (HTTP + WebSocket), /healthz, demo pages and plugin assets."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from asistente import web
from asistente.api.core.context import Context, Services
from asistente.api.core.errors import BUSY, BUSY_RETRY_AFTER, coded
from asistente.api.core.fresh import close_shared_reads
from asistente.api.core.prepared import PreparedPath
from asistente.api.core.ratelimit import Limits, RateLimiter, Verdict
from asistente.api.portfolio.cards import CardPath
from asistente.api.schema import build_schema
from asistente.db import database_busy, make_engine, make_session_factory
from asistente.errors import DomainError
from asistente.logs import REQUEST_ID, new_request_id
from asistente.settings import Settings
from asistente.tenants.service import all_cors_origins

log = logging.getLogger("asistente")

GQL_RESPONSE = "application/graphql-response+json"
READ_BODY = "asistente.body"  # scope["state"] key: a request body LimitsAndCors has read whole
STATIC = Path(__file__).parent / "static"


def _wants_graphql_response(accept: str) -> bool:
    """GraphQL over HTTP: the new media type when the client asks for it (before application/json)."""
    if not accept:
        return False
    best_gql = best_json = -1.0
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media == GQL_RESPONSE:
            best_gql = max(best_gql, q)
        elif media in ("application/json", "*/*", "application/*"):
            best_json = max(best_json, q)
    return best_gql > 0 and best_gql >= best_json


# GraphiQL's page loads its scripts from a CDN; the same files are vendored in static/graphiql (see its
# README) and served by the service, so GraphiQL works without internet.
GRAPHIQL_ASSETS = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}


def offline_graphiql(html: str) -> str:
    for cdn, name in GRAPHIQL_ASSETS.items():
        html = html.replace(cdn, f"/static/graphiql/{name}")
    return html


class GraphQLView(GraphQL):
    def __init__(self, services: Services, **kwargs: Any) -> None:
        # WebSocket: graphql-transport-ws only (API.md). The legacy `graphql-ws` protocol ran queries and
        # mutations through `subscribe` and answered each with an unexpected error; a client asking only
        # for it is now refused at the handshake (4406) instead.
        kwargs.setdefault("subscription_protocols", (GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        super().__init__(build_schema(services.settings), **kwargs)
        self.services = services
        self.cards = CardPath(self.schema, services)
        self.prepared = PreparedPath(self.schema, services)
        self._ide_html: str | None = None

    async def render_graphql_ide(self, request: Request) -> Response:
        if self._ide_html is None:
            self._ide_html = offline_graphiql(self.graphql_ide_html)
        return HTMLResponse(self._ide_html)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)  # keeps the body once read
        body = scope.get("state", {}).pop(READ_BODY, None)
        if body is not None:
            # The whole body, already read by LimitsAndCors: Starlette's Request keeps a body it has read in
            # `_body`; set here, `request.body()` returns it without replaying it through `receive` (an async
            # generator per request: ~2% of a draft's event-loop samples).
            request._body = body
        try:
            response = None
            if scope["method"] == "POST":
                response = await self._cached_card(request)
            if response is None:
                response = await self.run(request)
        except HTTPException as e:
            response = _json_error(e.status_code, "BAD_INPUT", e.reason)
            if e.status_code == 405:
                response.headers["allow"] = "POST"
        except RecursionError:  # a document or value nested deeper than the parser's stack
            response = _json_error(400, "BAD_INPUT", "the request is nested too deeply")
        await response(scope, receive, send)

    async def execute_single(self, request: Any, request_adapter: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_single(request, request_adapter, *args, **kwargs)
        except HTTPException as e:
            cause = e.__cause__
            if (
                request_adapter.method == "GET"
                and isinstance(cause, InvalidOperationTypeError)
                and cause.operation_type is OperationType.MUTATION
            ):
                # GraphQL over HTTP: a mutation over GET is 405 Method Not Allowed; nothing runs.
                raise HTTPException(405, e.reason) from cause
            raise

    async def _cached_card(self, request: Request) -> Response | None:
        """A card query answered from the cached card path, or a suggestResponses / draftMessage document
        from the prepared path (api/core/prepared.py), without the rest of the HTTP machinery; the same
        context, result processing and response building as `run`. None: `run` takes the request."""
        mime = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if "application/json" not in mime:
            return None
        body = await request.body()
        if b"\\u0000" in body:
            return None
        try:
            data = self.decode_json(body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        query, variables = data.get("query"), data.get("variables")
        if not isinstance(query, str) or not isinstance(variables, dict | None):
            return None
        if not isinstance(data.get("extensions"), dict | None):
            return None
        sub = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub)
        operation_name = data.get("operationName")
        result = await self.cards.execute(context, query, variables, operation_name)
        if result is None:
            result = await self.prepared.execute(context, query, variables, operation_name)
        if result is None:
            return await self._lean(request, data, query, variables, operation_name)
        return self.create_response(await self.process_result(request, result), sub)

    async def _lean(
        self, request: Request, data: dict, query: str, variables: dict | None, operation_name: Any
    ) -> Response | None:
        """Any other query or mutation whose text is known to be valid: executed by the schema's lean path
        (api/schema.py) with what `run` would hand it (a fresh sub-response and context, no root value, the
        request's `extensions`), without parsing the body again. Streamed transports and texts not planned yet
        (Schema.lean_plan) go to `run`."""
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        plan = self.schema.lean_plan(query, operation_name, note=False)  # type: ignore[attr-defined]
        if plan is None or self._get_stream_transport_from_headers(request.headers) is not None:
            return None
        sub = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub)
        result = await self.schema.lean_execute(  # type: ignore[attr-defined]
            plan, variables, context, await self.get_root_value(request), data.get("extensions")
        )
        return self.create_response(await self.process_result(request, result), sub)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        ctx = Context(self.services, request, response)
        if isinstance(request, Request):
            ctx.authenticate_header(request.headers.get("authorization"), request.scope["state"].get("auth"))
            origin = request.headers.get("origin")
            if origin:
                ctx.origin = origin
                ctx.same_origin = origin == f"{request.url.scheme}://{request.url.netloc}"
            request.state.gql_context = ctx
            request.state.sub_response = response
        return ctx

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        header = None
        if isinstance(params, dict):
            header = params.get("Authorization") or params.get("authorization")
        context.websocket = True
        limiter: RateLimiter | None = self.services.extras.get("limiter")
        address = ((context.request.scope.get("client") if context.request else None) or ("-",))[0]
        if limiter is not None and not (await limiter.address_blocked(address)).allowed:
            raise ConnectionRejectionError(
                {"code": "RATE_LIMITED", "message": "too many failed authentications from this address"}
            )
        context.authenticate_header(header)
        if context.principal is None and header and limiter is not None:
            await limiter.auth_failed(address)
        if context.principal is None:
            raise ConnectionRejectionError(
                {
                    "code": "UNAUTHENTICATED",
                    "message": str(getattr(context.auth_error, "message", "unauthenticated")),
                }
            )
        return None

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        if result.errors:  # parse errors never reach the extension's post-processing
            result.errors = [coded(e) for e in result.errors]
        data = process_result(result)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # A request error (the document does not parse or validate, a variable does not coerce): the
            # operation never ran, so the response has no `data` entry (GraphQL spec, "Response Format").
            data.pop("data", None)
        sub = getattr(request.state, "sub_response", None)
        if sub is None:
            return data
        wants_new = _wants_graphql_response(request.headers.get("accept", ""))
        sub._asistente_media = GQL_RESPONSE if wants_new else "application/json"
        no_data = result.data is None and bool(result.errors)
        codes = {(e.extensions or {}).get("code") for e in result.errors or []}
        retry = [(e.extensions or {}).get("retryAfter") for e in result.errors or []]
        retry_after = max((r for r in retry if isinstance(r, int)), default=None)
        if retry_after is not None:  # RATE_LIMITED by a busy database (api/core/errors.py)
            sub.headers["retry-after"] = str(retry_after)
        if no_data and codes == {"UNAUTHENTICATED"}:
            sub.status_code = 401
        elif no_data and codes == {"RATE_LIMITED"}:
            sub.status_code = 429
        elif no_data and wants_new:
            sub.status_code = 400
        return data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        media = getattr(sub_response, "_asistente_media", None)
        if media:
            response.headers["content-type"] = f"{media}; charset=utf-8"
        return response

    def decode_json(self, data: str | bytes) -> object:
        """Strict JSON (RFC 8259): valid UTF-8, no lone surrogates, no NaN or Infinity, finite numbers,
        nesting under 1,024 levels. What orjson refuses is a 400 (a JSONDecodeError); nothing is guessed."""
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict):
            raise HTTPException(400, "The request body must be a JSON object with a `query` string")
        # JSON text can only carry U+0000 as the escape \u0000, so a body without it needs no walk.
        escape = b"\\u0000" if isinstance(data, bytes) else "\\u0000"
        if escape in data and (_has_nul(parsed) or "\\u0000" in str(parsed.get("query") or "")):
            raise HTTPException(400, "NUL characters (U+0000) are not accepted in queries or variables")
        return parsed

    def encode_json(self, data: object) -> str:
        try:
            return orjson.dumps(data, default=str).decode()
        except TypeError:  # what orjson refuses (integers over 64 bits, non-string keys) the stdlib writes
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class LimitsAndCors:
    """Pure ASGI middleware: body size limit and CORS with a per-tenant allow-list.

    Preflight requests carry no credentials, so they are answered for the union of all tenants' origins;
    the request itself is then checked against the caller's own tenant (Context.require)."""

    def __init__(self, app: ASGIApp, services: Services, graphql: ASGIApp | None = None) -> None:
        self.app = app
        self.services = services
        self.graphql = graphql  # the /graphql view, called directly for GET and POST (``_graphql``)

    def _origins(self) -> set[str]:
        cached = self.services.extras.get("cors_union")
        now = time.monotonic()
        if cached is None or cached[0] < now:
            with self.services.session_factory() as s:
                origins = all_cors_origins(s)
            cached = (now + 30.0, origins)
            self.services.extras["cors_union"] = cached
        return cached[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = new_request_id(headers.get("x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
                return

            started = False

            async def send_with_id(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                    message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                await send(message)

            try:
                await self._http(scope, receive, send_with_id, headers)
            except Exception as exc:
                # The database too busy outside GraphQL's error handling (authentication, the CORS list):
                # the same typed, retryable answer a resolver gives (api/core/errors.py), not a bare 500.
                if started or not database_busy(exc):
                    raise
                log.warning("database busy before GraphQL: %s", exc)
                await _busy()(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        origin = headers.get("origin")
        allowed = bool(origin) and origin in self._origins()
        if scope["method"] == "OPTIONS" and origin and "access-control-request-method" in headers:
            if not allowed:
                await Response(status_code=403)(scope, receive, send)
                return
            await Response(
                status_code=204,
                headers={
                    "access-control-allow-origin": origin,
                    "access-control-allow-methods": "GET, POST, OPTIONS",
                    "access-control-allow-headers": "authorization, content-type, accept",
                    "access-control-max-age": "600",
                    "vary": "Origin",
                },
            )(scope, receive, send)
            return
        limiter = self.services.extras.get("limiter")
        if limiter is not None and scope["path"] == "/graphql" and scope["method"] in ("GET", "POST"):
            refusal = await self._rate_limit(scope, headers, limiter)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        limit = self.services.settings.max_body_bytes
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            await _json_error(413, "BAD_INPUT", f"request body over {limit} bytes")(scope, receive, send)
            return
        body_receive = receive
        if scope["method"] in ("POST", "PUT", "PATCH"):
            # Read the whole body here, counting as it arrives (a chunked body has no Content-Length), so an
            # oversized one is refused before anything downstream has started a response.
            chunks: list[bytes] = []
            seen = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > limit:
                    await _json_error(413, "BAD_INPUT", f"request body over {limit} bytes")(
                        scope, receive, send
                    )
                    return
                chunks.append(chunk)
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
            scope["state"][READ_BODY] = body  # the view's Request starts with it (GraphQLView.__call__)
            replayed = False

            async def body_receive() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

        async def cors_send(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"access-control-allow-origin", origin.encode()),
                    (b"vary", b"Origin"),
                ]
            await send(message)

        if (
            self.graphql is not None
            and scope["path"] == "/graphql"
            and scope["method"] in ("GET", "POST")
            and not scope.get("root_path")
        ):
            await self._graphql(scope, body_receive, cors_send)
        else:
            await self.app(scope, body_receive, cors_send)

    async def _graphql(self, scope: Scope, receive: Receive, send: Send) -> None:
        """GET and POST /graphql straight to the view, without Starlette's five layers in front of it (error
        middleware, exception middleware, router, route, its exception wrapper; ~4% of a draft's CPU on the
        event loop, benchmarks/README.md "Session 6: hotpath"). What they would do for this route is done
        here: the scope gets the application, the route's endpoint and empty path parameters; an exception
        escaping the view is answered 500 "Internal Server Error" (plain text) when nothing was sent yet,
        then raised, as Starlette's ServerErrorMiddleware does. Any other path or method (405), and a
        non-empty root path, still go through Starlette."""
        scope["app"] = self.app
        scope.setdefault("router", getattr(self.app, "router", None))
        scope["endpoint"] = self.graphql
        scope["path_params"] = {}
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.graphql(scope, receive, watched)  # type: ignore[misc]
        except Exception:
            if not started:
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise

    async def _rate_limit(
        self, scope: Scope, headers: dict[str, str], limiter: RateLimiter
    ) -> Response | None:
        """Decide from the headers alone (no body read, no GraphQL parsed); None lets the request in. The
        authentication done here is handed to the GraphQL context (scope state) so it is not repeated."""
        address = (scope.get("client") or ("-",))[0]
        verdict = await limiter.address_blocked(address)
        if not verdict.allowed:
            return _limited(verdict, "too many failed authentications from this address")
        scheme, _, credential = headers.get("authorization", "").strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            return None
        verdict = await limiter.credential(credential)
        if not verdict.allowed:
            return _limited(verdict, "too many requests for this credential")
        try:
            principal = self.services.authenticate(credential)
        except DomainError as exc:
            scope["state"]["auth"] = (credential, None, exc)
            await limiter.auth_failed(address)
            return None
        scope["state"]["auth"] = (credential, principal, None)
        verdict = await limiter.tenant(principal.tenant_id)
        if not verdict.allowed:
            return _limited(verdict, "too many requests for this tenant")
        return None


def _limited(verdict: Verdict, why: str) -> Response:
    message = f"rate limit: {why}; retry in {verdict.retry_after} s"
    error = {"message": message, "extensions": {"code": "RATE_LIMITED", "retryAfter": verdict.retry_after}}
    response = JSONResponse({"errors": [error]}, status_code=429)
    response.headers["retry-after"] = str(verdict.retry_after)
    return response


def _busy() -> Response:
    error = {"message": BUSY, "extensions": {"code": "RATE_LIMITED", "retryAfter": BUSY_RETRY_AFTER}}
    response = JSONResponse({"errors": [error]}, status_code=429)
    response.headers["retry-after"] = str(BUSY_RETRY_AFTER)
    return response


def _json_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def attach_reader(services: Services, url: str, reader: Any = None) -> None:
    """Give read-only operations their own engine on PostgreSQL (`make_engine(read_only=True)`: autocommit,
    writes refused by the server); on SQLite they share the service's (reads there start no transaction)."""
    if url.startswith("sqlite"):
        return
    if reader is None:
        settings = getattr(services, "settings", None)
        wait = getattr(settings, "database_wait_seconds", None)
        reader = make_engine(url, read_only=True, wait_seconds=wait)
    services.read_engine = reader
    services.read_session_factory = make_session_factory(reader)


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> ASGIApp:
    settings = settings or Settings()
    if services is None:
        engine = make_engine(settings.database_url, wait_seconds=settings.database_wait_seconds)
        services = Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))
        attach_reader(services, settings.database_url)
    _load_domain_engines(services)
    services.extras.setdefault(
        "limiter",
        RateLimiter(
            Limits(
                per_key=settings.rate_limit_key,
                per_session=settings.rate_limit_session,
                per_tenant=settings.rate_limit_tenant,
                auth_failures=settings.rate_limit_auth_failures,
            ),
            settings.redis_url,
        ),
    )
    if "call_bus" not in services.extras:
        from asistente.calls.bus import CallBus

        services.extras["call_bus"] = CallBus(settings.redis_url, queue_size=settings.call_queue_size)
    bus = services.extras["call_bus"]
    view = GraphQLView(
        services, graphql_ide="graphiql" if settings.graphiql_enabled else None, allow_queries_via_get=True
    )
    services.extras["cards"] = view.cards
    services.extras["prepared"] = view.prepared

    async def healthz(request: Request) -> Response:
        try:
            with services.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        if bus.distributed and not await bus.check():
            # Still serving (turns are answered, events reach this worker's subscribers and the others'
            # by polling): 200, so a load balancer keeps the worker, with the degradation said.
            return JSONResponse({"status": "degraded", "database": "ok", **bus.status()})
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("asistente", "static")]), name="static"),
        *web.routes(settings.demo),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await services.close_ledger_writer()  # shutdown: every queued audit event is written first
        await close_shared_reads(services)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = services
    app.state.live_call = web.live_call_available(view.schema)
    outer = LimitsAndCors(app, services, graphql=view)
    app.state.cors_origins = outer._origins  # frame-ancestors of the sidebar pages
    return outer


def _load_domain_engines(services: Services) -> None:
    """Load data-driven engines at start-up so a broken file stops the service before it serves."""
    from asistente.errors import DataFileError
    from asistente.portfolio.segmentation import load_rules

    load_rules()
    try:
        # The lexicons load when the detector is first imported; both are re-checked here so a broken
        # file stops the start, naming file, JSON path and reason.
        from asistente.compliance.detect import default_matcher
        from asistente.compliance.textmodel import default_model

        default_matcher()
        default_model()
        from asistente.objections.classifier import default_classifier

        default_classifier()
    except ValueError as exc:  # LexiconError, TextModelError: both carry file, path and reason
        if all(hasattr(exc, a) for a in ("file", "path", "reason")):
            raise DataFileError(exc.file, exc.path, exc.reason) from exc  # type: ignore[attr-defined]
        raise
    if "packs" not in services.extras:
        services.extras["packs"] = _packs(services.settings.rule_pack_dir)
    if "llm" not in services.extras:
        # The optional LLM (second reader of checkCompliance): built here so its import is not paid
        # inside a request's time budget.
        from asistente.llm import LLMClient, LLMConfig

        config = LLMConfig.from_settings(services.settings)
        services.extras["llm"] = LLMClient(config).warm() if config else None
    if "playbook" not in services.extras:
        services.extras["playbook"] = _playbook(
            services.settings.rule_pack_dir, services.settings.playbook_dir
        )
    if "drafts" not in services.extras:
        settings = services.settings
        services.extras["drafts"] = _drafts(
            settings.rule_pack_dir, settings.draft_template_dir, settings.cache_dir
        )


@lru_cache(maxsize=4)
def _drafts(rule_pack_dir: Path | None, template_dir: Path | None, cache_dir: Path | None) -> Any:
    """Message templates, each rendered for a sample debtor of every jurisdiction it serves and checked
    against the same packs (a template that fails stops the service, naming file, path and reason)."""
    from asistente.drafting.catalog import load_catalog

    return load_catalog(_packs(rule_pack_dir), template_dir, cache_dir=cache_dir)


@lru_cache(maxsize=4)
def _packs(rule_pack_dir: Path | None) -> Any:
    from asistente.compliance import load_packs

    return load_packs(rule_pack_dir)


@lru_cache(maxsize=4)
def _playbook(rule_pack_dir: Path | None, playbook_dir: Path | None) -> Any:
    """Objection playbooks, every answer checked against the law's packs (a bad file stops the service)."""
    from asistente.objections.playbook import load_playbook

    return load_playbook(_packs(rule_pack_dir), playbook_dir)


def app_from_env() -> ASGIApp:
    """Factory for `uvicorn --factory asistente.app:app_from_env` (multi-worker serving)."""
    from asistente.logs import configure

    settings = Settings()
    configure(settings.log_level, settings.log_format)
    tune_serving_process(settings)
    return freeze_startup_objects(create_app(settings), refreeze_after=settings.gc_refreeze_requests)


def tune_serving_process(settings: Settings) -> None:
    """Process-wide settings of a serving process (not of tests or the CLI's one-shot commands): the GIL's
    switch interval (``gil_switch_ms``), so a committer thread's statements do not each wait up to 5 ms
    for the event loop to let go of the GIL while the database's write lock is held."""
    sys.setswitchinterval(settings.gil_switch_ms / 1000)


def freeze_startup_objects(app: ASGIApp, *, refreeze_after: int = 0) -> ASGIApp:
    """Move everything built at start-up (schema, rule packs, lexicons, zone and holiday tables) out of the
    garbage collector's reach: they live as long as the process, and a full collection would otherwise walk
    them all, pausing every request in flight (measured: 40-75 ms pauses under load, see benchmarks/)."""
    gc.collect()
    gc.freeze()
    if refreeze_after > 0:
        return RefreezeAfterWarmUp(app, refreeze_after)
    return app


class RefreezeAfterWarmUp:
    """Freeze again once the worker is warm. The first requests fill the memos (rule decisions, rendered
    answers, prepared documents, zone tables); a full collection walks every one of those objects, and a
    frozen one is never walked. After ``first`` requests, then ``first * factor`` and ``first * factor**2``
    (``times`` freezes in all), collect and freeze once: a single pause of one worker at those moments
    instead of one at every full collection. Reference counting still frees a frozen object that is no
    longer used; only cyclic garbage among frozen objects is left, bounded by what was alive at the last
    freeze. Requests pass through untouched."""

    __slots__ = ("app", "count", "factor", "left", "next_at")

    def __init__(self, app: ASGIApp, first: int, *, factor: int = 10, times: int = 3) -> None:
        self.app = app
        self.count = 0
        self.next_at = first
        self.factor = factor
        self.left = times

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.left and scope["type"] != "lifespan":
            self.count += 1
            if self.count >= self.next_at:
                self.left -= 1
                self.next_at *= self.factor
                gc.collect()
                gc.freeze()
        await self.app(scope, receive, send)
