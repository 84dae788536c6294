"""What a portfolio write operation does, as one call taking `now`: the resolver authenticates, calls one
of these and shapes the answer. (Recording a payment also touches agreements:
asistente.agreements.usecases.record_payment.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asistente.portfolio.models import Debtor, Interaction
from asistente.portfolio.repository import PortfolioRepository


def record_interaction(
    repo: PortfolioRepository, *, debtor_id: str, now: datetime, **fields: Any
) -> tuple[Interaction, Debtor]:
    """Store one interaction (the fields of PortfolioRepository.record_interaction) and recompute the
    debtor's segment at `now`. Returns the interaction and its debtor."""
    interaction = repo.record_interaction(debtor_id=debtor_id, now=now, **fields)
    debtor = repo.get_debtor(interaction.debtor_id)
    repo.refresh_segments([debtor.id], now=now)
    return interaction, debtor
