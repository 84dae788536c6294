"""The lean execution of known-valid documents (api/schema.py, `Schema.execute`) answers exactly what
strawberry's own execution answers: same status, same media type, same body (data, errors, their codes,
locations and paths), same logs; and every document it does not take (first sight of an invalid text,
mutations over GET, subscriptions) still gets strawberry's errors.

Each case runs twice on the same app and database, once with the lean path turned off (normal execution)
and once with it on, in both orders of reads; the mutations compared are refused or idempotent."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from sqlalchemy import select

from asistente.api.schema import Schema
from asistente.tenants.models import Tenant
from tests.api.data import UPSERT, debtor_record

ME = "{ me { tenant role agentId agentExternalId } }"
DEBTOR = "query($id: ID!) { debtor(id: $id) { id externalId fullName accounts { externalId balance } } }"

CASES: list[tuple[str, str, dict | None, str | None]] = [
    # (who, query, variables, operationName)
    ("admin", ME, None, None),
    ("agent", ME, None, None),
    ("agent", "query Who { a: me { tenant } b: me { role } __typename }", None, None),
    ("agent", "query A { me { tenant } } query B { me { role } }", None, "B"),
    ("agent", "query A { me { tenant } } query B { me { role } }", None, None),  # operation name needed
    ("agent", "query A { me { tenant } } query B { me { role } }", None, "C"),  # unknown operation
    ("agent", "fragment F on Me { tenant role } query { me { ...F ... on Me { agentId } } }", None, None),
    ("none", ME, None, None),  # UNAUTHENTICATED: 401
    ("forged", ME, None, None),
    ("agent", DEBTOR, {"id": "nope"}, None),  # NOT_FOUND
    ("agent", DEBTOR, {"id": "@debtor"}, None),
    ("agent", DEBTOR, {"id": 12}, None),  # an Int for an ID coerces
    ("agent", DEBTOR, {"id": None}, None),  # a variable that does not coerce: BAD_INPUT, no data
    ("agent", DEBTOR, {}, None),
    ("agent", "query($id: ID!) { debtor(id: $id) { id } me { tenant } }", {"id": "nope"}, None),
    ("agent", "{ debtors(first: 2) { edges { node { externalId } } } }", None, None),
    ("agent", "{ debtors(first: -1) { edges { node { externalId } } } }", None, None),
    ("agent", "{ auditEvents(first: 2) { edges { node { kind } } } }", None, None),  # FORBIDDEN (role)
    ("admin", "{ rulePacks { jurisdiction version } }", None, None),
    ("agent", "{ me { nope } }", None, None),  # validation error
    ("agent", "{ me { tenant ", None, None),  # syntax error
    ("agent", "", None, None),
    ("agent", "mutation { setCorsOrigins(origins: []) }", None, None),  # FORBIDDEN for an agent
    ("admin", "mutation($o: [String!]!) { setCorsOrigins(origins: $o) }", {"o": ["https://a.example"]}, None),
    ("agent", UPSERT, {"input": [debtor_record("CRM-9")]}, None),  # FORBIDDEN for an agent
    ("admin", UPSERT, {"input": [{"externalId": "x"}]}, None),  # BAD_INPUT
    (
        "agent",
        'query { checkCompliance(input: {text: "hola", channel: CALL, jurisdiction: "XX"}) { compliant } }',
        None,
        None,
    ),
]


def _normal_only(monkeypatch) -> None:
    monkeypatch.setattr(Schema, "lean_plan", lambda self, query, name, note=True: None)


async def _send(api, who: str, keys: dict, query: str, variables, operation_name, method: str = "POST"):
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json"}
    if who in keys:
        headers["authorization"] = f"Bearer {keys[who]}"
    if method == "GET":
        params = {"query": query}
        if variables is not None:
            params["variables"] = json.dumps(variables)
        return await api.client.get("/graphql", params=params, headers=headers)
    body: dict = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    return await api.client.post("/graphql", json=body, headers=headers)


def _answer(res, debtor_id: str) -> tuple:
    return (res.status_code, res.headers.get("content-type"), res.text.replace(debtor_id, "@debtor"))


@pytest.fixture
async def keys(api):
    admin = api.key("acme")
    await api.ok(UPSERT, {"input": [debtor_record("CRM-1")]}, key=admin)
    return {
        "admin": admin,
        "agent": api.key("acme", "AGENT", agent="ag-7"),
        "forged": "ak_forged.not-a-key",
    }


async def _debtor_id(api, keys) -> str:
    data = await api.ok('{ debtorByExternalId(externalId: "CRM-1") { id } }', key=keys["admin"])
    return data["debtorByExternalId"]["id"]


async def test_lean_and_normal_execution_answer_alike(api, keys, monkeypatch, caplog):
    debtor_id = await _debtor_id(api, keys)
    lean_calls = 0
    original = Schema.lean_execute

    async def counting(self, *args, **kwargs):
        nonlocal lean_calls
        lean_calls += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(Schema, "lean_execute", counting)

    async def run_all(methods=("POST", "GET")) -> tuple[list, list]:
        answers, logs = [], []
        for who, query, variables, name in CASES:
            if variables is not None:
                variables = json.loads(json.dumps(variables).replace("@debtor", debtor_id))
            for method in methods:
                if method == "GET" and (
                    name is not None or (query.startswith("mutation") and who == "admin")
                ):
                    continue
                caplog.clear()
                with caplog.at_level(logging.INFO, logger="asistente.api"):
                    res = await _send(api, who, keys, query, variables, name, method)
                answers.append((method, who, query, _answer(res, debtor_id)))
                logs.append(
                    sorted(
                        (r.levelname, r.getMessage().replace(debtor_id, "@debtor")) for r in caplog.records
                    )
                )
        return answers, logs

    lean_first, lean_first_logs = await run_all()  # first sight: plans are made on the way
    lean_again, lean_again_logs = await run_all()  # every valid text planned
    assert lean_calls > 20
    with monkeypatch.context() as m:
        _normal_only(m)
        before = lean_calls
        normal, normal_logs = await run_all()
        assert lean_calls == before
    for a, b, c in zip(normal, lean_first, lean_again, strict=True):
        assert a == b == c, (a, b, c)
    assert normal_logs == lean_first_logs == lean_again_logs


async def test_get_never_runs_a_mutation_on_the_lean_path(api, keys):
    query = "mutation($o: [String!]!) { setCorsOrigins(origins: $o) }"
    await _send(api, "admin", keys, query, {"o": ["https://b.example"]}, None)  # planned by a POST
    res = await _send(api, "admin", keys, query, {"o": ["https://c.example"]}, None, method="GET")
    assert res.status_code == 405
    with api.factory() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.slug == "acme"))
        assert "https://c.example" not in json.dumps(tenant.cors_origins)
        assert "https://b.example" in json.dumps(tenant.cors_origins)


async def test_me_reads_the_agent_once_per_process(api, keys, services, engine):
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    body = await api.ok(ME, key=keys["agent"])
    assert body["me"]["agentExternalId"] == "ag-7"
    event.listen(engine, "before_cursor_execute", seen)
    try:
        again = await api.ok(ME, key=keys["agent"])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert again == body
    assert statements  # authentication still reads (no auth cache in tests)
    assert not [s for s in statements if "FROM agents" in s and "api_keys" not in s]


async def test_a_text_is_planned_on_its_second_sight_only(api, keys, monkeypatch):
    calls = 0
    original = Schema.lean_execute

    async def counting(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(Schema, "lean_execute", counting)
    # unique per run: the schema (and its plans) is shared by every app of the process, and this test runs
    # once per database backend
    query = f"query SeenOnce {{ me {{ tenant role }} }} # {uuid.uuid4()}"
    seen = []
    for _ in range(3):
        res = await _send(api, "agent", keys, query, None, None)
        seen.append((res.status_code, res.text, calls))
    assert [c for _, _, c in seen] == [0, 1, 2]
    assert seen[0][:2] == seen[1][:2] == seen[2][:2]
    bad = "query Probe { me { nope } }"  # never planned: strawberry's own errors each time, parsed once
    for _ in range(3):
        res = await _send(api, "agent", keys, bad, None, None)
        assert res.status_code == 400 and "nope" in res.text
    assert calls == 2
