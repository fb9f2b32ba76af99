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
from collections.abc import Awaitable, Callable
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
from partyplan.tenants.session import Session

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


#: Builds a download into ``work`` (the file at ``work / OUT``): its media type and file name.
Build = Callable[[Session, int, Path], Awaitable[tuple[str, str]]]
OUT = "out"


async def _download(
    platform: Platform,
    request: Request,
    type_name: str,
    path_of: Callable[[int], str],
    build: Build,
) -> Response:
    """One download: the id checked, the file built in the request's transaction (its audit
    entry with it), sent once committed; the work directory goes with the response, or at once
    when anything ends the request otherwise."""
    try:
        object_id = row_id(request.path_params["id"], type_name)
    except NotFound as error:
        return _error(error)
    context = context_of(platform, request, path_of(object_id))
    work = Path(tempfile.mkdtemp(prefix="download-"))
    sent = False
    try:
        async with context.transaction():
            try:
                media_type, name = await build(await context.session(), object_id, work)
            except AccessError as error:
                context.fail()
                return _error(error)
            except CorruptedAttachment as error:
                context.fail()
                return _corrupted(error)
        sent = True
        return FileResponse(
            work / OUT,
            media_type=media_type,
            headers={**_HEADERS, "Content-Disposition": _disposition(name)},
            background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
        )
    except NotCommitted as lost:  # its audit entry is not known to be kept
        return _not_committed(lost)
    finally:
        if not sent:
            shutil.rmtree(work, ignore_errors=True)


def routes(platform: Platform) -> list[Route]:
    async def attachment(session: Session, attachment_id: int, work: Path) -> tuple[str, str]:
        row = await reads.read_into(
            session, store_for(platform.settings), attachment_id, work / OUT
        )
        return row.content_type, row.file_name

    async def recruit_archive(session: Session, recruit_id: int, work: Path) -> tuple[str, str]:
        recruit, _ = await archive.build(
            session, store_for(platform.settings), recruit_id, work / OUT, work
        )
        return ZIP, f"{recruit.name}档案.zip"

    async def attachment_route(request: Request) -> Response:
        return await _download(platform, request, "Attachment", download_path, attachment)

    async def archive_route(request: Request) -> Response:
        return await _download(platform, request, "Recruit", archive_path, recruit_archive)

    return [
        Route("/attachments/{id}", attachment_route, methods=["GET"]),
        Route("/archives/{id}.zip", archive_route, methods=["GET"]),
    ]
