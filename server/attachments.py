"""Attachment and archive downloads: ``GET /attachments/{id}`` (one file's bytes) and
``GET /archives/{recruitId}.zip`` (a new member's archive). Named by the bearer header or by a
download link (``downloadUrl``), scoped, row-level secured and committed like the workbooks
(``server/exports.py``): another school's attachment is 404, a caller without ``pii.read`` 403.

The bytes are fetched from the store into a temporary file and checked against the SHA-256
recorded at upload before anything is sent; stored bytes that differ (or are gone) answer a
coded 500 (``CHECKSUM_MISMATCH``), never the file. Each download is audited in the request's
transaction (``readAttachment``; ``downloadArchive`` with the archive's SHA-256), so no file
leaves without its entry. The file is sent with its type as judged at upload, the cleaned
name only in ``filename*``, ``nosniff`` and a sandboxing CSP: a document never runs as a page.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from partyplan.auth.errors import AccessError, NotFound
from partyplan.resolvers.attachments.errors import CorruptedAttachment
from partyplan.resolvers.attachments.rules import archive_path, download_path
from partyplan.resolvers.attachments.service import archive, reads
from partyplan.resolvers.attachments.storage import store_for

from .exports import _error, _not_committed, context_of, row_id
from .platform import Platform
from .request import NotCommitted

log = logging.getLogger(__name__)

ZIP = "application/zip"
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
}


def _corrupted(error: CorruptedAttachment) -> JSONResponse:
    log.error("attachment %s: stored bytes fail their SHA-256", error.attachment_id)
    return JSONResponse(
        {"error": "附件文件校验失败，已拒绝发送", "code": error.code}, status_code=500
    )


def _disposition(name: str) -> str:
    return f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"


def routes(platform: Platform) -> list[Route]:
    async def attachment(request: Request) -> Response:
        try:
            attachment_id = row_id(request.path_params["id"], "Attachment")
        except NotFound as error:
            return _error(error)
        context = context_of(platform, request, download_path(attachment_id))
        work = Path(tempfile.mkdtemp(prefix="attachment-"))
        target = work / "file"
        done = BackgroundTask(shutil.rmtree, work, ignore_errors=True)
        try:
            async with context.transaction():
                try:
                    session = await context.session()
                    row = await reads.read_into(
                        session, store_for(platform.settings), attachment_id, target
                    )
                except AccessError as error:
                    context.fail()
                    shutil.rmtree(work, ignore_errors=True)
                    return _error(error)
                except CorruptedAttachment as error:
                    context.fail()
                    shutil.rmtree(work, ignore_errors=True)
                    return _corrupted(error)
        except NotCommitted as lost:  # its readAttachment entry is not known to be kept
            shutil.rmtree(work, ignore_errors=True)
            return _not_committed(lost)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return FileResponse(
            target,
            media_type=row.content_type,
            headers={**_HEADERS, "Content-Disposition": _disposition(row.file_name)},
            background=done,
        )

    async def recruit_archive(request: Request) -> Response:
        try:
            recruit_id = row_id(request.path_params["id"], "Recruit")
        except NotFound as error:
            return _error(error)
        context = context_of(platform, request, archive_path(recruit_id))
        work = Path(tempfile.mkdtemp(prefix="archive-"))
        target = work / "archive.zip"
        done = BackgroundTask(shutil.rmtree, work, ignore_errors=True)
        try:
            async with context.transaction():
                try:
                    session = await context.session()
                    recruit, _ = await archive.build(
                        session, store_for(platform.settings), recruit_id, target, work
                    )
                except AccessError as error:
                    context.fail()
                    shutil.rmtree(work, ignore_errors=True)
                    return _error(error)
                except CorruptedAttachment as error:
                    context.fail()
                    shutil.rmtree(work, ignore_errors=True)
                    return _corrupted(error)
        except NotCommitted as lost:
            shutil.rmtree(work, ignore_errors=True)
            return _not_committed(lost)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        name = f"{recruit.name}档案.zip"
        return FileResponse(
            target,
            media_type=ZIP,
            headers={**_HEADERS, "Content-Disposition": _disposition(name)},
            background=done,
        )

    return [
        Route("/attachments/{id}", attachment, methods=["GET"]),
        Route("/archives/{id}.zip", recruit_archive, methods=["GET"]),
    ]
