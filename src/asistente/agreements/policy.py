"""Tenant agreement policies: JSON documents validated against schema/agreement-policy.schema.json.

`load_policy(data)` returns an AgreementPolicy or raises PolicyError naming, for every problem, the JSON
path and the reason ("$.maxInstallments: expected integer, got string '12'"). `resolve_policy` picks the
most specific policy for an account: currency must match; then product+segment, product, segment,
unscoped, in that order.

Money and rates may be decimal strings ("0.02") or JSON numbers. Prefer strings (or parse JSON with
`parse_float=Decimal`): a float is converted through its shortest repr, never used in arithmetic.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from asistente.agreements.caps import CapMethod, ChargeBracket, CollectionChargeCap
from asistente.agreements.model import (
    BusinessDayConvention,
    DisputedAccountsRule,
    Frequency,
    InstallmentRounding,
)
from asistente.enums import Role
from asistente.errors import BadInput, FieldError, NotFound
from asistente.money import excess_decimals, known_currencies, minor_units

SCHEMA_FILE = "agreement-policy.schema.json"
APPROVAL_CHAIN: tuple[Role, ...] = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)

_DECIMAL_PATTERN = "^[0-9]+(\\.[0-9]+)?$"


class PolicyError(BadInput):
    """A policy document that does not validate. `errors` has one FieldError per problem (field = JSON
    path), and the message lists them all."""

    def __init__(self, errors: list[FieldError]) -> None:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"agreement policy is invalid: {detail}", errors)


@dataclass(frozen=True)
class AgreementPolicy:
    version: str
    currency: str
    max_installments: int
    min_down_payment_percent: Decimal
    min_installment_amount: Decimal
    monthly_interest_rate: Decimal
    max_first_payment_delay_days: int
    max_discount_percent_by_role: Mapping[Role, Decimal]
    allowed_frequencies: frozenset[Frequency] = frozenset(Frequency)
    business_day_convention: BusinessDayConvention = BusinessDayConvention.FOLLOWING
    installment_rounding: InstallmentRounding = InstallmentRounding.HALF_UP
    disputed_accounts: DisputedAccountsRule = DisputedAccountsRule.BLOCK
    scope_product: str | None = None
    scope_segment: str | None = None
    legal_caps: tuple[CollectionChargeCap, ...] = ()
    description: str | None = None
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def authority(self, role: Role) -> Decimal:
        """Largest discount percentage `role` may grant on its own (0 for roles outside the chain)."""
        return self.max_discount_percent_by_role.get(role, Decimal(0))

    def approval_role_for(self, percent: Decimal) -> Role | None:
        """The lowest role of AGENT < SUPERVISOR < ADMIN whose authority covers `percent`."""
        for role in APPROVAL_CHAIN:
            if percent <= self.authority(role):
                return role
        return None

    @property
    def specificity(self) -> int:
        return (2 if self.scope_product else 0) + (1 if self.scope_segment else 0)

    def matches(self, currency: str, product: str | None, segment: str | None) -> bool:
        return (
            self.currency == currency
            and (self.scope_product is None or self.scope_product == product)
            and (self.scope_segment is None or self.scope_segment == segment)
        )


@lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    text = resources.files("asistente.agreements").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(policy_schema())


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def _child(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def _describe(error: ValidationError, prefix: str) -> list[tuple[str, str]]:
    path = prefix + error.json_path[1:]
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties" and isinstance(value, Mapping):
        known = list(error.schema.get("properties", {}))
        out = []
        for key in value:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suffix = f" (did you mean {hint[0]!r}?)" if hint else f"; allowed: {', '.join(known)}"
                out.append((_child(path, str(key)), f"unknown field{suffix}"))
        return out
    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(value, Mapping) and k not in value]
        return [(_child(path, k), "required field is missing") for k in missing]
    if kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return [(path, f"expected {expected}, got {_json_type(value)} {value!r}")]
    if kind == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return [(path, f"must be one of {options}, got {value!r}")]
    if kind == "const":
        return [(path, f"must be {error.validator_value!r}, got {value!r}")]
    if kind == "pattern":
        pattern = error.validator_value
        if pattern == _DECIMAL_PATTERN:
            return [(path, f'{value!r} is not a non-negative decimal such as "0.02" or "250.00"')]
        if pattern == "^[A-Z]{3}$":
            return [(path, f"{value!r} is not an ISO 4217 currency code such as MXN")]
        return [(path, f"{value!r} does not match the expected form {pattern}")]
    if kind == "minimum":
        return [(path, f"{value} is below the minimum of {error.validator_value}")]
    if kind == "exclusiveMinimum":
        return [(path, f"{value} must be greater than {error.validator_value}")]
    if kind == "maximum":
        return [(path, f"{value} is over the maximum of {error.validator_value}")]
    if kind == "exclusiveMaximum":
        return [(path, f"{value} is too high: it must be below {error.validator_value}")]
    return [(path, error.message)]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | str | Decimal):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


class _Checker:
    """Semantic checks the schema cannot express; problems are collected, never raised one by one."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.problems: list[tuple[str, str]] = []

    def add(self, path: str, reason: str) -> None:
        self.problems.append((self.prefix + path.removeprefix("$"), reason))

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        maximum: Decimal | None = None,
        below: Decimal | None = None,
        positive: bool = False,
        places: int | None = None,
    ) -> Decimal | None:
        if key not in data:
            return None
        raw = data[key]
        value = _decimal(raw)
        if value is None:
            self.add(path, f"expected a decimal string or number, got {_json_type(raw)} {raw!r}")
            return None
        if value < 0:
            self.add(path, f"{raw} must not be negative")
        elif positive and value == 0:
            self.add(path, "must be greater than zero")
        elif maximum is not None and value > maximum:
            what = "percentage " if maximum == 100 else ""
            self.add(path, f"{what}{raw} is over the maximum of {maximum}")
        elif below is not None and value >= below:
            self.add(path, f"percentage {raw} is too high: it must be below {below}")
        elif places is not None and excess_decimals(value, places):
            self.add(path, f"{raw} has more decimals than the currency allows ({places})")
        else:
            return value
        return None


def _load(data: Any, prefix: str) -> tuple[AgreementPolicy | None, list[tuple[str, str]]]:
    if not isinstance(data, Mapping):
        return None, [(prefix, f"expected a JSON object, got {_json_type(data)}")]
    problems: list[tuple[str, str]] = []
    for error in _validator().iter_errors(dict(data)):
        problems.extend(_describe(error, prefix))
    check = _Checker(prefix)
    currency = data.get("currency")
    places: int | None = None
    if isinstance(currency, str):
        if currency in known_currencies():
            places = minor_units(currency)
        else:
            check.add(
                "$.currency", f"unknown currency {currency!r}: use an ISO 4217 code such as MXN, CLP, USD"
            )
    hundred = Decimal(100)
    min_down = check.number(data, "minDownPaymentPercent", "$.minDownPaymentPercent", below=hundred)
    min_inst = check.number(
        data, "minInstallmentAmount", "$.minInstallmentAmount", positive=True, places=places
    )
    rate = check.number(data, "monthlyInterestRate", "$.monthlyInterestRate", maximum=Decimal(1))
    discounts: dict[Role, Decimal] = {}
    by_role = data.get("maxDiscountPercentByRole")
    if isinstance(by_role, Mapping):
        for role in APPROVAL_CHAIN:
            value = check.number(
                by_role, role.value, f"$.maxDiscountPercentByRole.{role.value}", maximum=hundred
            )
            if value is not None:
                discounts[role] = value
        if Role.ADMIN not in discounts and Role.SUPERVISOR in discounts and "ADMIN" not in by_role:
            discounts[Role.ADMIN] = discounts[Role.SUPERVISOR]
        for low_role, high_role in itertools.pairwise(APPROVAL_CHAIN):
            low, high = discounts.get(low_role), discounts.get(high_role)
            if low is not None and high is not None and high < low:
                check.add(
                    f"$.maxDiscountPercentByRole.{high_role.value}",
                    f"{high} is below {low_role.value}'s {low}: authority must not decrease up the chain",
                )
    caps = _load_caps(data.get("legalCaps"), check)
    # Keep one reason per path: the schema and the semantic checks may both flag the same field.
    merged: dict[str, str] = {}
    for path, reason in problems + check.problems:
        merged.setdefault(path, reason)
    if merged:
        return None, sorted(merged.items())
    scope = data.get("scope") or {}
    if min_down is None or min_inst is None or rate is None or not isinstance(currency, str):
        return None, [(prefix, "incomplete policy")]
    document = json.loads(json.dumps(data, default=str))
    version = data.get("version")
    if version is None:
        version = derived_version(document)
        document["version"] = version
    policy = AgreementPolicy(
        version=version,
        currency=currency,
        max_installments=data["maxInstallments"],
        min_down_payment_percent=min_down,
        min_installment_amount=min_inst,
        monthly_interest_rate=rate,
        max_first_payment_delay_days=data["maxFirstPaymentDelayDays"],
        max_discount_percent_by_role=dict(discounts),
        allowed_frequencies=frozenset(Frequency(f) for f in data.get("allowedFrequencies", list(Frequency))),
        business_day_convention=BusinessDayConvention(data.get("businessDayConvention", "FOLLOWING")),
        installment_rounding=InstallmentRounding(data.get("installmentRounding", "HALF_UP")),
        disputed_accounts=DisputedAccountsRule(data.get("disputedAccounts", "BLOCK")),
        scope_product=scope.get("product"),
        scope_segment=scope.get("segment"),
        legal_caps=caps,
        description=data.get("description"),
        document=document,
    )
    return policy, []


def derived_version(document: Mapping[str, Any]) -> str:
    """A version for a policy sent without one: a hash of its content, so it still moves with every edit
    and names exactly what was in force in each audit record."""
    body = {k: v for k, v in document.items() if k not in ("version", "$schema")}
    canon = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


def _load_caps(raw: Any, check: _Checker) -> tuple[CollectionChargeCap, ...]:
    if not isinstance(raw, list):
        return ()
    caps: list[CollectionChargeCap] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            continue
        base = f"$.legalCaps[{i}]"
        cap_id = item.get("id")
        if isinstance(cap_id, str):
            if cap_id in seen:
                check.add(f"{base}.id", f"duplicate legal cap id {cap_id!r}")
            seen.add(cap_id)
        unit_value = check.number(item, "unitValue", f"{base}.unitValue", positive=True)
        brackets: list[ChargeBracket] = []
        raw_brackets = item.get("brackets")
        ok = isinstance(raw_brackets, list) and bool(raw_brackets)
        previous = Decimal(0)
        for j, bracket in enumerate(raw_brackets if isinstance(raw_brackets, list) else []):
            if not isinstance(bracket, Mapping):
                ok = False
                continue
            bpath = f"{base}.brackets[{j}]"
            percent = check.number(bracket, "percent", f"{bpath}.percent", maximum=Decimal(100))
            last = j == len(raw_brackets) - 1  # type: ignore[arg-type]
            upper = check.number(bracket, "upToUnits", f"{bpath}.upToUnits", positive=True)
            if last and "upToUnits" in bracket:
                check.add(f"{bpath}.upToUnits", "the last bracket must be open (no upToUnits)")
                ok = False
            elif not last and "upToUnits" not in bracket:
                check.add(f"{bpath}.upToUnits", "every bracket but the last needs upToUnits")
                ok = False
            elif upper is not None and upper <= previous:
                check.add(
                    f"{bpath}.upToUnits", f"{upper} must be greater than the previous bracket's {previous}"
                )
                ok = False
            if upper is not None:
                previous = upper
            if percent is None:
                ok = False
            else:
                brackets.append(ChargeBracket(None if last else upper, percent))
        jurisdictions = item.get("jurisdictions")
        if ok and unit_value is not None and isinstance(cap_id, str) and isinstance(jurisdictions, list):
            caps.append(
                CollectionChargeCap(
                    id=cap_id,
                    jurisdictions=tuple(str(j) for j in jurisdictions),
                    source=str(item.get("source", "")),
                    no_charges_within_days_past_due=int(item.get("noChargesWithinDaysPastDue", 0)),
                    unit_name=str(item.get("unitName", "")),
                    unit_value=unit_value,
                    brackets=tuple(brackets),
                    method=_cap_method(item.get("method")),
                    verify=item.get("verify"),
                )
            )
    return tuple(caps)


def _cap_method(raw: Any) -> CapMethod:
    try:
        return CapMethod(raw or CapMethod.MARGINAL)
    except ValueError:
        return CapMethod.MARGINAL


def load_policy(data: Mapping[str, Any]) -> AgreementPolicy:
    """Validate one policy document (what setAgreementPolicy receives). Raises PolicyError."""
    policy, problems = _load(data, "$")
    if policy is None:
        raise PolicyError([FieldError(field=path, message=reason) for path, reason in problems])
    return policy


def load_policies(documents: Sequence[Mapping[str, Any]]) -> tuple[AgreementPolicy, ...]:
    """Validate a list of policies (a policy file); two policies with the same currency and scope are an
    error. Paths are prefixed with the list index: "$[2].currency"."""
    if not isinstance(documents, Sequence) or isinstance(documents, str | bytes):
        raise PolicyError([FieldError(field="$", message="expected a JSON array of policies")])
    problems: list[tuple[str, str]] = []
    policies: list[AgreementPolicy] = []
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for i, doc in enumerate(documents):
        policy, errors = _load(doc, f"$[{i}]")
        problems.extend(errors)
        if policy is None:
            continue
        key = (policy.currency, policy.scope_product, policy.scope_segment)
        if key in seen:
            problems.append((f"$[{i}].scope", f"same currency and scope as policy $[{seen[key]}]"))
        seen.setdefault(key, i)
        policies.append(policy)
    if problems:
        raise PolicyError([FieldError(field=path, message=reason) for path, reason in problems])
    return tuple(policies)


def resolve_policy(
    policies: Iterable[AgreementPolicy],
    *,
    currency: str,
    product: str | None = None,
    segment: str | None = None,
) -> AgreementPolicy:
    """The most specific policy for the currency: product+segment, product, segment, then unscoped."""
    candidates = [p for p in policies if p.matches(currency, product, segment)]
    if not candidates:
        raise NotFound(f"no agreement policy for currency {currency}")
    return max(candidates, key=lambda p: p.specificity)


@lru_cache(maxsize=1)
def default_policies() -> tuple[AgreementPolicy, ...]:
    """The defaults shipped in policies/default.json (one per currency), for tenants without their own."""
    text = (
        resources.files("asistente.agreements").joinpath("policies/default.json").read_text(encoding="utf-8")
    )
    return load_policies(json.loads(text, parse_float=Decimal))
