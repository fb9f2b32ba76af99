"""Operations on the unit tree: each checks the caller, applies the rules, writes and audits.
Services never commit: the request owns the transaction (and each mutation a savepoint)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import is_within
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import Subtree, default_subtree
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import UnitError, UnitErrorCode

AUDITED = ("kind", "name", "code", "parent_id", "path", "active")


def snapshot(row: sa.Row) -> dict[str, object]:
    return {key: getattr(row, key) for key in AUDITED}


async def visible(
    session: Session,
    unit_id: int,
    permission: Permission = Permission.UNIT_READ,
    field: str | None = None,
) -> sa.Row:
    """The unit if the caller reaches it, else NOT_FOUND; then FORBIDDEN without ``permission``."""
    row = await repository.get(session, unit_id)
    return session.reach(row, f"党组织（{field or 'id'}）", permission, "path")


async def visible_school(
    session: Session, school_id: int, permission: Permission, field: str = "schoolId"
) -> sa.Row:
    """A school the caller reaches (any other unit, or one out of reach: NOT_FOUND, which tells
    nothing of other schools), then FORBIDDEN without ``permission`` there."""
    school = await visible(session, school_id, Permission.UNIT_READ, field)
    if school.kind != "school":
        raise NotFound(f"未找到该学校（{field}）")
    session.require(permission, school.path)
    return school


async def readable(session: Session, unit_ids: Sequence[int]) -> list[sa.Row]:
    """The units among ``unit_ids`` the caller may read (``unit.read``), in one statement; the
    others are absent, not refused (a loader answers null for a unit out of reach)."""
    read_paths = session.principal.paths_with(Permission.UNIT_READ)
    return await repository.get_many(session, unit_ids, read_paths)


async def _audit(session: Session, operation: str, before: sa.Row | None, after: sa.Row) -> None:
    await audit.append(
        session,
        operation=operation,
        object_type="Unit",
        object_id=after.id,
        unit_id=after.id,
        school_id=after.school_id,
        before=None if before is None else snapshot(before),
        after=snapshot(after),
    )


def _active(row: sa.Row, field: str) -> None:
    if not row.active:
        raise UnitError(UnitErrorCode.INACTIVE_UNIT, rules.inactive(row.name), field)


def _duplicate_code(code: object) -> UnitError:
    return UnitError(UnitErrorCode.DUPLICATE_CODE, f"组织代码 {code} 已被其他党组织使用", "code")


async def _check_code(session: Session, code: str | None, except_id: int | None = None) -> None:
    if code is not None and await repository.code_taken(session, code, except_id):
        raise _duplicate_code(code)


def _code_conflict(error: IntegrityError) -> bool:
    return "uq_units_code" in str(error.orig)


async def create_unit(
    session: Session, *, parent_id: int, kind: str, name: str, code: str | None
) -> sa.Row:
    parent = await visible(session, parent_id, Permission.UNIT_WRITE, "parentId")
    name, code = rules.clean_name(name), rules.clean_code(code)
    rules.check_placement(kind, parent.kind)
    _active(parent, "parentId")
    await _check_code(session, code)
    try:
        row = await repository.insert(session, kind=kind, name=name, code=code, parent_id=parent.id)
    except IntegrityError as error:
        if _code_conflict(error):
            raise _duplicate_code(code) from error
        raise
    await _audit(session, "createUnit", None, row)
    return row


async def rename_unit(
    session: Session, *, unit_id: int, name: str, code: str | None = None, change_code: bool = False
) -> sa.Row:
    unit = await visible(session, unit_id, Permission.UNIT_WRITE, "unitId")
    values: dict[str, object] = {"name": rules.clean_name(name)}
    if change_code:
        values["code"] = rules.clean_code(code)
        await _check_code(session, values["code"], unit.id)  # type: ignore[arg-type]
    try:
        row = await repository.update_fields(session, unit.id, **values)
    except IntegrityError as error:
        if _code_conflict(error):
            raise _duplicate_code(values["code"]) from error
        raise
    await _audit(session, "renameUnit", unit, row)
    return row


async def move_unit(session: Session, *, unit_id: int, new_parent_id: int) -> sa.Row:
    unit = await visible(session, unit_id, Permission.UNIT_WRITE, "unitId")
    parent = await visible(session, new_parent_id, Permission.UNIT_WRITE, "newParentId")
    rules.check_move(
        unit.kind, unit.path, unit.school_id, parent.kind, parent.path, parent.school_id
    )
    _active(parent, "newParentId")
    if parent.id == unit.parent_id:
        return unit
    reason = await repository.holding_reason(session, unit, "move")
    if reason:
        raise UnitError(UnitErrorCode.IN_USE, reason, "unitId")
    row = await repository.move(session, unit, parent.id)
    await _audit(session, "moveUnit", unit, row)
    return row


async def deactivate_unit(session: Session, *, unit_id: int) -> sa.Row:
    unit = await visible(session, unit_id, Permission.UNIT_WRITE, "unitId")
    _active(unit, "unitId")
    if unit.kind == "commission":
        raise UnitError(UnitErrorCode.INVALID_KIND, "省委教育工委不能停用", "unitId")
    children = await repository.count_active_children(session, unit.id)
    if children:
        raise UnitError(
            UnitErrorCode.HAS_ACTIVE_CHILDREN,
            f"该党组织下仍有 {children} 个在用的下级党组织，请先将其停用或调出",
            "unitId",
        )
    reason = await repository.holding_reason(session, unit, "deactivate")
    if reason:
        raise UnitError(UnitErrorCode.IN_USE, reason, "unitId")
    row = await repository.update_fields(session, unit.id, active=False)
    await _audit(session, "deactivateUnit", unit, row)
    return row


async def units_page(
    session: Session,
    *,
    under_id: int | None,
    kind: str | None,
    include_inactive: bool,
    keyset: Keyset,
) -> Page:
    read_paths = session.principal.paths_with(Permission.UNIT_READ)
    under_path = None
    if under_id is not None:
        under_path = (await visible(session, under_id, Permission.UNIT_READ, "under")).path
    elif not read_paths:
        session.require(Permission.UNIT_READ, "")
    return await repository.page(
        session,
        read_paths=read_paths,
        under_path=under_path,
        kind=kind,
        include_inactive=include_inactive,
        keyset=keyset,
    )


async def listing_scope(
    session: Session, under_id: int | None, permission: Permission
) -> tuple[list[str], Subtree | None]:
    """Where a list may look: the paths the caller holds ``permission`` at, narrowed to the
    ``under`` unit (NOT_FOUND outside the caller's units, FORBIDDEN without the permission).
    With no ``under``, a caller holding the permission at one unit is narrowed to it."""
    principal = session.principal
    read_paths = principal.paths_with(permission)
    if under_id is None:
        if not read_paths:
            session.require(permission, "")
        return read_paths, default_subtree(principal, permission)
    under = await _under(session, under_id)
    if not any(is_within(under.path, p) for p in read_paths):
        session.require(permission, under.path)
    return read_paths, under


async def _under(session: Session, under_id: int) -> Subtree:
    """The subtree of the ``under`` unit, as :func:`visible` answers for it. A unit the caller
    is bound at needs no read: the bind returned its path, kind and school in the request's
    transaction (the paths every scope test and row-level security use), and it is always in
    reach, so only the permission is left to check. Lists are most often asked under one's
    own unit: a round trip fewer for them."""
    for binding in session.principal.bindings:
        if binding.unit_id == under_id:
            session.require(Permission.UNIT_READ, binding.unit_path)
            return Subtree.of_binding(binding)
    return Subtree.of_unit(await visible(session, under_id, Permission.UNIT_READ, "under"))


async def children_pages(
    session: Session, parent_ids: Sequence[int], *, include_inactive: bool, keyset: Keyset
) -> dict[int, tuple[list[sa.Row], bool]]:
    """A page of the children of each of ``parent_ids`` (units the caller has read), only
    those the caller may read (``unit.read``): one statement for all of them."""
    return await repository.children_pages(
        session,
        parent_ids=parent_ids,
        read_paths=session.principal.paths_with(Permission.UNIT_READ),
        include_inactive=include_inactive,
        keyset=keyset,
    )


async def children_summaries(
    session: Session, parent_ids: Sequence[int], *, include_inactive: bool, keyset: Keyset
) -> dict[int, tuple[int, bool, bool]]:
    """Per parent: (children the caller may read, any at or before ``keyset.after``, any at
    or after ``keyset.before``), one statement for all of them."""
    return await repository.children_summaries(
        session,
        parent_ids=parent_ids,
        read_paths=session.principal.paths_with(Permission.UNIT_READ),
        include_inactive=include_inactive,
        keyset=keyset,
    )
