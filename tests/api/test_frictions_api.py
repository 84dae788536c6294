"""Small frictions a new integrator met (issue 9, item 4), over HTTP."""

from __future__ import annotations

from tests.api.data import UPSERT, debtor_record
from tests.api.test_agreements_api import POLICIES, SET_POLICY, VALIDATE, field_names, policy_doc, world
from tests.conftest import error_codes

CHECK = """query($i: ComplianceCheckInput!) { checkCompliance(input: $i) {
  compliant packVersion auditId violations { ruleId code } } }"""
EVENTS = "{ auditEvents(first: 50) { edges { node { id kind input versions } } } }"
PERMISSION = """query($d: ID!, $c: Channel!, $at: DateTime) { contactPermission(debtorId: $d, channel: $c, at: $at) {
  allowed warnings { ruleId code } } }"""


async def _debtor(api, key, rec) -> str:
    data = await api.ok(UPSERT, {"input": [rec]}, key=key)
    assert not data["upsertDebtors"]["rejected"], data
    return data["upsertDebtors"]["ids"][0]


def illinois_debtor(ext: str = "IL-1") -> dict:
    rec = debtor_record(ext, country="US")
    rec["addresses"] = [
        {
            "line1": "200 W Madison St",
            "city": "Chicago",
            "region": "IL",
            "postalCode": "60606",
            "country": "US",
        }
    ]
    rec["phones"] = [{"number": "+13125550123", "kind": "MOBILE"}]
    for acc in rec["accounts"]:
        acc["currency"] = "USD"
    rec["promises"][0]["currency"] = "USD"
    return rec


# --- a parent jurisdiction with a debtorId -------------------------------------------------------------


async def test_parent_jurisdiction_with_a_debtor_is_refined_to_the_debtors(api):
    admin = api.key(role="ADMIN")
    agent = api.key(role="AGENT", agent="u1")
    debtor = await _debtor(api, admin, illinois_debtor())
    q = "query($d: ID!){ debtor(id: $d) { jurisdiction } }"
    assert (await api.ok(q, {"d": debtor}, key=admin))["debtor"]["jurisdiction"] == "US-IL"
    text = "This is Rachel with National Recovery. This is an attempt to collect a debt by a debt collector."
    out = {}
    for sent in ("US", "us", "US-IL", None):
        payload = {"text": text, "channel": "CALL", "debtorId": debtor}
        if sent is not None:
            payload["jurisdiction"] = sent
        out[sent] = (await api.ok(CHECK, {"i": payload}, key=agent))["checkCompliance"]
    assert len({o["packVersion"] for o in out.values()}) == 1
    events = {e["node"]["id"]: e["node"] for e in (await api.ok(EVENTS, key=admin))["auditEvents"]["edges"]}
    assert events[out["US"]["auditId"]]["input"]["jurisdiction"] == "US-IL"


async def test_another_jurisdiction_with_a_debtor_is_still_refused(api):
    admin = api.key(role="ADMIN")
    agent = api.key(role="AGENT", agent="u1")
    debtor = await _debtor(api, admin, illinois_debtor("IL-2"))
    for sent in ("MX", "US-NY", "U"):
        body = await api.gql(
            CHECK,
            {"i": {"text": "Hello", "channel": "CALL", "debtorId": debtor, "jurisdiction": sent}},
            key=agent,
        )
        assert error_codes(body) == ["BAD_INPUT"], sent
        assert "US-IL" in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["fields"][0]["field"] == "jurisdiction"


# --- downPayment "0" -------------------------------------------------------------------------------------


async def test_down_payment_zero_means_no_down_payment(api):
    w = await world(api)
    without = await w.validate()
    for zero in ("0", "0.00"):
        out = await w.validate(downPayment=zero)
        assert out["valid"] is True, out["violations"]
        assert out["schedule"] == without["schedule"] and out["totalToPay"] == without["totalToPay"]
        assert all(row["number"] >= 1 for row in out["schedule"])  # no row 0: no down payment
    # a single payment with downPayment "0" is a single payment, not an error
    single = await w.validate(kind="SINGLE_PAYMENT", installments=None, frequency=None, downPayment="0")
    assert single["valid"] is True, single["violations"]
    # a negative one is still an error naming the field
    body = await api.gql(VALIDATE, {"i": w.plan(downPayment="-1")}, key=w.agent)
    assert error_codes(body) == ["BAD_INPUT"] and "downPayment" in field_names(body)


# --- "1240.00" for a currency without minor units ----------------------------------------------------------


def chile_debtor(ext: str, balance: str) -> dict:
    rec = debtor_record(ext, accounts=1, payments=0, interactions=0, country="CL")
    rec["addresses"] = [
        {
            "line1": "Av. Providencia 1234",
            "city": "Santiago",
            "region": "RM",
            "postalCode": "7500000",
            "country": "CL",
        }
    ]
    rec["phones"] = [{"number": "+56987654321", "kind": "MOBILE"}]
    rec["promises"] = []
    rec["accounts"][0].update({"currency": "CLP", "principal": balance, "balance": balance})
    return rec


async def test_clp_amounts_with_zero_decimals_are_accepted_as_whole_pesos(api):
    w = await world(api, policy=False)
    debtor, [account] = await w.add_debtor(chile_debtor("CL-Z", "1240000.00"))
    q = "query($d: ID!){ debtor(id: $d) { accounts { balance currency } } }"
    [acc] = (await api.ok(q, {"d": debtor}, key=w.admin))["debtor"]["accounts"]
    assert (acc["balance"], acc["currency"]) == ("1240000", "CLP")
    plan = {
        "debtorId": debtor,
        "accountIds": [account],
        "kind": "INSTALLMENTS",
        "downPayment": "124000.00",
        "installments": 4,
        "frequency": "MONTHLY",
        "firstPaymentDate": "2026-12-01",
    }
    out = (await api.ok(VALIDATE, {"i": plan}, key=w.agent))["validateAgreement"]
    assert out["valid"] is True, out["violations"]
    assert out["schedule"][0]["amount"] == "124000" and out["totalToPay"] == "1240000"
    # a non-zero digit beyond the peso stays an error naming the field
    for field, value in (("downPayment", "124000.50"), ("downPayment", "124000.001")):
        body = await api.gql(VALIDATE, {"i": {**plan, field: value}}, key=w.agent)
        assert error_codes(body) == ["BAD_INPUT"], value
        assert field in field_names(body), body
    # and in an import: "1240.50" CLP is refused naming the path, "1240.00" is not
    bad = (await api.ok(UPSERT, {"input": [chile_debtor("CL-B", "1240.50")]}, key=w.admin))["upsertDebtors"]
    assert bad["rejected"] and "balance" in str(bad["rejected"][0])


# --- an agreement policy without version ------------------------------------------------------------------


async def test_policy_without_version_gets_a_derived_one_recorded(api):
    w = await world(api, policy=False)
    doc = policy_doc()
    del doc["version"]
    first = (await api.ok(SET_POLICY, {"p": doc}, key=w.admin))["setAgreementPolicy"]
    assert first["version"].startswith("sha256:") and len(first["version"]) == len("sha256:") + 16
    # the same content gives the same version; a change moves it
    again = (await api.ok(SET_POLICY, {"p": doc}, key=w.admin))["setAgreementPolicy"]
    assert again["version"] == first["version"]
    changed = (await api.ok(SET_POLICY, {"p": {**doc, "maxInstallments": 10}}, key=w.admin))[
        "setAgreementPolicy"
    ]
    assert changed["version"] != first["version"]
    stored = (await api.ok(POLICIES, {"c": "MXN"}, key=w.admin))["agreementPolicies"]
    assert stored[0]["document"]["version"] == changed["version"]
    out = await w.validate(installments=10)
    assert out["policyVersion"] == changed["version"]
    events = [e["node"] for e in (await api.ok(EVENTS, key=w.admin))["auditEvents"]["edges"]]
    policy_changes = [e for e in events if e["kind"] == "POLICY_CHANGE"]
    assert {e["versions"]["policy"] for e in policy_changes} == {first["version"], changed["version"]}
    # an empty version is still an error naming the path
    body = await api.gql(SET_POLICY, {"p": {**doc, "version": ""}}, key=w.admin)
    assert error_codes(body) == ["BAD_INPUT"] and "$.version" in field_names(body)


# --- an older adult in Mexico has its own code ------------------------------------------------------------


async def test_mexico_older_adult_warning_has_its_own_code(api):
    admin = api.key(role="ADMIN")
    rec = debtor_record("MX-OLD")
    rec["birthDate"] = "1950-03-01"
    rec["authorizedChannels"] = ["CALL"]
    debtor = await _debtor(api, admin, rec)
    out = (await api.ok(PERMISSION, {"d": debtor, "c": "CALL", "at": "2026-11-20T18:00:00Z"}, key=admin))[
        "contactPermission"
    ]
    codes = {w["ruleId"]: w["code"] for w in out["warnings"]}
    assert codes.get("MX-08.2") == "OLDER_ADULT"
    assert "CONTACT_MINOR" not in codes.values()
