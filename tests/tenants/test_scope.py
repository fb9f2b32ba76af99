"""Scope tests and subtree narrowing (tenants/scope.py, migration 0008).

``<@@`` must answer exactly as ltree's ``<@`` over an array, while the planner estimates it as
a test nearly every row passes; a list under a school narrows by ``school_id`` alone.
"""

from __future__ import annotations

import importlib
import json

import pytest
import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.auth.principal import Binding, Principal
from partyplan.tenants.scope import Subtree, default_subtree, in_subtree

scope_migration = importlib.import_module("partyplan.migrations.versions.0008_scope_estimates")
PATHS = ["1", "1.2", "1.2.3", "1.2.30", "1.20", "4", "4.2.3", "12.3"]
SCOPES = [[], ["1"], ["1.2"], ["1.2", "4"], ["1.2.3", "1.20"], ["12"], ["1.2.3.9"]]


async def test_scope_operator_answers_as_ltree_containment(owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        for scope in SCOPES:
            rows = await conn.execute(
                sa.text(
                    "SELECT p, CAST(p AS ltree) <@@ CAST(:s AS ltree[]),"
                    " CAST(p AS ltree) <@ CAST(:s AS ltree[]) FROM unnest(CAST(:p AS text[])) p"
                ),
                {"p": PATHS, "s": scope},
            )
            for path, scoped, contained in rows:
                assert scoped is contained, (path, scope)


async def test_planner_expects_a_scope_test_to_pass_nearly_every_row(owner_engine) -> None:  # type: ignore[no-untyped-def]
    """The reason for the operator: ltree's own is a fixed guess of 0.1–1%, which planned a school's page of
    recruits for one row (nested loops and a sort where a walk down (school_id, id) serves)."""
    async with owner_engine.connect() as conn, conn.begin():
        await conn.execute(
            sa.text(
                "CREATE TEMPORARY TABLE t AS SELECT CAST(g % 97 || '.' || g AS"
                " ltree) AS p FROM generate_series(1, 20000) g"
            )
        )
        await conn.execute(sa.text("ANALYZE t"))

        async def estimate(operator: str) -> int:
            plan = await conn.scalar(
                sa.text(
                    f"EXPLAIN (FORMAT JSON) SELECT * FROM t WHERE p {operator} CAST(:s AS ltree[])"
                ),
                {"s": ["3"]},
            )
            plan = json.loads(plan) if isinstance(plan, str) else plan
            return int(plan[0]["Plan"]["Plan Rows"])

        assert await estimate("<@") <= 400  # a fixed guess (contsel), ~1%
        assert await estimate("<@@") >= 19_000


async def test_tenant_policies_use_the_scope_operator(owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT tablename, qual, with_check FROM pg_policies WHERE policyname = tablename || '_scope'"
            )
        )
        policies = {table: (qual, check) for table, qual, check in rows}
    for table in scope_migration.SCOPED:
        qual, check = policies[table]
        assert "<@@" in qual and "<@@" in check, (table, qual, check)


def _sql(condition: sa.ColumnElement[bool]) -> str:
    return str(condition.compile(compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    ("subtree", "sql"),
    [
        (Subtree("1.2", 2, True), "s = 2"),
        (Subtree("1.2.7", 2, False), "s = 2 AND (p <@ CAST('1.2.7' AS ltree))"),
        (Subtree("1", None, False), "p <@ CAST('1' AS ltree)"),
    ],
)
def test_a_subtree_narrows_by_school_where_one_school_holds_it(subtree, sql) -> None:  # type: ignore[no-untyped-def]
    assert _sql(in_subtree(sa.column("p"), sa.column("s"), subtree)) == sql


def _binding(unit_id: int, path: str, kind: str, school: int | None, perms: set[str]) -> Binding:
    return Binding(
        id=unit_id,
        role="r",
        rank=1,
        permissions=frozenset(perms),
        unit_id=unit_id,
        unit_path=path,
        unit_kind=kind,
        unit_name="u",
        school_id=school,
    )


def test_default_subtree_is_the_one_unit_holding_the_permission() -> None:
    school = _binding(2, "1.2", "school", 2, {Permission.RECRUIT_READ})
    branch = _binding(7, "1.3.7", "branch", 3, {Permission.RECRUIT_READ})
    viewer = _binding(8, "1.4", "school", 4, {Permission.UNIT_READ})

    def principal(*bindings: Binding) -> Principal:
        return Principal(
            user_id=1, username="u", display_name="u", home_unit_id=2, bindings=bindings
        )

    assert default_subtree(principal(school, viewer), Permission.RECRUIT_READ) == Subtree(
        "1.2", 2, True
    )
    assert default_subtree(principal(branch), Permission.RECRUIT_READ) == Subtree("1.3.7", 3, False)
    assert default_subtree(principal(school, branch), Permission.RECRUIT_READ) is None
    assert default_subtree(principal(viewer), Permission.RECRUIT_READ) is None
