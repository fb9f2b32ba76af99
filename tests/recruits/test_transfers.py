"""Transfers and the admission's place: an admission stays counted where it was approved, in the
period it was approved, whatever transfers and corrections follow; a recruit transferred before
its approval is admitted where it then is."""

from __future__ import annotations

from datetime import date

from support import id_number, scalar
from support_recruits import WALK, admitted, create, period, step

TRANSFER = """mutation($r: ID!, $b: ID!) { transferRecruit(input: {recruitId: $r, toBranchId: $b,
  reason: "调整支部"}) { recruit { approvedOn } errors { code } } }"""
CORRECT = """mutation($input: CorrectStepInput!) { correctStep(input: $input) {
  recruit { approvedOn } errors { code field message } } }"""
APPROVAL = [w[0] for w in WALK].index("approval")


async def walk(gql, world, recruit: str, steps: list) -> None:  # type: ignore[no-untyped-def]
    for code, on, data, who in steps:
        payload = await step(gql, world, recruit, code, on, data, who)
        assert payload["errors"] == [], (code, payload)


async def transfer(gql, world, recruit: str, to: str, account: str) -> dict:  # type: ignore[no-untyped-def]
    result = await gql(TRANSFER, {"r": recruit, "b": world.gid(to)}, world.tokens[account])
    payload = result["data"]["transferRecruit"]
    assert payload["errors"] == [], result
    return payload


async def admitted_at(owner_engine, recruit_name: str) -> tuple:  # type: ignore[no-untyped-def]
    return await scalar(
        owner_engine,
        "SELECT (admitted_branch_id, admitted_school_id, admitted_path::text) FROM recruits"
        f" WHERE name = '{recruit_name}'",
    )


async def test_an_admission_stays_where_it_was_approved_through_transfers_and_corrections(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    year = await period(gql, world, 2024)
    recruit = (await create(gql, world))["recruit"]["id"]
    await walk(gql, world, recruit, WALK[: APPROVAL + 1])
    place = await admitted_at(owner_engine, "李明")
    assert place[0] == world.units["A1a"]
    assert [await admitted(gql, world, u, year) for u in ("A1a", "A1", "A2", "A")] == [1, 1, 0, 1]

    moved = await transfer(gql, world, recruit, "A2", "school_admin")
    assert moved["recruit"]["approvedOn"] == "2024-06-25"
    assert [await admitted(gql, world, u, year) for u in ("A1a", "A1", "A2", "A")] == [1, 1, 0, 1]

    # Step 17 corrected after the transfer: the approval still took place in A1a.
    steps = await gql(
        "query($id: ID!) { recruit(id: $id) { steps { id step } } }",
        {"id": recruit},
        world.tokens["school_admin"],
    )
    approval = next(s["id"] for s in steps["data"]["recruit"]["steps"] if s["step"] == "APPROVAL")
    corrected = await gql(
        CORRECT,
        {
            "input": {
                "stepId": approval,
                "on": "2024-06-26",
                "data": {"document_no": "党委〔2024〕12号"},
                "reason": "批复日期录错",
            }
        },
        world.tokens["school_admin"],
    )
    payload = corrected["data"]["correctStep"]
    assert payload["errors"] == [] and payload["recruit"]["approvedOn"] == "2024-06-26", corrected
    assert await admitted_at(owner_engine, "李明") == place
    assert [await admitted(gql, world, u, year) for u in ("A1a", "A1", "A2", "A")] == [1, 1, 0, 1]

    # Through the commission to another school: still school A's admission.
    await transfer(gql, world, recruit, "B1", "commission_admin")
    assert await admitted_at(owner_engine, "李明") == place
    assert [await admitted(gql, world, u, year) for u in ("A1a", "A")] == [1, 1]


async def test_a_recruit_transferred_before_its_approval_is_admitted_where_it_is(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    year = await period(gql, world, 2024)
    recruit = (await create(gql, world, idNumber=id_number("20030504", 31), name="张三"))[
        "recruit"
    ]["id"]
    await walk(gql, world, recruit, WALK[:APPROVAL])
    assert await admitted_at(owner_engine, "张三") == (None, None, None)
    await transfer(gql, world, recruit, "A1b", "school_admin")
    code, on, data, _ = WALK[APPROVAL]
    payload = await step(gql, world, recruit, code, on, data, "unit_admin")
    assert payload["errors"] == [], payload
    assert (await admitted_at(owner_engine, "张三"))[0] == world.units["A1b"]
    assert [await admitted(gql, world, u, year) for u in ("A1a", "A1b", "A1")] == [0, 1, 1]
    assert date.fromisoformat(payload["recruit"]["approvedOn"]) == on


async def test_a_member_transferred_in_during_probation_may_be_converted_later(gql, world) -> None:  # type: ignore[no-untyped-def]
    """细则第三十六条: the receiving branch may postpone the conversion discussion by up to six
    months. Shanxi (the world's province) counts the conversion's approval from the end of the
    probation; for a member transferred in, from the end of that postponement."""
    conversion = [w[0] for w in WALK].index("conversion_meeting")
    late_meeting = ("conversion_meeting", date(2025, 8, 5), WALK[conversion][2], "unit_admin")
    late_approval = ("conversion_approval", date(2025, 9, 20), {}, "unit_admin")
    found = {}
    for name, serial, moved in (("王五", 41, True), ("赵六", 42, False)):
        created = await create(gql, world, idNumber=id_number("20030504", serial), name=name)
        recruit = created["recruit"]["id"]
        await walk(gql, world, recruit, WALK[: APPROVAL + 1])
        if moved:
            payload = await transfer(gql, world, recruit, "A1b", "school_admin")
            assert payload["recruit"]["approvedOn"] == "2024-06-25"
        # Recorded by the college (the A1a secretary no longer sees a member moved to A1b).
        rest = [(c, on, d, "unit_admin") for c, on, d, _ in WALK[APPROVAL + 1 : conversion]]
        rest = [w for w in rest if w[0] != "approval_filing"]
        await walk(gql, world, recruit, [*rest, late_meeting])
        last = await step(gql, world, recruit, *late_approval)
        assert last["errors"] == [], last
        found[moved] = [(f["ruleId"], f["daysLate"]) for f in last["recruit"]["findings"]]
    # Due by 5 Sep 2025 (3 months from the end on 5 Jun), approved on 20 Sep: 15 days late,
    # unless transferred in (due by 5 Mar 2026).
    assert ("conversion_approval.within_3m", 15) in found[False]
    assert all(rule != "conversion_approval.within_3m" for rule, _ in found[True])
