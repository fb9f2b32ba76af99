"""placeQuota and nameForecast through the API: within the branch's available places, refused
beyond them (nothing written), only the branch's development targets, each once, a consumed
place kept, other schools' units and recruits not found; and movements that would take places
from under the names refused."""

from __future__ import annotations

from support import codes, gid, raw_id, scalar
from support_placements import VIEW, payload


async def test_places_within_the_balance_are_placed_and_read_back(
    placements, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    first, second, third = await placements.targets(3)
    entries = await scalar(owner_engine, "SELECT count(*) FROM audit_log")
    done = payload(await placements.place([first, second]))
    assert done["errors"] == []
    named = done["namedTargets"]
    assert (named["placesReceived"], named["placesAvailable"], named["placesNamed"]) == (2, 2, 2)
    assert named["placesWithoutNames"] == 0
    assert [n["recruitId"] for n in named["names"]] == [first, second]
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == entries + 1
    assert await placements.named_total() == 2
    # A set replaced whole: a swap at a full branch fits (the name dropped frees its place).
    swapped = payload(await placements.place([second, third]))["namedTargets"]
    assert [n["recruitId"] for n in swapped["names"] if n["placed"]] == [second, third]
    assert await placements.named_total() == 2
    # An empty list clears it.
    cleared = payload(await placements.place([]))["namedTargets"]
    assert cleared["placesNamed"] == 0 and cleared["names"] == []
    assert await placements.drift() == []


async def test_more_names_than_places_are_refused_and_nothing_is_written(
    placements, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    recruits = await placements.targets(3)
    await placements.place(recruits[:1])
    refused = payload(await placements.place(recruits))
    assert refused["namedTargets"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"], error["shortfall"]) == ("SHORTFALL", "recruitIds", 1)
    assert error["message"] == "甲院第一党支部的可用名额不足，缺 1 名"
    assert await placements.named_total() == 1
    placed = await scalar(owner_engine, "SELECT count(*) FROM named_targets WHERE placed")
    assert placed == 1
    # The near miss: as many names as places.
    assert payload(await placements.place(recruits[:2]))["errors"] == []


async def test_a_branch_without_places_names_nobody(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3)
    [recruit] = await placements.targets(1)
    refused = payload(await placements.place([recruit]))
    assert [(e["code"], e["shortfall"]) for e in refused["errors"]] == [("SHORTFALL", 1)]
    # Forecast names need no place.
    assert payload(await placements.name([recruit]))["errors"] == []


async def test_only_the_branchs_development_targets_each_once(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=3)
    target = await placements.target()
    activist = gid(
        "Recruit", await placements.records.recruit("A1a", stage="activist", activist_on=None)
    )
    elsewhere = await placements.target("A1b")
    cases = [
        ([target, activist], "NOT_A_DEVELOPMENT_TARGET", "recruitIds.1"),
        ([elsewhere], "NOT_IN_BRANCH", "recruitIds.0"),
        ([target, elsewhere, target], "DUPLICATE_RECRUIT", "recruitIds.2"),
    ]
    # The committee's administrator sees both branches' recruits (the branch secretary would
    # not find the other branch's: NOT_FOUND).
    for recruits, code, field in cases:
        for mutation in (placements.place, placements.name):
            refused = payload(await mutation(recruits, account="unit_admin"))
            assert [(e["code"], e["field"]) for e in refused["errors"]] == [(code, field)]
    assert await placements.named_total() == 0
    # Only a branch places names.
    refused = payload(await placements.place([target], unit="A1", account="unit_admin"))
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_A_BRANCH", "unitId")]


async def test_another_schools_unit_or_recruit_is_not_found(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    [mine] = await placements.targets(1)
    theirs = await placements.target("B1")
    result = await placements.place([mine, theirs])
    assert codes(result) == ["NOT_FOUND"] and "recruitIds.1" in result["errors"][0]["message"]
    result = await placements.place([mine], account="other_school_admin")
    assert codes(result) == ["NOT_FOUND"]
    result = await placements.place([mine], unit="B1", account="school_admin")
    assert codes(result) == ["NOT_FOUND"]
    # Not an id of a recruit at all: NOT_FOUND naming the position too.
    result = await placements.place([mine, world.gid("A1a")])
    assert codes(result) == ["NOT_FOUND"] and "recruitIds.1" in result["errors"][0]["message"]
    assert await placements.named_total() == 0


async def test_an_admitted_recruit_keeps_his_place_consumed(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    first, second, third = await placements.targets(3)
    await placements.place([first, second])
    await placements.admit(first)
    refused = payload(await placements.place([second, third]))
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("PLACE_CONSUMED", "recruitIds")
    ]
    kept = payload(await placements.place([first, third]))["namedTargets"]
    assert [(n["placed"], n["consumed"]) for n in kept["names"]] == [(True, True), (True, False)]
    # Admitted at the branch without a name: his admission used a place, which he may be
    # placed on after the fact though he is no longer a development target.
    await placements.admit(third)
    assert payload(await placements.place([first, third]))["errors"] == []
    assert await placements.drift() == []


async def test_names_left_on_a_transfer_free_their_place(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    first, second = await placements.targets(2)
    await placements.place([first, second])
    await placements.name([first])
    await placements.records.sql(
        "UPDATE recruits SET branch_id = :b, unit_path = (SELECT path FROM units WHERE id = :b)"
        " WHERE id = :r",
        b=world.units["A1b"],
        r=raw_id(first),
    )
    assert await placements.named_total() == 1
    view = await placements.gql(
        VIEW, {"p": placements.period, "u": world.gid("A1a")}, world.tokens["branch_secretary"]
    )
    assert [n["recruitId"] for n in view["data"]["namedTargets"]["names"]] == [second]
    assert await placements.drift() == []


async def test_a_movement_may_not_take_places_from_under_the_names(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    await placements.place(await placements.targets(2))
    give_back = await placements.gql(
        """mutation($p: ID!, $u: ID!) { returnQuota(input: {periodId: $p, unitId: $u,
        amounts: {total: 1}, reason: "调整", documentNo: "x"}) { errors { code field shortfall } } }""",
        {"p": placements.period, "u": world.gid("A1a")},
        world.tokens["unit_admin"],
    )
    assert payload(give_back)["errors"] == [
        {"code": "SHORTFALL", "field": "amounts", "shortfall": 1}
    ]
    reserve = await placements.gql(
        """mutation($p: ID!, $u: ID!) { setReserve(input: {periodId: $p, unitId: $u,
        reserve: {total: 1}}) { errors { code shortfall } } }""",
        {"p": placements.period, "u": world.gid("A1a")},
        world.tokens["unit_admin"],
    )
    assert payload(reserve)["errors"] == [{"code": "SHORTFALL", "shortfall": 1}]
    # Once a name is dropped, the place may go.
    [kept] = (await placements.targets(1))[:1]
    await placements.place([kept])
    again = await placements.gql(
        """mutation($p: ID!, $u: ID!) { returnQuota(input: {periodId: $p, unitId: $u,
        amounts: {total: 1}, reason: "调整", documentNo: "x"}) { errors { code } } }""",
        {"p": placements.period, "u": world.gid("A1a")},
        world.tokens["unit_admin"],
    )
    assert payload(again)["errors"] == []


async def test_a_closed_or_draft_period_is_refused(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    [recruit] = await placements.targets(1)
    await placements.records.sql("UPDATE plan_periods SET state = 'closed'")
    refused = payload(await placements.place([recruit]))
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("PERIOD_CLOSED", "periodId")]


def test_every_error_field_is_a_place_of_the_input() -> None:
    from support_inputs import error_codes, unresolved

    sent = {"periodId": "p", "unitId": "u", "recruitIds": ["a", "b", "c"]}
    for mutation in ("placeQuota", "nameForecast"):
        for field in ("periodId", "unitId", "recruitIds", "recruitIds.2"):
            assert unresolved(mutation, field, sent) is None, (mutation, field)
        assert unresolved(mutation, "recruitIds.3", sent) is not None
        assert {"SHORTFALL", "NOT_A_DEVELOPMENT_TARGET", "PLACE_CONSUMED"} <= error_codes(mutation)
