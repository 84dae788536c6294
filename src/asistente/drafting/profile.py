"""A tenant's drafting profile: who signs its messages (schema/drafting-profile.schema.json)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson

from asistente.errors import BadInput, FieldError
from asistente.schemas import json_path, validator

__all__ = ["PROFILE_KEY", "SCHEMA", "parse_profile", "public_profile"]

PROFILE_KEY = "draftingProfile"
SCHEMA = "drafting-profile.schema.json"


def parse_profile(document: Any, tenant_name: str, *, strict: bool = False) -> dict[str, Any]:
    """The validated profile. Without one a tenant cannot draft: every message must identify the agency
    and give a phone number to call back (BAD_INPUT says how to set it)."""
    if document is None and not strict:
        raise BadInput(
            f"tenant {tenant_name!r} has no drafting profile: an ADMIN sets the agency's name and phone with "
            "setDraftingProfile / falta el perfil de redacción (setDraftingProfile)"
        )
    errors = sorted(validator(SCHEMA).iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        e = errors[0]
        where = json_path(e.absolute_path)
        raise BadInput(f"drafting profile: {where}: {e.message}", [FieldError(where, e.message)])
    return dict(document)


@lru_cache(maxsize=256)
def _parsed(canonical: bytes, tenant_name: str) -> dict[str, Any]:
    return parse_profile(orjson.loads(canonical), tenant_name)


def stored_profile(document: Any, tenant_name: str) -> dict[str, Any]:
    """A tenant's stored profile, parsed once per process and content (a copy: callers may not change it)."""
    if document is None:
        return parse_profile(None, tenant_name)
    return dict(_parsed(orjson.dumps(document, option=orjson.OPT_SORT_KEYS), tenant_name))


def public_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile without secrets (the Stripe key is shown by its last four characters only)."""
    out = {k: v for k, v in profile.items() if k != "stripe"}
    if profile.get("stripe"):
        key = profile["stripe"]["secretKey"]
        out["stripe"] = {
            "configured": True,
            "secretKey": f"…{key[-4:]}",
            **{k: v for k, v in profile["stripe"].items() if k != "secretKey"},
        }
    return out
