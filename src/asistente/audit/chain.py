"""The hash chain of the audit ledger: value normalisation, secret scrubbing, canonical JSON and hashing.

Everything here is pure (no database, no clock), so an independent verifier can re-implement it from this
docstring alone.

Algorithm (one chain per tenant)
================================

Each ledger event ``e`` of tenant ``T`` has a sequence number ``e.seq`` (1, 2, 3, ... without gaps) and::

    e.prev_hash = "0" * 64                 when e.seq == 1 (the genesis)
    e.prev_hash = hash of the event T:seq-1 otherwise
                  (after a purge: the ``hash`` of the audit_checkpoints row whose seq == e.seq - 1)
    e.hash      = lowercase hex SHA-256 of UTF-8 bytes of (e.prev_hash + canonical_json(fields(e)))

``fields(e)`` is this JSON object (13 keys; absent values are JSON ``null``)::

    {
      "id":         event id (UUID text),
      "tenant":     tenant id (UUID text, not the slug),
      "seq":        integer,
      "kind":       "SUGGESTION" | "DRAFT" | ... (see AuditKind),
      "actor":      actor id (text) or null,
      "actor_role": actor role (text) or null,
      "debtor":     debtor id or null,
      "call":       call id or null,
      "input":      JSON value, as stored,
      "output":     JSON value, as stored,
      "versions":   JSON value, as stored,
      "at":         the event instant in UTC, formatted "YYYY-MM-DDTHH:MM:SS.ffffffZ"
                    (always six fractional digits, always the letter Z),
      "prev_hash":  64 hex characters
    }

``canonical_json(obj)`` is, in Python terms::

    json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

i.e. object keys sorted by Unicode code point (not UTF-16 units), no insignificant whitespace, non-ASCII
characters emitted as UTF-8 (not ``\\u00f1``-style escapes), floats in Python's shortest round-trip ``repr``.

Values are made JSON-native *before* hashing and storing (``normalize``), so the stored JSON hashes to the
same digest when read back: ``Decimal`` -> ``str(d)`` ("1234.50"), aware ``datetime`` -> UTC
"YYYY-MM-DDTHH:MM:SS.ffffffZ", naive ``datetime``/``date``/``time`` -> ``isoformat()``, ``UUID`` -> text,
enums -> their value, tuples/sets/frozensets -> lists (sets sorted), non-finite floats -> "NaN"/"Infinity"/
"-Infinity", mapping keys -> text, dataclasses -> objects, objects with ``model_dump`` (pydantic) ->
``model_dump(mode="json")``. Anything else is a ``TypeError`` (a bug in the caller, which then returns no
advice).

Secrets never enter the ledger (``scrub``, applied to input, output and versions before hashing): keys named
like a credential are dropped at any depth (case- and separator-insensitive: names containing
``authorization``, ``apikey``, ``password``, ``passwd``, ``secret``, ``cookie``, ``privatekey``,
``credential``, names equal to ``auth``, and names ending in ``token``; token *counts* such as
``prompt_tokens`` are kept), and any text that looks like one of our API keys (``ask_...``), a bearer token
(``Bearer <16+ chars>``) or a JWT (``eyJ....eyJ...``) is replaced by ``[REDACTED]``.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

GENESIS_HASH = "0" * 64
REDACTED = "[REDACTED]"


def format_instant(value: datetime) -> str:
    """An aware instant as UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ" (the form used in hashes and exports)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: instants must carry an offset")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize(value: Any) -> Any:
    """A JSON-native copy of ``value`` with deterministic conversions (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        if isinstance(value, enum.Enum):
            return normalize(value.value)
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, enum.Enum):
        return normalize(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return format_instant(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {_key(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    if isinstance(value, set | frozenset):
        items = [normalize(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: normalize(getattr(value, f.name)) for f in dataclasses.fields(value)}
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):
        return normalize(model_dump(mode="json"))
    raise TypeError(f"audit: cannot record a value of type {type(value).__name__}")


def _key(key: Any) -> str:
    if isinstance(key, enum.Enum):
        key = key.value
    if isinstance(key, str):
        return key
    return str(normalize(key))


_SECRET_KEY_PARTS = (
    "authorization",
    "apikey",
    "password",
    "passwd",
    "secret",
    "cookie",
    "privatekey",
    "credential",
)
_NON_ALNUM = re.compile(r"[^a-z0-9]")
_SECRET_VALUES = [
    # Our API keys.
    (re.compile(r"\bask_[A-Za-z0-9_\-.]{6,}"), REDACTED),
    # Bearer tokens (an Authorization header value pasted into a field).
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{16,}=*"), r"\1 " + REDACTED),
    # JSON Web Tokens.
    (re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"), REDACTED),
]


# Text none of _SECRET_VALUES can match lacks all three of these (each pattern starts with one of them).
_SECRET_HINT = re.compile(r"ask_|eyJ|(?i:bearer)")


@lru_cache(maxsize=4096)
def is_secret_key(name: str) -> bool:
    """True for mapping keys whose value must never be recorded (a pure function of the name: memoised,
    the ledger's payloads use a few dozen key names)."""
    n = _NON_ALNUM.sub("", name.lower())
    return n == "auth" or n.endswith("token") or any(part in n for part in _SECRET_KEY_PARTS)


def scrub_text(text: str) -> str:
    """``text`` with API keys, bearer tokens and JWTs replaced by [REDACTED]."""
    if _SECRET_HINT.search(text) is None:
        return text  # none of the patterns can match: same text, without three substitutions
    for pattern, repl in _SECRET_VALUES:
        text = pattern.sub(repl, text)
    return text


def scrub(value: Any) -> Any:
    """A copy of a JSON-native value without secret keys (at any depth) and with secret-looking text redacted."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if not is_secret_key(k)}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def prepare(value: Any) -> Any:
    """What the ledger stores for an input/output/versions value: normalised, then scrubbed.

    Equal to ``scrub(normalize(value))`` (tests/audit/test_chain.py compares both on generated values), in
    one pass over the plain JSON-like part (exact ``dict`` with text keys, ``list``, ``tuple``, ``str``,
    ``int``, ``bool``, ``None``); any other value goes through ``normalize`` and ``scrub`` as they are."""
    t = type(value)
    if t is str:
        return scrub_text(value)
    if t is dict:
        out = {}
        for k, v in value.items():
            key = k if type(k) is str else _key(k)
            if not is_secret_key(key):
                out[key] = prepare(v)
            else:
                normalize(v)  # dropped, but a value that cannot be recorded still raises as before
        return out
    if t is list or t is tuple:
        return [prepare(v) for v in value]
    if value is None or t is bool or t is int:
        return value
    return scrub(normalize(value))


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hashed_fields(
    *,
    id: str,
    tenant_id: str,
    seq: int,
    kind: str,
    actor_id: str | None,
    actor_role: str | None,
    debtor_id: str | None,
    call_id: str | None,
    input: Any,
    output: Any,
    versions: Any,
    at: datetime,
    prev_hash: str,
) -> dict[str, Any]:
    """The object whose canonical JSON is hashed (see the module docstring)."""
    return {
        "id": id,
        "tenant": tenant_id,
        "seq": int(seq),
        "kind": str(kind),
        "actor": actor_id,
        "actor_role": actor_role,
        "debtor": debtor_id,
        "call": call_id,
        "input": input,
        "output": output,
        "versions": versions,
        "at": format_instant(at),
        "prev_hash": prev_hash,
    }


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """sha256(prev_hash + canonical_json(fields)) as lowercase hex."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


class ChainLink:
    """The canonical JSON of an event's fields, rendered once without its ``seq`` and ``prev_hash``, so that
    chaining it under the tenant's lock is two string joins and one SHA-256: ``link.hash(prev, seq)`` equals
    ``chain_hash(prev, hashed_fields(..., seq=seq, prev_hash=prev))`` byte for byte (the keys of
    ``hashed_fields`` sort as actor, actor_role, at, call, debtor, id, input, kind, output, *prev_hash*,
    *seq*, tenant, versions)."""

    __slots__ = ("_head", "_tail")

    def __init__(
        self,
        *,
        id: str,
        tenant_id: str,
        kind: str,
        actor_id: str | None,
        actor_role: str | None,
        debtor_id: str | None,
        call_id: str | None,
        input: Any,
        output: Any,
        versions: Any,
        at: datetime,
    ) -> None:
        head = {
            "actor": actor_id,
            "actor_role": actor_role,
            "at": format_instant(at),
            "call": call_id,
            "debtor": debtor_id,
            "id": id,
            "input": input,
            "kind": str(kind),
            "output": output,
        }
        tail = {"tenant": tenant_id, "versions": versions}
        self._head = canonical_json(head)[:-1] + ',"prev_hash":'
        self._tail = "," + canonical_json(tail)[1:]

    def parts(self) -> tuple[str, str]:
        """The two rendered pieces: the hashed text is ``prev_hash + head + '"' + prev_hash + '","seq":' +
        str(seq) + tail`` (``audit/group.py`` has PostgreSQL chain batches with exactly this text)."""
        return self._head, self._tail

    def hash(self, prev_hash: str, seq: int) -> str:
        text = f'{prev_hash}{self._head}{canonical_json(prev_hash)},"seq":{int(seq)}{self._tail}'
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
