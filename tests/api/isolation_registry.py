"""Root fields with id arguments whose cross-tenant NOT_FOUND behaviour is tested in their domain's tests."""

COVERED_ELSEWHERE: set[str] = set()
