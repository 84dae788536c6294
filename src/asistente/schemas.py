"""JSON Schemas of the data files and import records: `schema/` at the root of the repository, shipped inside
the package as `asistente/schema` (a link in the checkout, real files in a built wheel), and found the one way
that works in both: importlib.resources."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator


def schema_dir() -> Path:
    folder = resources.files("asistente").joinpath("schema")
    if not folder.is_dir():
        raise FileNotFoundError(f"the package's schema folder is missing ({folder}): reinstall asistente")
    return Path(str(folder))


def schema_file(name: str) -> Path:
    """The path of one JSON Schema, e.g. ``schema_file("rule-pack.schema.json")``."""
    path = schema_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"JSON Schema {name} not found in {schema_dir()}")
    return path


@cache
def load_schema(name: str) -> dict[str, Any]:
    with open(schema_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def dollar_path(parts: Any) -> str:
    """jsonschema's path as a JSONPath: `$.rules[0].id` (how data-file errors name the place)."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def best_error(errors: list[Any]) -> Any:
    """The most specific of several validation errors: the deepest (an if/then failure reports its own
    branch's error)."""

    def depth(e: Any) -> tuple[int, int]:
        return (len(list(e.absolute_path)), -len(list(e.absolute_schema_path)))

    best = max(errors, key=depth)
    while best.context:
        best = max(best.context, key=depth)
    return best


def json_path(parts: Any) -> str:
    """jsonschema's deque path as `accounts[0].currency`."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(record)"


@cache
def fast_validator(name: str) -> Any:
    """The same schema compiled to Python by fastjsonschema (about 15x faster than interpreting it).

    Used only as a fast path: when it accepts, the record is valid; when it refuses, jsonschema
    produces the full list of reasons. A test checks that both agree. Our schemas use only keywords
    whose meaning is the same in draft-07 and 2020-12, so `$defs` is renamed to `definitions`.
    """
    import fastjsonschema

    text = json.dumps(load_schema(name)).replace('"#/$defs/', '"#/definitions/')
    schema = json.loads(text)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    if "$defs" in schema:
        schema["definitions"] = schema.pop("$defs")
    schema.pop("$id", None)
    return fastjsonschema.compile(schema)


def is_valid_fast(name: str, instance: Any) -> bool:
    import fastjsonschema

    try:
        fast_validator(name)(instance)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_errors(name: str, instance: Any) -> list[str]:
    if is_valid_fast(name, instance):
        return []
    errors = []
    for err in sorted(validator(name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        errors.append(f"{json_path(err.absolute_path)}: {_short(err)}")
    return errors


def _short(err: Any) -> str:
    if err.validator == "additionalProperties":
        return (
            err.message.replace("Additional properties are not allowed", "unknown field(s):")
            .replace(" were unexpected", "")
            .replace(" was unexpected", "")
        )
    if err.validator == "pattern":
        return f"{err.instance!r} has the wrong format"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    msg = err.message
    return msg if len(msg) <= 300 else msg[:300] + "..."
