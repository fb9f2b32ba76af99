"""A unit's plan lines: its own and one per active child, each with its balances, its subtree's
admissions and forecasts, in one statement.

The ordinary ``plan`` resolver reads the rows (:func:`lines`); a compiled ``plan``
(``schema/compiled/plans.py``) reads the same statement as the CTE ``lines`` and builds its
JSON over it (:func:`lines_statement`), so the two cannot disagree on a figure.

A line's admissions and subtree forecast are read with the roll-ups' fragments
(``measures.py``); a line without a balance row reads zeros, with no remark and no time.
``unit_readable`` says whether the caller may read the line's unit (``unit.read`` there: the
``:unit_read`` paths), which a line's ``unit`` needs; row-level security decides which children
exist at all, for both paths alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.jsonsql import JsonText, json_array
from partyplan.tenants.session import Session

from ..rules import DIMENSIONS
from .balances import FIGURE_COLUMNS
from .measures import SUBTREE_FORECASTS, forecast_sums, forecasts_by_child, tally_of

_QUOTAS = ", ".join(f"coalesce(q.{c}, 0)::int AS {c}" for c in FIGURE_COLUMNS)
_LINES = f"""
WITH forecasts AS MATERIALIZED ({forecasts_by_child("(SELECT path FROM units WHERE id = :unit)")})
SELECT u.id AS unit_id, u.name AS unit_name, u.kind AS unit_kind, u.code AS unit_code,
       u.active AS unit_active, u.region_code AS unit_region_code,
       (u.path <@@ CAST(CAST(:unit_read AS text[]) AS ltree[])) AS unit_readable,
       CASE WHEN u.id = :unit THEN 0
            ELSE row_number() OVER (PARTITION BY u.id = :unit ORDER BY u.id) END::int AS position,
       {_QUOTAS}, q.forecast_remark, q.forecast_at, f.admitted, {SUBTREE_FORECASTS}
  FROM units u
  LEFT JOIN unit_quotas q ON q.period_id = :period AND q.unit_id = u.id
  CROSS JOIN LATERAL ({tally_of("u", "unit_tallies", ("admitted",))}) f
  CROSS JOIN LATERAL ({forecast_sums("forecasts", "u.id = :unit OR fc.child_path = u.path")}) sf
 WHERE u.id = :unit OR (u.parent_id = :unit AND u.active)
 ORDER BY u.id <> :unit, u.id
"""

#: The columns of a line, as :func:`lines` gives them and the CTE ``lines`` names them.
LINE_COLUMNS = (
    "unit_id",
    "unit_name",
    "unit_kind",
    "unit_code",
    "unit_active",
    "unit_region_code",
    "unit_readable",
    "position",
    *FIGURE_COLUMNS,
    "forecast_remark",
    "forecast_at",
    "admitted",
    *(f"subtree_forecast_{d}" for d in DIMENSIONS),
)


def _params(period_id: int, unit_id: int, unit_read: list[str]) -> dict[str, Any]:
    return {"period": period_id, "unit": unit_id, "unit_read": unit_read}


async def lines(
    session: Session, period_id: int, unit_id: int, unit_read: list[str]
) -> list[sa.Row]:
    """The unit's own line first (position 0), then each active child's in unit order (1, 2,
    …): one statement whatever the number of children. Empty when the unit is out of reach."""
    rows = await session.execute(sa.text(_LINES), _params(period_id, unit_id, unit_read))
    return list(rows.all())


Columns = Callable[[str], sa.ColumnElement[Any]]
Element = Callable[[Columns], sa.ColumnElement[Any]]
_UNIT = sa.bindparam("unit", type_=sa.BigInteger)


@dataclass(frozen=True, slots=True)
class LinesInSql:
    """A statement of a unit's line and its children's as the CTE ``lines`` (a plan's, and a
    roll-up's: ``rollups/repository.py``), the unit its ``unit`` parameter: what a compiled
    document builds its JSON of. Children come in unit order, as both statements number them."""

    lines: sa.CTE

    def own(self, element: Element) -> sa.ColumnElement[Any]:
        """``element`` of the unit's own line (null if the unit has none: out of reach)."""
        row = self.lines.c
        stmt = sa.select(element(lambda name: row[name])).where(row.unit_id == _UNIT)
        return sa.type_coerce(stmt.scalar_subquery(), JsonText)

    def children(self, element: Element) -> sa.ColumnElement[Any]:
        """A JSON array of ``element`` of each child's line, in unit order."""
        row = self.lines.c
        array = json_array(element(lambda name: row[name]), [row.unit_id])
        return sa.select(array).where(row.unit_id != _UNIT).scalar_subquery()

    def children_sum(self, element: Element) -> sa.ColumnElement[Any]:
        """``element`` of the children's lines summed column by column (zeros without any)."""
        row = self.lines.c

        def summed(name: str) -> sa.ColumnElement[Any]:
            return sa.func.coalesce(sa.func.sum(row[name]), 0)

        stmt = sa.select(element(summed)).where(row.unit_id != _UNIT)
        return sa.type_coerce(stmt.scalar_subquery(), JsonText)


def lines_statement(build: Callable[[LinesInSql], sa.ColumnElement[Any]]) -> sa.Select[Any]:
    """The statement of the JSON text ``build`` makes of the lines: built once per selection
    by its caller, its values the ``period``, ``unit`` and ``unit_read`` parameters."""
    return sa.select(sa.cast(build(LinesInSql(_lines_cte())), sa.Text))


async def lines_json(
    session: Session, period_id: int, unit_id: int, unit_read: list[str], stmt: sa.Select[Any]
) -> str:
    """The JSON text of :func:`lines_statement`'s ``stmt``: one statement."""
    return str(await session.scalar(stmt, _params(period_id, unit_id, unit_read)))


@cache
def _lines_cte() -> sa.CTE:
    return sa.text(_LINES).columns(*(sa.column(name) for name in LINE_COLUMNS)).cte("lines")
