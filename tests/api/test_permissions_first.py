"""Permissions are checked before input: a caller who may not use an operation hears FORBIDDEN or
UNAUTHENTICATED, never which of its inputs was wrong. Error codes are a documented enum in the schema."""

from __future__ import annotations

from asistente.api.core.errors import CODES
from tests.conftest import error_codes

REJECT = 'mutation($id: ID!) { rejectAgreement(id: $id, reason: "   ") { agreement { id } } }'
POLICY = "mutation($p: JSON!) { setAgreementPolicy(policy: $p) { version } }"


async def test_a_caller_who_may_not_reject_hears_forbidden_not_bad_input(api):
    """An agent asks to reject (with no reason) a plan that needs a supervisor: FORBIDDEN. The supervisor
    with the same request hears what is wrong with it. Unknown ids and no credentials read as before."""
    from tests.api.test_agreements_api import world

    w = await world(api)
    created = await w.create(
        kind="SETTLEMENT",
        installments=None,
        frequency=None,
        settlementAmount="9600.00",
        firstPaymentDate="2026-11-27",
    )
    assert created["agreement"]["status"] == "PENDING_APPROVAL"
    agreement_id = created["agreement"]["id"]
    assert error_codes(await api.gql(REJECT, {"id": agreement_id}, key=w.other_agent)) == ["FORBIDDEN"]
    assert error_codes(await api.gql(REJECT, {"id": agreement_id})) == ["UNAUTHENTICATED"]
    supervisor = await w.supervisor_token()
    assert error_codes(await api.gql(REJECT, {"id": agreement_id}, key=supervisor)) == ["BAD_INPUT"]
    unknown = "00000000-0000-0000-0000-000000000000"
    assert error_codes(await api.gql(REJECT, {"id": unknown}, key=supervisor)) == ["NOT_FOUND"]


async def test_a_malformed_policy_from_an_agent_is_forbidden(api):
    agent = api.key(role="AGENT", agent="u-1")
    body = await api.gql(POLICY, {"p": {"currency": "not a currency"}}, key=agent)
    assert error_codes(body) == ["FORBIDDEN"]
    admin = api.key(role="ADMIN")
    assert error_codes(await api.gql(POLICY, {"p": {"currency": "not a currency"}}, key=admin)) == [
        "BAD_INPUT"
    ]


async def test_error_codes_are_an_enum_in_the_schema(api, services):
    body = await api.ok('{ __type(name: "ErrorCode") { enumValues { name description } } }', key=api.key())
    values = {v["name"]: v["description"] for v in body["__type"]["enumValues"]}
    assert set(values) >= CODES | {"INTERNAL_SERVER_ERROR"}
    assert all(values.values()), "every code is documented"
