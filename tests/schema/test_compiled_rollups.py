"""A compiled ``rollup`` answers as the ordinary executor does: random quotas and forecasts on
every unit, random admissions (and recruits at every stage) in random branches, asked by every
kind of caller for every unit of both provinces; and ``completionRate`` rounds in SQL exactly as
``service.ratio`` rounds in Python, ties included."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import gid
from support_compiled import ACCOUNTS, ENDS, STARTS, UNITS, ask_alike, both, random_plan
from support_records import Records

from partyplan.resolvers.rollups import service

AMOUNTS = "{ total students staff highKnowledge __typename }"
ROLLUP = f"""query ProvinceRollup($unit: ID!, $period: ID!) {{
  rollup(unitId: $unit, periodId: $period) {{
    __typename
    line {{ ...Line }}
    children {{ ...Line again: unitName }}
    mine: line {{ plan }}
  }}
}}
fragment Line on RollupLine {{
  unitId unitName unitKind plan forecastRemark admitted admittedExempt completionRate
  openFindings placedOnNames namesWithoutPlace __typename
  structure {{ women ethnicMinority youth35 collegeEducated students staff highKnowledge
              professionalTechnical }}
  pipeline {{ applicants activists developmentTargets probationary converted __typename }}
  received {AMOUNTS} handedDown {AMOUNTS} reserve {AMOUNTS} forecast {AMOUNTS}
  ownForecast {AMOUNTS} childrenForecast {AMOUNTS}
}}"""
DOCUMENTS = {"rollup": ROLLUP}


@pytest.fixture
def records(owner_engine, world) -> Records:  # type: ignore[no-untyped-def]
    """One for every example of a test: its periods are numbered apart."""
    return Records(owner_engine, world)


def units_of(n: int) -> st.SearchStrategy[str]:
    """One of the first ``n`` units of ``UNITS`` (8: the first province's), or an unknown id."""
    return st.sampled_from(UNITS[:n]) | st.just("VW5pdDo5OTk5")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_a_compiled_rollup_answers_as_the_ordinary_executor(  # type: ignore[no-untyped-def]
    data, http, world, records
) -> None:
    period = await records.period(STARTS, ENDS)
    await random_plan(data, records, world, period)
    # The province (Q1), then a unit the commission may read, then anyone asks for anything.
    asked = [("commission_admin", "commission"), ("commission_admin", data.draw(units_of(8)))]
    for _ in range(data.draw(st.integers(0, 2))):
        asked.append((data.draw(st.sampled_from((*ACCOUNTS, None))), data.draw(units_of(10))))
    await ask_alike(data, http, world, ROLLUP, period, asked)


async def test_a_province_rollup_comes_from_sql(http, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    records = Records(owner_engine, world)
    period = await records.period(STARTS, ENDS)
    await records.quota(period, "A", 32)
    await records.admitted(1, date(2025, 3, 1), "A1a")  # 1/32: a tie, rounded to even
    variables = {"unit": world.gid("commission"), "period": gid("PlanPeriod", period)}
    answered = http.compiled.answered
    ordinary, known = await both(http, world, "commission_admin", ROLLUP, variables)
    assert "errors" not in ordinary and known == ordinary
    assert http.compiled.answered == answered + 1
    school = {c["unitName"]: c for c in known["data"]["rollup"]["children"]}["学校甲党委"]
    assert (school["plan"], school["admitted"], school["completionRate"]) == (32, 1, 0.0312)


@pytest.mark.parametrize("part_range", [range(0, 41), range(9990, 10011)])
async def test_completion_rates_round_alike_in_sql(owner_engine, part_range) -> None:  # type: ignore[no-untyped-def]
    """Every quotient of small counts, the ties among them (1/32, 3/32, 1/80, 1/20000…)."""
    wholes = [*range(0, 161), 20000, 40000, 160000]
    pairs = [(a, b) for a in part_range for b in wholes]
    part, whole = sa.column("part", sa.Integer), sa.column("whole", sa.Integer)
    values = sa.values(part, whole, name="pairs").data(pairs)
    stmt = sa.select(
        values.c.part, values.c.whole, service.ratio_sql(values.c.part, values.c.whole)
    )
    async with owner_engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    differing = [(a, b, got) for a, b, got in rows if got != service.ratio(a, b)]
    assert differing == []
    assert (service.ratio(1, 32), service.ratio(3, 32), service.ratio(1, 20000)) == (
        0.0312,
        0.0938,
        0,
    )
