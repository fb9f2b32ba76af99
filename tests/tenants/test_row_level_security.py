"""Row-level security on its own, without any resolver: raw statements as the service role."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from support import id_number

from partyplan.resolvers.warnings.service.scan import scan

TENANT_TABLES = {
    "units": "school_id",
    "users": "school_id",
    "role_bindings": "school_id",
    "audit_log": "school_id",
    "unit_quotas": "school_id",
    "quota_movements": "school_id",
    "forecast_submissions": "school_id",
    "structural_targets": "school_id",
    "dispatch_rounds": "school_id",
    "recruits": "school_id",
    "recruit_steps": "school_id",
    "recruit_findings": "school_id",
    "unit_tallies": "school_id",
    "warnings": "school_id",
    "warning_tallies": "school_id",
    "execution_reports": "school_id",
    "members": "school_id",
}


async def _bind(conn, user_id: int) -> None:  # type: ignore[no-untyped-def]
    await conn.execute(sa.text("SELECT * FROM app_bind_principal(:u)"), {"u": user_id})


async def _audit_some(platform, world, gql, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """Rows in every tenant table for both schools: renames, a plan issued and subdivided,
    recruits (tallied), a report submitted, the warnings a scan raises (no phones)."""

    async def ok(document: str, variables: dict, account: str) -> dict:  # type: ignore[type-arg]
        result = await gql(document, variables, world.tokens[account])
        assert "errors" not in result, result
        payload = next(iter(result["data"].values()))
        assert not payload["errors"], payload
        return payload

    period = (
        await ok(
            'mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: "2023",'
            ' kind: CALENDAR_YEAR, startsOn: "2023-01-01", endsOn: "2023-12-31"})'
            " { period { id } errors { code } } }",
            {"c": world.gid("commission")},
            "commission_admin",
        )
    )["period"]["id"]
    await ok(
        "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }",
        {"p": period},
        "commission_admin",
    )
    for i, (admin, school, branch) in enumerate(
        (("school_admin", "A", "A2"), ("other_school_admin", "B", "B1"))
    ):
        recruit = (
            await ok(
                'mutation($b: ID!, $n: String!) { createRecruit(input: {branchId: $b, name: "李明",'
                ' gender: MALE, ethnicity: "汉族", birthDate: "2003-05-04", idNumber: $n,'
                ' category: UNDERGRADUATE, education: BELOW_COLLEGE, applicationDate: "2022-09-15"})'
                " { recruit { id } errors { code } } }",
                {"b": world.gid(branch), "n": id_number("20030504", 60 + i)},
                admin,
            )
        )["recruit"]["id"]
        await ok(  # two months late: a finding
            'mutation($r: ID!) { recordStep(input: {recruitId: $r, step: TALK, on: "2022-11-30",'
            ' data: {talked_by: "书记"}}) { errors { code } } }',
            {"r": recruit},
            admin,
        )
        await ok(
            'mutation($id: ID!) { renameUnit(input: {unitId: $id, name: "x"}) { errors { code } } }',
            {"id": world.gid(branch)},
            admin,
        )
        await ok(
            "mutation($p: ID!, $s: ID!) { issuePlan(input: {periodId: $p, schoolId: $s,"
            ' amounts: {total: 5}, documentNo: "x", targets: [{indicator: WOMEN, minCount: 1}]})'
            " { errors { code } } }",
            {"p": period, "s": world.gid(school)},
            "commission_admin",
        )
        await ok(
            "mutation($p: ID!, $f: ID!, $t: ID!) { allocateQuota(input: {periodId: $p,"
            " fromUnitId: $f, toUnitId: $t, amounts: {total: 2}}) { errors { code } } }",
            {"p": period, "f": world.gid(school), "t": world.gid(branch)},
            admin,
        )
        await ok(
            "mutation($p: ID!, $u: ID!) { submitForecast(input: {periodId: $p, unitId: $u,"
            " amounts: {total: 2}}) { errors { code } } }",
            {"p": period, "u": world.gid(branch)},
            admin,
        )
        await ok(
            "mutation($p: ID!, $u: ID!) { createDispatchRound(input: {periodId: $p, unitId: $u,"
            ' name: "调度"}) { errors { code } } }',
            {"p": period, "u": world.gid(school)},
            admin,
        )
        await ok(
            "mutation($p: ID!, $u: ID!) { submitReport(input: {periodId: $p, unitId: $u})"
            " { errors { code } } }",
            {"p": period, "u": world.gid(school)},
            admin,
        )
    async with owner_engine.begin() as conn:
        await scan(conn, date(2024, 7, 1))


@pytest.mark.parametrize("table", sorted(TENANT_TABLES))
async def test_bound_to_school_a_sees_no_row_of_school_b(
    table, platform, world, gql, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await _audit_some(platform, world, gql, owner_engine)
    school_a, school_b = world.units["A"], world.units["B"]
    async with platform.engine.connect() as conn, conn.begin():
        await _bind(conn, world.users["school_admin"])
        rows = (await conn.execute(sa.text(f"SELECT school_id FROM {table}"))).all()
    schools = {r.school_id for r in rows}
    assert school_a in schools, "the bound school's own rows are visible"
    assert school_b not in schools
    assert world.units["C"] not in schools


async def test_no_scope_sees_nothing(platform, world) -> None:  # type: ignore[no-untyped-def]
    async with platform.engine.connect() as conn, conn.begin():
        for table in TENANT_TABLES:
            assert await conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) == 0, table


async def test_scope_ends_with_the_transaction(platform, world) -> None:  # type: ignore[no-untyped-def]
    async with platform.engine.connect() as conn:
        async with conn.begin():
            await _bind(conn, world.users["commission_admin"])
            assert await conn.scalar(sa.text("SELECT count(*) FROM units")) > 0
        async with conn.begin():
            assert await conn.scalar(sa.text("SELECT count(*) FROM units")) == 0


async def test_cannot_write_outside_scope(platform, world) -> None:  # type: ignore[no-untyped-def]
    async with platform.engine.connect() as conn, conn.begin():
        await _bind(conn, world.users["school_admin"])
        changed = await conn.execute(
            sa.text("UPDATE units SET name = 'hijacked' WHERE id = :id"), {"id": world.units["B1"]}
        )
        assert changed.rowcount == 0
        with pytest.raises(sa.exc.DBAPIError, match="parent unit .* not found|row-level security"):
            await conn.execute(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path) VALUES ('branch', 'x', :p, '0')"
                ),
                {"p": world.units["B"]},
            )


async def test_another_commissions_periods_are_invisible(
    platform, world, gql, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await _audit_some(platform, world, gql, owner_engine)
    async with platform.engine.connect() as conn, conn.begin():
        await _bind(conn, world.users["other_commission_admin"])
        assert await conn.scalar(sa.text("SELECT count(*) FROM plan_periods")) == 0
        await _bind(conn, world.users["other_school_admin"])
        assert await conn.scalar(sa.text("SELECT count(*) FROM plan_periods")) == 1


async def test_commission_sees_its_schools_not_another_commission(platform, world) -> None:  # type: ignore[no-untyped-def]
    async with platform.engine.connect() as conn, conn.begin():
        await _bind(conn, world.users["commission_admin"])
        ids = set(await conn.scalars(sa.text("SELECT id FROM units")))
    assert {world.units["A"], world.units["B1"]} <= ids
    assert world.units["C"] not in ids and world.units["commission2"] not in ids


async def test_audit_chain_heads_follow_the_school(platform, world, gql, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _audit_some(platform, world, gql, owner_engine)
    async with platform.engine.connect() as conn, conn.begin():
        await _bind(conn, world.users["unit_admin"])  # reaches A1 only, still school A's chain
        chains = set(await conn.scalars(sa.text("SELECT chain FROM audit_chain_heads")))
    assert chains == {world.units["A"]}


async def test_the_service_role_reads_tallies_but_only_the_database_writes_them(
    platform, world
) -> None:  # type: ignore[no-untyped-def]
    writes = [
        "INSERT INTO unit_tallies (period_id, unit_id, unit_path, school_id) VALUES (1, 1, '1', 1)",
        "UPDATE unit_tallies SET admitted = admitted + 1",
        "SELECT unit_tallies_rebuild(1, '1')",
        "INSERT INTO warning_tallies (unit_id, kind, unit_path) VALUES (1, 'over_plan', '1')",
        "UPDATE warning_tallies SET open_count = open_count + 1",
        "SELECT warning_tallies_rebuild('1')",
    ]
    for statement in writes:
        async with platform.engine.connect() as conn, conn.begin():
            await _bind(conn, world.users["commission_admin"])
            with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
                await conn.execute(sa.text(statement))
