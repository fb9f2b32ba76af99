"""The append-only quota ledger and each unit's history read from it."""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.models import quota_movements
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.session import Session

from ..rules import DIMENSIONS, EFFECTS


def _sign(figure: str) -> str:
    """SQL for the sign (+1, -1, 0) a movement applies to ``figure`` of the unit :unit_id,
    generated from rules.EFFECTS so the ledger view and the writes cannot disagree."""
    cases = [
        f"WHEN kind = '{kind}' AND {end}_unit_id = :unit_id THEN {sign}"
        for kind, effects in EFFECTS.items()
        for end, effect_figure, sign in effects
        if effect_figure == figure
    ]
    return f"CASE {' '.join(cases)} ELSE 0 END"


_FIGURES = ("received", "handed", "reserve")
_LEDGER = sa.text(
    "SELECT * FROM (SELECT m.*, "
    + ", ".join(f"{_sign(f)} AS {f}_sign" for f in _FIGURES)
    + " FROM quota_movements m WHERE period_id = :period_id"
    " AND (from_unit_id = :unit_id OR to_unit_id = :unit_id)) moves"
)


async def history(session: Session, period_id: int, unit_id: int, keyset: Keyset) -> Page:
    """The unit's movements in order, each with its change to the unit's figures and the
    figures after it (running sums over the whole history, then paginated by id)."""
    changes = ", ".join(f"{f}_sign * {d} AS {f}_{d}_change" for f in _FIGURES for d in DIMENSIONS)
    running = ", ".join(
        f"sum({f}_sign * {d}) OVER (ORDER BY id) AS {f}_{d}_after"
        for f in _FIGURES
        for d in DIMENSIONS
    )
    history = sa.text(
        f"(SELECT moves.*, {changes}, {running} FROM ({_LEDGER.text}) moves) h"
    ).bindparams(period_id=period_id, unit_id=unit_id)
    stmt = sa.select(sa.literal_column("*")).select_from(history)
    return await paging.fetch(session, stmt, sa.column("id", sa.BigInteger), keyset)


async def get(session: Session, movement_id: int) -> sa.Row | None:
    stmt = sa.select(*quota_movements.c).where(quota_movements.c.id == movement_id)
    return (await session.execute(stmt)).first()
