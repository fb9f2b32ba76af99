"""The rules a step is judged by are cached by content (resolvers/recruits/service/procedure.py,
``rules_by_date`` in rules/overlays.py): an overlay changed between two requests governs the
second, a change back is honoured too, and two commissions storing the same overlay id with
different rules each get their own."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import sqlalchemy as sa
from support import id_number
from support_recruits import create, step

from partyplan.resolvers.recruits.rules.overlays import (
    EXAMPLE_ACTIVIST_WAIT_6M,
    EXAMPLE_PUBLICITY_5WD,
    Overlay,
    RulesByDate,
    resolve_rules,
    rules_by_date,
)
from partyplan.resolvers.recruits.rules.serialization import overlay_to_json
from partyplan.resolvers.recruits.rules.table import MinInterval, Period

SET_OVERLAY = """mutation($c: ID!, $o: JSON!) { setRuleOverlay(input: {commissionId: $c, overlay: $o}) {
  overlay { id } errors { code field message } } }"""

OVERLAY_ID = "local-activist-wait"
# Applied 2022-09-15 (support_recruits.person): four months before, so a 6-month wait refuses it
# and a 3-month one accepts it.
ACTIVIST_ON = date(2023, 1, 15)


def _wait(months: int, province: str = "14") -> dict[str, Any]:
    rule = dataclasses.replace(
        EXAMPLE_ACTIVIST_WAIT_6M, check=MinInterval("application", Period(months=months))
    )
    return overlay_to_json(
        Overlay(
            id=OVERLAY_ID, title="积极分子的等待期", document="x", province=province, rules=(rule,)
        )
    )


async def _store(
    gql, world, body: dict[str, Any], commission="commission", admin="commission_admin"
):  # type: ignore[no-untyped-def]
    result = await gql(SET_OVERLAY, {"c": world.gid(commission), "o": body}, world.tokens[admin])
    assert result["data"]["setRuleOverlay"]["errors"] == [], result


async def _talked(gql, world, sequence: int, account="branch_secretary", branch="A1a") -> str:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world, account, branch, idNumber=id_number("20030504", sequence)))[
        "recruit"
    ]["id"]
    await step(gql, world, recruit, "talk", date(2022, 10, 10), {"talked_by": "书记"}, account)
    return recruit


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["errors"]]


async def test_an_overlay_changed_between_two_steps_governs_the_second(gql, world) -> None:  # type: ignore[no-untyped-def]
    first, second = await _talked(gql, world, 21), await _talked(gql, world, 22)
    await _store(gql, world, _wait(6))
    early = await step(gql, world, first, "activist", ACTIVIST_ON, {}, "branch_secretary")
    assert _codes(early) == ["RULE_VIOLATION"]
    assert EXAMPLE_ACTIVIST_WAIT_6M.id in early["errors"][0]["message"]

    await _store(gql, world, _wait(3))  # same overlay id, same rule id: only the content differs
    accepted = await step(gql, world, first, "activist", ACTIVIST_ON, {}, "branch_secretary")
    assert accepted["errors"] == [] and accepted["recruit"]["stage"] == "ACTIVIST"

    await _store(gql, world, _wait(6))  # back to a content seen (and cached) before
    again = await step(gql, world, second, "activist", ACTIVIST_ON, {}, "branch_secretary")
    assert _codes(again) == ["RULE_VIOLATION"]


async def test_commissions_with_the_same_overlay_id_keep_their_own_rules(  # type: ignore[no-untyped-def]
    gql, world, owner_engine
) -> None:
    async with owner_engine.begin() as conn:
        world.units["C1"] = await conn.scalar(
            sa.text(
                "INSERT INTO units (kind, name, parent_id, path) "
                "VALUES ('branch', '丙校第一党支部', :p, '0') RETURNING id"
            ),
            {"p": world.units["C"]},
        )
    await _store(gql, world, _wait(6))
    await _store(gql, world, _wait(3, "50"), "commission2", "other_commission_admin")
    here = await _talked(gql, world, 31)
    there = await _talked(gql, world, 32, "other_commission_admin", "C1")
    for _ in range(2):  # each judged after the other's rules were resolved (and cached)
        refused = await step(gql, world, here, "activist", ACTIVIST_ON, {}, "branch_secretary")
        assert _codes(refused) == ["RULE_VIOLATION"]
    accepted = await step(gql, world, there, "activist", ACTIVIST_ON, {}, "other_commission_admin")
    assert accepted["errors"] == [] and accepted["recruit"]["stage"] == "ACTIVIST"
    refused = await step(gql, world, here, "activist", ACTIVIST_ON, {}, "branch_secretary")
    assert _codes(refused) == ["RULE_VIOLATION"]


def test_rules_by_date_is_resolve_rules_on_every_day() -> None:
    """Spans cut at every effective date: each day gets the set resolve_rules builds for it."""
    later = Overlay(
        id="later",
        title="t",
        document="x",
        province="14",
        effective_from=date(2024, 3, 1),
        rules=(EXAMPLE_ACTIVIST_WAIT_6M,),
    )
    school_only = dataclasses.replace(
        later,
        id="school",
        school="7",
        effective_from=date(2024, 6, 1),
        rules=(EXAMPLE_PUBLICITY_5WD,),
    )
    pool = (later, school_only)
    days = [date(2023, 3, 26), date(2023, 3, 27), date(2024, 2, 29), date(2024, 3, 1)]
    days += [date(2024, 5, 31), date(2024, 6, 1), date(2030, 1, 1), date.min, date.max]
    for school in ("7", "8", None):
        spans = RulesByDate("14", school, pool)
        for day in days:
            expected = resolve_rules("14", school, overlays=pool, as_of=day)
            assert spans.on(day) == expected and spans.on(day).version == expected.version
    assert rules_by_date("14", "7", pool) is rules_by_date("14", "7", pool)
    changed = (later, dataclasses.replace(school_only, rules=()))
    assert rules_by_date("14", "7", changed) is not rules_by_date("14", "7", pool)
    assert (
        rules_by_date("14", "7", changed).on(date(2025, 1, 1)).rules
        != rules_by_date("14", "7", pool).on(date(2025, 1, 1)).rules
    )
