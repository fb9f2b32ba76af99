"""``importMembers12371``: the roster filled from a 12371 member export (an .xlsx upload)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from partyplan.auth.permissions import Permission
from partyplan.resolvers.imports12371.errors import ImportErrorCode
from partyplan.resolvers.members.errors import MemberErrorCode
from partyplan.resolvers.recruits.service.records import today
from partyplan.resolvers.roster12371 import service
from partyplan.resolvers.roster12371.reader import MAX_PROBLEMS
from partyplan.tenants.session import Session

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..reconciliation.codes import FILE_CODES, UPLOAD_CODES
from ..uploads import UploadErrorCode, problems, received
from ..wording import coded_enum
from .codes import MEMBER_CODES

MemberFileErrorCodeEnum = coded_enum(
    "MemberFileErrorCode",
    "党员名册文件（12371 导出）导入的错误：Why a roster file was refused.",
    [*ImportErrorCode, *MemberErrorCode, *UploadErrorCode],
    FILE_CODES,
    MEMBER_CODES,
    UPLOAD_CODES,
)


@strawberry.type(
    description="党员名册文件的问题：A problem of a roster file: where it is (sheet, row as the spreadsheet numbers "
    "it, column by its header; the message also gives the cell, e.g. C5) and why."
)
class MemberFileError:
    code: MemberFileErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(description="输入中的路径：file 或 schoolId")
    message: str = strawberry.field(description="说明：Why, with the cell (C5), for display.")
    sheet: str | None = strawberry.field(
        description="工作表名称：null for a problem of the whole file."
    )
    row: int | None = strawberry.field(
        description="行号（同电子表格，从 1 起）：null for a problem of a whole sheet."
    )
    column: str | None = strawberry.field(
        description="列标题（中文）：null for a problem of a whole row."
    )


@strawberry.type(description="党员名册文件导入的结果：Counts of the rows taken, or the problems.")
class ImportMembersFilePayload:
    inserted: int = strawberry.field(
        description="新增党员数：New members; 0 when the file was refused."
    )
    updated: int = strawberry.field(
        description="更新党员数：Members whose record was replaced; 0 when the file was refused."
    )
    error_count: int = strawberry.field(
        description="问题总数：How many problems the file has in all (`errors` lists the first "
        f"{MAX_PROBLEMS})."
    )
    errors: list[MemberFileError] = strawberry.field(
        description=f"问题：The first {MAX_PROBLEMS} problems, each with its place; empty on "
        "success."
    )


@strawberry.type
class MemberFileMutations:
    @strawberry.mutation(
        description=described(
            "党员名册导入（12371 文件）：Fill the school's roster of Party members from a 12371 member export (an .xlsx "
            "upload, by the GraphQL multipart request convention): as importMembers with source "
            "SYNC_12371, each row adds the member or replaces the one with the same code. The "
            "branch is named (所在党支部) and must be exactly one branch or committee of the "
            "school. All rows go in or none; every problem is named by sheet, row and column. "
            "Not bounded by importMembers' 2,000 rows: up to the server's import row limit.",
            Permission.MEMBER_MANAGE,
            Permission.SYNC_EXCHANGE,
            where="at the school",
        )
    )
    async def import_members12371(
        self,
        info: strawberry.Info,
        school_id: Annotated[
            relay.GlobalID, strawberry.argument(description="学校：The school's unit id.")
        ],
        file: Annotated[
            Upload,
            strawberry.argument(
                description="12371 党员信息导出文件：An .xlsx file, sent as a multipart part."
            ),
        ],
    ) -> ImportMembersFilePayload:
        school = decode_id(school_id, "Unit", "schoolId")
        settings = info.context.settings
        on = today(settings.timezone)

        def run(session: Session):  # type: ignore[no-untyped-def]
            return service.import_member_file(
                session,
                school_id=school,
                # Entered by the service after its access checks.
                file=received(file, max_bytes=settings.import_max_bytes),
                today=on,
                max_bytes=settings.import_max_bytes,
                max_rows=settings.import_max_rows,
            )

        result, errors = await run_mutation(info, run)
        shown, total = problems(errors)
        return ImportMembersFilePayload(
            inserted=result.inserted if result else 0,
            updated=result.updated if result else 0,
            error_count=total,
            errors=[
                MemberFileError(code=MemberFileErrorCodeEnum(p.code), **p.place()) for p in shown
            ],
        )
