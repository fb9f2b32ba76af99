"""The 12371 export's refusal (a GraphQL error of the ``export12371`` query: the export has no
mutation) is read by a person: its message is Chinese; ``extensions`` keep code and field."""

from __future__ import annotations

from support_messages import assert_chinese

EXPORT = """query($s: ID!, $st: RecruitStage) {
  export12371(schoolId: $s, stage: $st) { path } }"""


async def test_an_unknown_stage_is_explained_in_chinese(gql, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(EXPORT, {"s": world.gid("A"), "st": "CANCELLED"}, world.tokens["viewer"])
    [error] = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "stage"}
    assert_chinese(error["message"])
    assert error["message"].startswith("12371 导出只有以下阶段：applicant（入党申请人）")
