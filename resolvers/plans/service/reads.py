"""Reading plans: a unit's plan with its children's lines, its ledger, the next-year proposal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import is_within
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.session import Session

from ..errors import ROUND_NOT_FOUND
from ..linkage import LinkageRules, Suggestion, suggest
from ..repository import balances, ledger, lines, measures, periods
from ..rules import DIMENSIONS, Amounts, amounts_of
from .common import period_for, plan_scope, unit_in_period


@dataclass(frozen=True)
class PlanLine:
    """One unit's figures in a period (zeros where nothing was recorded yet).

    ``forecast`` is the unit's own submission (with its remark and time); ``subtree_forecast``
    is every submission at or below it, the figure the roll-ups show as the unit's forecast
    (预计数 of the branch table): a school whose branches forecast shows their sum without
    anyone typing it again.
    """

    unit_id: int
    unit_name: str
    received: Amounts
    handed: Amounts
    reserve: Amounts
    forecast: Amounts
    forecast_remark: str | None
    forecast_at: Any
    admitted: int
    subtree_forecast: Amounts

    @property
    def available(self) -> Amounts:
        return self.received - self.handed - self.reserve


@dataclass(frozen=True)
class PlanView:
    period: sa.Row
    unit: sa.Row
    line: PlanLine
    children: list[PlanLine]
    targets: list[sa.Row]

    @property
    def children_forecast(self) -> Amounts:
        """The children's lines' forecasts (each its subtree's) summed."""
        return Amounts(
            *(sum(getattr(c.subtree_forecast, d) for c in self.children) for d in DIMENSIONS)
        )

    @property
    def children_received(self) -> Amounts:
        return Amounts(*(sum(getattr(c.received, d) for c in self.children) for d in DIMENSIONS))


def _line(row: Any) -> PlanLine:
    return PlanLine(
        unit_id=row.unit_id,
        unit_name=row.unit_name,
        received=amounts_of(row, "received"),
        handed=amounts_of(row, "handed"),
        reserve=amounts_of(row, "reserve"),
        forecast=amounts_of(row, "forecast"),
        forecast_remark=row.forecast_remark,
        forecast_at=row.forecast_at,
        admitted=int(row.admitted),
        subtree_forecast=amounts_of(row, "subtree_forecast"),
    )


async def plan(session: Session, *, unit_id: int, period_id: int) -> PlanView:
    """Two statements whatever the number of children (after the checks): the lines
    (``repository/lines.py``), the targets."""
    period, unit = await plan_scope(session, unit_id=unit_id, period_id=period_id)
    own, *children = await lines.lines(session, period.id, unit.id, unit_read_paths(session))
    targets = await balances.targets(session, period.id, unit.id)
    return PlanView(
        period=period,
        unit=unit,
        line=_line(own),
        children=[_line(c) for c in children],
        targets=targets,
    )


#: A compiled plan's JSON is built over the lines' statement (``schema/compiled/plans.py``).
LinesInSql = lines.LinesInSql
lines_statement = lines.lines_statement


async def plan_json(
    session: Session, *, unit_id: int, period_id: int, statement: sa.Select[Any]
) -> str:
    """The JSON text :func:`lines_statement`'s ``statement`` builds of the plan's lines, after
    the checks :func:`plan` makes: one statement."""
    period, unit = await plan_scope(session, unit_id=unit_id, period_id=period_id)
    paths = unit_read_paths(session)
    return await lines.lines_json(session, period.id, unit.id, paths, statement)


def unit_read_paths(session: Session) -> list[str]:
    """Where the caller may read units: a line's ``unit`` is null elsewhere."""
    return session.principal.paths_with(Permission.UNIT_READ)


async def history(session: Session, *, unit_id: int, period_id: int, keyset: Keyset) -> Page:
    period = await period_for(session, period_id)
    unit = await unit_in_period(session, unit_id, period, Permission.PLAN_READ, "unitId")
    return await ledger.history(session, period.id, unit.id, keyset)


@dataclass(frozen=True)
class SuggestionView:
    period: sa.Row
    unit: sa.Row
    next_period: sa.Row | None
    suggestion: Suggestion
    rules: LinkageRules


async def linkage_rules_of(session: Session, commission_id: int) -> LinkageRules:
    """The commission's stored parameters, or the documented defaults."""
    stored = await periods.linkage(session, commission_id)
    if stored is None:
        return LinkageRules()
    return LinkageRules(**{k: stored._mapping[k] for k in LinkageRules.__dataclass_fields__})


async def suggestion(session: Session, *, unit_id: int, period_id: int) -> SuggestionView:
    period = await period_for(session, period_id)
    unit = await unit_in_period(session, unit_id, period, Permission.PLAN_READ, "unitId")
    own = await balances.get(session, period.id, unit.id)
    parameters = await linkage_rules_of(session, period.commission_id)
    received = own.received_total if own else 0
    admitted = (await measures.admitted_by_unit(session, period.id, [unit.id]))[unit.id]
    return SuggestionView(
        period=period,
        unit=unit,
        next_period=await periods.next_period(session, period),
        suggestion=suggest(received, admitted, parameters),
        rules=parameters,
    )


async def movement(session: Session, movement_id: int) -> tuple[sa.Row, str]:
    """A ledger movement and the path it is judged at: the end inside the caller's units
    (the receiving end first). Outside both ends: NOT_FOUND."""
    row = await ledger.get(session, movement_id)
    ends = [p for p in (row.to_path, row.from_path) if session.principal.reaches(p)] if row else []
    if not ends:
        raise NotFound("未找到该计划变动记录")
    session.require(Permission.PLAN_READ, ends[0])
    return row, ends[0]


async def dispatch_round(session: Session, round_id: int) -> tuple[sa.Row, str]:
    row = await periods.get_round(session, round_id)
    principal = session.principal
    if row is None or not principal.reaches_along(row.unit_path):
        raise NotFound(ROUND_NOT_FOUND)
    readable = [
        p
        for p in principal.paths_with(Permission.PLAN_READ)
        if is_within(row.unit_path, p) or is_within(p, row.unit_path)
    ]
    if not readable:
        session.require(Permission.PLAN_READ, row.unit_path)
    return row, row.unit_path
