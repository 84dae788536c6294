"""A tenant's CRM codes per disposition: data, validated against schema/disposition-map.schema.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from asistente.errors import BadInput, FieldError

__all__ = ["load_disposition_codes", "schema_path"]


def schema_path() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "schema" / "disposition-map.schema.json"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("schema/disposition-map.schema.json not found")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_path().read_text(encoding="utf-8")))


def load_disposition_codes(raw: Any) -> dict[str, str]:
    """The mapping if valid; BadInput naming the JSON path and the reason otherwise."""
    errors = sorted(_validator().iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        msg = f"codes: {path}: {err.message}"
        raise BadInput(msg, [FieldError("codes", msg)])
    return dict(raw)
