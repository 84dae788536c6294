"""The checkCompliance use case: which jurisdiction applies, the local check, and (when an LLM is
configured) a second reader for what the local engine passes with a low margin."""

from __future__ import annotations

from asistente.errors import BadInput, FieldError

__all__ = ["resolve_jurisdiction"]


def resolve_jurisdiction(requested: str | None, debtor_jurisdiction: str | None) -> str:
    """The jurisdiction a text for this debtor is checked under.

    Without a debtor, the requested one. With a debtor, the debtor's: a request for the same one or for a
    parent of it ("US" for a debtor in "US-IL") is refined to the debtor's; any other is refused, because
    checking their text under another pack could pass what theirs forbids."""
    requested = (requested or "").strip() or None
    debtor = (debtor_jurisdiction or "").strip() or None
    if debtor is None:
        if requested is None:
            msg = 'jurisdiction: give one (e.g. "MX", "US-NY") or a debtorId'
            raise BadInput(msg, [FieldError("jurisdiction", msg)])
        return requested
    if requested is None:
        return debtor
    want, have = requested.upper(), debtor.upper()
    if want == have or have.startswith(want + "-"):
        return debtor
    msg = f"jurisdiction: this debtor's is {debtor}; leave it out, or send it or a parent of it"
    raise BadInput(msg, [FieldError("jurisdiction", msg)])
