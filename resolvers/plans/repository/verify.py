"""Maintenance reads of every plan balance, as the owner (``partyplan plans verify``): the
stored figures against their derivation from the events, every period, open or closed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ..rules import DIMENSIONS, EFFECTS

_LEDGER_FIGURES = ("received", "handed", "reserve")
_COLUMNS = [f"{f}_{d}" for f in (*_LEDGER_FIGURES, "forecast") for d in DIMENSIONS]


def _sign(figure: str) -> str:
    """SQL for the sign a movement's end (``side``) applies to ``figure``, generated from
    rules.EFFECTS so that this check and the writes cannot disagree on what a kind does."""
    cases = [
        f"WHEN kind = '{kind}' AND side = '{side}' THEN {sign}"
        for kind, effects in EFFECTS.items()
        for side, effect_figure, sign in effects
        if effect_figure == figure
    ]
    return f"CASE {' '.join(cases)} ELSE 0 END"


_SUMS = ", ".join(f"sum({_sign(f)} * {d}) AS {f}_{d}" for f in _LEDGER_FIGURES for d in DIMENSIONS)
_PAIRS = ", ".join(f"('{c}', coalesce(s.{c}, 0)::text, coalesce(d.{c}, 0)::text)" for c in _COLUMNS)
_DRIFT = sa.text(
    f"""
    WITH ends AS (
        SELECT period_id, from_unit_id AS unit_id, 'from' AS side, kind,
               {", ".join(DIMENSIONS)} FROM quota_movements
        UNION ALL
        SELECT period_id, to_unit_id, 'to', kind, {", ".join(DIMENSIONS)} FROM quota_movements
    ), ledger AS (
        SELECT period_id, unit_id, {_SUMS} FROM ends GROUP BY period_id, unit_id
    ), latest AS (
        SELECT DISTINCT ON (period_id, unit_id) period_id, unit_id,
               {", ".join(f"{d} AS forecast_{d}" for d in DIMENSIONS)}, remark AS forecast_remark
          FROM forecast_submissions ORDER BY period_id, unit_id, id DESC
    ), derived AS (
        SELECT period_id, unit_id, {", ".join(_COLUMNS)}, forecast_remark
          FROM ledger FULL JOIN latest USING (period_id, unit_id)
    ), compared AS (
        SELECT period_id, unit_id, c.*
          FROM (SELECT {", ".join(_COLUMNS)}, forecast_remark, period_id, unit_id
                  FROM unit_quotas) s
          FULL JOIN derived d USING (period_id, unit_id)
         CROSS JOIN LATERAL (VALUES {_PAIRS},
                ('forecast_remark', s.forecast_remark, d.forecast_remark)) c(figure, stored, derived)
         WHERE c.stored IS DISTINCT FROM c.derived
    )
    SELECT c.period_id, p.name AS period_name, c.unit_id, u.name AS unit_name,
           c.figure, c.stored, c.derived
      FROM compared c
      JOIN plan_periods p ON p.id = c.period_id
      JOIN units u ON u.id = c.unit_id
     ORDER BY c.period_id, c.unit_id, c.figure
    """
)


async def drift(conn: AsyncConnection) -> list[sa.Row]:
    """Every stored balance column that differs from its derivation: received, handed and
    reserve from the quota ledger, the forecast (and its remark) from the unit's latest
    submission; a missing row counts as zeros. Rows (period_id, period_name, unit_id,
    unit_name, figure, stored, derived), the values as text; empty when the derivation holds."""
    return list((await conn.execute(_DRIFT)).all())


async def stored_balances(conn: AsyncConnection) -> list[sa.Row]:
    """Every stored balance row with its period's and unit's names, for the invariants' check
    (plans.rules.subquota_breaches)."""
    stmt = sa.text(
        f"SELECT q.period_id, p.name AS period_name, q.unit_id, u.name AS unit_name,"
        f" q.unit_kind, {', '.join(f'q.{c}' for c in _COLUMNS)}"
        " FROM unit_quotas q JOIN plan_periods p ON p.id = q.period_id"
        " JOIN units u ON u.id = q.unit_id ORDER BY q.period_id, q.unit_id"
    )
    return list((await conn.execute(stmt)).all())
