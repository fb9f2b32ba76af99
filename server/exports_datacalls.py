"""The workbooks of the documentary record: ``GET /datacalls/{id}.xlsx`` (a data call's roll-up,
a sheet per level with totals and every unit's answers) and ``GET /ledgers/{unitId}.xlsx`` (the
activists' ledger of a grassroots committee, 入党积极分子、发展对象台账).

Scoped, bound and answered as the other downloads (``server/exports.py``): the Authorization
header or a download link's ``?token=`` (never both), the request's one transaction, 404 for
what the caller does not reach, 403 without the permission, ``no-store`` and ``no-referrer``.
A data call's workbook holds figures and the units' answers, no personal data. The ledger
holds ID numbers: masked without ``pii.read`` at the committee, and an unmasked one writes one
``readPii`` audit entry in the request's transaction before the file leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from partyplan.auth.errors import AccessError, NotFound
from partyplan.resolvers.datacalls import workbook as datacall_workbook
from partyplan.resolvers.datacalls.service import rollup
from partyplan.resolvers.ledger import service as ledger
from partyplan.resolvers.ledger import workbook as ledger_workbook
from partyplan.schema.datacalls.types import workbook_path
from partyplan.tenants.session import Session

from .exports import STATUS, XLSX, context_of, row_id
from .platform import Platform
from .request import NotCommitted, RequestContext


def _error(error: AccessError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.code == "UNAUTHENTICATED" else None
    return JSONResponse(
        {"error": str(error), "code": error.code}, status_code=STATUS[error.code], headers=headers
    )


async def _send(
    context: RequestContext,
    build: Callable[[Session, RequestContext], Awaitable[tuple[bytes, str]]],
) -> Response:
    try:
        async with context.transaction():
            try:
                session = await context.session()
                data, filename = await build(session, context)
            except AccessError as error:
                context.fail()
                return _error(error)
    except NotCommitted as lost:  # an unmasked ledger's audit entry is not known to be kept
        return JSONResponse(
            {"error": lost.message, "code": lost.code},
            status_code=lost.status,
            headers=lost.headers,
        )
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


def _path_of(raw: str, type_name: str, path_of: Callable[[int], str]) -> tuple[int, str] | None:
    try:
        row = row_id(raw, type_name)
    except NotFound:
        return None
    return row, path_of(row)


def routes(platform: Platform) -> list[Route]:
    async def data_call(request: Request) -> Response:
        found = _path_of(request.path_params["id"], "DataCall", workbook_path)
        if found is None:
            return _error(NotFound("未找到该数据征集"))
        call_id, path = found

        async def build(session: Session, context: RequestContext) -> tuple[bytes, str]:
            content = await rollup.workbook_content(
                session, call_id=call_id, timezone=context.settings.timezone
            )
            return datacall_workbook.build_workbook(content), f"{content['title']}汇总表.xlsx"

        return await _send(context_of(platform, request, path), build)

    async def activists_ledger(request: Request) -> Response:
        found = _path_of(request.path_params["id"], "Unit", ledger.ledger_path)
        if found is None:
            return _error(NotFound("未找到该党组织"))
        unit_id, path = found

        async def build(session: Session, context: RequestContext) -> tuple[bytes, str]:
            prepared = await ledger.prepare(session, unit_id=unit_id)
            rows = await ledger.rows(session, prepared, context.pii)
            data = ledger_workbook.build_workbook(prepared, rows)
            await ledger.audit_unmasked(session, prepared, len(rows))
            return data, f"{prepared.unit_name}入党积极分子和发展对象台账.xlsx"

        return await _send(context_of(platform, request, path), build)

    return [
        Route("/datacalls/{id}.xlsx", data_call, methods=["GET"]),
        Route("/ledgers/{id}.xlsx", activists_ledger, methods=["GET"]),
    ]
