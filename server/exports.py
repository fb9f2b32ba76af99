"""Workbook downloads: ``GET /reports/{id}.xlsx`` (a school's report: frozen once submitted, a
live preview before) and ``GET /reports/periods/{id}/province.xlsx`` (the commission's table,
one row per school, live). Same bearer token, same scoping and row-level security as the API:
a report outside the caller's units is 404, a role without ``plan.read`` is 403. The request's
context owns the transaction, as for GraphQL: committed when the workbook was built (nothing is
written, so it only ends the transaction), rolled back on an error."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from partyplan.auth.errors import AccessError, NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.reports import service
from partyplan.resolvers.reports.workbook import build_workbook
from partyplan.tenants.session import Session

from .platform import Platform
from .request import RequestContext

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


async def _workbook(
    context: RequestContext,
    content: Callable[[Session, str], Awaitable[tuple[dict[str, Any], str]]],
) -> Response:
    async with context.transaction():
        try:
            session = await context.session()
            snapshot, filename = await content(session, context.settings.timezone)
            data = build_workbook(snapshot)
        except AccessError as error:
            context.fail()
            headers = {"WWW-Authenticate": "Bearer"} if error.code == "UNAUTHENTICATED" else None
            return JSONResponse(
                {"error": str(error), "code": error.code},
                status_code=STATUS[error.code],
                headers=headers,
            )
    disposition = f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def routes(platform: Platform) -> list[Route]:
    def context_of(request: Request) -> RequestContext:
        return RequestContext.of(platform, request)

    async def report(request: Request) -> Response:
        async def content(session: Session, timezone: str) -> tuple[dict[str, Any], str]:
            row = await service.visible(
                session, row_id(request.path_params["id"], "ExecutionReport"), Permission.PLAN_READ
            )
            snapshot = await service.content(session, row, timezone)
            return snapshot, f"{row.unit_name}{row.period_name}发展党员指导性计划执行情况.xlsx"

        return await _workbook(context_of(request), content)

    async def province(request: Request) -> Response:
        async def content(session: Session, timezone: str) -> tuple[dict[str, Any], str]:
            period_id = row_id(request.path_params["id"], "PlanPeriod")
            snapshot = await service.province(session, period_id=period_id, timezone=timezone)
            return (
                snapshot,
                f"{snapshot['unit']['name']}{snapshot['period']['name']}各高校执行情况.xlsx",
            )

        return await _workbook(context_of(request), content)

    return [
        Route("/reports/{id}.xlsx", report, methods=["GET"]),
        Route("/reports/periods/{id}/province.xlsx", province, methods=["GET"]),
    ]
