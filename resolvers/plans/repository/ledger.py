"""The append-only quota ledger and each unit's history read from it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from partyplan.models import quota_movements
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.session import Session

from ..rules import DIMENSIONS, EFFECTS, Amounts
from . import balances


@dataclass(frozen=True, slots=True)
class Entry:
    """The audit entry of a movement: on ``unit``, its ``after`` as the log keeps it."""

    operation: str
    unit: sa.Row
    after: dict[str, Any]


async def record(
    session: Session,
    *,
    period_id: int,
    kind: str,
    from_unit: sa.Row,
    to_unit: sa.Row,
    amounts: Amounts,
    document_no: str | None,
    document_date: date | None,
    reason: str | None,
    round_id: int | None,
    deltas: dict[int, dict[str, Amounts]],
    targets: Sequence[tuple[str, int | None, Decimal | None]],
    entry: Entry,
) -> sa.Row:
    """Write a movement whole in one statement: its ledger row, the changes to the balances
    (``deltas``: unit id → figure → amounts; the rows are locked already), the structural
    targets it sets on ``to_unit`` (indicator, minimum count, minimum share in percent) and its
    audit entry; the ledger row.

    Data-modifying CTEs: PostgreSQL runs each once, whether or not the statement reads it, all on
    one snapshot (none sees another's rows; the foreign keys, checked at the statement's end, see
    them all). The audit entry is a function call, which runs only if read: the statement joins
    its one row to the ledger row it names."""
    movement = (
        sa.insert(quota_movements)
        .values(
            period_id=period_id,
            kind=kind,
            from_unit_id=from_unit.id,
            to_unit_id=to_unit.id,
            from_path=from_unit.path,
            to_path=to_unit.path,
            school_id=to_unit.school_id or from_unit.school_id,
            **amounts.as_dict(),
            document_no=document_no,
            document_date=document_date,
            reason=reason,
            round_id=round_id,
            actor_user_id=session.principal.user_id,
        )
        .returning(*quota_movements.c)
        .cte("movement")
    )
    writes = [balances.changes(period_id, deltas).cte("balances")]
    if targets:
        upsert = balances.targets_upsert(period_id, to_unit, list(targets), movement.c.id)
        writes.append(upsert.cte("targets"))
    audited = _audit(session, entry, movement.c.id).cte("audited")
    stmt = sa.select(*movement.c).select_from(movement.join(audited, sa.true())).add_cte(*writes)
    return (await session.execute(stmt)).one()


def _audit(session: Session, entry: Entry, object_id: sa.ColumnElement[int]) -> sa.Select:  # type: ignore[type-arg]
    """``audit_append`` for a movement (as ``audit.repository.append`` calls it, the entry's
    id not yet known: it is the ledger row's, read in the same statement)."""
    principal = session.principal
    after = json.dumps(entry.after, ensure_ascii=False, default=str)
    return sa.select(
        sa.func.audit_append(
            sa.literal(entry.unit.school_id, sa.BigInteger),
            sa.literal(entry.unit.id, sa.BigInteger),
            sa.literal(principal.user_id, sa.BigInteger),
            sa.literal(principal.client_id, sa.Text),
            sa.literal(entry.operation, sa.Text),
            sa.literal("QuotaMovement", sa.Text),
            object_id,
            sa.null().cast(JSONB),
            sa.cast(sa.literal(after, sa.Text), JSONB),
        ).label("entry_id")
    )


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
