"""Pure rules of named targets: who may be named, what a placement may change, whether it fits.

A branch names recruits for a period in two lists, each a set the branch replaces whole:

* **places** (``placeQuota``): the recruits holding one of the branch's places. Never more than
  the branch's available places (received − handed down − reserve): the balance invariant of
  ``plans.rules``, extended, which the database holds too (migration 0021);
* **forecast names** (``nameForecast``): the recruits backing the branch's forecast.

Only a development target (发展对象) of the branch may be named. A recruit admitted in the period
at the branch (step 17) keeps the place he was named on: it is **consumed**, stays counted and
cannot be taken off; he may also be placed after the fact (his admission used a place).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .errors import PlacementError, PlacementErrorCode, PlacementShortfall

#: The most names one list may hold (a branch's places are a handful; this bounds the input).
MAX_NAMES = 500

FIELD = "recruitIds"


def check_branch(unit: Any, field: str = "unitId") -> None:
    if unit.kind != "branch":
        raise PlacementError(
            PlacementErrorCode.NOT_A_BRANCH,
            f"{unit.name}不是党支部：名额由党支部落实到发展对象",
            field,
        )
    if not unit.active:
        raise PlacementError(PlacementErrorCode.INACTIVE_UNIT, f"{unit.name}已停用", field)


def check_period(state: str) -> None:
    if state == "closed":
        raise PlacementError(
            PlacementErrorCode.PERIOD_CLOSED, "计划期已关闭，不能再调整", "periodId"
        )
    if state != "issued":
        raise PlacementError(
            PlacementErrorCode.PERIOD_NOT_ISSUED, "计划期尚未下达，名额还不能落实到人", "periodId"
        )


def check_ids(ids: Sequence[int]) -> None:
    """At most :data:`MAX_NAMES`, each once; a repeat is named by its position."""
    if len(ids) > MAX_NAMES:
        raise PlacementError(
            PlacementErrorCode.TOO_MANY_NAMES, f"一次最多列出 {MAX_NAMES} 名发展对象", FIELD
        )
    seen: set[int] = set()
    for index, recruit_id in enumerate(ids):
        if recruit_id in seen:
            raise PlacementError(
                PlacementErrorCode.DUPLICATE_RECRUIT, "同一发展对象重复列出", f"{FIELD}.{index}"
            )
        seen.add(recruit_id)


def within(day: date | None, period: Any) -> bool:
    return day is not None and period.starts_on <= day <= period.ends_on


def consumed(recruit: Any, period: Any, unit_id: int) -> bool:
    """Admitted (step 17) within the period at the branch: the place he holds is used."""
    return within(recruit.approved_on, period) and recruit.admitted_branch_id == unit_id


def check_names(
    ids: Sequence[int], recruits: Mapping[int, Any], period: Any, unit: Any, *, placing: bool
) -> None:
    """Each recruit listed belongs to the branch and is a development target there (or, for a
    place, was admitted at the branch within the period: a consumed place)."""
    for index, recruit_id in enumerate(ids):
        recruit = recruits[recruit_id]
        at = f"{FIELD}.{index}"
        if placing and consumed(recruit, period, unit.id):
            continue
        if recruit.branch_id != unit.id:
            raise PlacementError(
                PlacementErrorCode.NOT_IN_BRANCH, f"{recruit.name}不是{unit.name}的发展对象", at
            )
        if recruit.stage != "development_target":
            raise PlacementError(
                PlacementErrorCode.NOT_A_DEVELOPMENT_TARGET,
                f"{recruit.name}尚不是发展对象（或已不是），不能列入名单",
                at,
            )


def check_removals(removed: Sequence[Any], period: Any, unit: Any) -> None:
    """A consumed place stays with the recruit admitted on it."""
    for recruit in removed:
        if consumed(recruit, period, unit.id):
            raise PlacementError(
                PlacementErrorCode.PLACE_CONSUMED,
                f"{recruit.name}已在本期接收为预备党员，占用的名额不能撤下",
                FIELD,
            )


def available(balance: Any | None) -> int:
    """The branch's available places: received − handed down − reserve (none without a row)."""
    if balance is None:
        return 0
    return int(balance.received_total - balance.handed_total - balance.reserve_total)


def check_fit(unit_name: str, wanted: int, places: int) -> None:
    if wanted > places:
        raise PlacementShortfall(unit_name, wanted - places, FIELD)
