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
