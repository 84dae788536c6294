"""suggestResponses (live answers to an objection, recorded as one SUGGESTION event), the feedback the
playbook's owner reads (suggestionStats, suggestionEdits) and the tenant's objection settings."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy.orm import Session
from strawberry.scalars import JSON
from strawberry.types import Info

from asistente import enums
from asistente.agreements.authority import proposal_authority
from asistente.agreements.store import AgreementStore
from asistente.api.compliance.schema import packs_with_overlays
from asistente.api.core.permissions import ADMIN, AGENT, COMPLIANCE, INTEGRATOR, SUPERVISOR, register
from asistente.api.core.state import InputsCache, shared, state_of
from asistente.api.objections.types import CategoryConfidence, ObjectionCategory
from asistente.audit.chain import prepare
from asistente.compliance import PackRegistry
from asistente.enums import Role as DomainRole
from asistente.errors import BadInput, DomainError, NotFound
from asistente.objections import feedback as fb
from asistente.objections import suggest as domain
from asistente.objections.card import DebtorCard, card_today, debtor_card
from asistente.portfolio import repository as repo
from asistente.tenants.models import Tenant
from asistente.tenants.service import Principal

register("Query.suggestResponses", frozenset({AGENT, SUPERVISOR, ADMIN, INTEGRATOR}))
register("Query.suggestionStats", frozenset({SUPERVISOR, ADMIN, COMPLIANCE}))
register("Query.suggestionEdits", frozenset({SUPERVISOR, ADMIN, COMPLIANCE}))
register("Query.objectionSettings", frozenset({AGENT, SUPERVISOR, ADMIN, COMPLIANCE, INTEGRATOR}))
register("Mutation.setObjectionSettings", frozenset({ADMIN}))

SETTINGS_KEY = "objections"
MAX_CALL_ID = 200
MAX_PAGE = 500

Register = strawberry.enum(enums.Register, name="Register")
Technique = strawberry.enum(enums.Technique, name="Technique")
NextStepKind = strawberry.enum(domain.NextStepKind, name="NextStepKind")


@strawberry.input(description="What the debtor just said, for one debtor (and optionally one call).")
class SuggestInput:
    debtor_id: strawberry.ID
    utterance: str
    call_id: strawberry.ID | None = None


@strawberry.type(description="An answer the agent can say now; it passed the compliance check (CALL_TURN).")
class Suggestion:
    id: strawberry.ID = strawberry.field(description="Playbook answer id (feedback is counted per id).")
    text: str
    rationale: str = strawberry.field(description="Why this answer (Spanish / English).")
    register: Register | None = strawberry.field(description="TU, USTED or VOS; null for English.")
    technique: Technique
    language: str
    source: str | None = strawberry.field(description="The law the answer states, when it states one.")


@strawberry.type
class NextStep:
    kind: NextStepKind
    message: str = strawberry.field(description="Spanish / English.")
    at: datetime | None = strawberry.field(description="When it applies (SCHEDULE_CALLBACK: next call).")


@strawberry.type
class SuggestionSet:
    category: ObjectionCategory
    confidence: float
    alternatives: list[CategoryConfidence]
    suggestions: list[Suggestion]
    next_steps: list[NextStep]
    audit_id: strawberry.ID
    language: str
    register: Register
    withheld: int = strawberry.field(
        description="Answers that failed the compliance check for this debtor and were not shown."
    )
    playbook_version: str


@strawberry.type
class SuggestionAnswerStats:
    answer_id: str
    category: ObjectionCategory | None
    used: int
    edited: int
    discarded: int


@strawberry.type
class SuggestionEdit:
    answer_id: str
    audit_id: strawberry.ID = strawberry.field(description="The SUGGESTION event the answer was shown in.")
    at: datetime
    actor_id: str | None
    shown_text: str
    final_text: str


@strawberry.type
class ObjectionSettings:
    register: Register | None
    register_by_country: JSON
    mirror_debtor: bool
    max_suggestions: int


def _preferences(info: Info) -> domain.Preferences:
    ctx = info.context
    tenant = ctx.session.get(Tenant, ctx.principal.tenant_id)
    return domain.Preferences.from_settings(((tenant.settings if tenant else None) or {}).get(SETTINGS_KEY))


def _classifier(info: Info) -> Any:
    """The process's classifier; the shipped model (a pure function of the text) with its answers
    remembered per text (domain.MemoisedClassifier), unless caches are off (ASISTENTE_CARD_CACHE_SIZE=0)."""
    from asistente.objections.classifier import Classifier, default_classifier

    services = info.context.services
    extras = services.extras
    found = extras.get("classifier")
    if found is None:
        found = extras["classifier"] = default_classifier()
    if type(found) is not Classifier or services.settings.card_cache_size <= 0:
        return found
    memo = extras.get("classifier_memo")
    if memo is None or memo.classifier is not found:  # first use, or the model object was replaced
        memo = extras["classifier_memo"] = domain.MemoisedClassifier(found)
    return memo


def _shared(info: Info, name: str, factory: Any) -> Any:
    extras = info.context.services.extras
    found = extras.get(name)
    if found is None:
        found = extras[name] = factory()
    return found


@dataclass(frozen=True)
class SuggestionInputs:
    """Everything a suggestion reads from the database for one debtor, built from one DebtorState."""

    card: DebtorCard
    policy: Any
    policy_versions: dict[str, Any]
    packs: PackRegistry
    preferences: domain.Preferences
    stats: dict[str, Any]


@dataclass(frozen=True)
class Answered:
    """One computed suggestion (the domain's immutable SuggestionSet) and the parts of its SUGGESTION
    event that depend on nothing else: the ledger's prepared `output` and `versions` (audit.chain.prepare
    of `result.audit_output()` and of the versions) and the GraphQL answer but its audit id, built once
    per result."""

    result: domain.SuggestionSet
    policy_versions: dict[str, Any]
    output: Any
    versions: Any
    shaped: Shaped


class AnswerMemo:
    """Answers per (inputs object, utterance, authority, debtor's day), bounded LRU.

    `domain.suggest_responses` is a pure function of its arguments. Every argument but the utterance, the
    authority and the clock is an object this memo names by identity (never equality): the inputs built
    from one fingerprint of the debtor's and the tenant's rows (asistente.api.core.state: card revision,
    settings digest, policy and feedback counts, active agreements, day), the process's playbook, the
    shipped classifier's memo and the process's compliance cache. Anything that moves builds new inputs
    (or replaces the playbook, model or pack objects), so an entry is only ever found for exactly the
    objects it was computed from. The clock enters through the debtor's day (in the key) and, for
    CALL_LATER only, the next allowed call, which the compliance cache computes per minute: such an entry
    holds for its minute only. Used only with caches on and the shipped classifier (a pure function of
    the text); tests/api/test_suggest_memo.py compares it with normal execution byte for byte."""

    def __init__(self, size: int = 2_048) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], datetime | None, Answered]] = (
            OrderedDict()
        )
        self.hits = 0

    def get(self, key: tuple[Any, ...], objects: tuple[Any, ...], minute: datetime) -> Answered | None:
        found = self._items.get(key)
        if found is None:
            return None
        held, at, answered = found
        if at is not None and at != minute:
            return None
        if len(held) != len(objects) or not all(a is b for a, b in zip(held, objects, strict=True)):
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return answered

    def put(
        self, key: tuple[Any, ...], objects: tuple[Any, ...], minute: datetime | None, value: Answered
    ) -> None:
        self._items[key] = (objects, minute, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


async def _inputs(info: Info, p: Principal, debtor_id: str, now: datetime) -> SuggestionInputs:
    """What the suggestion reads: one fingerprint statement per request (asistente.api.core.state), the
    rows only when anything it covers moved (or the day changed: windows end today)."""
    ctx = info.context
    services = ctx.services
    state = state_of(services, p.tenant_id, debtor_id)
    if state is None or (p.debtor_id is not None and state.debtor_id != p.debtor_id):
        raise NotFound(f"debtor {debtor_id} not found")
    key = ("suggestion", p.tenant_id, *state.key(), now.date())
    cache: InputsCache = shared(services, "suggestion_inputs", InputsCache)
    use_cache = services.settings.card_cache_size > 0  # 0: every read per request (normal execution)
    found = cache.get(key) if use_cache else None
    if found is not None:
        return found
    if use_cache:
        reader = services.reader()
        if _PipelinedRows.for_dialect(reader.dialect) is not None:
            # One round trip on a pooled connection of its own, waited for in a thread: the worker's event
            # loop serves other requests meanwhile (a wait on the loop stalls every request of the worker).
            rows = await asyncio.to_thread(_card_rows, None, p.tenant_id, state.debtor_id, ctx.now(), reader)
        else:
            rows = _card_rows(ctx.session, p.tenant_id, state.debtor_id, ctx.now())
    else:  # normal execution: the operation's loaders
        loaders = ctx.loaders
        debtor = await loaders.debtor_by_id.load(state.debtor_id)
        rows = (
            None
            if debtor is None
            else (
                debtor,
                await loaders.accounts_by_debtor_id.load(debtor.id),
                await loaders.payments_by_debtor_id.load(debtor.id),
                await loaders.promises_by_debtor_id.load(debtor.id),
                await loaders.interactions_by_debtor_id.load(debtor.id),
            )
        )
    if rows is None:  # deleted in between
        raise NotFound(f"debtor {debtor_id} not found")
    debtor, accounts, payments, promises, interactions = rows
    card = debtor_card(
        debtor, accounts, payments, promises, interactions, active_agreements=state.active_agreements
    )
    session = ctx.session
    # What the debtor's own rows do not decide is the same for every debtor of the tenant at the same
    # fingerprint (its policy rows, settings and feedback as counted by the state read): built once per
    # tenant and fingerprint, so a debtor seen for the first time reads only its own rows.
    tenant_memo: InputsCache = shared(services, "suggestion_tenant_inputs", InputsCache)
    policy = None
    policy_versions: dict[str, Any] = {}
    main = card.main_account
    if main is not None:
        # Without an active policy row the tenant gets the shipped default for the currency, whatever
        # the product and segment (AgreementRepository.policy_for): those only key a tenant's own rows.
        scope = (main.product, card.segment_code) if state.active_policies else ()
        policy_key = ("policy", p.tenant_id, state.policy_rows, state.active_policies, main.currency, *scope)
        found_policy = tenant_memo.get(policy_key) if use_cache else None
        if found_policy is None:
            try:
                in_force = AgreementStore(session, p.tenant_id).policy_for(
                    main.currency, main.product, card.segment_code
                )
                found_policy = (in_force.policy, in_force.versions())
            except DomainError:
                found_policy = (None, {})  # no policy for the currency: no plan is offered (nextSteps)
            if use_cache:
                tenant_memo.put(policy_key, found_policy)
        policy, policy_versions = found_policy
    settings = state.settings
    feedback_key = ("feedback", p.tenant_id, state.feedback_rows, str(state.newest_feedback))
    stats = tenant_memo.get(feedback_key) if use_cache else None
    if stats is None:
        stats = shared(services, "suggestion_feedback", fb.FeedbackStats).for_tenant(session, p.tenant_id)
        if use_cache:
            tenant_memo.put(feedback_key, stats)
    built = SuggestionInputs(
        card=card,
        policy=policy,
        policy_versions=policy_versions,
        packs=packs_with_overlays(services.extras["packs"], settings, state.tenant_slug),
        preferences=domain.Preferences.from_settings(settings.get(SETTINGS_KEY)),
        stats=stats,
    )
    # Everything is read: end the read transaction so the pooled connection goes back while the
    # suggestion is computed and while this request waits for its ledger batch.
    session.commit()
    if use_cache and debtor.card_revision == state.card_revision:  # not moved while we read: keep it
        cache.put(key, built)
    return built


def _card_params(tenant_id: str, debtor_id: str, now: datetime) -> list[dict[str, Any]]:
    """The parameters of the five statements of `_ROW_STATEMENTS`, in their order."""
    one = {"tenant": tenant_id, "id": debtor_id}  # the single-debtor forms of the loaders' statements
    return [
        one,
        one,
        {**one, "keep": repo.RECENT_PAYMENTS, "since": now - timedelta(days=repo.PAYMENT_LOOKBACK_DAYS)},
        one,
        {
            **one,
            "keep": repo.RECENT_INTERACTIONS,
            "since": now - timedelta(days=repo.INTERACTION_WINDOW_DAYS),
        },
    ]


# debtor, accounts, payments, promises, interactions (the contact rules' columns only: debtor_card's facts)
_ROW_STATEMENTS = (
    repo._DEBTOR_OF_ONE,
    repo._ACCOUNTS_OF_ONE,
    repo._RECENT_PAYMENTS_OF_ONE,
    repo._PROMISES_OF_ONE,
    repo._RECENT_INTERACTION_FACTS_OF_ONE,
)


def _card_rows(
    session: Session | None, tenant_id: str, debtor_id: str, now: datetime, reader: Any = None
) -> tuple[Any, ...] | None:
    """(debtor, accounts, payments, promises, interactions) of one debtor whose tenant and binding the
    caller has checked: the loaders' own statements, parameters and order (portfolio.repository, their
    single-debtor forms), run on the session's connection as plain result rows (attributes named as the
    columns, values converted by the same column types) instead of ORM objects, which debtor_card only
    reads; of the interaction window only the columns its facts read (as contactPermission). None when the
    debtor is gone. On PostgreSQL (psycopg) the five statements go in one pipeline (`_PipelinedRows`), on
    a pooled connection of `reader` when given (the engine of reads, autocommit: one round trip instead of
    seven: BEGIN, five statements, COMMIT), else on the session's connection. tests/api/test_prepared.py
    and test_suggest_memo.py compare the answers and the rows with the loaders'."""
    params = _card_params(tenant_id, debtor_id, now)
    pipelined = None if reader is None else _PipelinedRows.for_dialect(reader.dialect)
    if pipelined is not None:
        raw = reader.raw_connection()
        try:
            found = pipelined.read(raw.driver_connection, params)
        finally:
            raw.close()
    else:
        assert session is not None
        conn = session.connection()
        pipelined = _PipelinedRows.for_dialect(conn.dialect)
        if pipelined is not None:
            found = pipelined.read(conn.connection.driver_connection, params)
        else:
            found = [conn.execute(stmt, p).all() for stmt, p in zip(_ROW_STATEMENTS, params, strict=True)]
    if not found[0]:
        return None
    return found[0][0], *found[1:]


class _PipelinedRows:
    """The five statements of `_ROW_STATEMENTS` compiled once for a psycopg dialect and sent in one
    pipeline (psycopg's pipeline mode: every statement and the Sync leave together, the results come back
    together), each statement's parameters passed through SQLAlchemy's bind processors and each value
    through the column type's result processor, as `Connection.execute` does; rows are SQLAlchemy rows
    with the same fields. Not for statements SQLAlchemy rewrites per execution (expanding or literal
    parameters): `for_dialect` answers None then, and for any other driver (normal execution)."""

    _by_dialect: dict[int, tuple[Any, _PipelinedRows | None]] = {}

    def __init__(self, dialect: Any) -> None:
        from sqlalchemy.engine.result import result_tuple

        self.dialect = dialect
        self._processors: dict[tuple[int, tuple[int, ...]], list[tuple[int, Any]]] = {}
        self.compiled: list[tuple[Any, dict[str, Any], list[Any], Any]] = []
        for stmt in _ROW_STATEMENTS:
            c = stmt.compile(dialect=dialect)
            if c.positional or c.literal_execute_params or c.post_compile_params or c.escaped_bind_names:
                raise ValueError("a statement SQLAlchemy rewrites per execution")
            names = [entry[0] for entry in c._result_columns]
            types = [entry[3] for entry in c._result_columns]
            self.compiled.append((c, dict(c._bind_processors), types, result_tuple(names)))

    @classmethod
    def for_dialect(cls, dialect: Any) -> _PipelinedRows | None:
        found = cls._by_dialect.get(id(dialect))
        if found is not None and found[0] is dialect:
            return found[1]
        made: _PipelinedRows | None = None
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            import psycopg

            if psycopg.Pipeline.is_supported():
                try:
                    made = cls(dialect)
                except ValueError:
                    made = None
        cls._by_dialect[id(dialect)] = (dialect, made)
        return made

    def read(self, pg: Any, params: list[dict[str, Any]]) -> list[list[Any]]:
        """Each statement's rows, read on the psycopg connection `pg` in one pipeline."""
        cursors = []
        with pg.pipeline():
            for (c, binds, _, _), values in zip(self.compiled, params, strict=True):
                bound = {k: (binds[k](v) if k in binds else v) for k, v in c.construct_params(values).items()}
                cur = pg.cursor()
                cur.execute(c.string, bound)
                cursors.append(cur)
        out = []
        for (_, _, types, make), cur in zip(self.compiled, cursors, strict=True):
            try:
                result = cur.pgresult
                # the columns' type oids straight from the result (cursor.description builds an object
                # per column per statement); the processors are those of each (type, oid)
                oids = tuple(result.ftype(i) for i in range(result.nfields))
                processors = self._processors.get((id(types), oids))
                if processors is None:
                    processors = [
                        (i, f)
                        for i, (t, oid) in enumerate(zip(types, oids, strict=True))
                        if (f := t._cached_result_processor(self.dialect, oid)) is not None
                    ]
                    self._processors[(id(types), oids)] = processors
                rows = cur.fetchall()
                if processors:
                    converted = []
                    for raw in rows:
                        values = list(raw)
                        for i, f in processors:
                            values[i] = f(values[i])
                        converted.append(make(values))
                    out.append(converted)
                else:
                    out.append([make(raw) for raw in rows])
            finally:
                cur.close()
        return out


def _authority(p: Principal) -> DomainRole:
    """The discount authority plans are proposed under (asistente.agreements.authority)."""
    return proposal_authority(p.role, p.agent_role)


def _name(member: Any) -> Any:
    """An enum member as the GraphQL enum type serializes it: its value, which is its GraphQL name (these
    are StrEnums whose values are their names; tests/api/test_suggest_memo.py checks every member).
    strawberry's enum serializer compares a member with each value of the type in turn; a plain value is
    one dictionary look-up in graphql-core's serializer, to the same name."""
    return None if member is None else member.value


@dataclass(frozen=True)
class Shaped:
    """What the GraphQL answer shows of one domain SuggestionSet, but its audit id (shared, never changed:
    the answer's objects are only read by the serializer)."""

    category: Any
    confidence: float
    alternatives: list[CategoryConfidence]
    suggestions: list[Suggestion]
    next_steps: list[NextStep]
    language: str
    register: Any
    withheld: int
    playbook_version: str


def _shaped(result: domain.SuggestionSet) -> Shaped:
    return Shaped(
        category=_name(result.category),
        confidence=result.confidence,
        alternatives=[CategoryConfidence(category=_name(c), confidence=p) for c, p in result.alternatives],
        suggestions=[
            Suggestion(
                id=strawberry.ID(s.id),
                text=s.text,
                rationale=s.rationale,
                register=_name(s.register),
                technique=_name(s.technique),
                language=s.language,
                source=s.source,
            )
            for s in result.suggestions
        ],
        next_steps=[NextStep(kind=_name(s.kind), message=s.message, at=s.at) for s in result.next_steps],
        language=result.language,
        register=_name(result.register),
        withheld=len(result.dropped),
        playbook_version=result.playbook_version,
    )


def _shape(result: domain.SuggestionSet, audit_id: str, shaped: Shaped | None = None) -> SuggestionSet:
    """The GraphQL answer: `shaped` (built once per remembered answer) or `_shaped(result)`, and the id of
    this request's own SUGGESTION event."""
    sh = shaped if shaped is not None else _shaped(result)
    return SuggestionSet(
        category=sh.category,
        confidence=sh.confidence,
        alternatives=sh.alternatives,
        suggestions=sh.suggestions,
        next_steps=sh.next_steps,
        audit_id=strawberry.ID(audit_id),
        language=sh.language,
        register=sh.register,
        withheld=sh.withheld,
        playbook_version=sh.playbook_version,
    )


async def compute_suggestions(
    info: Info, p: Principal, debtor_id: str, utterance: str
) -> tuple[domain.SuggestionSet, dict[str, Any], DebtorCard]:
    """What suggest_responses answers for this debtor, loaded as suggestResponses loads it (live calls'
    DEBTOR turns share it): the result, the agreement policy's versions and the card it used."""
    answered, card = await _answer(info, p, debtor_id, utterance)
    return answered.result, answered.policy_versions, card


def _versions(result: domain.SuggestionSet, policy_versions: dict[str, Any]) -> dict[str, Any]:
    return {**result.versions(), **({"agreementPolicy": policy_versions} if policy_versions else {})}


def _answered(result: domain.SuggestionSet, policy_versions: dict[str, Any]) -> Answered:
    return Answered(
        result=result,
        policy_versions=policy_versions,
        output=prepare(result.audit_output()),
        versions=prepare(_versions(result, policy_versions)),
        shaped=_shaped(result),
    )


async def _answer(info: Info, p: Principal, debtor_id: str, utterance: str) -> tuple[Answered, DebtorCard]:
    ctx = info.context
    now = ctx.now()
    inputs = await _inputs(info, p, debtor_id, now)
    card = inputs.card
    classifier = _classifier(info)
    playbook = ctx.services.extras["playbook"]
    cache = _shared(info, "suggestion_compliance", domain.ComplianceCache)
    today = card_today(card, now)
    authority = _authority(p)
    memo: AnswerMemo | None = None
    key: tuple[Any, ...] = ()
    objects: tuple[Any, ...] = ()
    minute = now.replace(second=0, microsecond=0)
    if isinstance(classifier, domain.MemoisedClassifier):  # caches on, the shipped (pure) model
        memo = _shared(info, "suggestion_answers", AnswerMemo)
        objects = (inputs, classifier, playbook, cache)
        key = (id(inputs), utterance, authority, today, *(id(o) for o in objects[1:]))
        found = memo.get(key, objects, minute)
        if found is not None:
            return found, card
    result = domain.suggest_responses(
        utterance,
        classifier=classifier,
        card=card,
        playbook=playbook,
        packs=inputs.packs,
        now=now,
        today=today,
        caller_role=authority,
        policy=inputs.policy,
        preferences=inputs.preferences,
        stats=inputs.stats,
        cache=cache,
    )
    answered = _answered(result, inputs.policy_versions)
    if memo is not None:
        # CALL_LATER's next allowed call is computed per minute (ComplianceCache.next_call): that answer
        # holds for its minute only; every other answer does not read the clock beyond the day.
        at = minute if result.category is enums.ObjectionCategory.CALL_LATER else None
        memo.put(key, objects, at, answered)
    return answered, card


@strawberry.type
class Query:
    @strawberry.field(
        description="Classify what the debtor said and suggest 2-3 compliant answers built from the account, "
        "with next steps. Recorded in the audit ledger (one SUGGESTION event; give feedback on its auditId)."
    )
    async def suggest_responses(self, info: Info, input: SuggestInput) -> SuggestionSet:
        p = info.context.require(info)
        if input.call_id is not None and len(str(input.call_id)) > MAX_CALL_ID:
            raise BadInput(f"callId: at most {MAX_CALL_ID} characters")
        utterance = input.utterance
        if not isinstance(utterance, str) or not utterance.strip():
            raise BadInput("utterance: must not be empty / la frase del deudor está vacía")
        if len(utterance) > domain.MAX_UTTERANCE_CHARS:
            raise BadInput(
                f"utterance: at most {domain.MAX_UTTERANCE_CHARS:,} characters (got {len(utterance):,})"
            )
        ctx = info.context
        now = ctx.now()
        answered, card = await _answer(info, p, str(input.debtor_id), utterance)
        event = await ctx.record_committed(
            "SUGGESTION",
            debtor_id=card.id,
            call_id=None if input.call_id is None else str(input.call_id),
            input={"utterance": utterance, "callId": input.call_id, "debtorId": card.id},
            output=None,
            versions=None,
            prepared={"output": answered.output, "versions": answered.versions},
            now=now,
        )
        return _shape(answered.result, event.id, answered.shaped)

    @strawberry.field(description="Feedback per playbook answer for this tenant (what ranking learns from).")
    def suggestion_stats(self, info: Info) -> list[SuggestionAnswerStats]:
        p = info.context.require(info)
        stats = fb.tally(fb.feedback_rows(info.context.session, p.tenant_id))
        playbook = info.context.services.extras["playbook"]
        out = []
        for answer_id, s in sorted(stats.items()):
            answer = playbook.get(answer_id)
            out.append(
                SuggestionAnswerStats(
                    answer_id=answer_id,
                    category=answer.category if answer else None,
                    used=s.used,
                    edited=s.edited,
                    discarded=s.discarded,
                )
            )
        return out

    @strawberry.field(
        description="Texts agents edited before saying them, per playbook answer, newest first."
    )
    def suggestion_edits(
        self, info: Info, answer_id: str | None = None, first: int = 50
    ) -> list[SuggestionEdit]:
        p = info.context.require(info)
        if not 0 <= first <= MAX_PAGE:
            raise BadInput(f"first: between 0 and {MAX_PAGE}")
        if answer_id is not None and len(answer_id) > 200:
            raise BadInput("answerId: at most 200 characters")
        rows = fb.feedback_rows(info.context.session, p.tenant_id)
        return [
            SuggestionEdit(
                answer_id=e.answer_id,
                audit_id=strawberry.ID(e.event_id),
                at=e.at,
                actor_id=e.actor_id,
                shown_text=e.shown_text,
                final_text=e.final_text,
            )
            for e in fb.edits(rows, answer_id)[:first]
        ]

    @strawberry.field(
        description="How answers are addressed for this tenant (register by default and country)."
    )
    def objection_settings(self, info: Info) -> ObjectionSettings:
        info.context.require(info)
        return _settings_out(_preferences(info))


def _settings_out(prefs: domain.Preferences) -> ObjectionSettings:
    raw = prefs.to_settings()
    return ObjectionSettings(
        register=prefs.register,
        register_by_country=raw["registerByCountry"],
        mirror_debtor=prefs.mirror_debtor,
        max_suggestions=prefs.max_suggestions,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Set how answers address debtors (ADMIN): a default register, one per country "
        '({"AR": "VOS", "MX": "USTED"}), whether to mirror the debtor\'s own register, and 2 or 3 answers.'
    )
    def set_objection_settings(
        self,
        info: Info,
        register: Register | None = None,
        register_by_country: JSON | None = None,
        mirror_debtor: bool = True,
        max_suggestions: int = domain.MAX_SUGGESTIONS,
    ) -> ObjectionSettings:
        p = info.context.require(info)
        if register_by_country is not None and not isinstance(register_by_country, dict):
            raise BadInput('registerByCountry: an object such as {"AR": "VOS"}')
        if register_by_country and any(len(str(k)) != 2 for k in register_by_country):
            raise BadInput("registerByCountry: keys are ISO 3166-1 country codes (two letters)")
        if not 2 <= max_suggestions <= domain.MAX_SUGGESTIONS:
            raise BadInput(f"maxSuggestions: 2 or {domain.MAX_SUGGESTIONS}")
        prefs = domain.Preferences.from_settings(
            {
                "register": register.value if register else None,
                "registerByCountry": register_by_country or {},
                "mirrorDebtor": mirror_debtor,
                "maxSuggestions": max_suggestions,
            }
        )
        session = info.context.session
        tenant = session.get(Tenant, p.tenant_id)
        if tenant is None:
            raise NotFound("tenant not found")
        settings = dict(tenant.settings or {})
        settings[SETTINGS_KEY] = prefs.to_settings()
        tenant.settings = settings
        info.context.record(
            "POLICY_CHANGE",
            input={"objectionSettings": prefs.to_settings()},
            output={"stored": True},
            versions={},
            now=info.context.now(),
        )
        session.commit()
        return _settings_out(prefs)
