"""Row-level security on its own, without any resolver: raw statements as the service role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

TENANT_TABLES = {
    "units": "school_id",
    "users": "school_id",
    "role_bindings": "school_id",
    "audit_log": "school_id",
}


async def _bind(conn, user_id: int) -> None:  # type: ignore[no-untyped-def]
    await conn.execute(sa.text("SELECT * FROM app_bind_principal(:u)"), {"u": user_id})


async def _audit_some(platform, world, gql) -> None:  # type: ignore[no-untyped-def]
    for key, unit in (("school_admin", "A1a"), ("other_school_admin", "B1")):
        result = await gql(
            'mutation($id: ID!) { renameUnit(input: {unitId: $id, name: "x"}) { unit { name } } }',
            {"id": world.gid(unit)},
            world.tokens[key],
        )
        assert "errors" not in result


@pytest.mark.parametrize("table", sorted(TENANT_TABLES))
async def test_bound_to_school_a_sees_no_row_of_school_b(table, platform, world, gql) -> None:  # type: ignore[no-untyped-def]
    await _audit_some(platform, world, gql)
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


async def test_commission_sees_its_schools_not_another_commission(platform, world) -> None:  # type: ignore[no-untyped-def]
    async with platform.engine.connect() as conn, conn.begin():
        await _bind(conn, world.users["commission_admin"])
        ids = set(await conn.scalars(sa.text("SELECT id FROM units")))
    assert {world.units["A"], world.units["B1"]} <= ids
    assert world.units["C"] not in ids and world.units["commission2"] not in ids


async def test_audit_chain_heads_follow_the_school(platform, world, gql) -> None:  # type: ignore[no-untyped-def]
    await _audit_some(platform, world, gql)
    async with platform.engine.connect() as conn, conn.begin():
        await _bind(conn, world.users["unit_admin"])  # reaches A1 only, still school A's chain
        chains = set(await conn.scalars(sa.text("SELECT chain FROM audit_chain_heads")))
    assert chains == {world.units["A"]}
