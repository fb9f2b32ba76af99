"""The roll-up shows, per unit, the places received, the places on names and the names without
a place, at every level (branch, committee, school, commission), each line the sum of what lies
below it; the counts are the database's, derived when the names are written."""

from __future__ import annotations


def _figures(line: dict) -> tuple[int, int, int]:  # type: ignore[type-arg]
    return line["received"]["total"], line["placedOnNames"], line["namesWithoutPlace"]


async def test_rollup_counts_at_every_level(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=5, A1a=3, A1b=1, A2=2)
    a1a = await placements.targets(4, "A1a")
    a1b = await placements.targets(2, "A1b")
    a2 = await placements.targets(1, "A2")
    # A1a: 2 of its 3 places on names; 4 names behind its forecast, 2 of them placed.
    assert (await placements.place(a1a[:2]))["data"]["placeQuota"]["errors"] == []
    await placements.name(a1a)
    # A1b: its place named by the committee's administrator; one more name, without a place.
    await placements.place(a1b[:1], unit="A1b", account="unit_admin")
    await placements.name(a1b[1:], unit="A1b", account="unit_admin")
    # A2, directly under the school: one place of two named, no forecast names.
    await placements.place(a2, unit="A2", account="school_admin")

    branch = await placements.rollup("A1a", "branch_secretary")
    assert _figures(branch["line"]) == (3, 2, 2)
    committee = await placements.rollup("A1", "unit_admin")
    assert _figures(committee["line"]) == (5, 3, 3)
    assert {c["unitName"]: _figures(c) for c in committee["children"]} == {
        "甲院第一党支部": (3, 2, 2),
        "甲院第二党支部": (1, 1, 1),
    }
    school = await placements.rollup("A", "school_admin")
    assert _figures(school["line"]) == (10, 4, 3)
    assert {c["unitName"]: _figures(c)[1:] for c in school["children"]} == {
        "甲院党委": (3, 3),
        "甲校机关党支部": (1, 0),
    }
    commission = await placements.rollup("commission")
    assert commission["line"]["placedOnNames"] == 4
    assert commission["line"]["namesWithoutPlace"] == 3
    lines = {c["unitName"]: c for c in commission["children"]}
    assert _figures(lines["学校甲党委"]) == (10, 4, 3)
    assert lines.get("学校乙党委") is None or _figures(lines["学校乙党委"]) == (0, 0, 0)

    # Placing a forecast name takes it off the names without a place, up every level.
    await placements.place([a1a[0], a1a[2]])
    assert _figures((await placements.rollup("A1a", "branch_secretary"))["line"]) == (3, 2, 2)
    await placements.place([a1a[0], a1a[2], a1a[3]])
    assert _figures((await placements.rollup("A1a", "branch_secretary"))["line"]) == (3, 3, 1)
    assert _figures((await placements.rollup("A", "school_admin"))["line"]) == (10, 5, 2)
    assert (await placements.rollup("commission"))["line"]["namesWithoutPlace"] == 2
    assert await placements.drift() == []


async def test_another_schools_counts_stay_out_of_sight(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    await placements.place(await placements.targets(2))
    result = await placements.gql(
        "query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) { line { placedOnNames } } }",
        {"u": world.gid("B"), "p": placements.period},
        world.tokens["other_school_admin"],
    )
    assert result["data"]["rollup"]["line"]["placedOnNames"] == 0
