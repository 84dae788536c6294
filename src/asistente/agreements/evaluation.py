"""Evaluation of a proposed plan against stored facts: the tenant policy in force for the accounts, the
debtor's jurisdiction and local date (from the `now` the caller passes), and the caller's tier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from asistente.agreements.model import AccountFacts, AgreementProposal, AgreementValidation
from asistente.agreements.policy import default_policies
from asistente.agreements.repository import AgreementRepository, PolicyInForce
from asistente.agreements.validation import validate_agreement
from asistente.enums import Role
from asistente.errors import BadInput, DomainError, FieldError, NotFound
from asistente.geo import candidate_timezones
from asistente.portfolio.models import Account, Debtor


@dataclass(frozen=True)
class Evaluation:
    """A proposal checked against stored facts: what validateAgreement returns and createAgreement keeps."""

    debtor: Debtor
    accounts: list[Account]
    proposal: AgreementProposal
    validation: AgreementValidation
    policy: PolicyInForce
    caller_role: Role
    today: date
    jurisdiction: str
    affordability: Decimal | None


def local_today(debtor: Debtor, now: datetime) -> date:
    """The debtor's calendar date at `now` in their primary time zone (UTC when none is known)."""
    if now.tzinfo is None:
        raise BadInput("now: the instant must carry an offset")
    try:
        zones = candidate_timezones(
            debtor.addresses or [], debtor.phones or [], debtor.timezone, debtor.jurisdiction
        )
    except (DomainError, ValueError, KeyError):
        zones = []
    return now.astimezone(ZoneInfo(zones[0].tz) if zones else UTC).date()


def evaluate_proposal(
    repo: AgreementRepository,
    *,
    debtor: Debtor,
    debtor_accounts: Sequence[Account],
    proposal: AgreementProposal,
    caller_role: Role,
    now: datetime,
    affordability: Decimal | None = None,
) -> Evaluation:
    """Validate `proposal` for `debtor` on the debtor's local date. Accounts it names must be the
    debtor's (else NotFound, the same answer as for another tenant's account)."""
    by_id = {a.id: a for a in debtor_accounts}
    missing = [i for i in dict.fromkeys(proposal.account_ids) if i not in by_id]
    if missing:
        raise NotFound(
            f"account {missing[0]} not found for this debtor",
            [
                FieldError("accountIds", f"account {i} not found for this debtor", "NOT_FOUND")
                for i in missing
            ],
        )
    selected = [by_id[i] for i in dict.fromkeys(proposal.account_ids)]
    if not debtor.jurisdiction:
        raise BadInput(
            "debtor: no jurisdiction on record; set it (upsertDebtors) before agreeing a plan",
            [FieldError("debtorId", "the debtor has no jurisdiction")],
        )
    currency = selected[0].currency if selected else None
    products = {a.product for a in selected}
    if currency is None:
        # validate_agreement reports the empty list; any policy will do to get there.
        in_force = PolicyInForce(default_policies()[0], None)
    else:
        product = next(iter(products)) if len(products) == 1 else None
        in_force = repo.policy_for(currency, product, debtor.segment_code)
    today = local_today(debtor, now)
    facts = [
        AccountFacts(
            id=a.id,
            currency=a.currency,
            balance=Decimal(a.balance),
            days_past_due=a.days_past_due,
            in_litigation=a.in_litigation,
            disputed=a.disputed,
            time_barred=a.time_barred,
        )
        for a in debtor_accounts
    ]
    validation = validate_agreement(
        proposal,
        accounts=facts,
        policy=in_force.policy,
        caller_role=caller_role,
        today=today,
        jurisdiction=debtor.jurisdiction,
        affordability=affordability,
    )
    return Evaluation(
        debtor=debtor,
        accounts=selected,
        proposal=proposal,
        validation=validation,
        policy=in_force,
        caller_role=caller_role,
        today=today,
        jurisdiction=debtor.jurisdiction,
        affordability=affordability,
    )
