"""The maintenance check of every plan balance (``partyplan plans verify``), run as the owner
over every school and every period, open or closed: each stored figure equals its derivation
from the events (the quota ledger, the forecast submissions) and keeps the sub-quota bounds
(plans.rules, invariant 2). Balances written before those bounds were enforced may break them
(migration 0010 leaves such rows to an operator); this lists them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ..repository import verify
from ..rules import amounts_of, subquota_breaches

_FIGURES = ("received", "handed", "reserve", "forecast")


async def problems(conn: AsyncConnection) -> list[str]:
    """One line per stored column that differs from its derivation and per balance outside
    the sub-quota bounds; empty when every balance holds."""
    lines = [
        f"{_where(row)}: {row.figure} stored {row.stored}, derived {row.derived}"
        for row in await verify.drift(conn)
    ]
    for row in await verify.stored_balances(conn):
        figures = {figure: amounts_of(row, figure) for figure in _FIGURES}
        for breach in subquota_breaches(figures, row.unit_kind):
            if breach.negative:
                what = f"a {breach.what} of -{breach.places}"
            else:
                what = f"{breach.places} place(s) of {breach.what} beyond its total"
            lines.append(f"{_where(row)}: {breach.figure} holds {what}")
    return lines


def _where(row: sa.Row) -> str:
    return f"period {row.period_name} ({row.period_id}), {row.unit_name} (unit {row.unit_id})"
