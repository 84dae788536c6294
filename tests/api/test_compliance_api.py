"""Contact permission and content checks over HTTP, recorded in the audit ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes

PERMISSION = """query($d: ID!, $c: Channel!, $at: DateTime, $r: RecipientRole) {
  contactPermission(debtorId: $d, channel: $c, at: $at, recipientRole: $r) {
    allowed nextAllowedAt debtorLocalTimes timezones missingData packVersions auditId
    violations { ruleId code message legalSource } warnings { ruleId code } } }"""
CHECK = """query($i: ComplianceCheckInput!) { checkCompliance(input: $i) {
  compliant packVersion auditId violations { ruleId code message legalSource span { start end } } } }"""
EVENTS = "{ auditEvents(first: 10) { edges { node { id kind debtorId output versions } } } }"


def bogota_debtor(ext="CO-1") -> dict:
    rec = debtor_record(ext, country="CO")
    rec["addresses"] = [
        {"line1": "Cra 7 # 32-16", "city": "Bogotá", "region": "DC", "postalCode": "110311", "country": "CO"}
    ]
    rec["phones"] = [{"number": "+573001234567", "kind": "MOBILE"}]
    rec["authorizedChannels"] = ["CALL", "WHATSAPP"]
    for acc in rec["accounts"]:
        acc["currency"] = "COP"
    rec["promises"][0]["currency"] = "COP"
    rec["interactions"] = []
    return rec


async def _debtor(api, key, rec) -> str:
    data = await api.ok(UPSERT, {"input": [rec]}, key=key)
    assert not data["upsertDebtors"]["rejected"], data
    return data["upsertDebtors"]["ids"][0]


async def test_colombia_sunday_is_refused_with_next_monday(api):
    admin = api.key(role="ADMIN")
    agent = api.key(role="AGENT", agent="u1")
    debtor = await _debtor(api, admin, bogota_debtor())
    sunday = datetime(2026, 11, 22, 15, 0, tzinfo=UTC).isoformat()  # Sunday 10:00 in Bogotá
    out = (await api.ok(PERMISSION, {"d": debtor, "c": "CALL", "at": sunday}, key=agent))["contactPermission"]
    assert out["allowed"] is False
    assert "CONTACT_DAY" in {v["code"] for v in out["violations"]}
    assert all(v["legalSource"] for v in out["violations"])
    assert out["timezones"] == ["America/Bogota"]
    # Monday 2026-11-23 is a normal working day in Colombia: 07:00 Bogotá = 12:00Z
    assert out["nextAllowedAt"].startswith("2026-11-23T12:00:00")
    # not authorised channel in Colombia
    sms = (await api.ok(PERMISSION, {"d": debtor, "c": "SMS", "at": sunday}, key=agent))["contactPermission"]
    assert "CHANNEL_NOT_AUTHORIZED" in {v["code"] for v in sms["violations"]}
    # the check is in the ledger with its verdict and the pack versions
    comp = api.key(role="COMPLIANCE")
    events = (await api.ok(EVENTS, key=comp))["auditEvents"]["edges"]
    first = next(e["node"] for e in events if e["node"]["id"] == out["auditId"])
    assert first["kind"] == "CONTACT_CHECK" and first["debtorId"] == debtor
    assert first["output"]["allowed"] is False and first["versions"]["rulePacks"]


async def test_debtor_without_address_or_phone_is_refused_not_guessed(api):
    admin = api.key(role="ADMIN")
    rec = debtor_record("NONE-1")
    rec["addresses"], rec["phones"] = [], []
    debtor = await _debtor(api, admin, rec)
    out = (await api.ok(PERMISSION, {"d": debtor, "c": "CALL"}, key=admin))["contactPermission"]
    assert out["allowed"] is False
    assert "MISSING_CONTACT_DATA" in {v["code"] for v in out["violations"]}
    assert out["missingData"]


async def test_card_shows_contact_now(api, clock):
    admin = api.key(role="ADMIN")
    debtor = await _debtor(api, admin, bogota_debtor("CO-2"))
    clock.value = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 Bogotá
    q = "query($d: ID!){ debtor(id: $d) { contactNow { channel allowed codes nextAllowedAt } } }"
    rows = {r["channel"]: r for r in (await api.ok(q, {"d": debtor}, key=admin))["debtor"]["contactNow"]}
    assert rows["CALL"]["allowed"] is True
    assert rows["SMS"]["allowed"] is False and "CHANNEL_NOT_AUTHORIZED" in rows["SMS"]["codes"]


async def test_check_compliance_threat_and_negation(api):
    agent = api.key(role="AGENT", agent="u1")
    text = "Si no paga hoy, mañana lo van a meter a la cárcel."
    out = (await api.ok(CHECK, {"i": {"text": text, "channel": "CALL", "jurisdiction": "MX"}}, key=agent))[
        "checkCompliance"
    ]
    assert out["compliant"] is False
    codes = {v["code"] for v in out["violations"]}
    assert "THREAT_OF_ARREST" in codes
    span = next(v["span"] for v in out["violations"] if v["code"] == "THREAT_OF_ARREST")
    assert (
        "cárcel" in text[span["start"] : span["end"]] or "carcel" in text[span["start"] : span["end"]].lower()
    )
    ok = (
        await api.ok(
            CHECK,
            {
                "i": {
                    "text": "Le recuerdo que no existe prisión por deudas; busquemos un plan.",
                    "channel": "CALL",
                    "jurisdiction": "MX",
                }
            },
            key=agent,
        )
    )["checkCompliance"]
    assert ok["compliant"] is True, ok
    assert out["auditId"] and ok["auditId"]
    # the ledger names what read the text: rule packs, lexicons and the text model
    from asistente.compliance.textmodel import default_model

    events = (await api.ok(EVENTS, key=api.key(role="COMPLIANCE")))["auditEvents"]["edges"]
    check = next(e["node"] for e in events if e["node"]["id"] == out["auditId"])
    assert check["versions"]["textModel"] == default_model().version
    assert check["versions"]["lexicon"] and check["versions"]["rulePacks"]


async def test_check_compliance_bad_input(api):
    agent = api.key(role="AGENT", agent="u1")
    for payload in (
        {"text": "", "channel": "SMS", "jurisdiction": "MX"},
        {"text": "x" * 100_000, "channel": "SMS", "jurisdiction": "MX"},
        {"text": "Hola", "channel": "SMS", "jurisdiction": "ZZ"},
        {"text": "Hola", "channel": "SMS"},
    ):
        body = await api.gql(CHECK, {"i": payload}, key=agent)
        assert error_codes(body) == ["BAD_INPUT"], (payload["text"][:10], body)
    body = await api.gql(CHECK, {"i": {"text": "Hola", "channel": "FAX", "jurisdiction": "MX"}}, key=agent)
    assert error_codes(body) == ["BAD_INPUT"]


async def test_tenant_overlay_adds_spain_window(api):
    admin = api.key(role="ADMIN")
    rec = debtor_record("ES-1", country="ES")
    rec["addresses"] = [
        {"line1": "Calle Mayor 1", "city": "Madrid", "region": "MD", "postalCode": "28013", "country": "ES"}
    ]
    rec["phones"] = [{"number": "+34612345678", "kind": "MOBILE"}]
    for acc in rec["accounts"]:
        acc["currency"] = "EUR"
    rec["promises"][0]["currency"] = "EUR"
    debtor = await _debtor(api, admin, rec)
    late = datetime(2026, 11, 24, 21, 30, tzinfo=UTC).isoformat()  # Tuesday 22:30 Madrid
    before = (await api.ok(PERMISSION, {"d": debtor, "c": "CALL", "at": late}, key=admin))[
        "contactPermission"
    ]
    assert before["allowed"] is True  # Spain has no legal calling window for collections
    packs = (await api.ok("{ rulePacks { jurisdiction version tenantOverlay } }", key=admin))["rulePacks"]
    assert not any(p["tenantOverlay"] for p in packs)
    import json
    from pathlib import Path

    schema_overlay = {
        "jurisdiction": "ES",
        "version": "acme-1",
        "name": "Acme: horario de llamadas en España",
        "rules": [
            {
                "id": "ACME-ES-01",
                "kind": "contact_window",
                "code": "CONTACT_HOURS",
                "source": "Política interna de Acme (TRLGDCU art. 96.2 como referencia)",
                "parameters": {
                    "windows": [
                        {"days": ["MON", "TUE", "WED", "THU", "FRI"], "start": "09:00", "end": "21:00"}
                    ]
                },
            }
        ],
    }
    # use the pack schema's own window shape if it differs: read one law window rule as the model
    mx = json.loads(Path("src/asistente/compliance/packs/MX.json").read_text())
    window = next(r for r in mx["rules"] if r["code"] == "CONTACT_HOURS")
    schema_overlay["rules"][0]["kind"] = window["kind"]
    params = json.loads(json.dumps(window["parameters"]))
    schema_overlay["rules"][0]["parameters"] = params
    _set_window(params, "09:00", "21:00")
    out = await api.gql(
        "mutation($o: JSON!){ setRulePackOverlay(overlay: $o) { jurisdiction tenantOverlay } }",
        {"o": schema_overlay},
        key=admin,
    )
    assert not out.get("errors"), out
    after = (await api.ok(PERMISSION, {"d": debtor, "c": "CALL", "at": late}, key=admin))["contactPermission"]
    assert after["allowed"] is False
    assert "ACME-ES-01" in {v["ruleId"] for v in after["violations"]}
    # an overlay that reuses a law rule id is refused, naming the path
    bad = dict(schema_overlay, rules=[dict(schema_overlay["rules"][0], id="ES-01")])
    body = await api.gql(
        "mutation($o: JSON!){ setRulePackOverlay(overlay: $o) { jurisdiction } }", {"o": bad}, key=admin
    )
    assert error_codes(body) == ["BAD_INPUT"] and "$.rules[0].id" in body["errors"][0]["message"]
    agent = api.key(role="AGENT", agent="u2")
    body = await api.gql(
        "mutation($o: JSON!){ setRulePackOverlay(overlay: $o) { jurisdiction } }",
        {"o": schema_overlay},
        key=agent,
    )
    assert error_codes(body) == ["FORBIDDEN"]


def _set_window(params, start, end):
    """Set every start/end time in a window rule's parameters."""
    if isinstance(params, dict):
        for k, v in params.items():
            if k in ("start", "from") and isinstance(v, str):
                params[k] = start
            elif k in ("end", "to", "until") and isinstance(v, str):
                params[k] = end
            else:
                _set_window(v, start, end)
    elif isinstance(params, list):
        for item in params:
            _set_window(item, start, end)
