"""Debtors, accounts, payments, interactions and promises: models, repository, ingest, card."""

from asistente.portfolio import revisions  # noqa: F401  (registers the card-revision flush hook)
