"""Quiet, useful logs (issue 13, item 6): an expected client error is one line with the request id, an
unexpected one keeps its traceback, and lines can be JSON."""

from __future__ import annotations

import io
import json
import logging

import pytest

from asistente.logs import JsonFormatter, RequestIdFilter, configure


@pytest.fixture
def log_lines():
    """The service's log lines as `asistente serve --log-format json` writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(n) for n in ("asistente", "strawberry")]
    saved = [(lg.handlers, lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.handlers, lg.propagate = [handler], False
        lg.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        lg.handlers, lg.propagate = handlers, propagate
        lg.setLevel(level)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('{ debtor(id: "nope") { id } }', "NOT_FOUND"),
        ("{ debtors(first: 0) { edges { cursor } } }", "BAD_INPUT"),
        ("{ nosuchfield }", "BAD_INPUT"),
        ("mutation { setCorsOrigins(origins: []) }", "FORBIDDEN"),
    ],
)
async def test_expected_client_error_is_one_short_line_with_the_request_id(api, log_lines, query, code):
    key = api.key(role="COMPLIANCE")
    res = await api.post(query, key=key, headers={"x-request-id": "crm-req-42"})
    assert res.headers["x-request-id"] == "crm-req-42"
    assert [e["extensions"]["code"] for e in res.json()["errors"]] == [code]
    lines = log_lines()
    assert len(lines) == 1, lines
    (line,) = lines
    assert line["request_id"] == "crm-req-42" and line["code"] == code and line["level"] == "INFO"
    assert "traceback" not in line
    assert len(json.dumps(line)) < 600


async def test_unauthenticated_is_one_line_and_ids_are_generated(api, log_lines):
    res = await api.post("{ me { tenant } }", key="ask_forged")
    assert res.status_code == 401
    rid = res.headers["x-request-id"]
    assert len(rid) == 16
    (line,) = log_lines()
    assert line["code"] == "UNAUTHENTICATED" and line["request_id"] == rid


async def test_a_bogus_client_request_id_is_replaced(api):
    res = await api.post("{ me { tenant } }", headers={"x-request-id": "a\nb" + "x" * 100})
    assert res.headers["x-request-id"] != "a\nb" and len(res.headers["x-request-id"]) == 16


async def test_unexpected_error_keeps_its_traceback(api, log_lines, monkeypatch):
    from asistente.portfolio.repository import PortfolioRepository

    def boom(self, *args, **kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(PortfolioRepository, "list_debtors", boom)
    res = await api.post("{ debtors { edges { cursor } } }", key=api.key())
    assert res.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    (line,) = log_lines()
    assert line["level"] == "ERROR" and line["request_id"] == res.headers["x-request-id"]
    assert "RuntimeError: database exploded" in line["traceback"]


def test_text_lines_are_single_lines_with_the_request_id(capsys):
    from asistente.logs import REQUEST_ID

    configure("INFO", "text")
    try:
        token = REQUEST_ID.set("r-1")
        logging.getLogger("asistente.api.client").info("NOT_FOUND %s", "x\ny \ud800")
        REQUEST_ID.reset(token)
    finally:
        for name in ("asistente", "strawberry"):
            lg = logging.getLogger(name)
            lg.handlers, lg.propagate = [], True
            lg.setLevel(logging.NOTSET)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "request=r-1" in err and "NOT_FOUND" in err
