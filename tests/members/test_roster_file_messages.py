"""importMembers12371 (resolvers/roster12371): a refused roster file tells a person what is
wrong, in Chinese, beginning with the place; codes and fields stay as they are."""

from __future__ import annotations

from support_messages import assert_chinese
from support_roster_file import roster_row, upload, workbook

FIRST = "甲院第一党支部"  # A1a


async def test_a_refused_roster_is_explained_in_chinese(client, world) -> None:  # type: ignore[no-untyped-def]
    content = workbook(
        [
            roster_row("ok-1", "王芳", "不存在的支部", "2010-07-01"),  # row 3
            roster_row("ok-2", "王芳", FIRST, "2023-02-30"),  # 4
            roster_row("ok-1", "王芳", FIRST, "2010-07-01"),  # 5
        ]
    )
    result = await upload(client, world.gid("A"), content, world.tokens["sync_agent"])
    errors = result["data"]["importMembers12371"]["errors"]
    assert [(e["code"], e["field"], e["row"]) for e in errors] == [
        ("UNKNOWN_BRANCH", "file", 3),
        ("INVALID_DATE", "file", 4),
        ("DUPLICATE_CODE", "file", 5),
    ]
    for error in errors:
        assert_chinese(error["message"])
    unknown, impossible, twice = (e["message"] for e in errors)
    assert unknown.startswith("工作表“党员” F3 单元格（所在党支部）：本校没有名为")
    assert impossible.endswith("日期 2023-02-30 不存在")
    assert twice.endswith("党员编号 ok-1 已在第 3 行出现")
