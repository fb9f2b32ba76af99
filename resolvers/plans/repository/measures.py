"""What a plan is measured by: the admissions counted in the tallies the database keeps, and the
forecasts summed over a subtree. The plan view reads them here; the roll-ups build their lines
from the same SQL fragments, so the plan's branch table (序号, 名称, 预计数, 备注) and every roll-up
agree figure for figure.

Admissions: a unit at or below a school reads its own tally row, which already sums its subtree
(``migrations/tallies.py`` defines every figure). A unit above the schools (a commission) has no
row: its figures are the sum of its schools' rows, through the partial index on school rows.

Forecasts: a unit's forecast is its own submission (``unit_quotas.forecast_*``); its subtree's
is every submission at or below it, read through the ltree path copied onto ``unit_quotas``.
Nothing is summed at write time: a branch secretary may not write its parent's row.
"""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.tenants.session import Session

from ..rules import DIMENSIONS


def tally_of(
    line: str, table: str, figures: tuple[str, ...], *, period: str = ":period", extra: str = ""
) -> str:
    """A lateral sub-select summing the tally rows that make up ``line``'s figures: its own row
    when it lies in a school, else the rows of the schools beneath it. Two guarded branches
    rather than one OR, so that each reads its index (the primary key; the partial index of
    school rows) and the other is skipped outright.

    The school rows' path test is written ``IS TRUE`` so that it stays a filter: as an index
    condition the planner estimates a subtree at a fraction of a percent of the table and ANDs
    the path's GiST bitmap (every unit of the province, for a commission) with the partial
    index's 150 school rows, which cost a commission's line 1.5 ms (``bench profile``, Q1)."""
    sums = ", ".join(f"coalesce(sum(t.{f}), 0)::int AS {f}" for f in figures)
    rows = f"SELECT * FROM {table} t WHERE t.period_id = {period} {extra} AND"
    return (
        f"SELECT {sums} FROM ({rows} {line}.school_id IS NOT NULL AND t.unit_id = {line}.id"
        f" UNION ALL {rows} {line}.school_id IS NULL AND t.unit_id = t.school_id"
        f" AND (t.unit_path <@ {line}.path) IS TRUE) t"
    )


def forecasts_below(top: str) -> str:
    """The period's rows that forecast something (a zero total forecasts nothing: sub-quotas
    fit in it) at or below a unit; ``top`` is a one-row sub-select of that unit's ``path``."""
    figures = ", ".join(f"s.forecast_{d}" for d in DIMENSIONS)
    return (
        f"SELECT s.unit_path, {figures}, t.path AS top_path FROM unit_quotas s, {top} t"
        " WHERE s.period_id = :period AND s.unit_path <@ t.path AND s.forecast_total > 0"
    )


def forecasts_by_child(top: str) -> str:
    """:func:`forecasts_below` grouped by the child of the top unit each row lies under
    (``child_path``; NULL for the top unit's own), so that each child's line sums one small
    group rather than every row of the subtree."""
    sums = ", ".join(f"sum(b.forecast_{d}) AS forecast_{d}" for d in DIMENSIONS)
    return f"""
    SELECT CASE WHEN nlevel(b.unit_path) > nlevel(b.top_path)
                THEN subpath(b.unit_path, 0, nlevel(b.top_path) + 1) END AS child_path, {sums}
      FROM ({forecasts_below(top)}) b
     GROUP BY 1"""


def forecast_sums(source: str, where: str) -> str:
    """A sub-select summing the forecasts of ``source`` rows matching ``where``."""
    sums = ", ".join(f"sum(fc.forecast_{d}) AS forecast_{d}" for d in DIMENSIONS)
    return f"SELECT {sums} FROM {source} fc WHERE {where}"


#: A line's subtree forecast columns, over the sub-select ``sf`` of :func:`forecast_sums`.
SUBTREE_FORECASTS = ", ".join(
    f"coalesce(sf.forecast_{d}, 0)::int AS subtree_forecast_{d}" for d in DIMENSIONS
)


async def admitted_by_unit(session: Session, period_id: int, unit_ids: list[int]) -> dict[int, int]:
    """Admissions counted against the quota in each unit's subtree."""
    if not unit_ids:
        return {}
    stmt = sa.text(
        "SELECT u.id, f.admitted FROM units u CROSS JOIN LATERAL ("
        + tally_of("u", "unit_tallies", ("admitted",))
        + ") f WHERE u.id = ANY(CAST(:ids AS bigint[]))"
    )
    rows = await session.execute(stmt, {"ids": unit_ids, "period": period_id})
    return {r.id: int(r.admitted) for r in rows}
