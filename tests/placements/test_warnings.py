"""The two warnings of named targets, raised and resolved by the scan: places without names and
names without places, each late in the period only (the commission's ``last_weeks``), with
their near misses: early in the period, every place named, an admission that used a place."""

from __future__ import annotations

from datetime import date

from support import gid

LATE = date(2024, 12, 10)  # within the last 8 (and 12) weeks of 2024
EARLY = date(2024, 9, 1)  # before either window opens

ANNUL = """mutation($r: ID!) { annulAdmission(input: {recruitId: $r,
  reason: "培养考察期不满一年", documentNo: "学校甲党委〔2024〕30号", annulledOn: "2024-11-25"})
  { errors { code field } } }"""
SET_RULE = """mutation($c: ID!, $k: WarningKind!, $p: JSON) {
  setWarningRule(input: {commissionId: $c, kind: $k, params: $p}) { errors { code field } } }"""


async def _standing(placements, kind: str) -> list:  # type: ignore[no-untyped-def,type-arg]
    return await placements.records.standing(kind)


async def test_places_without_names_late_in_the_period(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=3)
    first, second, third = await placements.targets(3)
    await placements.place([first])
    await placements.records.scan(EARLY)
    assert await _standing(placements, "places_without_names") == []  # early: no warning

    result = await placements.records.scan(LATE)
    [warning] = await _standing(placements, "places_without_names")
    assert warning.unit_name == "甲院第一党支部" and warning.status == "open"
    assert warning.evidence["without_names"] == 2 and warning.evidence["named"] == 1
    assert "尚有 2 个名额未落实到发展对象" in warning.message
    assert result.raised.get("places_without_names") == 1
    # Only branches hold names: the committee's and school's unallocated places raise nothing.
    assert [w.unit_name for w in await _standing(placements, "places_without_names")] == [
        "甲院第一党支部"
    ]

    # One more named, one admitted without a name (his admission used a place): cleared.
    await placements.place([first, second])
    await placements.records.admitted(1, date(2024, 11, 20), "A1a")
    result = await placements.records.scan(LATE)
    assert result.resolved.get("places_without_names") == 1
    assert await _standing(placements, "places_without_names") == []
    assert third  # the third target stays unnamed: no place left for him


async def test_lateness_is_the_commissions_parameter(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=3)
    result = await placements.gql(
        SET_RULE,
        {"c": world.gid("commission"), "k": "PLACES_WITHOUT_NAMES", "p": {"last_weeks": 26}},
        world.tokens["commission_admin"],
    )
    assert result["data"]["setWarningRule"]["errors"] == []
    await placements.records.scan(EARLY)  # 1 Sep lies within the last 26 weeks
    assert len(await _standing(placements, "places_without_names")) == 1
    refused = await placements.gql(
        SET_RULE,
        {"c": world.gid("commission"), "k": "NAMES_WITHOUT_PLACES", "p": {"last_weeks": 0}},
        world.tokens["commission_admin"],
    )
    assert refused["data"]["setWarningRule"]["errors"] == [
        {"code": "INVALID_RULE", "field": "params.last_weeks"}
    ]


async def test_names_without_places_late_in_the_period(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=1)
    first, second = await placements.targets(2)
    await placements.name([first, second])
    await placements.place([first])
    await placements.records.scan(EARLY)
    assert await _standing(placements, "names_without_places") == []

    await placements.records.scan(LATE)
    [warning] = await _standing(placements, "names_without_places")
    assert warning.unit_name == "甲院第一党支部" and warning.evidence["without_place"] == 1
    assert "1 名发展对象尚未落实名额" in warning.message

    # The forecast no longer names him: resolved at the next scan.
    await placements.name([first])
    result = await placements.records.scan(LATE)
    assert result.resolved.get("names_without_places") == 1
    assert await _standing(placements, "names_without_places") == []


async def test_every_name_placed_raises_nothing(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    recruits = await placements.targets(2)
    await placements.name(recruits)
    await placements.place(recruits)
    await placements.records.scan(LATE)
    assert await _standing(placements, "names_without_places") == []
    assert await _standing(placements, "places_without_names") == []


async def test_an_annulled_admission_used_no_place(placements, world) -> None:  # type: ignore[no-untyped-def]
    """An admission annulled (不予承认) releases its place: the branch again holds a place
    without a name, and the scan says so."""
    await placements.plan(10, A1=3, A1a=3)
    targets = await placements.targets(2)
    await placements.place(targets)
    admitted = await placements.records.recruit(
        "A1a",
        stage="probationary",
        activist_on=date(2023, 1, 1),
        target_on=date(2023, 6, 1),
        approved_on=date(2024, 11, 20),
    )
    await placements.records.scan(LATE)
    assert await _standing(placements, "places_without_names") == []

    result = await placements.gql(
        ANNUL, {"r": gid("Recruit", admitted)}, world.tokens["school_admin"]
    )
    assert result["data"]["annulAdmission"]["errors"] == [], result
    await placements.records.scan(LATE)
    [warning] = await _standing(placements, "places_without_names")
    assert warning.evidence["without_names"] == 1
