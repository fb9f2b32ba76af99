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


async def written_record(session: Session, recruit_id: int, commission_id: int) -> WrittenRecord:
    superseded = sa.select(attachment_supersessions.c.attachment_id).where(
        attachment_supersessions.c.recruit_id == recruit_id
    )
    documents = (
        sa.select(_agg(attachments.c.step_id, attachments.c.document))
        .where(attachments.c.recruit_id == recruit_id, attachments.c.id.not_in(superseded))
        .scalar_subquery()
    )
    corrections = (
        sa.select(_agg(recruit_steps.c.id, recruit_steps.c.supersedes_id))
        .where(recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.supersedes_id.is_not(None))
        .scalar_subquery()
    )
    e = document_expectations.c
    overlays = (
        sa.select(_agg(e.step_code, e.documents, e.effective_from, e.source, e.school_id))
        .where(e.commission_id == commission_id)
        .scalar_subquery()
    )
    row = (await session.execute(sa.select(documents, corrections, overlays))).one()
    return WrittenRecord(
        documents=[(int(s), str(d)) for s, d in row[0]],
        corrections=[(int(i), int(old)) for i, old in row[1]],
        overlays=[
            {
                "step_code": step,
                "documents": tuple(docs),
                "effective_from": date.fromisoformat(on),
                "source": source,
                "school": school,
            }
            for step, docs, on, source, school in row[2]
        ],
    )
