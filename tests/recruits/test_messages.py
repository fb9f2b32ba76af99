"""The recruits' refusals and compliance findings are read by people: their messages are
Chinese, while ``code`` and ``field`` stay the machine contract."""

from __future__ import annotations

from datetime import date

from support import id_number
from support_messages import assert_chinese
from support_recruits import create, step

FINDINGS = """mutation($input: RecordStepInput!) { recordStep(input: $input) {
  recruit { findings { ruleId message } } errors { code field message } } }"""
TRANSFER = """mutation($r: ID!, $b: ID!) { transferRecruit(input: {recruitId: $r, toBranchId: $b,
  reason: "  "}) { recruit { id } errors { code field message } } }"""


async def test_refusals_are_chinese_and_keep_code_and_field(gql, world) -> None:  # type: ignore[no-untyped-def]
    young = {"birthDate": "2005-01-20", "idNumber": id_number("20050120", 3)}
    [underage] = (await create(gql, world, **young, applicationDate="2022-09-15"))["errors"]
    assert (underage["code"], underage["field"]) == ("UNDERAGE", "applicationDate")
    assert_chinese(underage["message"])
    assert "年满 18 周岁" in underage["message"] and "2023-01-20" in underage["message"]
    assert "细则第五条" in underage["message"]

    recruit = (await create(gql, world))["recruit"]["id"]
    payload = await step(gql, world, recruit, "activist", date(2023, 3, 20), {}, "branch_secretary")
    [early] = payload["errors"]
    assert (early["code"], early["field"]) == ("RULE_VIOLATION", "step")
    assert_chinese(early["message"])
    assert "须先记录第 2 步“党组织派人谈话”" in early["message"]

    result = await gql(TRANSFER, {"r": recruit, "b": world.gid("A2")}, world.tokens["school_admin"])
    [blank] = result["data"]["transferRecruit"]["errors"]
    assert (blank["code"], blank["field"]) == ("REASON_REQUIRED", "reason")
    assert blank["message"] == "转接理由为必填项"


async def test_a_late_steps_finding_is_chinese(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    data = {"recruitId": recruit, "step": "TALK", "on": "2022-11-20", "data": {"talkedBy": "书记"}}
    result = await gql(FINDINGS, {"input": data}, world.tokens["branch_secretary"])
    payload = result["data"]["recordStep"]
    assert payload["errors"] == []
    [finding] = payload["recruit"]["findings"]
    assert finding["ruleId"] == "talk.within_1m"
    assert_chinese(finding["message"])
    assert "逾期 36 天" in finding["message"] and "1 个月" in finding["message"]
