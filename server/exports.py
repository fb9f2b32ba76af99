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

A workbook holds figures only, never an ID number or a phone: a download discloses no personal
data, so it writes no ``readPii`` audit entry (``resolvers/audit/service.Disclosures``).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from partyplan.auth import links
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
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
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

    return [
        Route("/reports/{id}.xlsx", report, methods=["GET"]),
        Route("/reports/periods/{id}/province.xlsx", province, methods=["GET"]),
    ]
