"""Demo attachments (docs/attachments.md): 张晓雨's application letter and talk record, stored
through the attachments service in the configured store, so her archive downloads with files."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.attachments.service import uploads
from partyplan.resolvers.attachments.storage import BlobStore
from partyplan.tenants.session import Session

#: (step, document kind, file name, the PDF's one line of text)
FILES = [
    ("application", "application_letter", "张晓雨入党申请书.pdf", "入党申请书"),
    ("talk", "talk_record", "入党谈话记录.pdf", "谈话记录"),
]


@dataclass(frozen=True)
class _File:
    path: Path
    name: str
    size: int
    sha256: bytes


def _pdf(text: str) -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n% " + text.encode() + b"\n%%EOF\n"


@asynccontextmanager
async def _file(name: str, content: bytes) -> AsyncIterator[_File]:
    with tempfile.TemporaryDirectory(prefix="partyplan-demo-") as directory:
        path = Path(directory) / "file"
        path.write_bytes(content)
        yield _File(path, name, len(content), hashlib.sha256(content).digest())


async def seed_attachments(conn: AsyncConnection, school: Session, store: BlobStore) -> None:
    if await conn.scalar(sa.text("SELECT 1 FROM attachments LIMIT 1")):
        return
    steps = await conn.execute(
        sa.text(
            "SELECT s.step_code, min(s.id) AS id FROM recruit_steps s"
            " JOIN recruits r ON r.id = s.recruit_id WHERE r.name = '张晓雨'"
            " GROUP BY s.step_code"
        )
    )
    step_ids = dict(steps.all())
    for step, document, name, text in FILES:
        if step in step_ids:
            await uploads.attach(
                school,
                store,
                step_id=step_ids[step],
                document=document,
                file=_file(name, _pdf(text)),
            )
