"""A refused 12371 file tells a person what is wrong, in Chinese, beginning with the place: the
sheet, the cell and its header. Through ``import12371``, the mutation that reads such files;
the upload's own refusals (``schema/uploads.py``) as well."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from support_export12371 import create_walked
from support_messages import assert_chinese
from support_reconciliation import column, edited, exported, sheet, upload

from partyplan.resolvers.exports12371 import rules


async def test_a_bad_cell_is_named_in_chinese(client, gql, world) -> None:  # type: ignore[no-untyped-def]
    await create_walked(gql, world, "applicant", 1, name="申请人甲")
    index = rules.columns("applicant").index("application_date") + 1

    def edit(book) -> None:  # type: ignore[no-untyped-def]
        assert column(book, "applicant", "application_date") == index
        sheet(book, "applicant").cell(3, index).value = "2023/09/15"

    content = edited(await exported(client, world), edit)
    result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)
    [error] = result["data"]["import12371"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID_DATE", "file")
    assert (error["sheet"], error["row"], error["column"]) == ("入党申请人", 3, "申请入党日期")
    assert_chinese(error["message"])
    assert error["message"] == (
        f"工作表“入党申请人” {get_column_letter(index)}3 单元格（申请入党日期）："
        "“2023/09/15”不是 YYYY-MM-DD 格式的日期"
    )


async def test_files_and_uploads_are_refused_in_chinese(client, world) -> None:  # type: ignore[no-untyped-def]
    token, school = world.tokens["school_admin"], world.gid("A")
    for content, code, message in [
        (b"not a workbook at all", "NOT_A_WORKBOOK", "该文件不是 Excel 工作簿（.xlsx）"),
        (b"", "INVALID_FILE", "文件为空"),
    ]:
        result = await upload(client, token, school, content)
        [error] = result["data"]["import12371"]["errors"]
        assert (error["code"], error["field"]) == (code, "file")
        assert_chinese(error["message"])
        assert error["message"] == message
