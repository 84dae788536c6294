"""Issue 11 item 2 beyond drafts: a payment destination the tenant has not registered (a personal account,
another provider's link) in a checkCompliance text or in an agent's line of a live call is a
PAYMENT_DESTINATION violation, on the normal, prepared and cached paths alike; a tenant that registered
none is checked as before."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from asistente.audit.models import AuditEvent
from tests.api.calls_support import PUSH
from tests.api.data import debtor_record
from tests.api.test_drafts_api import CLABE, DESTINATIONS, SET_DEST, Tenant
from tests.api.test_prepared import _paths, both

CHECK = """query($i: ComplianceCheckInput!) { checkCompliance(input: $i) {
  compliant packVersion auditId violations { ruleId code message legalSource span { start end } }
  warnings { ruleId code } } }"""

PD = "PAYMENT_DESTINATION"
OTHER_CLABE = "002180700123456786"  # the drafts engineer's example (bad check digit: caught by the words)
VALID_CLABE = "072180009876543213"  # valid check digits, registered by nobody until a test does
GLOBEX_CLABE = "012180001234567899"  # another tenant's registered account
CBU = "2850590994009041813502"  # valid check digits
CCI = "00219300123456789013"  # valid check digits
IBAN = "ES91 2100 0418 4502 0005 1332"  # valid mod-97
ACCOUNT_REF = "4152313377889900"  # a debtor's account external id (numeric)

UNREGISTERED = {
    "MX": f"Transfiera a la CLABE {OTHER_CLABE} de Banamex y me avisa.",
    "AR": f"Depositá el saldo en el CBU {CBU} y mandame el comprobante.",
    "PE": f"Puede abonar a la cuenta CCI {CCI} del Interbank.",
    "ES": f"Haga la transferencia a la cuenta {IBAN}, por favor.",
}


async def check(api, key, text, jurisdiction="MX", **more) -> dict:
    body = await api.gql(
        CHECK, {"i": {"text": text, "channel": "SMS", "jurisdiction": jurisdiction, **more}}, key=key
    )
    assert not body.get("errors"), body
    return body["data"]["checkCompliance"]


def pd_hits(report: dict) -> list[dict]:
    return [v for v in report["violations"] if v["code"] == PD and v["ruleId"] == "PAYMENT-DESTINATION"]


def quoted(text: str, hit: dict) -> str:
    return text[hit["span"]["start"] : hit["span"]["end"]]


@pytest.mark.parametrize("country", ["MX", "AR", "PE", "ES"])
async def test_an_unregistered_account_is_a_violation_with_span_and_legal_source(api, country):
    t = await Tenant(api).setup()
    text = UNREGISTERED[country]
    for context in ("MESSAGE", "CALL_TURN"):
        channel = "SMS" if context == "MESSAGE" else "CALL"
        out = await check(api, t.agent, text, country, context=context, channel=channel)
        hits = pd_hits(out)
        assert out["compliant"] is False and len(hits) == 1, out
        number = {"MX": OTHER_CLABE, "AR": CBU, "PE": CCI, "ES": IBAN}[country]
        assert quoted(text, hits[0]) == number
        assert hits[0]["legalSource"], hits[0]  # the jurisdiction's payment rule


async def test_registered_destinations_and_the_tenants_own_addresses_are_not_flagged(api):
    t = await Tenant(api).setup()
    rec = debtor_record("MX-OWN")
    rec["accounts"][0]["externalId"] = ACCOUNT_REF
    debtor = await t.debtor(rec)
    fine = [
        f"Puede transferir a la CLABE {CLABE} de BBVA con su referencia.",
        "Pague en línea: https://pagos.andina.example/mp?ref=MX-OWN&monto=100.00",
        "Consulte su saldo en https://cobranzas-delta.example/estado o llame al +52 55 5123 4567 para pagar.",
    ]
    for text in fine:
        assert pd_hits(await check(api, t.agent, text)) == [], text
    # the debtor's own account number and phone, known through debtorId, are not destinations
    own = f"Su pago de la cuenta {ACCOUNT_REF} se registró; le llamamos al +529981234567 para pagar."
    assert pd_hits(await check(api, t.agent, own, None, debtorId=debtor)) == []
    # ...but without the debtor, the same account number is an unknown account next to payment words
    assert [quoted(own, h) for h in pd_hits(await check(api, t.agent, own))] == [ACCOUNT_REF]


async def test_another_providers_link_and_another_tenants_account_are_flagged(api):
    t = await Tenant(api).setup()
    other = await Tenant(api, "globex").setup()
    theirs = copy.deepcopy(DESTINATIONS)
    theirs["destinations"][0]["account"] = account = GLOBEX_CLABE
    await api.ok(SET_DEST, {"d": theirs}, key=other.admin)
    text = f"Mejor deposite a la CLABE {account}, es la de la otra agencia."
    assert [quoted(text, h) for h in pd_hits(await check(api, t.agent, text))] == [account]
    assert pd_hits(await check(api, other.agent, text)) == []  # for its own tenant it is registered
    link = "Pague aquí: https://mpago.la/2x8YzQ o en paypal.me/juanperez"
    hits = pd_hits(await check(api, t.agent, link))
    assert [quoted(link, h) for h in hits] == ["https://mpago.la/2x8YzQ", "paypal.me/juanperez"]


async def test_no_registry_means_unchanged_behaviour_and_a_new_registration_takes_effect_at_once(
    api, services, session_factory
):
    t = await Tenant(api).setup(destinations=False)
    prepared = _paths(services)
    assert prepared.plan(CHECK, None) is not None, "checkCompliance must be answered by the prepared path"
    texts = [
        UNREGISTERED["MX"],
        "Pague aquí: https://mpago.la/2x8YzQ",
        f"Transfiera a la CLABE {VALID_CLABE} de Banorte.",
    ]
    before = []
    for text in texts:
        v = {"i": {"text": text, "channel": "SMS", "jurisdiction": "MX"}}
        slow, _, _ = await both(api, services, session_factory, CHECK, v, t.agent)
        assert pd_hits(slow["data"]["checkCompliance"]) == []  # nothing registered: nothing to compare with
        before.append(slow["data"]["checkCompliance"])
    # registered now: the very next request (cached packs, prepared path) sees it
    await api.ok(SET_DEST, {"d": DESTINATIONS}, key=t.admin)
    for text, old in zip(texts, before, strict=True):
        v = {"i": {"text": text, "channel": "SMS", "jurisdiction": "MX"}}
        slow, _, _ = await both(api, services, session_factory, CHECK, v, t.agent)
        report = slow["data"]["checkCompliance"]
        assert len(pd_hits(report)) == 1 and report["compliant"] is False
        others = [h for h in report["violations"] if h["ruleId"] != "PAYMENT-DESTINATION"]
        assert others == old["violations"]  # everything else unchanged
    # and an account once unknown, now registered, is accepted at once on the cached path
    doc = copy.deepcopy(DESTINATIONS)
    doc["version"] = "2026-12-02"
    doc["destinations"].append({**doc["destinations"][0], "id": "banorte", "account": VALID_CLABE})
    await api.ok(SET_DEST, {"d": doc}, key=t.admin)
    v = {"i": {"text": texts[2], "channel": "SMS", "jurisdiction": "MX"}}
    slow, _, _ = await both(api, services, session_factory, CHECK, v, t.agent)
    assert pd_hits(slow["data"]["checkCompliance"]) == []


async def test_the_ledger_record_carries_the_violation(api, session_factory):
    t = await Tenant(api).setup()
    text = UNREGISTERED["MX"]
    out = await check(api, t.agent, text)
    with session_factory() as s:
        event = s.get(AuditEvent, out["auditId"])
        assert event.kind == "COMPLIANCE_CHECK"
        found = [v for v in event.output["violations"] if v["ruleId"] == "PAYMENT-DESTINATION"]
        assert found == [{"ruleId": "PAYMENT-DESTINATION", "code": PD, "span": [22, 40]}]
        assert "PAYMENT-DESTINATION" in {b["ruleId"] for b in event.output["blocked"]}
        assert event.versions["paymentDestinations"] == DESTINATIONS["version"]
    assert text[22:40] == OTHER_CLABE


async def push(api, key, call, debtor, text) -> dict:
    body = await api.gql(
        PUSH, {"input": {"callId": call, "debtorId": debtor, "speaker": "AGENT", "text": text}}, key=key
    )
    assert not body.get("errors"), body
    return body["data"]["pushTranscript"]


async def test_an_agent_line_with_an_unregistered_account_raises_an_alert(api, session_factory):
    t = await Tenant(api).setup(destinations=False)
    rec = debtor_record("MX-CALL")
    rec["accounts"][0]["externalId"] = ACCOUNT_REF
    debtor = await t.debtor(rec)
    line = f"Mejor deposítele a mi cuenta personal, CLABE {OTHER_CLABE}, así se lo abono hoy."
    # no registry: the line is checked as before (twice: the verdict cache has it)
    for _ in range(2):
        plain = await push(api, t.agent, "call-pd", debtor, line)
        assert pd_hits(plain["compliance"]) == []
    await api.ok(SET_DEST, {"d": DESTINATIONS}, key=t.admin)
    event = await push(api, t.agent, "call-pd", debtor, line)  # the same line: not the cached verdict
    assert event["kind"] == "COMPLIANCE_ALERT"
    hits = pd_hits(event["compliance"])
    assert [quoted(line, h) for h in hits] == [OTHER_CLABE] and hits[0]["legalSource"]
    with session_factory() as s:
        record = s.get(AuditEvent, event["auditId"])
        assert "PAYMENT-DESTINATION" in {v["ruleId"] for v in record.output["violations"]}
    # registered account, the tenant's site and the debtor's own account number: no alert for them
    fine = (
        f"Puede transferir a la CLABE {CLABE} de BBVA; su cuenta {ACCOUNT_REF} queda al corriente, "
        "y el detalle está en https://cobranzas-delta.example/pagos."
    )
    event = await push(api, t.agent, "call-pd", debtor, fine)
    assert pd_hits(event["compliance"]) == [], event
    # a debtor's line is not the agent's: no payment-destination alert for what the debtor says
    body = await api.gql(
        PUSH,
        {"input": {"callId": "call-pd", "debtorId": debtor, "speaker": "DEBTOR", "text": line}},
        key=t.agent,
    )
    assert not body.get("errors") and body["data"]["pushTranscript"]["kind"] == "SUGGESTIONS"
    # a destination registered during the call is accepted on the agent's very next line
    doc = copy.deepcopy(DESTINATIONS)
    doc["version"] = "2026-12-02"
    doc["destinations"].append({**doc["destinations"][0], "id": "banorte", "account": VALID_CLABE})
    new_line = f"Transfiera a la CLABE {VALID_CLABE} de Banorte."
    assert len(pd_hits((await push(api, t.agent, "call-pd", debtor, new_line))["compliance"])) == 1
    await api.ok(SET_DEST, {"d": doc}, key=t.admin)
    assert pd_hits((await push(api, t.agent, "call-pd", debtor, new_line))["compliance"]) == []
    with session_factory() as s:
        kinds = [e.kind for e in s.scalars(select(AuditEvent).where(AuditEvent.call_id == "call-pd"))]
        assert kinds.count("COMPLIANCE_CHECK") == 6 and kinds.count("SUGGESTION") == 1


async def test_agent_turn_records_name_the_registry_version_the_guard_used(api, session_factory):
    """A live call's agent-turn COMPLIANCE_CHECK record carries versions.paymentDestinations, as
    checkCompliance's does: none without a registry, the registered version after, the new version as soon
    as the registry changes (also for a line whose verdict comes from the per-process cache)."""
    t = await Tenant(api).setup(destinations=False)
    debtor = await t.debtor(debtor_record("MX-VER"))
    line = f"Puede transferir a la CLABE {CLABE} de BBVA cuando guste."

    def versions(audit_id: str) -> dict:
        with session_factory() as s:
            record = s.get(AuditEvent, audit_id)
            assert record.kind == "COMPLIANCE_CHECK" and record.call_id == "call-ver"
            return record.versions

    plain = await push(api, t.agent, "call-ver", debtor, line)
    assert "paymentDestinations" not in versions(plain["auditId"])
    await api.ok(SET_DEST, {"d": DESTINATIONS}, key=t.admin)
    for _ in range(2):  # the second time the verdict is the cached one
        event = await push(api, t.agent, "call-ver", debtor, line)
        assert pd_hits(event["compliance"]) == []
        assert versions(event["auditId"])["paymentDestinations"] == DESTINATIONS["version"]
    doc = copy.deepcopy(DESTINATIONS)
    doc["version"] = "2026-12-09"
    await api.ok(SET_DEST, {"d": doc}, key=t.admin)
    event = await push(api, t.agent, "call-ver", debtor, line)
    assert versions(event["auditId"])["paymentDestinations"] == "2026-12-09"
