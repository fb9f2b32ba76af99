"""A unit's roll-up for a period: its line and each child's, the structural targets beside the
actuals, the months of the period and the same kind of period year over year.

Every figure is read from tallies the database derives from the recruits (each figure defined
once, in ``migrations/tallies.py``) and from the quota balances; nobody types a total. At every
level a unit's figures equal the recruits attached to it directly plus the sum of its children's
lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from partyplan.models.rollups import MONTH_FIGURES, PERIOD_FIGURES
from partyplan.resolvers.plans.repository import balances
from partyplan.resolvers.plans.rules import DIMENSIONS, Amounts
from partyplan.resolvers.plans.service.common import plan_scope
from partyplan.tenants.session import Session

from . import repository

MAX_YEARS = 20


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places, half to even, of the exact quotient (1/32 is
    0.0312, 3/32 0.0938): what the compiled roll-up computes in SQL (``repository.ratio_sql``)
    gives the same number. None when there is nothing to divide by."""
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(_PLACES, ROUND_HALF_EVEN))


_PLACES = Decimal("0.0001")


def _amounts(row: Any, prefix: str) -> Amounts:
    return Amounts(*(int(getattr(row, f"{prefix}_{d}")) for d in DIMENSIONS))


def plan_figure(unit_kind: str, received_total: int, handed_total: int) -> int:
    """计划数: the quota a unit received; a commission receives nothing, it issues without a
    ceiling, so its plan is the quota it issued."""
    return int(handed_total if unit_kind == "commission" else received_total)


@dataclass(frozen=True)
class RollupLine:
    """A line of the roll-up over its row; the quota amounts are built when first read (a
    province screen of 150 lines rarely asks for all five)."""

    unit_id: int
    unit_name: str
    unit_kind: str
    active: bool
    forecast_remark: str | None
    figures: Mapping[str, int]
    row: Any

    @classmethod
    def of(cls, row: sa.Row) -> RollupLine:
        return cls(
            unit_id=row.unit_id,
            unit_name=row.unit_name,
            unit_kind=row.unit_kind,
            active=row.active,
            forecast_remark=row.forecast_remark,
            figures={f: int(getattr(row, f)) for f in PERIOD_FIGURES},
            row=row,
        )

    @property
    def unit_path(self) -> str:
        return str(self.row.unit_path)

    @cached_property
    def received(self) -> Amounts:
        return _amounts(self.row, "received")

    @cached_property
    def handed(self) -> Amounts:
        return _amounts(self.row, "handed")

    @cached_property
    def reserve(self) -> Amounts:
        return _amounts(self.row, "reserve")

    @cached_property
    def unallocated(self) -> Amounts:
        """未分解: received, neither handed down nor reserved; none at a commission, which
        issues without a ceiling."""
        if self.unit_kind == "commission":
            return Amounts(0)
        return self.received - self.handed - self.reserve

    @cached_property
    def forecast(self) -> Amounts:
        """预计数: every forecast submitted in the unit's subtree, its own included; a
        branch's is what it submitted. Equals ``own_forecast`` plus the children's lines."""
        return _amounts(self.row, "subtree_forecast")

    @cached_property
    def own_forecast(self) -> Amounts:
        """The unit's own submission (zero when it made none)."""
        return _amounts(self.row, "forecast")

    @cached_property
    def children_forecast(self) -> Amounts:
        """The forecasts below the unit: its subtree's less its own."""
        return self.forecast - self.own_forecast

    @property
    def placed_on_names(self) -> int:
        """Places placed on named development targets in the subtree (placeQuota; migration
        0021's tallies), consumed ones included."""
        return int(self.row.named_placed)

    @property
    def names_without_place(self) -> int:
        """Development targets backing a forecast in the subtree that hold no place."""
        return int(self.row.named_unplaced)

    @property
    def admissions(self) -> int:
        """Every admission of the period: counted against the quota or exempt."""
        return self.figures["admitted"] + self.figures["admitted_exempt"]

    @property
    def plan(self) -> int:
        """计划数: the quota the unit received; for a commission, the quota it issued."""
        return plan_figure(self.unit_kind, self.row.received_total, self.row.handed_total)

    @property
    def completion_rate(self) -> float | None:
        """完成率: admissions counted against the quota over the plan."""
        return ratio(self.figures["admitted"], self.plan)


@dataclass(frozen=True)
class TargetCheck:
    """A structural target of the plan beside the actual admissions."""

    indicator: str
    min_count: int | None
    min_share_percent: Decimal | None
    actual: int
    share: float | None
    met: bool


def check_target(target: Any, line: RollupLine) -> TargetCheck:
    """Met when the count reaches ``min_count`` and the share of all the period's admissions
    reaches ``min_share_percent`` (each where set). With no admission a share is undefined: a
    positive minimum share is then not met."""
    actual = line.figures[target.indicator]
    base = line.admissions
    count_ok = target.min_count is None or actual >= target.min_count
    minimum = target.min_share_percent
    share_ok = minimum is None or minimum <= 0 or (base > 0 and actual * 100 >= minimum * base)
    return TargetCheck(
        target.indicator,
        target.min_count,
        minimum,
        actual,
        ratio(actual, base),
        count_ok and share_ok,
    )


@dataclass(frozen=True)
class RollupView:
    period: sa.Row
    unit: sa.Row
    line: RollupLine
    children: list[RollupLine]
    targets: list[TargetCheck]


async def rollup(session: Session, *, unit_id: int, period_id: int) -> RollupView:
    """Two statements whatever the size of the tree: the lines, the targets."""
    period, unit = await plan_scope(session, unit_id=unit_id, period_id=period_id)
    rows = await repository.lines(session, period.id, unit.id)
    own, children = RollupLine.of(rows[0]), [RollupLine.of(r) for r in rows[1:]]
    targets = await balances.targets(session, period.id, unit.id)
    return RollupView(period, unit, own, children, [check_target(t, own) for t in targets])


@dataclass(frozen=True)
class RollupMonth:
    month: Any
    figures: Mapping[str, int]
    admitted_to_date: int


async def months(session: Session, view: RollupView) -> list[RollupMonth]:
    rows = await repository.months(session, view.period, view.unit)
    result, running = [], 0
    for row in rows:
        figures = {f: int(getattr(row, f)) for f in MONTH_FIGURES}
        running += figures["admitted"]
        result.append(RollupMonth(row.month, figures, running))
    return result


@dataclass(frozen=True)
class RollupYear:
    period: sa.Row
    received: int
    plan: int
    admitted: int
    admitted_exempt: int
    change: float | None

    @property
    def completion_rate(self) -> float | None:
        """完成率 of the year, as the line's: admissions counted against the quota over the
        plan (a commission's: what it issued)."""
        return ratio(self.admitted, self.plan)


async def years(session: Session, view: RollupView, last: int) -> list[RollupYear]:
    """Newest first; ``change`` is the relative change of all admissions (counted and exempt)
    from the previous period of the same kind (the 大起大落 check)."""
    last = max(1, min(last, MAX_YEARS))
    rows = await repository.years(session, view.period, view.unit, last + 1)
    totals = [r.admitted + r.admitted_exempt for r in rows]
    return [
        RollupYear(
            period=row,
            received=int(row.received_total),
            plan=plan_figure(view.unit.kind, row.received_total, row.handed_total),
            admitted=int(row.admitted),
            admitted_exempt=int(row.admitted_exempt),
            change=None if i + 1 >= len(rows) else _change(totals[i + 1], totals[i]),
        )
        for i, row in enumerate(rows[:last])
    ]


def _change(before: int, after: int) -> float | None:
    return None if before == 0 else round((after - before) / before, 4)


async def rollup_json(
    session: Session, *, unit_id: int, period_id: int, statement: sa.Select[Any]
) -> str:
    """The JSON text :func:`lines_statement`'s ``statement`` builds of the roll-up's lines,
    after the checks :func:`rollup` makes: one statement."""
    period, unit = await plan_scope(session, unit_id=unit_id, period_id=period_id)
    return await repository.lines_json(session, period.id, unit.id, statement)


# The lines built as JSON by PostgreSQL (schema/compiled): the statement ``rollup`` reads.
lines_statement = repository.lines_statement
ratio_sql = repository.ratio_sql
