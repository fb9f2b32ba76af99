"""Feasible admissions of unit subtrees in a period (docs/feasible-admissions.md).

A period that is closed, or ended before today, has none: nothing can be admitted in it any
more. Otherwise the procedures of the schools concerned are loaded once per commission (its
stored overlays and calendar), grouped by what binds them, and for each group today's half of
the earliest admission is walked for every mask of steps left (29 walks of at most 16 steps);
one aggregate over the recruits does the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.recruits.rules.calendar import WorkingCalendar
from partyplan.resolvers.recruits.rules.overlays import Overlay, rules_by_date
from partyplan.resolvers.recruits.service.procedure import Procedure, load_procedure

from . import repository
from .rules import Feasible, covering, floors, fold, shortfall


def is_open(period: Any, today: date) -> bool:
    """Whether admissions can still be made in the period: not closed, not ended."""
    return period.state != "closed" and period.ends_on >= today


def _group_key(
    procedure: Procedure,
) -> tuple[str, str | None, tuple[Overlay, ...], WorkingCalendar]:
    """What a school's procedure depends on: its province, the overlays binding it (the school
    itself only where one of them is its own) and the calendar."""
    binding = tuple(
        o
        for o in procedure.overlays
        if o.province == procedure.province and o.school in (None, procedure.school)
    )
    school = procedure.school if any(o.school is not None for o in binding) else None
    return procedure.province, school, binding, procedure.calendar


@lru_cache(maxsize=64)
def _floors(
    province: str,
    school: str | None,
    overlays: tuple[Overlay, ...],
    calendar: WorkingCalendar,
    today: date,
) -> dict[int, date]:
    """Today's halves for a procedure, once a day per procedure (every input is a frozen value,
    so an entry cannot go stale; another day is another key)."""
    return floors(rules_by_date(province, school, overlays).on, calendar, today)


async def _procedures(session: Any, schools: Sequence[sa.Row]) -> list[Procedure]:
    """Each school's procedure; the commission's overlays and calendar read once."""
    if not schools:
        return []
    first = await load_procedure(session, schools[0])
    return [
        dataclasses.replace(first, province=row.region_code or "", school=str(row.school_id))
        for row in schools
    ]


async def feasible(
    session: Any, period: Any, paths: Sequence[str], today: date, *, dated: bool = False
) -> list[Feasible | None]:
    """Each subtree's feasible admissions in ``period`` (None for all when it is not open);
    with ``dated`` the earliest days are counted instead of the stages."""
    if not is_open(period, today) or not paths:
        return [None for _ in paths]
    scope = covering(paths)
    schools = await repository.schools_of(session, scope)
    groups: dict[tuple[Any, ...], int] = {}
    school_groups: list[tuple[int, int]] = []
    floor_rows: list[tuple[int, int, date]] = []
    for row, procedure in zip(schools, await _procedures(session, schools), strict=True):
        key = _group_key(procedure)
        if key not in groups:
            group = groups[key] = len(groups)
            found = _floors(*key, today)
            floor_rows += [(group, mask, on) for mask, on in found.items()]
        school_groups.append((row.school_id, groups[key]))
    rows = await repository.ahead(
        session,
        paths,
        scope=scope,
        schools=school_groups,
        floors=floor_rows,
        today=today,
        ends=period.ends_on,
        dated=dated,
    )
    return list(fold(len(paths), rows, dated=dated))


async def feasible_of_units(
    session: Any, period: Any, unit_ids: Sequence[int], today: date, *, dated: bool = False
) -> list[Feasible | None]:
    """:func:`feasible` for units given by id (a unit the caller cannot see has none)."""
    paths = await repository.paths_of(session, unit_ids)
    known = [u for u in unit_ids if u in paths]
    found = dict(
        zip(
            known,
            await feasible(session, period, [paths[u] for u in known], today, dated=dated),
            strict=True,
        )
    )
    return [found.get(u) for u in unit_ids]


@dataclass(frozen=True)
class QuotaCheck:
    """A unit whose quota received or forecast exceeds what its subtree can still reach."""

    line: sa.Row  # repository.quota_lines
    feasible: int
    over: dict[str, int]  # "received" / "forecast": by how many


async def quota_checks(conn: Any, period: Any, today: date, margin: int) -> list[QuotaCheck]:
    """The units of the period's schools whose received quota or forecast exceeds, by more than
    ``margin``, their admissions so far plus the feasible ones (none outside an open period).
    As the owner: the warnings scan's connection."""
    if not is_open(period, today):
        return []
    lines = await repository.quota_lines(conn, period.id)
    figures = await feasible(conn, period, [line.path for line in lines], today)
    found = []
    for line, figure in zip(lines, figures, strict=True):
        count = 0 if figure is None else figure.count
        over = shortfall(line.received, line.forecast, line.admitted + margin, count)
        if over is not None:
            found.append(QuotaCheck(line, count, over))
    return found
