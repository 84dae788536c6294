"""Permissions before anything else: every root field is authorised before its resolver runs.

Resolvers call `info.context.require(info)` themselves, but some check their input first (a missing
reason, a malformed amount), and a caller who may not use the field at all must hear FORBIDDEN (or
UNAUTHENTICATED), not which of its inputs was wrong. This extension authorises each root field of a
query, mutation or subscription before its resolver is entered; nested fields pass straight through."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

ROOTS = frozenset({"Query", "Mutation", "Subscription"})


class RootFieldPermissions(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        path = info.path
        if path.prev is None and path.typename in ROOTS and not info.field_name.startswith("__"):
            info.context.require_field(path.typename, info.field_name)
        return _next(root, info, *args, **kwargs)
