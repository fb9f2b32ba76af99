"""Handing out a new member's archive (档案): the ZIP of ``archive.py``, built from the
recruit's current steps and attachments, each attachment's bytes checked against its SHA-256
first (a tampered file stops the archive: CorruptedAttachment). The archive's and its
manifest's SHA-256 are recorded in the audit chain (``downloadArchive`` on the recruit) in the
same transaction, before the file leaves: a copy found later is verified by hashing it and
comparing with the entry.

Needs ``recruit.read`` and ``pii.read`` at the recruit's branch: the archive holds personal
documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE
from partyplan.resolvers.recruits.service import reads as recruit_reads
from partyplan.resolvers.recruits.service import records
from partyplan.tenants.session import Session

from ..archive import Built, Entry, write
from ..storage import BlobStore
from .reads import documents_of, fetch_checked

DOWNLOAD_ARCHIVE = "downloadArchive"


async def visible(session: Session, recruit_id: int) -> sa.Row:
    recruit = await records.visible(session, recruit_id, Permission.RECRUIT_READ)
    session.require(Permission.PII_READ, recruit.unit_path)
    return recruit


def _record(recruit: sa.Row, steps: list[sa.Row], findings: list[sa.Row]) -> dict[str, Any]:
    return {
        "recruit": {
            "id": recruit.id,
            "name": recruit.name,
            "gender": recruit.gender,
            "ethnicity": recruit.ethnicity,
            "birth_date": recruit.birth_date,
            "id_number": recruit.id_number_masked,
            "category": recruit.category,
            "education": recruit.education,
            "stage": recruit.stage,
            "applied_on": recruit.applied_on,
            "approved_on": recruit.approved_on,
        },
        "steps": [
            {
                "number": STEP_BY_CODE[s.step_code].number,
                "step": s.step_code,
                "name": STEP_BY_CODE[s.step_code].name,
                "on": s.on_date,
                "data": s.data,
                "rule_version": s.rule_version,
            }
            for s in steps
        ],
        "findings": [
            {"rule_id": f.rule_id, "step": f.step_code, "message": f.message} for f in findings
        ],
    }


async def build(
    session: Session, store: BlobStore, recruit_id: int, target: Path, work: Path
) -> tuple[sa.Row, Built]:
    """Write the archive to ``target`` (each attachment fetched into the directory ``work``
    first) and audit it; the recruit and what was built."""
    recruit = await visible(session, recruit_id)
    steps = await recruit_reads.steps_of(session, [recruit.id])
    findings = await recruit_reads.findings_of(session, [recruit.id])
    entries: list[Entry] = []
    for step in await documents_of(session, recruit):
        definition = STEP_BY_CODE[step.step_code]
        for attachment in step.attachments:
            source = work / f"{attachment.id}.bin"
            await fetch_checked(store, attachment, source)
            entries.append(
                Entry(
                    number=definition.number,
                    step_name=definition.name,
                    on=step.on.isoformat(),
                    document=attachment.document,
                    file_name=attachment.file_name,
                    content_type=attachment.content_type,
                    sha256=bytes(attachment.sha256).hex(),
                    source=source,
                )
            )
    built = write(target, entries, _record(recruit, steps, findings))
    await audit.append(
        session,
        operation=DOWNLOAD_ARCHIVE,
        object_type="Recruit",
        object_id=recruit.id,
        unit_id=recruit.branch_id,
        school_id=recruit.school_id,
        before=None,
        after={
            "archive_sha256": built.sha256,
            "manifest_sha256": built.manifest_sha256,
            "attachments": built.entries,
        },
    )
    return recruit, built
