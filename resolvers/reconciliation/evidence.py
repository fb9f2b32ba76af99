"""The evidence of an applied reconciliation report: the SHA-256 of one canonical JSON document
of the report and all its entries, as stored. Pure.

The document is ``{"entries": [entry, ...], "report": report}`` written with sorted keys and no
whitespace (``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)``),
entries in ordinal order. Because ``"entries"`` sorts before ``"report"``, it is hashed as it is
read, a batch of entries at a time (:class:`Evidence`), and the result equals hashing the whole
document at once (:func:`evidence`). A later verification recomputes it from the stored rows.

What is in it: every column of the report and of each entry, but

* the encrypted ones (``id_number_enc``, ``phone_enc``): ciphertexts change with the keys, and
  the evidence must not depend on them;
* ``unit_path``: a unit move rewrites it (``units/ties.py``; the frozen trigger allows exactly
  that change), it says where the report is seen, not what it says;
* ``evidence_sha256`` itself.

Values as JSON: bytes as lower-case hex, timestamps as ISO 8601 in UTC (``created_at``,
``applied_at``: the only ones), dates as ``YYYY-MM-DD``; JSON columns as they are read back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

__all__ = ["ENTRY_COLUMNS", "REPORT_COLUMNS", "Evidence", "evidence"]

REPORT_COLUMNS = (
    "id",
    "school_id",
    "file_name",
    "file_sha256",
    "file_bytes",
    "stages",
    "rows_read",
    "matched",
    "conflicting",
    "only_12371",
    "only_here",
    "status",
    "created_by",
    "created_at",
    "applied_by",
    "applied_at",
)
ENTRY_COLUMNS = (
    "report_id",
    "ordinal",
    "kind",
    "recruit_id",
    "sheet",
    "row_number",
    "stage",
    "name",
    "id_number_masked",
    "id_number_lookup",
    "conflicts",
    "theirs",
    "decision",
    "decided_fields",
    "outcome",
)


def _value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _value(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_value(inner) for inner in value]
    return value


def _canonical(document: Mapping[str, Any], columns: tuple[str, ...]) -> bytes:
    shown = {column: _value(document[column]) for column in columns}
    return json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Evidence:
    """The hash built as the document is read: :meth:`add` the entries in ordinal order, a
    batch at a time, then :meth:`digest` with the report (its values as they are stored once
    applied: ``status``, ``applied_by``, ``applied_at`` included)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b'{"entries":[')
        self._count = 0
        self._last: int | None = None

    def add(self, entries: Iterable[Mapping[str, Any]]) -> None:
        for entry in entries:
            ordinal = entry["ordinal"]
            if self._last is not None and ordinal <= self._last:
                raise ValueError("entries are hashed in ordinal order, each once")
            self._last = ordinal
            if self._count:
                self._hash.update(b",")
            self._hash.update(_canonical(entry, ENTRY_COLUMNS))
            self._count += 1

    def digest(self, report: Mapping[str, Any]) -> bytes:
        final = self._hash.copy()
        final.update(b'],"report":' + _canonical(report, REPORT_COLUMNS) + b"}")
        return final.digest()


def evidence(report: Mapping[str, Any], entries: Iterable[Mapping[str, Any]]) -> bytes:
    """The SHA-256 of the report and its entries (in ordinal order) as frozen."""
    built = Evidence()
    built.add(entries)
    return built.digest(report)
