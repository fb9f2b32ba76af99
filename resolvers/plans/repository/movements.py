"""A quota movement written whole in one statement, and what an allocation reads before it in
one: each statement built once per shape (``tenants/shaped.py``), every value a parameter.

The write (:func:`record`) is data-modifying CTEs: the ledger row, the changes to the balances
(rows the movement locked already, ``balances.lock``), the structural targets the movement sets
and its audit entry. PostgreSQL runs each once, all on one snapshot (none sees another's rows;
the foreign keys, checked at the statement's end, see them all). The audit entry is a function
call, materialized so that it runs once, and read so that it runs at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import result_tuple

from partyplan.models import dispatch_rounds, plan_periods, units
from partyplan.resolvers.audit.repository import entry_json
from partyplan.resolvers.units.repository import UNIT_COLUMNS
from partyplan.tenants.session import Session
from partyplan.tenants.shaped import param

from ..rules import DIMENSIONS, Amounts
from .periods import PERIOD_COLUMNS

#: The figures a movement moves (``rules.EFFECTS``), each in every dimension.
MOVED = ("received", "handed", "reserve")
_MOVED_COLUMNS = [f"{figure}_{d}" for figure in MOVED for d in DIMENSIONS]
_LEDGER_COLUMNS = (
    "period_id",
    "kind",
    "from_unit_id",
    "to_unit_id",
    "from_path",
    "to_path",
    "school_id",
    *(d for d in DIMENSIONS),
    "document_no",
    "document_date",
    "reason",
    "round_id",
    "actor_user_id",
)
_LEDGER_TYPES = {
    "from_path": "ltree",
    "to_path": "ltree",
    "document_date": "date",
    "period_id": "bigint",
    "from_unit_id": "bigint",
    "to_unit_id": "bigint",
    "school_id": "bigint",
    "round_id": "bigint",
    "actor_user_id": "bigint",
    **{d: "integer" for d in DIMENSIONS},
}


def _value(name: str) -> str:
    kind = _LEDGER_TYPES.get(name, "text")
    return f"CAST(:p_{name} AS {kind})"


_MOVEMENT = f"""
movement AS (
    INSERT INTO quota_movements ({", ".join(_LEDGER_COLUMNS)})
    VALUES ({", ".join(_value(c) for c in _LEDGER_COLUMNS)})
    RETURNING *
), balances AS (
    UPDATE unit_quotas q SET {", ".join(f"{c} = q.{c} + d.{c}" for c in _MOVED_COLUMNS)}
      FROM jsonb_to_recordset(CAST(:p_deltas AS jsonb))
           AS d(unit_id bigint, {", ".join(f"{c} integer" for c in _MOVED_COLUMNS)})
     WHERE q.period_id = CAST(:p_period_id AS bigint) AND q.unit_id = d.unit_id
    RETURNING q.unit_id
)"""
_TARGETS = """, targets AS (
    INSERT INTO structural_targets AS s (period_id, unit_id, unit_path, school_id, indicator,
                                         min_count, min_share_percent, set_by_movement_id)
    SELECT m.period_id, m.to_unit_id, m.to_path, CAST(:p_target_school_id AS bigint),
           t.indicator, t.min_count, t.min_share_percent, m.id
      FROM jsonb_to_recordset(CAST(:p_targets AS jsonb))
           AS t(indicator text, min_count integer, min_share_percent numeric(5, 2))
     CROSS JOIN movement m
    ON CONFLICT (period_id, unit_id, indicator) DO UPDATE
       SET min_count = excluded.min_count, min_share_percent = excluded.min_share_percent,
           set_by_movement_id = excluded.set_by_movement_id
    RETURNING s.indicator
)"""
_AUDITED = """, audited AS MATERIALIZED (
    SELECT audit_append(CAST(:p_audit_school_id AS bigint), CAST(:p_audit_unit_id AS bigint),
                        CAST(:p_actor_user_id AS bigint), CAST(:p_audit_client_id AS text),
                        CAST(:p_audit_operation AS text), 'QuotaMovement', m.id, NULL,
                        CAST(:p_audit_after AS jsonb)) AS entry
      FROM movement m
)"""
_RECORD = {
    with_targets: sa.text(
        "WITH "
        + _MOVEMENT
        + (_TARGETS if with_targets else "")
        + _AUDITED
        + "\nSELECT m.* FROM movement m CROSS JOIN audited"
    )
    for with_targets in (False, True)
}


@dataclass(frozen=True, slots=True)
class Movement:
    """What :func:`record` writes: the ledger row's values, the balances' changes (unit id →
    figure → amounts; the rows are locked), the targets set on the receiving unit (indicator,
    minimum count, minimum share in percent) and the audit entry (its operation and ``after``,
    on the receiving unit)."""

    period_id: int
    kind: str
    from_unit: Any
    to_unit: Any
    amounts: Amounts
    document_no: str | None
    document_date: date | None
    reason: str | None
    round_id: int | None
    deltas: dict[int, dict[str, Amounts]]
    targets: Sequence[tuple[str, int | None, Decimal | None]]
    operation: str
    after: dict[str, Any]


async def record(session: Session, movement: Movement) -> sa.Row:
    """Write ``movement`` whole in one statement; the ledger row."""
    principal = session.principal
    to_unit, from_unit = movement.to_unit, movement.from_unit
    zero = Amounts(0)
    deltas = [
        {
            "unit_id": unit_id,
            **{
                f"{figure}_{d}": getattr(per_unit.get(figure, zero), d)
                for figure in MOVED
                for d in DIMENSIONS
            },
        }
        for unit_id, per_unit in movement.deltas.items()
    ]
    params: dict[str, Any] = {
        "p_period_id": movement.period_id,
        "p_kind": movement.kind,
        "p_from_unit_id": from_unit.id,
        "p_to_unit_id": to_unit.id,
        "p_from_path": from_unit.path,
        "p_to_path": to_unit.path,
        "p_school_id": to_unit.school_id or from_unit.school_id,
        **{f"p_{d}": getattr(movement.amounts, d) for d in DIMENSIONS},
        "p_document_no": movement.document_no,
        "p_document_date": movement.document_date,
        "p_reason": movement.reason,
        "p_round_id": movement.round_id,
        "p_actor_user_id": principal.user_id,
        "p_deltas": json.dumps(deltas),
        "p_audit_school_id": to_unit.school_id,
        "p_audit_unit_id": to_unit.id,
        "p_audit_client_id": principal.client_id,
        "p_audit_operation": movement.operation,
        "p_audit_after": entry_json(movement.after),
    }
    if movement.targets:
        params["p_target_school_id"] = to_unit.school_id
        params["p_targets"] = json.dumps(
            [
                {
                    "indicator": indicator,
                    "min_count": min_count,
                    "min_share_percent": None if share is None else str(share),
                }
                for indicator, min_count, share in movement.targets
            ]
        )
    stmt = _RECORD[bool(movement.targets)]
    return (await session.execute(stmt, params)).one()


# --- what an allocation reads ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetched:
    """What :func:`fetch` read: each None where no row is visible."""

    period: sa.Row | None
    from_unit: sa.Row | None
    to_unit: sa.Row | None
    round: sa.Row | None


_PERIOD_NAMES = tuple(c.name for c in PERIOD_COLUMNS)
_UNIT_NAMES = tuple(c.name for c in UNIT_COLUMNS)
_ROUND_NAMES = tuple(c.name for c in dispatch_rounds.c)


@cache
def _fetch_statement(with_round: bool) -> sa.Select[Any]:
    """One row: a constant anchoring outer joins (nothing visible leaves its columns null),
    each part's columns prefixed ``<part>__``; row-level security filters every part."""
    period = (
        sa.select(*PERIOD_COLUMNS)
        .where(plan_periods.c.id == param("period_id", sa.BigInteger))
        .with_for_update(read=True)
        .subquery("period")
    )
    parts: list[tuple[str, Any, tuple[str, ...]]] = [("period", period, _PERIOD_NAMES)]
    joined = sa.select(sa.literal_column("1")).subquery("anchor").outerjoin(period, sa.true())
    for end in ("from", "to"):
        unit = units.alias(f"{end}_unit")
        parts.append((unit.name, unit, _UNIT_NAMES))
        joined = joined.outerjoin(unit, unit.c.id == param(f"{end}_unit_id", sa.BigInteger))
    if with_round:
        round_ = dispatch_rounds.alias("round")
        parts.append(("round", round_, _ROUND_NAMES))
        joined = joined.outerjoin(round_, round_.c.id == param("round_id", sa.BigInteger))
    return sa.select(
        *(table.c[c].label(f"{name}__{c}") for name, table, names in parts for c in names)
    ).select_from(joined)


async def fetch(
    session: Session, period_id: int, from_unit_id: int, to_unit_id: int, round_id: int | None
) -> Fetched:
    """The period (locked FOR SHARE, as ``periods.get`` with "share": closing waits for the
    movement), both units and the dispatch round when one is named, in one statement, before
    anything is judged: the caller checks them in its own order and answers what it would have
    answered reading them one by one."""
    params = {"p_period_id": period_id, "p_from_unit_id": from_unit_id, "p_to_unit_id": to_unit_id}
    if round_id is not None:
        params["p_round_id"] = round_id
    row = (await session.execute(_fetch_statement(round_id is not None), params)).one()
    values = row._mapping
    return Fetched(
        period=_part(values, "period", _PERIOD_NAMES),
        from_unit=_part(values, "from_unit", _UNIT_NAMES),
        to_unit=_part(values, "to_unit", _UNIT_NAMES),
        round=_part(values, "round", _ROUND_NAMES) if round_id is not None else None,
    )


def _part(values: Any, name: str, names: tuple[str, ...]) -> sa.Row | None:
    """The columns ``<name>__*`` as a row of their own, as a statement reading that table alone
    gives it; None when the outer join found none."""
    if values[f"{name}__id"] is None:
        return None
    return result_tuple(names)(tuple(values[f"{name}__{c}"] for c in names))
