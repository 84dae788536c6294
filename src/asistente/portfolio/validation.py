"""Validation of portfolio records: the JSON Schema, then what a schema cannot say (E.164 numbers,
ISO 4217 currencies and their minor units, real dates, IANA zones, references inside the record)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import phonenumbers

from asistente.errors import BadInput
from asistente.money import known_currencies, minor_units
from asistente.schemas import load_schema, schema_errors

RECORD_SCHEMA = "portfolio-record.schema.json"


MIN_YEAR, MAX_YEAR = 1900, 2200  # dates outside are typing errors, and overflow time-zone arithmetic


def parse_date(value: str, path: str) -> date:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadInput(f"{path}: {value!r} is not a real date (YYYY-MM-DD)") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadInput(f"{path}: {value!r} is outside the years {MIN_YEAR}-{MAX_YEAR}")
    return day


def parse_instant(value: str | datetime, path: str) -> datetime:
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise BadInput(f"{path}: {value!r} is not a real ISO 8601 instant") from None
    if dt.tzinfo is None:
        raise BadInput(f"{path}: {value!r} has no offset; instants must carry one (Z or ±hh:mm)")
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        raise BadInput(f"{path}: {value!r} is outside the years {MIN_YEAR}-{MAX_YEAR}")
    return dt.astimezone(UTC)


@lru_cache(maxsize=4096)
def valid_e164(number: str) -> bool:
    """A strict E.164 string ("+" and digits, no formatting) that phonenumbers holds to be a valid number.

    The number object is built straight from the digits (E.164 country codes are prefix-free) instead of
    going through `phonenumbers.parse`, which is three times slower; validity is still the library's own
    `is_valid_number`. tests/portfolio/test_validation.py checks this agrees with parse-then-validate."""
    digits = number[1:]
    if (
        not number.startswith("+")
        or not (digits.isascii() and digits.isdigit())
        or not 7 <= len(digits) <= 15
    ):
        return False
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            rest = digits[size:]
            if not rest:
                return False
            parsed = phonenumbers.PhoneNumber(country_code=code, national_number=int(rest))
            zeros = len(rest) - len(rest.lstrip("0"))
            if zeros:
                parsed.italian_leading_zero = True
                parsed.number_of_leading_zeros = zeros
            return phonenumbers.is_valid_number(parsed)
    return False


def valid_e164_by_parsing(number: str) -> bool:
    """The reference: parse, validate, and require the canonical E.164 form back."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(parsed)
        and phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    )


@lru_cache(maxsize=1024)
def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        return False
    return True


def _money_errors(value: Any, currency: str | None, path: str, errors: list[str]) -> None:
    if not isinstance(value, str) or currency not in known_currencies():
        return
    fraction = value.split(".", 1)[1] if "." in value else ""
    decimals = len(fraction)
    # "1240.00" for CLP is 1240 written with zeros; only a non-zero digit beyond the minor units is wrong
    if fraction[minor_units(currency) :].strip("0"):
        errors.append(f"{path}: {value} has {decimals} decimals; {currency} has {minor_units(currency)}")


def _default_rules(schema: dict[str, Any]) -> list[tuple[tuple[str, ...], str, Any]]:
    """(path to an object, property, default) for every `default` of the record schema: a path step "*" is
    every item of an array. Only `properties`, `items` and local `$ref` are followed; a default anywhere
    else is refused, so that `apply_schema_defaults` can never silently do less than the validator."""
    defs = schema.get("$defs", {})
    out: list[tuple[tuple[str, ...], str, Any]] = []

    def walk(node: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
        if depth > 20:
            raise ValueError("record schema: $ref cycle")
        ref = node.get("$ref")
        if ref is not None:
            walk(defs[ref.removeprefix("#/$defs/")], path, depth + 1)
        for name, sub in node.get("properties", {}).items():
            if "default" in sub:
                out.append((path, name, sub["default"]))
            walk(sub, (*path, name), depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "*"), depth + 1)

    walk(schema, (), 0)
    if len(out) != json.dumps(schema).count('"default":'):
        raise ValueError("record schema: a default outside properties/items/$ref")
    return out


@lru_cache(maxsize=1)
def _record_defaults() -> list[tuple[tuple[str, ...], str, Any]]:
    return _default_rules(load_schema(RECORD_SCHEMA))


def apply_schema_defaults(record: dict[str, Any]) -> dict[str, Any]:
    """Fill in the schema's defaults where a key is absent, as validating the record does (fastjsonschema
    fills them in): for a record already validated elsewhere (the import's validation process) and parsed
    again from its line. Values are JSON scalars, shared safely."""
    for path, key, default in _record_defaults():
        targets: list[Any] = [record]
        for step in path:
            if step == "*":
                targets = [item for t in targets for item in t]
            else:
                targets = [t[step] for t in targets if step in t]
        for t in targets:
            if key not in t:
                t[key] = copy.deepcopy(default) if isinstance(default, (dict, list)) else default
    return record


def record_errors(record: Any, *, today: date | None = None) -> list[str]:
    """Every reason this record cannot be stored (empty list: valid)."""
    errors = schema_errors(RECORD_SCHEMA, record)
    if not isinstance(record, dict):
        return errors or ["a record must be a JSON object"]
    semantic: list[str] = []
    try:
        _semantic_errors(record, today or datetime.now(UTC).date(), semantic)
    except (KeyError, TypeError, AttributeError, ValueError):
        if not errors:  # the schema accepted it, so this is our bug, not the record's
            raise
    # One message per problem: a value the schema already refused is not reported again.
    refused = {e.split(": ", 1)[0] for e in errors}
    errors += [e for e in semantic if e.split(": ", 1)[0] not in refused]
    return list(dict.fromkeys(errors))


def _nul_paths(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "(record)"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_paths(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nul_paths(v, f"{path}[{i}]")]
    return []


def _may_hold_nul(record: dict[str, Any]) -> bool:
    """False when no string of the record can hold a NUL: orjson writes one as the escape \\u0000, so its
    absence from the serialised record rules NUL out without walking the record in Python."""
    try:
        return b"\\u0000" in orjson.dumps(record)
    except (orjson.JSONEncodeError, TypeError):
        return True


def _semantic_errors(record: dict[str, Any], today: date, errors: list[str]) -> None:
    if _may_hold_nul(record):
        for nul in _nul_paths(record):
            errors.append(f"{nul}: contains a NUL character")

    tz = record.get("timezone")
    if isinstance(tz, str) and not valid_zone(tz):
        errors.append(f"timezone: {tz!r} is not an IANA time zone (e.g. America/Mexico_City)")
    for i, phone in enumerate(record.get("phones", ())):
        if isinstance(phone.get("number"), str) and not valid_e164(phone["number"]):
            errors.append(f"phones[{i}].number: {phone['number']} is not a valid E.164 phone number")
    if "birthDate" in record:
        try:
            born = parse_date(record["birthDate"], "birthDate")
            if born > today:
                errors.append("birthDate: is in the future")
        except BadInput as exc:
            errors.append(exc.message)

    account_currency: dict[str, str] = {}
    for i, acc in enumerate(record.get("accounts", ())):
        p = f"accounts[{i}]"
        cur = acc["currency"]
        if cur not in known_currencies():
            errors.append(f"{p}.currency: {cur!r} is not an ISO 4217 currency")
        if acc["externalId"] in account_currency:
            errors.append(f"{p}.externalId: {acc['externalId']!r} appears twice in this record")
        account_currency[acc["externalId"]] = cur
        for key in ("principal", "balance", "minimumDue"):
            if key in acc:
                _money_errors(acc[key], cur, f"{p}.{key}", errors)
        if "dueDate" in acc:
            try:
                parse_date(acc["dueDate"], f"{p}.dueDate")
            except BadInput as exc:
                errors.append(exc.message)
        refs: set[str] = set()
        for j, pay in enumerate(acc.get("payments", ())):
            q = f"{p}.payments[{j}]"
            _money_errors(pay["amount"], cur, f"{q}.amount", errors)
            if pay["amount"].strip("0.") == "":
                errors.append(f"{q}.amount: must be greater than zero")
            try:
                parse_instant(pay["paidAt"], f"{q}.paidAt")
            except BadInput as exc:
                errors.append(exc.message)
            ref = pay.get("reference")
            if ref is not None:
                if ref in refs:
                    errors.append(f"{q}.reference: {ref!r} appears twice for this account")
                refs.add(ref)

    seen_ids: set[str] = set()
    for i, it in enumerate(record.get("interactions", ())):
        q = f"interactions[{i}]"
        try:
            parse_instant(it["at"], f"{q}.at")
        except BadInput as exc:
            errors.append(exc.message)
        ext = it.get("externalId")
        if ext is not None:
            if ext in seen_ids:
                errors.append(f"{q}.externalId: {ext!r} appears twice in this record")
            seen_ids.add(ext)

    seen_ids = set()
    for i, pr in enumerate(record.get("promises", ())):
        q = f"promises[{i}]"
        if pr["currency"] not in known_currencies():
            errors.append(f"{q}.currency: {pr['currency']!r} is not an ISO 4217 currency")
        _money_errors(pr["amount"], pr["currency"], f"{q}.amount", errors)
        try:
            parse_date(pr["dueDate"], f"{q}.dueDate")
        except BadInput as exc:
            errors.append(exc.message)
        if "promisedAt" in pr:
            try:
                parse_instant(pr["promisedAt"], f"{q}.promisedAt")
            except BadInput as exc:
                errors.append(exc.message)
        acc_ext = pr.get("accountExternalId")
        if (
            acc_ext is not None
            and acc_ext in account_currency
            and account_currency[acc_ext] != pr["currency"]
        ):
            errors.append(
                f"{q}.currency: {pr['currency']} differs from account {acc_ext} ({account_currency[acc_ext]})"
            )
        ext = pr.get("externalId")
        if ext is not None:
            if ext in seen_ids:
                errors.append(f"{q}.externalId: {ext!r} appears twice in this record")
            seen_ids.add(ext)
