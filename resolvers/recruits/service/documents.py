"""What a recruit's steps lack in writing: the missing-document findings
(``rules/documents.py``), derived with the other findings whenever the record is written.
The attachments domain writes the attachments and asks :func:`.records.derive` again, in the
same transaction, so an attachment added or superseded shows in the findings at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from partyplan.tenants.session import Session

from ..repository import documents as repository
from ..rules.documents import DocumentOverlay, Expectations, StepDocuments, missing_findings


def commission_id_of(path: str) -> int:
    return int(str(path).split(".")[0])


def current_step_of(corrections: list[tuple[int, int]]) -> dict[int, int]:
    """Each corrected step's id → the id of the step now standing for it."""
    replaced = {old: new for new, old in corrections}
    current: dict[int, int] = {}
    for old, new in replaced.items():
        while new in replaced:
            new = replaced[new]
        current[old] = new
    return current


@dataclass(frozen=True)
class Written:
    """What the recruit's steps carry in writing, and what they are expected to."""

    expectations: Expectations
    #: Each corrected step's id → the id of the step now standing for it.
    moved: dict[int, int]
    #: The document kinds of the current attachments, by the current step they belong to (an
    #: attachment of a corrected step belongs to its correction).
    attached: dict[int, frozenset[str]]


async def written(session: Session, recruit: sa.Row) -> Written:
    """For the recruit's school, in one statement."""
    record = await repository.written_record(
        session, recruit.id, commission_id_of(recruit.unit_path)
    )
    return written_of(record, recruit.school_id)


def written_of(record: repository.WrittenRecord, school_id: int | None) -> Written:
    """What the steps carry, from the stored record of the recruit (at school ``school_id``)."""
    moved = current_step_of(record.corrections)
    kinds: dict[int, set[str]] = {}
    for step_id, document in record.documents:
        kinds.setdefault(moved.get(step_id, step_id), set()).add(document)
    expectations = Expectations((DocumentOverlay(**o) for o in record.overlays), school_id)
    return Written(expectations, moved, {step: frozenset(found) for step, found in kinds.items()})


async def missing(session: Session, recruit: sa.Row, steps: list[sa.Row]) -> list[dict[str, Any]]:
    """The findings of the current ``steps`` lacking an expected document."""
    return missing_in(await written(session, recruit), steps)


def missing_in(record: Written, steps: list[Any]) -> list[dict[str, Any]]:
    """The findings of ``steps`` (current, in order; ``id``, ``step_code``, ``on_date``)
    lacking an expected document, given what they carry (``record``)."""
    return missing_findings(
        [
            StepDocuments(s.step_code, s.on_date, record.attached.get(s.id, frozenset()))
            for s in steps
        ],
        record.expectations,
    )
