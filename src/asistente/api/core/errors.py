"""Error codes on every GraphQL error (API.md), and masking of unexpected errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from asistente.db import database_busy
from asistente.errors import DomainError
from asistente.logs import clean

log = logging.getLogger("asistente.api")
client_log = logging.getLogger("asistente.api.client")

CODES = {"BAD_INPUT", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "RATE_LIMITED"}
UNEXPECTED = "Unexpected error / Error inesperado"
# A database that did not answer within Settings.database_wait_seconds (a lock held too long, no free
# connection): the operation was rolled back whole, so the client retries it as it is, like a rate limit.
BUSY_RETRY_AFTER = 1
BUSY = f"the database is busy; nothing was changed, retry in {BUSY_RETRY_AFTER} s"


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
    if database_busy(original):
        return GraphQLError(
            BUSY,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "RATE_LIMITED", "retryAfter": BUSY_RETRY_AFTER},
        )
    return GraphQLError(
        UNEXPECTED, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR"}
    )


def expected_code(error: GraphQLError) -> str | None:
    """The code of an error the client caused (and `coded` passes through), None for an unexpected one."""
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code
    if original is None or isinstance(original, GraphQLError):
        return str((error.extensions or {}).get("code") or "BAD_INPUT")
    if error.path is None and isinstance(original, (ValueError, TypeError)):
        return "BAD_INPUT"
    if database_busy(original):
        return "RATE_LIMITED"
    return None


def log_errors(errors: list[GraphQLError], operation: str | None = None) -> None:
    """Expected errors (NOT_FOUND, BAD_INPUT, FORBIDDEN...): one INFO line each, no traceback. Unexpected
    ones: ERROR with the traceback (the client only sees a masked message). The request id is added to every
    line by asistente.logs."""
    for error in errors:
        code = expected_code(error)
        where = ".".join(map(str, error.path)) if error.path else (operation or "document")
        if code is None:
            log.error("unexpected error in %s", where, exc_info=error.original_error)
        elif code == "RATE_LIMITED" and database_busy(error.original_error):
            log.warning("database busy in %s: %s", where, clean(str(error.original_error), 300))
        else:
            client_log.info("%s %s: %s", code, clean(where, 120), clean(error.message), extra={"code": code})


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
