"""What a sync request and a record are, the request's own checks (key, shape), the body's hash,
and the answer as it is stored for a replay."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.resolvers.recruits.errors import RecruitErrorCode
from partyplan.resolvers.recruits.service.records import Person

from ..errors import SyncError, SyncErrorCode, located

MAX_RECORDS = 500
KEY_MAX_LENGTH = 200
#: How deep a step's data may nest (the procedure's data are flat, with lists of member codes).
MAX_DATA_DEPTH = 8


class Mode(StrEnum):
    """ALL_OR_NONE: any refused record refuses the request (nothing written, like
    importRecruits). PER_RECORD: each record stands or falls alone."""

    ALL_OR_NONE = "all_or_none"
    PER_RECORD = "per_record"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class SyncStep:
    step_code: str
    on: date
    data: Any = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class SyncRecord:
    branch_id: int | None  # None: the ID sent was no unit's
    person: Person
    application_date: date
    code_12371: str | None = None
    steps: tuple[SyncStep, ...] = ()


@dataclass(frozen=True)
class SyncRequest:
    school_id: int
    key: str
    mode: Mode
    records: Sequence[SyncRecord]


@dataclass(frozen=True)
class RecordResult:
    index: int
    outcome: Outcome
    recruit_id: int | None = None
    errors: tuple[DomainError, ...] = ()  # fields by their full path (records.3.name)


@dataclass(frozen=True)
class SyncAnswer:
    results: tuple[RecordResult, ...]
    #: The stored answer of an earlier request with the same key and body.
    replayed: bool = False
    #: False when ALL_OR_NONE refused a record: nothing was written, nothing stored.
    written: bool = True

    @property
    def errors(self) -> list[DomainError]:
        """The request's own errors: every record's, when the refusal of one refused all."""
        if self.written:
            return []
        refused = [e for r in self.results for e in r.errors]
        count = sum(r.outcome is Outcome.REFUSED for r in self.results)
        summary = SyncError(
            SyncErrorCode.RECORDS_REFUSED,
            f"{count} 条记录被拒绝：按 ALL_OR_NONE（全部或全不）模式，未写入任何数据",
            "records",
        )
        return [summary, *refused]


# --- the request ------------------------------------------------------------------------------


def check_key(key: str) -> str:
    if not 0 < len(key) <= KEY_MAX_LENGTH or not key.isprintable():
        raise SyncError(
            SyncErrorCode.INVALID_KEY,
            f"幂等键须为 1 至 {KEY_MAX_LENGTH} 个可打印字符",
            "idempotencyKey",
        )
    return key


def check_shape(records: Sequence[SyncRecord]) -> None:
    """At most :data:`MAX_RECORDS` records, no step's data nested deeper than
    :data:`MAX_DATA_DEPTH`: refused as a request (before its body is hashed, which walks it)."""
    if len(records) > MAX_RECORDS:
        raise SyncError(
            SyncErrorCode.TOO_MANY_RECORDS, f"每次请求至多 {MAX_RECORDS} 条记录", "records"
        )
    deep = [
        SyncError(
            SyncErrorCode.INVALID_DATA,
            f"步骤数据的嵌套不能超过 {MAX_DATA_DEPTH} 层",
            f"records.{index}.steps.{number}.data",
        )
        for index, record in enumerate(records)
        for number, step in enumerate(record.steps)
        if _too_deep(step.data)
    ]
    if deep:
        raise ValidationErrors(deep)  # type: ignore[arg-type]


def _too_deep(value: Any) -> bool:
    """Walked without recursion: a hostile document may nest as deep as its parser allows."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DATA_DEPTH:
            return True
        if isinstance(item, Mapping):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return False


def body_hash(mode: Mode, records: Sequence[SyncRecord]) -> bytes:
    """SHA-256 of the request's canonical body (mode and records, as sent; the key and the
    school are the namespace, not the body): sorted keys, no spaces, ASCII escapes (a lone
    surrogate has one too), dates in ISO form."""
    body = {"mode": mode.value, "records": [dataclasses.asdict(r) for r in records]}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).digest()


# --- the answer, as stored ------------------------------------------------------------------------


def refused(index: int, failure: DomainError) -> RecordResult:
    """A refused record's result, each of its errors named by its full path."""
    failures = failure.errors if isinstance(failure, ValidationErrors) else [failure]
    within = f"records.{index}"
    return RecordResult(index, Outcome.REFUSED, None, tuple(located(f, within) for f in failures))


def answer_to_json(answer: SyncAnswer) -> dict[str, Any]:
    return {
        "results": [
            {
                "index": r.index,
                "outcome": r.outcome.value,
                "recruitId": r.recruit_id,
                "errors": [
                    {"code": str(e.code), "field": e.field, "message": e.message} for e in r.errors
                ],
            }
            for r in answer.results
        ]
    }


def _code(text: str) -> SyncErrorCode | RecruitErrorCode:
    return SyncErrorCode(text) if text in SyncErrorCode.__members__ else RecruitErrorCode(text)


def answer_from_json(stored: Mapping[str, Any]) -> SyncAnswer:
    """The stored answer, as a replay returns it."""
    results = tuple(
        RecordResult(
            r["index"],
            Outcome(r["outcome"]),
            r["recruitId"],
            tuple(DomainError(_code(e["code"]), e["message"], e["field"]) for e in r["errors"]),
        )
        for r in stored["results"]
    )
    return SyncAnswer(results, replayed=True)
