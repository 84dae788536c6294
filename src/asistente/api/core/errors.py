"""Error codes on every GraphQL error (API.md), and masking of unexpected errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from asistente.errors import DomainError

log = logging.getLogger("asistente.api")

CODES = {"BAD_INPUT", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "RATE_LIMITED"}
UNEXPECTED = "Unexpected error / Error inesperado"


def coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    ext = dict(error.extensions or {})
    if isinstance(original, DomainError):
        ext["code"] = original.code
        if original.errors:
            ext["fields"] = [
                {"field": e.field, "message": e.message, "code": e.code} for e in original.errors
            ]
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=ext,
        )
    coercion = error.path is None and isinstance(
        original, (ValueError, TypeError)
    )  # a scalar refused a value
    if original is None or isinstance(original, GraphQLError) or coercion:
        # Parse and validation errors, unknown enum values, variable coercion: the client's request is wrong.
        ext.setdefault("code", "BAD_INPUT")
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=ext,
        )
    log.error("unexpected error in %s", ".".join(map(str, error.path or [])), exc_info=original)
    return GraphQLError(
        UNEXPECTED, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR"}
    )


class ErrorCodes(SchemaExtension):
    """Give every error a code; replace unexpected ones (a bug, a database outage) by a masked message."""

    def on_execute(self) -> Iterator[None]:
        # Streaming transports (WebSocket) take the result from here, not from on_operation.
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [coded(e) for e in result.errors]

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [coded(e) for e in result.errors]
        pre = getattr(self.execution_context, "pre_execution_errors", None)
        if pre:
            self.execution_context.pre_execution_errors = [coded(e) for e in pre]
