"""suggestResponses over HTTP against the real app and the demo portfolio: MX, CO, AR (vos), ES and US
debtors, the SUGGESTION event in the ledger, feedback that moves ranking per tenant, edits readable by the
playbook's owner, answers dropped by a tenant's overlay (and recorded), and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from asistente.audit.models import AuditEvent
from asistente.demo import seed_demo
from asistente.portfolio.models import Debtor
from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes

SUGGEST = """query($input: SuggestInput!) { suggestResponses(input: $input) {
  category confidence alternatives { category confidence }
  suggestions { id text rationale register technique language source }
  nextSteps { kind message at } auditId language register withheld playbookVersion } }"""
FEEDBACK = """mutation($id: ID!, $a: FeedbackAction!, $t: String) {
  recordSuggestionFeedback(auditId: $id, action: $a, finalText: $t) { auditId } }"""
EDITS = (
    """query($a: String) { suggestionEdits(answerId: $a) { answerId auditId actorId shownText finalText } }"""
)
STATS = "{ suggestionStats { answerId category used edited discarded } }"
OVERLAY = "mutation($o: JSON!) { setRulePackOverlay(overlay: $o) { jurisdiction tenantOverlay } }"
SETTINGS = """mutation($r: Register, $c: JSON) { setObjectionSettings(register: $r, registerByCountry: $c)
  { register registerByCountry mirrorDebtor maxSuggestions } }"""


@pytest.fixture
def demo(api, session_factory, clock):
    key = seed_demo(session_factory, now=clock())
    with session_factory() as s:
        ids = {d.external_id: d.id for d in s.scalars(select(Debtor))}
    return key, ids


async def suggest(api, key, debtor_id, utterance, call_id=None):
    variables = {"input": {"debtorId": debtor_id, "utterance": utterance, "callId": call_id}}
    return await api.gql(SUGGEST, variables, key=key)


async def ok(api, key, debtor_id, utterance, call_id=None):
    body = await suggest(api, key, debtor_id, utterance, call_id)
    assert not body.get("errors"), body
    return body["data"]["suggestResponses"]


def _event(session_factory, audit_id):
    with session_factory() as s:
        return s.get(AuditEvent, audit_id)


async def test_mexico_no_money_usted_with_a_plan(api, demo, session_factory):
    key, ids = demo
    out = await ok(api, key, ids["CRM-MX-0001"], "ahorita no tengo dinero, me quedé sin chamba", "call-mx-1")
    assert out["category"] in ("NO_MONEY", "HARDSHIP")
    assert out["register"] == "USTED" and out["language"] == "es"
    assert 2 <= len(out["suggestions"]) <= 3
    assert all(s["register"] == "USTED" and s["rationale"] and s["technique"] for s in out["suggestions"])
    assert any("Ana" in s["text"] for s in out["suggestions"])
    kinds = [s["kind"] for s in out["nextSteps"]]
    assert "OFFER_PLAN" in kinds
    plan = next(s["message"] for s in out["nextSteps"] if s["kind"] == "OFFER_PLAN")
    assert "pagos mensuales de $" in plan
    event = _event(session_factory, out["auditId"])
    assert (
        event.kind == "SUGGESTION" and event.call_id == "call-mx-1" and event.debtor_id == ids["CRM-MX-0001"]
    )
    assert event.input["utterance"].startswith("ahorita")
    assert [s["id"] for s in event.output["shown"]] == [s["id"] for s in out["suggestions"]]
    assert event.output["plan"]["valid"] is True
    assert set(event.versions) >= {"classifier", "playbook", "rulePacks", "agreementPolicy"}
    assert event.versions["playbook"] == out["playbookVersion"]


async def test_argentina_vos(api, demo):
    key, ids = demo
    out = await ok(
        api, key, ids["CRM-AR-0002"], "mirá, no tengo un mango, ¿me podés llamar la semana que viene?"
    )
    assert out["register"] == "VOS"
    text = " ".join(s["text"] for s in out["suggestions"])
    assert any(w in text for w in ("podés", "tenés", "preferís", "querés", "te queda"))
    assert all(s["register"] == "VOS" for s in out["suggestions"])


async def test_colombia_call_later_ley_2300(api, demo, clock):
    key, ids = demo
    out = await ok(
        api, key, ids["CRM-CO-0001"], "ahora estoy ocupado en el trabajo, llámeme más tarde por favor"
    )
    assert out["category"] == "CALL_LATER"
    step = next(s for s in out["nextSteps"] if s["kind"] == "SCHEDULE_CALLBACK")
    assert step["at"] is not None and step["at"] > clock().isoformat()
    assert out["suggestions"][0]["id"] == "CALL_LATER.co_ley2300"
    assert "Ley 2300" in out["suggestions"][0]["text"]


async def test_spain_consequences_no_prison(api, demo):
    key, ids = demo
    out = await ok(api, key, ids["CRM-ES-0001"], "¿y si no pago me pueden meter en la cárcel?")
    assert out["category"] == "CONSEQUENCES"
    first = out["suggestions"][0]
    assert first["id"] == "CONSEQUENCES.es_no_prison"
    assert "no existe prisión por deudas" in first["text"] and "Pacto Internacional" in first["source"]
    assert "STATE_FACTS" in [s["kind"] for s in out["nextSteps"]]


async def test_us_dispute_gives_validation_steps(api, demo, session_factory):
    key, ids = demo
    out = await ok(api, key, ids["CRM-US-0005"], "I don't owe this, that's not my debt, I dispute it")
    assert out["category"] == "DISPUTE" and out["language"] == "en"
    assert out["suggestions"][0]["id"] == "DISPUTE.us_rights"
    assert "right to dispute" in out["suggestions"][0]["text"]
    kinds = [s["kind"] for s in out["nextSteps"]]
    assert kinds[:3] == ["RECORD_DISPUTE", "STOP_COLLECTION", "SEND_VALIDATION"]
    assert "1692g" in out["nextSteps"][1]["message"]


async def test_already_paid_lists_the_recorded_payments(api, demo):
    key, ids = demo
    out = await ok(api, key, ids["CRM-MX-0003"], "yo ya pagué eso el mes pasado")
    assert out["category"] == "ALREADY_PAID"
    steps = {s["kind"]: s["message"] for s in out["nextSteps"]}
    assert "Pagos registrados: $" in steps["CHECK_PAYMENTS"] and "ref. PAY-MX-0003" in steps["CHECK_PAYMENTS"]
    assert "ASK_PAYMENT_PROOF" in steps


async def test_wrong_party_says_nothing_about_the_debt(api, demo):
    key, ids = demo
    out = await ok(
        api, key, ids["CRM-MX-0005"], "aquí no vive ninguna persona con ese nombre, número equivocado"
    )
    assert out["category"] == "WRONG_PARTY"
    text = " ".join(s["text"] for s in out["suggestions"]).lower()
    assert not any(w in text for w in ("deuda", "saldo", "$", "adeudo"))
    assert [s["kind"] for s in out["nextSteps"]] == ["DO_NOT_DISCLOSE"]


async def test_feedback_moves_ranking_for_this_tenant_only(api, demo, session_factory):
    key, ids = demo
    other_key = api.key("otra", "ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record("OTRA-1")]}, key=other_key)
    with session_factory() as s:
        other_id = s.scalar(select(Debtor.id).where(Debtor.external_id == "OTRA-1"))
    utterance = "no pienso pagar nada, no me interesa"
    before = await ok(api, key, ids["CRM-MX-0009"], utterance)
    assert before["category"] == "REFUSAL"
    top = before["suggestions"][0]
    for _ in range(4):
        shown = await ok(api, key, ids["CRM-MX-0009"], utterance)
        await api.ok(FEEDBACK, {"id": shown["auditId"], "a": "DISCARDED", "t": top["text"]}, key=key)
    after = await ok(api, key, ids["CRM-MX-0009"], utterance)
    assert after["suggestions"][0]["id"] != top["id"]
    # Another tenant's ranking is its own.
    theirs = await ok(api, other_key, other_id, utterance)
    assert theirs["suggestions"][0]["id"] == top["id"]
    stats = (await api.ok(STATS, key=api.key("demo", "SUPERVISOR", agent="sup-1")))["suggestionStats"]
    row = next(r for r in stats if r["answerId"] == top["id"])
    assert row["discarded"] == 4 and row["category"] == "REFUSAL"


async def test_edited_texts_are_readable_by_the_playbook_owner(api, demo):
    key, ids = demo
    out = await ok(
        api, key, ids["CRM-MX-0002"], "¿por qué me cobran tantos intereses? el saldo subió muchísimo"
    )
    original = out["suggestions"][0]
    final = original["text"].replace("Es válido que lo pregunte.", "Tiene toda la razón en preguntarlo.")
    final = final if final != original["text"] else original["text"] + " Gracias por su paciencia."
    await api.ok(FEEDBACK, {"id": out["auditId"], "a": "EDITED", "t": final}, key=key)
    supervisor = api.key("demo", "SUPERVISOR", agent="sup-1")
    edits = (await api.ok(EDITS, {"a": original["id"]}, key=supervisor))["suggestionEdits"]
    assert edits == [
        {
            "answerId": original["id"],
            "auditId": out["auditId"],
            "actorId": edits[0]["actorId"],
            "shownText": original["text"],
            "finalText": final,
        }
    ]
    assert edits[0]["actorId"]
    assert error_codes(await api.gql(EDITS, {"a": original["id"]}, key=key)) == ["FORBIDDEN"]


async def test_tenant_overlay_drops_an_answer_and_the_ledger_records_it(api, demo, session_factory):
    key, ids = demo
    admin = api.key("demo", "ADMIN")
    overlay = {
        "version": "2026.12.1",
        "jurisdiction": "MX",
        "name": "Demo: los montos sólo por escrito",
        "rules": [
            {
                "id": "DEMO-MX-NO-AMOUNTS-ON-CALLS",
                "kind": "forbidden_elements",
                "code": "MISREPRESENTATION",
                "source": "Política interna 4.2: montos sólo por escrito",
                "channels": ["CALL"],
                "parameters": {"elements": ["AMOUNT_MENTION"]},
            }
        ],
    }
    await api.ok(OVERLAY, {"o": overlay}, key=admin)
    out = await ok(api, key, ids["CRM-MX-0008"], "esa deuda no es mía, yo nunca saqué esa tarjeta")
    assert out["category"] == "DISPUTE"
    assert out["withheld"] >= 1
    assert "$" not in " ".join(s["text"] for s in out["suggestions"])
    event = _event(session_factory, out["auditId"])
    assert {b["ruleId"] for b in event.output["blocked"]} == {"DEMO-MX-NO-AMOUNTS-ON-CALLS"}
    dropped_ids = {d["id"] for d in event.output["dropped"]}
    assert "DISPUTE.clarify" in dropped_ids
    assert not dropped_ids & {s["id"] for s in out["suggestions"]}
    assert "tenant:MX@2026.12.1" in event.versions["rulePacks"]
    summary = await api.ok(
        "query($f: DateTime!, $t: DateTime!) { auditSummary(from: $f, to: $t) { kind blocked } }",
        {"f": "2026-01-01T00:00:00Z", "t": "2027-12-31T00:00:00Z"},
        key=api.key("demo", "COMPLIANCE"),
    )
    assert any(r["kind"] == "SUGGESTION" and r["blocked"] >= 1 for r in summary["auditSummary"])


async def test_tenant_register_preference(api, demo):
    key, ids = demo
    admin = api.key("demo", "ADMIN")
    saved = (await api.ok(SETTINGS, {"r": "USTED", "c": {"MX": "TU"}}, key=admin))["setObjectionSettings"]
    assert saved["registerByCountry"] == {"MX": "TU"}
    out = await ok(api, key, ids["CRM-MX-0007"], "no tengo dinero este mes")
    assert out["register"] == "TU"
    co = await ok(api, key, ids["CRM-CO-0003"], "no tengo plata este mes")
    assert co["register"] == "USTED"
    assert error_codes(await api.gql(SETTINGS, {"r": "TU"}, key=key)) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("utterance", "code"),
    [("", "BAD_INPUT"), ("   ", "BAD_INPUT"), ("no tengo dinero " * 625, "BAD_INPUT")],
)
async def test_bad_utterances(api, demo, utterance, code):
    key, ids = demo
    body = await suggest(api, key, ids["CRM-MX-0001"], utterance)
    assert error_codes(body) == [code] and body["data"] is None


@pytest.mark.parametrize(
    "utterance", ["😡😡😡🙄", "Je n'ai pas d'argent ce mois-ci, rappelez plus tard", "jajaja 👍"]
)
async def test_out_of_scope_text_is_none_without_suggestions(api, demo, utterance):
    key, ids = demo
    out = await ok(api, key, ids["CRM-MX-0001"], utterance)
    assert out["category"] == "NONE"
    assert out["suggestions"] == [] and out["nextSteps"] == []
    assert out["auditId"]


async def test_unknown_or_foreign_debtor_is_not_found(api, demo):
    key, ids = demo
    other_key = api.key("otra", "ADMIN")
    await api.ok(UPSERT, {"input": [debtor_record("OTRA-2")]}, key=other_key)
    body = await suggest(api, key, "00000000-0000-0000-0000-000000000000", "ya pagué")
    assert error_codes(body) == ["NOT_FOUND"]
    body = await suggest(api, other_key, ids["CRM-MX-0001"], "ya pagué")
    assert error_codes(body) == ["NOT_FOUND"]
    assert error_codes(await suggest(api, None, ids["CRM-MX-0001"], "ya pagué")) == ["UNAUTHENTICATED"]
    compliance = api.key("demo", "COMPLIANCE")
    assert error_codes(await suggest(api, compliance, ids["CRM-MX-0001"], "ya pagué")) == ["FORBIDDEN"]


async def test_one_event_per_call_and_nothing_on_error(api, demo, session_factory):
    key, ids = demo

    def count():
        with session_factory() as s:
            return len(list(s.scalars(select(AuditEvent.id).where(AuditEvent.kind == "SUGGESTION"))))

    start = count()
    await ok(api, key, ids["CRM-PE-0001"], "ya le dije que le pago el viernes sin falta")
    await suggest(api, key, ids["CRM-PE-0001"], "")
    await suggest(api, key, "nope", "ya pagué")
    assert count() == start + 1


PAY = """mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { payment { id } } }"""


async def test_a_new_payment_shows_on_the_next_suggestion(api, demo, clock):
    """The card behind suggestions is cached per card revision: a write moves it, the next answer sees it."""
    key, ids = demo
    before = await ok(api, key, ids["CRM-MX-0013"], "yo ya pagué eso la semana pasada")
    assert "No hay pagos" in {s["kind"]: s["message"] for s in before["nextSteps"]}["CHECK_PAYMENTS"]
    card = await api.ok(
        "query($id: ID!) { debtor(id: $id) { accounts { id } } }", {"id": ids["CRM-MX-0013"]}, key=key
    )
    account = card["debtor"]["accounts"][0]["id"]
    admin = api.key("demo", "ADMIN")
    paid_at = clock().replace(day=18).isoformat()
    await api.ok(
        PAY,
        {
            "input": {
                "accountId": account,
                "amount": "1234.00",
                "currency": "MXN",
                "paidAt": paid_at,
                "reference": "SPEI-998877",
            }
        },
        key=admin,
    )
    after = await ok(api, key, ids["CRM-MX-0013"], "yo ya pagué eso la semana pasada")
    steps = {s["kind"]: s["message"] for s in after["nextSteps"]}
    assert "$1,234" in steps["CHECK_PAYMENTS"] and "SPEI-998877" in steps["CHECK_PAYMENTS"]


async def test_concurrent_suggestions_each_get_their_own_committed_event(
    api, demo, session_factory, services
):
    """Concurrent requests share ledger transactions (group commit); each still gets its own event, and
    the chain verifies."""
    import asyncio

    from asistente.audit.integrity import verify

    key, ids = demo
    debtors = [ids[f"CRM-MX-{n:04d}"] for n in range(1, 13)]
    outs = await asyncio.gather(
        *(ok(api, key, d, "no tengo dinero ahorita", f"call-{i}") for i, d in enumerate(debtors))
    )
    audit_ids = [o["auditId"] for o in outs]
    assert len(set(audit_ids)) == len(debtors)
    batcher = services.ledger_writer()  # the one group committer of the process
    assert batcher.events == len(debtors) and batcher.batches < len(debtors)  # some were written together
    with session_factory() as s:
        events = {e.id: e for e in s.scalars(select(AuditEvent).where(AuditEvent.id.in_(audit_ids)))}
        assert len(events) == len(debtors)
        for i, (o, d) in enumerate(zip(outs, debtors, strict=True)):
            e = events[o["auditId"]]
            assert e.debtor_id == d and e.call_id == f"call-{i}"
            assert [x["id"] for x in e.output["shown"]] == [x["id"] for x in o["suggestions"]]
        assert len({e.seq for e in events.values()}) == len(debtors)
        assert verify(s).ok
