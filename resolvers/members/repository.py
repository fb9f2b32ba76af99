"""All SQL of the member roster."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from partyplan.models import members, units
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import Subtree, descendant_of_any, in_subtree
from partyplan.tenants.session import Session

_STANDING = sa.text(
    "SELECT code, joined_on, full_on, left_on, party_probation_from,"
    " party_probation_restored_on FROM member_standing(:school, :codes)"
).columns(
    code=sa.Text,
    joined_on=sa.Date,
    full_on=sa.Date,
    left_on=sa.Date,
    party_probation_from=sa.Date,
    party_probation_restored_on=sa.Date,
)


def _joined() -> sa.Select:  # type: ignore[type-arg]
    return sa.select(members, units.c.name.label("branch_name")).join(
        units, units.c.id == members.c.branch_id
    )


async def page(
    session: Session,
    *,
    read_paths: list[str],
    under: Subtree | None,
    search: str | None,
    status: str | None,
    on: date,
    keyset: Keyset,
) -> Page:
    """By id: one statement, the branch's name joined; ``status`` is judged on ``on``."""
    stmt = _joined().where(descendant_of_any(members.c.unit_path, read_paths))
    if under is not None:
        stmt = stmt.where(in_subtree(members.c.unit_path, members.c.school_id, under))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(members.c.name.like(pattern), members.c.code.like(pattern)))
    left = sa.and_(members.c.left_on.is_not(None), members.c.left_on <= on)
    full = sa.and_(members.c.full_on.is_not(None), members.c.full_on <= on)
    if status == "left":
        stmt = stmt.where(left)
    elif status == "full":
        stmt = stmt.where(full, sa.not_(left))
    elif status == "probationary":
        stmt = stmt.where(sa.not_(full), sa.not_(left))
    return await paging.fetch(session, stmt, members.c.id, keyset)


async def get(session: Session, member_id: int) -> sa.Row | None:
    return (await session.execute(_joined().where(members.c.id == member_id))).first()


async def codes_in(session: Session, school_id: int, codes: list[str]) -> set[str]:
    stmt = sa.select(members.c.code).where(
        members.c.school_id == school_id, members.c.code.in_(codes)
    )
    return set((await session.execute(stmt)).scalars())


async def branches(
    session: Session, school_id: int, kinds: tuple[str, ...], read_paths: list[str]
) -> list[sa.Row]:
    """The school's units of ``kinds`` the caller reads (id, name, path, active): a roster
    file names its members' branches by name."""
    stmt = sa.select(units.c.id, units.c.name, units.c.path, units.c.active).where(
        units.c.school_id == school_id,
        units.c.kind.in_(kinds),
        descendant_of_any(units.c.path, read_paths),
    )
    return list((await session.execute(stmt.order_by(units.c.id))).all())


async def upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or replace by (school, code): the roster sent is the truth for those members."""
    stmt = insert(members).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[members.c.school_id, members.c.code],
        set_={
            "branch_id": stmt.excluded.branch_id,
            "unit_path": stmt.excluded.unit_path,
            "name": stmt.excluded.name,
            "joined_on": stmt.excluded.joined_on,
            "full_on": stmt.excluded.full_on,
            "left_on": stmt.excluded.left_on,
            "source": stmt.excluded.source,
            "updated_at": sa.func.now(),
        },
    )
    await session.execute(stmt)


async def locked(session: Session, member_id: int) -> sa.Row | None:
    """The member by id, its row locked against a concurrent change of the same member."""
    stmt = _joined().where(members.c.id == member_id).with_for_update(of=members)
    return (await session.execute(stmt)).first()


async def set_party_probation(
    session: Session, member_id: int, since: date | None, restored_on: date | None
) -> None:
    """The member's 留党察看 period (both null: none on record)."""
    await session.execute(
        sa.update(members)
        .where(members.c.id == member_id)
        .values(
            party_probation_from=since,
            party_probation_restored_on=restored_on,
            updated_at=sa.func.now(),
        )
    )


async def standing(session: Session, school_id: int, codes: list[str]) -> dict[str, sa.Row]:
    """Each code's dates on the school's roster (codes not on it are absent), whichever
    branch holds them: through ``member_standing``, which reveals nothing else."""
    result = await session.execute(_STANDING, {"school": school_id, "codes": codes})
    return {row.code: row for row in result.all()}
