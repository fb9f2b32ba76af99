"""Named targets' operations: place a branch's quota on names, name the targets backing its
forecast, and read a branch's names. No commits: the request owns the transaction.

A placement locks the branch's balance row first (``plans.repository.balances.lock``, the
lock every quota movement takes), so concurrent placements and movements at the branch are
judged one after the other, each seeing the others' writes; the database's CHECK constraint
(migration 0021) is the last guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.plans.repository import balances
from partyplan.resolvers.plans.service.common import audit_plan, period_for, unit_in_period
from partyplan.tenants.session import Session

from . import repository, rules

OPERATIONS = {"placed": "placeQuota", "forecast": "nameForecast"}


@dataclass(frozen=True)
class NamedTargetsView:
    """A branch's names in a period beside its places."""

    period: sa.Row
    unit: sa.Row
    balance: sa.Row | None
    names: list[sa.Row]

    @property
    def received(self) -> int:
        return 0 if self.balance is None else int(self.balance.received_total)

    @property
    def available(self) -> int:
        return rules.available(self.balance)

    @property
    def placed(self) -> int:
        return sum(1 for n in self.names if n.placed)

    @property
    def forecast_names(self) -> int:
        return sum(1 for n in self.names if n.forecast)

    @property
    def names_without_place(self) -> int:
        return sum(1 for n in self.names if n.forecast and not n.placed)

    def consumed(self, name: sa.Row) -> bool:
        return bool(
            name.placed
            and rules.within(name.recruit_approved_on, self.period)
            and name.recruit_admitted_branch_id == self.unit.id
        )


async def view(session: Session, *, period_id: int, unit_id: int) -> NamedTargetsView:
    period = await period_for(session, period_id)
    unit = await unit_in_period(session, unit_id, period, Permission.PLAN_READ, "unitId")
    session.require(Permission.RECRUIT_READ, unit.path)
    balance = await balances.get(session, period.id, unit.id)
    names = await repository.names(session, period.id, unit.id)
    return NamedTargetsView(period, unit, balance, names)


async def place(
    session: Session, *, period_id: int, unit_id: int, recruit_ids: Sequence[int]
) -> NamedTargetsView:
    """placeQuota: the branch's places of the period held by exactly ``recruit_ids``."""
    return await _replace(session, "placed", period_id, unit_id, recruit_ids)


async def name_forecast(
    session: Session, *, period_id: int, unit_id: int, recruit_ids: Sequence[int]
) -> NamedTargetsView:
    """nameForecast: the branch's forecast backed by exactly ``recruit_ids``."""
    return await _replace(session, "forecast", period_id, unit_id, recruit_ids)


async def _replace(
    session: Session, flag: str, period_id: int, unit_id: int, recruit_ids: Sequence[int]
) -> NamedTargetsView:
    period = await period_for(session, period_id, lock="share")
    unit = await unit_in_period(session, unit_id, period, Permission.FORECAST_SUBMIT, "unitId")
    rules.check_branch(unit)
    rules.check_period(period.state)
    rules.check_ids(recruit_ids)
    found = await repository.recruits_by_id(session, recruit_ids)
    for index, recruit_id in enumerate(recruit_ids):
        recruit = found.get(recruit_id)
        if recruit is None or not session.principal.reaches(recruit.unit_path):
            raise NotFound(f"未找到该发展对象（{rules.FIELD}.{index}）")
    placing = flag == "placed"
    rules.check_names(recruit_ids, found, period, unit, placing=placing)
    # The branch's balance row, locked before anything is judged against it.
    locked = await balances.lock(session, period.id, [unit])
    before = await repository.names(session, period.id, unit.id)
    listed = [n for n in before if getattr(n, flag)]
    wanted = set(recruit_ids)
    if placing:
        dropped = [n for n in listed if n.recruit_id not in wanted]
        rules.check_removals([_recruit_of(n) for n in dropped], period, unit)
        rules.check_fit(unit.name, len(wanted), rules.available(locked.get(unit.id)))
    await repository.replace_list(
        session, period_id=period.id, unit=unit, flag=flag, recruit_ids=list(recruit_ids)
    )
    await audit_plan(
        session,
        operation=OPERATIONS[flag],
        object_type="Unit",
        object_id=unit.id,
        unit=unit,
        before={"period_id": period.id, "recruit_ids": [n.recruit_id for n in listed]},
        after={"period_id": period.id, "recruit_ids": list(recruit_ids)},
    )
    names = await repository.names(session, period.id, unit.id)
    return NamedTargetsView(period, unit, await balances.get(session, period.id, unit.id), names)


@dataclass(frozen=True)
class _Named:
    name: str
    approved_on: object
    admitted_branch_id: int | None


def _recruit_of(name: sa.Row) -> _Named:
    return _Named(name.recruit_name, name.recruit_approved_on, name.recruit_admitted_branch_id)
