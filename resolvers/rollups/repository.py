"""Reading the roll-up tallies (written by the database; see migration 0004).

A unit at or below a school reads its own tally row, which already sums its subtree. A unit
above the schools (a commission) has no row: its figures are the sum of its schools' rows, one
per school, through the partial index on school rows. Every statement here reads small
pre-aggregated rows, never the recruits.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models.rollups import MONTH_FIGURES, PERIOD_FIGURES
from partyplan.resolvers.plans.rules import DIMENSIONS
from partyplan.tenants.session import Session

QUOTA_COLUMNS = [
    f"{f}_{d}" for f in ("received", "handed", "reserve", "forecast") for d in DIMENSIONS
]


def _tally_of(
    line: str, table: str, figures: tuple[str, ...], *, period: str = ":period", extra: str = ""
) -> str:
    """A lateral sub-select summing the tally rows that make up ``line``'s figures: its own row
    when it lies in a school, else the rows of the schools beneath it. Two guarded branches
    rather than one OR, so that each reads its index (the primary key; the partial index of
    school rows) and the other is skipped outright."""
    sums = ", ".join(f"coalesce(sum(t.{f}), 0)::int AS {f}" for f in figures)
    rows = f"SELECT * FROM {table} t WHERE t.period_id = {period} {extra} AND"
    return (
        f"SELECT {sums} FROM ({rows} {line}.school_id IS NOT NULL AND t.unit_id = {line}.id"
        f" UNION ALL {rows} {line}.school_id IS NULL AND t.unit_id = t.school_id"
        f" AND t.unit_path <@ {line}.path) t"
    )


_FIGURES = ", ".join(f"f.{f}" for f in PERIOD_FIGURES)
_QUOTAS = ", ".join(f"coalesce(q.{c}, 0) AS {c}" for c in QUOTA_COLUMNS)
_CHILD_FORECASTS = ", ".join(
    f"coalesce(cq.forecast_{d}, 0)::int AS children_forecast_{d}" for d in DIMENSIONS
)

_LINE_SELECT = f"""
SELECT u.id AS unit_id, u.name AS unit_name, u.kind AS unit_kind, u.path::text AS unit_path,
       u.parent_id, u.active, {_QUOTAS}, q.forecast_remark, {_CHILD_FORECASTS}, {_FIGURES}
  FROM units u
  LEFT JOIN unit_quotas q ON q.period_id = :period AND q.unit_id = u.id
  CROSS JOIN LATERAL ({_tally_of("u", "unit_tallies", PERIOD_FIGURES)}) f
  LEFT JOIN LATERAL (
      SELECT {", ".join(f"sum(cq.forecast_{d}) AS forecast_{d}" for d in DIMENSIONS)}
        FROM units c JOIN unit_quotas cq ON cq.period_id = :period AND cq.unit_id = c.id
       WHERE c.parent_id = u.id
  ) cq ON true
"""
# Inactive units too when they hold figures, so that the lines always add up.
_HOLDS_FIGURES = """(u.active OR q.unit_id IS NOT NULL
       OR EXISTS (SELECT 1 FROM unit_tallies x WHERE x.period_id = :period AND x.unit_id = u.id))"""
# The unit's own line first, then every child, in unit order.
_LINES = (
    f"{_LINE_SELECT} WHERE u.id = :unit OR (u.parent_id = :unit AND {_HOLDS_FIGURES})"
    " ORDER BY u.id <> :unit, u.id"
)
_SUBTREE_LINES = (
    f"{_LINE_SELECT} WHERE u.path <@ CAST(:path AS ltree) AND {_HOLDS_FIGURES}"
    " ORDER BY nlevel(u.path), u.id"
)


async def subtree_lines(session: Session, period_id: int, path: str) -> list[sa.Row]:
    """Every unit of a subtree (at or below a school) with its line, shallowest first: one
    statement for a whole report."""
    params = {"period": period_id, "path": path}
    return list((await session.execute(sa.text(_SUBTREE_LINES), params)).all())


async def lines(session: Session, period_id: int, unit_id: int) -> list[sa.Row]:
    """The unit's line and its children's, each with quota figures, the children's forecasts
    and every tally figure: one statement."""
    rows = await session.execute(sa.text(_LINES), {"period": period_id, "unit": unit_id})
    return list(rows.all())


_MONTHS = f"""
SELECT m.month::date AS month, {", ".join(f"f.{f}" for f in MONTH_FIGURES)}
  FROM generate_series(date_trunc('month', CAST(:starts AS date)), CAST(:ends AS date),
                       interval '1 month') AS m(month)
  CROSS JOIN (SELECT CAST(:unit AS bigint) AS id, CAST(:school AS bigint) AS school_id,
                     CAST(:path AS ltree) AS path) u
  CROSS JOIN LATERAL ({_tally_of("u", "unit_month_tallies", MONTH_FIGURES, extra="AND t.month = m.month")}) f
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
SELECT p.*, coalesce(q.received_total, 0) AS received_total, f.admitted, f.admitted_exempt
  FROM plan_periods p
  CROSS JOIN (SELECT CAST(:unit AS bigint) AS id, CAST(:school AS bigint) AS school_id,
                     CAST(:path AS ltree) AS path) u
  LEFT JOIN unit_quotas q ON q.period_id = p.id AND q.unit_id = u.id
  CROSS JOIN LATERAL ({_tally_of("u", "unit_tallies", ("admitted", "admitted_exempt"), period="p.id")}) f
 WHERE p.commission_id = :commission AND p.kind = :kind AND p.starts_on <= :starts
 ORDER BY p.starts_on DESC, p.id DESC
 LIMIT :last
"""


async def years(session: Session, period: sa.Row, unit: sa.Row, last: int) -> list[sa.Row]:
    """The unit's received quota and admissions in the last ``last`` periods of the same kind as
    ``period`` (itself included), newest first."""
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


async def admitted_by_unit(session: Session, period_id: int, unit_ids: list[int]) -> dict[int, int]:
    """Admissions counted against the quota in each unit's subtree."""
    if not unit_ids:
        return {}
    stmt = sa.text(
        "SELECT u.id, f.admitted FROM units u CROSS JOIN LATERAL ("
        + _tally_of("u", "unit_tallies", ("admitted",))
        + ") f WHERE u.id = ANY(CAST(:ids AS bigint[]))"
    )
    rows = await session.execute(stmt, {"ids": unit_ids, "period": period_id})
    return {r.id: int(r.admitted) for r in rows}


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
