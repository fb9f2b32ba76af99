"""细则第十四条: a member under 留党察看 whose rights are not yet restored cannot be an introducer.

The roster keeps the member's 留党察看 period (``setMemberPartyProbation``, with a reason,
audited); the introducer check (step 9) judges it on the step's date. The world's rosters
(conftest): m-101, m-102 are full members since 2000 at A1a.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from support import codes, scalar
from support_recruits import WALK, create, step

from partyplan.resolvers.members.rules import under_party_probation
from partyplan.resolvers.roster12371 import rules as roster_rules

SET = """mutation($input: SetMemberPartyProbationInput!) { setMemberPartyProbation(input: $input) {
  member { code standing partyProbationFrom partyProbationRestoredOn }
  errors { code field message } } }"""
STEP = """mutation($input: RecordStepInput!) { recordStep(input: $input) {
  recruit { stage } errors { code field message } } }"""
IMPORT = """mutation($input: ImportMembersInput!) { importMembers(input: $input) {
  inserted updated errors { code field } } }"""
STANDING = """query($q: String, $on: Date) { members(search: $q, on: $on) {
  edges { node { code standing partyProbationFrom partyProbationRestoredOn } } } }"""


async def member_id(gql, world, code: str) -> str:  # type: ignore[no-untyped-def]
    result = await gql(
        "query($q: String) { members(search: $q) { edges { node { id code } } } }",
        {"q": code},
        world.tokens["school_admin"],
    )
    return next(
        e["node"]["id"] for e in result["data"]["members"]["edges"] if e["node"]["code"] == code
    )


async def set_probation(  # type: ignore[no-untyped-def]
    gql, world, code: str, account: str = "school_admin", **fields: Any
) -> dict[str, Any]:
    variables = {"input": {"memberId": await member_id(gql, world, code), **fields}}
    result = await gql(SET, variables, world.tokens[account])
    assert "errors" not in result, result
    return result["data"]["setMemberPartyProbation"]


async def recruit_before_introducers(gql, world) -> str:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[: [w[0] for w in WALK].index("introducers")]:
        await step(gql, world, recruit, code, on, data, account)
    return recruit


async def introduce(gql, world, recruit: str, *named: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Step 9 on 2024-04-01 naming ``named``: its errors (empty when recorded)."""
    result = await gql(
        STEP,
        {
            "input": {
                "recruitId": recruit,
                "step": "INTRODUCERS",
                "on": "2024-04-01",
                "data": {"introducers": list(named)},
            }
        },
        world.tokens["branch_secretary"],
    )
    return result["data"]["recordStep"]["errors"]


async def test_art_14_an_introducer_under_party_probation_not_restored_is_refused(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """细则第十四条: not restored on the step's date → refused, naming the position; restored
    after the step's date is still refused (judged on the step's date, not today)."""
    recorded = await set_probation(
        gql,
        world,
        "m-102",
        **{"from": "2023-09-01", "restoredOn": "2024-09-01", "reason": "校纪委〔2023〕5号"},
    )
    assert recorded["errors"] == []
    assert recorded["member"]["partyProbationFrom"] == "2023-09-01"
    recruit = await recruit_before_introducers(gql, world)
    steps_before = await scalar(owner_engine, "SELECT count(*) FROM recruit_steps")
    errors = await introduce(gql, world, recruit, "m-101", "m-102")
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INTRODUCER_ON_PARTY_PROBATION", "data.introducers.1")
    ]
    assert "细则第十四条" in errors[0]["message"]
    assert "留党察看" in errors[0]["message"]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruit_steps") == steps_before


async def test_art_14_near_miss_restored_before_the_step_date_may_introduce(gql, world) -> None:  # type: ignore[no-untyped-def]
    """Restored before the step (and a sanction that begins after it) do not bar an introducer:
    the rule is about the step's date only."""
    await set_probation(
        gql,
        world,
        "m-101",
        **{"from": "2022-03-01", "restoredOn": "2023-03-01", "reason": "期满恢复党员权利"},
    )
    await set_probation(gql, world, "m-102", **{"from": "2024-05-01", "reason": "校纪委决定"})
    recruit = await recruit_before_introducers(gql, world)
    assert await introduce(gql, world, recruit, "m-101", "m-102") == []


async def test_art_14_restored_on_the_step_date_counts_as_restored(gql, world) -> None:  # type: ignore[no-untyped-def]
    await set_probation(
        gql,
        world,
        "m-101",
        **{"from": "2023-04-01", "restoredOn": "2024-04-01", "reason": "期满恢复党员权利"},
    )
    recruit = await recruit_before_introducers(gql, world)
    assert await introduce(gql, world, recruit, "m-101", "m-102") == []


async def test_art_14_bars_introducers_only_contacts_need_be_full_members(gql, world) -> None:  # type: ignore[no-untyped-def]
    """细则第九条 asks contact persons to be full members and says nothing of 留党察看."""
    await set_probation(gql, world, "m-101", **{"from": "2023-01-01", "reason": "校纪委决定"})
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[: [w[0] for w in WALK].index("introducers")]:
        recorded = await step(gql, world, recruit, code, on, data, account)
        assert recorded["errors"] == [], (code, recorded)  # contacts m-101, m-102 taken
    errors = await introduce(gql, world, recruit, "m-101", "m-102")
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INTRODUCER_ON_PARTY_PROBATION", "data.introducers.0")
    ]


async def test_the_member_shows_the_standing_on_the_date_asked_and_imports_keep_it(
    gql, world
) -> None:  # type: ignore[no-untyped-def]
    await set_probation(
        gql,
        world,
        "m-103",
        **{"from": "2023-09-01", "restoredOn": "2024-09-01", "reason": "校纪委〔2023〕5号"},
    )

    async def standing(on: str) -> dict[str, Any]:
        result = await gql(STANDING, {"q": "m-103", "on": on}, world.tokens["school_admin"])
        return result["data"]["members"]["edges"][0]["node"]

    assert (await standing("2023-08-31"))["standing"] == "NORMAL"
    assert (await standing("2024-08-31"))["standing"] == "PARTY_PROBATION"
    assert (await standing("2024-09-01"))["standing"] == "NORMAL"
    # The member sent again by an import (a sync job) keeps the period.
    replaced = await gql(
        IMPORT,
        {
            "input": {
                "schoolId": world.gid("A"),
                "members": [
                    {
                        "code": "m-103",
                        "name": "周红",
                        "branchId": world.gid("A1a"),
                        "joinedOn": "2000-01-01",
                        "fullOn": "2001-01-01",
                    }
                ],
            }
        },
        world.tokens["school_admin"],
    )
    assert replaced["data"]["importMembers"]["updated"] == 1
    node = await standing("2024-08-31")
    assert (node["standing"], node["partyProbationFrom"], node["partyProbationRestoredOn"]) == (
        "PARTY_PROBATION",
        "2023-09-01",
        "2024-09-01",
    )


async def test_bad_periods_are_named_by_field_and_nothing_is_written(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    before = await scalar(owner_engine, "SELECT count(*) FROM audit_log")

    async def refused(**fields: Any) -> list[tuple[str, str]]:
        payload = await set_probation(gql, world, "m-101", **fields)
        assert payload["member"] is None
        return [(e["code"], e["field"]) for e in payload["errors"]]

    assert await refused(**{"from": "2024-01-01", "reason": "  "}) == [
        ("REASON_REQUIRED", "reason")
    ]
    assert await refused(**{"from": "2999-01-01", "reason": "决定"}) == [("FUTURE_DATE", "from")]
    assert await refused(**{"from": "1990-01-01", "reason": "决定"}) == [("INVALID_DATES", "from")]
    assert await refused(
        **{"from": "2024-01-01", "restoredOn": "2023-01-01", "reason": "决定"}
    ) == [("INVALID_DATES", "restoredOn")]
    assert await refused(**{"restoredOn": "2023-01-01", "reason": "决定"}) == [
        ("INVALID_DATES", "restoredOn")
    ]
    assert await refused(**{"from": "2023-01-01", "reason": "abc\u202etxt"}) == [
        ("INVALID_TEXT", "reason")
    ]
    assert await refused(**{"from": "2023-01-01", "reason": "理" * 501}) == [
        ("INVALID_TEXT", "reason")
    ]
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == before
    assert (
        await scalar(
            owner_engine, "SELECT count(*) FROM members WHERE party_probation_from IS NOT NULL"
        )
        == 0
    )


async def test_setting_and_clearing_are_audited_with_the_reason(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await set_probation(gql, world, "m-101", **{"from": "2023-01-01", "reason": "校纪委决定"})
    cleared = await set_probation(gql, world, "m-101", reason="误录，撤销")
    assert cleared["member"]["partyProbationFrom"] is None
    assert cleared["member"]["standing"] == "NORMAL"
    entries = json.loads(
        await scalar(
            owner_engine,
            "SELECT json_agg(json_build_array(before, after) ORDER BY id)::text FROM audit_log"
            " WHERE operation = 'setMemberPartyProbation'",
        )
    )
    assert [after["reason"] for _, after in entries] == ["校纪委决定", "误录，撤销"]
    assert entries[1][0]["partyProbationFrom"] == "2023-01-01"
    assert entries[1][1]["partyProbationFrom"] is None


async def test_only_member_managers_set_it_and_another_school_sees_nothing(gql, world) -> None:  # type: ignore[no-untyped-def]
    target = await member_id(gql, world, "m-101")
    variables = {"input": {"memberId": target, "from": "2023-01-01", "reason": "决定"}}
    assert codes(await gql(SET, variables, world.tokens["branch_secretary"])) == ["FORBIDDEN"]
    assert codes(await gql(SET, variables, world.tokens["other_school_admin"])) == ["NOT_FOUND"]
    assert codes(await gql(SET, variables, None)) == ["UNAUTHENTICATED"]


def test_art_14_under_party_probation_is_judged_on_the_day() -> None:
    since, restored = date(2023, 9, 1), date(2024, 9, 1)
    assert not under_party_probation(since, restored, date(2023, 8, 31))
    assert under_party_probation(since, restored, since)
    assert under_party_probation(since, restored, date(2024, 8, 31))
    assert not under_party_probation(since, restored, restored)  # restored that day
    assert under_party_probation(since, None, date(2030, 1, 1))  # never restored
    assert not under_party_probation(None, None, date(2024, 1, 1))


def test_a_12371_roster_row_under_party_probation_still_stands() -> None:
    """留党察看 is a sanction, not a departure: no date of leaving is asked for (other statuses
    than 正常 still need one)."""
    base = {"code": "c-1", "name": "王芳", "branch": "第一党支部", "joined_on": "2010-07-01"}
    found, problems = roster_rules.member_line({**base, "status": "留党察看"}, date(2025, 1, 1))
    assert problems == [] and found is not None and found.left_on is None
    _, problems = roster_rules.member_line({**base, "status": "停止党籍"}, date(2025, 1, 1))
    assert [p.item for p in problems] == ["status"]
