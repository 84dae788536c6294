"""The per-tenant and per-card memos of suggestResponses (api/objections/suggest.py, objections/suggest.py)
never serve another tenant's values nor values older than the request's own read: a write shows on the very
next suggestion, on a debtor already seen and on one seen for the first time, and the answers and ledger
records equal normal execution's (`card_cache_size = 0`) byte for byte (tests.api.test_prepared.both)."""

from __future__ import annotations

import re

from asistente.enums import ObjectionCategory
from tests.api.data import debtor_record
from tests.api.test_agreements_api import SET_POLICY, policy_doc
from tests.api.test_drafts_api import Tenant
from tests.api.test_prepared import _paths, both, generated

PLAN = "¿me pueden hacer un plan de pagos?"  # DISCOUNT_OR_PLAN: the plan's terms are in nextSteps
FEEDBACK = "mutation($id: ID!) { recordSuggestionFeedback(auditId: $id, action: DISCARDED) { auditId } }"


def _mx(ext: str, balance: str = "12000.00") -> dict:
    rec = debtor_record(ext, accounts=1, interactions=0, payments=0)
    rec["promises"] = []
    rec["accounts"][0]["balance"] = balance
    rec["accounts"][0]["principal"] = balance
    return rec


def _installments(s: dict) -> int:
    """The number of installments of the plan offered (OFFER_PLAN, "... N pagos mensuales de ...")."""
    step = next(n for n in s["nextSteps"] if n["kind"] == "OFFER_PLAN")
    return int(re.search(r"(\d+) pagos", step["message"]).group(1))


async def _suggest(api, services, session_factory, key, debtor_id, utterance=PLAN) -> dict:
    query = generated(_paths(services).gql, "suggestResponses", "SuggestInput")
    slow, _fast_before, fast_after = await both(
        api, services, session_factory, query, {"i": {"debtorId": debtor_id, "utterance": utterance}}, key
    )
    assert "errors" not in slow, slow
    return fast_after["data"]["suggestResponses"]


async def test_a_policy_write_shows_at_once_on_seen_and_unseen_debtors(api, services, session_factory):
    t = await Tenant(api).setup()
    a = await t.debtor(_mx("MEMO-A"))
    b = await t.debtor(_mx("MEMO-B"))
    c = await t.debtor(_mx("MEMO-C"))
    # No tenant policy: the shipped default for MXN (the memo keys it by currency alone).
    default = _installments(await _suggest(api, services, session_factory, t.agent, a))
    assert default == 6
    await api.ok(SET_POLICY, {"p": policy_doc(maxInstallments=3)}, key=t.admin)
    assert _installments(await _suggest(api, services, session_factory, t.agent, a)) == 3  # seen
    assert _installments(await _suggest(api, services, session_factory, t.agent, b)) == 3  # first time
    await api.ok(SET_POLICY, {"p": policy_doc(version="acme-mxn-3", maxInstallments=4)}, key=t.admin)
    assert _installments(await _suggest(api, services, session_factory, t.agent, b)) == 4
    assert _installments(await _suggest(api, services, session_factory, t.agent, c)) == 4


async def test_tenants_with_equal_fingerprints_keep_their_own_policies(api, services, session_factory):
    """Both tenants have one policy row, one active, no feedback: only the tenant in the key tells them
    apart."""
    acme = await Tenant(api).setup()
    other = await Tenant(api, "other").setup()
    await api.ok(SET_POLICY, {"p": policy_doc(maxInstallments=3)}, key=acme.admin)
    await api.ok(SET_POLICY, {"p": policy_doc(version="other-1", maxInstallments=5)}, key=other.admin)
    a = await acme.debtor(_mx("SAME-1"))
    b = await other.debtor(_mx("SAME-1"))
    for _ in range(2):
        assert _installments(await _suggest(api, services, session_factory, acme.agent, a)) == 3
        assert _installments(await _suggest(api, services, session_factory, other.agent, b)) == 5


async def test_a_balance_write_changes_the_plan_and_the_amounts(api, services, session_factory):
    """The plan and the placeholder values are remembered per card object: a write to the debtor builds a
    new card (its revision moved), so the next suggestion states the new amounts."""
    t = await Tenant(api).setup()
    await api.ok(SET_POLICY, {"p": policy_doc()}, key=t.admin)
    rec = _mx("MEMO-BAL", "12000.00")
    debtor = await t.debtor(rec)
    before = await _suggest(api, services, session_factory, t.agent, debtor)
    again = await _suggest(api, services, session_factory, t.agent, debtor)
    assert again["nextSteps"] == before["nextSteps"]
    await t.debtor(_mx("MEMO-BAL", "30000.00"))
    after = await _suggest(api, services, session_factory, t.agent, debtor)
    assert after["nextSteps"] != before["nextSteps"]
    assert any("30,000" in n["message"] for n in after["nextSteps"]), after["nextSteps"]


async def test_feedback_moves_the_ranking_of_a_debtor_seen_for_the_first_time(api, services, session_factory):
    t = await Tenant(api).setup()
    agent = api.key("acme", "AGENT", agent="ag-1")
    first = await t.debtor(_mx("FB-1"))
    s = await _suggest(api, services, session_factory, agent, first, "ya pagué eso el mes pasado")
    top = s["suggestions"][0]["id"]
    for _ in range(4):
        s = await _suggest(api, services, session_factory, agent, first, "ya pagué eso el mes pasado")
        await api.ok(FEEDBACK, {"id": s["auditId"]}, key=agent)
    fresh = await t.debtor(_mx("FB-2"))
    s2 = await _suggest(api, services, session_factory, agent, fresh, "ya pagué eso el mes pasado")
    assert s2["suggestions"][0]["id"] != top


async def test_the_classifier_memo_follows_the_process_model(api, services, session_factory):
    """The shipped model is wrapped (answers remembered per text); a replaced model gets a fresh memo, and
    any other classifier (a test double, an LLM step) and `card_cache_size = 0` are used as they are."""
    from asistente.objections.classifier import load_classifier
    from asistente.objections.suggest import MemoisedClassifier
    from tests.objections.test_suggest import FixedClassifier

    t = await Tenant(api).setup()
    debtor = await t.debtor(_mx("CLS-1"))
    s = await _suggest(api, services, session_factory, t.agent, debtor, "ya pagué eso el mes pasado")
    assert s["category"] == "ALREADY_PAID"
    memo = services.extras["classifier_memo"]
    assert isinstance(memo, MemoisedClassifier) and memo.classifier is services.extras["classifier"]
    services.extras["classifier"] = load_classifier()  # a new model object (as after a reload)
    await _suggest(api, services, session_factory, t.agent, debtor, "ya pagué eso el mes pasado")
    assert services.extras["classifier_memo"] is not memo
    assert services.extras["classifier_memo"].classifier is services.extras["classifier"]
    services.extras["classifier"] = FixedClassifier(ObjectionCategory.REFUSAL)
    s = await _suggest(api, services, session_factory, t.agent, debtor, "ya pagué eso el mes pasado")
    assert s["category"] == "REFUSAL"
    assert services.extras["classifier"].seen  # asked directly, every time


def test_the_cards_read_as_rows_equal_the_cards_read_by_the_loaders(session_factory, clock):
    """Every demo debtor (seven jurisdictions; payments, promises, interactions in and out of the windows)
    gets the same DebtorCard from `_card_rows` as from the repository methods behind the loaders."""
    from sqlalchemy import select

    from asistente.api.objections.suggest import _card_rows
    from asistente.demo import seed_demo
    from asistente.objections.card import debtor_card
    from asistente.portfolio.models import Debtor
    from asistente.portfolio.repository import PortfolioRepository

    seed_demo(session_factory, now=clock())
    now = clock()
    with session_factory() as s:
        reader = s.get_bind()
        debtors = list(s.execute(select(Debtor.id, Debtor.tenant_id)))
        assert len(debtors) > 50
        compared = 0
        for debtor_id, tenant_id in debtors:
            r = PortfolioRepository(s, tenant_id)
            orm = (
                r.debtors_by_ids([debtor_id])[debtor_id],
                r.accounts_by_debtor_ids([debtor_id]).get(debtor_id, []),
                r.payments_by_debtor_ids([debtor_id], now=now).get(debtor_id, []),
                r.promises_by_debtor_ids([debtor_id]).get(debtor_id, []),
                r.interactions_by_debtor_ids([debtor_id], now=now).get(debtor_id, []),
            )
            rows = _card_rows(s, tenant_id, debtor_id, now)
            assert rows is not None
            assert [len(x) for x in rows[1:]] == [len(x) for x in orm[1:]]
            assert debtor_card(*rows, active_agreements=1) == debtor_card(*orm, active_agreements=1)
            # on a pooled connection of an engine of reads (PostgreSQL: its own pipeline, outside the session)
            assert _card_rows(s, tenant_id, debtor_id, now, reader) == rows
            compared += bool(orm[2]) and bool(orm[4])
        assert compared > 10  # debtors with payments and interactions were among them
        assert _card_rows(s, "11111111-1111-4111-8111-111111111111", debtors[0][0], now) is None  # tenant
        assert _card_rows(s, debtors[0][1], "00000000-0000-0000-0000-000000000000", now) is None
        assert _card_rows(s, "11111111-1111-4111-8111-111111111111", debtors[0][0], now, reader) is None
        assert _card_rows(s, debtors[0][1], "00000000-0000-0000-0000-000000000000", now, reader) is None


# ----------------------------------------------------------------------------- whole answers (AnswerMemo)

DISCOUNT = "¿me pueden hacer un descuento o un plan de pagos?"  # DISCOUNT_OR_PLAN: plan and settlement


def _step(s: dict, kind: str) -> str:
    return next(n["message"] for n in s["nextSteps"] if n["kind"] == kind)


async def test_a_remembered_answer_follows_feedback_on_the_same_debtor_and_text(
    api, services, session_factory
):
    """The same debtor and the same words after feedback: the tenant's feedback counts are part of the
    inputs' fingerprint, so the remembered answer is not served again; the new ranking equals normal
    execution's (`both`)."""
    t = await Tenant(api).setup()
    agent = api.key("acme", "AGENT", agent="ag-1")
    debtor = await t.debtor(_mx("ANS-FB"))
    said = "ya pagué eso el mes pasado"
    first = await _suggest(api, services, session_factory, agent, debtor, said)
    assert (await _suggest(api, services, session_factory, agent, debtor, said))["suggestions"] == first[
        "suggestions"
    ]
    hits = services.extras["suggestion_answers"].hits
    assert hits > 0  # the fast path answered from the memo
    top = first["suggestions"][0]["id"]
    for _ in range(4):
        await api.ok(FEEDBACK, {"id": first["auditId"]}, key=agent)
    after = await _suggest(api, services, session_factory, agent, debtor, said)
    assert after["suggestions"][0]["id"] != top


async def test_remembered_answers_are_per_authority(api, services, session_factory):
    """An agent and an admin asking about the same debtor with the same words get plans within their own
    discount authority (10% and 40% here), each equal to normal execution, in either order."""
    t = await Tenant(api).setup()
    await api.ok(SET_POLICY, {"p": policy_doc()}, key=t.admin)
    agent = api.key("acme", "AGENT", agent="ag-1")
    debtor = await t.debtor(_mx("ANS-ROLE"))
    seen = []
    for key in (agent, t.admin, agent, t.admin):
        s = await _suggest(api, services, session_factory, key, debtor, DISCOUNT)
        assert s["category"] == "DISCOUNT_OR_PLAN"
        seen.append(_step(s, "OFFER_SETTLEMENT"))
    assert seen[0] == seen[2] and seen[1] == seen[3]
    assert seen[0] != seen[1], seen


async def test_a_remembered_call_later_answer_holds_for_its_minute_only(
    api, services, session_factory, clock
):
    """CALL_LATER's next allowed call is computed from the clock (per minute): an answer remembered at
    17:00 is not served at 17:01; at each instant the fast path equals normal execution."""
    from datetime import timedelta

    t = await Tenant(api).setup()
    debtor = await t.debtor(_mx("ANS-LATER"))
    said = "estoy ocupado, llámeme más tarde por favor"
    # 06:00 UTC is 01:00 in Cancun, outside calling hours: the next call is a computed time (12:00 UTC);
    # ten hours later it is 11:00 there, the same day, within calling hours.
    clock.value = clock.value.replace(hour=6)
    first = await _suggest(api, services, session_factory, t.agent, debtor, said)
    assert first["category"] == "CALL_LATER"
    at = next(n["at"] for n in first["nextSteps"] if n["kind"] == "SCHEDULE_CALLBACK")
    assert at is not None
    clock.value += timedelta(seconds=30)  # the same minute: the same answer
    assert (await _suggest(api, services, session_factory, t.agent, debtor, said))["nextSteps"] == first[
        "nextSteps"
    ]
    clock.value += timedelta(hours=10)  # another answer, computed again
    later = await _suggest(api, services, session_factory, t.agent, debtor, said)
    assert later["nextSteps"] != first["nextSteps"]


def test_the_answer_memo_names_its_objects_by_identity_and_minute():
    from datetime import UTC, datetime

    from asistente.api.objections.suggest import AnswerMemo

    memo = AnswerMemo(size=2)
    a, b = object(), object()
    minute = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    later = datetime(2026, 12, 7, 17, 1, tzinfo=UTC)
    memo.put(("k",), (a, b), None, "any time")
    memo.put(("m",), (a,), minute, "this minute")
    assert memo.get(("k",), (a, b), later) == "any time"
    assert memo.get(("k",), (a, object()), later) is None  # another object, however equal
    assert memo.get(("k",), (a,), later) is None
    assert memo.get(("m",), (a,), minute) == "this minute"
    assert memo.get(("m",), (a,), later) is None
    memo.put(("n",), (a,), None, "third")  # bounded: the least recently used entry goes
    assert memo.get(("k",), (a, b), later) is None and memo.get(("n",), (a,), later) == "third"


def test_the_pipelined_rows_equal_the_statements_rows(session_factory, clock):
    """On PostgreSQL (psycopg) `_card_rows` sends its five statements in one pipeline: for every demo
    debtor, a debtor of another tenant and an unknown id, each statement's rows are those
    `Connection.execute` returns (same fields, values and value types, same order), at two clocks; the
    pipeline leaves the session's transaction usable. Any other database reads statement by statement."""
    from datetime import timedelta

    from sqlalchemy import select, text

    from asistente.api.objections.suggest import _ROW_STATEMENTS, _card_params, _PipelinedRows
    from asistente.demo import seed_demo
    from asistente.portfolio.models import Debtor

    seed_demo(session_factory, now=clock())
    with session_factory() as s:
        conn = s.connection()
        pipelined = _PipelinedRows.for_dialect(conn.dialect)
        if conn.dialect.name != "postgresql":
            assert pipelined is None
            return
        assert pipelined is not None
        debtors = list(s.execute(select(Debtor.id, Debtor.tenant_id)))
        other_tenant = "11111111-1111-4111-8111-111111111111"  # (one demo tenant)
        cases = [
            *debtors,
            (debtors[0][0], other_tenant),
            ("00000000-0000-0000-0000-000000000000", debtors[0][1]),
        ]
        rows_seen = 0
        for now in (clock(), clock() + timedelta(days=200)):
            for debtor_id, tenant_id in cases:
                params = _card_params(tenant_id, debtor_id, now)
                got = pipelined.read(conn.connection.driver_connection, params)
                want = [conn.execute(st, p).all() for st, p in zip(_ROW_STATEMENTS, params, strict=True)]
                assert len(got) == len(want) == 5
                for g, w in zip(got, want, strict=True):
                    assert [r._fields for r in g] == [r._fields for r in w]
                    assert [tuple(r) for r in g] == [tuple(r) for r in w]
                    assert [[type(v) for v in r] for r in g] == [[type(v) for v in r] for r in w]
                    rows_seen += len(g)
        assert rows_seen > 500
        assert s.execute(text("SELECT 1")).scalar() == 1  # the transaction goes on after a pipeline


def test_enum_values_serialize_as_their_members():
    """suggestResponses shapes enums as their values (`_name`): every member of every enum the answer
    shows serializes to the same GraphQL name either way, through the schema's own enum types."""
    from asistente.api.schema import build_schema
    from asistente.enums import ObjectionCategory, Register, Technique
    from asistente.objections.suggest import NextStepKind
    from asistente.settings import Settings

    types = build_schema(Settings(demo=False))._schema.type_map
    for name, enum in (
        ("ObjectionCategory", ObjectionCategory),
        ("Register", Register),
        ("Technique", Technique),
        ("NextStepKind", NextStepKind),
    ):
        t = types[name]
        assert set(t.values) == {m.name for m in enum}
        for member in enum:
            assert t.serialize(member.value) == t.serialize(member) == member.name
