"""Single-use payment links created through a provider's API (Stripe Checkout Sessions).

When a tenant has configured Stripe credentials (``setDraftingProfile``: ``stripe.secretKey``) and one of
its PAYMENT_LINK destinations is a STRIPE destination marked ``dynamic``, a draft gets a Checkout Session
of its own: the amount to pay, the account reference (``client_reference_id`` and metadata) and an expiry
(``expires_at``, Stripe accepts 30 minutes to 24 hours ahead). Its ``url`` replaces the template link.
Anything going wrong (no answer within the budget, an API error, no URL) leaves the destination's template
link in the draft: a draft never waits on, or fails because of, the provider.

Through Stripe's official ``stripe`` SDK (extra ``payments``); ``apiBase`` points it at a test server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from asistente.money import minor_units

__all__ = ["CreatedLink", "StripeConfig", "create_stripe_link"]


@dataclass(frozen=True)
class StripeConfig:
    secret_key: str
    api_base: str | None = None
    link_hours: int = 24

    @classmethod
    def from_profile(cls, profile: dict[str, Any] | None) -> StripeConfig | None:
        raw = (profile or {}).get("stripe")
        if not raw:
            return None
        return cls(raw["secretKey"], raw.get("apiBase"), int(raw.get("linkHours", 24)))


@dataclass(frozen=True)
class CreatedLink:
    url: str | None
    id: str | None
    expires_at: datetime | None
    error: str | None = None

    def ledger(self) -> dict[str, Any]:
        return {"provider": "STRIPE", "sessionId": self.id, "expiresAt": self.expires_at, "error": self.error}


def _unit_amount(amount: Decimal, currency: str) -> int:
    return int((amount * (Decimal(10) ** minor_units(currency))).to_integral_value())


def _create(config: StripeConfig, params: dict[str, Any]) -> Any:
    import stripe  # optional dependency, imported when a tenant uses it

    kwargs: dict[str, Any] = {"max_network_retries": 0}
    if config.api_base:
        kwargs["base_addresses"] = {"api": config.api_base}
    client = stripe.StripeClient(config.secret_key, **kwargs)
    return client.v1.checkout.sessions.create(params=params)


async def create_stripe_link(
    config: StripeConfig,
    *,
    amount: Decimal,
    currency: str,
    reference: str,
    description: str,
    return_url: str,
    now: datetime,
    budget_s: float = 5.0,
) -> CreatedLink:
    expires = now + timedelta(hours=max(1, min(config.link_hours, 24)))
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": _unit_amount(amount, currency),
                    "product_data": {"name": description[:250]},
                },
            }
        ],
        "client_reference_id": reference[:200],
        "metadata": {"reference": reference[:500]},
        "payment_intent_data": {"metadata": {"reference": reference[:500]}},
        "expires_at": int(expires.timestamp()),
        "success_url": return_url,
    }
    try:
        async with asyncio.timeout(budget_s):
            session = await asyncio.to_thread(_create, config, params)
    except TimeoutError:
        return CreatedLink(None, None, None, f"no answer within {budget_s:g} s")
    except Exception as exc:  # any SDK, HTTP or API error: the template link stands
        return CreatedLink(None, None, None, type(exc).__name__)
    url = getattr(session, "url", None)
    if not isinstance(url, str) or not url.startswith("https://"):
        return CreatedLink(None, getattr(session, "id", None), None, "no https url in the answer")
    return CreatedLink(url, session.id, expires)
