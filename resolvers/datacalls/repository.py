"""All SQL of data calls: the calls and their responses as the caller sees them (row-level
security below every statement), the units a roll-up names, and what the warnings scan reads
of the open calls (as the owner, over a whole commission)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import data_call_responses, data_calls, units
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import descendant_of_any, paths_param
from partyplan.tenants.session import Session


def _calls() -> sa.Select:
    return sa.select(*data_calls.c)


async def get(session: Session, call_id: int, *, lock: bool = False) -> sa.Row | None:
    stmt = _calls().where(data_calls.c.id == call_id)
    if lock:
        stmt = stmt.with_for_update(of=data_calls)
    return (await session.execute(stmt)).first()


async def addressed_paths(session: Session, call_id: int) -> list[str]:
    """The paths of the call's units the caller sees (row-level security filters them)."""
    stmt = sa.select(sa.cast(data_call_responses.c.unit_path, sa.Text)).where(
        data_call_responses.c.call_id == call_id
    )
    return list((await session.execute(stmt)).scalars())


async def page(session: Session, *, read_paths: list[str], keyset: Keyset) -> Page:
    """Newest first: the calls issued at or below ``read_paths`` or addressed to a unit there."""
    addressed = sa.exists().where(
        data_call_responses.c.call_id == data_calls.c.id,
        descendant_of_any(data_call_responses.c.unit_path, read_paths),
    )
    stmt = _calls().where(sa.or_(descendant_of_any(data_calls.c.unit_path, read_paths), addressed))
    return await paging.fetch(session, stmt, data_calls.c.id, keyset, descending=True)


async def insert_call(session: Session, **values: Any) -> int:
    stmt = sa.insert(data_calls).values(**values).returning(data_calls.c.id)
    return int((await session.execute(stmt)).scalar_one())


async def insert_targets(session: Session, call_id: int, targets: Sequence[sa.Row]) -> None:
    rows = [
        {"call_id": call_id, "unit_id": t.id, "unit_path": t.path, "school_id": t.school_id}
        for t in targets
    ]
    await session.execute(sa.insert(data_call_responses), rows)


async def close(session: Session, call_id: int) -> None:
    await session.execute(
        sa.update(data_calls)
        .where(data_calls.c.id == call_id)
        .values(closed_at=sa.func.now(), closed_by=session.principal.user_id)
    )


async def units_below(session: Session, unit_ids: Sequence[int], under: str) -> list[sa.Row]:
    """The units among ``unit_ids`` strictly below ``under`` (active or not): ``id``, ``path``,
    ``school_id``, ``name``, ``kind``, ``active``."""
    stmt = sa.select(
        units.c.id,
        sa.cast(units.c.path, sa.Text).label("path"),
        units.c.school_id,
        units.c.name,
        units.c.kind,
        units.c.active,
    ).where(
        units.c.id.in_(list(unit_ids)),
        units.c.path.op("<@")(sa.cast(sa.literal(under), units.c.path.type)),
        units.c.path != sa.cast(sa.literal(under), units.c.path.type),
    )
    return list((await session.execute(stmt)).all())


_RESPONSE_COLUMNS = (
    data_call_responses.c.call_id,
    data_call_responses.c.unit_id,
    sa.cast(data_call_responses.c.unit_path, sa.Text).label("unit_path"),
    data_call_responses.c.school_id,
    data_call_responses.c.answers,
    data_call_responses.c.answered_at,
    data_call_responses.c.revised_at,
    data_call_responses.c.revisions,
    units.c.name.label("unit_name"),
)


def _responses() -> sa.Select:
    return sa.select(*_RESPONSE_COLUMNS).select_from(
        data_call_responses.join(units, units.c.id == data_call_responses.c.unit_id)
    )


async def response(
    session: Session, call_id: int, unit_id: int, *, lock: bool = False
) -> sa.Row | None:
    stmt = _responses().where(
        data_call_responses.c.call_id == call_id, data_call_responses.c.unit_id == unit_id
    )
    if lock:
        stmt = stmt.with_for_update(of=data_call_responses)
    return (await session.execute(stmt)).first()


async def responses(
    session: Session, call_id: int, *, read_paths: list[str], under: str
) -> list[sa.Row]:
    """The call's responses in ``under``'s subtree that the caller reads, in tree order."""
    stmt = (
        _responses()
        .where(
            data_call_responses.c.call_id == call_id,
            descendant_of_any(data_call_responses.c.unit_path, read_paths),
            data_call_responses.c.unit_path.op("<@")(
                sa.cast(sa.literal(under), data_call_responses.c.unit_path.type)
            ),
        )
        .order_by(data_call_responses.c.unit_path)
    )
    return list((await session.execute(stmt)).all())


async def save_answers(
    session: Session, call_id: int, unit_id: int, answers: dict[str, Any], *, first: bool
) -> None:
    values: dict[str, Any] = {
        "answers": answers,
        "answered_by": session.principal.user_id,
    }
    if first:
        values["answered_at"] = sa.func.now()
    else:
        values["revised_at"] = sa.func.now()
        values["revisions"] = data_call_responses.c.revisions + 1
    await session.execute(
        sa.update(data_call_responses)
        .where(data_call_responses.c.call_id == call_id, data_call_responses.c.unit_id == unit_id)
        .values(**values)
    )


async def tree_units(session: Session, paths: Sequence[str], under: str) -> list[sa.Row]:
    """The units at or below ``under`` on the way to any of ``paths`` (their ancestors and
    themselves), in tree order: ``id``, ``path``, ``name``, ``parent_id``."""
    if not paths:
        return []
    stmt = (
        sa.select(
            units.c.id,
            sa.cast(units.c.path, sa.Text).label("path"),
            units.c.name,
            units.c.parent_id,
        )
        .where(
            units.c.path.op("@>")(paths_param(list(paths))),
            units.c.path.op("<@")(sa.cast(sa.literal(under), units.c.path.type)),
        )
        .order_by(units.c.path)
    )
    return list((await session.execute(stmt)).all())


# --- what the warnings scan reads (as the owner) ----------------------------------------------

_PENDING = sa.text("""
SELECT c.id AS call_id, c.title, c.due_on, c.remind_working_days, c.issuer_name AS issuer,
       r.unit_id, r.unit_path::text AS unit_path, r.school_id, u.name AS unit_name
  FROM data_calls c
  JOIN data_call_responses r ON r.call_id = c.id
  JOIN units u ON u.id = r.unit_id
 WHERE c.unit_path <@ CAST(:c AS ltree) AND c.closed_at IS NULL AND r.answered_at IS NULL
   AND c.due_on BETWEEN CAST(:from AS date) AND CAST(:to AS date)
 ORDER BY c.id, r.unit_path
""")


async def pending(
    conn: AsyncConnection, commission_path: str, due_from: date, due_to: date
) -> list[sa.Row]:
    """The units of the commission's open calls due within [``due_from``, ``due_to``] that have
    not answered: ``call_id``, ``title``, ``due_on``, ``remind_working_days``, ``issuer``,
    ``unit_id``, ``unit_path``, ``school_id``, ``unit_name``."""
    result = await conn.execute(_PENDING, {"c": commission_path, "from": due_from, "to": due_to})
    return list(result.all())
