"""The GraphQL schema: domain Query/Mutation classes merged, limits and caches from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
)
from graphql.execution.middleware import MiddlewareManager
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.scalars import JSON
from strawberry.schema._graphql_core import execution_context_class_kwargs
from strawberry.schema.schema import validate_document
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType as StrawberryOperationType

from asistente.api.agreements import schema as agreements
from asistente.api.audit import schema as audit
from asistente.api.calls import schema as calls
from asistente.api.compliance import schema as compliance
from asistente.api.core import arguments as planned_arguments
from asistente.api.core.codes import ErrorCode
from asistente.api.core.context import Context
from asistente.api.core.errors import ErrorCodes, coded, log_errors
from asistente.api.core.guard import RootFieldPermissions
from asistente.api.core.scalars import DateScalar, DateTimeScalar, JSONScalar
from asistente.api.drafting import schema as drafting
from asistente.api.hosts import schema as hosts
from asistente.api.objections import schema as objections
from asistente.api.objections import suggest as objection_suggest
from asistente.api.portfolio import schema as portfolio
from asistente.api.portfolio.cards import MAX_PLANNED_TEXT
from asistente.api.tenants import schema as tenants
from asistente.settings import Settings

QUERIES = (
    portfolio.Query,
    tenants.Query,
    compliance.Query,
    audit.Query,
    agreements.Query,
    objections.Query,
    objection_suggest.Query,
    drafting.Query,
    calls.Query,
    hosts.Query,
)
MUTATIONS = (
    portfolio.Mutation,
    tenants.Mutation,
    compliance.Mutation,
    audit.Mutation,
    agreements.Mutation,
    objection_suggest.Mutation,
    drafting.Mutation,
    calls.Mutation,
    hosts.Mutation,
)
SUBSCRIPTIONS = (calls.Subscription,)

planned_arguments.install()  # resolvers' arguments converted by a plan per field (api/core/arguments.py)


class OperationScope(SchemaExtension):
    """A fresh session, loaders and clock reading per operation (HTTP request or WebSocket message).

    Resolvers use synchronous SQLAlchemy sessions on the event loop. An operation holds its pooled
    connection across awaits (between loader batches), so if more operations than the pool can serve were
    let in, the next checkout would block the event loop while the holders could never resume to give their
    connections back: the worker would freeze. Each operation therefore first waits, asynchronously, for
    one of the database slots (pool capacity minus one kept for authentication)."""

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = self.execution_context.context
        if getattr(ctx, "websocket", False) and _is_subscription(self.execution_context):
            # A subscription lives as long as its stream: it must not hold a database slot (nor the
            # connection's shared session) for that long; it opens short sessions of its own.
            yield
            return
        slots = ctx.services.db_slots() if hasattr(ctx, "services") else None
        if slots is not None:
            await slots.acquire()
        try:
            ctx.begin_operation()
            if getattr(ctx, "websocket", False):
                await _limit_websocket_operation(ctx)
            try:
                yield
            finally:
                ctx.end_operation()
        finally:
            if slots is not None:
                slots.release()


async def _limit_websocket_operation(ctx: Any) -> None:
    """HTTP requests are limited by the middleware before they are read; a WebSocket operation is counted
    here, against the same per-credential and per-tenant limits. Over a limit, every root field of the
    operation answers RATE_LIMITED (Context.require_field)."""
    limiter = ctx.services.extras.get("limiter")
    credential = getattr(ctx, "_credential", None)
    if limiter is None or not credential:
        return
    verdict = await limiter.credential(credential)
    if verdict.allowed and ctx.principal is not None:
        verdict = await limiter.tenant(ctx.principal.tenant_id)
    ctx.limited = None if verdict.allowed else verdict.retry_after


class Schema(strawberry.Schema):
    """Strawberry's schema with a lean execution of documents already known to be valid.

    `Schema.execute` instantiates every extension, runs each lifecycle hook through generated context
    managers and hashes the whole document for the validation cache on every request: on a `{ me }` that
    machinery cost about a quarter of the server's CPU. A query or mutation whose text was parsed and
    validated before (with the same rules, the same token limit) is executed here directly by graphql-core,
    doing exactly what the extensions do around it: the same database slot and operation scope
    (OperationScope), the same root-field permission check (RootFieldPermissions, as the same graphql-core
    middleware), the same logging (`process_errors`) and coding (ErrorCodes) of errors. Anything else (a
    text seen for the first time, one that does not parse or validate, an operation that is not allowed,
    subscriptions, WebSocket contexts) goes to strawberry's own execution, which produces those errors."""

    asistente_rules: tuple = ()
    asistente_max_tokens: int = 10_000

    def lean_plan(self, query: str, operation_name: str | None, *, note: bool = True) -> Any:
        """The plan of a text, or None (normal execution). A text is planned on its second sight: one
        seen once (most malformed or probing documents) costs normal execution only, never a second
        parse and validation. `note=False` only looks."""
        if len(query) > MAX_PLANNED_TEXT:  # never remembered: normal execution answers it every time
            return None
        plans: dict[tuple[str, str | None], Any] = self.__dict__.setdefault("_asistente_plans", {})
        key = (query, operation_name)
        plan = plans.get(key, _UNSEEN)
        if not note or plan is None:
            return None if plan is _UNSEEN or plan is _SEEN_ONCE else plan
        if plan is _UNSEEN or plan is _SEEN_ONCE:
            if len(plans) >= 1024:
                plans.clear()
            if plan is _UNSEEN:
                plans[key] = _SEEN_ONCE
                return None
            plan = plans[key] = _lean_compile(self, query, operation_name)
        return plan

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Any = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        if (
            allowed_operation_types is not None
            and StrawberryOperationType.SUBSCRIPTION in allowed_operation_types
        ):
            # `execute` answers with one result; a subscription is a stream, served by `stream` (WebSocket,
            # graphql-transport-ws). Run here, graphql-core completed it as a query and failed it with an
            # unexpected error (a 500-like INTERNAL_SERVER_ERROR): refused instead, as a request error.
            allowed_operation_types = {
                t for t in allowed_operation_types if t is not StrawberryOperationType.SUBSCRIPTION
            }
        plan = None
        if (
            isinstance(query, str)
            and isinstance(context_value, Context)
            and not context_value.websocket
            and (operation_name is None or isinstance(operation_name, str))
        ):
            plan = self.lean_plan(query, operation_name)
        if plan is None or (allowed_operation_types is not None and plan.kind not in allowed_operation_types):
            return await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )
        return await self.lean_execute(plan, variable_values, context_value, root_value, operation_extensions)

    async def lean_execute(
        self, plan: Any, variables: Any, ctx: Context, root_value: Any, operation_extensions: Any
    ) -> ExecutionResult:
        slots = ctx.services.db_slots()
        await slots.acquire()
        try:
            ctx.begin_operation()
            try:
                result = self._get_execute_function()(
                    self._schema,
                    plan.document,
                    root_value=root_value,
                    middleware=_ROOT_PERMISSIONS,
                    variable_values=variables,
                    operation_name=plan.requested_name,
                    context_value=ctx,
                    is_awaitable=optimized_is_awaitable,
                    **execution_context_class_kwargs(self.execution_context_class),
                    **self._get_custom_context_kwargs(operation_extensions),
                )
                if isawaitable(result):
                    result = await result
            except Exception as exc:  # what strawberry's execute turns into a data-less error
                error = exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
                self.process_errors([error], _Named(plan.operation_name))
                return ExecutionResult(data=None, errors=[coded(error)], extensions={})
            finally:
                ctx.end_operation()
        finally:
            slots.release()
        errors = result.errors
        if errors:
            self.process_errors(errors, _Named(plan.operation_name))
            errors = [coded(e) for e in errors]
        return ExecutionResult(data=result.data, errors=errors, extensions={})

    def process_errors(self, errors: list, execution_context: Any = None) -> None:
        """Called with the original errors, before ErrorCodes masks the unexpected ones."""
        log_errors(errors, getattr(execution_context, "operation_name", None))

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Streamed results (WebSocket) with every error coded: errors found before the operation runs
        (a variable that does not coerce, a document that does not validate) come out of the stream
        without passing the ErrorCodes extension's hooks.

        A NUL (U+0000) in the document or the variables is refused before anything runs, as HTTP refuses
        it (GraphQLView.parse_json): PostgreSQL text cannot hold one, so a write carrying it failed as an
        unexpected error."""
        query = args[0] if args else kwargs.get("query")
        variables = args[1] if len(args) > 1 else kwargs.get("variable_values")
        where = "the document" if isinstance(query, str) and "\x00" in query else nul_path(variables, "$")
        if where is not None:
            error = GraphQLError(
                f"NUL characters (U+0000) are not accepted in queries or variables (at {where})",
                extensions={"code": ErrorCode.BAD_INPUT.value},
            )
            return _single(PreExecutionError(data=None, errors=[error]))
        return _coded_stream(await super().stream(*args, **kwargs))


def nul_path(value: Any, path: str) -> str | None:
    """Where a decoded JSON value holds a NUL character in a string or a key ("$c", "$i.note"), or None.
    Iterative: variables may nest up to the JSON parser's limit, deeper than Python's recursion."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return where
        elif isinstance(node, dict):
            for k, v in reversed(list(node.items())):
                here = f"{where}{'' if where == '$' else '.'}{k}"
                if "\x00" in str(k):
                    return here
                stack.append((v, here))
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{n}]") for n, v in reversed(list(enumerate(node))))
    return None


async def _single(result: Any) -> AsyncIterator[Any]:
    yield result


_UNSEEN = object()
_SEEN_ONCE = object()
_ROOT_PERMISSIONS = MiddlewareManager(RootFieldPermissions())


@dataclass(frozen=True)
class _Named:
    """What `process_errors` reads from an execution context."""

    operation_name: str | None


@dataclass(frozen=True)
class _LeanPlan:
    document: DocumentNode
    kind: StrawberryOperationType
    requested_name: str | None  # as the request gave it (graphql-core picks the operation)
    operation_name: str | None  # as strawberry's execution context names it (for the logs)


def _lean_compile(schema: Schema, query: str, operation_name: str | None) -> _LeanPlan | None:
    """The parsed, validated document of a query or mutation, or None (normal execution answers)."""
    if schema.directives:
        return None
    try:
        document = parse(query, max_tokens=schema.asistente_max_tokens)
        if validate_document(schema._schema, document, (*specified_rules, *schema.asistente_rules)):
            return None
        operation = get_operation_ast(document, operation_name)
    except Exception:
        return None
    if operation is None or operation.operation not in (OperationType.QUERY, OperationType.MUTATION):
        return None
    if operation_name is not None:
        name = operation_name
    else:
        first = next((d for d in document.definitions if isinstance(d, OperationDefinitionNode)), None)
        name = first.name.value if first is not None and first.name else None
    return _LeanPlan(document, StrawberryOperationType(operation.operation.value), operation_name, name)


async def _coded_stream(source: Any) -> AsyncIterator[Any]:
    try:
        async for result in source:
            errors = getattr(result, "errors", None)
            if errors:
                result.errors = [coded(e) for e in errors]
            yield result
    finally:
        await source.aclose()


class _ParserCache(ParserCache):
    """Strawberry's parse cache for texts up to MAX_PLANNED_TEXT. Its LRU keeps each text it parsed (and the
    validation cache each document, which holds its text): a text of megabytes (whitespace and comments are
    not tokens, so a valid one can be that long) is parsed by normal execution every time and never kept,
    or a few hundred such requests would hold gigabytes."""

    def on_parse(self) -> Iterator[None]:
        if len(self.execution_context.query or "") > MAX_PLANNED_TEXT:
            yield  # strawberry parses it itself (same options: the token limit), uncached
            return
        yield from super().on_parse()


class _ValidationCache(ValidationCache):
    """Strawberry's validation cache for texts up to MAX_PLANNED_TEXT (see _ParserCache)."""

    def on_validate(self) -> Iterator[None]:
        if len(self.execution_context.query or "") > MAX_PLANNED_TEXT:
            yield  # strawberry validates it itself, uncached
            return
        yield from super().on_validate()


def _is_subscription(execution_context: object) -> bool:
    query = getattr(execution_context, "query", None)
    if not isinstance(query, str) or "subscription" not in query:
        return False
    try:
        operation = get_operation_ast(parse(query), getattr(execution_context, "operation_name", None))
    except GraphQLError:
        return False
    return operation is not None and operation.operation == OperationType.SUBSCRIPTION


def build_schema(settings: Settings) -> strawberry.Schema:
    return _build(
        settings.max_query_depth, settings.max_aliases, settings.max_tokens, settings.introspection_enabled
    )


@lru_cache(maxsize=8)
def _build(max_query_depth: int, max_aliases: int, max_tokens: int, introspection: bool) -> strawberry.Schema:
    # Extensions keep per-request state (execution_context), so each request gets fresh instances; a shared
    # instance would let concurrent requests overwrite each other's context. The parse and validation
    # caches are module-level in strawberry and shared by every instance. The depth and alias rules are
    # built once so the validation cache sees the same rule classes on every request.
    rules = [
        *QueryDepthLimiter(max_depth=max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    if not introspection:
        rules += DisableIntrospection().validation_rules
    rules = tuple(rules)
    extensions: list = [
        ErrorCodes,
        OperationScope,
        RootFieldPermissions,
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: _ParserCache(maxsize=512),
        lambda: AddValidationRules(list(rules)),
        lambda: _ValidationCache(maxsize=512),
    ]
    Query = merge_types("Query", QUERIES)
    Mutation = merge_types("Mutation", MUTATIONS)
    Subscription = merge_types("Subscription", SUBSCRIPTIONS)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        types=[ErrorCode],
        scalar_overrides={datetime: DateTimeScalar, date: DateScalar, JSON: JSONScalar},
    )
    # The cached-card path (api/portfolio/cards.py) parses and validates exactly as these extensions do.
    schema.asistente_rules = rules
    schema.asistente_max_tokens = max_tokens
    return schema
