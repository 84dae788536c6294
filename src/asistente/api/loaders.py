"""DataLoaders, created per operation; every load goes through the tenant-scoped repository."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.portfolio.repository import PortfolioRepository

if TYPE_CHECKING:
    from asistente.api.core.context import Context


def _loader(fetch: Callable[[list[Any]], dict[Any, Any]], default: Any) -> DataLoader:
    async def load(keys: Sequence[Any]) -> list[Any]:
        found = fetch(list(dict.fromkeys(keys)))
        return [found.get(k, default() if callable(default) else default) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, ctx: Context) -> None:
        assert ctx.principal is not None
        self.ctx = ctx
        self.repo = PortfolioRepository(
            ctx.session, ctx.principal.tenant_id, only_debtor_id=ctx.principal.debtor_id
        )
        repo = self.repo
        self.debtor_by_id: DataLoader[str, Debtor | None] = _loader(repo.debtors_by_ids, None)
        self.debtor_by_external_id: DataLoader[str, Debtor | None] = _loader(
            repo.debtors_by_external_ids, None
        )
        self.account_by_id: DataLoader[str, Account | None] = _loader(repo.accounts_by_ids, None)
        self.accounts_by_debtor_id: DataLoader[str, list[Account]] = _loader(
            repo.accounts_by_debtor_ids, list
        )
        self.promises_by_debtor_id: DataLoader[str, list[Promise]] = _loader(
            repo.promises_by_debtor_ids, list
        )
        self.interactions_by_debtor_id: DataLoader[str, list[Interaction]] = _loader(
            lambda ids: repo.interactions_by_debtor_ids(ids, now=ctx.now()), list
        )
        # the same window, only the columns the contact rules read (contactPermission)
        self.interaction_facts_by_debtor_id: DataLoader[str, list[Any]] = _loader(
            lambda ids: repo.interaction_facts_by_debtor_ids(ids, now=ctx.now()), list
        )
        # what a card shows (lastInteractions): the last 20 only, not the contact rules' 35-day window
        self.last_interactions_by_debtor_id: DataLoader[str, list[Interaction]] = _loader(
            repo.last_interactions_by_debtor_ids, list
        )
        self.payments_by_debtor_id: DataLoader[str, list[Payment]] = _loader(
            lambda ids: repo.payments_by_debtor_ids(ids, now=ctx.now()), list
        )

    def extra(self, name: str, factory: Callable[[], DataLoader]) -> DataLoader:
        """Loaders of other domains, created on first use and kept for the operation."""
        loader = self.__dict__.get(f"_extra_{name}")
        if loader is None:
            loader = factory()
            self.__dict__[f"_extra_{name}"] = loader
        return loader
