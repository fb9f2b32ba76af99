"""A list's ``under``: the unit the caller is bound at is not read again (the bind returned
it), and answers as a unit that is read: the permission checked there, the same refusal."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import create_account

WARNINGS = """query($under: ID) { warnings(under: $under, first: 5) { edges { node { id } } } }"""


async def test_under_ones_own_unit_is_refused_as_any_other_without_unit_read(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, platform
) -> None:
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO roles (name, title_zh, rank, permissions, bindable_kinds)"
                " VALUES ('plans_only', '计划查看', 5, ARRAY['plan.read'], ARRAY['school'])"
                " ON CONFLICT (name) DO NOTHING"
            )
        )
        user = await create_account(conn, "plans-only", world.units["A"], "plans_only")
    token = platform.tokens.mint(str(user), 600)
    try:
        refusals = []
        for under in ("A", "A1"):  # bound at A; A1 is read
            result = await gql(WARNINGS, {"under": world.gid(under)}, token)
            (error,) = result["errors"]
            refusals.append((error["extensions"]["code"], error["message"], error["path"]))
        assert refusals[0] == refusals[1]
        assert refusals[0][0] == "FORBIDDEN" and "unit.read" in refusals[0][1]
        # The administrator bound at A lists under it, and under a unit below it.
        for under in ("A", "A1"):
            listed = await gql(WARNINGS, {"under": world.gid(under)}, world.tokens["school_admin"])
            assert "errors" not in listed, listed
        other = await gql(WARNINGS, {"under": world.gid("A")}, world.tokens["other_school_admin"])
        assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    finally:
        async with owner_engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM role_bindings WHERE role = 'plans_only'"))
            await conn.execute(sa.text("DELETE FROM roles WHERE name = 'plans_only'"))
