"""Attaching a document to a recorded step, and superseding one (never erasing it).

An upload is checked in this order, each refusal typed and naming its field: the caller
reaches the step (else NOT_FOUND) and may record there; the step is still the record's (not
corrected since); the file arrived and fits ``attachment_max_bytes`` (counted as it is read);
its bytes are one of the accepted kinds; the school's quota holds it (charged under its row's lock,
so uploads to one school take turns). Then the bytes go to the store under a key of our own, the
row is written, audited, and the recruit's findings derived again — in the request's
transaction, so a missing-document finding clears with the upload that supplies it.

Bytes stored for a request that then rolls back stay in the store unreferenced: harmless, and
never served (a download starts from a row).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.recruits.service import records
from partyplan.resolvers.recruits.service.procedure import load_procedure
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import AttachmentError, AttachmentErrorCode
from ..rules import CONTENT_TYPES, display_name, sniff
from ..storage import BlobStore, new_key
from .files import kind_inputs


class Received(Protocol):
    path: Path
    name: str
    size: int
    sha256: bytes


Upload = AbstractAsyncContextManager[Any]  # yields a Received (schema/uploads.received)


def _quota_message(limit: int, used: int, size: int) -> str:
    return f"超出本校附件存储限额：限额 {limit} 字节，已用 {used} 字节，本文件 {size} 字节"


async def _rederive(session: Session, recruit: sa.Row) -> None:
    branch = await visible_unit(session, recruit.branch_id, Permission.UNIT_READ)
    await records.derive(session, recruit, await load_procedure(session, branch))


async def _store(
    session: Session,
    store: BlobStore,
    recruit: sa.Row,
    step_id: int,
    document: str,
    file: Upload,
    file_field: str,
) -> int:
    """Check, store and record the file; the new attachment's id."""
    async with file as received:
        head, names = await kind_inputs(received.path)
        kind = sniff(head, names)
        if kind is None:
            raise AttachmentError(
                AttachmentErrorCode.UNSUPPORTED_TYPE,
                "文件类型不受支持：仅接受 PDF、JPEG、PNG、OFD 或 DOCX 文件（按文件内容判断）",
                file_field,
            )
        quota = await repository.charge(session, recruit.school_id, received.size)
        if not quota.charged:
            raise AttachmentError(
                AttachmentErrorCode.OVER_QUOTA,
                _quota_message(quota.limit_bytes, quota.used_bytes, received.size),
                file_field,
            )
        key = new_key(recruit.school_id)
        await store.put(key, received.path)
        return await repository.insert(
            session,
            {
                "recruit_id": recruit.id,
                "step_id": step_id,
                "school_id": recruit.school_id,
                "unit_path": recruit.unit_path,
                "charged_school_id": recruit.school_id,
                "document": document,
                "file_name": display_name(received.name, kind),
                "content_type": CONTENT_TYPES[kind],
                "size_bytes": received.size,
                "sha256": received.sha256,
                "storage_key": key,
                "uploaded_by": session.principal.user_id,
            },
        )


def _audited(row: sa.Row) -> dict[str, Any]:
    return {
        "recruit_id": row.recruit_id,
        "step_id": row.step_id,
        "document": row.document,
        "file_name": row.file_name,
        "content_type": row.content_type,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256.hex(),
    }


async def attach(
    session: Session, store: BlobStore, *, step_id: int, document: str, file: Upload
) -> sa.Row:
    """Attach ``file`` to the step as a ``document``; the attachment's row."""
    step = session.reach(
        await repository.step(session, step_id), "该步骤", Permission.RECRUIT_RECORD
    )
    recruit = await records.visible(session, step.recruit_id, Permission.RECRUIT_RECORD, lock=True)
    if step.corrected:
        raise AttachmentError(
            AttachmentErrorCode.STEP_SUPERSEDED,
            "该步骤记录已被更正，请将材料附在更正后的记录上",
            "stepId",
        )
    attachment_id = await _store(session, store, recruit, step.id, document, file, "file")
    row = await repository.get(session, attachment_id)
    assert row is not None
    await audit.append(
        session,
        operation="uploadAttachment",
        object_type="Attachment",
        object_id=attachment_id,
        unit_id=recruit.branch_id,
        school_id=recruit.school_id,
        before=None,
        after=_audited(row),
    )
    await _rederive(session, recruit)
    return row


async def supersede(
    session: Session,
    store: BlobStore,
    *,
    attachment_id: int,
    reason: str,
    file: Upload | None,
) -> tuple[sa.Row, sa.Row | None]:
    """Withdraw an attachment with a reason, replacing it by ``file`` if one is given (same
    step, same document). The withdrawn row stays, as evidence; the replacement's row, if
    any, is returned with it."""
    row = session.reach(
        await repository.get(session, attachment_id), "该附件", Permission.RECRUIT_RECORD
    )
    recruit = await records.visible(session, row.recruit_id, Permission.RECRUIT_RECORD, lock=True)
    # Read again under the recruit's lock: a supersession racing this one is seen now.
    row = await repository.get(session, attachment_id)
    assert row is not None
    if row.superseded_at is not None:
        raise AttachmentError(
            AttachmentErrorCode.ALREADY_SUPERSEDED, "该附件已被撤销或替换", "attachmentId"
        )
    cleaned = clean_text(
        reason,
        "reason",
        required=True,
        limit=500,
        error=AttachmentError,
        code=AttachmentErrorCode.INVALID_TEXT,
        missing_code=AttachmentErrorCode.REASON_REQUIRED,
        label="理由",
    )
    replacement = None
    if file is not None:
        new_id = await _store(session, store, recruit, row.step_id, row.document, file, "file")
        replacement = await repository.get(session, new_id)
    await repository.supersede(
        session,
        {
            "attachment_id": row.id,
            "recruit_id": recruit.id,
            "school_id": recruit.school_id,
            "unit_path": recruit.unit_path,
            "replacement_id": None if replacement is None else replacement.id,
            "reason": cleaned,
            "superseded_by": session.principal.user_id,
        },
    )
    await audit.append(
        session,
        operation="supersedeAttachment",
        object_type="Attachment",
        object_id=row.id,
        unit_id=recruit.branch_id,
        school_id=recruit.school_id,
        before=_audited(row),
        after={
            "reason": cleaned,
            "replacement": None if replacement is None else _audited(replacement),
        },
    )
    await _rederive(session, recruit)
    after = await repository.get(session, attachment_id)
    assert after is not None
    return after, replacement
