"""Append-only, hash-chained audit ledger: record, feedback, review queries, verify, export, purge.

The hash algorithm is documented in ``asistente.audit.chain``; writing and locking in ``ledger``;
verification and retention in ``integrity``; the export format in ``export``.
"""

from asistente.audit.chain import GENESIS_HASH, canonical_json, chain_hash, hashed_fields, scrub
from asistente.audit.export import export_events, iter_records
from asistente.audit.integrity import (
    BadRecord,
    PurgeResult,
    VerifyResult,
    purge,
    retention_cutoff,
    verify,
)
from asistente.audit.ledger import (
    SummaryRow,
    events_by_ids,
    feedback_for_events,
    get_event,
    list_events,
    record,
    record_feedback,
    summary,
)
from asistente.audit.models import (
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    AuditFeedback,
    AuditKind,
    FeedbackAction,
)

__all__ = [
    "GENESIS_HASH",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditFeedback",
    "AuditKind",
    "BadRecord",
    "FeedbackAction",
    "PurgeResult",
    "SummaryRow",
    "VerifyResult",
    "canonical_json",
    "chain_hash",
    "events_by_ids",
    "export_events",
    "feedback_for_events",
    "get_event",
    "hashed_fields",
    "iter_records",
    "list_events",
    "purge",
    "record",
    "record_feedback",
    "retention_cutoff",
    "scrub",
    "summary",
    "verify",
]
