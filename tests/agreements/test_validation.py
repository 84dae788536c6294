from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from asistente.agreements import (
    AccountFacts,
    AgreementPolicy,
    AgreementProposal,
    AgreementValidation,
    Frequency,
    IssueCode,
    PlanKind,
    validate_agreement,
)
from asistente.enums import Role
from asistente.errors import BadInput
from tests.agreements.helpers import account, make_policy, proposal

D = Decimal
TODAY = date(2026, 2, 3)  # a Tuesday, no holiday in MX
FIRST = date(2026, 2, 10)


def check(
    p: AgreementProposal,
    *,
    accounts: list[AccountFacts] | None = None,
    policy: AgreementPolicy | None = None,
    role: Role = Role.AGENT,
    jurisdiction: str = "MX",
    today: date = TODAY,
    **kw: Any,
) -> AgreementValidation:
    return validate_agreement(
        p,
        accounts=accounts if accounts is not None else [account()],
        policy=policy or make_policy(),
        caller_role=role,
        today=today,
        jurisdiction=jurisdiction,
        **kw,
    )


def rule_ids(issues: list[Any]) -> list[str]:
    return [i.rule_id for i in issues]


def assert_counter_offer_validates(result: AgreementValidation, **kw: Any) -> AgreementValidation:
    assert result.counter_offer is not None
    again = check(result.counter_offer, **kw)
    assert again.valid and not again.requires_approval, again.violations
    assert again.counter_offer is None
    assert result.counter_offer_validation is not None
    assert again.schedule == result.counter_offer_validation.schedule
    return again


def test_valid_plan_has_no_counter_offer() -> None:
    result = check(proposal(installments=12, frequency="MONTHLY", first=FIRST))
    assert result.valid and not result.requires_approval
    assert result.violations == [] and result.counter_offer is None
    assert result.currency == "MXN" and result.policy_version == "test-1"
    # HALF_UP (the policy default): 11 x 1134.72 + 1134.67 = 13616.59, the same total as DOWN.
    assert len(result.schedule) == 12 and result.schedule[0].amount == D("1134.72")
    assert result.schedule[-1].amount == D("1134.67")
    assert result.total_to_pay == D("13616.59") and result.total_interest == D("1616.59")
    assert result.discount_amount == 0 and result.approval_role is None
    json.dumps(result.to_dict())  # audit-ready


def test_puedo_500_al_mes_counter_offer_is_max_installments_with_gap() -> None:
    # 12,000.00 at 2%: 500 a month needs 34 installments (> 12). Closest plan: 12 of 1134.72, 634.72 more.
    result = check(proposal(installment_amount=D("500.00"), frequency="MONTHLY", first=FIRST))
    assert not result.valid
    [violation] = result.violations
    assert violation.rule_id == "POLICY.MAX_INSTALLMENTS" and violation.code is IssueCode.MAX_INSTALLMENTS
    assert violation.field == "installmentAmount"
    assert "34 cuotas" in violation.message and "34 installments" in violation.message
    offer = result.counter_offer
    assert offer is not None
    assert (offer.kind, offer.installments, offer.installment_amount) == (PlanKind.INSTALLMENTS, 12, None)
    assert result.counter_offer_gap == D("634.72")
    assert result.counter_offer_schedule[0].amount == D("1134.72")
    assert any("12 cuotas de 1134.72 MXN" in n for n in result.counter_offer_notes)
    assert_counter_offer_validates(result)


def test_named_amount_that_fits_is_valid_with_fewest_installments() -> None:
    policy = make_policy(monthlyInterestRate="0")
    # 12,000 / 1,500 = 8 exactly.
    result = check(proposal(installment_amount=D("1500.00"), frequency="MONTHLY", first=FIRST), policy=policy)
    assert result.valid and [r.amount for r in result.schedule] == [D("1500.00")] * 8
    # 1,190 a month: 10 * 1190 = 11,900, the last installment is the remaining 100.00 - below the
    # 200.00 minimum, which is allowed for the last installment only.
    result = check(proposal(installment_amount=D("1190.00"), frequency="MONTHLY", first=FIRST), policy=policy)
    assert result.valid, result.violations
    assert len(result.schedule) == 11 and result.schedule[-1].amount == D("100.00")


def test_named_amount_below_minimum_installment() -> None:
    policy = make_policy(monthlyInterestRate="0", maxInstallments=24)
    result = check(
        proposal(installment_amount=D("150.00"), frequency="MONTHLY", first=FIRST),
        accounts=[account(balance="3000.00")],
        policy=policy,
    )
    assert "POLICY.MIN_INSTALLMENT_AMOUNT" in rule_ids(result.violations)
    # Raised to the 200.00 minimum: 3000 / 200 = 15 installments, within 24.
    assert result.counter_offer is not None and result.counter_offer.installment_amount == D("200.00")
    again = assert_counter_offer_validates(result, accounts=[account(balance="3000.00")], policy=policy)
    assert len(again.schedule) == 15


def test_more_installments_than_policy() -> None:
    result = check(proposal(installments=24, frequency="MONTHLY", first=FIRST))
    [violation] = result.violations
    assert violation.rule_id == "POLICY.MAX_INSTALLMENTS"
    assert violation.message == (
        "El plan excede el máximo de 12 cuotas / The plan exceeds the maximum of 12 installments"
    )
    assert result.counter_offer is not None and result.counter_offer.installments == 12
    assert_counter_offer_validates(result)


def test_installment_below_minimum_counter_offers_fewer_installments() -> None:
    # 2,000.00 over 12 without interest: 166.66 < 200.00. Most installments reaching 200.00: 10.
    policy = make_policy(monthlyInterestRate="0")
    accounts = [account(balance="2000.00")]
    result = check(
        proposal(installments=12, frequency="MONTHLY", first=FIRST), accounts=accounts, policy=policy
    )
    assert rule_ids(result.violations) == ["POLICY.MIN_INSTALLMENT_AMOUNT"]
    assert result.counter_offer is not None and result.counter_offer.installments == 10
    again = assert_counter_offer_validates(result, accounts=accounts, policy=policy)
    assert [r.amount for r in again.schedule] == [D("200.00")] * 10


def test_minimum_down_payment() -> None:
    policy = make_policy(minDownPaymentPercent="10")
    result = check(proposal(installments=6, frequency="MONTHLY", first=FIRST), policy=policy)
    assert rule_ids(result.violations) == ["POLICY.MIN_DOWN_PAYMENT"]
    assert "1200.00 MXN" in result.violations[0].message
    assert result.counter_offer is not None and result.counter_offer.down_payment == D("1200.00")
    again = assert_counter_offer_validates(result, policy=policy)
    assert again.schedule[0].number == 0 and again.schedule[0].amount == D("1200.00")
    ok = check(
        proposal(installments=6, frequency="MONTHLY", first=FIRST, down_payment=D("1200.00")), policy=policy
    )
    assert ok.valid


def test_first_payment_in_the_past_and_too_late() -> None:
    past = check(proposal(installments=3, frequency="MONTHLY", first=date(2026, 2, 2)))
    assert rule_ids(past.violations) == ["PLAN.FIRST_PAYMENT_IN_PAST"]
    assert past.counter_offer is not None and past.counter_offer.first_payment_date == TODAY
    assert_counter_offer_validates(past)

    late = check(proposal(installments=3, frequency="MONTHLY", first=date(2026, 3, 20)))
    assert rule_ids(late.violations) == ["POLICY.MAX_FIRST_PAYMENT_DELAY"]
    assert "2026-03-05" in late.violations[0].message  # today + 30 days
    assert late.counter_offer is not None and late.counter_offer.first_payment_date == date(2026, 3, 5)
    assert_counter_offer_validates(late)


def test_preceding_convention_cannot_move_first_payment_before_today() -> None:
    # Today Saturday 2026-02-07; first payment that same day under PRECEDING would be due Friday the 6th.
    policy = make_policy(businessDayConvention="PRECEDING")
    saturday = date(2026, 2, 7)
    result = check(
        proposal(installments=3, frequency="MONTHLY", first=saturday), policy=policy, today=saturday
    )
    assert rule_ids(result.violations) == ["PLAN.FIRST_PAYMENT_IN_PAST"]
    # Earliest date whose due date is not in the past: Monday the 9th.
    assert result.counter_offer is not None and result.counter_offer.first_payment_date == date(2026, 2, 9)
    assert_counter_offer_validates(result, policy=policy, today=saturday)


def test_discount_authority_and_approval() -> None:
    accounts = [account(balance="10000.00")]
    settle = proposal("SETTLEMENT", first=FIRST, settlement_amount=D("8500.00"))  # 15% off
    by_agent = check(settle, accounts=accounts)
    assert by_agent.valid and by_agent.requires_approval and by_agent.approval_role is Role.SUPERVISOR
    assert by_agent.discount_amount == D("1500.00") and by_agent.discount_percent == D("15.00")
    assert rule_ids(by_agent.warnings) == ["AUTHORITY.DISCOUNT_APPROVAL"]
    # The largest discount an agent may give (10%): 9,000.00.
    assert by_agent.counter_offer is not None and by_agent.counter_offer.settlement_amount == D("9000.00")
    assert_counter_offer_validates(by_agent, accounts=accounts)

    by_supervisor = check(settle, accounts=accounts, role=Role.SUPERVISOR)
    assert by_supervisor.valid and not by_supervisor.requires_approval and by_supervisor.counter_offer is None

    too_much = check(replace(settle, settlement_amount=D("5500.00")), accounts=accounts, role=Role.SUPERVISOR)
    assert rule_ids(too_much.violations) == ["POLICY.MAX_DISCOUNT"]
    assert too_much.approval_role is None and not too_much.requires_approval
    assert too_much.counter_offer is not None and too_much.counter_offer.settlement_amount == D("7500.00")
    assert_counter_offer_validates(too_much, accounts=accounts, role=Role.SUPERVISOR)

    admin = check(replace(settle, settlement_amount=D("6000.00")), accounts=accounts, role=Role.AGENT)
    assert admin.requires_approval and admin.approval_role is Role.ADMIN

    # A role outside the chain (compliance) has no discount authority: the counter-offer is the balance.
    compliance = check(settle, accounts=accounts, role=Role.COMPLIANCE)
    assert compliance.counter_offer is not None and compliance.counter_offer.settlement_amount == D(
        "10000.00"
    )


def test_discount_just_over_the_limit_needs_approval() -> None:
    # 10.01% off 10,000.00 = 8,999.00 settlement; the agent's limit is 10%.
    result = check(
        proposal("SETTLEMENT", first=FIRST, settlement_amount=D("8999.00")),
        accounts=[account(balance="10000.00")],
    )
    assert result.requires_approval and result.discount_percent == D("10.01")


def test_settlement_in_installments_and_above_balance() -> None:
    accounts = [account(balance="10000.00")]
    split = check(
        proposal(
            "SETTLEMENT", first=FIRST, settlement_amount=D("9000.00"), installments=3, frequency="MONTHLY"
        ),
        accounts=accounts,
    )
    assert split.valid and [r.amount for r in split.schedule] == [D("3000.00")] * 3
    assert split.total_interest == 0 and split.total_to_pay == D("9000.00")
    above = check(proposal("SETTLEMENT", first=FIRST, settlement_amount=D("10500.00")), accounts=accounts)
    assert rule_ids(above.violations) == ["PLAN.SETTLEMENT_ABOVE_BALANCE"]
    assert above.counter_offer is not None and above.counter_offer.settlement_amount == D("10000.00")
    assert_counter_offer_validates(above, accounts=accounts)


def test_mixed_currencies() -> None:
    accounts = [account("a1", "5000.00"), account("u1", "300.00", currency="USD")]
    result = check(
        proposal(installments=3, frequency="MONTHLY", first=FIRST, account_ids=["a1", "u1"]),
        accounts=accounts,
    )
    assert not result.valid and rule_ids(result.violations) == ["PLAN.MIXED_CURRENCIES"]
    assert result.schedule == [] and result.currency is None
    # The counter-offer keeps the accounts in the policy's currency.
    assert result.counter_offer is not None and result.counter_offer.account_ids == ["a1"]
    assert_counter_offer_validates(result, accounts=accounts)


def test_policy_for_another_currency() -> None:
    result = check(
        proposal("SINGLE_PAYMENT", first=FIRST), accounts=[account(currency="USD", balance="100.00")]
    )
    assert rule_ids(result.violations) == ["POLICY.CURRENCY"] and result.counter_offer is None


def test_account_flags() -> None:
    accounts = [
        account("a1", "5000.00"),
        account("d1", "1000.00", disputed=True),
        account("l1", "1000.00", in_litigation=True),
        account("t1", "1000.00", time_barred=True),
    ]
    ids = ["a1", "d1", "l1", "t1"]
    result = check(proposal("SINGLE_PAYMENT", first=FIRST, account_ids=ids), accounts=accounts)
    assert sorted(rule_ids(result.violations)) == ["ACCOUNT.DISPUTED", "ACCOUNT.IN_LITIGATION"]
    assert rule_ids(result.warnings) == ["ACCOUNT.TIME_BARRED"]
    assert result.counter_offer is not None and result.counter_offer.account_ids == ["a1", "t1"]
    assert_counter_offer_validates(result, accounts=accounts)
    lenient = make_policy(disputedAccounts="WARN")
    warned = check(
        proposal("SINGLE_PAYMENT", first=FIRST, account_ids=["d1"]), accounts=accounts, policy=lenient
    )
    assert warned.valid and rule_ids(warned.warnings) == ["ACCOUNT.DISPUTED"]


def test_settlement_scaled_when_accounts_are_left_out() -> None:
    # 8,000 on 10,000 (20% off) over two accounts; the 4,000 one is disputed: 20% off the 6,000 kept is
    # 4,800 for a supervisor (authority 25%).
    accounts = [account("a1", "6000.00"), account("d1", "4000.00", disputed=True)]
    p = proposal("SETTLEMENT", first=FIRST, settlement_amount=D("8000.00"), account_ids=["a1", "d1"])
    result = check(p, accounts=accounts, role=Role.SUPERVISOR)
    assert result.counter_offer is not None and result.counter_offer.settlement_amount == D("4800.00")
    assert_counter_offer_validates(result, accounts=accounts, role=Role.SUPERVISOR)


def test_frequency_not_allowed() -> None:
    policy = make_policy(allowedFrequencies=["MONTHLY", "BIWEEKLY"])
    result = check(proposal(installments=6, frequency="WEEKLY", first=FIRST), policy=policy)
    assert rule_ids(result.violations) == ["POLICY.ALLOWED_FREQUENCIES"]
    assert result.counter_offer is not None and result.counter_offer.frequency is Frequency.MONTHLY
    assert_counter_offer_validates(result, policy=policy)


def test_affordability_and_named_amount_warnings() -> None:
    result = check(proposal(installments=12, frequency="MONTHLY", first=FIRST), affordability=D("1000.00"))
    assert result.valid and rule_ids(result.warnings) == ["PLAN.AFFORDABILITY"]
    assert result.counter_offer is None
    named = check(
        proposal(installments=12, installment_amount=D("1000.00"), frequency="MONTHLY", first=FIRST)
    )
    assert named.valid and rule_ids(named.warnings) == ["PLAN.NAMED_AMOUNT"]


def test_chile_collection_charge_cap_applies_in_cl_only() -> None:
    policy = make_policy(
        currency="CLP",
        minInstallmentAmount="20000",
        monthlyInterestRate="0",
        legalCaps=[
            {
                "id": "CL-08",
                "type": "COLLECTION_CHARGE_CAP",
                "jurisdictions": ["CL"],
                "source": "Ley 19.496 art. 37",
                "noChargesWithinDaysPastDue": 20,
                "unitName": "UF",
                "unitValue": "40000",
                "brackets": [
                    {"upToUnits": "10", "percent": "9"},
                    {"upToUnits": "50", "percent": "6"},
                    {"percent": "3"},
                ],
            }
        ],
    )
    # Debt 1,000,000 CLP (25 UF) + 100,000 charges. Cap: 9% of 400,000 + 6% of 600,000 = 72,000.
    acc = account("c1", "1100000", currency="CLP", days_past_due=45, collection_charges=D("100000"))
    p = proposal("SINGLE_PAYMENT", first=FIRST, account_ids=["c1"])
    result = check(p, accounts=[acc], policy=policy, jurisdiction="CL-RM")
    assert result.valid and rule_ids(result.warnings) == ["LEGAL.CL-08"]
    assert result.balance == D("1072000") and result.total_to_pay == D("1072000")
    # Within the first 20 days no charge at all may be collected.
    early = check(p, accounts=[replace(acc, days_past_due=20)], policy=policy, jurisdiction="CL")
    assert early.total_to_pay == D("1000000")
    # Not in Chile: the cap does not apply.
    assert check(p, accounts=[acc], policy=policy, jurisdiction="PE").total_to_pay == D("1100000")


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "SETTLEMENT", "settlement_amount": D("0")}, "settlementAmount"),
        ({"kind": "SETTLEMENT", "settlement_amount": D("-10.00")}, "settlementAmount"),
        ({"installments": 3, "frequency": "MONTHLY", "down_payment": D("-1")}, "downPayment"),
        ({"installment_amount": D("-500"), "frequency": "MONTHLY"}, "installmentAmount"),
        ({"installments": 0, "frequency": "MONTHLY"}, "installments"),
        ({"installments": 3}, "frequency"),
        ({"frequency": "MONTHLY"}, "installments"),
        ({"installments": 3, "frequency": "DAILY"}, "frequency"),
        ({"kind": "SINGLE_PAYMENT", "down_payment": D("100.00")}, "downPayment"),
        (
            {
                "kind": "INSTALLMENTS",
                "installments": 2,
                "frequency": "MONTHLY",
                "settlement_amount": D("1.00"),
            },
            "settlementAmount",
        ),
        ({"kind": "SETTLEMENT"}, "settlementAmount"),
        ({"kind": "LOAN"}, "kind"),
        ({"account_ids": []}, "accountIds"),
        ({"account_ids": ["a1", "a1"], "installments": 2, "frequency": "MONTHLY"}, "accountIds"),
        ({"account_ids": ["someone-elses"], "installments": 2, "frequency": "MONTHLY"}, "accountIds"),
        ({"kind": "SETTLEMENT", "settlement_amount": 9000.0}, "settlementAmount"),
        ({"kind": "SETTLEMENT", "settlement_amount": D("9000.001")}, "settlementAmount"),
        ({"kind": "SINGLE_PAYMENT", "first": datetime(2026, 2, 10, 9, 0)}, "firstPaymentDate"),
    ],
)
def test_bad_input_raises_with_field(fields: dict[str, Any], field: str) -> None:
    kind = fields.pop("kind", "INSTALLMENTS")
    with pytest.raises(BadInput) as info:
        check(proposal(kind, **{"first": FIRST, **fields}))
    assert field in {e.field for e in info.value.errors}, info.value.errors


def test_bad_input_in_accounts_and_context() -> None:
    with pytest.raises(BadInput) as info:
        check(proposal("SINGLE_PAYMENT", first=FIRST), accounts=[account(balance="0.00")])
    assert info.value.errors[0].field == "accounts[0].balance"
    with pytest.raises(BadInput):
        check(proposal("SINGLE_PAYMENT", first=FIRST), jurisdiction="Narnia")
    with pytest.raises(BadInput):
        check(proposal("SINGLE_PAYMENT", first=FIRST), affordability=D("0"))
    clp = [account("c1", "100000", currency="CLP")]
    with pytest.raises(BadInput):  # CLP has no decimals
        check(
            proposal("SETTLEMENT", first=FIRST, account_ids=["c1"], settlement_amount=D("90000.50")),
            accounts=clp,
        )
    with pytest.raises(BadInput) as info:  # the down payment must leave something to pay in installments
        check(proposal(installments=2, frequency="MONTHLY", first=FIRST, down_payment=D("12000.00")))
    assert "downPayment" in info.value.message


def test_many_errors_reported_together() -> None:
    with pytest.raises(BadInput) as info:
        check(
            proposal(installments=0, frequency="DAILY", first=FIRST, down_payment=D("-1"), account_ids=["x"])
        )
    assert {"installments", "frequency", "downPayment", "accountIds"} <= {e.field for e in info.value.errors}
