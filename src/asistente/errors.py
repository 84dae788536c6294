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


class DataFileError(DomainError):
    """A data file the service needs (lexicon, text model, rule pack...) fails its schema at start-up: the
    service refuses to start, naming the file, the JSON path in it and the reason."""

    code = "BAD_INPUT"

    def __init__(self, file: str, path: str, reason: str) -> None:
        super().__init__(f"cannot start: {file}: at {path}: {reason}")
        self.file, self.path, self.reason = file, path, reason


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
