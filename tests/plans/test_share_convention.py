"""Shares are fractions (docs/architecture.md, "Shares and rates"): a structural target's
minimum share is given and read as ``minShare`` (0.8 is 80 %); the deprecated
``minSharePercent`` (0–100) still works and always agrees with it. Both given must agree, to
the precision kept (a percentage to 2 places), else the target is refused naming
``targets.N.minShare``. The usual access tests of issuePlan and allocateQuota are in
test_plan_flow.py."""

from __future__ import annotations

import json
from typing import Any

import httpx

TARGETS = """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
  targets { indicator minCount minShare minSharePercent } } }"""
ISSUE = """mutation($input: IssuePlanInput!) {
  issuePlan(input: $input) { movement { id } errors { code field message } } }"""
ALLOCATE = """mutation($input: AllocateQuotaInput!) {
  allocateQuota(input: $input) { movement { id } errors { code field message } } }"""


def _issue(period_id: str, world: Any, targets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "input": {
            "periodId": period_id,
            "schoolId": world.gid("A"),
            "amounts": {"total": 10},
            "documentNo": "晋教工委组〔2023〕23号",
            "targets": targets,
        }
    }


async def _targets(plans, unit: str, period_id: str) -> dict[str, tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    result = await plans.gql(
        TARGETS,
        {"u": plans.world.gid(unit), "p": period_id},
        plans.world.tokens["school_admin"],
    )
    assert "errors" not in result, result
    return {
        t["indicator"]: (t["minCount"], t["minShare"], t["minSharePercent"])
        for t in result["data"]["plan"]["targets"]
    }


async def test_either_spelling_is_stored_once_and_read_both_ways(plans, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.ok(
        ISSUE,
        _issue(
            period_id,
            world,
            [
                {"indicator": "YOUTH_35", "minShare": 0.8},
                {"indicator": "WOMEN", "minSharePercent": 30},
                {"indicator": "COLLEGE_EDUCATED", "minShare": 0.25, "minSharePercent": 25.0},
                # Agreeing at the precision kept: 33.33 % either way.
                {"indicator": "ETHNIC_MINORITY", "minShare": 0.3333, "minSharePercent": 33.33},
                # Beyond 4 places a share is rounded as a percentage always was (halves up).
                {"indicator": "PROFESSIONAL_TECHNICAL", "minCount": 2, "minShare": 0.12345},
            ],
        ),
        "commission_admin",
    )
    assert await _targets(plans, "A", period_id) == {
        "YOUTH_35": (None, 0.8, 80.0),
        "WOMEN": (None, 0.3, 30.0),
        "COLLEGE_EDUCATED": (None, 0.25, 25.0),
        "ETHNIC_MINORITY": (None, 0.3333, 33.33),
        "PROFESSIONAL_TECHNICAL": (2, 0.1235, 12.35),
    }
    # A second batch replaces a target: 0.07 is 7 %, not the float 7.000000000000001.
    await plans.ok(
        ISSUE,
        _issue(period_id, world, [{"indicator": "WOMEN", "minShare": 0.07}]),
        "commission_admin",
    )
    assert (await _targets(plans, "A", period_id))["WOMEN"] == (None, 0.07, 7.0)

    # Down the tree through allocateQuota, and a later target replacing an earlier one.
    allocation = {
        "periodId": period_id,
        "fromUnitId": world.gid("A"),
        "toUnitId": world.gid("A1"),
        "amounts": {"total": 4},
    }
    for targets in (
        [{"indicator": "WOMEN", "minSharePercent": 50}],
        [{"indicator": "WOMEN", "minShare": 0.4}, {"indicator": "YOUTH_35", "minShare": 1}],
    ):
        await plans.ok(ALLOCATE, {"input": {**allocation, "targets": targets}}, "school_admin")
    assert await _targets(plans, "A1", period_id) == {
        "WOMEN": (None, 0.4, 40.0),
        "YOUTH_35": (None, 1.0, 100.0),
    }


async def test_a_share_out_of_range_or_in_disagreement_is_refused_by_name(plans, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 10)
    for targets, field in (
        ([{"indicator": "WOMEN", "minShare": 0.8, "minSharePercent": 8}], "targets.0.minShare"),
        (
            [
                {"indicator": "YOUTH_35", "minCount": 1},
                {"indicator": "WOMEN", "minShare": 0.3334, "minSharePercent": 33.33},
            ],
            "targets.1.minShare",
        ),
        ([{"indicator": "WOMEN", "minShare": 80}], "targets.0.minShare"),
        ([{"indicator": "WOMEN", "minShare": -0.1}], "targets.0.minShare"),
        ([{"indicator": "WOMEN", "minSharePercent": -1}], "targets.0.minSharePercent"),
    ):
        allocation = {
            "periodId": period_id,
            "fromUnitId": world.gid("A"),
            "toUnitId": world.gid("A1"),
            "amounts": {"total": 1},
            "targets": targets,
        }
        result = await plans.gql(ALLOCATE, {"input": allocation}, world.tokens["school_admin"])
        payload = result["data"]["allocateQuota"]
        assert payload["movement"] is None, targets
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [
            ("INVALID_TARGET", field)
        ], targets
    assert await _targets(plans, "A1", period_id) == {}  # nothing was written


async def test_a_share_that_is_no_number_is_refused_by_name(
    plans, world, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    # JSON has no NaN nor Infinity, but Python's reader takes them: the Float is refused.
    period_id = await plans.period()
    for value in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps(
            {"query": ISSUE, "variables": _issue(period_id, world, [{"indicator": "WOMEN"}])}
        ).replace('{"indicator": "WOMEN"}', f'{{"indicator": "WOMEN", "minShare": {value}}}')
        response = await client.post(
            "/graphql",
            content=body.encode(),
            headers={
                "Authorization": f"Bearer {world.tokens['commission_admin']}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.text
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "minShare" in error["message"], error
    assert await _targets(plans, "A", period_id) == {}
