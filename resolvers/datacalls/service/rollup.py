"""The roll-up of a call's answers, level by level, and what its workbook holds.

At a unit (the issuer by default), one line per child that has units to answer in its subtree,
the unit's own line when it must answer itself, and the total: how many must answer, how many
have, each number field summed and each choice field's options counted (``rules.Aggregate``).
Three statements whatever the size of the tree: the call, its responses under the unit, the
units on the way to them. Only what the caller reads (``plan.read``) is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository, rules
from .calls import reach, today_in

#: Level sheets a workbook holds at most (a province's schools each with their committees).
MAX_LEVELS = 200


@dataclass(frozen=True)
class Line:
    unit_id: int
    unit_name: str
    unit_path: str
    figures: rules.Aggregate


@dataclass(frozen=True)
class Level:
    unit_id: int
    unit_name: str
    unit_path: str
    lines: list[Line]
    own: Line | None
    total: rules.Aggregate


@dataclass(frozen=True)
class Rollup:
    call: sa.Row
    levels: list[Level]  # the level asked for first, then the levels below it in tree order
    responses: list[sa.Row]


def _level(
    form: list[dict[str, Any]],
    unit: Any,
    units: list[Any],
    responses: list[sa.Row],
) -> Level:
    children = [u for u in units if u.parent_id == unit.id]
    pairs = [(r.unit_path, r.answers) for r in responses]
    lines, own, total = rules.aggregate(form, pairs, [c.path for c in children], unit.path)
    own_line = None
    if own.expected:
        own_line = Line(unit.id, unit.name, unit.path, own)
    return Level(
        unit_id=unit.id,
        unit_name=unit.name,
        unit_path=unit.path,
        lines=[Line(c.id, c.name, c.path, lines[c.path]) for c in children],
        own=own_line,
        total=total,
    )


def _default_level(session: Session, issuer_path: str, paths: tuple[str, ...]) -> str:
    """The issuer, for a caller who reaches it; else the shallowest of the caller's own units
    holding a unit the call was sent to (a school's administrator sees its whole school)."""
    principal = session.principal
    if principal.reaches(issuer_path):
        return issuer_path
    roots = sorted(principal.scope_paths, key=lambda p: (p.count("."), p))
    return next(r for r in roots if any(rules.is_within(p, r) for p in paths))


async def rollup(
    session: Session, *, call_id: int, under_id: int | None, every_level: bool = False
) -> Rollup:
    """The roll-up at ``under_id`` (default: ``_default_level``); with ``every_level``, the levels
    below it too (each unit with units to answer below it), as the workbook shows them."""
    found = await reach(session, call_id, Permission.PLAN_READ)
    call = found.row
    if under_id is None:
        under_path = _default_level(session, call.unit_path, found.paths)
    else:
        under = await visible_unit(session, under_id, Permission.UNIT_READ, "under")
        if not session.principal.can(Permission.PLAN_READ, under.path):
            session.require(Permission.PLAN_READ, under.path)
        under_path = under.path
    read_paths = session.principal.paths_with(Permission.PLAN_READ)
    responses = await repository.responses(
        session, call_id, read_paths=read_paths, under=under_path
    )
    units = await repository.tree_units(session, [r.unit_path for r in responses], under_path)
    if not units:  # nothing to answer at or under the unit: its one level, empty
        units = await repository.tree_units(session, [under_path], under_path)
    top = units[0]
    levels = [_level(call.form, top, units, responses)]
    if every_level:
        targets = [r.unit_path for r in responses]
        for unit in units[1:]:
            if len(levels) >= MAX_LEVELS:
                break
            if any(rules.is_within(p, unit.path) and p != unit.path for p in targets):
                levels.append(_level(call.form, unit, units, responses))
    return Rollup(call=call, levels=levels, responses=responses)


async def workbook_content(session: Session, *, call_id: int, timezone: str) -> dict[str, Any]:
    """What the call's workbook shows: the form, every level from the top the caller reads,
    and every response (the detail sheet)."""
    result = await rollup(session, call_id=call_id, under_id=None, every_level=True)
    call = result.call
    return {
        "title": call.title,
        "issuer": call.issuer_name,
        "due_on": call.due_on,
        "closed": call.closed_at is not None,
        "as_of": today_in(timezone),
        "form": call.form,
        "levels": result.levels,
        "responses": result.responses,
    }


__all__ = ["MAX_LEVELS", "Level", "Line", "Rollup", "rollup", "workbook_content"]
