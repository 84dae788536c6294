"""Shared GraphQL pieces: money as decimal strings, enums from the domain, page info."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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


# JSON values (attributes, rule-pack overlays, policies): what is stored is exactly what was sent, or nothing.
JSON_MAX_DEPTH = 32
JSON_MAX_SAFE_INTEGER = 2**53 - 1  # exact in every JSON reader (JavaScript included) and in both databases


def check_json_value(value: Any) -> Any:
    """Refuse (ValueError, hence BAD_INPUT) a JSON value that could not be stored and read back unchanged:
    nesting over 32 levels, numbers beyond +/-(2^53-1) or not finite, strings with NUL or lone surrogates.
    Iterative, so no input can exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > JSON_MAX_DEPTH:
                raise ValueError(f"JSON value nested deeper than {JSON_MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, sub in item.items():
                    _check_json_text(key)
                    stack.append((sub, depth + 1))
            else:
                stack.extend((sub, depth + 1) for sub in item)
        elif isinstance(item, str):
            _check_json_text(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int | float):
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError("JSON numbers must be finite (no NaN or Infinity)")
            if abs(item) > JSON_MAX_SAFE_INTEGER:
                raise ValueError(
                    f"JSON number {item!r} is beyond +/-(2^53-1) and would not be kept exactly; send it as a string"
                )
        else:
            raise ValueError(f"not a JSON value: {type(item).__name__}")
    return value


def _check_json_text(text: Any) -> None:
    if not isinstance(text, str):
        raise ValueError("JSON object keys must be strings")
    if "\x00" in text:
        raise ValueError("JSON strings may not contain NUL (U+0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("JSON strings may not contain lone UTF-16 surrogates") from None


JSONScalar = strawberry.scalar(
    name="JSON",
    description=(
        "The `JSON` scalar type represents JSON values as specified by "
        "[ECMA-404]"
        "(https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf)."
    ),
    specified_by_url="https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf",
    serialize=lambda v: v,
    parse_value=check_json_value,
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
