"""Cached debtor cards: the hot path of `debtor` and `debtorByExternalId`.

A sidebar asks for the same card again and again during a call. Executing it field by field through
strawberry costs several milliseconds (about 150 fields), so a query made only of card fields is answered
from a snapshot instead:

- the snapshot of a debtor is built by running the card's clock-independent fields through the real schema
  once (so every value is what the resolvers return), plus the rows the clock-dependent fields need;
- it is valid for one `card_revision` of the debtor (asistente.portfolio.revisions moves it on every write
  that changes what the card shows); each request reads the current revision, one indexed query, and
  rebuilds the snapshot when it moved, so a card is never staler than the database;
- the clock-dependent fields (local times, age, segment and risk) are computed on every request from the
  snapshot's rows with the same functions the resolvers use;
- the response is projected from the snapshot by the request's selection set (aliases, fragments,
  __typename, field arguments).

Anything else falls back to normal execution: other root fields, directives, fields this module does not
know (contactNow, agreements, any field added later), arguments it cannot answer from the snapshot
(`payments(limit:)` over 10), variables that need coercion, documents that fail to parse or validate,
missing or refused credentials, unknown ids. Those paths produce the errors; this one only ever answers a
request that succeeds. Tests compare both paths' responses byte for byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from graphql import (
    EnumValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    Undefined,
    VariableNode,
    parse,
    specified_rules,
)
from graphql import execute as gql_execute
from strawberry.schema._graphql_core import execution_context_class_kwargs
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult

from asistente.api.portfolio.types import (
    age_at,
    local_time_at,
    local_times_at,
    risk_of,
    segment_of,
    zones_of,
)
from asistente.errors import DomainError
from asistente.geo import TzCandidate
from asistente.ids import is_uuid
from asistente.portfolio import revisions
from asistente.portfolio.repository import (
    PAYMENT_LOOKBACK_DAYS,
    RECENT_INTERACTIONS,
    RECENT_PAYMENTS,
    CardRows,
    PortfolioRepository,
    card_rows,
    segment_for,
)

if TYPE_CHECKING:
    import strawberry

    from asistente.api.core.context import Context, Services
    from asistente.api.loaders import Loaders

log = logging.getLogger("asistente.cards")

# The longest query text the per-process plan memos (this path's, the prepared path's and the schema's lean
# plans) remember. They keep hundreds of texts each, and a body may be megabytes long (whitespace and
# comments are not tokens, so even a valid document can be): a longer text, far beyond any real client's
# document, is answered by normal execution every time and never kept.
MAX_PLANNED_TEXT = 64 * 1024

ROOTS = {"debtor": ("id", "debtor_id"), "debtorByExternalId": ("externalId", "external_id")}
# What the cached path may serve is an explicit, closed list (opt-in per field). Every `Debtor` field is in
# exactly one of CACHED["Debtor"], CLOCK_FIELDS and NEVER_CACHED, and every field of an object type under a
# cached field is in CACHED[that type]; tests/api/test_cards.py fails while a field is unclassified, and a
# query that asks for a field outside these lists falls back to normal execution. A cached field must
# depend only on the debtor's rows (it is answered while `card_revision` stands still): never on the clock
# (put it in CLOCK_FIELDS and compute it in `_clock_values`) and never on who asks (the snapshot is built
# with the first caller's identity): such a field goes to NEVER_CACHED.
CACHED: dict[str, frozenset[str]] = {
    "Debtor": frozenset(
        {
            "id",
            "externalId",
            "fullName",
            "language",
            "jurisdiction",
            "timezone",
            "addresses",
            "phones",
            "emails",
            "birthDate",
            "authorizedChannels",
            "optedOutChannels",
            "ceaseContact",
            "representedByAttorney",
            "attributes",
            "accounts",
            "totals",
            "maxDaysPastDue",
            "promises",
            "openPromises",
            "promiseStats",
            "payments",
            "lastPaymentAt",
            "lastInteractions",
        }
    ),
    "Address": frozenset({"line1", "line2", "city", "region", "postalCode", "country"}),
    "Phone": frozenset({"number", "kind"}),
    "Email": frozenset({"address", "kind"}),
    "Account": frozenset(
        {
            "id",
            "externalId",
            "product",
            "creditor",
            "currency",
            "principal",
            "balance",
            "minimumDue",
            "daysPastDue",
            "dueDate",
            "inLitigation",
            "disputed",
            "timeBarred",
        }
    ),
    "CurrencyTotal": frozenset({"currency", "balance", "principal", "minimumDue", "accounts"}),
    "Promise": frozenset({"id", "accountId", "amount", "currency", "dueDate", "promisedAt", "status"}),
    "PromiseStats": frozenset({"kept", "broken", "pending", "cancelled"}),
    "Payment": frozenset({"id", "accountId", "amount", "currency", "paidAt", "reference"}),
    "Interaction": frozenset(
        {
            "id",
            "channel",
            "direction",
            "at",
            "outcome",
            "recipientRole",
            "destination",
            "optOutRequested",
            "note",
            "agentId",
        }
    ),
}
# Debtor fields computed on every request from the snapshot's rows (their sub-objects whole).
CLOCK_FIELDS = ("localTime", "localTimes", "age", "segment", "risk")
# Debtor fields always left to normal execution (clock-, caller- or other-state-dependent).
NEVER_CACHED = frozenset({"agreements", "contactNow"})
# Debtor fields with arguments answered from the snapshot: name -> the rows the snapshot keeps.
LIST_ARGS = {"payments": RECENT_PAYMENTS, "lastInteractions": RECENT_INTERACTIONS, "promises": None}
_INT32 = (-(2**31), 2**31 - 1)
_SERIALS = itertools.count()


class _Ineligible(Exception):
    """This request is not one the cached path answers; normal execution takes it."""


@dataclass
class _Field:
    key: str  # response key (alias or name)
    name: str
    typename: str  # the parent type's name, for __typename
    args: dict[str, Any] = field(default_factory=dict)  # name -> AST value node
    sub: list[_Field] | None = None


@dataclass
class _Root:
    key: str
    name: str
    arg: Any  # AST value node of id / externalId
    fields: list[_Field]
    serial: int = field(default_factory=lambda: next(_SERIALS))  # names this selection in snapshots


@dataclass
class _Plan:
    roots: list[_Root | _Field]  # _Field only for __typename
    var_defaults: dict[str, Any]
    clock_fields: frozenset[str]


@dataclass
class _Snapshot:
    revision: int
    valid_from: datetime  # the earliest clock reading this snapshot can answer for
    static: dict[str, Any]
    zones: list[TzCandidate]
    birth_date: date | None
    accounts: list[Any]
    promises: list[Any]
    payments: list[Any]
    segments: dict[tuple[date, int], tuple[Any, Any]] = field(default_factory=dict)
    projections: dict[tuple[int, tuple[Any, ...]], dict[str, Any]] = field(default_factory=dict)


class CardPath:
    def __init__(self, schema: strawberry.Schema, services: Services) -> None:
        self.schema = schema
        self.gql = schema._schema
        self.services = services
        self.rules = (*specified_rules, *getattr(schema, "asistente_rules", ()))
        self.max_tokens: int = getattr(schema, "asistente_max_tokens", None) or 10_000
        self.debtor_type: GraphQLObjectType = self.gql.type_map["Debtor"]  # type: ignore[assignment]
        self.static_fields = self._static_fields()
        self.revisions = revisions.RevisionReader(services.reader())
        self.serializers = {name: _serializer(self.debtor_type.fields[name].type) for name in CLOCK_FIELDS}
        self.snapshot_query = self._snapshot_query()
        self.snapshot_document = parse(self.snapshot_query, max_tokens=self.max_tokens)
        invalid = validate_document(self.gql, self.snapshot_document, self.rules)
        if invalid:  # generated from the schema: a failure here is a bug in this module
            raise RuntimeError(f"the card snapshot query does not validate: {invalid}")
        self.debtor_type_class = self.debtor_type.extensions["strawberry-definition"].origin
        self.direct = self._direct_plan()  # None: every snapshot is built by executing the query
        self._plans: dict[tuple[str, str | None], _Plan | None] = {}
        self._cards: OrderedDict[tuple[str, str], _Snapshot] = OrderedDict()
        self._building: dict[tuple[str, str], tuple[int, asyncio.Future[_Snapshot | None]]] = {}
        self.stats = {"hits": 0, "builds": 0, "fallbacks": 0, "revision_reads": 0, "executed_builds": 0}

    # ------------------------------------------------------------------ what the snapshot holds
    def _plain_selection(self, t: Any, depth: int = 0) -> str | None:
        """Every field of a plain object type (no arguments, no abstract types), or None."""
        t = _named(t)
        if isinstance(t, GraphQLScalarType | GraphQLEnumType):
            return ""
        if not isinstance(t, GraphQLObjectType) or depth > 4:
            return None
        parts = []
        allowed = CACHED.get(t.name)
        if allowed is None:
            return None
        for name, f in t.fields.items():
            if name not in allowed:
                continue  # unclassified: never requested through this path (see _sub_fields)
            if f.args:
                return None
            sub = self._plain_selection(f.type, depth + 1)
            if sub is None:
                return None
            parts.append(f"{name} {sub}".strip())
        return "{ " + " ".join(parts) + " }"

    def _static_fields(self) -> dict[str, str]:
        out = {}
        for name, f in self.debtor_type.fields.items():
            if name not in CACHED["Debtor"] or (f.args and name not in LIST_ARGS):
                continue
            sub = self._plain_selection(f.type)
            if sub is not None:
                out[name] = sub
        return out

    def _snapshot_query(self) -> str:
        parts = []
        for name, sub in self.static_fields.items():
            keep = LIST_ARGS.get(name)
            args = f"(limit: {keep})" if keep else ""
            parts.append(f"{name}{args} {sub}".strip())
        return "query AsistenteCardSnapshot($id: ID!) { debtor(id: $id) { " + " ".join(parts) + " } }"

    def _direct_plan(self) -> list[tuple[str, Any, dict[str, Any], str | None, Any]] | None:
        """How to build the snapshot's values without executing its query: per Debtor field of the snapshot
        query, (name, the resolver's function, its arguments as the query gives them, whether it takes
        `info`, a completer of the query's selection under it). The very resolvers execution calls, on the
        rows the build read; leaves serialized by their GraphQL types as execution does. None (execute the
        query every time) when a selected field below Debtor has a resolver of its own or arguments, or a
        Debtor field takes an argument the query does not give as a literal."""
        op = self.snapshot_document.definitions[0]
        debtor_node = op.selection_set.selections[0]  # type: ignore[attr-defined]
        out = []
        for node in debtor_node.selection_set.selections:
            name = node.name.value
            f = self.debtor_type.fields[name]
            definition = f.extensions.get("strawberry-definition")
            resolver = getattr(definition, "base_resolver", None)
            kwargs: dict[str, Any] = {}
            for a in node.arguments or ():
                if not isinstance(a.value, IntValueNode):
                    return None
                names = self.schema.config.name_converter
                python_name = next(
                    (
                        x.python_name
                        for x in definition.arguments
                        if names.get_graphql_name(x) == a.name.value
                    ),
                    None,
                )
                if python_name is None:
                    return None
                kwargs[python_name] = int(a.value.value)
            if resolver is None:
                return None  # every Debtor field has a resolver (the type wraps the row)
            complete = _completer(f.type, node.selection_set)
            if complete is None:
                return None
            info = resolver.info_parameter
            out.append(
                (name, resolver.wrapped_func, kwargs, info.name if info is not None else None, complete)
            )
        return out

    # ------------------------------------------------------------------ plans (per document)
    def plan(self, query: str, operation_name: str | None) -> _Plan | None:
        if len(query) > MAX_PLANNED_TEXT:  # never remembered: normal execution answers it
            return None
        key = (query, operation_name)
        if key in self._plans:
            return self._plans[key]
        try:
            plan = self._compile(query, operation_name)
        except (_Ineligible, GraphQLError):
            plan = None
        except Exception:
            log.exception("cached card path: could not plan a document; normal execution takes it")
            plan = None
        if len(self._plans) >= 512:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def _compile(self, query: str, operation_name: str | None) -> _Plan:
        if "@" in query:  # directives (or an "@" in a string literal: rare, and merely slower)
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
        var_defaults = {}
        for vd in op.variable_definitions or ():
            if vd.default_value is not None:
                var_defaults[vd.variable.name.value] = _literal(vd.default_value, {}, {})
        roots: list[_Root | _Field] = []
        clock: set[str] = set()
        query_type = self.gql.query_type
        assert query_type is not None
        for key, nodes in _collect(query_type, [op.selection_set], fragments).items():
            name = nodes[0].name.value
            if name == "__typename":
                roots.append(_Field(key, name, "Query"))
                continue
            if name not in ROOTS:
                raise _Ineligible(f"root field {name}")
            arg_name = ROOTS[name][0]
            arg = next(a.value for a in nodes[0].arguments or () if a.name.value == arg_name)
            fields = self._debtor_fields(nodes, fragments, clock)
            roots.append(_Root(key, name, arg, fields))
        return _Plan(roots, var_defaults, frozenset(clock))

    def _debtor_fields(self, nodes: list[FieldNode], fragments: dict, clock: set[str]) -> list[_Field]:
        out = []
        for key, sub_nodes in _collect(self.debtor_type, [n.selection_set for n in nodes], fragments).items():
            name = sub_nodes[0].name.value
            if name == "__typename":
                out.append(_Field(key, name, "Debtor"))
                continue
            if name not in self.static_fields and name not in CLOCK_FIELDS:
                raise _Ineligible(f"Debtor.{name}")
            if name in CLOCK_FIELDS:
                clock.add(name)
            f = self.debtor_type.fields[name]
            args = {a.name.value: a.value for a in sub_nodes[0].arguments or ()}
            sub = self._sub_fields(f.type, sub_nodes, fragments, computed=name in CLOCK_FIELDS)
            out.append(_Field(key, name, "Debtor", args, sub))
        return out

    def _sub_fields(
        self, t: Any, nodes: list[FieldNode], fragments: dict, computed: bool = False
    ) -> list[_Field] | None:
        """The selection under a field; `computed` for the sub-objects of CLOCK_FIELDS (built per request)."""
        named = _named(t)
        if not isinstance(named, GraphQLObjectType):
            return None
        allowed = None if computed else CACHED.get(named.name, frozenset())
        out = []
        for key, sub_nodes in _collect(named, [n.selection_set for n in nodes], fragments).items():
            name = sub_nodes[0].name.value
            if allowed is not None and name != "__typename" and name not in allowed:
                raise _Ineligible(f"{named.name}.{name}")
            f = named.fields.get(name)
            out.append(
                _Field(
                    key,
                    name,
                    named.name,
                    {},
                    self._sub_fields(f.type, sub_nodes, fragments, computed) if f else None,
                )
            )
        return out

    # ------------------------------------------------------------------ execution
    async def execute(
        self, ctx: Context, query: Any, variables: Any, operation_name: Any
    ) -> ExecutionResult | None:
        """The response for this request from cached cards, or None when normal execution must answer."""
        if self.services.settings.card_cache_size <= 0 or ctx.principal is None or not isinstance(query, str):
            return None
        if variables is not None and not isinstance(variables, dict):
            return None
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        plan = self.plan(query, operation_name)
        if plan is None:
            return None
        try:
            data = await self._run(ctx, plan, variables or {})
        except (_Ineligible, DomainError):
            data = None
        except Exception:  # never let the cached path fail a request normal execution could answer
            log.exception("cached card path failed; falling back to normal execution")
            data = None
        if data is None:
            self.stats["fallbacks"] += 1
            return None
        return ExecutionResult(data=data, errors=None)

    async def _run(self, ctx: Context, plan: _Plan, variables: dict[str, Any]) -> dict[str, Any] | None:
        principal = ctx.principal
        assert principal is not None
        now = ctx.now()
        data: dict[str, Any] = {}
        for root in plan.roots:
            if isinstance(root, _Field):
                data[root.key] = "Query"
                continue
            ctx.require_field("Query", root.name)
            list_args = self._list_args(root.fields, variables, plan.var_defaults)
            value = _literal(root.arg, variables, plan.var_defaults)
            if not isinstance(value, str):
                raise _Ineligible("id must be a string")
            if (
                ROOTS[root.name][1] == "debtor_id"
                and self.direct is not None
                and (principal.tenant_id, value) not in self._cards
                and (principal.tenant_id, value) not in self._building
                and is_uuid(value)
            ):
                # A debtor this process holds no card of: its rows carry the revision, so they are read at
                # once (one statement fewer, no revision read first) and the snapshot is built from them.
                if principal.debtor_id is not None and value != principal.debtor_id:
                    return None  # a record-bound session asks for another debtor: normal, scoped execution
                snap = await self._first_view(ctx, principal.tenant_id, value, now)
                if snap is None:
                    return None
                data[root.key] = self._project_debtor(snap, root, plan, list_args, now)
                continue
            found = self.revisions.current(principal.tenant_id, by=ROOTS[root.name][1], key=value)
            self.stats["revision_reads"] += 1
            if found is None:
                return None
            debtor_id, revision = found
            if principal.debtor_id is not None and debtor_id != principal.debtor_id:
                return None  # a record-bound session asks for another debtor: normal, scoped execution
            snap = await self._snapshot(ctx, principal.tenant_id, debtor_id, revision, now)
            if snap is None:
                return None
            data[root.key] = self._project_debtor(snap, root, plan, list_args, now)
        return data

    async def _snapshot(
        self, ctx: Context, tenant_id: str, debtor_id: str, revision: int, now: datetime
    ) -> _Snapshot | None:
        key = (tenant_id, debtor_id)
        pending = self._building.get(key)
        if pending is not None and pending[0] is None:  # a first view of this debtor is being built: it
            # it keeps its snapshot (below), which serves this request if it is of this revision
            with contextlib.suppress(Exception):
                await asyncio.shield(pending[1])
        snap = self._cards.get(key)
        if snap is not None and snap.revision == revision and snap.valid_from <= now:
            self._cards.move_to_end(key)
            self.stats["hits"] += 1
            return snap
        pending = self._building.get(key)
        if pending is not None and pending[0] == revision:  # another request is building this one
            snap = await asyncio.shield(pending[1])
            return snap if snap is not None and snap.valid_from <= now else None
        task = asyncio.ensure_future(self._build(ctx, tenant_id, debtor_id, revision, now))
        self._building[key] = (revision, task)
        try:
            snap = await asyncio.shield(task)
        finally:
            if self._building.get(key, (None, None))[1] is task:
                del self._building[key]
        if snap is not None:
            self._keep(key, snap)
        return snap

    async def _first_view(
        self, ctx: Context, tenant_id: str, debtor_id: str, now: datetime
    ) -> _Snapshot | None:
        """The snapshot of a debtor this process holds no card of, built from rows read now (at the revision
        they carry). Requests for the same debtor arriving meanwhile read the revision as usual and wait for
        this build (`_snapshot`), which keeps its snapshot before anyone resumes."""
        key = (tenant_id, debtor_id)

        async def build_and_keep() -> _Snapshot | None:
            snap = await self._build(ctx, tenant_id, debtor_id, None, now)
            if snap is not None:
                self._keep(key, snap)
            return snap

        task = asyncio.ensure_future(build_and_keep())
        self._building[key] = (None, task)
        try:
            return await asyncio.shield(task)
        finally:
            if self._building.get(key, (None, None))[1] is task:
                del self._building[key]

    def _keep(self, key: tuple[str, str], snap: _Snapshot) -> None:
        self.stats["builds"] += 1
        self._cards[key] = snap
        self._cards.move_to_end(key)
        while len(self._cards) > self.services.settings.card_cache_size:
            self._cards.popitem(last=False)

    async def _build(
        self, ctx: Context, tenant_id: str, debtor_id: str, revision: int | None, now: datetime
    ) -> _Snapshot | None:
        """The snapshot of one debtor at `revision` (None: at the revision its rows carry), or None (normal
        execution answers the request).

        The debtor's rows are read as plain result rows (the loaders' own statements and order, no ORM
        objects) on one connection of the engine of reads, holding one database slot, and the snapshot's
        values are computed from them by the resolvers the snapshot query selects (`_direct_values`),
        without executing the query. When that cannot be done (`self.direct` is None, or a resolver asks for
        anything the rows do not answer), the snapshot query is executed as before (`_build_executed`).
        tests/api/test_card_direct.py compares both builds value for value."""
        if self.direct is None:
            return await self._build_executed(ctx, tenant_id, debtor_id, revision, now)
        # The payments window is opened a day early, so requests whose clock reads up to a day before this
        # one (concurrent requests, each with its own 'now') find every payment they need.
        valid_from = now - timedelta(days=1)
        slots = self.services.db_slots()
        await slots.acquire()
        try:
            ctx.require_field("Query", "debtor")
            rows = card_rows(self.services.reader(), tenant_id, debtor_id, valid_from)
        finally:
            slots.release()
        if rows is None or (revision is not None and rows.debtor.card_revision != revision):
            return None  # gone, or changed while we looked: let normal execution answer this one
        revision = rows.debtor.card_revision
        try:
            static = await self._direct_values(rows, now)
        except _Ineligible:
            self.stats["executed_builds"] += 1
            return await self._build_executed(ctx, tenant_id, debtor_id, revision, now)
        m = rows.debtor
        return _Snapshot(
            revision,
            valid_from,
            static,
            zones_of(m),
            m.birth_date,
            rows.accounts,
            rows.promises,
            rows.payments,
        )

    async def _direct_values(self, rows: CardRows, now: datetime) -> dict[str, Any]:
        """The snapshot query's `debtor` value computed from the rows: each selected field's resolver called
        as execution calls it (the Debtor object wrapping the row, the query's arguments, an `info` whose
        loaders answer this debtor's rows and whose clock is `now`), its result completed by the query's
        selection. Raises _Ineligible when a resolver asks for anything else."""
        assert self.direct is not None
        m = rows.debtor
        since = now - timedelta(days=PAYMENT_LOOKBACK_DAYS)
        loaders = _GivenLoaders(
            m.id,
            accounts_by_debtor_id=rows.accounts,
            promises_by_debtor_id=rows.promises,
            # what the payments loader returns at `now`: the newest RECENT_PAYMENTS and those inside the
            # look-back, a prefix of the wider window read
            payments_by_debtor_id=[
                p for i, p in enumerate(rows.payments) if i < RECENT_PAYMENTS or p.paid_at >= since
            ],
            last_interactions_by_debtor_id=rows.last_interactions,
        )
        info = _GivenInfo(_GivenContext(loaders, now))
        source = self.debtor_type_class(_m=m)
        out: dict[str, Any] = {}
        for name, fn, kwargs, info_name, complete in self.direct:
            if info_name is not None:
                value = fn(source, **kwargs, **{info_name: info})
            else:
                value = fn(source, **kwargs)
            if isawaitable(value):
                value = await value
            out[name] = complete(value)
        return out

    async def _build_executed(
        self, ctx: Context, tenant_id: str, debtor_id: str, revision: int, now: datetime
    ) -> _Snapshot | None:
        """The debtor's rows and the snapshot query, in ONE operation: one database slot, one session and
        transaction (the rows the query's loaders are seeded with and the rows they read themselves come
        from the same read), inside what the schema's extensions give an operation (OperationScope: a
        database slot, a fresh session, loaders and clock; RootFieldPermissions: the root field authorised
        first). The query is executed by graphql-core with the schema's own resolvers and execution
        context class, without re-running the per-request extension machinery (parse and validation
        caches, per-field hooks that only act on root fields) for a document parsed and validated once at
        start-up. Any error makes the caller fall back to normal execution of the request."""
        from asistente.api.core.context import Context as _Context

        sub = _Context(self.services)
        sub.principal = ctx.principal
        sub.auth_error = None
        sub.reads_only = True  # a snapshot only reads
        slots = self.services.db_slots()
        await slots.acquire()
        try:
            sub.begin_operation()
            try:
                sub.require_field("Query", "debtor")
                repo = PortfolioRepository(sub.session, tenant_id)
                m = repo.debtors_by_ids([debtor_id]).get(debtor_id)
                if m is None or m.card_revision != revision:
                    return None  # changed while we looked: let normal execution answer this one
                accounts = repo.accounts_by_debtor_ids([debtor_id]).get(debtor_id, [])
                promises = repo.promises_by_debtor_ids([debtor_id]).get(debtor_id, [])
                # The payments window is opened a day early, so requests whose clock reads up to a day
                # before this one (concurrent requests, each with its own 'now') find every payment they
                # need.
                valid_from = now - timedelta(days=1)
                payments = repo.payments_by_debtor_ids([debtor_id], now=valid_from).get(debtor_id, [])
                zones = zones_of(m)
                birth = m.birth_date

                def seed(loaders: Loaders) -> None:
                    """The snapshot query asks for the rows just read: its loaders get them instead of
                    reading them again (the payments as the loader would give them at the sub-operation's
                    clock: the newest RECENT_PAYMENTS and those inside the look-back, a prefix of the wider
                    window above)."""
                    loaders.debtor_by_id.prime(debtor_id, m)
                    loaders.accounts_by_debtor_id.prime(debtor_id, accounts)
                    loaders.promises_by_debtor_id.prime(debtor_id, promises)
                    since = loaders.ctx.now() - timedelta(days=PAYMENT_LOOKBACK_DAYS)
                    loaders.payments_by_debtor_id.prime(
                        debtor_id,
                        [p for i, p in enumerate(payments) if i < RECENT_PAYMENTS or p.paid_at >= since],
                    )

                sub.seed_loaders = seed
                result = gql_execute(
                    self.gql,
                    self.snapshot_document,
                    context_value=sub,
                    variable_values={"id": debtor_id},
                    **execution_context_class_kwargs(self.schema.execution_context_class),
                )
                if isawaitable(result):
                    result = await result
                # The snapshot keeps these rows after the operation: detach them unexpired (ending the
                # operation rolls its transaction back, which would expire attached rows).
                sub.session.expunge_all()
            finally:
                sub.end_operation()
        finally:
            slots.release()
        if result.errors or not result.data or result.data.get("debtor") is None:
            return None
        return _Snapshot(
            revision, valid_from, result.data["debtor"], zones, birth, accounts, promises, payments
        )

    def _project_debtor(
        self, snap: _Snapshot, root: _Root, plan: _Plan, list_args: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        # The clock-independent part of this selection is projected once per snapshot and reused.
        key = (
            root.serial,
            tuple((k, frozenset(v) if isinstance(v, set) else v) for k, v in list_args.items()),
        )
        static = snap.projections.get(key)
        if static is None:
            static = {}
            for f in root.fields:
                if f.name == "__typename" or f.name in CLOCK_FIELDS:
                    continue
                if f.name in LIST_ARGS:
                    value = self._list_value(snap.static[f.name], f.name, list_args[f.key])
                else:
                    value = snap.static[f.name]
                static[f.key] = value if f.sub is None else _project(value, f.sub)
            if len(snap.projections) >= 8:
                snap.projections.clear()
            snap.projections[key] = static
        clock = self._clock_values(snap, plan.clock_fields, now) if plan.clock_fields else {}
        out: dict[str, Any] = {}
        for f in root.fields:
            if f.name == "__typename":
                out[f.key] = "Debtor"
            elif f.name in CLOCK_FIELDS:
                value = clock[f.name]
                out[f.key] = value if f.sub is None else _project(value, f.sub)
            else:
                out[f.key] = static[f.key]
        return out

    def _list_args(self, fields: list[_Field], variables: dict[str, Any], defaults: dict[str, Any]) -> dict:
        """The list arguments of a card's fields by response key, checked before anything is read."""
        out: dict[str, Any] = {}
        for f in fields:
            if f.name not in LIST_ARGS:
                continue
            field_def = self.debtor_type.fields[f.name]
            if f.name == "promises":
                status = _literal(f.args["status"], variables, defaults) if "status" in f.args else None
                if isinstance(status, str):
                    status = [status]
                enum = _named(field_def.args["status"].type)
                if status is not None and (
                    not isinstance(status, list)
                    or not all(isinstance(s, str) and s in enum.values for s in status)
                ):
                    raise _Ineligible("status")
                out[f.key] = set(status) if status else None  # no statuses, like none given: every promise
                continue
            if "limit" in f.args:
                limit = _literal(f.args["limit"], variables, defaults)
            else:
                limit = field_def.args["limit"].default_value
            if type(limit) is not int or not _INT32[0] <= limit <= _INT32[1]:
                raise _Ineligible("limit")
            keep = LIST_ARGS[f.name]
            if f.name == "payments" and limit > keep:
                raise _Ineligible("more payments than the snapshot keeps")
            out[f.key] = max(0, min(limit, keep))
        return out

    @staticmethod
    def _list_value(rows: list[Any], name: str, arg: Any) -> list[Any]:
        if name == "promises":
            return rows if arg is None else [p for p in rows if p["status"] in arg]
        return rows[:arg]

    def _clock_values(self, snap: _Snapshot, wanted: frozenset[str], now: datetime) -> dict[str, Any]:
        ser = self.serializers
        out: dict[str, Any] = {}
        if "localTime" in wanted:
            out["localTime"] = ser["localTime"](local_time_at(snap.zones, now))
        if "localTimes" in wanted:
            out["localTimes"] = ser["localTimes"](local_times_at(snap.zones, now))
        if "age" in wanted:
            out["age"] = ser["age"](age_at(snap.birth_date, now))
        if "segment" in wanted or "risk" in wanted:
            # The payments the loader would return now: the latest ones plus those inside the look-back
            # window, always a prefix of the snapshot's list (newest first). The segment depends on the
            # clock only through that prefix and the date, so it is kept per (date, prefix).
            since = now - timedelta(days=PAYMENT_LOOKBACK_DAYS)
            n = 0
            for i, p in enumerate(snap.payments):
                if i >= RECENT_PAYMENTS and p.paid_at < since:
                    break
                n = i + 1
            key = (now.date(), n)
            done = snap.segments.get(key)
            if done is None:
                seg = segment_for(snap.accounts, snap.promises, [p.paid_at for p in snap.payments[:n]], now)
                done = (ser["segment"](segment_of(seg)), ser["risk"](risk_of(seg)))
                if len(snap.segments) > 16:
                    snap.segments.clear()
                snap.segments[key] = done
            out["segment"], out["risk"] = done
        return out


# ---------------------------------------------------------------------- the direct build's stand-ins
class _Given:
    """A loader stand-in answering one debtor's rows, already read; any other key is not answered."""

    __slots__ = ("key", "rows")

    def __init__(self, key: str, rows: list[Any]) -> None:
        self.key = key
        self.rows = rows

    async def load(self, key: str) -> list[Any]:
        if key != self.key:
            raise _Ineligible("a loader asked for another debtor")
        return self.rows


class _GivenLoaders:
    """The loaders the card's static resolvers read; asking for any other makes the build execute."""

    def __init__(self, debtor_id: str, **rows: list[Any]) -> None:
        for name, found in rows.items():
            setattr(self, name, _Given(debtor_id, found))

    def __getattr__(self, name: str) -> Any:
        raise _Ineligible(f"loader {name}")


class _GivenContext:
    """What the card's static resolvers read from the context: its loaders and its clock."""

    def __init__(self, loaders: _GivenLoaders, now: datetime) -> None:
        self.loaders = loaders
        self._now = now

    def now(self) -> datetime:
        return self._now

    def __getattr__(self, name: str) -> Any:
        raise _Ineligible(f"context.{name}")


class _GivenInfo:
    def __init__(self, context: _GivenContext) -> None:
        self.context = context

    def __getattr__(self, name: str) -> Any:
        raise _Ineligible(f"info.{name}")


def _completer(t: Any, selection: SelectionSetNode | None) -> Any:
    """A function completing a resolver's value of GraphQL type `t` by `selection` as graphql-core does
    (non-null checked, lists item by item, leaves through their type's `serialize`, object fields read as
    the attributes strawberry's default resolver reads), or None when the selection has anything else
    (a field with its own resolver or arguments, an alias, __typename, fragments, abstract types)."""
    if isinstance(t, GraphQLNonNull):
        inner = _completer(t.of_type, selection)
        if inner is None:
            return None

        def non_null(v: Any) -> Any:
            out = inner(v)
            if out is None:
                raise _Ineligible("null in a non-null field")
            return out

        return non_null
    if isinstance(t, GraphQLList):
        item = _completer(t.of_type, selection)
        if item is None:
            return None
        return lambda v: None if v is None else [item(x) for x in v]
    if isinstance(t, GraphQLScalarType | GraphQLEnumType):
        if selection is not None:
            return None
        leaf = t.serialize

        def complete_leaf(v: Any) -> Any:
            if v is None:
                return None
            out = leaf(v)
            if out is None or out is Undefined:
                raise _Ineligible("a leaf that does not serialize")
            return out

        return complete_leaf
    if not isinstance(t, GraphQLObjectType) or selection is None:
        return None
    parts = []
    for node in selection.selections:
        if not isinstance(node, FieldNode) or node.alias is not None or node.arguments:
            return None
        f = t.fields.get(node.name.value)
        definition = f.extensions.get("strawberry-definition") if f is not None else None
        if definition is None or definition.base_resolver is not None or f.args:
            return None
        sub = _completer(f.type, node.selection_set)
        if sub is None:
            return None
        parts.append((node.name.value, definition.python_name, sub))
    return lambda v: None if v is None else {name: sub(getattr(v, attr)) for name, attr, sub in parts}


# ---------------------------------------------------------------------- helpers
def _named(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _collect(
    t: GraphQLObjectType, selection_sets: list[SelectionSetNode | None], fragments: dict[str, Any]
) -> dict[str, list[FieldNode]]:
    """Fields by response key in document order, through inline fragments and spreads (no directives)."""
    out: dict[str, list[FieldNode]] = {}

    def walk(sel: SelectionSetNode | None, seen: set[str]) -> None:
        if sel is None:
            return
        for s in sel.selections:
            if isinstance(s, FieldNode):
                key = s.alias.value if s.alias else s.name.value
                out.setdefault(key, []).append(s)
            elif isinstance(s, InlineFragmentNode):
                if s.type_condition is not None and s.type_condition.name.value != t.name:
                    raise _Ineligible("abstract type condition")
                walk(s.selection_set, seen)
            elif isinstance(s, FragmentSpreadNode):
                name = s.name.value
                if name in seen:
                    continue
                seen.add(name)
                frag = fragments[name]
                if frag.type_condition.name.value != t.name:
                    raise _Ineligible("abstract type condition")
                walk(frag.selection_set, seen)

    for sel in selection_sets:
        walk(sel, set())
    return out


def _literal(node: Any, variables: dict[str, Any], defaults: dict[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        name = node.name.value
        if name in variables:
            return variables[name]
        if name in defaults:
            return defaults[name]
        raise _Ineligible(f"variable {name} not given")
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, StringValueNode | EnumValueNode):
        return node.value
    if isinstance(node, ListValueNode):
        return [_literal(v, variables, defaults) for v in node.values]
    if isinstance(node, NullValueNode):
        return None
    raise _Ineligible("argument value")


def _serializer(t: Any) -> Any:
    """A function serializing a resolver's return value of GraphQL type t as execution would (plain object
    types: attributes; leaves through their type's serialize). Built once per type."""
    if isinstance(t, GraphQLNonNull):
        t = t.of_type
    if isinstance(t, GraphQLList):
        item = _serializer(t.of_type)
        return lambda v: None if v is None else [item(x) for x in v]
    if isinstance(t, GraphQLScalarType | GraphQLEnumType):
        leaf = t.serialize
        return lambda v: None if v is None else leaf(v)
    parts = [
        (name, f.extensions["strawberry-definition"].python_name, _serializer(f.type))
        for name, f in t.fields.items()
    ]
    return lambda v: None if v is None else {name: ser(getattr(v, attr)) for name, attr, ser in parts}


def _project(value: Any, fields: list[_Field]) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_project(v, fields) for v in value]
    out = {}
    for f in fields:
        if f.name == "__typename":
            out[f.key] = f.typename
        else:
            v = value[f.name]
            out[f.key] = v if f.sub is None else _project(v, f.sub)
    return out
