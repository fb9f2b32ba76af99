"""Workbook downloads: ``GET /reports/{id}.xlsx`` (a school's report: frozen once submitted, a
live preview before) and ``GET /reports/periods/{id}/province.xlsx`` (the commission's table,
one row per school, live). Same scoping and row-level security as the API: a report outside the
caller's units is 404, a role without ``plan.read`` is 403. The request's context owns the
transaction, as for GraphQL: committed when the workbook was built (nothing is written, so it
only ends the transaction), rolled back on an error.

The caller is named either by the ``Authorization: Bearer`` header or by a download link's
``?token=`` (``downloadUrl`` in the API, ``auth/links.py``), never both: a link opens only the
file it was made for, a few minutes long, and binds the request exactly as the access token it
was asked with would (a deactivated user, a revoked grant: 401; the object out of reach now:
404). A link is a credential in a URL: responses are ``no-store`` with ``no-referrer``, and the
server's access log never shows the token (:class:`RedactLinkTokens`).

A report's workbook holds figures only, never an ID number or a phone: a download discloses no
personal data, so it writes no ``readPii`` audit entry (``resolvers/audit/service.Disclosures``).
The 12371 export (``GET /exports/12371/{schoolId}.xlsx?periodId=&stage=``) does hold them:
masked without ``pii.read``, and an unmasked one writes one ``readPii`` entry on the school
(``resolvers/exports12371/service.py``).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from partyplan.auth import links
from partyplan.auth.errors import AccessError, NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.exports12371 import service as export12371
from partyplan.resolvers.exports12371.errors import ExportError, ExportErrorCode
from partyplan.resolvers.exports12371.rules import STAGE_ORDER
from partyplan.resolvers.exports12371.workbook import write as write_12371
from partyplan.resolvers.reports import service
from partyplan.resolvers.reports.workbook import build_workbook
from partyplan.tenants.session import Session

from .platform import Platform
from .request import NotCommitted, RequestContext

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}


_ROW_ID = re.compile(r"[0-9]{1,18}")  # within bigint; ASCII digits only


def row_id(raw: str, type_name: str) -> int:
    """A row id from the URL: the number, or the API's global ID of ``type_name``. Anything
    else (digits other than ASCII ones, a number past bigint, garbage) is NOT_FOUND, never a
    500."""
    if _ROW_ID.fullmatch(raw):
        return int(raw)
    try:
        kind, _, value = base64.b64decode(raw, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise NotFound("no such object") from None
    if kind != type_name or not _ROW_ID.fullmatch(value):
        raise NotFound("no such object")
    return int(value)


def _canonical(raw: str, type_name: str, path_of: Callable[[int], str]) -> str | None:
    """The canonical path of the object a URL names (what a link for it holds), None when the
    URL names none."""
    try:
        return path_of(row_id(raw, type_name))
    except NotFound:
        return None


def context_of(platform: Platform, request: Request, path: str | None) -> RequestContext:
    """The download's context: from the bearer header, or from a link for ``path``."""
    tokens = request.query_params.getlist("token")
    if not tokens:
        return RequestContext.of(platform, request)
    if len(tokens) > 1 or "authorization" in request.headers:
        # Two credentials: which one names the caller would be a guess. Neither is used.
        context = RequestContext.of_link(platform, request, "", None)
        context.auth_error = "give either the Authorization header or one ?token=, not both"
        return context
    return RequestContext.of_link(platform, request, tokens[0], path)


async def _workbook(
    context: RequestContext,
    content: Callable[[Session, str], Awaitable[tuple[dict[str, Any], str]]],
) -> Response:
    # A report's figures read only: a streaming replica that has the caller's last write may
    # answer (server/replica.py). Not the 12371 export: its audit entry is written with it.
    context.read_from_replica()
    try:
        async with context.transaction():
            try:
                session = await context.session()
                snapshot, filename = await content(session, context.settings.timezone)
                data = build_workbook(snapshot)
            except AccessError as error:
                context.fail()
                return _error(error)
    except NotCommitted as lost:
        return _not_committed(lost)
    disposition = f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


def _error(error: AccessError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.code == "UNAUTHENTICATED" else None
    return JSONResponse(
        {"error": str(error), "code": error.code}, status_code=STATUS[error.code], headers=headers
    )


def _not_committed(lost: NotCommitted) -> JSONResponse:
    body = {"error": lost.message, "code": lost.code}
    return JSONResponse(body, status_code=lost.status, headers=lost.headers)


def _bad_input(message: str, field: str) -> JSONResponse:
    return JSONResponse(
        {"error": message, "code": "BAD_USER_INPUT", "field": field}, status_code=400
    )


def _filters(request: Request) -> tuple[int | None, str | None]:
    """``periodId`` and ``stage`` of a 12371 export's query: at most one of each; a period that
    is no id is NOT_FOUND, a stage the 12371 system does not have is BAD_USER_INPUT."""
    params = request.query_params
    for name in ("periodId", "stage"):
        if len(params.getlist(name)) > 1:
            raise ExportError(ExportErrorCode.UNKNOWN_STAGE, f"give {name} at most once", name)
    raw_period, raw_stage = params.get("periodId"), params.get("stage")
    stage = None if raw_stage is None else raw_stage.lower()
    if stage is not None and stage not in STAGE_ORDER:
        raise ExportError(ExportErrorCode.UNKNOWN_STAGE, "no such 12371 stage", "stage")
    return (None if raw_period is None else row_id(raw_period, "PlanPeriod")), stage


async def _export_12371(platform: Platform, request: Request) -> Response:
    """``GET /exports/12371/{schoolId}.xlsx?periodId=&stage=``: written to a temporary file
    (openpyxl's write-only mode, rows read in keyset batches), sent, then deleted. An
    unmasked export is audited in the request's transaction before it commits, so no file
    leaves without its entry."""
    raw = request.path_params["id"]
    try:
        period_id, stage = _filters(request)
        school_id = row_id(raw, "Unit")
    except ExportError as error:
        return _bad_input(error.message, error.field or "")
    except NotFound as error:
        return _error(error)
    path = links.school_12371_workbook(school_id, period_id=period_id, stage=stage)
    context = context_of(platform, request, path)
    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="export12371-")
    os.close(handle)
    try:
        async with context.transaction():
            try:
                session = await context.session()
                export = await export12371.prepare(
                    session, school_id=school_id, period_id=period_id, stage=stage
                )

                def rows_of(sheet_stage: str) -> Any:
                    return export12371.rows(session, export, sheet_stage, context.pii)

                count = await write_12371(Path(name), export, rows_of)
                await export12371.audit_unmasked(session, export, count)
            except AccessError as error:
                context.fail()
                os.unlink(name)
                return _error(error)
    except NotCommitted as lost:  # its readPii entry is not known to be kept: no file
        os.unlink(name)
        return _not_committed(lost)
    except BaseException:
        os.unlink(name)
        raise
    filename = f"{export.school_name}12371数据采集表.xlsx"
    return FileResponse(
        name,
        media_type=XLSX,
        filename=filename,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        background=BackgroundTask(os.unlink, name),
    )


_LINK_TOKEN = re.compile(r"([?&]token=)[^&\s\"]*")


class RedactLinkTokens(logging.Filter):
    """Blanks ``token=…`` in the query strings an access log line carries (uvicorn's
    ``uvicorn.access`` logs the full path of each request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact(text: str) -> str:
    return _LINK_TOKEN.sub(r"\1[redacted]", text)


_REDACT = RedactLinkTokens()


def routes(platform: Platform) -> list[Route]:
    access_log = logging.getLogger("uvicorn.access")
    if _REDACT not in access_log.filters:
        access_log.addFilter(_REDACT)

    async def report(request: Request) -> Response:
        raw = request.path_params["id"]
        path = _canonical(raw, "ExecutionReport", links.report_workbook)

        async def content(session: Session, timezone: str) -> tuple[dict[str, Any], str]:
            row = await service.visible(
                session, row_id(raw, "ExecutionReport"), Permission.PLAN_READ
            )
            snapshot = await service.content(session, row, timezone)
            return snapshot, f"{row.unit_name}{row.period_name}发展党员指导性计划执行情况.xlsx"

        return await _workbook(context_of(platform, request, path), content)

    async def province(request: Request) -> Response:
        raw = request.path_params["id"]
        path = _canonical(raw, "PlanPeriod", links.province_workbook)

        async def content(session: Session, timezone: str) -> tuple[dict[str, Any], str]:
            period_id = row_id(raw, "PlanPeriod")
            snapshot = await service.province(session, period_id=period_id, timezone=timezone)
            return (
                snapshot,
                f"{snapshot['unit']['name']}{snapshot['period']['name']}各高校执行情况.xlsx",
            )

        return await _workbook(context_of(platform, request, path), content)

    async def school_12371(request: Request) -> Response:
        return await _export_12371(platform, request)

    return [
        Route("/reports/{id}.xlsx", report, methods=["GET"]),
        Route("/reports/periods/{id}/province.xlsx", province, methods=["GET"]),
        Route("/exports/12371/{id}.xlsx", school_12371, methods=["GET"]),
    ]
