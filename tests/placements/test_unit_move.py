"""A branch moved within its school after its period closed takes its names along: its names'
paths and the placement tallies follow (units/ties.py and the trigger), the old parent's counts
go to the new one, and the stored counts still equal those computed from the names."""

from __future__ import annotations

MOVE = """mutation($u: ID!, $to: ID!) {
  moveUnit(input: {unitId: $u, newParentId: $to}) { errors { code message } } }"""


async def test_a_moved_branch_takes_its_names_along(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1b=2)
    recruits = await placements.targets(3, "A1b")
    await placements.place(recruits[:2], unit="A1b", account="unit_admin")
    await placements.name(recruits, unit="A1b", account="unit_admin")
    await placements.records.sql("UPDATE plan_periods SET state = 'closed'")
    before = await placements.rollup("A", "school_admin")
    assert {c["unitName"]: c["placedOnNames"] for c in before["children"]}["甲院党委"] == 2
    result = await placements.gql(
        MOVE, {"u": world.gid("A1b"), "to": world.gid("A")}, world.tokens["school_admin"]
    )
    assert result["data"]["moveUnit"]["errors"] == [], result
    after = await placements.rollup("A", "school_admin")
    children = {
        c["unitName"]: (c["placedOnNames"], c["namesWithoutPlace"]) for c in after["children"]
    }
    assert children["甲院党委"] == (0, 0)
    assert children["甲院第二党支部"] == (2, 1)
    assert (after["line"]["placedOnNames"], after["line"]["namesWithoutPlace"]) == (2, 1)
    assert await placements.named_total("A1b") == 2
    assert await placements.drift() == []
