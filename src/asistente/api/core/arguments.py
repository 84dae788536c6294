"""Argument conversion planned once per field instead of worked out on every call.

Strawberry turns a resolver's coerced GraphQL arguments into Python values (input dataclasses, lists, enums)
with `strawberry.types.arguments.convert_arguments`, which on every call and for every nested input field
resolves the field's type, converts its name to camelCase, asks the scalar registry whether it is a leaf and
imports the relay types: on a checkCompliance request that was about a sixth of the event loop's CPU. The
answer to all those questions depends only on the schema, so `convert_arguments` here makes, once per
argument list, a converter per type that follows the same steps in the same order
(Optional, None, UNSET, List, leaf, LazyType, enum, input object) and calls strawberry's own
`convert_argument` for every case it does not plan (Maybe, GlobalID, input types that build their own value
with `from_input`, unsupported types), so those behave exactly as before. Tests compare both on every
argument of the schema (tests/api/test_arguments_plan.py).

`install()` puts it in place of the function strawberry's resolvers call (schema_converter.get_arguments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

import strawberry.schema.schema_converter as _converter_module
from strawberry.types import arguments as _strawberry_arguments
from strawberry.types.arguments import _is_leaf_type, _is_optional_leaf_type, convert_argument
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional, has_object_definition
from strawberry.types.enum import has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Converter = Callable[[Any, Any, tuple], Any]  # (value, info, path) -> Python value

_ORIGINAL = _strawberry_arguments.convert_arguments
_plans: dict[int, tuple[Any, list[tuple[str, str, Converter]]]] = {}


def convert_arguments(
    value: dict[str, Any],
    arguments: list[Any],
    scalar_registry: Mapping[object, Any],
    config: Any,
    info: Any = None,
) -> dict[str, Any]:
    """Drop-in for strawberry's `convert_arguments`: the same result, planned per argument list."""
    if not arguments:
        return {}
    entry = _plans.get(id(arguments))
    if entry is None or entry[0] is not arguments:
        plan = [
            (
                config.name_converter.from_argument(a),
                a.python_name,
                _Planner(scalar_registry, config).build(a.type),
            )
            for a in arguments
        ]
        if len(_plans) > 4096:
            _plans.clear()
        _plans[id(arguments)] = entry = (arguments, plan)
    kwargs = {}
    for name, python_name, conv in entry[1]:
        if name in value:
            kwargs[python_name] = conv(value[name], info, (name,))
    return kwargs


class _Planner:
    def __init__(self, scalar_registry: Mapping[object, Any], config: Any) -> None:
        self.registry = scalar_registry
        self.config = config
        self.objects: dict[Any, Converter] = {}

    def fallback(self, type_: Any) -> Converter:
        registry, config = self.registry, self.config

        def conv(value: Any, info: Any, path: tuple) -> Any:
            return convert_argument(value, type_, registry, config, info, path=path)

        return conv

    def build(self, type_: Any) -> Converter:
        if isinstance(type_, StrawberryMaybe):
            return self.fallback(type_)
        if isinstance(type_, StrawberryOptional):
            return self.build(type_.of_type)
        return _none_and_unset(self._build_value(type_))

    def _build_value(self, type_: Any) -> Converter:
        """The converter of a value that is neither None nor UNSET (those are answered before)."""
        from strawberry.relay.types import GlobalID

        if isinstance(type_, StrawberryList):
            of = type_.of_type
            if _is_leaf_type(of, self.registry, skip_classes=(GlobalID,)) or _is_optional_leaf_type(
                of, self.registry, skip_classes=(GlobalID,)
            ):
                return lambda value, info, path: list(value)
            item = self.build(of)
            return lambda value, info, path: [item(x, info, (*path, i)) for i, x in enumerate(value)]
        if _is_leaf_type(type_, self.registry):
            if type_ is GlobalID:
                return self.fallback(type_)
            return lambda value, info, path: value
        if isinstance(type_, LazyType):
            return self.build(type_.resolve_type())
        if has_enum_definition(type_):
            return self.build(type_.__strawberry_definition__)
        if has_object_definition(type_):
            return self._object(type_)
        return self.fallback(type_)  # raises UnsupportedTypeError when called, as strawberry does

    def _object(self, type_: Any) -> Converter:
        known = self.objects.get(type_)
        if known is not None:
            return known
        definition = type_.__strawberry_definition__
        if definition.from_input is not None:
            conv = self.fallback(type_)
            self.objects[type_] = conv
            return conv
        defaults: dict[str, Any] = {}
        if definition.is_input:
            defaults = {
                f.python_name: None
                for f in definition.fields
                if f.default_value is MISSING and f.default_factory is MISSING
            }
        fields: list[tuple[str, str, Converter]] = []

        def conv(value: Any, info: Any, path: tuple) -> Any:
            kwargs = dict(defaults)
            for name, python_name, field_conv in fields:
                if name in value:
                    kwargs[python_name] = field_conv(value[name], info, (*path, name))
            return type_(**kwargs)

        self.objects[type_] = conv  # before the fields: input types may refer to themselves
        for f in definition.fields:
            fields.append(
                (
                    self.config.name_converter.from_field(f),
                    f.python_name,
                    self.build(f.resolve_type(type_definition=definition)),
                )
            )
        return conv


def _none_and_unset(inner: Converter) -> Converter:
    def conv(value: Any, info: Any, path: tuple) -> Any:
        if value is None:
            return None
        if value is UNSET:
            return UNSET
        return inner(value, info, path)

    return conv


def install() -> None:
    """Use the planned conversion for every resolver strawberry calls (idempotent)."""
    _converter_module.convert_arguments = convert_arguments  # type: ignore[assignment]


def original_convert_arguments(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Strawberry's own conversion (for comparison in tests)."""
    return _ORIGINAL(*args, **kwargs)
