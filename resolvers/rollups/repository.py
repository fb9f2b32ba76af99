"""Reading the roll-up tallies (written by the database; every figure defined in
migrations/tallies.py).

A unit at or below a school reads its own tally row, which already sums its subtree. A unit
above the schools (a commission) has no row: its figures are the sum of its schools' rows, one
per school, through the partial index on school rows. Every statement here reads small
pre-aggregated rows, never the recruits.

Forecasts are the one figure summed here rather than in a tally: a line's forecast is every
submission stored on unit_quotas in its subtree. The fragments that read admissions and
forecasts are the plans repository's (``plans/repository/measures.py``), so that a plan's lines
and the roll-up's agree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models.placements import PLACEMENT_FIGURES
from partyplan.models.rollups import MONTH_FIGURES, PERIOD_FIGURES
from partyplan.resolvers.plans.repository.lines import LinesInSql
from partyplan.resolvers.plans.repository.measures import (
    SUBTREE_FORECASTS,
    forecast_sums,
    forecasts_below,
    forecasts_by_child,
    tally_of,
)
from partyplan.resolvers.plans.rules import DIMENSIONS
from partyplan.tenants.session import Session

QUOTA_COLUMNS = [
    f"{f}_{d}" for f in ("received", "handed", "reserve", "forecast") for d in DIMENSIONS
]


_FIGURES = ", ".join(f"f.{f}" for f in PERIOD_FIGURES)
_QUOTAS = ", ".join(f"coalesce(q.{c}, 0) AS {c}" for c in QUOTA_COLUMNS)
# Named targets (migration 0021): places on names and names without a place in the subtree.
_NAMED = ", ".join(f"nt.{f} AS named_{f}" for f in PLACEMENT_FIGURES)


def _line_select(subtree_forecast: str) -> str:
    """Every line's columns: the unit's own balances and forecast (``q``), its subtree's
    forecast (``subtree_forecast``: a sub-select over the statement's ``forecasts``), its
    tallies."""
    return f"""
SELECT u.id AS unit_id, u.name AS unit_name, u.kind AS unit_kind, u.path::text AS unit_path,
       u.parent_id, u.active, {_QUOTAS}, q.forecast_remark, {SUBTREE_FORECASTS}, {_FIGURES},
       {_NAMED}
  FROM units u
  LEFT JOIN unit_quotas q ON q.period_id = :period AND q.unit_id = u.id
  CROSS JOIN LATERAL ({tally_of("u", "unit_tallies", PERIOD_FIGURES)}) f
  CROSS JOIN LATERAL ({tally_of("u", "placement_tallies", PLACEMENT_FIGURES)}) nt
  CROSS JOIN LATERAL ({subtree_forecast}) sf
"""


# Inactive units too when they hold figures (or a forecast lies below them), so that the lines
# always add up.
_HOLDS_FIGURES = """(u.active OR q.unit_id IS NOT NULL OR sf.forecast_total IS NOT NULL
       OR EXISTS (SELECT 1 FROM unit_tallies x WHERE x.period_id = :period AND x.unit_id = u.id))"""
# The unit's own line first, then every child, in unit order. The forecasting rows below the
# unit are grouped by the child they lie under (NULL: the unit's own), so that each of a
# commission's 150 school lines sums one small group, not the province's rows. The first test
# of the WHERE stands alone so that units are read by their index, not every unit laterally
# summed before a filter that names the sums.
_LINES = f"""
WITH forecasts AS MATERIALIZED ({forecasts_by_child("(SELECT path FROM units WHERE id = :unit)")})
{_line_select(forecast_sums("forecasts", "u.id = :unit OR fc.child_path = u.path"))}
 WHERE (u.id = :unit OR u.parent_id = :unit) AND (u.id = :unit OR {_HOLDS_FIGURES})
 ORDER BY u.id <> :unit, u.id
"""
# Every unit of a subtree, shallowest first; each line sums the forecasting rows under it.
_SUBTREE_LINES = f"""
WITH forecasts AS MATERIALIZED ({forecasts_below("(SELECT CAST(:path AS ltree) AS path)")})
{_line_select(forecast_sums("forecasts", "fc.unit_path <@ u.path"))}
 WHERE u.path <@ CAST(:path AS ltree) AND {_HOLDS_FIGURES}
 ORDER BY nlevel(u.path), u.id
"""


async def subtree_lines(session: Session, period_id: int, path: str) -> list[sa.Row]:
    """Every unit of a subtree (at or below a school) with its line, shallowest first: one
    statement for a whole report."""
    params = {"period": period_id, "path": path}
    return list((await session.execute(sa.text(_SUBTREE_LINES), params)).all())


async def lines(session: Session, period_id: int, unit_id: int) -> list[sa.Row]:
    """The unit's line and its children's, each with quota figures, the subtree's forecasts
    and every tally figure: one statement."""
    rows = await session.execute(sa.text(_LINES), {"period": period_id, "unit": unit_id})
    return list(rows.all())


#: The columns of a line (``_LINES``) a compiled roll-up reads (``schema/compiled/rollups.py``).
LINE_COLUMNS = (
    "unit_id",
    "unit_name",
    "unit_kind",
    "forecast_remark",
    *QUOTA_COLUMNS,
    *(f"subtree_forecast_{d}" for d in DIMENSIONS),
    *PERIOD_FIGURES,
    *(f"named_{f}" for f in PLACEMENT_FIGURES),
)


def lines_statement(build: Callable[[LinesInSql], sa.ColumnElement[Any]]) -> sa.Select[Any]:
    """The statement of the JSON text ``build`` makes of a unit's line and its children's, its
    values the ``period`` and ``unit`` parameters: built once per selection, by its caller
    (``tenants/shaped.py``)."""
    return sa.select(sa.cast(build(LinesInSql(_lines_cte())), sa.Text))


async def lines_json(session: Session, period_id: int, unit_id: int, stmt: sa.Select[Any]) -> str:
    """The JSON text of :func:`lines_statement`'s ``stmt`` for the unit in the period: one
    statement."""
    return str(await session.scalar(stmt, {"period": period_id, "unit": unit_id}))


@cache
def _lines_cte() -> sa.CTE:
    """:func:`lines`' statement as the CTE ``lines``, built once (its values are the
    ``period`` and ``unit`` parameters): a CTE of ~60 named columns built per request cost
    more Python than the roll-up's other work."""
    return sa.text(_LINES).columns(*(sa.column(name) for name in LINE_COLUMNS)).cte("lines")


def ratio_sql(part: sa.ColumnElement[Any], whole: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``service.ratio`` in SQL: ``part / whole`` to 4 places, half to even, of the exact
    quotient, as a float; null when ``whole`` is 0."""
    scaled = sa.cast(part, sa.BigInteger) * 10000
    whole = sa.cast(whole, sa.BigInteger)
    floor, rest = scaled // whole, scaled % whole
    rounded = floor + sa.case((rest * 2 > whole, 1), (rest * 2 == whole, floor % 2), else_=0)
    value = sa.cast(sa.cast(rounded, sa.Numeric) / 10000, sa.Float)
    return sa.case((whole == 0, sa.null()), else_=value)


_MONTHS = f"""
SELECT m.month::date AS month, {", ".join(f"f.{f}" for f in MONTH_FIGURES)}
  FROM generate_series(date_trunc('month', CAST(:starts AS date)), CAST(:ends AS date),
                       interval '1 month') AS m(month)
  CROSS JOIN (SELECT CAST(:unit AS bigint) AS id, CAST(:school AS bigint) AS school_id,
                     CAST(:path AS ltree) AS path) u
  CROSS JOIN LATERAL ({tally_of("u", "unit_month_tallies", MONTH_FIGURES, extra="AND t.month = m.month")}) f
 ORDER BY m.month
"""


async def months(session: Session, period: sa.Row, unit: sa.Row) -> list[sa.Row]:
    """Admissions (with their structure) and conversions by calendar month of the period, every
    month present (zeros included)."""
    params = {
        "period": period.id,
        "starts": period.starts_on,
        "ends": period.ends_on,
        "unit": unit.id,
        "school": unit.school_id,
        "path": unit.path,
    }
    return list((await session.execute(sa.text(_MONTHS), params)).all())


_YEARS = f"""
SELECT p.*, coalesce(q.received_total, 0) AS received_total,
       coalesce(q.handed_total, 0) AS handed_total, f.admitted, f.admitted_exempt
  FROM plan_periods p
  CROSS JOIN (SELECT CAST(:unit AS bigint) AS id, CAST(:school AS bigint) AS school_id,
                     CAST(:path AS ltree) AS path) u
  LEFT JOIN unit_quotas q ON q.period_id = p.id AND q.unit_id = u.id
  CROSS JOIN LATERAL ({tally_of("u", "unit_tallies", ("admitted", "admitted_exempt"), period="p.id")}) f
 WHERE p.commission_id = :commission AND p.kind = :kind AND p.starts_on <= :starts
 ORDER BY p.starts_on DESC, p.id DESC
 LIMIT :last
"""


async def years(session: Session, period: sa.Row, unit: sa.Row, last: int) -> list[sa.Row]:
    """The unit's received and handed quota and its admissions in the last ``last`` periods of
    the same kind as ``period`` (itself included), newest first."""
    params = {
        "commission": period.commission_id,
        "kind": period.kind,
        "starts": period.starts_on,
        "last": last,
        "unit": unit.id,
        "school": unit.school_id,
        "path": unit.path,
    }
    return list((await session.execute(sa.text(_YEARS), params)).all())


async def drift(conn: AsyncConnection, period_id: int, under: str) -> list[sa.Row]:
    """Stored tally rows that differ from the ones computed from the recruits (both ways; rows
    of zeros count as absent). Empty when the derivation holds."""
    columns = ", ".join(("unit_id", "unit_path::text", "school_id", *PERIOD_FIGURES))
    zero = " AND ".join(f"{f} = 0" for f in PERIOD_FIGURES)
    month_columns = ", ".join(("unit_id", "month", "unit_path::text", "school_id", *MONTH_FIGURES))
    month_zero = " AND ".join(f"{f} = 0" for f in MONTH_FIGURES)
    stmt = sa.text(
        f"""
        WITH stored AS (SELECT {columns} FROM unit_tallies
                         WHERE period_id = :period AND unit_path <@ CAST(:under AS ltree)
                           AND NOT ({zero})),
             computed AS (SELECT {columns} FROM unit_tallies_computed(:period, CAST(:under AS ltree))),
             stored_months AS (SELECT {month_columns} FROM unit_month_tallies
                                WHERE period_id = :period AND unit_path <@ CAST(:under AS ltree)
                                  AND NOT ({month_zero})),
             computed_months AS (SELECT {month_columns}
                                   FROM unit_month_tallies_computed(:period, CAST(:under AS ltree)))
        SELECT 'stored' AS side, unit_id, NULL::date AS month FROM (TABLE stored EXCEPT TABLE computed) a
        UNION ALL
        SELECT 'computed', unit_id, NULL FROM (TABLE computed EXCEPT TABLE stored) b
        UNION ALL
        SELECT 'stored', unit_id, month FROM (TABLE stored_months EXCEPT TABLE computed_months) c
        UNION ALL
        SELECT 'computed', unit_id, month FROM (TABLE computed_months EXCEPT TABLE stored_months) d
        """
    )
    rows = await conn.execute(stmt, {"period": period_id, "under": under})
    return list(rows.all())


async def rebuild_open_periods(conn: AsyncConnection) -> int:
    """Recompute the tallies of every open period from the recruits (as the owner)."""
    periods = await conn.execute(
        sa.text(
            "SELECT unit_tallies_rebuild(id, commission_path) FROM plan_periods"
            " WHERE state <> 'closed'"
        )
    )
    return len(periods.all())
