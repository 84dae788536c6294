"""The planned argument conversion (api/core/arguments.py) gives exactly what strawberry's own conversion gives,
for every argument of every field of the schema, with values generated from the schema: every input field
given, only the required ones, nullable ones as null, lists of several items; and both raise the same way."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    coerce_input_value,
)
from graphql.pyutils import Undefined

from asistente.api.core.arguments import convert_arguments, original_convert_arguments
from asistente.api.schema import build_schema
from asistente.settings import Settings

SAMPLES = {
    "String": ["x", "Hola, ¿cómo está?"],
    "ID": ["1", "abc"],
    "Int": [1, 0],
    "Float": [1.5, 2.0],
    "Boolean": [True, False],
    "Date": ["2026-01-02", "2026-12-31"],
    "DateTime": ["2026-01-02T03:04:05Z", "2026-06-01T10:00:00-05:00"],
    "JSON": [{"a": 1, "b": [1, 2]}, "text"],
}


def _value(t: Any, mode: str, depth: int, pick: int) -> Any:
    """A JSON value for GraphQL input type `t`; mode: 'all' fields, 'required' only, 'nulls' for nullable."""
    if isinstance(t, GraphQLNonNull):
        return _value(t.of_type, mode, depth, pick)
    if isinstance(t, GraphQLList):
        return [_value(t.of_type, mode, depth, i) for i in range(2)]
    if isinstance(t, GraphQLEnumType):
        names = list(t.values)
        return names[pick % len(names)]
    if isinstance(t, GraphQLScalarType):
        return SAMPLES[t.name][pick % 2]
    assert isinstance(t, GraphQLInputObjectType)
    out = {}
    for name, f in t.fields.items():
        required = isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        if depth > 3 and not required:
            continue
        if mode == "required" and not required:
            continue
        if mode == "nulls" and not isinstance(f.type, GraphQLNonNull):
            out[name] = None
            continue
        if t.is_one_of:
            return {name: _value(f.type, mode, depth + 1, pick)}
        out[name] = _value(f.type, mode, depth + 1, pick)
    return out


def _shape(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return (type(v).__qualname__, {k: _shape(x) for k, x in vars(v).items()})
    if isinstance(v, list):
        return ("list", [_shape(x) for x in v])
    if isinstance(v, dict):
        return ("dict", {k: _shape(x) for k, x in v.items()})
    if isinstance(v, enum.Enum):
        return ("enum", type(v).__qualname__, v.value)
    return (type(v).__name__, v)


def _fields_with_arguments(gql) -> list[tuple[str, Any, Any]]:
    out = []
    for t in gql.type_map.values():
        if not isinstance(t, GraphQLObjectType) or t.name.startswith("__"):
            continue
        for name, f in t.fields.items():
            definition = f.extensions.get("strawberry-definition")
            if f.args and definition is not None:
                out.append((f"{t.name}.{name}", f, definition))
    return out


SCHEMA = build_schema(Settings(introspection=True))
FIELDS = _fields_with_arguments(SCHEMA._schema)


def test_the_schema_has_arguments_to_compare():
    assert len(FIELDS) > 40
    names = {n for n, _, _ in FIELDS}
    assert {"Query.checkCompliance", "Query.validateAgreement", "Mutation.upsertDebtors"} <= names


@pytest.mark.parametrize("mode", ["all", "required", "nulls"])
@pytest.mark.parametrize("pick", [0, 1])
def test_planned_conversion_equals_strawberrys(mode, pick):
    registry = SCHEMA.schema_converter.scalar_registry
    config = SCHEMA.config
    compared = 0
    for name, f, definition in FIELDS:
        raw = {}
        for arg_name, arg in f.args.items():
            if mode == "required" and not isinstance(arg.type, GraphQLNonNull):
                continue
            try:
                raw[arg_name] = coerce_input_value(_value(arg.type, mode, 0, pick), arg.type)
            except Exception:
                continue
        try:
            expected = ("ok", _shape(original_convert_arguments(raw, definition.arguments, registry, config)))
        except Exception as exc:
            expected = ("raises", type(exc), str(exc))
        try:
            got = ("ok", _shape(convert_arguments(raw, definition.arguments, registry, config)))
        except Exception as exc:
            got = ("raises", type(exc), str(exc))
        assert got == expected, name
        compared += 1
    assert compared == len(FIELDS)


def test_the_resolvers_use_the_planned_conversion():
    import strawberry.schema.schema_converter as converter

    import asistente.app  # noqa: F401 - installs it

    assert converter.convert_arguments is convert_arguments


import strawberry  # noqa: E402
from strawberry.relay import GlobalID  # noqa: E402


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.input
class Node:
    name: str
    note: str | None
    color: Color | None = None
    children: list[Node] | None = None
    maybe: strawberry.Maybe[str | None] = None
    grid: list[list[int]] | None = None


@strawberry.type
class SyntheticQuery:
    @strawberry.field
    def f(self, node: Node, ids: list[GlobalID] | None = None, tag: strawberry.Maybe[str] = None) -> int:
        return 0


def test_shapes_the_schema_does_not_use_yet_convert_alike():
    """Nullable input fields without a default, self-referring inputs, Maybe, GlobalID, lists of lists."""
    schema = strawberry.Schema(SyntheticQuery)
    registry, config = schema.schema_converter.scalar_registry, schema.config
    definition = schema._schema.query_type.fields["f"].extensions["strawberry-definition"]
    arg_types = schema._schema.query_type.fields["f"].args
    gid = str(GlobalID("Node", "1"))
    cases = [
        {"node": {"name": "a", "note": None}},
        {"node": {"name": "a"}},
        {"node": {"name": "a", "note": "n", "color": "RED", "maybe": None, "grid": [[1, 2], [3]]}},
        {"node": {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "maybe": "m"}]}]}},
        {"node": {"name": "a"}, "ids": [gid, gid], "tag": "t"},
        {"node": {"name": "a"}, "ids": None},
    ]
    for case in cases:
        raw = {k: coerce_input_value(v, arg_types[k].type) for k, v in case.items()}
        expected = _shape(original_convert_arguments(raw, definition.arguments, registry, config))
        assert _shape(convert_arguments(raw, definition.arguments, registry, config)) == expected, case
