"""Root fields with id arguments whose cross-tenant NOT_FOUND behaviour is tested in their domain's tests."""

COVERED_ELSEWHERE: set[str] = {
    "Query.auditEvent",  # tests/audit and tests/api/test_audit_api.py
    "Query.auditEvents",
    "Mutation.recordSuggestionFeedback",  # tests/api/test_audit_api.py::test_feedback_rules_and_isolation
    # tests/api/test_agreements_api.py::test_accounts_of_another_debtor_or_tenant_read_not_found and
    # ::test_agreement_ids_of_another_tenant_read_not_found
    "Query.validateAgreement",
    "Query.agreement",
    "Mutation.createAgreement",
    "Mutation.approveAgreement",
    "Mutation.rejectAgreement",
    "Mutation.refreshAgreementStatuses",
    # tests/api/test_calls_api.py::test_isolation_roles_and_bad_input (and the WebSocket tests there)
    "Mutation.pushTranscript",
    "Mutation.endCall",
    # tests/sidebar/test_record_binding.py::test_binding_to_what_is_not_this_tenants_debtor_is_refused
    "Mutation.createAgentSession",
    "Query.suggestResponses",  # tests/api/test_suggest_api.py::test_unknown_or_foreign_debtor_is_not_found
    # tests/api/test_drafts_api.py::test_purpose_and_agreement_errors (another debtor's or tenant's ids)
    "Query.draftMessage",
}
