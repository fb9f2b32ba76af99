"""The admission columns of recruits recorded before migration 0022 added them.

Such a recruit has them NULL until its next derivation: it is missing from
``feasibleAdmissions``. ``partyplan recruits rederive`` (and ``db upgrade``, which runs its
``--missing-only`` form after migrating) derives them as recording does: the same values, written
only where they were missing, idempotent, one commission when asked
(tests/migrations/test_admission_columns.py: ``db upgrade`` of a 0021 database)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from support import gid, raw_id, run_cli
from support_feasibility import TODAY, activist_steps, target_steps, walked
from support_records import Records

from partyplan.resolvers.recruits.rules.calendar import add_months

COLUMNS = "admission_earliest_on, admission_possible_until, admission_steps_left"
FEASIBLE = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { feasibleAdmissions { count earliestDates { on count } } } } }"""


async def columns(engine, ids: list[int]) -> dict[int, tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text(f"SELECT id, {COLUMNS}, updated_at FROM recruits WHERE id = ANY(:ids)"),
            {"ids": ids},
        )
        return {r.id: tuple(r[1:]) for r in rows}


@pytest.fixture
async def recorded(gql, world, owner_engine):  # type: ignore[no-untyped-def]
    """Recruits of A1a recorded through the API (a development target admissible today, an
    activist whose year ends in the period, an applicant), then the columns of the first two
    put back to NULL, as on an installation that recorded them before 0022."""
    period = await Records(owner_engine, world).period(
        TODAY - timedelta(days=300), TODAY + timedelta(days=60), kind="custom"
    )
    target = await walked(
        gql,
        world,
        21,
        target_steps(add_months(TODAY, -14), add_months(TODAY, -2), TODAY - timedelta(days=30)),
    )
    activist = await walked(gql, world, 22, activist_steps(add_months(TODAY, -11)))
    applicant = await walked(gql, world, 23, [("talk", TODAY - timedelta(days=5))])
    ids = {
        "target": raw_id(target),
        "activist": raw_id(activist),
        "applicant": raw_id(applicant),
    }
    derived = await columns(owner_engine, list(ids.values()))
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE recruits SET admission_earliest_on = NULL,"
                " admission_possible_until = NULL, admission_steps_left = NULL"
                " WHERE id = ANY(:ids)"
            ),
            {"ids": [ids["target"], ids["activist"]]},
        )
    return {"period": period, "ids": ids, "derived": derived}


async def feasible(gql, world, period: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await gql(
        FEASIBLE,
        {"u": world.gid("A1a"), "p": gid("PlanPeriod", period)},
        world.tokens["school_admin"],
    )
    assert "errors" not in result, result
    return result["data"]["rollup"]["line"]["feasibleAdmissions"]


async def test_rederive_restores_what_recording_stored(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, owner_url, settings, recorded
) -> None:
    before = await feasible(gql, world, recorded["period"])
    assert before["count"] == 0  # both admissible recruits are missing: what 0022 left

    done = run_cli(settings, owner_url, "recruits", "rederive", "--missing-only")
    assert done.returncode == 0, done.stderr
    assert "2 recruit(s) re-derived" in done.stdout, done.stdout

    ids = recorded["ids"]
    now = await columns(owner_engine, list(ids.values()))
    for name in ("target", "activist"):
        assert now[ids[name]][:3] == recorded["derived"][ids[name]][:3], name
        assert now[ids[name]][0] is not None, name
    # The applicant's columns were there: not rewritten (its updated_at is as recording left it).
    assert now[ids["applicant"]] == recorded["derived"][ids["applicant"]]

    after = await feasible(gql, world, recorded["period"])
    assert after["count"] == 2
    assert after["earliestDates"] == [
        {"on": TODAY.isoformat(), "count": 1},
        {"on": add_months(add_months(TODAY, -11), 12).isoformat(), "count": 1},
    ]

    again = run_cli(settings, owner_url, "recruits", "rederive")  # every recruit, none changed
    assert again.returncode == 0, again.stderr
    assert "commission" in again.stdout and "2 recruit" not in again.stdout
    assert all(" 0 recruit(s)" in line for line in again.stdout.splitlines()), again.stdout
    assert await columns(owner_engine, list(ids.values())) == now


async def test_one_commission_when_asked(  # type: ignore[no-untyped-def]
    owner_engine, owner_url, settings, world, recorded
) -> None:
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE units SET code = 'CQ' WHERE id = :c"),
            {"c": world.units["commission2"]},
        )
    other = run_cli(settings, owner_url, "recruits", "rederive", "--commission", "CQ")
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "commission CQ: 0 recruit(s) re-derived"
    ids = recorded["ids"]
    assert (await columns(owner_engine, [ids["target"]]))[ids["target"]][0] is None

    unknown = run_cli(settings, owner_url, "recruits", "rederive", "--commission", "NOPE")
    assert unknown.returncode == 2, (unknown.stdout, unknown.stderr)
    assert "Traceback" not in unknown.stderr and "--commission NOPE" in unknown.stderr
