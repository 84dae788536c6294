"""Root fields with id arguments whose cross-tenant NOT_FOUND behaviour is tested in their domain's tests."""

COVERED_ELSEWHERE: set[str] = {
    "Query.auditEvent",  # tests/audit and tests/api/test_audit_api.py
    "Query.auditEvents",
    "Mutation.recordSuggestionFeedback",  # tests/api/test_audit_api.py::test_feedback_rules_and_isolation
}
