"""A compiled ``plan`` answers as the ordinary executor does: random balances, forecasts (with
their remarks and times) and admissions, on a tree grown at random below the schools (children
active and not, with and without a balance), asked by every kind of caller for every unit; a
line's ``unit`` is null exactly where the unit loader says so; and the plan's lines cost one
statement after the checks, whatever the number of children."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from conftest import create_account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import gid, statements_run
from support_compiled import (
    ACCOUNTS,
    ENDS,
    QUOTA_UNITS,
    STARTS,
    UNITS,
    ask_alike,
    both,
    document_id,
    random_plan,
)
from support_records import Records

AMOUNTS = "{ total students staff highKnowledge __typename }"
PLAN = f"""query BranchTable($unit: ID!, $period: ID!) {{
  plan(unitId: $unit, periodId: $period) {{
    __typename
    line {{ ...Line }}
    children {{ ...Line again: unitName }}
    own: line {{ available {{ total }} }}
    childrenForecast {AMOUNTS}
    childrenReceived {{ total students }}
    received: childrenReceived {{ highKnowledge }}
  }}
}}
fragment Line on PlanLine {{
  __typename position unitName admitted
  received {AMOUNTS} handedDown {AMOUNTS} reserve {AMOUNTS} available {AMOUNTS}
  subtreeForecast {AMOUNTS}
  forecast {{ __typename amounts {AMOUNTS} remark submittedAt }}
  unit {{ __typename id kind name code active regionCode }}
}}"""
# The plan's period, unit and targets, and a line's feasible admissions, are not compiled.
NOT_COMPILED = {
    "period": "query P($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) { period { id } } }",
    "targets": "query P($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {"
    " targets { minCount } } }",
    "feasible": "query P($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {"
    " line { feasibleAdmissions { __typename } } } }",
}
DOCUMENTS = {"plan": PLAN, **NOT_COMPILED}
_SERIAL = itertools.count(1)


@pytest.fixture
def records(owner_engine, world) -> Records:  # type: ignore[no-untyped-def]
    """One for every example of a test: its periods are numbered apart."""
    return Records(owner_engine, world)


async def grow_children(owner_engine, world, data) -> list[str]:  # type: ignore[no-untyped-def]
    """Children drawn below the schools' units (some inactive, some coded): their keys."""
    drawn = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["committee", "branch"]),
                st.sampled_from(["A", "A1", "B"]),
                st.booleans(),
                st.booleans(),
            ),
            max_size=4,
        )
    )
    grown = []
    async with owner_engine.begin() as conn:
        for kind, parent, active, coded in drawn:
            key = f"plan-grown{next(_SERIAL)}"
            world.units[key] = await conn.scalar(
                sa.text(
                    "INSERT INTO units (kind, name, code, parent_id, path, active)"
                    " VALUES (:k, :n, :c, :p, '0', :a) RETURNING id"
                ),
                {
                    "k": kind,
                    "n": f'随机"{kind}"{key}',
                    "c": key if coded else None,
                    "p": world.units[parent],
                    "a": active,
                },
            )
            grown.append(key)
    return grown


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_a_compiled_plan_answers_as_the_ordinary_executor(  # type: ignore[no-untyped-def]
    data, http, world, owner_engine, records
) -> None:
    period = await records.period(STARTS, ENDS)
    grown = await grow_children(owner_engine, world, data)
    await random_plan(data, records, world, period, [*QUOTA_UNITS, *grown])
    units = st.sampled_from([*UNITS, *grown]) | st.just("VW5pdDo5OTk5")
    # A school's branch table (Q2), then anyone asks for anything.
    asked = [("school_admin", "A")]
    for _ in range(data.draw(st.integers(1, 3))):
        asked.append((data.draw(st.sampled_from((*ACCOUNTS, None))), data.draw(units)))
    await ask_alike(data, http, world, PLAN, period, asked)


async def test_a_branch_table_comes_from_sql_with_null_units_out_of_reach(  # type: ignore[no-untyped-def]
    http, world, owner_engine
) -> None:
    records = Records(owner_engine, world)
    period = await records.period(STARTS, ENDS)
    await records.quota(period, "A", 12)
    await records.admitted(2, STARTS, "A1a")
    variables = {"unit": world.gid("A"), "period": gid("PlanPeriod", period)}
    answered = http.compiled.answered
    ordinary, known = await both(http, world, "school_admin", PLAN, variables)
    assert "errors" not in ordinary and known == ordinary
    assert http.compiled.answered == answered + 1
    plan = known["data"]["plan"]
    assert (plan["line"]["position"], plan["line"]["admitted"]) == (0, 2)
    assert plan["line"]["available"]["total"] == 12 and plan["own"]["available"]["total"] == 12
    assert [c["position"] for c in plan["children"]] == list(range(1, len(plan["children"]) + 1))
    assert plan["line"]["unit"]["id"] == world.gid("A")
    # The commission reads the school's plan; a unit loader would read each unit too.
    ordinary, known = await both(http, world, "commission_admin", PLAN, variables)
    assert "errors" not in ordinary and known == ordinary


async def test_a_plan_asking_for_more_runs_as_before(http, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    records = Records(owner_engine, world)
    period = await records.period(STARTS, ENDS)
    variables = {"u": world.gid("A"), "p": gid("PlanPeriod", period)}
    for text in NOT_COMPILED.values():
        assert http.compiled.compiled(text, None) is None
        ordinary, known = await both(http, world, "school_admin", text, variables)
        assert "errors" not in ordinary and known == ordinary


async def test_a_compiled_plan_runs_one_statement_after_the_checks(  # type: ignore[no-untyped-def]
    http, world, owner_engine, platform
) -> None:
    """The bind, the period, the unit, the lines: whatever the number of children."""
    records = Records(owner_engine, world)
    period = await records.period(STARTS, ENDS)
    headers = {"Authorization": f"Bearer {world.tokens['school_admin']}"}
    variables = {"unit": world.gid("A"), "period": gid("PlanPeriod", period)}
    counts = []
    for _ in range(2):
        with statements_run(platform) as statements:
            response = await http.post(
                "/graphql",
                json={"documentId": document_id(PLAN), "variables": variables},
                headers=headers,
            )
        assert "errors" not in response.json()
        counts.append((len(response.json()["data"]["plan"]["children"]), len(statements)))
        await _a_child_below(owner_engine, world)
    (few, first), (more, second) = counts
    assert more == few + 1 and first == second == 4, counts


async def _a_child_below(owner_engine, world) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO units (kind, name, parent_id, path) VALUES ('branch', :n, :p, '0')"
            ),
            {"n": f"新支部{next(_SERIAL)}", "p": world.units["A"]},
        )


async def test_a_role_that_reads_plans_but_not_units_is_refused_alike(  # type: ignore[no-untyped-def]
    http, world, owner_engine, platform
) -> None:
    """Roles are data. A plan needs ``unit.read`` at its unit, which covers every line's unit
    (each lies in its subtree): a line's ``unit`` is null only where that changes, and the SQL
    tests it as the unit loader does. A role without it gets the same FORBIDDEN either way."""
    records = Records(owner_engine, world)
    period = await records.period(STARTS, ENDS)
    await records.quota(period, "A", 5)
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO roles (name, title_zh, rank, permissions, bindable_kinds)"
                " VALUES ('plan_only', '计划查看', 5, ARRAY['plan.read'], ARRAY['school'])"
                " ON CONFLICT (name) DO NOTHING"
            )
        )
        user = await create_account(conn, "plan-only", world.units["A"], "plan_only")
    world.tokens["plan_only"] = platform.tokens.mint(str(user), 600)
    try:
        variables = {"unit": world.gid("A"), "period": gid("PlanPeriod", period)}
        ordinary, known = await both(http, world, "plan_only", PLAN, variables)
        assert known == ordinary
        assert ordinary["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert ordinary["errors"][0]["path"] == ["plan"]
    finally:
        async with owner_engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM role_bindings WHERE role = 'plan_only'"))
            await conn.execute(sa.text("DELETE FROM roles WHERE name = 'plan_only'"))
