"""The examples stay true: every example query validates against the schema, the client parses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from graphql import parse, validate

from asistente.api.schema import build_schema
from asistente.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("path", sorted((EXAMPLES / "queries").glob("*.graphql")), ids=lambda p: p.name)
def test_example_query_validates(path):
    schema = build_schema(Settings())._schema
    errors = validate(schema, parse(path.read_text(encoding="utf-8")))
    assert errors == [], [e.message for e in errors]


def test_examples_exist_and_client_parses():
    assert len(list((EXAMPLES / "queries").glob("*.graphql"))) >= 10
    ast.parse((EXAMPLES / "client.py").read_text(encoding="utf-8"))
    assert (EXAMPLES / "portfolio.jsonl").stat().st_size > 10_000


def _client_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("example_client", EXAMPLES / "client.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _root_fields(schema) -> set[str]:
    return {
        f"{t}.{name}"
        for t in ("Query", "Mutation")
        if (tt := schema.type_map.get(t)) is not None
        for name in tt.fields
    }


def test_every_operation_has_an_example_with_variables():
    from graphql import FieldNode, OperationDefinitionNode

    schema = build_schema(Settings())._schema
    covered = set()
    for path in (EXAMPLES / "queries").glob("*.graphql"):
        for d in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(d, OperationDefinitionNode):
                kind = "Query" if d.operation.value == "query" else "Mutation"
                covered |= {
                    f"{kind}.{s.name.value}" for s in d.selection_set.selections if isinstance(s, FieldNode)
                }
        if "$" in path.read_text(encoding="utf-8"):
            assert path.with_suffix(".json").exists(), f"{path.name} takes variables: add {path.stem}.json"
    # The operations an agent, integrator or compliance officer uses day to day all have an example.
    everyday = {
        "Query.debtor", "Query.debtorByExternalId", "Query.debtors", "Query.contactPermission",
        "Query.checkCompliance", "Query.validateAgreement", "Query.auditEvents", "Query.auditSummary",
        "Mutation.upsertDebtors", "Mutation.recordInteraction", "Mutation.recordPayment",
        "Mutation.createAgentSession", "Mutation.createAgreement", "Mutation.recordSuggestionFeedback",
    }  # fmt: skip
    live = {"Query.classifyUtterance", "Query.suggestResponses", "Query.draftMessage", "Mutation.pushTranscript",
            "Mutation.endCall"}  # fmt: skip
    wanted = everyday | (live & _root_fields(schema))
    assert wanted - covered == set(), f"operations without an example: {sorted(wanted - covered)}"


def test_every_example_runs_against_the_demo(services, session_factory, clock):
    """client.py's own reference resolution, against the real app with the demo portfolio."""
    from starlette.testclient import TestClient

    from asistente.app import create_app
    from asistente.db import transaction
    from asistente.demo import seed_demo
    from asistente.enums import Role
    from asistente.tenants.service import create_api_key

    client = _client_module()
    keys = {"AGENT": seed_demo(session_factory, now=clock())}
    with transaction(session_factory) as s:
        for role in ("INTEGRATOR", "COMPLIANCE"):
            keys[role] = create_api_key(s, tenant_slug="demo", role=Role(role))
    with TestClient(create_app(services.settings, services=services)) as http:

        def execute_as(role):
            def execute(query, variables):
                res = http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"authorization": f"Bearer {keys[role]}"},
                )
                body = res.json()
                assert not body.get("errors"), (query[:60], body["errors"])
                return body["data"]

            return execute

        ran = 0
        for name in client.example_names():
            raw = client.example_variables(name)
            execute = execute_as(raw.get("_role", "AGENT"))
            variables = client.resolve(raw, execute_as("AGENT"), now=clock())
            data = execute((EXAMPLES / "queries" / f"{name}.graphql").read_text("utf-8"), variables)
            assert data and all(v is not None for v in data.values()), (name, data)
            ran += 1
    assert ran == len(client.example_names()) >= 14
