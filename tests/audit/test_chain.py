"""The pure parts of the ledger: normalisation, scrubbing, canonical JSON and the hash."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asistente.audit.chain import (
    GENESIS_HASH,
    ChainLink,
    canonical_json,
    chain_hash,
    format_instant,
    hashed_fields,
    is_secret_key,
    normalize,
    prepare,
    scrub,
    scrub_text,
)
from asistente.enums import Channel


def test_normalize_converts_deterministically() -> None:
    @dataclasses.dataclass
    class Plan:
        amount: Decimal
        due: date

    cet = timezone(timedelta(hours=1))
    value = {
        "amount": Decimal("1234.50"),
        "at": datetime(2024, 1, 2, 10, 0, tzinfo=cet),
        "naive": datetime(2024, 1, 2, 10, 0),
        "day": date(2024, 1, 2),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "channel": Channel.SMS,
        "tuple": (1, 2),
        "set": {"b", "a"},
        "nan": float("nan"),
        "plan": Plan(Decimal("10"), date(2024, 2, 1)),
        3: "int key",
    }
    assert normalize(value) == {
        "amount": "1234.50",
        "at": "2024-01-02T09:00:00.000000Z",
        "naive": "2024-01-02T10:00:00",
        "day": "2024-01-02",
        "id": "12345678-1234-5678-1234-567812345678",
        "channel": "SMS",
        "tuple": [1, 2],
        "set": ["a", "b"],
        "nan": "NaN",
        "plan": {"amount": "10", "due": "2024-02-01"},
        "3": "int key",
    }


def test_normalize_refuses_unknown_types() -> None:
    with pytest.raises(TypeError):
        normalize({"x": object()})


@pytest.mark.parametrize(
    "key",
    [
        "Authorization",
        "authorization",
        "api_key",
        "API-Key",
        "x-api-key",
        "apiKey",
        "token",
        "access_token",
        "agentToken",
        "password",
        "PASSWORD",
        "client_secret",
        "signingSecret",
        "Cookie",
        "auth",
    ],
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["prompt_tokens", "max_tokens", "tokenCount", "author", "category", "text"])
def test_not_secret_keys(key: str) -> None:
    assert not is_secret_key(key)


def test_scrub_drops_nested_secret_keys_and_redacts_values() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlLXNpZw"
    value = {
        "headers": {"Authorization": "Bearer abc", "X-Request-Id": "r1"},
        "nested": [{"password": "hunter2", "ok": 1}, {"deep": {"API_KEY": "k"}}],
        "note": "use key ask_0a1b2c3d_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 please",
        "hdr": "Bearer abcdefghijklmnopqrstuvwxyz0123",
        "jwt": jwt,
        "usage": {"prompt_tokens": 12},
        "text": "Le pregunto si puede pagar mañana; task_force stays",
    }
    assert scrub(value) == {
        "headers": {"X-Request-Id": "r1"},
        "nested": [{"ok": 1}, {"deep": {}}],
        "note": "use key [REDACTED] please",
        "hdr": "Bearer [REDACTED]",
        "jwt": "[REDACTED]",
        "usage": {"prompt_tokens": 12},
        "text": "Le pregunto si puede pagar mañana; task_force stays",
    }
    assert "hunter2" not in json.dumps(prepare(value))
    assert scrub_text("the bearer of bad news") == "the bearer of bad news"


def test_format_instant_is_utc_with_microseconds() -> None:
    assert format_instant(datetime(2024, 5, 1, 14, 3, 7, tzinfo=UTC)) == "2024-05-01T14:03:07.000000Z"
    with pytest.raises(ValueError):
        format_instant(datetime(2024, 5, 1))


def test_hash_matches_an_independent_implementation() -> None:
    fields = hashed_fields(
        id="e1",
        tenant_id="t1",
        seq=1,
        kind="SUGGESTION",
        actor_id="a",
        actor_role="AGENT",
        debtor_id=None,
        call_id=None,
        input={"b": 1, "a": "ñ"},
        output={},
        versions={"pack": "mx@1"},
        at=datetime(2024, 1, 1, tzinfo=UTC),
        prev_hash=GENESIS_HASH,
    )
    # Written out by hand from the chain.py docstring.
    text = (
        '{"actor":"a","actor_role":"AGENT","at":"2024-01-01T00:00:00.000000Z","call":null,"debtor":null,'
        '"id":"e1","input":{"a":"ñ","b":1},"kind":"SUGGESTION","output":{},"prev_hash":"' + "0" * 64 + '",'
        '"seq":1,"tenant":"t1","versions":{"pack":"mx@1"}}'
    )
    assert canonical_json(fields) == text
    assert chain_hash(GENESIS_HASH, fields) == hashlib.sha256(("0" * 64 + text).encode()).hexdigest()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.decimals(allow_nan=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_prepared_values_hash_the_same_after_a_json_round_trip(value: object) -> None:
    stored = prepare(value)
    assert canonical_json(json.loads(json.dumps(stored))) == canonical_json(stored)


optional_text = st.none() | st.text(max_size=12)


@given(
    json_values,
    json_values,
    json_values,
    optional_text,
    optional_text,
    optional_text,
    optional_text,
    st.text(min_size=1, max_size=12),
    st.integers(min_value=1, max_value=2**62),
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from([GENESIS_HASH, hashlib.sha256(b"x").hexdigest()]),
)
def test_chain_link_hashes_exactly_as_chain_hash(
    inp, out, versions, actor, role, debtor, call, event_id, seq, at, prev
) -> None:
    """The group committer's pre-rendered link gives the documented hash, byte for byte."""
    fields = {
        "id": event_id,
        "tenant_id": "tenant-ñ",
        "kind": "SUGGESTION",
        "actor_id": actor,
        "actor_role": role,
        "debtor_id": debtor,
        "call_id": call,
        "input": prepare(inp),
        "output": prepare(out),
        "versions": prepare(versions),
        "at": at,
    }
    expected = chain_hash(prev, hashed_fields(**fields, seq=seq, prev_hash=prev))
    assert ChainLink(**fields).hash(prev, seq) == expected


# Values as callers hand them to the ledger: plain JSON plus the types normalize converts, keys that are
# secrets, enums and non-text keys, and text that looks like a credential (or nearly does).
_secretish_text = st.sampled_from(
    [
        "ask_abcdef123456",
        "mi clave es ask_live_9f8e7d6c5b",
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
        "BEARER abcdefghijklmnopqrst",
        "bearer corto",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "eyJ sin punto",
        "task_list ask_",
        "ya pagué, mándemelo por escrito",
    ]
)
_keys = (
    st.text(max_size=8)
    | st.sampled_from(["password", "api_key", "AccessToken", "prompt_tokens", "auth", "text", "shown"])
    | st.sampled_from([Channel.SMS, 3, True, None])
)
caller_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | _secretish_text
    | st.decimals(allow_nan=False)
    | st.datetimes(timezones=st.none() | st.just(UTC))
    | st.dates()
    | st.uuids()
    | st.sampled_from(list(Channel)),
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.frozensets(st.text(max_size=4) | st.integers(), max_size=3)
        | st.dictionaries(_keys, children, max_size=4)
    ),
    max_leaves=24,
)


@given(caller_values)
def test_prepare_equals_scrub_of_normalize(value: object) -> None:
    """The one-pass `prepare` stores exactly what scrub(normalize(value)) stores, key order included."""
    expected = scrub(normalize(value))
    got = prepare(value)
    assert got == expected
    assert json.dumps(got, ensure_ascii=False, default=str) == json.dumps(
        expected, ensure_ascii=False, default=str
    )


def test_prepare_still_refuses_a_value_it_would_drop() -> None:
    with pytest.raises(TypeError):
        prepare({"password": object()})
    with pytest.raises(TypeError):
        scrub(normalize({"password": object()}))


@pytest.mark.parametrize(
    "text",
    ["ask_abcdef123456", "x Bearer abcdefghijklmnopqrstuvwxyz", "BeArEr abcdefghijklmnopqrstuv", "plain"],
)
def test_scrub_text_hint_never_skips_a_credential(text: str) -> None:
    from asistente.audit import chain

    slow = text
    for pattern, repl in chain._SECRET_VALUES:
        slow = pattern.sub(repl, slow)
    assert scrub_text(text) == slow
    assert (chain._SECRET_HINT.search(text) is None) <= (slow == text)
