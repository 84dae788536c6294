"""Domain errors. The API layer maps them to GraphQL error codes (API.md); domain code never imports it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "BAD_INPUT"


class DomainError(Exception):
    code = "BAD_INPUT"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class BadInput(DomainError):
    code = "BAD_INPUT"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class RateLimited(DomainError):
    code = "RATE_LIMITED"


@dataclass
class RecordRejection:
    """One rejected record of a batch (import line or GraphQL list index)."""

    index: int
    reasons: list[str] = field(default_factory=list)
    external_id: str | None = None
