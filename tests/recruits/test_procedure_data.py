"""The commission edits its procedure as data: the working-day calendar and rule overlays."""

from __future__ import annotations

import copy
from datetime import date

from support_inputs import unresolved
from support_recruits import create, step

from partyplan.resolvers.recruits.rules.overlays import (
    EXAMPLE_ACTIVIST_WAIT_6M,
    EXAMPLE_PUBLICITY_5WD,
    Overlay,
)
from partyplan.resolvers.recruits.rules.serialization import overlay_to_json

SET_CALENDAR = """mutation($input: SetWorkingCalendarInput!) { setWorkingCalendar(input: $input) {
  calendar { year holidays makeupWorkdays } errors { code field } } }"""
SET_OVERLAY = """mutation($c: ID!, $o: JSON!) { setRuleOverlay(input: {commissionId: $c, overlay: $o}) {
  overlay { id province } errors { code field message } } }"""


async def test_the_commission_sets_the_calendar_everyone_reads_it(gql, world) -> None:  # type: ignore[no-untyped-def]
    national_day = [f"2023-10-0{d}" for d in range(1, 7)] + ["2023-09-29", "2023-09-30"]
    calendar = {
        "commissionId": world.gid("commission"),
        "year": 2023,
        "holidays": national_day,
        "makeupWorkdays": ["2023-10-07", "2023-10-08"],
    }
    result = await gql(SET_CALENDAR, {"input": calendar}, world.tokens["commission_admin"])
    assert result["data"]["setWorkingCalendar"]["errors"] == []
    read = await gql(
        "query($u: ID!) { workingCalendar(unitId: $u, year: 2023) { holidays makeupWorkdays } }",
        {"u": world.gid("A1a")},
        world.tokens["branch_secretary"],
    )
    assert read["data"]["workingCalendar"] == {
        "holidays": sorted(national_day),
        "makeupWorkdays": ["2023-10-07", "2023-10-08"],
    }
    for bad, field in (
        ({"makeupWorkdays": ["2023-10-07", "2023-10-09"]}, "makeupWorkdays.1"),  # a Monday
        ({"makeupWorkdays": ["2023-10-01"]}, "makeupWorkdays.0"),  # a holiday too
        ({"holidays": [*national_day, "2024-01-01"]}, "holidays.8"),
    ):
        sent = {**calendar, **bad}
        refused = await gql(SET_CALENDAR, {"input": sent}, world.tokens["commission_admin"])
        errors = refused["data"]["setWorkingCalendar"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_CALENDAR", field)]
        assert unresolved("setWorkingCalendar", field, sent) is None


async def test_a_stored_overlay_governs_later_steps(gql, world) -> None:  # type: ignore[no-untyped-def]
    overlay = Overlay(
        id="xz-2023-activist-wait",
        title="入党申请满 6 个月方可确定为积极分子",
        document="晋教工委组〔2023〕23号",
        province="14",
        rules=(EXAMPLE_ACTIVIST_WAIT_6M,),
    )
    body = overlay_to_json(overlay)
    wrong = await gql(
        SET_OVERLAY,
        {"c": world.gid("commission"), "o": {**body, "province": "50"}},
        world.tokens["commission_admin"],
    )
    assert [(e["code"], e["field"]) for e in wrong["data"]["setRuleOverlay"]["errors"]] == [
        ("INVALID_OVERLAY", "overlay.province")
    ]
    malformed = await gql(
        SET_OVERLAY,
        {"c": world.gid("commission"), "o": {**body, "format": 9}},
        world.tokens["commission_admin"],
    )
    assert malformed["data"]["setRuleOverlay"]["errors"][0]["code"] == "INVALID_OVERLAY"
    # A bad value deep in the document: named by its path in the overlay input.
    deep = copy.deepcopy(body)
    deep["rules"][0]["check"]["period"]["months"] = -6
    refused = await gql(
        SET_OVERLAY, {"c": world.gid("commission"), "o": deep}, world.tokens["commission_admin"]
    )
    [error] = refused["data"]["setRuleOverlay"]["errors"]
    assert error["field"] == "overlay.rules.0.check.period.months"
    sent = {"commissionId": world.gid("commission"), "overlay": deep}
    assert unresolved("setRuleOverlay", error["field"], sent) is None

    recruit = (await create(gql, world))["recruit"]["id"]  # applied 2022-09-15
    await step(
        gql, world, recruit, "talk", date(2022, 10, 10), {"talked_by": "书记"}, "branch_secretary"
    )
    stored = await gql(
        SET_OVERLAY, {"c": world.gid("commission"), "o": body}, world.tokens["commission_admin"]
    )
    assert stored["data"]["setRuleOverlay"]["overlay"] == {
        "id": "xz-2023-activist-wait",
        "province": "14",
    }
    early = await step(gql, world, recruit, "activist", date(2023, 1, 10), {}, "branch_secretary")
    assert [e["code"] for e in early["errors"]] == ["RULE_VIOLATION"]
    assert EXAMPLE_ACTIVIST_WAIT_6M.id in early["errors"][0]["message"]
    on_time = await step(gql, world, recruit, "activist", date(2023, 3, 20), {}, "branch_secretary")
    assert on_time["errors"] == [] and on_time["recruit"]["stage"] == "ACTIVIST"

    listed = await gql(
        "query($u: ID!) { ruleOverlays(unitId: $u) { id } }",
        {"u": world.gid("A1a")},
        world.tokens["branch_secretary"],
    )
    assert "xz-2023-activist-wait" in [o["id"] for o in listed["data"]["ruleOverlays"]]


async def test_publicity_dates_are_recorded_and_counted(gql, world) -> None:  # type: ignore[no-untyped-def]
    """Publicity dates travel as JSON text: recorded, stored and re-judged by every later
    derivation; too short a publicity is refused with its field, and nothing is written."""
    overlay = Overlay(
        id="xz-publicity",
        title="公示不少于5个工作日",
        document="x",
        province="14",
        rules=(EXAMPLE_PUBLICITY_5WD,),
    )
    stored = await gql(
        SET_OVERLAY,
        {"c": world.gid("commission"), "o": overlay_to_json(overlay)},
        world.tokens["commission_admin"],
    )
    assert stored["data"]["setRuleOverlay"]["errors"] == []
    recruit = (await create(gql, world))["recruit"]["id"]  # applied 2022-09-15
    await step(
        gql, world, recruit, "talk", date(2022, 10, 10), {"talked_by": "书记"}, "branch_secretary"
    )
    four_days = {"publicity_from": "2023-03-06", "publicity_to": "2023-03-09"}
    short = await step(
        gql, world, recruit, "activist", date(2023, 3, 20), four_days, "branch_secretary"
    )
    assert [(e["code"], e["field"]) for e in short["errors"]] == [
        ("RULE_VIOLATION", "data.publicity_to")
    ]
    malformed = await step(
        gql,
        world,
        recruit,
        "activist",
        date(2023, 3, 20),
        {**four_days, "publicity_from": "6 March"},
        "branch_secretary",
    )
    assert [(e["code"], e["field"]) for e in malformed["errors"]] == [
        ("RULE_VIOLATION", "data.publicity_from")
    ]
    five_days = {"publicity_from": "2023-03-06", "publicity_to": "2023-03-10"}
    done = await step(
        gql, world, recruit, "activist", date(2023, 3, 20), five_days, "branch_secretary"
    )
    assert done["errors"] == [] and done["recruit"]["stage"] == "ACTIVIST"
    # The next step re-derives the recruit from its stored history, publicity included.
    later = await step(gql, world, recruit, "activist_filing", date(2023, 3, 25), {}, "unit_admin")
    assert later["errors"] == [] and later["recruit"]["stage"] == "ACTIVIST"
    read = await gql(
        "query($r: ID!) { node(id: $r) { ... on Recruit { steps { step data } } } }",
        {"r": recruit},
        world.tokens["branch_secretary"],
    )
    steps = {s["step"]: s["data"] for s in read["data"]["node"]["steps"]}
    assert steps["ACTIVIST"] == five_days
