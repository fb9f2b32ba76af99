"""``import12371`` and ``reconciliationReport``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.reconciliation.service import imports, reads
from partyplan.resolvers.reconciliation.service.imports import MAX_PROBLEMS
from partyplan.resolvers.recruits.service.records import today

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..uploads import problems, received
from .types import FileError, FileErrorCodeEnum, ReconciliationReport


def file_errors(errors: list[DomainError]) -> tuple[list[FileError], int]:
    """Every problem of a refused file with its place; any other error as it is."""
    shown, total = problems(errors)
    return [FileError(code=FileErrorCodeEnum(p.code), **p.place()) for p in shown], total


@strawberry.type(description="导入 12371 文件的结果：The reconciliation report, or the problems.")
class Import12371Payload:
    report: ReconciliationReport | None = strawberry.field(
        description="核对报告：null when the file was refused (see errors)."
    )
    error_count: int = strawberry.field(
        description="问题总数：How many problems the file has in all (`errors` lists the first "
        f"{MAX_PROBLEMS})."
    )
    errors: list[FileError] = strawberry.field(
        description=f"问题：The problems of a refused file (the first {MAX_PROBLEMS}), each with "
        "its sheet, row and column; empty on success."
    )


@strawberry.type
class ReconciliationMutations:
    @strawberry.mutation(
        description=described(
            "导入 12371 文件并核对：Compare a 12371 export of a school (an .xlsx upload, by the GraphQL multipart "
            "request convention) with the school's records, matched on the ID number: a report "
            "with each person matched, conflicting (field, value here, value in 12371), only in "
            "12371 or only here. Nothing of the records is written. A bad file is refused "
            "whole, every problem named by sheet, row and column.",
            Permission.RECRUIT_RECORD,
            where="at the school",
        )
    )
    async def import12371(
        self,
        info: strawberry.Info,
        school_id: Annotated[
            relay.GlobalID, strawberry.argument(description="学校：The school's unit id.")
        ],
        file: Annotated[
            Upload,
            strawberry.argument(
                description="12371 数据采集表导出文件：An .xlsx file, sent as a multipart part."
            ),
        ],
    ) -> Import12371Payload:
        school = decode_id(school_id, "Unit", "schoolId")
        settings = info.context.settings

        async def run(session):  # type: ignore[no-untyped-def]
            report_id = await imports.import_file(
                session,
                info.context.pii,
                school_id=school,
                # Entered by the service after its access checks.
                file=received(file, max_bytes=settings.import_max_bytes),
                max_rows=settings.import_max_rows,
                max_bytes=settings.import_max_bytes,
                today=today(settings.timezone),
            )
            return await reads.visible(session, report_id)

        row, errors = await run_mutation(info, run)
        shown, total = file_errors(errors)
        return Import12371Payload(
            report=None if row is None else ReconciliationReport.from_row(row),
            error_count=total,
            errors=shown,
        )


@strawberry.type
class ReconciliationQueries:
    @strawberry.field(
        description=described(
            "12371 核对报告：A reconciliation report of a school, by its id.",
            Permission.RECRUIT_READ,
            where="at the school",
        )
    )
    async def reconciliation_report(
        self,
        info: strawberry.Info,
        id: Annotated[
            relay.GlobalID, strawberry.argument(description="核对报告：The report's id.")
        ],
    ) -> ReconciliationReport:
        session = await info.context.session()
        row = await reads.visible(session, decode_id(id, "ReconciliationReport", "id"))
        return ReconciliationReport.from_row(row)


async def resolve_reconciliation_node(
    info: strawberry.Info, report_id: int
) -> tuple[ReconciliationReport, str]:
    session = await info.context.session()
    row = await reads.visible(session, report_id)
    return ReconciliationReport.from_row(row), row.unit_path
