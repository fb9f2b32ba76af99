"""The declared ties hold against the migrated database: every ``ltree`` column of a table is
the units' own path, a path copy a move rewrites, or a commission's path no move can change; and
the service role, which runs the move, may rewrite every copy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from partyplan.resolvers.units import repository, rules, ties
from partyplan.resolvers.units.errors import UnitError, UnitErrorCode

# Columns of tables (partitioned ones included) whose type is ltree, an array of it, or a domain
# over either, in every schema of ours.
LTREE_COLUMNS = """
SELECT c.relname AS table_name, a.attname AS column_name
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
   AND n.nspname NOT LIKE 'pg_temp%'
   AND 'ltree'::regtype IN (t.oid, t.typelem, t.typbasetype)
 ORDER BY 1, 2
"""


def _names(copies: tuple[ties.PathCopy, ...]) -> set[tuple[str, str]]:
    return {(copy.table.name, copy.column.name) for copy in copies}


async def test_every_ltree_column_is_declared(owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        found = {(r.table_name, r.column_name) for r in await conn.execute(sa.text(LTREE_COLUMNS))}
    own = {(ties.UNIT_PATH.table.name, ties.UNIT_PATH.name)}
    copies, fixed = _names(ties.PATH_COPIES), _names(ties.FIXED_PATHS)
    assert not copies & fixed, "a column is both rewritten and fixed"
    undeclared = sorted(found - own - copies - fixed)
    assert not undeclared, (
        f"ltree columns a unit move would leave behind: {undeclared}; declare each in "
        "partyplan.resolvers.units.ties (PATH_COPIES, or FIXED_PATHS if no move can change it)"
    )
    assert sorted((own | copies | fixed) - found) == [], "declared columns the database lacks"


async def test_the_move_rewrites_every_declared_copy() -> None:
    rewritten = {(table.name, column) for table, column in repository.PATH_COPIES}
    assert rewritten == _names(ties.PATH_COPIES)


async def test_the_service_role_may_rewrite_every_copy(owner_engine, platform) -> None:  # type: ignore[no-untyped-def]
    async with platform.engine.connect() as conn:
        role = await conn.scalar(sa.text("SELECT current_user"))
    async with owner_engine.connect() as conn:
        denied = [
            f"{copy.table.name}.{copy.column.name}"
            for copy in ties.PATH_COPIES
            if not await conn.scalar(
                sa.text("SELECT has_column_privilege(:r, :t, :c, 'UPDATE')"),
                {"r": role, "t": copy.table.name, "c": copy.column.name},
            )
        ]
    assert denied == [], f"{role} may not rewrite these copies on a move"


def test_fixed_paths_are_commissions_paths_and_commissions_never_move() -> None:
    """The exemption's premise: what FIXED_PATHS copy is a commission's path (their unit
    column names a commission), and a commission, like a school, cannot be moved."""
    for copy in ties.FIXED_PATHS:
        assert copy.column.name == "commission_path" and copy.unit.name == "commission_id"
    for kind in ("commission", "school"):
        with pytest.raises(UnitError) as refused:
            rules.check_move(kind, "1.2", 1, "committee", "1.3", 1)
        assert refused.value.code == UnitErrorCode.INVALID_KIND


def test_no_domain_registers_anything_at_import() -> None:
    """A domain package's ``__init__`` runs nothing but imports: its ties to the unit tree are
    declared in ``units/ties.py`` (immutable tuples), never appended to a registry at import."""
    resolvers = Path(ties.__file__).resolve().parents[1]
    allowed = (ast.Import, ast.ImportFrom)
    for init in sorted(resolvers.glob("*/__init__.py")):
        body = ast.parse(init.read_text()).body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        statements = [n.lineno for n in body if not isinstance(n, allowed)]
        assert statements == [], f"{init.relative_to(resolvers)} runs code at import: {statements}"
