"""Prepared execution of hot single-field operations (suggestResponses, draftMessage) without strawberry's
execution machinery.

A live sidebar sends the same document again and again with new variables. Normal execution parses (cached),
validates (cached), runs every extension hook, resolves the root field and then completes its result field
by field; for these operations that machinery costs about a quarter of a request. Here a document is planned
once (parsed and validated with the schema's own rules, exactly like the cached card path,
asistente.api.portfolio.cards), and a request whose document is planned runs:

- the same database slot and per-operation scope as OperationScope (a fresh session, loaders and clock);
- the same permission check as RootFieldPermissions (`Context.require_field`) before the resolver;
- variables coerced by graphql-core (`get_variable_values`) and arguments by graphql-core and strawberry
  (`get_argument_values`, `get_arguments`), then the very resolver normal execution calls;
- the result completed from the resolver's object by the planned selection (aliases, fragments,
  __typename), each leaf through its GraphQL type's `serialize`;
- an error raised by the resolver located and coded as normal execution does (`located_error`, `coded`,
  `log_errors`), with `data` null when the field is non-null.

Only documents made of exactly one planned root field (plus __typename) whose selected fields are plain
attributes (no resolver, no arguments, no abstract types) are planned; everything else, variables that do
not coerce, and directives go to normal execution, which produces those errors. Tests compare both paths'
responses byte for byte, for selections generated from the schema.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationDefinitionNode,
    OperationType,
    located_error,
    parse,
    specified_rules,
    type_from_ast,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.schema.schema import validate_document
from strawberry.schema.schema_converter import get_arguments
from strawberry.types import ExecutionResult

from asistente.api.core.errors import coded, log_errors
from asistente.api.portfolio.cards import MAX_PLANNED_TEXT, _collect
from asistente.memo import BoundedMemo

if TYPE_CHECKING:
    import strawberry

    from asistente.api.core.context import Context, Services

log = logging.getLogger("asistente.prepared")

# Root fields answered by this path (Query fields whose result is a plain object tree).
ROOT_FIELDS = frozenset(
    {"suggestResponses", "draftMessage", "checkCompliance", "contactPermission", "validateAgreement"}
)


class _Ineligible(Exception):
    """Not a document this path answers; normal execution takes it."""


@dataclass
class _Sel:
    key: str
    name: str
    python_name: str | None  # None for __typename
    typename: str  # the parent type's name
    leaf: Any = None  # the named leaf type (scalar or enum), None for objects
    sub: list[_Sel] | None = None


@dataclass
class _Plan:
    operation: OperationDefinitionNode
    root_key: str
    field_node: FieldNode
    field_def: Any
    non_null: bool
    selection: list[_Sel]
    typename_keys: list[str]  # root __typename keys, in document order
    order: list[str]  # response keys in document order
    plain_variables: bool = False  # every variable is built of enums and the built-in scalars only


class _Path:
    typename = "Query"
    prev = None

    def __init__(self, key: str) -> None:
        self.key = key


class _Info:
    """What the resolvers read from `info`: the context, the field's name and its place (a root field)."""

    def __init__(self, context: Context, field_name: str, key: str) -> None:
        self.context = context
        self.field_name = field_name
        self.path = _Path(key)


class PreparedPath:
    def __init__(self, schema: strawberry.Schema, services: Services) -> None:
        self.schema = schema
        self.gql = schema._schema
        self.services = services
        self.rules = (*specified_rules, *getattr(schema, "asistente_rules", ()))
        self.max_tokens: int = getattr(schema, "asistente_max_tokens", None) or 10_000
        self._plans: dict[tuple[str, str | None], _Plan | None] = {}
        self.stats = {"answered": 0, "errors": 0, "fallbacks": 0}
        self._arguments = BoundedMemo(2048)  # (plan, variables as canonical JSON) -> the field's arguments

    # ------------------------------------------------------------------ plans
    def plan(self, query: str, operation_name: str | None) -> _Plan | None:
        if len(query) > MAX_PLANNED_TEXT:  # never remembered: normal execution answers it
            return None
        key = (query, operation_name)
        if key in self._plans:
            return self._plans[key]
        try:
            plan = self._compile(query, operation_name)
        except (_Ineligible, GraphQLError, RecursionError):
            plan = None
        except Exception:
            log.exception("prepared path: could not plan a document; normal execution takes it")
            plan = None
        if len(self._plans) >= 512:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def _compile(self, query: str, operation_name: str | None) -> _Plan:
        if not any(name in query for name in ROOT_FIELDS):
            raise _Ineligible("no prepared root field")
        if "@" in query:
            raise _Ineligible("directives")
        doc = parse(query, max_tokens=self.max_tokens)
        if validate_document(self.gql, doc, self.rules):
            raise _Ineligible("invalid document")
        ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            if len(ops) != 1:
                raise _Ineligible("operation name needed")
            op = ops[0]
        else:
            matching = [o for o in ops if o.name and o.name.value == operation_name]
            if len(matching) != 1:
                raise _Ineligible("unknown operation")
            op = matching[0]
        if op.operation != OperationType.QUERY:
            raise _Ineligible("not a query")
        fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
        query_type = self.gql.query_type
        assert query_type is not None
        roots = _collect(query_type, [op.selection_set], fragments)
        order = list(roots)
        typename_keys = [k for k, nodes in roots.items() if nodes[0].name.value == "__typename"]
        fields = [(k, nodes) for k, nodes in roots.items() if nodes[0].name.value != "__typename"]
        if len(fields) != 1 or fields[0][1][0].name.value not in ROOT_FIELDS:
            raise _Ineligible("one prepared root field")
        root_key, nodes = fields[0]
        if len(nodes) != 1:
            raise _Ineligible("a root field selected twice")
        name = nodes[0].name.value
        field_def = query_type.fields[name]
        selection = self._selection(field_def.type, nodes, fragments)
        variable_types = [type_from_ast(self.gql, v.type) for v in op.variable_definitions or ()]
        return _Plan(
            op,
            root_key,
            nodes[0],
            field_def,
            isinstance(field_def.type, GraphQLNonNull),
            selection,
            typename_keys,
            order,
            all(t is not None and _plain_input(t, set()) for t in variable_types),
        )

    def _selection(self, t: Any, nodes: list[FieldNode], fragments: dict) -> list[_Sel]:
        named = _named(t)
        if not isinstance(named, GraphQLObjectType):
            raise _Ineligible("not an object type")
        out = []
        for key, sub_nodes in _collect(named, [n.selection_set for n in nodes], fragments).items():
            name = sub_nodes[0].name.value
            if name == "__typename":
                out.append(_Sel(key, name, None, named.name))
                continue
            f = named.fields[name]
            definition = f.extensions.get("strawberry-definition")
            if definition is None or definition.base_resolver is not None or f.args:
                raise _Ineligible(f"{named.name}.{name} is resolved, not read")
            if any(n.arguments for n in sub_nodes):
                raise _Ineligible("arguments")
            leaf = _named(f.type)
            if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                out.append(_Sel(key, name, definition.python_name, named.name, leaf=leaf))
            else:
                sub = self._selection(f.type, sub_nodes, fragments)
                out.append(_Sel(key, name, definition.python_name, named.name, sub=sub))
        return out

    # ------------------------------------------------------------------ execution
    async def execute(
        self, ctx: Context, query: Any, variables: Any, operation_name: Any
    ) -> ExecutionResult | None:
        """The response of this request, or None when normal execution must answer it."""
        if self.services.settings.card_cache_size <= 0 or not isinstance(query, str):
            return None
        if variables is not None and not isinstance(variables, dict):
            return None
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        plan = self.plan(query, operation_name)
        if plan is None:
            return None
        raw_args = self._arguments_of(plan, variables or {})
        if raw_args is None:  # variables that do not coerce: normal execution reports them
            self.stats["fallbacks"] += 1
            return None
        return await self._run(ctx, plan, raw_args)

    def _arguments_of(self, plan: _Plan, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The root field's arguments from the request's variables (coerced by graphql-core), or None when
        they do not coerce. A pure function of the plan's operation and the variables' values; when every
        variable is made of enums and built-in scalars only (immutable values once coerced; no JSON scalar,
        which hands the resolver the caller's own mutable object), it is remembered per plan and the
        variables' canonical JSON (orjson with sorted keys: 1, 1.0 and true stay apart). Resolvers never
        see these dicts: strawberry builds the input objects from them."""
        key = None
        if plan.plain_variables:
            try:
                text = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
            except TypeError:
                text = None
            if text is not None and len(text) <= MAX_REMEMBERED_VARIABLES:
                key = (id(plan), text)
                found = self._arguments.get(key)
                if found is not None and found[0] is plan:
                    return found[1]
        coerced = get_variable_values(self.gql, plan.operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            return None
        try:
            raw_args = get_argument_values(plan.field_def, plan.field_node, coerced)
        except GraphQLError:
            return None
        if key is not None:
            self._arguments.put(key, (plan, raw_args))  # the entry keeps the plan (and its id) alive
        return raw_args

    async def _run(self, ctx: Context, plan: _Plan, raw_args: dict[str, Any]) -> ExecutionResult:
        name = plan.field_node.name.value
        field = plan.field_def.extensions["strawberry-definition"]
        slots = self.services.db_slots()
        await slots.acquire()
        try:
            ctx.begin_operation()
            # Every root field of this path writes only its ledger record, through the group committer:
            # its own reads go to the read-only sessions (no BEGIN/ROLLBACK, prepared statements kept).
            ctx.reads_only = True
            try:
                info = _Info(ctx, name, plan.root_key)
                try:
                    ctx.require_field("Query", name)
                    args, kwargs = get_arguments(
                        field=field,
                        source=None,
                        info=info,  # type: ignore[arg-type]
                        kwargs=raw_args,
                        config=self.schema.config,
                        scalar_registry=self.schema.schema_converter.scalar_registry,
                    )
                    value = field.base_resolver(*args, **kwargs)
                    if isinstance(value, Awaitable):
                        value = await value
                    completed = _complete(value, plan.selection)
                except Exception as exc:
                    return self._error(plan, exc)
            finally:
                ctx.end_operation()
                ctx.reads_only = False
        finally:
            slots.release()
        self.stats["answered"] += 1
        return ExecutionResult(data=self._data(plan, completed), errors=None)

    def _data(self, plan: _Plan, completed: Any) -> dict[str, Any]:
        return {k: completed if k == plan.root_key else "Query" for k in plan.order}

    def _error(self, plan: _Plan, exc: Exception) -> ExecutionResult:
        self.stats["errors"] += 1
        error = located_error(exc, [plan.field_node], [plan.root_key])
        log_errors([error])
        data = None if plan.non_null else self._data(plan, None)
        return ExecutionResult(data=data, errors=[coded(error)])


MAX_REMEMBERED_VARIABLES = 4096  # bytes of canonical JSON; larger variables are coerced every time
_PLAIN_SCALARS = frozenset({"String", "ID", "Int", "Float", "Boolean"})


def _plain_input(t: Any, seen: set[str]) -> bool:
    """Whether values of input type `t` coerce to enums and built-in scalars only (in dicts and lists)."""
    t = _named(t)
    if isinstance(t, GraphQLEnumType):
        return True
    if isinstance(t, GraphQLScalarType):
        return t.name in _PLAIN_SCALARS
    if isinstance(t, GraphQLInputObjectType):
        if t.name in seen:
            return True
        seen.add(t.name)
        return all(_plain_input(f.type, seen) for f in t.fields.values())
    return False


def _named(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _complete(value: Any, selection: list[_Sel]) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [_complete(v, selection) for v in value]
    out: dict[str, Any] = {}
    for s in selection:
        if s.python_name is None:
            out[s.key] = s.typename
            continue
        v = getattr(value, s.python_name)
        if s.leaf is not None:
            if v is None:
                out[s.key] = None
            elif isinstance(v, list | tuple):
                out[s.key] = [None if x is None else s.leaf.serialize(x) for x in v]
            else:
                out[s.key] = s.leaf.serialize(v)
        else:
            out[s.key] = _complete(v, s.sub or [])
    return out
