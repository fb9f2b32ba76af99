"""The sync's pure decisions: ``request`` (what a request and a record are, the key, the shape,
the body's hash, the stored answer), ``text`` (what a record may not hold), ``compare`` (a record
against the recruit it is matched to: conflicts, changed details, new steps)."""

from .compare import Recorded, detail_changes, identity_conflicts, plan_steps
from .request import (
    MAX_RECORDS,
    Mode,
    Outcome,
    RecordResult,
    SyncAnswer,
    SyncRecord,
    SyncRequest,
    SyncStep,
    answer_from_json,
    answer_to_json,
    body_hash,
    check_key,
    check_shape,
    refused,
)
from .text import unstorable_text

__all__ = [
    "MAX_RECORDS",
    "Mode",
    "Outcome",
    "RecordResult",
    "Recorded",
    "SyncAnswer",
    "SyncRecord",
    "SyncRequest",
    "SyncStep",
    "answer_from_json",
    "answer_to_json",
    "body_hash",
    "check_key",
    "check_shape",
    "detail_changes",
    "identity_conflicts",
    "plan_steps",
    "refused",
    "unstorable_text",
]
