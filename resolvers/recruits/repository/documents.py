"""SQL of what a recruit's steps carry in writing (全程纪实): the document kinds of its current
attachments, by the step they were attached to, the corrections of its steps, and the
commission's overlays of the documents each step expects — one statement, as it is read on
every write of the record (``service/documents.py``). The attachments themselves are the
attachments domain's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.models import (
    attachment_supersessions,
    attachments,
    document_expectations,
    recruit_steps,
)
from partyplan.tenants.session import Session


@dataclass(frozen=True)
class WrittenRecord:
    documents: list[tuple[int, str]]  # (step id, document) of each current attachment
    corrections: list[tuple[int, int]]  # (correction's id, corrected step's id)
    overlays: list[dict[str, Any]]  # document_expectations rows


def _agg(*columns: Any) -> Any:
    return sa.func.coalesce(sa.func.json_agg(sa.func.json_build_array(*columns)), sa.text("'[]'"))


def documents_of(recruit_id: Any) -> Any:
    """(step id, document) of each of the recruit's current attachments, as one JSON array."""
    superseded = sa.select(attachment_supersessions.c.attachment_id).where(
        attachment_supersessions.c.recruit_id == recruit_id
    )
    return (
        sa.select(_agg(attachments.c.step_id, attachments.c.document))
        .where(attachments.c.recruit_id == recruit_id, attachments.c.id.not_in(superseded))
        .scalar_subquery()
    )


def corrections_of(recruit_id: Any) -> Any:
    """(correction's id, corrected step's id) of each of the recruit's corrections, as one JSON
    array."""
    return (
        sa.select(_agg(recruit_steps.c.id, recruit_steps.c.supersedes_id))
        .where(recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.supersedes_id.is_not(None))
        .scalar_subquery()
    )


def expectations_of(commission_id: Any) -> Any:
    """The commission's overlays of the documents each step expects, as one JSON array."""
    e = document_expectations.c
    return (
        sa.select(_agg(e.step_code, e.documents, e.effective_from, e.source, e.school_id))
        .where(e.commission_id == commission_id)
        .scalar_subquery()
    )


def parsed(documents: Any, corrections: Any, overlays: Any) -> WrittenRecord:
    """The record from the three JSON arrays above, as read."""
    return WrittenRecord(
        documents=[(int(s), str(d)) for s, d in documents],
        corrections=[(int(i), int(old)) for i, old in corrections],
        overlays=[
            {
                "step_code": step,
                "documents": tuple(docs),
                "effective_from": date.fromisoformat(on),
                "source": source,
                "school": school,
            }
            for step, docs, on, source, school in overlays
        ],
    )


async def written_record(session: Session, recruit_id: int, commission_id: int) -> WrittenRecord:
    stmt = sa.select(
        documents_of(recruit_id), corrections_of(recruit_id), expectations_of(commission_id)
    )
    return parsed(*(await session.execute(stmt)).one())
