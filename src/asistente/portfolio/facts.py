"""Plain facts for the compliance engine, built from stored portfolio rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asistente.compliance import DebtorFacts, InteractionFact
from asistente.enums import Channel, Direction, InteractionOutcome, RecipientRole
from asistente.portfolio.models import Account, Debtor, Interaction


def debtor_facts(debtor: Debtor, accounts: Sequence[Account]) -> DebtorFacts:
    open_accounts = [a for a in accounts if a.balance > 0] or list(accounts)
    return DebtorFacts(
        jurisdiction=debtor.jurisdiction,
        timezone=debtor.timezone,
        addresses=tuple(debtor.addresses or ()),
        phones=tuple(debtor.phones or ()),
        emails=tuple(debtor.emails or ()),
        birth_date=debtor.birth_date,
        authorized_channels=frozenset(Channel(c) for c in debtor.authorized_channels or ()),
        opted_out_channels=frozenset(Channel(c) for c in debtor.opted_out_channels or ()),
        cease_contact=debtor.cease_contact,
        represented_by_attorney=debtor.represented_by_attorney,
        in_litigation=any(a.in_litigation for a in open_accounts),
        disputed=any(a.disputed for a in open_accounts),
        time_barred=bool(open_accounts) and all(a.time_barred for a in open_accounts),
        employer_domains=frozenset(
            str(d).lower()
            for d in (debtor.attributes or {}).get("employerEmailDomains", ())
            if isinstance(d, str)
        ),
    )


def interaction_facts(rows: Sequence[Interaction] | Sequence[Any]) -> list[InteractionFact]:
    """Interactions (ORM rows, or result rows with the same column names) as the contact rules' facts."""
    return [
        InteractionFact(
            channel=Channel(i.channel),
            direction=Direction(i.direction),
            at=i.at,
            outcome=InteractionOutcome(i.outcome),
            recipient_role=RecipientRole(i.recipient_role),
        )
        for i in rows
    ]
