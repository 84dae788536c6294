"""GraphQL edge of payment agreements: validateAgreement, the agreement lifecycle and tenant policies."""
