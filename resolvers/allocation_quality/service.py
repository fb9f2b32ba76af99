"""Allocation quality for the API: the subdivisions of a period judged (rules.py), and the
commission's thresholds.

Read cost: a page of subdividing units is one statement, their children's places, pipeline
and headcount one more (whatever the page's size); the judgement is arithmetic on those rows.
Nothing is stored: the pipeline moves with every recorded step, so a score kept at write time
would go stale between allocations.

Access: a subdivision is seen with ``plan.read`` at the unit that subdivided (the commission
sees every school's, a school its own, never another's); the thresholds are read along the
commission's tree and changed with ``rule.manage`` at the commission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import is_within
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.plans.service.common import period_for
from partyplan.resolvers.units.service import listing_scope
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import AllocationQualityError, AllocationQualityErrorCode


@dataclass(frozen=True)
class Subdivision:
    unit: sa.Row
    children: list[rules.Child]
    assessment: rules.Assessment


@dataclass(frozen=True)
class RuleView:
    params: dict[str, Any]
    defaults: dict[str, Any]
    updated_at: datetime | None


def _along(session: Session, path: str) -> None:
    """NOT_FOUND unless the caller's units lie along the commission's tree; FORBIDDEN unless
    it reads plans there."""
    reached = session.principal.reaches_along(path)
    if not reached:
        raise NotFound("未找到该省委教育工委")
    reads = session.principal.paths_with(Permission.PLAN_READ)
    if not any(is_within(p, path) or is_within(path, p) for p in reads):
        session.require(Permission.PLAN_READ, reached[0])


async def _params(session: Session, commission_id: int) -> dict[str, Any]:
    row = await repository.params(session, commission_id)
    return rules.check_params(row.params if row else {})


async def rule(session: Session, commission_id: int) -> RuleView:
    """A commission is a root of the tree: its path is its id."""
    _along(session, str(commission_id))
    row = await repository.params(session, commission_id)
    return RuleView(
        rules.check_params(row.params if row else {}),
        dict(rules.DEFAULTS),
        row.updated_at if row else None,
    )


async def set_rule(session: Session, *, commission_id: int, params: Any) -> RuleView:
    """Replace the commission's changed thresholds (keys given override the defaults)."""
    commission = await visible_unit(session, commission_id, Permission.RULE_MANAGE, "commissionId")
    if commission.kind != "commission":
        raise AllocationQualityError(
            AllocationQualityErrorCode.NOT_A_COMMISSION,
            "分配质量规则只能由省委教育工委设定",
            "commissionId",
        )
    given = params or {}
    if not isinstance(given, dict):
        raise AllocationQualityError(
            AllocationQualityErrorCode.INVALID_RULE, "参数应为 JSON 对象", "params"
        )
    checked = rules.check_params(given)
    stored = {k: checked[k] for k in given}
    before = await repository.params(session, commission.id)
    row = await repository.upsert(session, commission, stored)
    await audit.append(
        session,
        operation="setAllocationQualityRule",
        object_type="Unit",
        object_id=commission.id,
        unit_id=commission.id,
        school_id=None,
        before=None if before is None else {"params": before.params},
        after={"params": stored},
    )
    return RuleView(checked, dict(rules.DEFAULTS), row.updated_at)


async def page(
    session: Session, *, period_id: int, under_id: int | None, keyset: Keyset
) -> tuple[Page, dict[int, Subdivision]]:
    """The period's subdivisions the caller reads, by the subdividing unit's id, judged."""
    period = await period_for(session, period_id)
    read_paths, under = await listing_scope(session, under_id, Permission.PLAN_READ)
    params = await _params(session, period.commission_id)
    parents = await repository.subdividing(
        session, period.id, read_paths=read_paths, under=under, keyset=keyset
    )
    rows = await repository.children(session, period.id, [p.id for p in parents.rows])
    grouped: dict[int, list[rules.Child]] = {}
    for r in rows:
        grouped.setdefault(r.parent_id, []).append(
            rules.Child(
                r.id,
                r.name,
                r.places,
                r.high_knowledge,
                r.activists,
                r.development_targets,
                r.headcount,
            )
        )
    judged = {}
    for parent in parents.rows:
        children = grouped.get(parent.id, [])
        judged[parent.id] = Subdivision(
            parent, children, rules.assess(parent.name, children, params)
        )
    return parents, judged
