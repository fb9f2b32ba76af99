"""``importMembers12371``: the roster filled from a 12371 member export (an .xlsx upload)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from partyplan.auth.permissions import Permission
from partyplan.resolvers.imports12371.errors import ImportErrorCode
from partyplan.resolvers.members.errors import MemberErrorCode
from partyplan.resolvers.recruits.service.records import today
from partyplan.resolvers.roster12371 import service
from partyplan.tenants.session import Session

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..uploads import UploadErrorCode, problems, received

MemberFileErrorCodeEnum = strawberry.enum(
    Enum(  # type: ignore[misc]
        "MemberFileErrorCode",
        {str(c): str(c) for c in [*ImportErrorCode, *MemberErrorCode, *UploadErrorCode]},
    ),
    description="党员名册文件（12371 导出）导入的错误",
)


@strawberry.type(
    description="A problem of a roster file: where it is (sheet, row as the spreadsheet numbers "
    "it, column by its header; the message also gives the cell, e.g. C5) and why."
)
class MemberFileError:
    code: MemberFileErrorCodeEnum  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="输入中的路径：file 或 schoolId")
    message: str
    sheet: str | None = strawberry.field(description="工作表名称")
    row: int | None = strawberry.field(description="行号（同电子表格，从 1 起）")
    column: str | None = strawberry.field(description="列标题（中文）")


@strawberry.type
class ImportMembersFilePayload:
    inserted: int = strawberry.field(description="New members; 0 when the file was refused.")
    updated: int = strawberry.field(description="Members whose record was replaced.")
    error_count: int = strawberry.field(
        description="How many problems the file has in all (`errors` lists the first 100)."
    )
    errors: list[MemberFileError]


@strawberry.type
class MemberFileMutations:
    @strawberry.mutation(
        description=described(
            "Fill the school's roster of Party members from a 12371 member export (an .xlsx "
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
        self, info: strawberry.Info, school_id: relay.GlobalID, file: Upload
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
