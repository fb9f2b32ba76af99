"""All SQL of the unit tree. Callers pass a :class:`Session`; row-level security applies."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from partyplan.models import units
from partyplan.models.base import Ltree
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import descendant_of, descendant_of_any
from partyplan.tenants.session import Session
from partyplan.tenants.shaped import param

from . import ties

UNIT_COLUMNS = (
    units.c.id,
    units.c.kind,
    units.c.name,
    units.c.code,
    units.c.parent_id,
    units.c.path,
    units.c.school_id,
    units.c.active,
    units.c.created_at,
    units.c.updated_at,
    units.c.region_code,
)


def joined_unit_columns(table: sa.Table, prefix: str) -> tuple[sa.ColumnElement, ...]:  # type: ignore[type-arg]
    """``UNIT_COLUMNS`` of ``table`` (an alias of units) labelled ``<prefix><name>``, for a
    statement that joins a unit into another row (``Unit.from_joined`` reads them)."""
    return tuple(table.c[c.name].label(f"{prefix}{c.name}") for c in UNIT_COLUMNS)


# Built once (tenants/shaped.py): every check of a unit argument reads it.
_GET = sa.select(*UNIT_COLUMNS).where(units.c.id == param("unit_id", sa.BigInteger))


async def get(session: Session, unit_id: int) -> sa.Row | None:
    return (await session.execute(_GET, {"p_unit_id": unit_id})).first()


async def commissions(session: Session, code: str | None = None) -> list[sa.Row]:
    """Every commission (the one with ``code``, when given), in id order."""
    stmt = sa.select(*UNIT_COLUMNS).where(units.c.kind == "commission").order_by(units.c.id)
    if code is not None:
        stmt = stmt.where(units.c.code == code)
    return list((await session.execute(stmt)).all())


async def get_many(session: Session, ids: Sequence[int], read_paths: list[str]) -> list[sa.Row]:
    stmt = sa.select(*UNIT_COLUMNS).where(
        units.c.id == sa.any_(sa.literal(list(ids), sa.ARRAY(sa.BigInteger))),
        descendant_of_any(units.c.path, read_paths),
    )
    return list((await session.execute(stmt)).all())


async def page(
    session: Session,
    *,
    read_paths: list[str],
    under_path: str | None,
    kind: str | None,
    include_inactive: bool,
    keyset: Keyset,
) -> Page:
    """Units in id order, keyset-paginated, inside ``read_paths`` (the choke point)."""
    stmt = sa.select(*UNIT_COLUMNS).where(descendant_of_any(units.c.path, read_paths))
    if under_path is not None:
        stmt = stmt.where(descendant_of(units.c.path, under_path))
    if kind is not None:
        stmt = stmt.where(units.c.kind == kind)
    if not include_inactive:
        stmt = stmt.where(units.c.active)
    return await paging.fetch(session, stmt, units.c.id, keyset)


async def insert(
    session: Session, *, kind: str, name: str, code: str | None, parent_id: int
) -> sa.Row:
    # path and school_id are derived by the units_derive trigger; the placeholder is replaced.
    stmt = (
        sa.insert(units)
        .values(kind=kind, name=name, code=code, parent_id=parent_id, path=sa.cast("0", Ltree))
        .returning(*UNIT_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def update_fields(session: Session, unit_id: int, **values: object) -> sa.Row:
    stmt = (
        sa.update(units)
        .where(units.c.id == unit_id)
        .values(**values, updated_at=sa.func.now())
        .returning(*UNIT_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def set_region(session: Session, commission: sa.Row, region_code: str) -> sa.Row:
    """Set the region of a commission and of every unit below it: each unit holds a copy of its
    commission's region (the ``units_derive`` trigger copies it into a new unit), which the
    procedure of its recruits reads. Returns the commission's row."""
    await session.execute(
        sa.update(units)
        .where(descendant_of(units.c.path, commission.path), units.c.id != commission.id)
        .values(region_code=region_code)
    )
    return await update_fields(session, commission.id, region_code=region_code)


async def code_taken(session: Session, code: str, except_id: int | None = None) -> bool:
    """Codes are unique platform-wide; rows outside the caller's scope are invisible here,
    so the unique constraint remains the final guard (see service)."""
    stmt = sa.select(sa.literal(1)).where(units.c.code == code)
    if except_id is not None:
        stmt = stmt.where(units.c.id != except_id)
    return (await session.scalar(stmt)) is not None


# subpath() refuses an empty remainder, so the moved unit's own path is replaced whole.
_REBASE = (
    "UPDATE {table} SET {column} = CASE WHEN {column} = CAST(:old AS ltree)"
    " THEN CAST(:new AS ltree)"
    " ELSE CAST(:new AS ltree) || subpath({column}, nlevel(CAST(:old AS ltree))) END"
    " WHERE {column} <@ CAST(:old AS ltree)"
)

# (table, column) of every path copy a move rewrites, in the order of ``ties.PATH_COPIES``.
PATH_COPIES: tuple[tuple[sa.Table, str], ...] = tuple(
    (copy.table, copy.column.name) for copy in ties.PATH_COPIES
)
#: What a move runs once the unit is re-parented: its descendants' paths, then every copy.
MOVE_STATEMENTS = (
    sa.text(_REBASE.format(table="units", column="path") + " AND id <> :id"),
    *(sa.text(_REBASE.format(table=table.name, column=column)) for table, column in PATH_COPIES),
)


async def move(session: Session, unit: sa.Row, new_parent_id: int) -> sa.Row:
    """Re-parent ``unit``; its own path is re-derived by the trigger, its descendants' paths and
    every path copy declared in :mod:`.ties` follow here, in the same transaction."""
    moved = await update_fields(session, unit.id, parent_id=new_parent_id)
    params = {"new": moved.path, "old": unit.path, "id": unit.id}
    for statement in MOVE_STATEMENTS:
        await session.execute(statement, params)
    return moved


async def holding_reason(session: Session, unit: sa.Row, operation: ties.Operation) -> str | None:
    """Why ``unit`` may not undergo ``operation``: the first of ``ties.GUARDS`` blocking it
    that finds rows at the unit or below it, or None."""
    for guard in ties.GUARDS:
        if operation not in guard.blocks:
            continue
        stmt = sa.select(sa.func.count()).where(descendant_of(guard.path, unit.path), guard.where)
        count = int(await session.scalar(stmt))
        if count:
            return guard.reason.format(unit=unit.name, count=count)
    return None


async def count_active_children(session: Session, unit_id: int) -> int:
    stmt = sa.select(sa.func.count()).where(units.c.parent_id == unit_id, units.c.active)
    return int(await session.scalar(stmt))


def _children(
    parent_ids: Sequence[int], read_paths: list[str], include_inactive: bool
) -> sa.Select:  # type: ignore[type-arg]
    stmt = sa.select(*UNIT_COLUMNS).where(
        units.c.parent_id == sa.any_(sa.literal(list(parent_ids), sa.ARRAY(sa.BigInteger))),
        descendant_of_any(units.c.path, read_paths),
    )
    return stmt if include_inactive else stmt.where(units.c.active)


async def children_pages(
    session: Session,
    *,
    parent_ids: Sequence[int],
    read_paths: list[str],
    include_inactive: bool,
    keyset: Keyset,
) -> dict[int, tuple[list[sa.Row], bool]]:
    """The page ``keyset`` of the children (id order, inside ``read_paths``) of every unit of
    ``parent_ids``, in one statement: per parent, its rows and whether more lie beyond them in
    the direction of paging (each parent's ``LIMIT n + 1`` is a rank within its partition)."""
    order = units.c.id.desc() if keyset.backward else units.c.id.asc()
    rank = sa.func.row_number().over(partition_by=units.c.parent_id, order_by=order)
    ranked = (
        _children(parent_ids, read_paths, include_inactive)
        .where(paging.between_cursors(units.c.id, keyset))
        .add_columns(rank.label("rank"))
        .subquery()
    )
    stmt = (
        sa.select(ranked)
        .where(ranked.c.rank <= keyset.size + 1)
        .order_by(ranked.c.parent_id, ranked.c.id)
    )
    found: dict[int, list[sa.Row]] = {}
    for row in (await session.execute(stmt)).all():
        found.setdefault(row.parent_id, []).append(row)
    pages: dict[int, tuple[list[sa.Row], bool]] = {}
    for parent_id in parent_ids:
        rows = found.get(parent_id, [])
        pages[parent_id] = ([r for r in rows if r.rank <= keyset.size], len(rows) > keyset.size)
    return pages


async def children_summaries(
    session: Session,
    *,
    parent_ids: Sequence[int],
    read_paths: list[str],
    include_inactive: bool,
    keyset: Keyset,
) -> dict[int, tuple[int, bool, bool]]:
    """Per parent of ``parent_ids``, in one statement: how many children it has inside
    ``read_paths``, whether any lies at or before ``keyset.after`` and whether any lies at or
    after ``keyset.before`` (what a page of children tells only when asked)."""
    after = -1 if keyset.after is None else keyset.after
    before = 2**63 - 1 if keyset.before is None else keyset.before
    filtered = _children(parent_ids, read_paths, include_inactive).subquery()
    stmt = sa.select(
        filtered.c.parent_id,
        sa.func.count(),
        sa.func.bool_or(filtered.c.id <= after),
        sa.func.bool_or(filtered.c.id >= before),
    ).group_by(filtered.c.parent_id)
    found = {r[0]: (int(r[1]), bool(r[2]), bool(r[3])) for r in await session.execute(stmt)}
    return {p: found.get(p, (0, False, False)) for p in parent_ids}
