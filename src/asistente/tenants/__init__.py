"""Tenants, API keys and agents."""
