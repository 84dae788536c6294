from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from asistente.agreements import (
    BusinessDayConvention,
    Frequency,
    InstallmentRounding,
    PolicyError,
    default_policies,
    load_policies,
    load_policy,
    policy_schema,
    resolve_policy,
)
from asistente.enums import Role
from asistente.errors import BadInput, NotFound
from tests.agreements.helpers import policy_doc

D = Decimal
REPO = Path(__file__).resolve().parents[2]


def errors_of(doc: object) -> dict[str, str]:
    with pytest.raises(PolicyError) as info:
        load_policy(doc)  # type: ignore[arg-type]
    assert isinstance(info.value, BadInput)
    return {e.field: e.message for e in info.value.errors}


def test_schema_is_valid_draft_2020_12_and_packaged_copy_matches() -> None:
    repo_schema = json.loads((REPO / "schema" / "agreement-policy.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(repo_schema)
    assert repo_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert policy_schema() == repo_schema


def test_loads_a_full_policy() -> None:
    policy = load_policy(
        policy_doc(
            monthlyInterestRate=0.02,  # a JSON number is accepted (through its repr, never as float math)
            businessDayConvention="MODIFIED_FOLLOWING",
            allowedFrequencies=["MONTHLY"],
            installmentRounding="HALF_UP",
            scope={"product": "CARD", "segment": "EARLY"},
        )
    )
    assert policy.monthly_interest_rate == D("0.02")
    assert policy.min_installment_amount == D("200.00")
    assert policy.allowed_frequencies == frozenset({Frequency.MONTHLY})
    assert policy.business_day_convention is BusinessDayConvention.MODIFIED_FOLLOWING
    assert policy.installment_rounding is InstallmentRounding.HALF_UP
    assert (policy.scope_product, policy.scope_segment) == ("CARD", "EARLY")
    assert policy.authority(Role.AGENT) == D("10")
    assert policy.authority(Role.COMPLIANCE) == 0
    assert policy.approval_role_for(D("10")) is Role.AGENT
    assert policy.approval_role_for(D("10.01")) is Role.SUPERVISOR
    assert policy.approval_role_for(D("40")) is Role.ADMIN
    assert policy.approval_role_for(D("40.5")) is None
    assert policy.document["version"] == "test-1"


def test_defaults_when_optional_fields_absent() -> None:
    doc = policy_doc(allowedFrequencies=None, businessDayConvention=None)
    doc["maxDiscountPercentByRole"] = {"AGENT": 5, "SUPERVISOR": 15}
    policy = load_policy(doc)
    assert policy.allowed_frequencies == frozenset(Frequency)
    assert policy.business_day_convention is BusinessDayConvention.FOLLOWING
    assert policy.installment_rounding is InstallmentRounding.HALF_UP
    assert policy.authority(Role.ADMIN) == D("15")  # ADMIN inherits SUPERVISOR's authority


def test_unknown_field_is_named_with_a_suggestion() -> None:
    doc = policy_doc()
    doc["maxInstalments"] = 12
    problems = errors_of(doc)
    assert problems == {"$.maxInstalments": "unknown field (did you mean 'maxInstallments'?)"}


def test_every_problem_is_reported_with_path_and_reason() -> None:
    doc = policy_doc(
        maxInstallments="12",
        minDownPaymentPercent="120",
        currency="XYZ",
        monthlyInterestRate="2%",
        businessDayConvention="NEXT",
    )
    doc["maxDiscountPercentByRole"] = {"AGENT": "150", "SUPERVISOR": "20", "ROOT": "99"}
    del doc["minInstallmentAmount"]
    problems = errors_of(doc)
    assert problems["$.maxInstallments"] == "expected integer, got string '12'"
    assert "120" in problems["$.minDownPaymentPercent"]
    assert problems["$.currency"].startswith("unknown currency 'XYZ'")
    assert "not a non-negative decimal" in problems["$.monthlyInterestRate"]
    assert problems["$.businessDayConvention"].startswith("must be one of NONE, FOLLOWING")
    assert "over the maximum of 100" in problems["$.maxDiscountPercentByRole.AGENT"]
    assert problems["$.maxDiscountPercentByRole.ROOT"].startswith("unknown field")
    assert problems["$.minInstallmentAmount"] == "required field is missing"
    with pytest.raises(PolicyError) as info:
        load_policy(doc)
    message = str(info.value)
    for path in problems:
        assert path in message


def test_percentages_over_100_as_number_or_string() -> None:
    assert (
        "over the maximum of 100"
        in errors_of(policy_doc(maxDiscountPercentByRole={"AGENT": 101, "SUPERVISOR": 20}))[
            "$.maxDiscountPercentByRole.AGENT"
        ]
    )
    assert (
        "over the maximum of 100"
        in errors_of(policy_doc(maxDiscountPercentByRole={"AGENT": "100.5", "SUPERVISOR": "20"}))[
            "$.maxDiscountPercentByRole.AGENT"
        ]
    )
    assert "$.minDownPaymentPercent" in errors_of(policy_doc(minDownPaymentPercent=100))


def test_semantic_checks() -> None:
    problems = errors_of(
        policy_doc(
            currency="CLP",
            minInstallmentAmount="10000.50",  # CLP has no decimals
            maxDiscountPercentByRole={"AGENT": "30", "SUPERVISOR": "20"},
            monthlyInterestRate="1.5",
        )
    )
    assert "more decimals" in problems["$.minInstallmentAmount"]
    assert "must not decrease" in problems["$.maxDiscountPercentByRole.SUPERVISOR"]
    assert "over the maximum of 1" in problems["$.monthlyInterestRate"]
    assert errors_of(policy_doc(minInstallmentAmount="0")) == {
        "$.minInstallmentAmount": "must be greater than zero"
    }
    assert errors_of(policy_doc(minInstallmentAmount=0)) == {
        "$.minInstallmentAmount": "0 must be greater than 0"
    }
    assert errors_of(policy_doc(maxInstallments=0)) == {"$.maxInstallments": "0 is below the minimum of 1"}
    assert errors_of(["not", "an", "object"]) == {"$": "expected a JSON object, got array"}


def test_legal_caps_checked() -> None:
    cap = {
        "id": "CL-08",
        "type": "COLLECTION_CHARGE_CAP",
        "jurisdictions": ["CL"],
        "source": "Ley 19.496 art. 37",
        "unitName": "UF",
        "unitValue": "39000",
        "brackets": [
            {"upToUnits": "50", "percent": "9"},
            {"upToUnits": "10", "percent": "6"},
            {"percent": "3"},
        ],
    }
    problems = errors_of(policy_doc(currency="CLP", minInstallmentAmount="10000", legalCaps=[cap]))
    assert "greater than the previous" in problems["$.legalCaps[0].brackets[1].upToUnits"]
    cap["brackets"] = [{"upToUnits": "10", "percent": "9"}, {"upToUnits": "50", "percent": "6"}]
    problems = errors_of(policy_doc(currency="CLP", minInstallmentAmount="10000", legalCaps=[cap]))
    assert "must be open" in problems["$.legalCaps[0].brackets[1].upToUnits"]


def test_defaults_ship_one_policy_per_currency() -> None:
    policies = default_policies()
    currencies = [p.currency for p in policies]
    assert len(currencies) == len(set(currencies))
    assert {"MXN", "COP", "CLP", "PEN", "ARS", "EUR", "USD"} <= set(currencies)
    clp = resolve_policy(policies, currency="CLP")
    assert clp.legal_caps and clp.legal_caps[0].id == "CL-08"
    assert "VERIFY" in (clp.legal_caps[0].verify or "")


def test_resolution_most_specific_first() -> None:
    policies = load_policies(
        [
            policy_doc(version="base"),
            policy_doc(version="card", scope={"product": "CARD"}),
            policy_doc(version="early", scope={"segment": "EARLY"}),
            policy_doc(version="card-early", scope={"product": "CARD", "segment": "EARLY"}),
            policy_doc(version="cop", currency="COP", minInstallmentAmount="50000.00"),
        ]
    )

    def pick(product: str | None, segment: str | None) -> str:
        return resolve_policy(policies, currency="MXN", product=product, segment=segment).version

    assert pick("CARD", "EARLY") == "card-early"
    assert pick("CARD", "LATE") == "card"
    assert pick("LOAN", "EARLY") == "early"
    assert pick("LOAN", None) == "base"
    assert pick(None, None) == "base"
    assert resolve_policy(policies, currency="COP").version == "cop"
    with pytest.raises(NotFound):
        resolve_policy(policies, currency="PEN")


def test_duplicate_scope_rejected_with_index() -> None:
    with pytest.raises(PolicyError) as info:
        load_policies([policy_doc(), policy_doc(version="again"), policy_doc(maxInstallments=0)])
    fields = {e.field for e in info.value.errors}
    assert "$[1].scope" in fields
    assert "$[2].maxInstallments" in fields
