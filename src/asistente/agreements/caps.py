"""Legal caps on what a plan may collect, configured in the policy (`legalCaps`).

COLLECTION_CHARGE_CAP, e.g. Chile CL-08 (Ley 19.496 art. 37 as amended by Ley 21.320): no collection
charges in the first 20 days of arrears; then at most 9% of the debt up to 10 UF, 6% for 10-50 UF and 3%
above. The UF value (CLP per UF) is a parameter of the policy because it changes every day.

The debt the percentages apply to is the account balance without the collection charges themselves.
MARGINAL (default) applies each percentage to the part of the debt inside its bracket ("por la parte que
exceda"); FLAT applies the percentage of the bracket the whole debt falls in. Which one the law means is
marked VERIFY in the default policy. The cap is rounded down to the currency's minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from asistente.agreements.calculator import ZERO, floor_money
from asistente.agreements.dates import parse_jurisdiction


class CapMethod(StrEnum):
    MARGINAL = "MARGINAL"
    FLAT = "FLAT"


@dataclass(frozen=True)
class ChargeBracket:
    up_to_units: Decimal | None
    percent: Decimal


@dataclass(frozen=True)
class CollectionChargeCap:
    id: str
    jurisdictions: tuple[str, ...]
    source: str
    no_charges_within_days_past_due: int
    unit_name: str
    unit_value: Decimal
    brackets: tuple[ChargeBracket, ...]
    method: CapMethod = CapMethod.MARGINAL
    verify: str | None = None

    def applies_to(self, jurisdiction: str) -> bool:
        country, subdivision = parse_jurisdiction(jurisdiction)
        full = f"{country}-{subdivision}" if subdivision else country
        return country in self.jurisdictions or full in self.jurisdictions

    def max_charges(self, debt: Decimal, days_past_due: int, currency: str) -> Decimal:
        """Most collection charges that may be collected on `debt` (policy currency) at `days_past_due`."""
        if debt <= 0 or days_past_due <= self.no_charges_within_days_past_due:
            return ZERO
        with localcontext() as ctx:
            ctx.prec = 50
            if self.method is CapMethod.FLAT:
                for bracket in self.brackets:
                    if bracket.up_to_units is None or debt <= bracket.up_to_units * self.unit_value:
                        return floor_money(debt * bracket.percent / 100, currency)
                return ZERO
            cap = ZERO
            lower = ZERO
            for bracket in self.brackets:
                upper = None if bracket.up_to_units is None else bracket.up_to_units * self.unit_value
                portion = (debt if upper is None else min(debt, upper)) - lower
                if portion <= 0:
                    break
                cap += portion * bracket.percent / 100
                if upper is None:
                    break
                lower = upper
            return floor_money(cap, currency)
