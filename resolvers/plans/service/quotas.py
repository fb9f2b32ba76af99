"""Quota movements: issue and supplement (commission → school), allocate (unit → child),
transfer (between children of one parent), return (unit → parent) and reserve.

Every movement is one ledger row plus the matching changes to the two balances it touches,
checked against the invariants of plans.rules (the fit, the sub-quota bounds) while both
balance rows are locked — so concurrent movements against one parent serialize on its row and
none can overdraw it, nor leave it more sub-quota than places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.tenants.session import Session

from .. import rules
from ..errors import PlanError, PlanErrorCode
from ..repository import balances, movements
from ..rules import EFFECTS, Amounts, Balance, amounts_of
from .common import (
    period_for,
    reached_period,
    reached_unit_in_period,
    require_active,
    unit_in_period,
    visible_unit,
)
from .periods import reached_round, round_for


@dataclass(frozen=True, slots=True)
class Target:
    """A structural target as the caller gave it. The minimum share is a fraction
    (``min_share``, 0–1: the API's convention) or, in the deprecated spelling, a percentage
    (``min_share_percent``, 0–100); both may be given if they agree. It is stored as a
    percentage to 2 places (``structural_targets.min_share_percent``), see :meth:`percent`."""

    indicator: str
    min_count: int | None
    min_share_percent: Decimal | None
    min_share: Decimal | None = None

    def percent(self) -> Decimal | None:
        """The minimum share as stored: a percentage rounded to 2 places (as the column does)."""
        if self.min_share is not None:
            return _cents(self.min_share * 100)
        return None if self.min_share_percent is None else _cents(self.min_share_percent)


def _cents(percent: Decimal) -> Decimal:
    return percent.quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Paperwork:
    document_no: str | None = None
    document_date: date | None = None
    reason: str | None = None
    round_id: int | None = None


async def _move(
    session: Session,
    period: sa.Row,
    kind: str,
    from_unit: sa.Row,
    to_unit: sa.Row,
    amounts: Amounts,
    paperwork: Paperwork,
    field: str = "amounts",
    targets: Sequence[Target] = (),
) -> sa.Row:
    """Record one movement and apply its effects to both ends' balances, refusing it (typed
    error on ``field``, the amounts input, nothing written) when a balance would break an
    invariant of plans.rules; ``targets`` are set on ``to_unit``, naming the movement.

    Two statements: the balance rows locked (created when missing), then, once the balances
    are judged, the ledger row, the balances' changes, the targets and the audit entry in one
    (``repository/movements.py``)."""
    locked = await balances.lock(session, period.id, [from_unit, to_unit])
    states = {
        uid: Balance(
            uid,
            row.unit_name,
            row.unit_kind,
            amounts_of(row, "received"),
            amounts_of(row, "handed"),
            amounts_of(row, "reserve"),
            row.named_total,
        )
        for uid, row in locked.items()
    }
    deltas: dict[int, dict[str, Amounts]] = {}
    for end, figure, sign in EFFECTS[kind]:
        unit_id = (from_unit if end == "from" else to_unit).id
        delta = amounts.scaled(sign)
        states[unit_id].apply(figure, delta)
        per_unit = deltas.setdefault(unit_id, {})
        per_unit[figure] = per_unit.get(figure, Amounts(0)) + delta
    rules.check_balances(states.values(), field)
    return await movements.record(
        session,
        movements.Movement(
            period_id=period.id,
            kind=kind,
            from_unit=from_unit,
            to_unit=to_unit,
            amounts=amounts,
            document_no=paperwork.document_no,
            document_date=paperwork.document_date,
            reason=paperwork.reason,
            round_id=paperwork.round_id,
            deltas=deltas,
            targets=[(t.indicator, t.min_count, t.percent()) for t in targets],
            operation=f"{kind}Quota",
            after={
                "kind": kind,
                "period_id": period.id,
                "from_unit_id": from_unit.id,
                "to_unit_id": to_unit.id,
                **amounts.as_dict(),
                "document_no": paperwork.document_no,
                "reason": paperwork.reason,
                "round_id": paperwork.round_id,
            },
        ),
    )


async def _paperwork(
    session: Session,
    period: sa.Row,
    *,
    document_no: str | None,
    document_date: date | None,
    reason: str | None,
    round_id: int | None,
    needs_document: bool,
    needs_reason: bool,
    fetched: movements.Fetched | None = None,
) -> Paperwork:
    """The movement's paperwork, checked in this order: document, reason, round (read here,
    unless ``fetched`` read it already)."""
    document_no = rules.clean_document(document_no, required=needs_document)
    reason = rules.clean_text(
        reason, "reason", PlanErrorCode.REASON_REQUIRED, required=needs_reason
    )
    if fetched is None:
        round_id = await round_for(session, round_id, period)
    elif round_id is not None:
        round_id = reached_round(fetched.round, period)
    return Paperwork(
        document_no=document_no, document_date=document_date, reason=reason, round_id=round_id
    )


def _indicator(target: Target) -> str:
    return f"结构性要求“{rules.INDICATOR_LABELS.get(target.indicator, target.indicator)}”"


def _check_targets(targets: list[Target]) -> None:
    """Each target once, with a count or a share in range; an error names the target by its
    position in the ``targets`` input, and its field when one value is at fault."""
    seen: set[str] = set()
    for index, target in enumerate(targets):
        at = f"targets.{index}"
        if target.indicator in seen:
            raise PlanError(PlanErrorCode.INVALID_TARGET, f"{_indicator(target)}重复填写", at)
        seen.add(target.indicator)
        wanted = "结构性要求应填写最低人数（不少于 0）或最低比例（0 至 100%）"
        if (
            target.min_count is None
            and target.min_share_percent is None
            and target.min_share is None
        ):
            raise PlanError(PlanErrorCode.INVALID_TARGET, wanted, at)
        if target.min_count is not None and not 0 <= target.min_count <= rules.MAX_AMOUNT:
            raise PlanError(PlanErrorCode.INVALID_TARGET, wanted, f"{at}.minCount")
        share = target.min_share_percent
        if share is not None and not (share.is_finite() and 0 <= share <= 100):
            raise PlanError(PlanErrorCode.INVALID_TARGET, wanted, f"{at}.minSharePercent")
        fraction = target.min_share
        if fraction is not None and not (fraction.is_finite() and 0 <= fraction <= 1):
            raise PlanError(
                PlanErrorCode.INVALID_TARGET,
                "最低比例应在 0 到 1 之间，以小数表示（0.8 即 80%）",
                f"{at}.minShare",
            )
        # Both spellings given: they must store the same value, else which one was meant?
        if share is not None and fraction is not None and target.percent() != _cents(share):
            raise PlanError(
                PlanErrorCode.INVALID_TARGET,
                "最低比例的两种写法不一致：百分数应为小数的 100 倍",
                f"{at}.minShare",
            )


async def issue(
    session: Session,
    *,
    period_id: int,
    school_id: int,
    amounts: Amounts,
    document_no: str | None,
    document_date: date | None,
    targets: list[Target],
    round_id: int | None = None,
    supplement: bool = False,
    reason: str | None = None,
) -> sa.Row:
    """The commission issues (下达, in as many batches as it likes) or supplements (追加)."""
    period = await period_for(session, period_id, lock="share")
    commission = await visible_unit(
        session, period.commission_id, Permission.PLAN_ISSUE, "periodId"
    )
    school = await unit_in_period(session, school_id, period, Permission.PLAN_ISSUE, "schoolId")
    if school.kind != "school":
        raise PlanError(PlanErrorCode.NOT_A_SCHOOL, f"{school.name}不是学校", "schoolId")
    require_active(school, "schoolId")
    rules.check_writable(period.state)
    rules.check_amounts(amounts, "amounts")
    _check_targets(targets)
    paperwork = await _paperwork(
        session,
        period,
        document_no=document_no,
        document_date=document_date,
        reason=reason,
        round_id=round_id,
        needs_document=True,
        needs_reason=supplement,
    )
    kind = "supplement" if supplement else "issue"
    return await _move(
        session, period, kind, commission, school, amounts, paperwork, targets=targets
    )


async def allocate(
    session: Session,
    *,
    period_id: int,
    from_unit_id: int,
    to_unit_id: int,
    amounts: Amounts,
    targets: list[Target],
    document_no: str | None = None,
    reason: str | None = None,
    round_id: int | None = None,
) -> sa.Row:
    """分解: a unit hands quota to a child. What it reads (the period, locked FOR SHARE; both
    units; the round) comes in one statement, judged below in the order the errors are given."""
    fetched = await movements.fetch(session, period_id, from_unit_id, to_unit_id, round_id)
    period = reached_period(session, fetched.period)
    parent = reached_unit_in_period(
        session, fetched.from_unit, period, Permission.PLAN_ALLOCATE, "fromUnitId"
    )
    child = reached_unit_in_period(
        session, fetched.to_unit, period, Permission.PLAN_ALLOCATE, "toUnitId"
    )
    if parent.kind == "commission":
        raise PlanError(
            PlanErrorCode.WRONG_LEVEL,
            "省委教育工委以下达计划分配名额，不作计划分解",
            "fromUnitId",
        )
    if child.parent_id != parent.id:
        raise PlanError(
            PlanErrorCode.NOT_A_CHILD,
            f"{child.name}不是{parent.name}的直属下级",
            "toUnitId",
        )
    require_active(child, "toUnitId")
    rules.check_writable(period.state, needs_issued=True)
    rules.check_amounts(amounts, "amounts")
    _check_targets(targets)
    # An allocation's reason is the input's optional note (备注).
    note = rules.clean_text(reason, "note", PlanErrorCode.INVALID_REMARK, required=False)
    paperwork = await _paperwork(
        session,
        period,
        document_no=document_no,
        document_date=None,
        reason=note,
        round_id=round_id,
        needs_document=False,
        needs_reason=False,
        fetched=fetched,
    )
    return await _move(
        session, period, "allocate", parent, child, amounts, paperwork, targets=targets
    )


async def transfer(
    session: Session,
    *,
    period_id: int,
    from_unit_id: int,
    to_unit_id: int,
    amounts: Amounts,
    reason: str | None,
    document_no: str | None,
    round_id: int | None = None,
) -> sa.Row:
    """调剂: quota moves between two units under one parent, recorded by the parent."""
    period = await period_for(session, period_id, lock="share")
    source = await unit_in_period(session, from_unit_id, period, Permission.UNIT_READ, "fromUnitId")
    target = await unit_in_period(session, to_unit_id, period, Permission.UNIT_READ, "toUnitId")
    if source.parent_id is None or source.parent_id != target.parent_id or source.id == target.id:
        raise PlanError(
            PlanErrorCode.NOT_SIBLINGS, "计划调剂只能在同一上级的下级单位之间进行", "toUnitId"
        )
    # The parent records a transfer; its own figures do not change.
    await visible_unit(session, source.parent_id, Permission.PLAN_ALLOCATE, "fromUnitId")
    require_active(target, "toUnitId")
    rules.check_writable(period.state, needs_issued=True)
    rules.check_amounts(amounts, "amounts")
    paperwork = await _paperwork(
        session,
        period,
        document_no=document_no,
        document_date=None,
        reason=reason,
        round_id=round_id,
        needs_document=True,
        needs_reason=True,
    )
    return await _move(session, period, "transfer", source, target, amounts, paperwork)


async def give_back(
    session: Session,
    *,
    period_id: int,
    unit_id: int,
    amounts: Amounts,
    reason: str | None,
    document_no: str | None,
    round_id: int | None = None,
) -> sa.Row:
    """Quota returned upward (to the parent, which records it)."""
    period = await period_for(session, period_id, lock="share")
    unit = await unit_in_period(session, unit_id, period, Permission.UNIT_READ, "unitId")
    if unit.parent_id is None or unit.kind == "commission":
        raise PlanError(PlanErrorCode.WRONG_LEVEL, "省委教育工委没有上级，无处退回", "unitId")
    parent = await visible_unit(session, unit.parent_id, Permission.PLAN_ALLOCATE, "unitId")
    rules.check_writable(period.state)
    rules.check_amounts(amounts, "amounts")
    paperwork = await _paperwork(
        session,
        period,
        document_no=document_no,
        document_date=None,
        reason=reason,
        round_id=round_id,
        needs_document=True,
        needs_reason=True,
    )
    return await _move(session, period, "return", unit, parent, amounts, paperwork)


async def set_reserve(
    session: Session, *, period_id: int, unit_id: int, reserve: Amounts, reason: str | None = None
) -> sa.Row:
    """Set the places a unit keeps back (a movement of the difference to its reserve)."""
    period = await period_for(session, period_id, lock="share")
    unit = await unit_in_period(session, unit_id, period, Permission.PLAN_ALLOCATE, "unitId")
    if unit.kind == "commission":
        raise PlanError(PlanErrorCode.WRONG_LEVEL, "省委教育工委不设本级预留", "unitId")
    rules.check_writable(period.state)
    rules.check_amounts(reserve, "reserve", allow_zero_total=True)
    current = await balances.get(session, period.id, unit.id)
    delta = reserve - (amounts_of(current, "reserve") if current else Amounts(0))
    if delta.is_zero:
        raise PlanError(PlanErrorCode.INVALID_AMOUNT, "预留名额与现有数相同，无需调整", "reserve")
    paperwork = Paperwork(
        reason=rules.clean_text(reason, "reason", PlanErrorCode.REASON_REQUIRED, required=False)
    )
    return await _move(session, period, "reserve", unit, unit, delta, paperwork, "reserve")
