"""Each hostile input reported in issue 13 gets a clear BAD_INPUT (or 413), nothing is stored, and the
server keeps answering /healthz."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from asistente.models import Debtor
from tests.api.data import debtor_record
from tests.conftest import error_codes

UPSERT = "mutation($i: [DebtorInput!]!) { upsertDebtors(input: $i) { created updated rejected { index } } }"
ME = "{ me { tenant } }"


async def raw(api, body: bytes, key: str | None = None, content_type: str = "application/json"):
    headers = {"content-type": content_type}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return await api.client.post("/graphql", content=body, headers=headers)


def assert_bad_input(res, status: int = 400) -> dict:
    assert res.status_code == status, (res.status_code, res.text[:300])
    body = res.json()
    assert body.get("data") is None, body
    assert set(error_codes(body)) == {"BAD_INPUT"}, body
    return body


async def debtors_stored(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Debtor))


async def healthy(api) -> None:
    res = await api.client.get("/healthz")
    assert res.status_code == 200 and res.json() == {"status": "ok"}


async def test_lone_surrogate_in_a_string_variable(api, session_factory):
    key = api.key()
    body = b'{"query": "query($id: String!) { debtorByExternalId(externalId: $id) { id } }",'
    body += b' "variables": {"id": "\\ud800"}}'
    assert_bad_input(await raw(api, body, key))
    rec = json.dumps([{**debtor_record("S-1"), "fullName": "X"}]).replace('"X"', '"\\udfff"')
    res = await raw(
        api,
        json.dumps({"query": UPSERT}).encode()[:-1] + b', "variables": {"i": ' + rec.encode() + b"}}",
        key,
    )
    assert_bad_input(res)
    assert await debtors_stored(session_factory) == 0
    await healthy(api)


@pytest.mark.parametrize("credentials", [True, False])
async def test_variables_nested_2000_levels(api, credentials):
    key = api.key() if credentials else None
    deep = b"[" * 2000 + b"]" * 2000
    body = b'{"query": "query($v: String) { me { tenant } }", "variables": {"v": ' + deep + b"}}"
    assert_bad_input(await raw(api, body, key))
    await healthy(api)


async def test_number_of_5000_digits(api):
    body = b'{"query": "query($n: Int) { me { tenant } }", "variables": {"n": ' + b"7" * 5000 + b"}}"
    assert_bad_input(await raw(api, body))
    body = b'{"query": "{ debtors(first: ' + b"7" * 5000 + b') { edges { cursor } } }"}'
    res = await raw(api, body, api.key())
    assert res.status_code < 500 and error_codes(res.json()) == ["BAD_INPUT"], res.text[:300]


async def test_invalid_utf8_and_nul(api):
    assert_bad_input(await raw(api, b'{"query": "{ me { tenant } }", "variables": {"a": "\xff\xfe"}}'))
    res = await raw(api, b'{"query": "{ me { tenant } }", "variables": {"a": "\\u0000"}}', api.key())
    body = assert_bad_input(res)
    assert "NUL" in body["errors"][0]["message"]
    assert res.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("depth", [33, 500, 1000])
async def test_deep_json_attributes_are_refused_and_nothing_stored(api, session_factory, depth):
    key = api.key()
    deep = '{"a": ' * depth + '"leaf"' + "}" * depth  # written out: json.dumps stops near 1,000 levels
    rec = json.dumps([{**debtor_record("D-1"), "attributes": "X"}]).replace('"X"', deep)
    body = json.dumps({"query": UPSERT}).encode()[:-1] + b', "variables": {"i": ' + rec.encode() + b"}}"
    res = await raw(api, body, key)
    assert res.status_code < 500, res.text[:300]
    assert "BAD_INPUT" in error_codes(res.json())
    assert await debtors_stored(session_factory) == 0
    # The same value written as a literal in the document.
    literal = '"leaf"'
    for _ in range(depth):
        literal = "{a: " + literal + "}"
    res = await raw(
        api,
        json.dumps({"query": "mutation { setRulePackOverlay(overlay: " + literal + ") { name } }"}).encode(),
        key,
    )
    assert res.status_code < 500 and "BAD_INPUT" in error_codes(res.json()), res.text[:300]
    await healthy(api)


@pytest.mark.parametrize(
    "number", [b"1e999", b"NaN", b"Infinity", b"18446744073709551616", b"9007199254740993"]
)
async def test_json_numbers_are_kept_exactly_or_refused(api, session_factory, number):
    key = api.key()
    rec = json.dumps([{**debtor_record("N-1"), "attributes": {"n": "X"}}]).replace('"X"', number.decode())
    body = json.dumps({"query": UPSERT}).encode()[:-1] + b', "variables": {"i": ' + rec.encode() + b"}}"
    res = await raw(api, body, key)
    assert res.status_code in (200, 400), res.text[:300]
    assert "BAD_INPUT" in error_codes(res.json())
    assert await debtors_stored(session_factory) == 0


async def test_json_numbers_in_range_are_stored_unchanged(api):
    key = api.key()
    attrs = {"big": 2**53 - 1, "neg": -(2**53 - 1), "f": 0.1, "e": 1.5e-300, "x": -12345.678, "s": "ñ"}
    await api.ok(UPSERT, {"i": [{**debtor_record("N-2"), "attributes": attrs}]}, key=key)
    data = await api.ok('{ debtorByExternalId(externalId: "N-2") { attributes } }', key=key)
    assert data["debtorByExternalId"]["attributes"] == attrs


async def test_chunked_body_over_the_limit(api, services):
    services.settings.max_body_bytes = 10_000

    async def chunks():
        for _ in range(30):
            yield b" " * 1000

    res = await api.client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json", "authorization": "x"}
    )
    assert "content-length" not in res.request.headers
    assert res.status_code == 413
    assert error_codes(res.json()) == ["BAD_INPUT"]
    await healthy(api)


@pytest.mark.parametrize("size", [255, 256, 300, 5000])
async def test_long_time_zone_name(api, session_factory, size):
    key = api.key()
    rec = {**debtor_record("Z-1"), "timezone": "America/" + "x" * size}
    res = await api.post(UPSERT, {"i": [rec]}, key=key)
    body = res.json()
    assert res.status_code < 500, res.text[:300]
    assert "INTERNAL_SERVER_ERROR" not in error_codes(body)
    assert body["data"]["upsertDebtors"]["rejected"] == [{"index": 0}], body
    assert await debtors_stored(session_factory) == 0
