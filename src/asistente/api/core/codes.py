"""The values of `extensions.code` on GraphQL errors, as a documented enum in the schema (clients generate
their error handling from it; API.md lists the same names)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="The value of `extensions.code` on every GraphQL error this service returns.")
class ErrorCode(Enum):
    BAD_INPUT = strawberry.enum_value(
        "BAD_INPUT", description="The request is wrong: a malformed document, variable or input value."
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="No such object for this tenant (another tenant's objects read the same)."
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN", description="The caller's role, authority or origin does not allow this operation."
    )
    UNAUTHENTICATED = strawberry.enum_value(
        "UNAUTHENTICATED", description="Missing, invalid, revoked or expired credentials."
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description="Too many requests, or the database too busy to answer in time (nothing was changed); "
        "retry after the Retry-After header's seconds (extensions.retryAfter).",
    )
    INTERNAL_SERVER_ERROR = strawberry.enum_value(
        "INTERNAL_SERVER_ERROR", description="An unexpected failure; its details are logged, never returned."
    )
