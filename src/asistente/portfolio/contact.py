"""May this debtor be contacted: the stored debtor, accounts and interaction history turned into the
facts of the contact rules and checked per channel. One function for the recorded pre-dial check
(contactPermission) and the card's display of channels open right now (Debtor.contactNow), so both apply
the same steps and the same defaults."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from asistente.compliance import ContactRequest, PackRegistry, evaluate_contact
from asistente.compliance.types import ContactDecision
from asistente.enums import Channel, RecipientRole
from asistente.errors import BadInput
from asistente.portfolio.facts import debtor_facts, interaction_facts
from asistente.portfolio.models import Account, Debtor, Interaction

# The channels the card shows when the caller names none.
DEFAULT_CHANNELS = (Channel.CALL, Channel.SMS, Channel.WHATSAPP, Channel.EMAIL)
MAX_DESTINATION = 300


def contact_decisions(
    debtor: Debtor,
    accounts: Sequence[Account],
    interactions: Sequence[Interaction] | Sequence[Any],
    packs: PackRegistry,
    channels: Sequence[Channel] | None = None,
    *,
    now: datetime,
    at: datetime | None = None,
    recipient_role: RecipientRole = RecipientRole.DEBTOR,
    destination: str | None = None,
) -> dict[Channel, ContactDecision]:
    """One decision per channel, in the order given (duplicates dropped, DEFAULT_CHANNELS when none) for a contact at `at`
    (default `now`) to `recipient_role` at `destination`. BadInput for an instant without an offset or an
    over-long destination."""
    when = at or now
    if when.tzinfo is None:
        raise BadInput("at: the instant must carry an offset")
    if destination is not None and len(destination) > MAX_DESTINATION:
        raise BadInput(f"destination: at most {MAX_DESTINATION} characters")
    facts = debtor_facts(debtor, accounts)
    history = interaction_facts(interactions)
    return {
        channel: evaluate_contact(
            ContactRequest(channel=channel, at=when, recipient_role=recipient_role, destination=destination),
            facts,
            history,
            packs,
            now,
        )
        for channel in dict.fromkeys(channels or DEFAULT_CHANNELS)
    }
