"""Plan periods and quotas: each commission's calendar years (issued), the quota it issued to
each school, each school's reserve and its subdivision to the units directly under it.

Quotas are set from the admissions the generated recruits actually make (a commission plans
from the schools' forecasts, which track what they admit): a period's quota is its counted
admissions — extrapolated to the whole year for a period still running on ``as_of`` — times a
factor around 1.05, so completion rates spread around 95 % and a few schools end over plan.

Invariants (the CHECK constraints of ``unit_quotas`` and ``plans.rules.check_amounts``):

* every movement has total ≥ 1, students + staff ≤ total, high-knowledge ≤ total;
* ``unit_quotas`` equals the ledger: a school received what was issued, handed what it
  allocated and keeps its reserve, with handed + reserve ≤ received in every dimension; a unit
  under it received its allocation; the commission's row has handed the sum of its issues;
* every balance keeps the sub-quota bounds, what a school has left to hand down included
  (received − handed − reserve): its reserve is staff places, and the sub-quota places its
  units' shares leave over go to units with room for them (:func:`_settle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from .records import CST
from .regions import PROVINCE_BY_CODE
from .scale import Scale, rng_for
from .tree import Tree, _split

DIMENSIONS = ("total", "students", "staff", "high_knowledge")


@dataclass
class PlanRows:
    periods: list[tuple[Any, ...]] = field(default_factory=list)
    movements: list[tuple[Any, ...]] = field(default_factory=list)
    quotas: list[tuple[Any, ...]] = field(default_factory=list)
    targets: list[tuple[Any, ...]] = field(default_factory=list)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), CST)


def period_rows(tree: Tree, scale: Scale) -> list[tuple[Any, ...]]:
    """(id, commission_id, commission_path, name, kind, starts_on, ends_on, report_due_on,
    state, created_at): ids commission by commission, year by year."""
    rows = []
    for commission in tree.commissions:
        for year in scale.years:
            rows.append(
                (
                    len(rows) + 1,
                    commission.id,
                    commission.path,
                    f"{year} 年度",
                    "calendar_year",
                    date(year, 1, 1),
                    date(year, 12, 31),
                    date(year, 12, 15),
                    "issued",
                    _at(date(year, 1, 5)),
                )
            )
    return rows


def _capped(amounts: list[int]) -> list[int]:
    """Sub-quotas that fit the total: students first, staff in what is left."""
    total = amounts[0]
    students = min(amounts[1], total)
    return [total, students, min(amounts[2], total - students), min(amounts[3], total)]


def build_plans(
    tree: Tree, scale: Scale, seed: int, admissions: dict[tuple[int, int], list[int]]
) -> PlanRows:
    """``admissions``: (year, unit directly under a school) → counted admissions by dimension."""
    rng = rng_for(seed, "plans")
    plans = PlanRows(periods=period_rows(tree, scale))
    children: dict[int, list[int]] = {}
    units = {u.id: u for u in tree.all_units()}
    for unit in units.values():
        if (
            unit.kind != "school"
            and unit.school_id is not None
            and unit.parent_id == unit.school_id
        ):
            children.setdefault(unit.school_id, []).append(unit.id)
    movement_id = 0
    for period in plans.periods:
        period_id, commission_id, year = period[0], period[1], period[5].year
        starts, ends = period[5], period[6]
        elapsed = min(1.0, ((scale.as_of - starts).days + 1) / ((ends - starts).days + 1))
        commission = units[commission_id]
        issued_total = [0, 0, 0, 0]
        document = f"{PROVINCE_BY_CODE[commission.region_code].abbr}教工委组〔{year}〕{rng.randint(5, 40)}号"
        issued_on = date(year, 3, rng.randint(10, 31))
        schools = [s for s in tree.schools if s.unit.parent_id == commission_id]
        for school in schools:
            kids = children.get(school.unit.id, [])
            actual = [sum(admissions.get((year, k), [0] * 4)[d] for k in kids) for d in range(4)]
            factor = rng.uniform(0.98, 1.15) / elapsed
            issued = _capped(
                [
                    max(1, round(a * factor)) if d == 0 else round(a * factor)
                    for d, a in enumerate(actual)
                ]
            )
            su = school.unit
            movement_id += 1
            plans.movements.append(
                (
                    movement_id,
                    period_id,
                    "issue",
                    commission_id,
                    su.id,
                    commission.path,
                    su.path,
                    su.id,
                    *issued,
                    document,
                    issued_on,
                    None,
                    _at(issued_on),
                )
            )
            for indicator, share in (("youth_35", 80), ("women", 40)):
                plans.targets.append(
                    (period_id, su.id, su.path, su.id, indicator, None, share, movement_id)
                )
            issued_total = [a + b for a, b in zip(issued_total, issued, strict=True)]
            reserve = [0, 0, 0, 0]
            keep = 0
            if issued[0] >= 20 and rng.random() < 0.6:  # places kept for staff (统筹)
                keep = max(1, issued[0] * rng.randint(2, 6) // 100)
                # Staff places only, out of those no high-knowledge place needs.
                keep = min(keep, issued[2], issued[0] - issued[3])
            if keep > 0:
                reserve = [keep, 0, keep, 0]
                movement_id += 1
                plans.movements.append(
                    (
                        movement_id,
                        period_id,
                        "reserve",
                        su.id,
                        su.id,
                        su.path,
                        su.path,
                        su.id,
                        *reserve,
                        None,
                        None,
                        "学校党委统筹教职工发展名额",
                        _at(issued_on),
                    )
                )
            handed = [0, 0, 0, 0]
            allocated_on = date(year, 4, rng.randint(1, 25))
            shares = [
                _allocate(
                    issued[d] - reserve[d], [admissions.get((year, k), [0] * 4)[d] for k in kids]
                )
                for d in range(4)
            ]
            allocations = [_capped([shares[d][i] for d in range(4)]) for i in range(len(kids))]
            _settle([issued[d] - reserve[d] for d in range(4)], allocations)
            for kid, amounts in zip(kids, allocations, strict=True):
                if amounts[0] < 1:
                    continue
                unit = units[kid]
                movement_id += 1
                plans.movements.append(
                    (
                        movement_id,
                        period_id,
                        "allocate",
                        su.id,
                        kid,
                        su.path,
                        unit.path,
                        su.id,
                        *amounts,
                        None,
                        None,
                        None,
                        _at(allocated_on),
                    )
                )
                plans.quotas.append(
                    _quota(period_id, unit.id, unit.path, unit.kind, su.id, received=amounts)
                )
                handed = [a + b for a, b in zip(handed, amounts, strict=True)]
            plans.quotas.append(
                _quota(
                    period_id,
                    su.id,
                    su.path,
                    "school",
                    su.id,
                    received=issued,
                    handed=handed,
                    reserve=reserve,
                )
            )
        plans.quotas.append(
            _quota(
                period_id, commission_id, commission.path, "commission", None, handed=issued_total
            )
        )
    return plans


def _settle(available: list[int], allocations: list[list[int]]) -> None:
    """Move the sub-quota places ``allocations`` leave over beyond the places left
    (``available`` less their sum) into allocations with room for them, so what is left keeps
    the sub-quota bounds. There is room enough when ``available`` keeps them itself."""
    left = [available[d] - sum(a[d] for a in allocations) for d in range(4)]
    for amounts in allocations:
        for d in (1, 2):  # students + staff within the total
            move = min(left[d], left[1] + left[2] - left[0], amounts[0] - amounts[1] - amounts[2])
            if move > 0:
                amounts[d] += move
                left[d] -= move
        move = min(left[3] - left[0], amounts[0] - amounts[3])  # high-knowledge
        if move > 0:
            amounts[3] += move
            left[3] -= move
    assert left[1] + left[2] <= left[0] and left[3] <= left[0], (available, left)


def _allocate(available: int, actual: list[int]) -> list[int]:
    """A school's quota among the units under it: what each admits, then the rest in
    proportion (a unit that admits nothing may still get a place). When the school is short,
    all of it in proportion."""
    weights = [a + 0.3 for a in actual]
    if sum(actual) >= available:
        return _split(available, weights)
    rest = _split(available - sum(actual), weights)
    return [a + r for a, r in zip(actual, rest, strict=True)]


def _quota(
    period_id: int,
    unit_id: int,
    path: str,
    kind: str,
    school_id: int | None,
    *,
    received: list[int] | None = None,
    handed: list[int] | None = None,
    reserve: list[int] | None = None,
) -> tuple[Any, ...]:
    """A ``unit_quotas`` row: received, handed, reserve and forecast figures (no forecasts)."""
    zero = [0, 0, 0, 0]
    figures = [*(received or zero), *(handed or zero), *(reserve or zero), *zero]
    if kind != "commission":
        for d in range(4):
            assert figures[4 + d] + figures[8 + d] <= figures[d], (unit_id, figures)
    return (period_id, unit_id, path, kind, school_id, *figures)
