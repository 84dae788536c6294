"""The GraphQL schema: domain Query/Mutation classes merged, limits and caches from settings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types

from asistente.api.agreements import schema as agreements
from asistente.api.audit import schema as audit
from asistente.api.compliance import schema as compliance
from asistente.api.core.errors import ErrorCodes
from asistente.api.portfolio import schema as portfolio
from asistente.api.tenants import schema as tenants
from asistente.settings import Settings

QUERIES = (portfolio.Query, tenants.Query, compliance.Query, audit.Query, agreements.Query)
MUTATIONS = (portfolio.Mutation, tenants.Mutation, compliance.Mutation, audit.Mutation, agreements.Mutation)


class OperationScope(SchemaExtension):
    """A fresh session, loaders and clock reading per operation (HTTP request or WebSocket message)."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context.context
        if hasattr(ctx, "begin_operation"):
            ctx.begin_operation()
        try:
            yield
        finally:
            if hasattr(ctx, "end_operation"):
                ctx.end_operation()


def build_schema(settings: Settings) -> strawberry.Schema:
    return _build(
        settings.max_query_depth, settings.max_aliases, settings.max_tokens, settings.introspection_enabled
    )


@lru_cache(maxsize=8)
def _build(max_query_depth: int, max_aliases: int, max_tokens: int, introspection: bool) -> strawberry.Schema:
    # Stateless limiters and the caches are built once and shared by every operation (the caches must be:
    # a fresh one per request would cache nothing).
    shared = [
        ParserCache(maxsize=512),
        ValidationCache(maxsize=512),
        QueryDepthLimiter(max_depth=max_query_depth),
        MaxAliasesLimiter(max_alias_count=max_aliases),
        MaxTokensLimiter(max_token_count=max_tokens),
    ]
    if not introspection:
        shared.append(DisableIntrospection())
    extensions: list = [ErrorCodes, OperationScope, *[(lambda ext=ext: ext) for ext in shared]]
    Query = merge_types("Query", QUERIES)
    Mutation = merge_types("Mutation", MUTATIONS)
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)
