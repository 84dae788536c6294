"""Shared GraphQL pieces: money as decimal strings, enums from the domain, page info."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from asistente import enums
from asistente.money import format_amount

Channel = strawberry.enum(enums.Channel, name="Channel")
RecipientRole = strawberry.enum(enums.RecipientRole, name="RecipientRole")
Direction = strawberry.enum(enums.Direction, name="Direction")
InteractionOutcome = strawberry.enum(enums.InteractionOutcome, name="InteractionOutcome")
PhoneKind = strawberry.enum(enums.PhoneKind, name="PhoneKind")
EmailKind = strawberry.enum(enums.EmailKind, name="EmailKind")
PromiseStatus = strawberry.enum(enums.PromiseStatus, name="PromiseStatus")
Role = strawberry.enum(enums.Role, name="Role")
ViolationCode = strawberry.enum(enums.ViolationCode, name="ViolationCode")
ComplianceContext = strawberry.enum(
    enums.ComplianceContext,
    name="ComplianceContext",
    description="MESSAGE: a whole communication (SMS, e-mail, letter, voicemail, a whole call). "
    "CALL_TURN: one line inside a call; what the communication as a whole must contain is left to the call.",
)


MIN_YEAR, MAX_YEAR = 1900, 2200


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"{value!r} is outside the years {MIN_YEAR}-{MAX_YEAR}")
    return parsed


def _parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise ValueError("Date must be a YYYY-MM-DD string")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date (YYYY-MM-DD)") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"{value!r} is outside the years {MIN_YEAR}-{MAX_YEAR}")
    return parsed


# The built-in scalars, with a sane year range: year 1 or 9999 overflow time-zone and calendar arithmetic.
DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 date-time, years 1900-2200; instants carry an offset.",
    serialize=lambda v: v.isoformat(),
    parse_value=_parse_datetime,
)
DateScalar = strawberry.scalar(
    name="Date",
    description="ISO 8601 date (YYYY-MM-DD), years 1900-2200.",
    serialize=lambda v: v.isoformat(),
    parse_value=_parse_date,
)


def money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_amount(Decimal(amount), currency)


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A field-level problem with an input.")
class InputError:
    field: str
    message: str
    code: str


def limit_list(name: str, items: list | None, maximum: int) -> None:
    from asistente.errors import BadInput

    if items is not None and len(items) > maximum:
        raise BadInput(f"{name}: {len(items)} items; at most {maximum} per request")


def clamp_first(first: int | None, default: int = 20, maximum: int = 100) -> int:
    from asistente.errors import BadInput

    if first is None:
        return default
    if first < 1 or first > maximum:
        raise BadInput(f"first: between 1 and {maximum}")
    return first
