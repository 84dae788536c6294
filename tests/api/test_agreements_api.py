"""Payment agreements over HTTP: policies, validateAgreement (ledgered), the lifecycle and payments.

The service clock is 2026-11-20T17:00Z (12:00 in Cancún, where the test debtors live) unless a test moves
it. The tenant policy used by most tests charges 2% a month (French amortisation) and asks no down payment.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.api.data import UPSERT, debtor_record
from tests.conftest import error_codes

VALIDATE = """query($i: AgreementInput!) { validateAgreement(input: $i) {
  valid currency balance totalToPay totalInterest discountAmount discountPercent requiresApproval approvalRole
  policyVersion policyRevision policySource callerRole today auditId
  violations { ruleId code message field } warnings { ruleId code message field }
  schedule { number dueDate amount principal interest }
  counterOffer { kind accountIds firstPaymentDate downPayment installments frequency settlementAmount
                 installmentAmount totalToPay notes gap schedule { number dueDate amount } } } }"""

AGREEMENT_FIELDS = """id debtorId status kind currency accountIds approvalRole requiresApproval totalToPay
  discountAmount discountPercent createdByRole decidedByRole decisionNote policyVersion paid outstanding
  installments { number dueDate amount principal interest paid paidPrincipal paidInterest outstanding
                 status paidOn kept promiseId }"""

CREATE = (
    "mutation($i: AgreementInput!) { createAgreement(input: $i) { auditId agreement { "
    + AGREEMENT_FIELDS
    + " } validation { valid requiresApproval approvalRole } } }"
)
APPROVE = (
    "mutation($id: ID!, $n: String) { approveAgreement(id: $id, note: $n) { auditId agreement { "
    + AGREEMENT_FIELDS
    + " } } }"
)
REJECT = "mutation($id: ID!, $r: String!) { rejectAgreement(id: $id, reason: $r) { agreement { id status decisionNote } } }"
GET = "query($id: ID!) { agreement(id: $id) { " + AGREEMENT_FIELDS + " } }"
SET_POLICY = """mutation($p: JSON!) { setAgreementPolicy(policy: $p) {
  id currency product segment version revision source active } }"""
POLICIES = """query($c: String, $h: Boolean) { agreementPolicies(currency: $c, includeHistory: $h) {
  id currency version revision source active document } }"""
PAY = """mutation($a: ID!, $amt: String!, $cur: String!, $at: DateTime!, $ref: String) {
  recordPayment(input: {accountId: $a, amount: $amt, currency: $cur, paidAt: $at, reference: $ref}) {
    duplicate account { balance } agreement { id status installments { number status paid kept } } } }"""
REFRESH = """mutation($d: ID) { refreshAgreementStatuses(debtorId: $d) {
  evaluated changed { before after agreement { id status } } } }"""
CARD = """query($d: ID!) { debtor(id: $d) {
  agreements { id status totalToPay installments { number status } }
  promises { amount dueDate status } openPromises { dueDate amount }
  promiseStats { kept broken pending cancelled }
  segment { code paymentHistory } risk { level reasons { code } } } }"""
EVENTS = """query($k: AuditKind) { auditEvents(first: 50, filter: {kind: $k}) {
  edges { node { id kind debtorId actorRole input output versions } } } }"""

# Hand-computed: 12,000.00 at 2% a month over 12, payment = 12000 * 0.02 / (1 - 1.02^-12) = 1134.7151595...
# HALF_UP -> 1134.72. Each month interest = balance * 0.02 (half up), principal = 1134.72 - interest; the
# last installment pays the remaining principal 1112.42 plus its interest 22.25 = 1134.67.
# Total 11 * 1134.72 + 1134.67 = 13616.59; interest 1616.59.
SCHEDULE_12000 = [
    (1, "2026-12-15", "1134.72", "894.72", "240.00"),
    (2, "2027-01-15", "1134.72", "912.61", "222.11"),
    (3, "2027-02-15", "1134.72", "930.87", "203.85"),
    (4, "2027-03-15", "1134.72", "949.48", "185.24"),
    (5, "2027-04-15", "1134.72", "968.47", "166.25"),
    (6, "2027-05-15", "1134.72", "987.84", "146.88"),
    (7, "2027-06-15", "1134.72", "1007.60", "127.12"),
    (8, "2027-07-15", "1134.72", "1027.75", "106.97"),
    (9, "2027-08-15", "1134.72", "1048.31", "86.41"),
    (10, "2027-09-15", "1134.72", "1069.27", "65.45"),
    (11, "2027-10-15", "1134.72", "1090.66", "44.06"),
    (12, "2027-11-15", "1134.67", "1112.42", "22.25"),
]


def policy_doc(**overrides) -> dict:
    doc = {
        "version": "acme-mxn-2026-11",
        "currency": "MXN",
        "maxInstallments": 12,
        "minDownPaymentPercent": "0",
        "minInstallmentAmount": "200.00",
        "monthlyInterestRate": "0.02",
        "maxFirstPaymentDelayDays": 30,
        "maxDiscountPercentByRole": {"AGENT": "10", "SUPERVISOR": "25", "ADMIN": "40"},
        "businessDayConvention": "NONE",
    }
    doc.update(overrides)
    return doc


def mx_debtor(ext: str, balances: tuple[str, ...] = ("12000.00",), currencies: tuple[str, ...] = ()) -> dict:
    rec = debtor_record(ext, accounts=len(balances), payments=0, interactions=0)
    rec["promises"] = []
    for i, balance in enumerate(balances):
        rec["accounts"][i]["balance"] = balance
        rec["accounts"][i]["principal"] = balance
        if i < len(currencies):
            rec["accounts"][i]["currency"] = currencies[i]
    return rec


class World:
    """One tenant with keys for each role, the 2% policy and a debtor with one 12,000.00 MXN account."""

    def __init__(self, api) -> None:
        self.api = api

    async def setup(self, tenant: str = "acme", ext: str = "AG-1", policy: bool = True) -> World:
        api = self.api
        self.tenant = tenant
        self.admin = api.key(tenant, "ADMIN")
        self.agent = api.key(tenant, "AGENT", agent="ag-1")
        self.other_agent = api.key(tenant, "AGENT", agent="ag-2")
        self.compliance = api.key(tenant, "COMPLIANCE")
        if policy:
            await api.ok(SET_POLICY, {"p": policy_doc()}, key=self.admin)
        self.debtor, self.accounts = await self.add_debtor(mx_debtor(ext))
        self.account = self.accounts[0]
        return self

    async def add_debtor(self, rec: dict) -> tuple[str, list[str]]:
        data = await self.api.ok(UPSERT, {"input": [rec]}, key=self.admin)
        assert not data["upsertDebtors"]["rejected"], data
        debtor = data["upsertDebtors"]["ids"][0]
        q = "query($d: ID!){ debtor(id: $d) { accounts { id externalId } } }"
        accounts = (await self.api.ok(q, {"d": debtor}, key=self.admin))["debtor"]["accounts"]
        return debtor, [a["id"] for a in sorted(accounts, key=lambda a: a["externalId"])]

    async def supervisor_token(self, agent_id: str = "sup-1") -> str:
        q = """mutation($a: String!) { createAgentSession(agentId: $a, tier: SUPERVISOR) { token role } }"""
        out = (await self.api.ok(q, {"a": agent_id}, key=self.admin))["createAgentSession"]
        assert out["role"] == "SUPERVISOR"
        return out["token"]

    def plan(self, **fields) -> dict:
        base = {
            "debtorId": self.debtor,
            "accountIds": [self.account],
            "kind": "INSTALLMENTS",
            "installments": 12,
            "frequency": "MONTHLY",
            "firstPaymentDate": "2026-12-15",
        }
        base.update(fields)
        return {k: v for k, v in base.items() if v is not None}

    async def validate(self, key: str | None = None, **fields) -> dict:
        return (await self.api.ok(VALIDATE, {"i": self.plan(**fields)}, key=key or self.agent))[
            "validateAgreement"
        ]

    async def create(self, key: str | None = None, **fields) -> dict:
        return (await self.api.ok(CREATE, {"i": self.plan(**fields)}, key=key or self.agent))[
            "createAgreement"
        ]

    async def card(self) -> dict:
        return (await self.api.ok(CARD, {"d": self.debtor}, key=self.admin))["debtor"]

    async def events(self, kind: str) -> list[dict]:
        data = await self.api.ok(EVENTS, {"k": kind}, key=self.compliance)
        return [e["node"] for e in data["auditEvents"]["edges"]]


async def world(api, **kw) -> World:
    return await World(api).setup(**kw)


def schedule_rows(rows: list[dict]) -> list[tuple]:
    return [(r["number"], r["dueDate"], r["amount"], r["principal"], r["interest"]) for r in rows]


def field_names(body: dict) -> list[str]:
    return [f["field"] for e in body["errors"] for f in e.get("extensions", {}).get("fields", [])]


# ----------------------------------------------------------------------------------------- validation


async def test_12000_at_2_percent_over_12_to_the_cent_and_ledgered(api):
    w = await world(api)
    out = await w.validate()
    assert out["valid"] is True and out["violations"] == [] and out["counterOffer"] is None
    assert schedule_rows(out["schedule"]) == SCHEDULE_12000
    assert (out["totalToPay"], out["totalInterest"], out["balance"]) == ("13616.59", "1616.59", "12000.00")
    assert (out["discountAmount"], out["requiresApproval"], out["approvalRole"]) == ("0.00", False, None)
    assert (out["currency"], out["policyVersion"], out["policyRevision"], out["policySource"]) == (
        "MXN",
        "acme-mxn-2026-11",
        1,
        "TENANT",
    )
    assert (out["callerRole"], out["today"]) == ("AGENT", "2026-11-20")
    [event] = [e for e in await w.events("AGREEMENT_VALIDATION") if e["id"] == out["auditId"]]
    assert event["debtorId"] == w.debtor and event["actorRole"] == "AGENT"
    assert event["output"]["valid"] is True and event["output"]["totalToPay"] == "13616.59"
    assert event["input"]["installments"] == 12 and event["input"]["callerRole"] == "AGENT"
    assert event["versions"] == {"policy": "acme-mxn-2026-11", "policyRevision": 1, "policySource": "TENANT"}


async def test_clp_plan_with_the_default_policy(api):
    w = await world(api, policy=False)
    rec = debtor_record("CL-1", accounts=1, payments=0, interactions=0, country="CL")
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
    rec["accounts"][0].update({"currency": "CLP", "principal": "1234567", "balance": "1234567"})
    debtor, [account] = await w.add_debtor(rec)
    plan = {
        "debtorId": debtor,
        "accountIds": [account],
        "kind": "INSTALLMENTS",
        "downPayment": "123457",
        "installments": 4,
        "frequency": "MONTHLY",
        "firstPaymentDate": "2026-12-01",
    }
    out = (await api.ok(VALIDATE, {"i": plan}, key=w.agent))["validateAgreement"]
    assert out["valid"] is True, out["violations"]
    assert (out["currency"], out["policySource"], out["policyVersion"]) == (
        "CLP",
        "DEFAULT",
        "default-2026-11-22",
    )
    # Default CLP policy: no interest, 10% down (123,456.7 -> 123,457 pesos, no minor unit). Financed
    # 1,111,110 / 4 = 277,777.5 -> 277,778 (HALF_UP) x 3, last 1,111,110 - 833,334 = 277,776.
    # The down payment is due on the first payment date, installments monthly after it; due dates move off
    # weekends and Chilean holidays (FOLLOWING): 2027-01-01 is New Year's Day (Friday), then a weekend, so
    # the first installment is due Monday 2027-01-04.
    assert schedule_rows(out["schedule"]) == [
        (0, "2026-12-01", "123457", "123457", "0"),
        (1, "2027-01-04", "277778", "277778", "0"),
        (2, "2027-02-01", "277778", "277778", "0"),
        (3, "2027-03-01", "277778", "277778", "0"),
        (4, "2027-04-01", "277776", "277776", "0"),
    ]
    assert out["totalToPay"] == "1234567" and out["totalInterest"] == "0"


async def test_puedo_500_al_mes_gets_a_counter_offer_that_validates(api):
    w = await world(api)
    out = await w.validate(installments=None, installmentAmount="500.00")
    assert out["valid"] is False
    assert [(v["ruleId"], v["code"], v["field"]) for v in out["violations"]] == [
        ("POLICY.MAX_INSTALLMENTS", "MAX_INSTALLMENTS", "installmentAmount")
    ]
    offer = out["counterOffer"]
    assert (offer["kind"], offer["installments"], offer["installmentAmount"], offer["frequency"]) == (
        "INSTALLMENTS",
        12,
        None,
        "MONTHLY",
    )
    assert offer["gap"] == "634.72" and offer["schedule"][0]["amount"] == "1134.72"
    assert offer["totalToPay"] == "13616.59"
    assert any("12 cuotas de 1134.72 MXN" in n for n in offer["notes"])
    again = await w.validate(
        installments=offer["installments"],
        frequency=offer["frequency"],
        firstPaymentDate=offer["firstPaymentDate"],
        accountIds=offer["accountIds"],
    )
    assert again["valid"] is True and again["requiresApproval"] is False
    assert [r["amount"] for r in again["schedule"]] == [r["amount"] for r in offer["schedule"]]
    # the ledger keeps the counter-offer summary
    [event] = [e for e in await w.events("AGREEMENT_VALIDATION") if e["id"] == out["auditId"]]
    assert event["output"]["counterOffer"]["installments"] == 12
    assert event["output"]["counterOffer"]["gap"] == "634.72"
    assert event["output"]["violations"] == [
        {"ruleId": "POLICY.MAX_INSTALLMENTS", "code": "MAX_INSTALLMENTS"}
    ]


async def test_affordability_warning(api):
    w = await world(api)
    out = await w.validate(affordability="1000.00")
    assert out["valid"] is True
    assert [(x["ruleId"], x["code"]) for x in out["warnings"]] == [("PLAN.AFFORDABILITY", "AFFORDABILITY")]


# ----------------------------------------------------------------------------------------- lifecycle


async def test_discount_above_agent_authority_needs_a_supervisor(api):
    w = await world(api)
    settlement = {
        "kind": "SETTLEMENT",
        "installments": None,
        "frequency": None,
        "settlementAmount": "9600.00",
        "firstPaymentDate": "2026-11-27",
    }
    out = await w.validate(**settlement)
    assert out["valid"] is True and out["requiresApproval"] is True and out["approvalRole"] == "SUPERVISOR"
    assert (out["discountAmount"], out["discountPercent"]) == ("2400.00", "20.00")
    assert "DISCOUNT_REQUIRES_APPROVAL" in {x["code"] for x in out["warnings"]}
    # the agent's own best offer: the largest discount they may give (10%)
    assert out["counterOffer"]["settlementAmount"] == "10800.00"

    created = await w.create(**settlement)
    agreement = created["agreement"]
    assert agreement["status"] == "PENDING_APPROVAL" and agreement["approvalRole"] == "SUPERVISOR"
    assert agreement["createdByRole"] == "AGENT"
    assert [(i["number"], i["amount"], i["status"]) for i in agreement["installments"]] == [
        (1, "9600.00", "PENDING")
    ]
    card = await w.card()
    assert card["agreements"][0]["status"] == "PENDING_APPROVAL"
    assert card["promises"] == []  # nothing is promised until approved

    # neither the agent who made it nor another agent may approve
    for key in (w.agent, w.other_agent):
        body = await api.gql(APPROVE, {"id": agreement["id"]}, key=key)
        assert error_codes(body) == ["FORBIDDEN"], body
    # a supervisor (sidebar token minted with tier SUPERVISOR) approves
    token = await w.supervisor_token()
    approved = (await api.ok(APPROVE, {"id": agreement["id"], "n": "ok, hardship"}, key=token))[
        "approveAgreement"
    ]
    assert approved["agreement"]["status"] == "ACTIVE"
    assert (approved["agreement"]["decidedByRole"], approved["agreement"]["decisionNote"]) == (
        "SUPERVISOR",
        "ok, hardship",
    )
    assert approved["agreement"]["installments"][0]["promiseId"]
    card = await w.card()
    assert card["openPromises"] == [{"dueDate": "2026-11-27", "amount": "9600.00"}]
    # a second decision is refused
    body = await api.gql(APPROVE, {"id": agreement["id"]}, key=token)
    assert error_codes(body) == ["BAD_INPUT"]
    decisions = await w.events("AGREEMENT_DECISION")
    assert [e["input"]["action"] for e in decisions] == ["APPROVE", "CREATE"]  # newest first
    assert decisions[0]["output"]["status"] == "ACTIVE" and decisions[0]["actorRole"] == "SUPERVISOR"

    # paying the settlement completes the agreement and keeps the promise
    paid = (
        await api.ok(
            PAY,
            {"a": w.account, "amt": "9600.00", "cur": "MXN", "at": "2026-11-20T16:00:00Z", "ref": "S-1"},
            key=w.admin,
        )
    )["recordPayment"]
    assert paid["agreement"]["status"] == "COMPLETED"
    assert paid["agreement"]["installments"] == [
        {"number": 1, "status": "PAID", "paid": "9600.00", "kept": True}
    ]
    assert (await w.card())["promiseStats"] == {"kept": 1, "broken": 0, "pending": 0, "cancelled": 0}


async def test_supervisor_key_may_reject_and_admin_discount_needs_admin(api):
    w = await world(api)
    supervisor = api.key(w.tenant, "SUPERVISOR", agent="sup-2")
    # 35% discount: above SUPERVISOR (25) -> needs ADMIN
    created = await w.create(
        kind="SETTLEMENT",
        installments=None,
        frequency=None,
        settlementAmount="7800.00",
        firstPaymentDate="2026-11-27",
    )
    agreement = created["agreement"]
    assert agreement["approvalRole"] == "ADMIN"
    body = await api.gql(APPROVE, {"id": agreement["id"]}, key=supervisor)
    assert error_codes(body) == ["FORBIDDEN"]
    assert error_codes(await api.gql(REJECT, {"id": agreement["id"], "r": "  "}, key=w.admin)) == [
        "BAD_INPUT"
    ]
    out = (await api.ok(REJECT, {"id": agreement["id"], "r": "too generous"}, key=w.admin))["rejectAgreement"]
    assert out["agreement"] == {"id": agreement["id"], "status": "REJECTED", "decisionNote": "too generous"}
    # the accounts are free again for a new plan
    again = await w.create()
    assert again["agreement"]["status"] == "ACTIVE"


async def test_payments_mark_installments_and_promises_kept_then_a_miss_breaks_it(api, clock):
    w = await world(api)
    created = await w.create()
    agreement = created["agreement"]
    assert agreement["status"] == "ACTIVE" and agreement["totalToPay"] == "13616.59"
    assert len(agreement["installments"]) == 12 and all(i["promiseId"] for i in agreement["installments"])
    card = await w.card()
    assert len(card["openPromises"]) == 12 and card["openPromises"][0] == {
        "dueDate": "2026-12-15",
        "amount": "1134.72",
    }
    assert card["segment"]["paymentHistory"] == "IRREGULAR"  # promises, no payments yet

    clock.value = datetime(2026, 12, 14, 18, 0, tzinfo=UTC)
    paid = (
        await api.ok(
            PAY,
            {"a": w.account, "amt": "1134.72", "cur": "MXN", "at": "2026-12-14T17:00:00Z", "ref": "P-1"},
            key=w.admin,
        )
    )["recordPayment"]
    assert paid["agreement"]["status"] == "ACTIVE"
    assert paid["agreement"]["installments"][0] == {
        "number": 1,
        "status": "PAID",
        "paid": "1134.72",
        "kept": True,
    }
    # the same reference again is a duplicate and is not applied twice
    dup = (
        await api.ok(
            PAY,
            {"a": w.account, "amt": "1134.72", "cur": "MXN", "at": "2026-12-14T17:00:00Z", "ref": "P-1"},
            key=w.admin,
        )
    )["recordPayment"]
    assert dup["duplicate"] is True and dup["agreement"] is None
    got = (await api.ok(GET, {"id": agreement["id"]}, key=w.agent))["agreement"]
    first = got["installments"][0]
    # default order: interest before principal
    assert (first["paidInterest"], first["paidPrincipal"], first["outstanding"]) == (
        "240.00",
        "894.72",
        "0.00",
    )
    assert (got["paid"], got["outstanding"]) == ("1134.72", "12481.87")
    card = await w.card()
    assert card["promiseStats"] == {"kept": 1, "broken": 0, "pending": 11, "cancelled": 0}
    assert card["segment"]["paymentHistory"] == "GOOD"

    # part of the second installment, before it is due
    clock.value = datetime(2026, 12, 20, 18, 0, tzinfo=UTC)
    await api.ok(
        PAY,
        {"a": w.account, "amt": "500.00", "cur": "MXN", "at": "2026-12-20T17:00:00Z", "ref": "P-2"},
        key=w.admin,
    )
    got = (await api.ok(GET, {"id": agreement["id"]}, key=w.agent))["agreement"]
    assert got["installments"][1]["status"] == "PARTIAL" and got["installments"][1]["paid"] == "500.00"

    # due 2027-01-15, grace 3 days: on the 17th it is LATE and nothing is broken yet
    clock.value = datetime(2027, 1, 17, 18, 0, tzinfo=UTC)
    out = (await api.ok(REFRESH, {"d": w.debtor}, key=w.admin))["refreshAgreementStatuses"]
    assert out == {"evaluated": 1, "changed": []}
    got = (await api.ok(GET, {"id": agreement["id"]}, key=w.agent))["agreement"]
    assert got["installments"][1]["status"] == "LATE" and got["status"] == "ACTIVE"

    # on the 19th (local date in Cancún) it is past grace: BROKEN installment, promise and agreement
    clock.value = datetime(2027, 1, 19, 18, 0, tzinfo=UTC)
    out = (await api.ok(REFRESH, {}, key=w.admin))["refreshAgreementStatuses"]
    assert out["evaluated"] == 1
    assert out["changed"] == [
        {"before": "ACTIVE", "after": "BROKEN", "agreement": {"id": agreement["id"], "status": "BROKEN"}}
    ]
    got = (await api.ok(GET, {"id": agreement["id"]}, key=w.agent))["agreement"]
    assert [i["status"] for i in got["installments"][:3]] == ["PAID", "BROKEN", "PENDING"]
    assert got["installments"][1]["kept"] is False
    card = await w.card()
    assert card["promiseStats"] == {"kept": 1, "broken": 1, "pending": 0, "cancelled": 10}
    assert card["agreements"][0]["status"] == "BROKEN"
    # the broken promise feeds the segment and the risk
    assert card["segment"]["paymentHistory"] == "IRREGULAR"
    assert "BROKEN_PROMISES" in {r["code"] for r in card["risk"]["reasons"]}
    listing = await api.ok(
        'query { debtors(filter: {segment: "MID"}) { edges { node { id segment { code } } } } }', key=w.admin
    )
    [node] = [e["node"] for e in listing["debtors"]["edges"] if e["node"]["id"] == w.debtor]
    assert node["segment"]["code"].endswith("-IRREGULAR")
    # a later payment is not applied to a broken agreement
    later = (
        await api.ok(
            PAY,
            {"a": w.account, "amt": "100.00", "cur": "MXN", "at": "2027-01-19T17:00:00Z", "ref": "P-3"},
            key=w.admin,
        )
    )["recordPayment"]
    assert later["agreement"] is None


async def test_allocation_order_is_a_tenant_setting(api, clock):
    w = await world(api)
    q = """mutation($o: [PaymentComponent!], $g: Int) { setAgreementSettings(allocationOrder: $o, graceDays: $g) {
      graceDays allocationOrder } }"""
    out = (await api.ok(q, {"o": ["PRINCIPAL", "INTEREST", "FEES"], "g": 5}, key=w.admin))[
        "setAgreementSettings"
    ]
    assert out == {"graceDays": 5, "allocationOrder": ["PRINCIPAL", "INTEREST", "FEES"]}
    assert error_codes(await api.gql(q, {"o": ["PRINCIPAL", "PRINCIPAL"]}, key=w.admin)) == ["BAD_INPUT"]
    assert error_codes(await api.gql(q, {"g": -1}, key=w.admin)) == ["BAD_INPUT"]
    assert error_codes(await api.gql(q, {"g": 1}, key=w.agent)) == ["FORBIDDEN"]
    created = await w.create()
    await api.ok(
        PAY,
        {"a": w.account, "amt": "1000.00", "cur": "MXN", "at": "2026-11-20T16:00:00Z", "ref": "O-1"},
        key=w.admin,
    )
    got = (await api.ok(GET, {"id": created["agreement"]["id"]}, key=w.agent))["agreement"]
    first = got["installments"][0]
    assert (first["paidPrincipal"], first["paidInterest"], first["status"]) == ("894.72", "105.28", "PARTIAL")
    # 5 grace days: due 2026-12-15, still LATE on the 20th, BROKEN on the 21st
    clock.value = datetime(2026, 12, 20, 18, 0, tzinfo=UTC)
    assert (await api.ok(REFRESH, {}, key=w.admin))["refreshAgreementStatuses"]["changed"] == []
    clock.value = datetime(2026, 12, 21, 18, 0, tzinfo=UTC)
    changed = (await api.ok(REFRESH, {}, key=w.admin))["refreshAgreementStatuses"]["changed"]
    assert [c["after"] for c in changed] == ["BROKEN"]


# ----------------------------------------------------------------------------------------- policies


async def test_policies_are_versioned_per_tenant_and_key(api):
    w = await world(api)
    assert error_codes(await api.gql(SET_POLICY, {"p": policy_doc()}, key=w.agent)) == ["FORBIDDEN"]
    second = (
        await api.ok(SET_POLICY, {"p": policy_doc(version="acme-mxn-2", maxInstallments=6)}, key=w.admin)
    )["setAgreementPolicy"]
    assert (second["revision"], second["source"], second["active"]) == (2, "TENANT", True)
    scoped = (
        await api.ok(
            SET_POLICY,
            {"p": policy_doc(version="tarjeta-1", scope={"product": "Tarjeta"}, maxInstallments=18)},
            key=w.admin,
        )
    )["setAgreementPolicy"]
    assert (scoped["product"], scoped["revision"]) == ("Tarjeta", 1)
    mxn = (await api.ok(POLICIES, {"c": "MXN"}, key=w.agent))["agreementPolicies"]
    assert sorted((p["version"], p["revision"], p["source"]) for p in mxn) == [
        ("acme-mxn-2", 2, "TENANT"),
        ("tarjeta-1", 1, "TENANT"),
    ]
    history = (await api.ok(POLICIES, {"c": "MXN", "h": True}, key=w.compliance))["agreementPolicies"]
    assert sorted((p["version"], p["active"]) for p in history) == [
        ("acme-mxn-2", True),
        ("acme-mxn-2026-11", False),
        ("tarjeta-1", True),
    ]
    everything = (await api.ok(POLICIES, {}, key=w.agent))["agreementPolicies"]
    defaults = {p["currency"] for p in everything if p["source"] == "DEFAULT"}
    assert "CLP" in defaults and "MXN" not in defaults
    # the product-scoped policy is the most specific for a Tarjeta account: 18 installments are allowed
    out = await w.validate(installments=18)
    assert out["valid"] is True and out["policyVersion"] == "tarjeta-1"
    # another tenant sees only the defaults
    other = api.key("globex", "ADMIN")
    assert {p["source"] for p in (await api.ok(POLICIES, {"c": "MXN"}, key=other))["agreementPolicies"]} == {
        "DEFAULT"
    }
    changes = await w.events("POLICY_CHANGE")
    assert [e["versions"]["policyRevision"] for e in changes] == [1, 2, 1]


async def test_policy_with_a_wrong_field_names_the_path_and_stores_nothing(api):
    w = await world(api)
    before = (await api.ok(POLICIES, {"c": "MXN", "h": True}, key=w.admin))["agreementPolicies"]
    events_before = len(await w.events("POLICY_CHANGE"))
    bad = policy_doc(maxInstalments=12)
    body = await api.gql(SET_POLICY, {"p": bad}, key=w.admin)
    assert error_codes(body) == ["BAD_INPUT"]
    assert "$.maxInstalments" in field_names(body)
    assert "did you mean 'maxInstallments'" in body["errors"][0]["message"]
    body = await api.gql(SET_POLICY, {"p": policy_doc(maxInstallments="12", currency="XYZ")}, key=w.admin)
    assert error_codes(body) == ["BAD_INPUT"]
    assert {"$.maxInstallments", "$.currency"} <= set(field_names(body))
    body = await api.gql(SET_POLICY, {"p": ["not", "an", "object"]}, key=w.admin)
    assert error_codes(body) == ["BAD_INPUT"]
    assert (await api.ok(POLICIES, {"c": "MXN", "h": True}, key=w.admin))["agreementPolicies"] == before
    assert len(await w.events("POLICY_CHANGE")) == events_before


# ----------------------------------------------------------------------------------------- bad input


async def _nothing_stored(w: World) -> None:
    card = await w.card()
    assert card["agreements"] == [] and card["promises"] == []
    assert await w.events("AGREEMENT_DECISION") == []


async def test_bad_amounts_are_bad_input_naming_the_field(api):
    w = await world(api)
    for fields, field in (
        ({"installments": None, "installmentAmount": "0"}, "installmentAmount"),
        ({"installments": None, "installmentAmount": "-500.00"}, "installmentAmount"),
        ({"downPayment": "-1.00"}, "downPayment"),
        ({"downPayment": "abc"}, "downPayment"),
        ({"downPayment": "1.001"}, "downPayment"),
        (
            {"kind": "SETTLEMENT", "installments": None, "frequency": None, "settlementAmount": "0"},
            "settlementAmount",
        ),
        ({"affordability": "-3"}, "affordability"),
        ({"installments": 0}, "installments"),
        ({"accountIds": []}, "accountIds"),
        ({"accountIds": [w.account, w.account]}, "accountIds"),
    ):
        for query in (VALIDATE, CREATE):
            body = await api.gql(query, {"i": w.plan(**fields)}, key=w.agent)
            assert error_codes(body) == ["BAD_INPUT"], (fields, body)
            assert field in field_names(body), (fields, body)
    body = await api.gql(VALIDATE, {"i": w.plan(frequency="DAILY")}, key=w.agent)
    assert error_codes(body) == ["BAD_INPUT"]
    await _nothing_stored(w)


async def test_policy_violations_are_reported_and_refused_on_create(api):
    w = await world(api)
    rec = mx_debtor("MIX-1", balances=("5000.00", "300.00"), currencies=("MXN", "USD"))
    mixed_debtor, mixed_accounts = await w.add_debtor(rec)
    cases = [
        ({"installments": 24}, "POLICY.MAX_INSTALLMENTS", "MAX_INSTALLMENTS", w.debtor, None),
        (
            {"firstPaymentDate": "2026-11-01"},
            "PLAN.FIRST_PAYMENT_IN_PAST",
            "FIRST_PAYMENT_IN_PAST",
            w.debtor,
            None,
        ),
        (
            {"firstPaymentDate": "2027-02-01"},
            "POLICY.MAX_FIRST_PAYMENT_DELAY",
            "FIRST_PAYMENT_TOO_LATE",
            w.debtor,
            None,
        ),
        ({}, "PLAN.MIXED_CURRENCIES", "MIXED_CURRENCIES", mixed_debtor, mixed_accounts),
    ]
    for fields, rule, code, debtor, accounts in cases:
        plan = w.plan(**fields, debtorId=debtor, accountIds=accounts or [w.account])
        out = (await api.ok(VALIDATE, {"i": plan}, key=w.agent))["validateAgreement"]
        assert out["valid"] is False and rule in {v["ruleId"] for v in out["violations"]}, out
        body = await api.gql(CREATE, {"i": plan}, key=w.agent)
        assert error_codes(body) == ["BAD_INPUT"], body
        fields_out = body["errors"][0]["extensions"]["fields"]
        assert code in {f["code"] for f in fields_out}, fields_out
    # more installments than policy: the counter-offer brings it back to 12
    out = await w.validate(installments=24)
    assert out["counterOffer"]["installments"] == 12
    # first payment in the past: the counter-offer starts today (the debtor's date)
    out = await w.validate(firstPaymentDate="2026-11-01")
    assert out["counterOffer"]["firstPaymentDate"] == "2026-11-20"
    await _nothing_stored(w)
    q = "query($d: ID!) { debtor(id: $d) { agreements { id } promises { id } } }"
    assert (await api.ok(q, {"d": mixed_debtor}, key=w.admin))["debtor"] == {"agreements": [], "promises": []}


async def test_accounts_of_another_debtor_or_tenant_read_not_found(api):
    w = await world(api)
    _, [other_account] = await w.add_debtor(mx_debtor("AG-2"))
    beta = await World(api).setup(tenant="beta", ext="B-1")
    for plan in (
        w.plan(accountIds=[other_account]),
        w.plan(accountIds=[w.account, other_account]),
        w.plan(accountIds=[beta.account]),
        w.plan(accountIds=["not-an-id"]),
        w.plan(debtorId=beta.debtor, accountIds=[beta.account]),
    ):
        for query in (VALIDATE, CREATE):
            body = await api.gql(query, {"i": plan}, key=w.agent)
            assert error_codes(body) == ["NOT_FOUND"], body
            assert beta.account not in body["errors"][0]["message"] or plan["accountIds"] == [beta.account]
    await _nothing_stored(w)
    assert await w.events("AGREEMENT_VALIDATION") == []


async def test_accounts_under_an_open_agreement_cannot_get_another(api):
    w = await world(api)
    await w.create()
    body = await api.gql(CREATE, {"i": w.plan(installments=6)}, key=w.agent)
    assert error_codes(body) == ["BAD_INPUT"] and "already under agreement" in body["errors"][0]["message"]
    assert len((await w.card())["agreements"]) == 1


async def test_agreement_ids_of_another_tenant_read_not_found(api):
    w = await world(api)
    beta = await World(api).setup(tenant="beta", ext="B-1")
    pending = await beta.create(
        kind="SETTLEMENT",
        installments=None,
        frequency=None,
        settlementAmount="9600.00",
        firstPaymentDate="2026-11-27",
    )
    beta_id = pending["agreement"]["id"]
    for query, variables in (
        (GET, {"id": beta_id}),
        (APPROVE, {"id": beta_id}),
        (REJECT, {"id": beta_id, "r": "no"}),
        (REFRESH, {"d": beta.debtor}),
        (GET, {"id": "nope"}),
    ):
        body = await api.gql(query, variables, key=w.admin)
        assert error_codes(body) == ["NOT_FOUND"], (query, body)
    assert (await api.ok(GET, {"id": beta_id}, key=beta.admin))["agreement"]["status"] == "PENDING_APPROVAL"


async def test_roles(api):
    w = await world(api)
    integrator = api.key(w.tenant, "INTEGRATOR")
    for key in (integrator, w.compliance):
        assert error_codes(await api.gql(VALIDATE, {"i": w.plan()}, key=key)) == ["FORBIDDEN"]
        assert error_codes(await api.gql(CREATE, {"i": w.plan()}, key=key)) == ["FORBIDDEN"]
    assert error_codes(await api.gql(REFRESH, {}, key=w.agent)) == ["FORBIDDEN"]
    assert (await api.ok(REFRESH, {}, key=integrator))["refreshAgreementStatuses"]["evaluated"] == 0
    # an ADMIN key negotiates with ADMIN authority: a 35% discount needs no approval
    out = await w.validate(
        key=w.admin,
        kind="SETTLEMENT",
        installments=None,
        frequency=None,
        settlementAmount="7800.00",
        firstPaymentDate="2026-11-27",
    )
    assert (out["callerRole"], out["requiresApproval"], out["valid"]) == ("ADMIN", False, True)
