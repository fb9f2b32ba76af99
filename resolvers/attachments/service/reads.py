"""Reading attachments: a recruit's list, what each of its steps expects and carries, and one
attachment's bytes, checked against the SHA-256 recorded at upload before a byte is sent.

Listing shows what documents exist (kind, name, size, checksum) and needs ``recruit.read``.
The bytes are personal documents (an application form carries the ID number): reading them
needs ``pii.read`` too, like an ID number shown in clear, and each read is audited
(``readAttachment``) in the reading transaction, so no file leaves without its entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.recruits.service import reads as recruit_reads
from partyplan.resolvers.recruits.service import records
from partyplan.resolvers.recruits.service.documents import written
from partyplan.tenants.session import Session

from .. import repository
from ..errors import CorruptedAttachment
from ..storage import BlobMissing, BlobStore
from .files import sha256_of

READ_ATTACHMENT = "readAttachment"


async def visible(
    session: Session, attachment_id: int, permission: Permission = Permission.RECRUIT_READ
) -> sa.Row:
    return session.reach(await repository.get(session, attachment_id), "该附件", permission)


async def of_recruit(session: Session, recruit_id: int, *, current_only: bool) -> list[sa.Row]:
    recruit = await records.visible(session, recruit_id, Permission.RECRUIT_READ)
    return await repository.of_recruit(session, recruit.id, current_only=current_only)


@dataclass(frozen=True)
class StepDocuments:
    """A current step: the documents it is expected to carry and its current attachments."""

    step_id: int
    step_code: str
    on: date
    expected: tuple[str, ...]
    attachments: list[sa.Row]

    @property
    def missing(self) -> tuple[str, ...]:
        present = {a.document for a in self.attachments}
        return tuple(d for d in self.expected if d not in present)


async def documents_of(session: Session, recruit: sa.Row) -> list[StepDocuments]:
    """Every current step of a recruit the caller has read, in the procedure's order (date,
    then id), with what it expects (the expectation in force on its date) and carries."""
    steps = await recruit_reads.steps_of(session, [recruit.id])
    record = await written(session, recruit)
    by_step: dict[int, list[sa.Row]] = {}
    for row in await repository.of_recruit(session, recruit.id, current_only=True):
        by_step.setdefault(record.moved.get(row.step_id, row.step_id), []).append(row)
    return [
        StepDocuments(
            s.id,
            s.step_code,
            s.on_date,
            record.expectations.on(s.step_code, s.on_date).documents,
            by_step.get(s.id, []),
        )
        for s in steps
    ]


async def read_into(session: Session, store: BlobStore, attachment_id: int, target: Path) -> sa.Row:
    """Copy the attachment's bytes into ``target`` and check them against the recorded SHA-256
    (CorruptedAttachment when they differ or are gone: nothing may be sent); audited."""
    row = await visible(session, attachment_id, Permission.RECRUIT_READ)
    session.require(Permission.PII_READ, row.unit_path)
    await fetch_checked(store, row, target)
    await audit.append(
        session,
        operation=READ_ATTACHMENT,
        object_type="Attachment",
        object_id=row.id,
        unit_id=_unit_of(row),
        school_id=row.school_id,
        before=None,
        after={"recruit_id": row.recruit_id, "sha256": row.sha256.hex()},
    )
    return row


async def fetch_checked(store: BlobStore, row: sa.Row, target: Path) -> None:
    try:
        await store.get(row.storage_key, target)
    except BlobMissing:
        raise CorruptedAttachment(row.id) from None
    if await sha256_of(target) != bytes(row.sha256):
        raise CorruptedAttachment(row.id)


def _unit_of(row: sa.Row) -> int:
    """The unit an entry about the attachment hangs on: its recruit's branch (the last label
    of the copied path)."""
    return int(str(row.unit_path).rsplit(".", 1)[-1])
