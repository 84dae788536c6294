"""Debtors, accounts, payments, interactions and promises: models, repository, ingest, card."""
